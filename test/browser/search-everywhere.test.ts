import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  said,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Search (issue 15, bug 19): a word finds the words it begins ("go" finds
 * "going"), and one search covers every conversation and room at once; a result
 * opens its chat at the message.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `search in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      const bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.sendMessage('alice', 'I am going home now', 'g-1');
      const carol = world.node.client();
      await carol.register('carol', PASSWORD);
      await carol.sendMessage('alice', 'Hello from carol', 'c-1');
      await bob.rooms.create('#garden', { visibility: 'public' });
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'test script');
      await a.rooms.join('#garden');
      await bob.rooms.send('#garden', 'Gorgeous roses today', 'r-1');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('"go" finds "going" and "Gorgeous" in other chats; a result opens its chat', async () => {
      const page = alice.page;
      await page.locator('[data-chat="carol"]').getByRole('button').click();
      await said(alice, 'Hello from carol').waitFor();
      await page.getByRole('button', { name: 'Search in conversation' }).click();
      await page.getByRole('searchbox', { name: 'Search messages' }).fill('go');
      // Only this conversation: nothing.
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await page.getByText('No messages found for “go”.').waitFor();
      await page.getByLabel('All chats').check();
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      const results = page.getByRole('list', { name: 'Search results' }).locator('li');
      await expect.poll(() => results.count()).toBe(2);
      const texts = await results.allTextContents();
      expect(texts.some((t) => t.includes('with bob') && t.includes('going'))).toBe(true);
      expect(texts.some((t) => t.includes('in #garden') && t.includes('Gorgeous'))).toBe(true);
      await results.filter({ hasText: 'with bob' }).getByRole('button').click();
      await said(alice, 'I am going home now').waitFor();
      expect(new URL(page.url()).pathname).toBe('/chat/bob');
      expectConsole(alice, []);
    }, 60_000);
  },
);
