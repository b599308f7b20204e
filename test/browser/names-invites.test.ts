import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  chatMenu,
  expectConsole,
  PASSWORD,
  said,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Issue 15, bugs 15 and 20: people are called by the names they chose, with
 * "@username" where it tells them apart (top bar, requests, members, message
 * authors, invitations); inviting suggests contacts as one types; an
 * invitation can be declined, and the room sees it.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `names and invitations in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let carol: Person;
    let aliceSdk: ParleyClient;
    let bobSdk: ParleyClient;
    let carolSdk: ParleyClient;

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      carol = await world.person();
      await world.signUp(alice, 'alice');
      await world.signUp(carol, 'carol');
      aliceSdk = world.node.client();
      await aliceSdk.login('alice', PASSWORD, 'test script');
      carolSdk = world.node.client();
      await carolSdk.login('carol', PASSWORD, 'test script');
      bobSdk = world.node.client();
      await bobSdk.register('bob', PASSWORD);
      await aliceSdk.updateProfile({ displayName: 'Alice Liddell' });
      await bobSdk.updateProfile({ displayName: 'Bob Builder' });
      await carolSdk.updateProfile({ displayName: 'Carol Danvers' });
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('shows display names with the username beside them, never "carol (carol)"', async () => {
      // The sidebar's header follows a change of my own name.
      await alice.page.getByTestId('me').filter({ hasText: 'Alice Liddell' }).waitFor();
      await expect(alice.page.getByTestId('me').textContent()).resolves.toBe(
        'Alice Liddell @alice',
      );

      await carolSdk.requestContact('alice', 'hi from carol');
      await alice.page.getByRole('button', { name: /^Contact requests/ }).click();
      const request = alice.page.locator('[data-request="carol"]');
      await request.waitFor();
      const text = (await request.locator('p').first().textContent()) ?? '';
      expect(text).toBe('Carol Danvers @carol wants to see when you are online.');
      await request.getByRole('button', { name: 'Approve' }).click();
      await request.waitFor({ state: 'detached' });
      await aliceSdk.requestContact('carol');
      await aliceSdk.requestContact('bob');

      await aliceSdk.rooms.create('tea', { visibility: 'private' });
      await aliceSdk.rooms.invite('tea', 'bob');
      await bobSdk.rooms.join('tea');
      await bobSdk.rooms.send('tea', 'Kettle is on', 'k1');
      await alice.page.goto(`${world.node.url}/room/tea`);
      const msg = said(alice, 'Kettle is on');
      await msg.waitFor();
      await expect(msg.locator('.author').textContent()).resolves.toBe('Bob Builder');
      await expect(msg.locator('.author .name').getAttribute('title')).resolves.toBe('@bob');
      const bobRow = alice.page.locator('[data-member="bob"] .member-name');
      await bobRow.filter({ hasText: 'Bob Builder @bob' }).waitFor();
      expectConsole(alice, []);
    }, 60_000);

    it('suggests contacts when inviting; carol declines and alice sees it', async () => {
      await chatMenu(alice, 'Invite people');
      const box = alice.page.getByRole('combobox', { name: 'Invite to #tea' });
      await box.fill('dan');
      const list = alice.page.getByRole('listbox', { name: 'Contacts to invite' });
      // Bob is in the room already: only carol is offered.
      await expect(list.getByRole('option').allTextContents()).resolves.toEqual([
        'Carol Danvers @carol',
      ]);
      await box.press('Enter');
      await expect(box.inputValue()).resolves.toBe('carol');
      await box.press('Enter');
      await alice.page.getByText('Invited Carol Danvers (@carol) to #tea.').waitFor();

      const invite = carol.page.locator('[data-invite="tea"]');
      await invite.filter({ hasText: 'Alice Liddell @alice invited you to #tea' }).waitFor();
      // Carol's other device shows it too, until she declines on this one.
      const phone = await world.person();
      await phone.page.goto(world.node.url);
      await phone.page.getByLabel('Username').fill('carol');
      await phone.page.getByLabel('Password').fill(PASSWORD);
      await phone.page.getByRole('button', { name: 'Sign in' }).click();
      const there = phone.page.locator('[data-invite="tea"]');
      await there.waitFor();
      await invite.getByRole('button', { name: 'Decline the invitation to #tea' }).click();
      await invite.waitFor({ state: 'detached' });
      await there.waitFor({ state: 'detached' });
      expect((await carolSdk.rooms.mine()).invites).toEqual([]);
      expectConsole(phone, []);
      await alice.page
        .locator('.room-line[data-line="declined"]')
        .filter({ hasText: 'Carol Danvers declined the invitation' })
        .waitFor();
      // Still shut: a private room needs a new invitation.
      await expect(carolSdk.rooms.join('tea')).rejects.toMatchObject({ condition: 'forbidden' });
      expectConsole(alice, []);
      expectConsole(carol, []);
    }, 60_000);
  },
);
