import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  contact,
  expectConsole,
  said,
  say,
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
    const openBob = () => contact(alice, 'bob').getByRole('button').first().click();
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
      await alice.page
        .locator('[data-request="bob"]')
        .getByRole('button', { name: 'Approve' })
        .click();
      await contact(alice, 'bob').waitFor();
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
  },
);
