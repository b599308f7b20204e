import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  approve,
  chatRow,
  contact,
  expectConsole,
  openChat,
  said,
  showChats,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * When things were said: a separator for each day, the full date and time on
 * hover, a "New messages" line before the first one I had not read; a new
 * room's empty state after its creation events, and its count in words.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `days and the first unread in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;
    /** Alice's account seen through the SDK, to know what the server holds. */
    let me: ParleyClient;
    const openBob = () => openChat(alice, 'bob');
    const den = () => alice.page.locator('.chats [data-room="den"]');
    /** The history's rows, top to bottom, as "day:Today", "new", "msg:text", "line:text". */
    const rows = () =>
      alice.page
        .locator('.messages ol > li')
        .evaluateAll((lis) =>
          lis.map((li) =>
            li.classList.contains('day')
              ? `day:${li.textContent}`
              : li.classList.contains('new-line')
                ? 'new'
                : li.classList.contains('msg')
                  ? `msg:${li.querySelector('.text')?.textContent}`
                  : `line:${li.querySelector('.text')?.textContent}`,
          ),
        );

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.requestContact('alice');
      await approve(alice, 'bob');
      await contact(alice, 'bob').waitFor();
      await showChats(alice);
      me = world.node.client();
      await me.login('alice', PASSWORD, 'test script');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a new room: its creation first, then "No messages yet"; "1 member"', async () => {
      await me.rooms.create('den');
      await den().getByText('1 member', { exact: true }).waitFor();
      await den().getByRole('button').click();
      const created = alice.page.locator('.room-line[data-line="created"]');
      await created.waitFor();
      const hint = alice.page.getByText('No messages yet');
      await hint.waitFor();
      expect((await hint.boundingBox())!.y).toBeGreaterThan((await created.boundingBox())!.y);
      expect(await rows()).toEqual(['day:Today', 'line:You created the room']);
    }, 60_000);

    it('a day separator, the full date on hover, and "New messages" before the first unread', async () => {
      await bob.sendMessage('alice', 'Read already', 'r1');
      await openBob();
      await said(alice, 'Read already').waitFor();
      const when = said(alice, 'Read already').locator('time');
      expect(await when.getAttribute('title')).toContain(String(new Date().getFullYear()));
      await den().getByRole('button').click();
      await alice.page.getByLabel('Message to #den').waitFor();
      // Read on the server before the next ones come.
      await expect
        .poll(async () => (await me.conversations()).conversations[0]?.unread ?? -1)
        .toBe(0);
      await bob.sendMessage('alice', 'Unread one', 'u1');
      await bob.sendMessage('alice', 'Unread two', 'u2');
      await chatRow(alice, 'bob').getByLabel('2 unread').waitFor();
      await openBob();
      await said(alice, 'Unread two').waitFor();
      expect(await rows()).toEqual([
        'day:Today',
        'msg:Read already',
        'new',
        'msg:Unread one',
        'msg:Unread two',
      ]);
    }, 60_000);

    it('seen a day later, the same messages are under "Yesterday"', async () => {
      await alice.page.clock.setFixedTime(Date.now() + 24 * 3600_000);
      await alice.page.reload();
      await openBob();
      await said(alice, 'Unread two').waitFor();
      expect((await rows())[0]).toBe('day:Yesterday');
      expectConsole(alice, []);
    }, 60_000);
  },
);
