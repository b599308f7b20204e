import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  addContact,
  approve,
  chatRow,
  contact,
  menu,
  messages,
  newChat,
  openChat,
  request,
  setPresence,
  showChats,
  said,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * The web client in a real browser: two people sign up in separate browser
 * contexts, become contacts, see each other online and chat; hostile text stays
 * text; a dropped connection catches up from the cursor; history pages on demand.
 *
 * Screenshots go to a temp dir; PARLEY_SCREENSHOTS=docs/screenshots writes the
 * ones the README shows.
 */
const XSS = '<img src=x onerror=alert(1)> <script>alert(2)</script>';

describe.skipIf(!HAVE_CHROMIUM)(
  `web client in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let node: BrowserWorld['node'];
    let alice: Person;
    let bob: Person;
    const person = () => world.person();
    const signUp = (p: Person, u: string) => world.signUp(p, u);
    const shot = (p: Person, name: string) => world.shot(p, name);

    beforeAll(async () => {
      world = await startWorld();
      node = world.node;
      alice = await person();
      bob = await person();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('signs up two people in separate browsers', async () => {
      await alice.page.goto(node.url);
      await alice.page.getByLabel('Username').waitFor();
      await shot(alice, 'sign-in');
      await signUp(alice, 'alice');
      await signUp(bob, 'bob');
      await alice.page.getByText('No chats yet').waitFor();
      await shot(alice, 'chats-empty');
    }, 60_000);

    it('a contact request with a note is approved, and both see each other online', async () => {
      await addContact(alice, 'bob', 'Hi Bob, it is Alice from the book club');
      // Sent, the sidebar shows the contacts, the new one waiting.
      await contact(alice, 'bob').getByText('Waiting for approval').waitFor();

      // Bob's chat list has a highlighted row for the request; it opens his contacts.
      await bob.page.getByRole('button', { name: /^Contact requests/ }).click();
      const asked = await request(bob, 'alice');
      await asked.getByText('Hi Bob, it is Alice from the book club').waitFor();
      await shot(bob, 'contact-request');
      await approve(bob, 'alice');

      await contact(alice, 'bob').locator('.dot[data-show="available"]').waitFor();
      await contact(bob, 'alice').locator('.dot[data-show="available"]').waitFor();
      expect(await contact(alice, 'bob').locator('.status').textContent()).toBe('Online');
    }, 60_000);

    it('they chat: messages arrive live, Shift+Enter makes a new line', async () => {
      await contact(bob, 'alice').getByRole('button').click();
      await bob.page.getByText('No messages yet').waitFor();
      await openChat(alice, 'bob');
      await say(alice, 'Hello Bob! Tea at five?');
      await messages(bob).filter({ hasText: 'Hello Bob! Tea at five?' }).waitFor();

      const box = bob.page.getByLabel(/^Message to/);
      const typing = alice.page.locator('.typing');
      await box.fill('Ye');
      await typing.filter({ hasText: 'bob is typing…' }).waitFor();
      await box.fill('');
      await expect.poll(() => typing.textContent()).toBe('');
      await box.fill('Yes!');
      await typing.filter({ hasText: 'bob is typing…' }).waitFor();
      await box.press('Shift+Enter');
      await box.pressSequentially('See you there.');
      expect(await box.inputValue()).toBe('Yes!\nSee you there.');
      await box.press('Enter');
      const reply = messages(alice).filter({ hasText: 'See you there.' });
      await reply.waitFor();
      expect(await reply.locator('.text').textContent()).toBe('Yes!\nSee you there.');
      expect(await box.inputValue()).toBe('');
      await expect.poll(() => typing.textContent()).toBe('');
    }, 60_000);

    it('markup is shown as text and runs nothing; only http(s) links are links', async () => {
      await say(alice, XSS);
      const hostile = messages(bob).filter({ hasText: '<script>' });
      await hostile.waitFor();
      expect(await hostile.locator('.text').textContent()).toBe(XSS);
      expect(await bob.page.locator('.messages img, .messages script').count()).toBe(0);

      await say(alice, 'Menu: https://example.com/tea?x=1. Not this: javascript:alert(3)');
      const linked = messages(bob).filter({ hasText: 'Menu:' });
      await linked.waitFor();
      const links = linked.locator('a');
      expect(await links.count()).toBe(1);
      expect(await links.getAttribute('href')).toBe('https://example.com/tea?x=1');
      expect(await links.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await links.getAttribute('target')).toBe('_blank');

      // Give a handler that slipped through a moment to fire.
      await bob.page.waitForTimeout(300);
      expect(bob.dialogs).toEqual([]);
      expect(alice.dialogs).toEqual([]);
      await shot(bob, 'conversation');
      await bob.page.emulateMedia({ colorScheme: 'dark' });
      await shot(bob, 'conversation-dark');
      await bob.page.emulateMedia({ colorScheme: 'light' });
      await bob.page.setViewportSize({ width: 390, height: 780 });
      await shot(bob, 'conversation-phone');
      await bob.page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('my presence choice reaches my contacts; a denied request goes away', async () => {
      await setPresence(alice, 'away');
      await contact(bob, 'alice').locator('.dot[data-show="away"]').waitFor();
      expect(await contact(bob, 'alice').locator('.status').textContent()).toBe('Away');
      // The chat row shows the same dot.
      await setPresence(alice, 'available');
      await contact(bob, 'alice').locator('.dot[data-show="available"]').waitFor();

      const carol = await person();
      await signUp(carol, 'carol');
      await addContact(carol, 'bob');
      const asked = await request(bob, 'carol');
      await asked.getByRole('button', { name: 'Deny' }).click();
      await asked.waitFor({ state: 'detached' });
      await contact(carol, 'bob').getByText('Presence not shared').waitFor();
      expect(await contact(bob, 'carol').count()).toBe(0);
      expect(carol.errors).toEqual([]);
      await carol.page.context().close();
    }, 60_000);

    it('rooms: create with a topic, find it in the directory, join, see members, chat live', async () => {
      await newChat(alice, 'Create or browse rooms');
      await alice.page.getByLabel('Room name').fill('#tea');
      await alice.page.getByLabel('Topic (optional)').fill('Tea time at five');
      await alice.page.getByRole('button', { name: 'Create room', exact: true }).click();
      await alice.page.getByTestId('topic').filter({ hasText: 'Tea time at five' }).waitFor();
      await alice.page.locator('[data-member="alice"]').waitFor();

      await newChat(bob, 'Create or browse rooms');
      const listed = bob.page.locator('[data-directory-room="tea"]');
      await listed.getByText('Tea time at five').waitFor();
      await listed.getByRole('button', { name: 'Join #tea' }).click();
      await bob.page.getByTestId('topic').filter({ hasText: 'Tea time at five' }).waitFor();
      await bob.page.locator('[data-member="alice"]').waitFor();
      await bob.page.locator('[data-member="bob"]').waitFor();
      await alice.page.locator('[data-member="bob"]').waitFor();
      await showChats(bob);
      await bob.page.locator('.chats [data-room="tea"]').waitFor();

      await say(alice, 'Welcome to #tea');
      await messages(bob).filter({ hasText: 'Welcome to #tea' }).waitFor();
      await say(bob, 'Thanks! <b>not bold</b>');
      const reply = messages(alice).filter({ hasText: 'Thanks!' });
      await reply.waitFor();
      expect(await reply.locator('.text').textContent()).toBe('Thanks! <b>not bold</b>');
      expect(await alice.page.locator('.messages b').count()).toBe(0);
      await shot(bob, 'room');
      await bob.page.setViewportSize({ width: 390, height: 780 });
      await shot(bob, 'room-phone');
      await bob.page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('after a dropped connection, the client reconnects and catches up from its cursors', async () => {
      await openChat(alice, 'bob');
      const sdk = node.client();
      await sdk.login('alice', PASSWORD, 'test script');
      // Every WebSocket closes (1001); these are sent before the browsers can be back.
      node.parley.http.ws.closeAll(1001, 'test: network drop');
      await sdk.sendMessage('bob', 'Sent while you were away', 'away-1');
      await sdk.rooms.send('tea', 'Said in #tea while you were away', 'away-2');
      // Bob is looking at #tea: the room message shows there, the direct one as unread.
      await messages(bob).filter({ hasText: 'Said in #tea while you were away' }).waitFor();
      await chatRow(bob, 'alice').getByLabel('1 unread').waitFor();
      await chatRow(bob, 'alice').getByRole('button').click();
      await messages(bob).filter({ hasText: 'Sent while you were away' }).waitFor();
      await messages(alice).filter({ hasText: 'Sent while you were away' }).waitFor();
      expect(await messages(bob).filter({ hasText: 'Sent while you were away' }).count()).toBe(1);
      await chatRow(alice, 'bob').locator('.dot[data-show="available"]').waitFor();
    }, 60_000);

    it('keeps the session across a reload and loads older history on scroll up', async () => {
      const sdk = node.client();
      await sdk.login('alice', PASSWORD, 'test script');
      for (let i = 1; i <= 40; i++) await sdk.sendMessage('bob', `Numbered ${i}`, `n-${i}`);
      await bob.page.reload();
      await bob.page.getByTestId('me').filter({ hasText: 'bob' }).waitFor();
      await chatRow(bob, 'alice').getByRole('button').click();
      await said(bob, 'Numbered 40').waitFor();
      expect(await messages(bob).count()).toBe(30);
      await bob.page.locator('.messages').evaluate((el) => (el.scrollTop = 0));
      await messages(bob).filter({ hasText: 'Hello Bob! Tea at five?' }).waitFor();
      expect(await messages(bob).count()).toBe(45);
    }, 60_000);

    it('signs out, and no page error or CSP violation happened', async () => {
      await menu(bob, 'Sign out');
      await bob.page.getByRole('button', { name: 'Sign in' }).waitFor();
      // Runs in the page, where localStorage exists (this file is type-checked for Node).
      const token = await bob.page.evaluate(() =>
        (
          globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
        ).localStorage.getItem('parley.token'),
      );
      expect(token).toBeNull();
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    }, 60_000);
  },
);
