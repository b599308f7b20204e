import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  messages,
  said,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Issue 15, keyboard: Ctrl+K (or Cmd+K) jumps to any chat, contact or room by
 * part of its name, Escape closes it; the message list is one Tab stop with
 * roving focus (arrow keys move, Enter opens the message's menu).
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `keyboard in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'script');
      for (const u of ['bob', 'carol']) {
        const c = world.node.client();
        await c.register(u, PASSWORD);
        if (u === 'carol') await c.updateProfile({ displayName: 'Carol Danvers' });
        if (u === 'bob')
          for (const t of ['one', 'two', 'three', 'four', 'five'])
            await c.sendMessage('alice', `Message ${t}`, `k-${t}`);
      }
      await a.requestContact('carol');
      await a.rooms.create('garden', { topic: 'Roses' });
      await alice.page.reload();
      await alice.page.locator('.chats').getByText('Message five').waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    const dialog = () => alice.page.getByRole('dialog', { name: 'Jump to a conversation' });
    const box = () => alice.page.getByRole('combobox', { name: 'Jump to a chat, contact or room' });
    const focusedId = () => alice.page.evaluate(() => document.activeElement?.id ?? '');

    it('Ctrl+K finds a room by a prefix and opens it; the composer has the focus', async () => {
      await alice.page.keyboard.press('Control+k');
      await dialog().waitFor();
      await box().fill('gar');
      await expect(dialog().getByRole('option').first().getAttribute('data-place')).resolves.toBe(
        'room:garden',
      );
      await box().press('Enter');
      await dialog().waitFor({ state: 'detached' });
      await alice.page.waitForURL(/\/room\/garden$/);
      await alice.page.getByLabel('Message to #garden').waitFor();
      await expect(focusedId()).resolves.toBe('composer-text');
    }, 60_000);

    it('finds a contact by display name or username, fuzzily; Escape closes and gives focus back', async () => {
      await alice.page.keyboard.press('Meta+k');
      await dialog().waitFor();
      await box().fill('dnv');
      await world.shot(alice, 'quick-switcher');
      await expect(dialog().getByRole('option').allTextContents()).resolves.toEqual([
        'Carol Danvers @carolChat',
      ]);
      await box().fill('@bo');
      await expect(dialog().getByRole('option').first().getAttribute('data-place')).resolves.toBe(
        'dm:bob',
      );
      await box().press('Escape');
      await dialog().waitFor({ state: 'detached' });
      await expect(focusedId()).resolves.toBe('composer-text');
      await alice.page.keyboard.press('Control+k');
      await box().fill('bob');
      await box().press('Enter');
      await alice.page.waitForURL(/\/chat\/bob$/);
      await said(alice, 'Message five').waitFor();
    }, 60_000);

    it('the message list is one Tab stop; arrows move, Enter opens the menu', async () => {
      const stops = await alice.page.evaluate(() => {
        const list = document.querySelector('.messages')!;
        return [...list.querySelectorAll<HTMLElement>('li.msg, li.msg button, li.msg a[href]')]
          .filter((e) => e.tabIndex >= 0)
          .map((e) => (e.matches('li.msg') ? 'msg' : 'control'));
      });
      // One message (the last) and its own controls; no other message is a stop.
      expect(stops.filter((s) => s === 'msg')).toEqual(['msg']);
      expect(stops.length).toBeLessThanOrEqual(3);

      // Shift+Tab from the composer lands in the list on the last message or its controls.
      const last = said(alice, 'Message five');
      await last.focus();
      await alice.page.keyboard.press('ArrowUp');
      await expect(
        alice.page.evaluate(() => document.activeElement?.textContent ?? ''),
      ).resolves.toContain('Message four');
      await alice.page.keyboard.press('Home');
      await expect(
        alice.page.evaluate(() => document.activeElement?.textContent ?? ''),
      ).resolves.toContain('Message one');
      // The focused message is now the list's one stop.
      await expect(
        messages(alice).evaluateAll((li) => li.filter((x) => x.tabIndex === 0).length),
      ).resolves.toBe(1);
      await alice.page.keyboard.press('End');
      await alice.page.keyboard.press('Enter');
      const menu = alice.page.getByRole('menu', { name: 'Message actions' });
      await menu.waitFor();
      await expect(
        alice.page.evaluate(() => document.activeElement?.getAttribute('role')),
      ).resolves.toBe('menuitem');
      await alice.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      expectConsole(alice, []);
    }, 60_000);
  },
);
