import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  messages,
  newChat,
  openChat,
  said,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Message actions in a real browser, direct and in a room: edit in place,
 * delete with an in-page confirmation (tombstones on both sides), reply with a
 * quote, reactions toggled from chips, delivered and read ticks, search with a
 * jump to a message not loaded yet, and a history window that keeps the DOM
 * bounded while paging through hundreds of messages.
 */
const XSS = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
/** The history window's bound (web/src/lib/window.ts: WINDOW + SLACK). */
const DOM_BOUND = 150;

describe.skipIf(!HAVE_CHROMIUM)(
  `message actions in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;
    let aliceSdk: ParleyClient;
    let bobSdk: ParleyClient;

    const msg = said;
    /** Opens a message's actions menu and picks an item. */
    async function act(p: Person, text: string, item: string | RegExp) {
      const li = msg(p, text).first();
      await li.hover();
      await li.getByRole('button', { name: 'Message actions' }).click();
      await li.getByRole('menuitem', { name: item }).click();
    }
    async function bobHistory() {
      return (await bobSdk.history('alice', { limit: 100 })).messages;
    }

    beforeAll(async () => {
      world = await startWorld({
        messages: { per_second: 1000, burst: 1000 },
        limits: { requests_per_minute_per_address: 100_000 },
      });
      alice = await world.person();
      bob = await world.person();
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      aliceSdk = world.node.client();
      await aliceSdk.login('alice', PASSWORD, 'test script');
      bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      await aliceSdk.requestContact('bob');
      await bobSdk.approveContact('alice', true);
      await openChat(alice, 'bob');
      await openChat(bob, 'alice');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('edits in place: Enter saves, hostile text stays text, Up edits the last one, empty is refused', async () => {
      await say(alice, 'Tea at five?');
      await msg(bob, 'Tea at five?').waitFor();
      await act(alice, 'Tea at five?', 'Edit');
      const editor = alice.page.getByLabel('Edit message');
      await editor.fill(`Tea at six? ${XSS}`);
      await editor.press('Enter');
      const edited = msg(bob, 'Tea at six?');
      await edited.waitFor();
      expect(await edited.locator('.text').textContent()).toBe(`Tea at six? ${XSS}`);
      expect(await edited.locator('.meta').textContent()).toContain('edited');
      expect(await bob.page.locator('.messages img, .messages script').count()).toBe(0);
      expect((await bobHistory()).at(-1)).toMatchObject({ text: `Tea at six? ${XSS}` });

      // Up in the empty composer edits my last message; Escape leaves it as it was.
      const box = alice.page.getByLabel(/^Message to/);
      await box.focus();
      await box.press('ArrowUp');
      await editor.waitFor();
      expect(await editor.inputValue()).toBe(`Tea at six? ${XSS}`);
      await editor.fill('   ');
      await editor.press('Enter');
      await alice.page.getByRole('alert').filter({ hasText: 'cannot be empty' }).waitFor();
      await editor.press('Escape');
      await editor.waitFor({ state: 'detached' });
      await alice.page.locator('#composer-text:focus').waitFor();
      expect((await bobHistory()).at(-1)).toMatchObject({ text: `Tea at six? ${XSS}` });
      // bob cannot edit or delete alice's message.
      const theirs = msg(bob, 'Tea at six?');
      await theirs.hover();
      await theirs.getByRole('button', { name: 'Message actions' }).click();
      expect(await theirs.getByRole('menuitem', { name: 'Reply' }).count()).toBe(1);
      expect(await theirs.getByRole('menuitem', { name: /^(Edit|Delete)$/ }).count()).toBe(0);
      await bob.page.keyboard.press('Escape');
      await theirs.getByRole('menu').waitFor({ state: 'detached' });
    }, 60_000);

    it('deletes after an in-page confirmation, leaving a tombstone on both sides', async () => {
      await say(alice, 'Wrong chat, sorry');
      await msg(bob, 'Wrong chat, sorry').waitFor();
      await act(alice, 'Wrong chat, sorry', 'Delete');
      const confirm = alice.page.getByRole('group', { name: 'Confirm deletion' });
      // Cancel first: nothing changes.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      expect(await msg(bob, 'Wrong chat, sorry').count()).toBe(1);
      await act(alice, 'Wrong chat, sorry', 'Delete');
      await confirm.getByRole('button', { name: 'Yes, delete' }).click();
      await msg(alice, 'This message was deleted.').waitFor();
      await msg(bob, 'This message was deleted.').waitFor();
      expect(await msg(bob, 'Wrong chat, sorry').count()).toBe(0);
      expect((await bobHistory()).at(-1)).toMatchObject({ deleted: true, text: '' });
      expect(alice.dialogs).toEqual([]);
    }, 60_000);

    it('replies with a quote of the original; hostile text in a reply stays text', async () => {
      await act(bob, 'Tea at six?', 'Reply');
      const bar = bob.page.locator('.reply-bar');
      await bar.getByText('Replying to').waitFor();
      expect(await bar.textContent()).toContain('Tea at six?');
      // Escape drops the reply; Reply again and send.
      await bob.page.getByLabel(/^Message to/).press('Escape');
      await bar.waitFor({ state: 'detached' });
      await act(bob, 'Tea at six?', 'Reply');
      await say(bob, `Yes! ${XSS}`);
      await bar.waitFor({ state: 'detached' });
      const reply = messages(alice).filter({ hasText: 'Yes!' });
      await reply.waitFor();
      const quote = reply.locator('.quote');
      expect(await quote.locator('.quote-author').textContent()).toBe('You');
      expect(await quote.locator('.quote-text').textContent()).toContain('Tea at six?');
      expect(await reply.locator('.text').textContent()).toBe(`Yes! ${XSS}`);
      expect(await alice.page.locator('.messages img, .messages script').count()).toBe(0);
      const [original, answer] = (await bobHistory()).filter(
        (m) => m.text.startsWith('Tea at six?') || m.text.startsWith('Yes!'),
      );
      expect(answer!.replyTo).toBe(original!.id);
      // The quote shows the original.
      await quote.click();
      await alice.page.locator(`li.msg.jumped[data-id="${original!.id}"]`).waitFor();
    }, 60_000);

    it('reacts and un-reacts, with counts on both sides', async () => {
      await act(bob, 'Tea at six?', 'React with 👍');
      const chipOf = (p: Person) => msg(p, 'Tea at six?').locator('.chip');
      await chipOf(alice).filter({ hasText: '👍 1' }).waitFor();
      expect(await chipOf(alice).getAttribute('aria-label')).toBe('👍 1');
      expect(await chipOf(bob).getAttribute('aria-label')).toBe('👍 1, you reacted');
      await chipOf(alice).click();
      await alice.page.getByRole('button', { name: '👍 2, you reacted' }).waitFor();
      await bob.page.getByRole('button', { name: '👍 2, you reacted' }).waitFor();
      const reactions = async () =>
        (await bobHistory()).find((m) => m.text.startsWith('Tea at six?'))!.reactions;
      expect((await reactions())[0]).toMatchObject({ emoji: '👍', count: 2 });
      await bob.page.getByRole('button', { name: '👍 2, you reacted' }).click();
      await bob.page.getByRole('button', { name: '👍 1', exact: true }).waitFor();
      await alice.page.getByRole('button', { name: '👍 1, you reacted' }).waitFor();
      expect((await reactions())[0]).toMatchObject({ emoji: '👍', count: 1 });
      await alice.page.getByRole('button', { name: '👍 1, you reacted' }).click();
      await chipOf(bob).waitFor({ state: 'detached' });
      expect(await reactions()).toEqual([]);
      await world.shot(bob, 'message-actions');
    }, 60_000);

    it('my messages show delivered when they reach bob, then read when he reads', async () => {
      // Bob looks elsewhere: the message reaches his device but is not read.
      await newChat(bob, 'Create or browse rooms');
      await say(alice, 'Did this arrive?');
      const tick = msg(alice, 'Did this arrive?').locator('.tick');
      await tick.and(alice.page.locator('[data-tick="delivered"]')).waitFor();
      expect(await tick.textContent()).toContain('Delivered');
      // He opens the conversation: the app marks it read.
      await openChat(bob, 'alice');
      await msg(bob, 'Did this arrive?').waitFor();
      await tick.and(alice.page.locator('[data-tick="read"]')).waitFor();
      expect(await tick.textContent()).toContain('Read');
      // Earlier ones are read too; bob's messages carry no ticks.
      expect(await msg(alice, 'Tea at six?').locator('[data-tick="read"]').count()).toBe(1);
      expect(await msg(bob, 'Did this arrive?').locator('.tick').count()).toBe(0);
    }, 60_000);

    it('search finds an old message not loaded yet, jumps to it, and pages back to the latest with a bounded DOM', async () => {
      await aliceSdk.sendMessage('bob', 'The secret password is swordfish', 'needle');
      for (let i = 1; i <= 300; i++) await aliceSdk.sendMessage('bob', `Filler ${i}`, `fill-${i}`);
      await msg(bob, 'Filler 300').waitFor();
      await expect.poll(() => messages(bob).count()).toBeLessThanOrEqual(DOM_BOUND);
      expect(await msg(bob, 'swordfish').count()).toBe(0);

      await bob.page.getByRole('button', { name: 'Search in conversation' }).click();
      const q = bob.page.getByLabel('Search messages');
      await q.fill('!!!');
      await q.press('Enter');
      await bob.page.getByRole('alert').filter({ hasText: 'Type a word' }).waitFor();
      await q.fill('swordfish password');
      await q.press('Enter');
      const results = bob.page.getByRole('list', { name: 'Search results' });
      const hit = results.getByRole('button').filter({ hasText: 'swordfish' });
      await hit.waitFor();
      expect(await hit.locator('mark').allTextContents()).toEqual(
        expect.arrayContaining(['swordfish', 'password']),
      );
      await world.shot(bob, 'search-results');
      await hit.click();
      const found = msg(bob, 'The secret password is swordfish');
      await found.and(bob.page.locator('.jumped')).waitFor();
      expect(await found.evaluate((el) => el.matches(':focus'))).toBe(true);
      expect(await msg(bob, 'Filler 300').count()).toBe(0);
      await bob.page.getByRole('button', { name: /Jump to latest/ }).waitFor();
      await world.shot(bob, 'search-jump');

      // Scroll down through every newer page: the window slides, the DOM stays bounded.
      const list = bob.page.locator('.messages');
      let most = 0;
      for (let i = 0; i < 40 && (await msg(bob, 'Filler 300').count()) === 0; i++) {
        await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
        await bob.page.waitForTimeout(150);
        most = Math.max(most, await messages(bob).count());
      }
      await msg(bob, 'Filler 300').waitFor();
      expect(most).toBeGreaterThan(60);
      expect(most).toBeLessThanOrEqual(DOM_BOUND);
      expect(await msg(bob, 'swordfish').count()).toBe(0);

      // And up again, past the needle.
      for (let i = 0; i < 40 && (await msg(bob, 'swordfish').count()) === 0; i++) {
        await list.evaluate((el) => (el.scrollTop = 0));
        await bob.page.waitForTimeout(150);
        most = Math.max(most, await messages(bob).count());
      }
      await msg(bob, 'swordfish').waitFor();
      expect(most).toBeLessThanOrEqual(DOM_BOUND);

      // Jump to latest returns to the newest message, and live ones follow again.
      await bob.page.getByRole('button', { name: /Jump to latest/ }).click();
      await msg(bob, 'Filler 300').waitFor();
      await say(alice, 'Still there?');
      await msg(bob, 'Still there?').waitFor();
      expect(await messages(bob).count()).toBeLessThanOrEqual(DOM_BOUND);
    }, 120_000);

    it('in a room, the owner deletes a member’s message; members cannot delete others’', async () => {
      await aliceSdk.rooms.create('tea', { topic: 'Tea time' });
      await bobSdk.rooms.join('tea');
      await alice.page.locator('[data-room="tea"]').getByRole('button').click();
      await bob.page.locator('[data-room="tea"]').getByRole('button').click();
      await say(alice, 'Welcome to #tea');
      await msg(bob, 'Welcome to #tea').waitFor();
      await say(bob, 'Buy cheap pills');
      await msg(alice, 'Buy cheap pills').waitFor();

      const welcome = msg(bob, 'Welcome to #tea');
      await welcome.hover();
      await welcome.getByRole('button', { name: 'Message actions' }).click();
      expect(await welcome.getByRole('menuitem', { name: 'Delete' }).count()).toBe(0);
      await bob.page.keyboard.press('Escape');
      await welcome.getByRole('menu').waitFor({ state: 'detached' });

      // The owner reacts in the room too, then removes the spam.
      await act(alice, 'Welcome to #tea', 'React with 🎉');
      await bob.page.getByRole('button', { name: '🎉 1', exact: true }).waitFor();
      await act(alice, 'Buy cheap pills', 'Delete');
      const confirm = alice.page.getByRole('group', { name: 'Confirm deletion' });
      expect(await confirm.textContent()).toContain('bob’s message');
      await confirm.getByRole('button', { name: 'Yes, delete' }).click();
      await msg(bob, 'This message was deleted.').waitFor();
      await msg(alice, 'This message was deleted.').waitFor();
      const history = (await bobSdk.rooms.history('tea')).messages;
      expect(history.find((m) => m.from.username === 'bob')).toMatchObject({
        deleted: true,
        text: '',
      });

      // A reply in the room, edited by keyboard only.
      await act(bob, 'Welcome to #tea', 'Reply');
      await say(bob, 'Thanks!');
      const reply = msg(alice, 'Thanks!');
      await reply.locator('.quote').filter({ hasText: 'Welcome to #tea' }).waitFor();
      const box = bob.page.getByLabel(/^Message to/);
      await box.press('ArrowUp');
      await bob.page.getByLabel('Edit message').fill(`Thanks! ${XSS}`);
      await bob.page.getByLabel('Edit message').press('Enter');
      await reply.filter({ hasText: 'edited' }).waitFor();
      expect(await reply.locator('.text').textContent()).toBe(`Thanks! ${XSS}`);
      await bob.page.setViewportSize({ width: 390, height: 780 });
      await world.shot(bob, 'room-actions-phone');
    }, 60_000);

    it('ends without page errors or dialogs', async () => {
      await alice.page.waitForTimeout(300);
      for (const p of [alice, bob]) {
        expect(p.errors).toEqual([]);
        expect(p.dialogs).toEqual([]);
      }
    });
  },
);
