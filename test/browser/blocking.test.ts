import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  messages,
  openChat,
  chatMenu,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Blocking in the web client (issue 15, bug 14): whoever blocks must unblock to
 * write, and the page says why instead of a composer; a message the blocker
 * never saw never shows "Read" to its sender, even after the block ends.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `blocking in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;

    const tick = (p: Person, text: string) =>
      messages(p).filter({ hasText: text }).locator('.tick').getAttribute('data-tick');

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      bob = await world.person();
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'test script');
      const b = world.node.client();
      await b.login('bob', PASSWORD, 'test script');
      await a.requestContact('bob');
      await b.approveContact('alice');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('alice blocks bob: no composer, the reason and a way back instead', async () => {
      await openChat(alice, 'bob');
      await say(alice, 'Hi bob');
      await openChat(bob, 'alice');
      await messages(bob).filter({ hasText: 'Hi bob' }).waitFor();

      await chatMenu(alice, 'Block bob');
      await alice.page
        .getByRole('group', { name: 'Block bob?' })
        .getByRole('button', { name: 'Block', exact: true })
        .click();
      const why = alice.page.getByRole('note').filter({ hasText: 'You blocked bob' });
      await why.waitFor();
      expect(await alice.page.getByLabel(/^Message to/).count()).toBe(0);
      // The server refuses too, in words.
      const sdk = world.node.client();
      await sdk.login('alice', PASSWORD, 'test script');
      await expect(sdk.sendMessage('bob', 'sneaky', 'x-1')).rejects.toThrow(
        'you blocked bob; unblock them first',
      );
      await world.shot(alice, 'blocked-composer');

      // Bob writes meanwhile; it never reaches alice.
      await say(bob, 'Are you there?');
      const sent = messages(bob).filter({ hasText: 'Are you there?' });
      await expect.poll(() => sent.getAttribute('data-pending')).toBeNull();
    }, 60_000);

    it('unblocked, alice writes again; his message from the block never reads "Read"', async () => {
      await alice.page.getByRole('button', { name: 'Unblock to write' }).click();
      const box = alice.page.getByLabel(/^Message to/);
      await box.waitFor();
      await say(bob, 'Back?');
      await messages(alice).filter({ hasText: 'Back?' }).waitFor();
      await say(alice, 'Yes, back');
      await messages(bob).filter({ hasText: 'Yes, back' }).waitFor();
      // Alice has read "Back?" (her conversation is open and in front): bob sees it read,
      // and the message she never saw stays merely sent.
      await expect.poll(() => tick(bob, 'Back?'), { timeout: 10_000 }).toBe('read');
      expect(await tick(bob, 'Are you there?')).toBe('sent');
      expect(await messages(alice).filter({ hasText: 'Are you there?' }).count()).toBe(0);
      // After a reload too (the markers say so, not only the live receipt).
      await bob.page.reload();
      await openChat(bob, 'alice');
      await expect.poll(() => tick(bob, 'Back?'), { timeout: 10_000 }).toBe('read');
      expect(await tick(bob, 'Are you there?')).toBe('sent');
      expectConsole(alice, []);
      expectConsole(bob, []);
    }, 60_000);
  },
);
