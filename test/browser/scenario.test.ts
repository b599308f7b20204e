import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  chatMenu,
  contact,
  menu,
  messages,
  newChat,
  PASSWORD,
  refused,
  request,
  say,
  setPresence,
  showContacts,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * The web client issue's acceptance scenario, start to end, in one story:
 * two people sign up in separate browsers, find each other, request and
 * approve, see presence (and a status text) change, chat with typing and read
 * marks; one goes offline and gets the waiting messages on return; an XSS
 * attempt stays text; one blocks the other; then a room with three members, a
 * kick and a ban. Each step is checked on screen and, where data changes, on
 * the server.
 */
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

describe.skipIf(!HAVE_CHROMIUM)(
  `the whole story in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;
    let carol: Person;
    const as = async (u: string): Promise<ParleyClient> => {
      const c = world.node.client();
      await c.login(u, PASSWORD, 'test script');
      return c;
    };
    const msg = (p: Person, text: string) => messages(p).filter({ hasText: text });
    const member = (p: Person, who: string) => p.page.locator(`[data-member="${who}"]`);
    async function moderate(p: Person, who: string, action: string) {
      await member(p, who)
        .getByRole('button', { name: new RegExp(`^${who}\\b`) })
        .click();
      await p.page
        .getByRole('menu', { name: `Actions for ${who}` })
        .getByRole('menuitem', { name: action, exact: true })
        .click();
    }

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      bob = await world.person();
      carol = await world.person();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('two people sign up and find each other', async () => {
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      await newChat(bob, 'Find people');
      await bob.page.getByLabel('Username starts with').fill('ali');
      await bob.page.getByRole('button', { name: 'Search', exact: true }).click();
      const card = bob.page.locator('[data-person="alice"]');
      await card.getByRole('button', { name: 'Add contact: alice' }).click();
      await card.getByLabel('Note to alice (optional)').fill('Bob, from next door');
      await card.getByRole('button', { name: 'Send request' }).click();
      await card.getByText('Request pending').waitFor();
    }, 60_000);

    it('the request is approved; presence and a status text reach the other', async () => {
      const asked = await request(alice, 'bob');
      await asked.getByText('Bob, from next door').waitFor();
      await asked.getByRole('button', { name: 'Approve' }).click();
      await showContacts(bob);
      await contact(bob, 'alice').first().locator('.dot[data-show="available"]').waitFor();
      await contact(alice, 'bob').first().locator('.dot[data-show="available"]').waitFor();

      await setPresence(alice, 'away', 'In the garden');
      const seen = contact(bob, 'alice').first();
      await seen.locator('.dot[data-show="away"]').waitFor();
      await seen.locator('.status').filter({ hasText: 'In the garden' }).waitFor();
      const p = (await (await as('bob')).presence()).find((x) => x.username === 'alice');
      expect(p).toMatchObject({ show: 'away', status: 'In the garden' });

      await setPresence(alice, 'available', '');
      await seen.locator('.dot[data-show="available"]').waitFor();
      await expect.poll(() => seen.locator('.status').textContent()).toBe('Online');
    }, 60_000);

    it('they chat, with typing and read marks', async () => {
      await contact(alice, 'bob').first().getByRole('button').first().click();
      await contact(bob, 'alice').first().getByRole('button').first().click();
      const box = bob.page.getByLabel(/^Message to/);
      await box.fill('Hi Al');
      await alice.page.locator('.typing').filter({ hasText: 'is typing…' }).waitFor();
      await box.fill('Hi Alice, lovely roses!');
      await box.press('Enter');
      await msg(alice, 'lovely roses').waitFor();
      // Alice has the conversation on screen: her client reads it, bob sees it read.
      await msg(bob, 'lovely roses').locator('[data-tick="read"]').waitFor();
      await say(alice, 'Thank you!');
      await msg(bob, 'Thank you!').waitFor();
      await expect.poll(() => alice.page.locator('.typing').textContent()).toBe('');
    }, 60_000);

    it('bob goes offline; the messages waiting for him arrive when he returns', async () => {
      await menu(bob, 'Sign out');
      await bob.page.getByRole('button', { name: 'Sign in' }).waitFor();
      await contact(alice, 'bob').first().locator('.dot[data-show="offline"]').waitFor();
      for (const t of ['While you were out: one', 'two', 'three']) await say(alice, t);
      await msg(alice, 'three').waitFor();
      await expect.poll(() => msg(alice, 'three').getAttribute('data-pending')).toBeNull();

      await bob.page.getByLabel('Username').fill('bob');
      await bob.page.getByLabel('Password').fill(PASSWORD);
      await bob.page.getByRole('button', { name: 'Sign in' }).click();
      const chat = bob.page.locator('[data-chat="alice"]');
      await chat.getByLabel('3 unread').waitFor();
      await chat.getByRole('button').first().click();
      for (const t of ['While you were out: one', 'two', 'three']) await msg(bob, t).waitFor();
      expect(await msg(bob, 'While you were out').count()).toBe(1);
      await expect.poll(() => bob.page.title()).toBe('Parley');
    }, 60_000);

    it('an XSS attempt in a message is shown as text and runs nothing', async () => {
      await say(alice, XSS);
      const hostile = msg(bob, '<script>');
      await hostile.waitFor();
      expect(await hostile.locator('.text').textContent()).toBe(XSS);
      expect(await bob.page.locator('.messages img, .messages script').count()).toBe(0);
      await bob.page.waitForTimeout(300);
      expect(bob.dialogs).toEqual([]);
    }, 60_000);

    it('bob blocks alice: she sees him offline and her messages do not reach him', async () => {
      await chatMenu(bob, 'Block alice');
      await bob.page
        .getByRole('group', { name: 'Block alice?' })
        .getByRole('button', { name: 'Block', exact: true })
        .click();
      await bob.page.getByRole('button', { name: 'Unblock to write' }).waitFor();
      await contact(alice, 'bob').first().locator('.dot[data-show="offline"]').waitFor();
      await say(alice, 'Did I upset you?');
      await expect
        .poll(() => msg(alice, 'Did I upset you?').getAttribute('data-pending'))
        .toBeNull();
      await bob.page.waitForTimeout(500);
      expect(await msg(bob, 'Did I upset you?').count()).toBe(0);
      const his = await (await as('bob')).history('alice', { limit: 100 });
      expect(his.messages.map((m) => m.text)).not.toContain('Did I upset you?');
    }, 60_000);

    it('a room with three members, a kick and a ban', async () => {
      await world.signUp(carol, 'carol');
      await newChat(alice, 'Create or browse rooms');
      await alice.page.getByLabel('Room name').fill('#garden');
      await alice.page.getByLabel('Topic (optional)').fill('Roses and weeds');
      await alice.page.getByRole('button', { name: 'Create room', exact: true }).click();
      await alice.page.getByTestId('topic').filter({ hasText: 'Roses and weeds' }).waitFor();
      for (const p of [bob, carol]) {
        await newChat(p, 'Create or browse rooms');
        await p.page
          .locator('[data-directory-room="garden"]')
          .getByRole('button', { name: 'Join #garden' })
          .click();
        await p.page.getByTestId('topic').filter({ hasText: 'Roses and weeds' }).waitFor();
      }
      for (const who of ['alice', 'bob', 'carol']) await member(alice, who).waitFor();
      await say(carol, 'BUY CHEAP ROSES http://spam.example');
      await msg(bob, 'BUY CHEAP ROSES').waitFor();

      await moderate(alice, 'carol', 'Kick…');
      await alice.page.getByLabel('Reason (optional, others see it)').fill('No adverts');
      await alice.page.getByRole('button', { name: 'Kick carol' }).click();
      await carol.page.getByRole('alert').filter({ hasText: 'removed you from #garden' }).waitFor();
      await member(bob, 'carol').waitFor({ state: 'detached' });

      await newChat(carol, 'Create or browse rooms');
      await carol.page
        .locator('[data-directory-room="garden"]')
        .getByRole('button', { name: 'Join #garden' })
        .click();
      await member(alice, 'carol').waitFor();
      await moderate(alice, 'carol', 'Ban…');
      await alice.page.getByLabel('Reason (optional, others see it)').fill('Adverts again');
      await alice.page.getByRole('button', { name: 'Ban carol' }).click();
      await carol.page.getByRole('alert').filter({ hasText: 'banned you from #garden' }).waitFor();

      await newChat(carol, 'Create or browse rooms');
      await carol.page
        .locator('[data-directory-room="garden"]')
        .getByRole('button', { name: 'Join #garden' })
        .click();
      await carol.page
        .getByRole('alert')
        .filter({ hasText: 'you are banned from #garden' })
        .waitFor();
      refused(carol, 403);
      const members = (await (await as('alice')).rooms.members('garden')).members;
      expect(members.map((m) => m.username).sort()).toEqual(['alice', 'bob']);
      await say(alice, 'Peace at last');
      // Bob still blocks alice (above): in the room her message is there, folded.
      const folded = msg(bob, 'A message from someone you blocked.');
      await folded.last().waitFor();
      await folded.last().getByRole('button', { name: 'Show it' }).click();
      await msg(bob, 'Peace at last').waitFor();
    }, 90_000);

    it('nobody had a page error, a CSP violation or a dialog', () => {
      for (const p of [alice, bob, carol]) {
        expect(p.errors).toEqual([]);
        expect(p.dialogs).toEqual([]);
      }
    });
  },
);
