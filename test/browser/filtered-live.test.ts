import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import { PASSWORD, expectConsole, startWorld, type BrowserWorld, type Person } from './harness.js';

/**
 * The Filtered folder's counter moves live (issue 15, bug 11): a message held by
 * my keyword filters shows at once (the page's own re-read is every 30 s, so
 * a wait of 10 s needs the event), and clearing it on another device takes it off.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `the filtered folder's live count${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let aliceSdk: ParleyClient;
    let bob: ParleyClient;

    /** The count on the sidebar's menu button (none when nothing is filtered). */
    const count = () => alice.page.getByTestId('filtered-badge');

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      aliceSdk = world.node.client();
      await aliceSdk.login('alice', PASSWORD, 'test script');
      await aliceSdk.addFilter('lottery');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a held message counts at once; one cleared elsewhere goes at once', async () => {
      await alice.page.getByTestId('me').waitFor();
      await expect.poll(() => count().count()).toBe(0);
      const held = await bob.sendMessage('alice', 'You won the lottery!', 'l-1');
      await expect.poll(() => count().textContent(), { timeout: 10_000 }).toBe('1');
      await bob.sendMessage('alice', 'Lottery, second chance', 'l-2');
      await expect.poll(() => count().textContent(), { timeout: 10_000 }).toBe('2');

      // Open on this device, cleared on another: the list and the count follow.
      // The menu says it too.
      await alice.page.getByRole('button', { name: 'Menu, 2 filtered' }).click();
      await alice.page.getByRole('menuitem', { name: 'Filtered messages 2' }).click();
      await alice.page.getByText('You won the lottery!').waitFor();
      await aliceSdk.clearFiltered(held.message.id);
      await alice.page.getByText('You won the lottery!').waitFor({ state: 'detached' });
      await expect.poll(() => count().textContent(), { timeout: 10_000 }).toBe('1');
      // A new one arrives while the folder is open: it shows in the list too.
      await bob.sendMessage('alice', 'Last lottery call', 'l-3');
      await alice.page.getByText('Last lottery call').waitFor({ timeout: 10_000 });
      await expect.poll(() => count().textContent(), { timeout: 10_000 }).toBe('2');
      expectConsole(alice, []);
    }, 60_000);
  },
);
