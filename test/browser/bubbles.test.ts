import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  chatMenu,
  expectConsole,
  said,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * The conversation pane as a messenger draws it (issue 15, "Make it a
 * messenger"): bubbles that fit their text, mine on the right; one name and one
 * avatar per group; a room's comings and goings summed up; a header with the
 * person or room, icon actions and one ⋯ menu with Block or Leave last, in red;
 * designed empty states; and popups at the last message kept on screen.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `the conversation pane in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;
    /** Alice through the SDK, to know what the server holds. */
    let me: ParleyClient;

    const open = (path: string) => alice.page.goto(`${world.node.url}${path}`);
    const rect = async (l: Locator) => (await l.boundingBox())!;
    const bubble = (text: string) => said(alice, text).locator('.bubble');
    const head = () => alice.page.locator('.chat-head');
    /** The history's box on screen: what a popup over it may use. */
    const history = () => rect(alice.page.locator('.messages'));

    beforeAll(async () => {
      world = await startWorld({ messages: { per_second: 1000, burst: 1000 } });
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.updateProfile({ displayName: 'Bob Builder' });
      me = world.node.client();
      await me.login('alice', PASSWORD, 'test script');
      await bob.requestContact('alice');
      await me.approveContact('bob', true);
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a new chat says hello; bubbles fit their text, mine right, a quick pair is one group', async () => {
      await open('/chat/bob');
      await alice.page.getByText('Say hello to Bob Builder').waitFor();
      await alice.page.getByRole('button', { name: 'Wave hello' }).click();
      await said(alice, '👋').and(alice.page.locator(':not([data-pending])')).waitFor();
      expect((await me.history('bob')).messages.map((m) => m.text)).toEqual(['👋']);

      await bob.sendMessage('alice', 'Hi!', 'h1');
      await bob.sendMessage('alice', 'A second quick one', 'h2');
      await said(alice, 'A second quick one').waitFor();
      const list = await history();
      const mine = await rect(bubble('👋'));
      const theirs = await rect(bubble('Hi!'));
      // Short texts, short bubbles: mine against the right edge, theirs against the left.
      expect(mine.width).toBeLessThan(list.width / 4);
      expect(theirs.width).toBeLessThan(list.width / 4);
      expect(list.x + list.width - (mine.x + mine.width)).toBeLessThan(40);
      expect(theirs.x - list.x).toBeLessThan(40);
      expect(mine.x).toBeGreaterThan(list.x + list.width / 2);

      // In a direct chat nobody's name is repeated over the bubbles.
      expect(await alice.page.locator('.messages .author').count()).toBe(0);
      // Bob's two quick messages are one group: closer together than to mine.
      expect(await said(alice, 'Hi!').getAttribute('class')).toMatch(/\bfirst\b/);
      expect(await said(alice, 'Hi!').getAttribute('class')).not.toMatch(/\blast\b/);
      expect(await said(alice, 'A second quick one').getAttribute('class')).not.toMatch(
        /\bfirst\b/,
      );
      const second = await rect(bubble('A second quick one'));
      const within = second.y - (theirs.y + theirs.height);
      const between = theirs.y - (mine.y + mine.height);
      expect(within).toBeLessThan(between);
      // The time and tick sit inside my bubble, at its lower right.
      const meta = await rect(said(alice, '👋').locator('.meta'));
      expect(meta.x + meta.width).toBeLessThanOrEqual(mine.x + mine.width);
      expect(meta.y + meta.height).toBeLessThanOrEqual(mine.y + mine.height);
      await world.shot(alice, 'bubbles');
    }, 60_000);

    it('in a room: the name on the first bubble of a group, the avatar beside the last', async () => {
      await me.rooms.create('tea', { topic: 'Kettle talk' });
      await bob.rooms.join('tea');
      await bob.rooms.send('tea', 'One', 'r1');
      await bob.rooms.send('tea', 'Two', 'r2');
      await open('/room/tea');
      await said(alice, 'Two').waitFor();
      const first = said(alice, 'One');
      const last = said(alice, 'Two');
      expect(await first.locator('.author').textContent()).toBe('Bob Builder');
      expect(await last.locator('.author').count()).toBe(0);
      expect(await first.locator('.msg-avatar .avatar').count()).toBe(0);
      expect(await last.locator('.msg-avatar .avatar').count()).toBe(1);
      await say(alice, 'Mine');
      await said(alice, 'Mine').and(alice.page.locator(':not([data-pending])')).waitFor();
      expect(await said(alice, 'Mine').locator('.author, .msg-avatar').count()).toBe(0);
      // The header: the room, its members and topic; icon actions with names.
      await head().getByRole('heading', { name: '#tea' }).waitFor();
      await head().locator('.head-sub').filter({ hasText: '2 members · Kettle talk' }).waitFor();
      await head().getByRole('button', { name: 'Search in conversation' }).waitFor();
      const members = head().getByRole('button', { name: 'Members', exact: true });
      expect(await members.getAttribute('aria-pressed')).toBe('true');
      await alice.page.locator('[data-member="bob"]').waitFor();
      await members.click();
      await alice.page.locator('.members').waitFor({ state: 'detached' });
      await members.click();
      await alice.page.locator('[data-member="bob"]').waitFor();
    }, 60_000);

    it('comings and goings in a row are summed up in one line, opened on demand', async () => {
      await me.rooms.create('crowd');
      for (const name of ['carol', 'dave', 'erin', 'fred']) {
        const c = world.node.client();
        await c.register(name, PASSWORD);
        await c.rooms.join('crowd');
      }
      await open('/room/crowd');
      const summary = alice.page.locator('.room-lines');
      await summary.filter({ hasText: 'carol, dave and 2 others joined' }).waitFor();
      expect(await alice.page.locator('.room-line[data-line="joined"]').count()).toBe(0);
      await alice.page.locator('.room-line[data-line="created"]').waitFor();
      await summary.getByRole('button', { name: 'Show all 4' }).click();
      await expect.poll(() => alice.page.locator('.room-line[data-line="joined"]').count()).toBe(4);
      await summary.getByRole('button', { name: 'Hide details' }).click();
      await alice.page
        .locator('.room-line[data-line="joined"]')
        .first()
        .waitFor({ state: 'detached' });

      // An empty room: its welcome under the lines, with the way to bring people in.
      await alice.page.getByText('Welcome to #crowd').waitFor();
      await alice.page.getByRole('button', { name: 'Invite people' }).click();
      await alice.page.getByRole('combobox', { name: 'Invite to #crowd' }).waitFor();
      await alice.page.keyboard.press('Escape');
      await head().locator('.head-sub').filter({ hasText: '5 members' }).waitFor();
      await world.shot(alice, 'room-lines');
    }, 60_000);

    it('the ⋯ menu: the rest of the actions, the destructive one last and red', async () => {
      await open('/room/crowd');
      await head().getByRole('button', { name: 'More options' }).click();
      const menu = alice.page.getByRole('menu', { name: 'More options' });
      const items = menu.getByRole('menuitem');
      expect(await items.allTextContents()).toEqual([
        'Invite people',
        'Edit topic',
        'Room settings',
        'Leave room',
      ]);
      const error = await alice.page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--error').trim(),
      );
      const colour = (l: Locator) => l.evaluate((el) => getComputedStyle(el).color);
      const hex = await alice.page.evaluate((c) => {
        const el = document.createElement('span');
        el.style.color = c;
        document.body.append(el);
        const out = getComputedStyle(el).color;
        el.remove();
        return out;
      }, error);
      expect(await colour(items.last())).toBe(hex);
      expect(await colour(items.first())).not.toBe(hex);
      await alice.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });

      // Leaving asks first; Cancel keeps the room.
      await chatMenu(alice, 'Leave room');
      const leave = alice.page.getByRole('group', { name: 'Leave #crowd?' });
      await leave.getByRole('button', { name: 'Cancel' }).click();
      await leave.waitFor({ state: 'detached' });

      // A direct chat: Block, and it works; the menu then offers Unblock.
      await open('/chat/bob');
      await head().getByRole('heading', { name: 'Bob Builder' }).waitFor();
      await head().locator('.head-sub').filter({ hasText: '@bob' }).waitFor();
      await chatMenu(alice, 'Block bob');
      await alice.page
        .getByRole('group', { name: 'Block bob?' })
        .getByRole('button', { name: 'Block', exact: true })
        .click();
      await alice.page.getByRole('note').filter({ hasText: 'You blocked Bob Builder' }).waitFor();
      expect((await me.blocked()).map((b) => b.username)).toEqual(['bob']);
      await head().locator('.head-sub').filter({ hasText: 'Blocked' }).waitFor();
      await chatMenu(alice, 'Unblock bob');
      await alice.page.getByLabel('Message to Bob Builder').waitFor();
      expect(await me.blocked()).toEqual([]);
    }, 60_000);

    /** Every corner of `inner` is inside `outer` (a pixel of rounding allowed). */
    const inside = (
      inner: { x: number; y: number; width: number; height: number },
      outer: { x: number; y: number; width: number; height: number },
    ) =>
      inner.x >= outer.x - 1 &&
      inner.y >= outer.y - 1 &&
      inner.x + inner.width <= outer.x + outer.width + 1 &&
      inner.y + inner.height <= outer.y + outer.height + 1;

    async function pickerAtLast(page: Page, text: string) {
      const li = said(alice, text);
      await li.hover();
      await li.getByRole('button', { name: 'Message actions' }).click();
      const menu = li.getByRole('menu', { name: 'Message actions' });
      await menu.waitFor();
      const area = await history();
      expect(inside(await rect(menu), area), 'the menu inside the history').toBe(true);
      await menu.getByRole('menuitem', { name: 'More reactions…' }).click();
      const picker = page.getByRole('dialog', { name: 'React with any emoji' });
      await picker.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
      const view = { x: 0, y: 0, ...page.viewportSize()! };
      const box = await rect(picker);
      expect(inside(box, view), `the picker ${JSON.stringify(box)} inside the viewport`).toBe(true);
      expect(inside(box, area), 'the picker inside the history, not under the composer').toBe(true);
      return picker;
    }

    it('the reaction picker at the last message stays inside the viewport (wide and phone)', async () => {
      for (let i = 1; i <= 12; i++) await bob.sendMessage('alice', `Filler ${i}`, `f${i}`);
      await said(alice, 'Filler 12').waitFor();
      const picker = await pickerAtLast(alice.page, 'Filler 12');
      await picker.getByRole('button', { name: 'grinning face', exact: true }).click();
      await said(alice, 'Filler 12').getByRole('button', { name: /^😀 1/ }).waitFor();

      await alice.page.setViewportSize({ width: 390, height: 780 });
      await say(alice, 'Mine at the end');
      await said(alice, 'Mine at the end')
        .and(alice.page.locator(':not([data-pending])'))
        .waitFor();
      const again = await pickerAtLast(alice.page, 'Mine at the end');
      await world.shot(alice, 'reaction-picker-phone');
      await alice.page.keyboard.press('Escape');
      await again.waitFor({ state: 'detached' });
      await alice.page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('no chat open: a designed start with ways in', async () => {
      await open('/');
      await alice.page.getByRole('heading', { name: 'No chat open' }).waitFor();
      await alice.page.getByRole('button', { name: 'Explore rooms' }).click();
      await alice.page.waitForURL(/\/rooms$/);
      expectConsole(alice, []);
    }, 60_000);
  },
);
