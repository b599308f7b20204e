import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  approve,
  messages,
  openChat,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Messages typed while offline: shown as pending, kept across a reload, sent
 * on reconnect in order, and never stored twice, even when the server stored
 * a send whose answer never reached the browser.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `outbox in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;

    const texts = async () =>
      (await bob.history('alice', { limit: 100 })).messages.map((m) => m.text);

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.requestContact('alice');
      await approve(alice, 'bob');
      await openChat(alice, 'bob');
      await alice.page.getByText('No messages yet').waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('offline sends wait as pending and go, in order, once the network is back', async () => {
      await alice.page.context().setOffline(true);
      await alice.page
        .getByText(/offline|reconnecting|connecting/i)
        .first()
        .waitFor();
      await say(alice, 'first while offline');
      await say(alice, 'second while offline');
      const pending = alice.page.locator('.messages li.msg[data-pending="sending"]');
      await expect.poll(() => pending.count()).toBe(2);
      expect(await texts()).toEqual([]);

      await alice.page.context().setOffline(false);
      await expect.poll(() => pending.count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(texts).toEqual(['first while offline', 'second while offline']);
      expect(await messages(alice).count()).toBe(2);
    }, 60_000);

    it('what was not sent survives a reload and is sent exactly once', async () => {
      await alice.page.context().setOffline(true);
      await say(alice, 'typed before the reload');
      await alice.page.locator('.messages li.msg[data-pending="sending"]').waitFor();
      // Back online, but the send itself fails until the page is reloaded.
      await alice.page.route('**/api/v1/messages', (r) => r.abort());
      await alice.page.context().setOffline(false);
      await alice.page.reload();
      await alice.page.unroute('**/api/v1/messages');
      await alice.page.getByTestId('me').filter({ hasText: 'alice' }).waitFor();
      await expect
        .poll(texts, { timeout: 20_000 })
        .toEqual(['first while offline', 'second while offline', 'typed before the reload']);
      await openChat(alice, 'bob');
      await messages(alice).filter({ hasText: 'typed before the reload' }).waitFor();
      expect(await messages(alice).filter({ hasText: 'typed before the reload' }).count()).toBe(1);
    }, 60_000);

    it('a send the server stored but whose answer was lost is not stored twice', async () => {
      let lost = 0;
      await alice.page.route('**/api/v1/messages', async (r) => {
        if (r.request().method() !== 'POST' || lost > 0) return r.fallback();
        lost++;
        await r.fetch(); // the server stores it...
        await r.abort('connectionreset'); // ...and the browser never hears back
      });
      await say(alice, 'answer lost once');
      await expect
        .poll(async () => (await texts()).filter((t) => t === 'answer lost once').length, {
          timeout: 20_000,
        })
        .toBe(1);
      const shown = messages(alice).filter({ hasText: 'answer lost once' });
      await expect.poll(() => shown.getAttribute('data-pending')).toBe(null);
      await alice.page.waitForTimeout(500);
      expect((await texts()).filter((t) => t === 'answer lost once')).toHaveLength(1);
      expect(await shown.count()).toBe(1);
      expect(lost).toBe(1);
      await alice.page.unroute('**/api/v1/messages');
    }, 60_000);

    it('a send the server would refuse never enters the outbox (composer.test.ts: its menu)', async () => {
      const long = 'x'.repeat(17 * 1024);
      await say(alice, long);
      await alice.page.getByText(/^Too long to send by/).waitFor();
      expect(await alice.page.getByLabel(/^Message to/).inputValue()).toBe(long);
      expect(await alice.page.locator('.messages li.msg[data-pending]').count()).toBe(0);
      expect((await texts()).some((t) => t.length > 16 * 1024)).toBe(false);
      expect(alice.errors.filter((e) => !/Failed to load resource|ERR_/.test(e))).toEqual([]);
      expect(alice.dialogs).toEqual([]);
    }, 60_000);
  },
);
