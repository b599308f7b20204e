import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ircPort, RawIrc } from '../helpers/irc.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  said,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * A guest from an IRC client, seen from the web client: the member list marks it
 * as a guest when it joins (live) and after a reload (from the member list), and
 * the room's owner answers it in the room.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `guests in the web client in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let irc: RawIrc | undefined;

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
    }, 120_000);

    afterAll(async () => {
      irc?.close();
      await world?.dispose();
    });

    it('a guest who joins is marked as a guest in the member list, live and after a reload', async () => {
      const sdk = world.node.client();
      await sdk.login('alice', PASSWORD, 'test script');
      await sdk.rooms.create('lobby', { topic: 'All welcome' });
      await alice.page.locator('[data-room="lobby"]').getByRole('button').click();
      const member = (who: string) => alice.page.locator(`[data-member="${who}"]`);
      await member('alice').waitFor();
      // alice is no guest.
      expect(await member('alice').locator('.role-badge.guest').count()).toBe(0);

      irc = await RawIrc.open(ircPort(world.node));
      irc.send('NICK wanderer');
      irc.send('USER w 0 * :Wanderer');
      await irc.command('001');
      irc.send('JOIN #lobby');
      await irc.command('366');

      await member('wanderer').locator('.role-badge.guest').waitFor();
      await expect
        .poll(() => member('wanderer').getByRole('button').getAttribute('aria-label'))
        .toMatch(/^wanderer guest: actions$/);

      await alice.page.reload();
      await alice.page.locator('[data-room="lobby"]').getByRole('button').click();
      await member('wanderer').locator('.role-badge.guest').waitFor();
      expect(await member('alice').locator('.role-badge.guest').count()).toBe(0);

      irc.send('PRIVMSG #lobby :hello, anyone?');
      await said(alice, 'hello, anyone?').waitFor();
      await say(alice, 'welcome, wanderer');
      await irc.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'welcome, wanderer',
        'the answer',
      );
      expectConsole(alice, []);
    }, 120_000);
  },
);
