import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { storeBackends } from '../helpers/backends.js';
import { startSingle } from '../helpers/server.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  contact,
  expectConsole,
  menu,
  messages,
  openChat,
  refusal,
  showContacts,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Account settings in the web client, on an invite-only server: signing up
 * with an invite code (and, on a closed server, no sign-up at all), signing
 * another device out, changing the password, and
 * keyword filters with the filtered folder. Checked on screen and on the server.
 */
const NEW_PASSWORD = 'a much better passphrase';

describe.skipIf(!HAVE_CHROMIUM)(
  `account settings in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let dave: Person;
    let phone: Person;
    let erin: ParleyClient;
    const invite = async () =>
      (await world.node.parley.core.accounts.createInvite({ uses: 1, expiresInSeconds: 3600 }))
        .code;
    const asDave = async (password = PASSWORD) => {
      const sdk = world.node.client();
      await sdk.login('dave', password, 'test script');
      return sdk;
    };
    async function signIn(p: Person, password: string) {
      await p.page.goto(world.node.url);
      await p.page.getByLabel('Username').fill('dave');
      await p.page.getByLabel('Password').fill(password);
      await p.page.getByRole('button', { name: 'Sign in' }).click();
    }

    /** On the sign-in page of whatever server the page shows. */
    async function signInAndOut(p: Person, username: string) {
      await p.page.getByLabel('Username').fill(username);
      await p.page.getByLabel('Password').fill(PASSWORD);
      await p.page.getByRole('button', { name: 'Sign in' }).click();
      await p.page.getByTestId('me').filter({ hasText: username }).waitFor();
      await menu(p, 'Sign out');
      await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    }
    /** Leaves a short-lived server's page before stopping it (the page asks it about itself). */
    async function leave(p: Person, node: { dispose(): Promise<void> }) {
      await p.page.goto('about:blank');
      await node.dispose();
    }

    beforeAll(async () => {
      world = await startWorld({ registration: { policy: 'invite' } });
      dave = await world.person();
      phone = await world.person();
      erin = world.node.client();
      await erin.register('erin', PASSWORD, { invite: await invite() });
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('sign-up asks for an invite code; a bad one is refused clearly, a good one works', async () => {
      const page = dave.page;
      await page.goto(world.node.url);
      // The server said so before anyone tried: the field is there at once.
      await page.getByText('This server needs an invite code to sign up').waitFor();
      await page.getByLabel('Invite code').waitFor();
      expect(await page.getByRole('button', { name: 'I have an invite code' }).count()).toBe(0);
      await page.getByLabel('Username').fill('dave');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('alert').filter({ hasText: 'needs an invite code' }).waitFor();
      await page.getByLabel('Invite code').fill('not-a-real-code');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('alert').filter({ hasText: 'unknown, used up or expired' }).waitFor();
      await world.shot(dave, 'sign-up-invite');
      await expect(world.node.client().login('dave', PASSWORD)).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });

      await page.getByLabel('Invite code').fill(await invite());
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByTestId('me').filter({ hasText: 'dave' }).waitFor();
      expect((await (await asDave()).me()).user.username).toBe('dave');
    }, 60_000);

    it("on a closed server there is no Sign up, and the operator's accounts sign in", async () => {
      const closed = await startSingle(storeBackends()[0]!, { registration: { policy: 'closed' } });
      try {
        await closed.parley.core.accounts.adminAdd('olga', PASSWORD);
        const page = phone.page;
        await page.goto(closed.url);
        await page.getByText('This server does not take new sign-ups').waitFor();
        expect(await page.getByRole('button', { name: 'Sign up' }).count()).toBe(0);
        expect(await page.getByLabel('Invite code').count()).toBe(0);
        await signInAndOut(phone, 'olga');
      } finally {
        await leave(phone, closed);
      }
    }, 60_000);

    it('an open server that took enough accounts from this address says when to come back', async () => {
      const open = await startSingle(storeBackends()[0]!, {
        registration: { accounts_per_address_per_hour: 1 },
      });
      try {
        await open.client().register('first', PASSWORD);
        const page = phone.page;
        await page.goto(open.url);
        await page.getByLabel('Username').fill('second');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign up' }).click();
        await page
          .getByRole('alert')
          .filter({ hasText: 'Too many accounts were made from your network lately' })
          .filter({ hasText: 'Try again in 1 hour' })
          .waitFor();
        // Signing in still works.
        await signInAndOut(phone, 'first');
      } finally {
        await leave(phone, open);
      }
    }, 60_000);

    it('dave signs his phone out from Settings; the phone is back at sign-in', async () => {
      await signIn(phone, PASSWORD);
      await phone.page.getByTestId('me').filter({ hasText: 'dave' }).waitFor();
      // The script's own sessions are listed too: count them on the server.
      const sdk = await asDave();
      const { sessions } = await sdk.sessions();

      await menu(dave, 'Settings');
      const devices = dave.page.locator('.devices li');
      await expect.poll(() => devices.count()).toBe(sessions.length);
      await dave.page.locator('[data-current] .this').getByText('(this device)').waitFor();
      const browsers = sessions.filter((s) => s.device === 'Chrome on Linux');
      expect(browsers).toHaveLength(2);
      // The phone signed in second: the newer of the two browser sessions.
      const phoneSession = browsers[1]!;
      await dave.page
        .locator(`[data-session="${phoneSession.id}"]`)
        .getByRole('button', { name: /^Sign out/ })
        .click();
      await phone.page.getByRole('button', { name: 'Sign in' }).waitFor();
      await phone.page.getByText('You were signed out.').waitFor();
      await dave.page.locator(`[data-session="${phoneSession.id}"]`).waitFor({ state: 'detached' });
      const after = (await sdk.sessions()).sessions.map((s) => s.id);
      expect(after).not.toContain(phoneSession.id);
      await world.shot(dave, 'settings-devices');
    }, 60_000);

    it('changing the password: a wrong current one is refused; then other devices sign out', async () => {
      await signIn(phone, PASSWORD);
      await phone.page.getByTestId('me').filter({ hasText: 'dave' }).waitFor();
      const page = dave.page;
      await page.getByLabel('Current password').fill('wrong password!');
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('New password again').fill(NEW_PASSWORD + 'x');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('alert').filter({ hasText: 'not the same' }).waitFor();
      await page.getByLabel('New password again').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('alert').filter({ hasText: 'current password is wrong' }).waitFor();
      await asDave(PASSWORD); // still the old one

      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
      await phone.page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expect(asDave(PASSWORD)).rejects.toMatchObject({ condition: 'invalid-credentials' });
      await asDave(NEW_PASSWORD);
      // This device stays signed in.
      expect(await page.getByTestId('me').textContent()).toBe('dave');
    }, 60_000);

    it('a keyword filter holds a message in Filtered; release puts it in the conversation', async () => {
      const page = dave.page;
      await page.getByLabel('Word or phrase').fill('   ');
      await page.getByRole('button', { name: 'Add filter' }).click();
      await page.getByRole('alert').filter({ hasText: 'Type a word or phrase' }).waitFor();
      await page.getByLabel('Word or phrase').fill('crypto');
      await page.getByRole('button', { name: 'Add filter' }).click();
      await page.locator('[data-filter="crypto"]').waitFor();
      const sdk0 = await asDave(NEW_PASSWORD);
      expect(await sdk0.filters()).toEqual(['crypto']);
      // Erin is a contact, so her conversation has a place in the sidebar.
      await erin.requestContact('dave');
      await sdk0.approveContact('erin');
      await showContacts(dave);
      await contact(dave, 'erin').waitFor();

      await erin.sendMessage('dave', 'Double your CRYPTO <b>now</b>', 'f-1');
      await erin.sendMessage('dave', 'More crypto, sorry', 'f-2');
      await erin.sendMessage('dave', 'Lunch tomorrow?', 'f-3');
      await page.getByTestId('filtered-badge').filter({ hasText: /^2$/ }).waitFor();
      await menu(dave, /^Filtered messages \d/);
      const held = page.locator('[data-filtered]');
      await expect.poll(() => held.count()).toBe(2);
      await page.getByTestId('filtered-badge').filter({ hasText: /^2$/ }).waitFor();
      const first = held.filter({ hasText: 'Double your' });
      expect(await first.locator('.text').textContent()).toBe('Double your CRYPTO <b>now</b>');
      expect(await page.locator('.filtered b').count()).toBe(0);
      await world.shot(dave, 'filtered');

      await first.getByRole('button', { name: 'Release message from erin' }).click();
      await first.waitFor({ state: 'detached' });
      await page.getByTestId('filtered-badge').filter({ hasText: /^1$/ }).waitFor();
      const second = held.filter({ hasText: 'More crypto' });
      await second.getByRole('button', { name: 'Delete message from erin' }).click();
      await second.getByRole('button', { name: 'Delete', exact: true }).click();
      await second.waitFor({ state: 'detached' });
      await page.getByText('Nothing has been filtered.').waitFor();

      const sdk = await asDave(NEW_PASSWORD);
      expect((await sdk.filtered()).messages).toEqual([]);
      const history = (await sdk.history('erin')).messages.map((m) => m.text);
      expect(history).toEqual(['Double your CRYPTO <b>now</b>', 'Lunch tomorrow?']);
    }, 60_000);

    it('the released message is in the conversation, the deleted one is not', async () => {
      await openChat(dave, 'erin');
      await messages(dave).filter({ hasText: 'Lunch tomorrow?' }).waitFor();
      const texts = await messages(dave).locator('.text').allTextContents();
      expect(texts).toEqual(['Double your CRYPTO <b>now</b>', 'Lunch tomorrow?']);
      // The browser logs the refusals this file asked for (two bad invites, one wrong
      // password, one sign-up too many); nothing else went wrong. The phone is signed
      // out twice while its page is loading what it shows: a request in flight then is
      // refused with 401, or not, depending on timing.
      expectConsole(dave, [
        refusal('403 (Forbidden)'),
        refusal('403 (Forbidden)'),
        refusal('401 (Unauthorized)'),
      ]);
      expectConsole(phone, [refusal('429 (Too Many Requests)')], [refusal('401 (Unauthorized)')]);
      for (const p of [dave, phone]) expect(p.dialogs).toEqual([]);
    }, 60_000);
  },
);
