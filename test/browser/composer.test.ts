import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  approve,
  contact,
  expectConsole,
  openChat,
  chatMenu,
  refused,
  said,
  say,
  showChats,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * The composer: it has the focus when a chat opens, keeps a draft per
 * conversation (across switching and reloads), and what I send is shown even
 * when I had scrolled up the history.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `the composer in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;
    const box = () => alice.page.getByLabel(/^Message to/);
    const focused = () => alice.page.evaluate(() => document.activeElement?.id ?? '');
    const openBob = () => openChat(alice, 'bob');
    const openDen = () =>
      alice.page.locator('.chats [data-room="den"]').getByRole('button').click();

    beforeAll(async () => {
      world = await startWorld({ messages: { per_second: 1000, burst: 1000 } });
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.rooms.create('den');
      await bob.requestContact('alice');
      await approve(alice, 'bob');
      await contact(alice, 'bob').waitFor();
      await showChats(alice);
      const me = world.node.client();
      await me.login('alice', PASSWORD, 'test script');
      await me.rooms.join('den');
      await alice.page.locator('.chats [data-room="den"]').waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('opening a chat or a room gives the composer the focus', async () => {
      await openBob();
      await alice.page.getByText('No messages yet').waitFor();
      await expect.poll(focused).toBe('composer-text');
      await alice.page.getByRole('heading', { name: 'bob' }).click();
      await openDen();
      await alice.page.getByLabel('Message to #den').waitFor();
      await expect.poll(focused).toBe('composer-text');
    }, 60_000);

    it('keeps a draft per conversation, across switching and a reload, until it is sent', async () => {
      await openBob();
      await box().fill('Half a thought for bob');
      await openDen();
      await expect.poll(() => box().inputValue()).toBe('');
      await box().fill('A draft for the den');
      await openBob();
      await expect.poll(() => box().inputValue()).toBe('Half a thought for bob');
      await alice.page.reload();
      await openDen();
      await expect.poll(() => box().inputValue()).toBe('A draft for the den');
      await openBob();
      await expect.poll(() => box().inputValue()).toBe('Half a thought for bob');
      await box().press('Enter');
      await said(alice, 'Half a thought for bob').waitFor();
      await expect.poll(() => box().inputValue()).toBe('');
      await alice.page.reload();
      await openBob();
      await said(alice, 'Half a thought for bob').waitFor();
      await expect.poll(() => box().inputValue()).toBe('');
    }, 60_000);

    it('sending while scrolled up shows my message', async () => {
      await openBob();
      for (let i = 1; i <= 40; i++) await bob.sendMessage('alice', `Earlier ${i}`, `e${i}`);
      await said(alice, 'Earlier 40').waitFor();
      const list = alice.page.locator('.messages');
      await list.evaluate((el) => (el.scrollTop = 0));
      await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBe(0);
      await say(alice, 'Mine, at the end');
      const mine = said(alice, 'Mine, at the end');
      await mine.waitFor();
      await expect
        .poll(() =>
          mine.evaluate((li) => {
            const r = li.getBoundingClientRect();
            const v = li.closest('.messages')!.getBoundingClientRect();
            return r.top >= v.top && r.bottom <= v.bottom;
          }),
        )
        .toBe(true);
      expectConsole(alice, []);
    }, 60_000);

    it('too long: a live counter, refused before sending, the text kept to shorten', async () => {
      await openBob();
      const limit = 16 * 1024;
      await box().fill('x'.repeat(limit - 100));
      await alice.page.getByText('100 characters left').waitFor();
      await box().fill('x'.repeat(limit + 5));
      await alice.page.getByText('Too long to send by 5 characters').waitFor();
      expect(await alice.page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(
        true,
      );
      await box().press('Enter');
      expect((await box().inputValue()).length).toBe(limit + 5);
      expect(await alice.page.locator('.messages li.msg[data-pending]').count()).toBe(0);
      await box().fill('Short again');
      await alice.page.locator('#composer-count').waitFor({ state: 'detached' });
      await box().fill('');
    }, 60_000);

    it('a message the server refused: why in words, no Retry, a menu to copy, edit or delete it', async () => {
      // What an older client could leave in the outbox: too long for the server.
      const text = 'y'.repeat(16 * 1024 + 1);
      await alice.page.evaluate((t) => {
        const id = (JSON.parse(localStorage.getItem('parley.user')!) as { id: string }).id;
        const o = { clientId: 'old-1', kind: 'dm', to: 'bob', text: t, createdAt: Date.now() };
        localStorage.setItem(`parley.outbox.${id}`, JSON.stringify([o]));
      }, text);
      await alice.page.reload();
      await openBob();
      const failed = alice.page.locator('.messages li.msg[data-pending="failed"]');
      await failed.waitFor();
      const why = alice.page
        .getByRole('alert')
        .filter({ hasText: 'This message is too long to send.' });
      await why.waitFor();
      refused(alice, 413);
      expect(await failed.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await failed.getByRole('button', { name: 'Actions for the message not sent' }).click();
      const menu = failed.getByRole('menu');
      expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
        'Copy text',
        'Edit',
        'Delete',
      ]);
      await menu.getByRole('menuitem', { name: 'Edit' }).click();
      await failed.waitFor({ state: 'detached' });
      await why.waitFor({ state: 'detached' });
      expect(await box().inputValue()).toBe(text);
      await alice.page.getByText('Too long to send by 1 character:').waitFor();
      await box().fill('');
      expectConsole(alice, []);
    }, 60_000);

    it('keyboard: Alt+Down and Alt+Up move between chats; Escape closes a room panel', async () => {
      const chat = (i: number) => alice.page.locator('.chats li').nth(i);
      const current = (i: number) => chat(i).locator('button[aria-current="true"]').waitFor();
      await chat(0).getByRole('button').click();
      await current(0);
      await alice.page.keyboard.press('Alt+ArrowDown');
      await current(1);
      await expect.poll(focused).toBe('composer-text');
      await alice.page.keyboard.press('Alt+ArrowUp');
      await current(0);
      await openDen();
      await chatMenu(alice, 'Room settings');
      const panel = alice.page.getByRole('region', { name: 'Settings of #den' });
      await panel.waitFor();
      await alice.page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      expectConsole(alice, []);
    }, 60_000);
  },
);
