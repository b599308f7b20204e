import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  refused,
  say,
  slowLive,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * A room's errors hold only while true: "you are muted" goes when I am
 * unmuted, and once I am removed from the room its reason is the one notice.
 * The live connection is slow, so a send races the mute as it would on a
 * phone network.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `room errors in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let carol: Person;
    let bob: ParleyClient;
    const alerts = () => carol.page.getByRole('alert');
    const box = () => carol.page.getByLabel('Message to #den');
    const note = () => carol.page.getByText('You are muted in #den: you may read, not speak.');

    beforeAll(async () => {
      world = await startWorld();
      carol = await world.person();
      await world.signUp(carol, 'carol');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.rooms.create('den');
      const me = world.node.client();
      await me.login('carol', PASSWORD, 'test script');
      await me.rooms.join('den');
      await slowLive(carol, 1500);
      await carol.page.reload();
      await carol.page.locator('.chats [data-room="den"]').getByRole('button').click();
      await box().waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    async function sendWhileMuting(text: string) {
      await bob.rooms.mute('den', 'carol', true);
      // The page has not heard of the mute yet: the server refuses the send.
      await say(carol, text);
      await alerts().filter({ hasText: 'You are muted here' }).waitFor();
      refused(carol, 403);
      await note().waitFor();
      expect(await box().isDisabled()).toBe(true);
    }

    it('unmuted: the composer opens again and "you are muted" is gone', async () => {
      await sendWhileMuting('Can anyone hear me?');
      await bob.rooms.mute('den', 'carol', false);
      await note().waitFor({ state: 'detached' });
      await alerts().filter({ hasText: 'muted' }).waitFor({ state: 'detached' });
      expect(await box().isDisabled()).toBe(false);
    }, 60_000);

    it('removed from the room: why, once, and no stale error beside it', async () => {
      await sendWhileMuting('Still here?');
      await bob.rooms.kick('den', 'carol', 'Enough');
      await alerts().filter({ hasText: 'Enough' }).waitFor();
      expect(await alerts().allTextContents()).toEqual([expect.stringContaining('Enough')]);
      expectConsole(carol, []);
    }, 60_000);
  },
);
