import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyConnection } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  contact,
  showContacts,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Issue 15, bug 21: when the server goes away the banner says so plainly (and
 * offers to retry), contacts' dots turn grey ("not known") instead of staying
 * green, and both recover when the server is back.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `offline banner and presence in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bobLive: ParleyConnection;

    async function bobOnline() {
      const bob = world.node.client();
      await bob.login('bob', PASSWORD, 'bob script');
      bobLive = await bob.connect();
      await bobLive.setPresence('available');
    }

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      const bob = world.node.client();
      await bob.register('bob', PASSWORD);
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'alice script');
      await bob.requestContact('alice');
      await a.approveContact('bob');
      await a.requestContact('bob');
      await bobOnline();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    const dot = () => contact(alice, 'bob').locator('.dot');
    const banner = () => alice.page.getByRole('status').filter({ hasText: 'You are offline.' });

    it('server gone: a clear banner, and grey dots; back: both recover', async () => {
      await alice.page.reload();
      await showContacts(alice);
      await contact(alice, 'bob').locator('.dot[data-show="available"]').waitFor();
      expect(await banner().count()).toBe(0);

      const resume = await world.pause();
      await banner().waitFor();
      await contact(alice, 'bob').locator('.dot[data-show="unknown"]').waitFor();
      expect(await dot().getAttribute('aria-label')).toBe('Not known while you are offline');
      await contact(alice, 'bob').getByText('Not known while you are offline').waitFor();
      // Styled: a banner that stands out from the page, not bare text.
      const bg = await banner()
        .locator('.conn')
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(bg).not.toBe('rgba(0, 0, 0, 0)');
      await world.shot(alice, 'offline-banner');

      await resume();
      await bobOnline();
      // Retry now skips the backoff (the page may also have come back on its own by then).
      await alice.page
        .getByRole('button', { name: 'Retry now' })
        .click({ timeout: 2000 })
        .catch(() => {});
      await banner().waitFor({ state: 'detached', timeout: 40_000 });
      await contact(alice, 'bob').locator('.dot[data-show="available"]').waitFor();
      // Only the refused connections while the server was down reached the console.
      const other = alice.errors.filter(
        (e) => !/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/.test(e),
      );
      expect(other).toEqual([]);
      bobLive.close();
    }, 90_000);
  },
);
