import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  chatRow,
  contact,
  expectConsole,
  myPresence,
  newChat,
  refusal,
  roomRow,
  said,
  setPresence,
  showChats,
  showContacts,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * The sidebar as a messenger's conversation list (issue 15, "Make it a
 * messenger"): one row per chat, direct chats and rooms together; a filter at
 * the top; "New chat" instead of permanent forms; the contacts in their own
 * view with the requests; my status in a popover that the server keeps; on a
 * phone the list first, the chat alone, Back to the list.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `the sidebar in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let aliceSdk: ParleyClient;
    let bob: ParleyClient;
    let carol: ParleyClient;
    const path = (p: Person) => new URL(p.page.url()).pathname;
    const filter = (p: Person) =>
      p.page.getByRole('searchbox', { name: 'Search chats and contacts' });
    /** What the chat list shows, top to bottom, as `dm:name` / `room:name`. */
    const rows = (p: Person) =>
      p.page
        .locator('.chats li[data-chat], .chats li[data-room]')
        .evaluateAll((lis) =>
          lis.map((li) =>
            li.hasAttribute('data-chat')
              ? `dm:${li.getAttribute('data-chat')}`
              : `room:${li.getAttribute('data-room')}`,
          ),
        );

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.updateProfile({ displayName: 'Bob Builder' });
      carol = world.node.client();
      await carol.register('carol', PASSWORD);
      await carol.updateProfile({ displayName: 'Carol Danvers' });
      const dave = world.node.client();
      await dave.register('dave', PASSWORD);
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a new person sees a designed empty list that offers a way to start', async () => {
      await world.signUp(alice, 'alice');
      aliceSdk = world.node.client();
      await aliceSdk.login('alice', PASSWORD, 'test script');
      const empty = alice.page.locator('.list-empty');
      await empty.getByText('No chats yet', { exact: true }).waitFor();
      await empty.getByRole('button', { name: 'Add a contact' }).waitFor();
      await empty.getByRole('button', { name: 'Find people' }).click();
      await alice.page.waitForURL(/\/p\/people$/);
      // No form is on the screen until asked for.
      expect(await alice.page.getByLabel('Their username').count()).toBe(0);
      await world.shot(alice, 'chats-empty');
    }, 60_000);

    it('"New chat" opens Add a contact; a refusal stays in the dialog; a request goes out', async () => {
      await newChat(alice, 'Add a contact');
      const dialog = alice.page.getByRole('dialog', { name: 'Add a contact' });
      // The focus is in the dialog, on its first field.
      await expect
        .poll(() => alice.page.evaluate(() => document.activeElement?.id))
        .toBe('add-username');
      await world.shot(alice, 'add-contact');
      const name = dialog.getByLabel('Their username');
      // Hostile and wrong input: shown as text, the dialog stays open with what was typed.
      await name.fill('<img src=x onerror=alert(1)>');
      await dialog.getByRole('button', { name: 'Send request' }).click();
      await dialog.getByRole('alert').waitFor();
      expect(await name.inputValue()).toBe('<img src=x onerror=alert(1)>');
      expect(await dialog.locator('img').count()).toBe(0);
      await name.fill('nobody-here');
      await dialog.getByRole('button', { name: 'Send request' }).click();
      await dialog
        .getByRole('alert')
        .filter({ hasText: 'No one here is called “nobody-here”' })
        .waitFor();
      // Escape closes it and nothing was sent.
      await alice.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect((await aliceSdk.contacts()).filter((c) => c.inRoster)).toEqual([]);

      await newChat(alice, 'Add a contact');
      await dialog.getByLabel('Their username').fill('bob');
      await dialog.getByLabel('Note (optional)').fill('Alice from the garden');
      await dialog.getByRole('button', { name: 'Send request' }).click();
      await dialog.waitFor({ state: 'detached' });
      // The contacts view shows him, waiting; the server has the request.
      await alice.page.locator('.contacts-view').getByText('Request sent to bob.').waitFor();
      await contact(alice, 'bob').getByText('Waiting for approval').waitFor();
      const mine = await aliceSdk.contacts();
      expect(mine.find((c) => c.username === 'bob')).toMatchObject({ ask: true, inRoster: true });
      await bob.approveContact('alice');
      await contact(alice, 'bob')
        .locator('.status')
        .filter({ hasText: /Offline|Online|Last seen/ })
        .waitFor();
    }, 60_000);

    it('requests are a highlighted row atop the list, with their count; they open the contacts', async () => {
      await showChats(alice);
      await carol.requestContact('alice', 'Carol here');
      const row = alice.page.getByRole('button', { name: /^Contact requests/ });
      await row.locator('.badge').filter({ hasText: /^1$/ }).waitFor();
      // The Contacts button says it too.
      await alice.page
        .locator('.side-head')
        .getByRole('button', { name: 'Contacts, 1 waiting' })
        .waitFor();
      await world.shot(alice, 'chats-request');
      await row.click();
      const asked = alice.page.locator('[data-request="carol"]');
      await asked.getByText('Carol here').waitFor();
      await world.shot(alice, 'contacts');
      await asked.getByRole('button', { name: 'Approve' }).click();
      await asked.waitFor({ state: 'detached' });
      await showChats(alice);
      await row.waitFor({ state: 'detached' });
    }, 60_000);

    it('one row per chat: direct chats and rooms together by latest activity, a contact once', async () => {
      await bob.sendMessage('alice', 'Tea at five?', 'b1');
      await chatRow(alice, 'bob').getByText('Tea at five?').waitFor();
      await aliceSdk.rooms.create('garden', { topic: 'Roses' });
      await roomRow(alice, 'garden').waitFor();
      await aliceSdk.rooms.send('garden', 'Roses are out', 'g1');
      await roomRow(alice, 'garden').getByText('You: Roses are out').waitFor();
      await expect.poll(() => rows(alice)).toEqual(['room:garden', 'dm:bob']);
      // Bob is a contact with a chat: in the whole sidebar, one row (carol, a contact
      // without a chat, is in the contacts view, not in the chat list).
      expect(
        await alice.page.locator('.side [data-chat="bob"], .side [data-contact="bob"]').count(),
      ).toBe(1);
      expect(await alice.page.locator('.side [data-chat="carol"]').count()).toBe(0);
      const bobRow = chatRow(alice, 'bob');
      // His name (not his username), the unread count, the time, his presence.
      await bobRow.getByText('Bob Builder').waitFor();
      await bobRow.getByLabel('1 unread').waitFor();
      expect(await bobRow.locator('time').getAttribute('title')).toContain(
        String(new Date().getFullYear()),
      );
      await bobRow.locator('.dot').waitFor();
      // A new message moves his chat to the top.
      await bob.sendMessage('alice', 'Or at six', 'b2');
      await expect.poll(() => rows(alice)).toEqual(['dm:bob', 'room:garden']);
      await bobRow.getByLabel('2 unread').waitFor();
      // The list beside an open room: its row marked, bob's unread still counted.
      await roomRow(alice, 'garden').getByRole('button').click();
      await roomRow(alice, 'garden').locator('[aria-current="true"]').waitFor();
      await world.shot(alice, 'chats');
      await alice.page.emulateMedia({ colorScheme: 'dark' });
      await world.shot(alice, 'chats-dark');
      await alice.page.emulateMedia({ colorScheme: 'light' });
    }, 60_000);

    it('the filter narrows the list as one types; Enter opens the first; Escape clears', async () => {
      const box = filter(alice);
      await box.fill('gard');
      await expect.poll(() => rows(alice)).toEqual(['room:garden']);
      await box.fill('Builder');
      await expect.poll(() => rows(alice)).toEqual(['dm:bob']);
      // A contact without a chat is found too, under "Contacts".
      await box.fill('danv');
      await expect.poll(() => rows(alice)).toEqual(['dm:carol']);
      await alice.page.locator('.chats').getByRole('heading', { name: 'Contacts' }).waitFor();
      await world.shot(alice, 'chats-filter');
      // Hostile and odd input: no match, said as text; nothing runs.
      for (const q of ['<img src=x onerror=alert(1)>', '(*[\\', 'x'.repeat(300), '   ']) {
        await box.fill(q);
        if (q.trim())
          await alice.page
            .getByRole('status')
            .filter({ hasText: 'No chat or contact matches' })
            .waitFor();
      }
      expect(await alice.page.locator('.chats img').count()).toBe(0);
      // The field keeps 100 characters at most.
      await box.fill('y'.repeat(300));
      expect((await box.inputValue()).length).toBe(100);
      await box.fill('   ');
      await expect.poll(() => rows(alice)).toEqual(['dm:bob', 'room:garden']);

      await box.fill('bo');
      await box.press('Enter');
      await alice.page.waitForURL(/\/chat\/bob$/);
      await said(alice, 'Or at six').waitFor();
      // Opening ends the search: the whole list is back.
      expect(await box.inputValue()).toBe('');
      await expect.poll(() => rows(alice)).toEqual(['dm:bob', 'room:garden']);
      await box.fill('garden');
      await box.press('Escape');
      expect(await box.inputValue()).toBe('');
      // Down goes from the filter into the list, Down again to the next row.
      await box.press('ArrowDown');
      await expect
        .poll(() => alice.page.evaluate(() => document.activeElement?.closest('li')?.dataset.chat))
        .toBe('bob');
      await alice.page.keyboard.press('ArrowDown');
      await expect
        .poll(() => alice.page.evaluate(() => document.activeElement?.closest('li')?.dataset.room))
        .toBe('garden');
      expect(alice.dialogs).toEqual([]);
    }, 60_000);

    it('the status popover sets Away with a status; a reload keeps it', async () => {
      await setPresence(alice, 'away', 'At lunch');
      await expect.poll(() => myPresence(alice)).toEqual({ show: 'away', line: 'At lunch' });
      const seen = async () =>
        (await bob.presence()).find((p) => p.username === 'alice') ?? { show: '', status: '' };
      await expect
        .poll(seen, { timeout: 10_000 })
        .toMatchObject({ show: 'away', status: 'At lunch' });
      await alice.page.getByRole('button', { name: /At lunch.*Change your status/ }).click();
      await world.shot(alice, 'status-popover');
      await alice.page.keyboard.press('Escape');
      await alice.page.getByRole('dialog', { name: 'Your status' }).waitFor({ state: 'detached' });
      // Escape gave the focus back to the button that opened it.
      expect(await alice.page.evaluate(() => document.activeElement?.className)).toBe('me-button');

      await alice.page.reload();
      await alice.page.getByTestId('me').waitFor();
      await expect
        .poll(() => myPresence(alice), { timeout: 10_000 })
        .toEqual({
          show: 'away',
          line: 'At lunch',
        });
      expect(await seen()).toMatchObject({ show: 'away', status: 'At lunch' });
      // An over-long status is cut at the server's limit by the field itself.
      await setPresence(alice, 'available', 'z'.repeat(250));
      await expect.poll(async () => (await myPresence(alice)).line.length).toBe(200);
      await setPresence(alice, null, '');
      await expect.poll(() => myPresence(alice)).toEqual({ show: 'available', line: 'Available' });
    }, 60_000);

    it('the menu holds Settings, Preferences, Filtered messages and, set apart, Sign out', async () => {
      await alice.page.locator('.side-head').getByRole('button', { name: /^Menu/ }).click();
      const items = await alice.page.getByRole('menuitem').allTextContents();
      expect(items).toEqual(['Settings', 'Preferences', 'Filtered messages 0', 'Sign out']);
      await world.shot(alice, 'main-menu');
      await alice.page.keyboard.press('Escape');
      await newChat(alice, 'Create or browse rooms');
      await alice.page.waitForURL(/\/rooms$/);
    }, 60_000);

    it('at phone width: the list first, a chat alone, Back to the list', async () => {
      const page = await alice.page.context().newPage();
      const phone: Person = { page, dialogs: [], errors: [] };
      page.on('pageerror', (e) => phone.errors.push(String(e)));
      page.on('console', (m) => void (m.type() === 'error' && phone.errors.push(m.text())));
      await page.setViewportSize({ width: 390, height: 780 });
      await page.goto(world.node.url);
      await chatRow(phone, 'bob').waitFor();
      expect(await page.locator('main.main').isVisible()).toBe(false);
      const width = () => page.evaluate(() => document.documentElement.scrollWidth);
      expect(await width()).toBeLessThanOrEqual(390);
      await world.shot(phone, 'chats-phone');
      await chatRow(phone, 'bob').getByRole('button').click();
      await said(phone, 'Or at six').waitFor();
      expect(path(phone)).toBe('/chat/bob');
      expect(await page.locator('.side').isVisible()).toBe(false);
      // (The chat's own header and composer are the conversation pane's: looks.test.ts.)
      await world.shot(phone, 'chat-phone');
      await page.locator('.conv-head .back').click();
      await chatRow(phone, 'bob').waitFor();
      expect(await page.locator('main.main').isVisible()).toBe(false);
      expect(path(phone)).toBe('/');
      // The contacts view fits as well.
      await showContacts(phone);
      expect(await width()).toBeLessThanOrEqual(390);
      await world.shot(phone, 'contacts-phone');
      await page.close();
      expect(phone.errors).toEqual([]);
      // The two refused contact requests above (no one has either name).
      expectConsole(alice, [refusal('404 (Not Found)'), refusal('404 (Not Found)')]);
    }, 60_000);
  },
);
