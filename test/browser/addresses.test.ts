import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  menu,
  said,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Every chat has an address (issue 15, bug 12): opening one changes the URL, a
 * reload keeps the chat open, Back and Forward move between chats, and a link
 * to a chat opens it, after the sign-in when needed.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `addresses in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    const path = (p: Person) => new URL(p.page.url()).pathname;
    const heading = (p: Person) => p.page.locator('.conversation h2');

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      const bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.sendMessage('alice', 'Hello from bob', 'h-1');
      await bob.rooms.create('#garden', { visibility: 'public' });
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'test script');
      await a.rooms.join('#garden');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('opening a chat gives it an address that a reload keeps', async () => {
      await alice.page.locator('[data-chat="bob"]').getByRole('button').click();
      await said(alice, 'Hello from bob').waitFor();
      expect(path(alice)).toBe('/chat/bob');
      await alice.page.reload();
      await said(alice, 'Hello from bob').waitFor();
      expect(path(alice)).toBe('/chat/bob');
    }, 60_000);

    it('Back and Forward move between the chats opened', async () => {
      await alice.page.locator('[data-room="garden"]').getByRole('button').first().click();
      await heading(alice).filter({ hasText: '#garden' }).waitFor();
      expect(path(alice)).toBe('/room/garden');
      await alice.page.goBack();
      await said(alice, 'Hello from bob').waitFor();
      expect(path(alice)).toBe('/chat/bob');
      await alice.page.goForward();
      await heading(alice).filter({ hasText: '#garden' }).waitFor();
      await alice.page.goBack();
      await alice.page.goBack();
      await alice.page.getByRole('heading', { name: 'No chat open' }).waitFor();
      expect(path(alice)).toBe('/');
    }, 60_000);

    it('a link opens its chat, after signing in on a new device', async () => {
      const other = await world.person();
      await other.page.goto(`${world.node.url}/room/garden`);
      await other.page.getByLabel('Username').fill('alice');
      await other.page.getByLabel('Password').fill(PASSWORD);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await heading(other).filter({ hasText: '#garden' }).waitFor();
      expect(path(other)).toBe('/room/garden');
      // A settings pane has one too.
      await menu(other, 'Settings');
      await expect.poll(() => path(other)).toBe('/p/settings');
      await other.page.reload();
      await other.page.getByLabel('Display name').waitFor();
      expectConsole(alice, []);
      expectConsole(other, []);
    }, 60_000);
  },
);
