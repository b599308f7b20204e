import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  chatMenu,
  contact,
  menu,
  messages,
  newChat,
  request,
  showContacts,
  PASSWORD,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * People in the web client: finding someone in the directory by city and age,
 * a request with a note, renaming and grouping a contact from its menu, last
 * seen (and the privacy switch that hides it), blocking and unblocking.
 * Every step is checked on screen and, where data changes, on the server.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `people in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;
    const as = async (username: string) => {
      const sdk = world.node.client();
      await sdk.login(username, PASSWORD, 'test script');
      return sdk;
    };
    const status = (p: Person, who: string) => contact(p, who).first().locator('.status');

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      bob = await world.person();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('alice fills in her profile in Settings; bad input changes nothing', async () => {
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      const page = alice.page;
      await menu(alice, 'Settings');
      await page.getByLabel('Display name').fill('Alice Liddell');
      await page.getByLabel('City').fill('Oxford');
      await page.getByLabel('Birth year').fill('18');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByRole('alert').filter({ hasText: 'Birth year must be' }).waitFor();
      expect((await (await as('alice')).me()).profile.city).toBe('');

      const year = new Date().getUTCFullYear() - 35;
      await page.getByLabel('Birth year').fill(String(year));
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
      const profile = (await (await as('alice')).me()).profile;
      expect(profile).toMatchObject({
        displayName: 'Alice Liddell',
        city: 'Oxford',
        birthYear: year,
      });
      await world.shot(alice, 'settings');
      await page.setViewportSize({ width: 390, height: 780 });
      await world.shot(alice, 'settings-phone');
      await page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('bob finds alice by city and age, and asks with a note; she approves', async () => {
      const sdkBob = await as('bob');
      await sdkBob.updateProfile({ city: 'Oxford', birthYear: new Date().getUTCFullYear() - 70 });
      const page = bob.page;
      await newChat(bob, 'Find people');
      await page.getByLabel('City').fill('oxford');
      await page.getByLabel('Age from').fill('40');
      await page.getByLabel('Age to').fill('30');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'minimum age is above' }).waitFor();

      await page.getByLabel('Age from').fill('30');
      await page.getByLabel('Age to').fill('40');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const found = page.locator('[data-person]');
      await found.first().waitFor();
      expect(await found.count()).toBe(1);
      const card = page.locator('[data-person="alice"]');
      await card.getByText('Alice Liddell').waitFor();
      await card.getByText('Oxford · age 35').waitFor();

      await card.getByRole('button', { name: 'Add contact: alice' }).click();
      await card.getByLabel('Note to alice (optional)').fill('Bob from the chess club');
      await card.getByRole('button', { name: 'Send request' }).click();
      await card.getByText('Request pending').waitFor();
      await world.shot(bob, 'find-people');
      await page.setViewportSize({ width: 390, height: 780 });
      await world.shot(bob, 'find-people-phone');
      await page.setViewportSize({ width: 1100, height: 720 });

      const asked = await request(alice, 'bob');
      await asked.getByText('Bob from the chess club').waitFor();
      await asked.getByRole('button', { name: 'Approve' }).click();
      await card.getByText('In your contacts').waitFor();
      await status(alice, 'bob').filter({ hasText: 'Online' }).waitFor();
      const mine = await (await as('alice')).contacts();
      expect(mine.find((c) => c.username === 'bob')?.subscription).toBe('both');
    }, 60_000);

    it('alice renames bob and puts him in two groups, by keyboard', async () => {
      const page = alice.page;
      const menu = page.getByRole('button', { name: 'Options for bob' });
      await menu.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('menuitem', { name: 'Rename' }).waitFor();
      expect(await page.locator(':focus').textContent()).toBe('Rename');
      await page.keyboard.press('Enter');
      await page.getByLabel('Your name for bob').fill('Bobby');
      await page.keyboard.press('Enter');
      await contact(alice, 'bob').getByText('Bobby').waitFor();
      // The username stays visible beside the alias.
      expect(await contact(alice, 'bob').locator('.handle').textContent()).toBe(' @bob');

      await menu.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('menuitem', { name: 'Rename' }).waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.getByLabel('New group').fill('Chess');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('[data-group="Chess"] [data-contact="bob"]').waitFor();

      await menu.click();
      await page.getByRole('menuitem', { name: 'Groups' }).click();
      await page.getByLabel('New group').fill('Oxford');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('[data-group="Oxford"] [data-contact="bob"]').waitFor();
      await page.locator('[data-group="Chess"] [data-contact="bob"]').waitFor();
      const bobEntry = (await (await as('alice')).contacts()).find((c) => c.username === 'bob');
      expect(bobEntry).toMatchObject({ alias: 'Bobby', groups: ['Chess', 'Oxford'] });

      // A group folds away and comes back.
      const fold = page.getByRole('button', { name: /^Chess/ });
      await fold.click();
      expect(await fold.getAttribute('aria-expanded')).toBe('false');
      expect(await page.locator('[data-group="Chess"] [data-contact="bob"]').count()).toBe(0);
      await fold.click();
      await page.locator('[data-group="Chess"] [data-contact="bob"]').waitFor();
      await world.shot(alice, 'contacts-grouped');
      // On a phone the open pane hides the sidebar: Back shows it.
      await page.setViewportSize({ width: 390, height: 780 });
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('button', { name: 'Options for bob' }).first().click();
      await world.shot(alice, 'contact-menu-phone');
      await page.keyboard.press('Escape');
      await page.getByRole('menu').waitFor({ state: 'detached' });
      // Focus is back on the menu button.
      expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Options for bob');
      await page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('last seen shows after bob signs out, and not once he hides it', async () => {
      await menu(bob, 'Sign out');
      await status(alice, 'bob').filter({ hasText: 'Last seen just now' }).waitFor();

      await bob.page.getByLabel('Username').fill('bob');
      await bob.page.getByLabel('Password').fill(PASSWORD);
      await bob.page.getByRole('button', { name: 'Sign in' }).click();
      await status(alice, 'bob').filter({ hasText: 'Online' }).waitFor();
      await menu(bob, 'Settings');
      await bob.page.getByLabel('Show when I was last online').uncheck();
      await bob.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect((await (await as('bob')).privacy()).showLastSeen).toBe(false);

      await menu(bob, 'Sign out');
      await status(alice, 'bob')
        .filter({ hasText: /^Offline$/ })
        .waitFor();
      await bob.page.getByLabel('Username').fill('bob');
      await bob.page.getByLabel('Password').fill(PASSWORD);
      await bob.page.getByRole('button', { name: 'Sign in' }).click();
      await status(alice, 'bob').filter({ hasText: 'Online' }).waitFor();
    }, 60_000);

    it('alice blocks bob from the conversation: he sees her offline, his messages vanish', async () => {
      const page = alice.page;
      await contact(alice, 'bob').first().getByRole('button').click();
      await chatMenu(alice, 'Block bob');
      const confirm = page.getByRole('group', { name: 'Block bob?' });
      await confirm.getByText('They are not told').waitFor();
      await confirm.getByRole('button', { name: 'Block', exact: true }).click();
      await status(alice, 'bob').filter({ hasText: 'Blocked' }).waitFor();
      await page.getByRole('button', { name: 'Unblock to write' }).waitFor();
      expect((await (await as('alice')).blocked()).map((b) => b.username)).toEqual(['bob']);

      // What bob sees: alice offline, and his message sent as usual (he is not told).
      await showContacts(bob);
      await contact(bob, 'alice').locator('.dot[data-show="offline"]').waitFor();
      await contact(bob, 'alice').getByRole('button').click();
      await say(bob, 'Are you there?');
      const sent = messages(bob).filter({ hasText: 'Are you there?' });
      await sent.waitFor();
      await expect.poll(() => sent.getAttribute('data-pending')).toBeNull();
      const hers = await (await as('alice')).history('bob');
      expect(hers.messages.map((m) => m.text)).not.toContain('Are you there?');
      expect(await messages(alice).filter({ hasText: 'Are you there?' }).count()).toBe(0);
      await world.shot(alice, 'blocked');
      await page.setViewportSize({ width: 390, height: 780 });
      await world.shot(alice, 'blocked-phone');
      await page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('alice unblocks bob in Settings: he sees her online again', async () => {
      const page = alice.page;
      await menu(alice, 'Settings');
      const row = page.locator('[data-blocked="bob"]');
      await row.getByRole('button', { name: 'Unblock bob' }).click();
      await row.waitFor({ state: 'detached' });
      await page.getByText('You block nobody.').waitFor();
      expect(await (await as('alice')).blocked()).toEqual([]);
      await contact(bob, 'alice').locator('.dot[data-show="available"]').waitFor();
      await status(alice, 'bob').filter({ hasText: 'Online' }).waitFor();
    }, 60_000);

    it('alice removes bob after an in-page confirmation; nothing went wrong', async () => {
      const page = alice.page;
      await page.getByRole('button', { name: 'Options for bob' }).first().click();
      await page.getByRole('menuitem', { name: 'Remove' }).click();
      const confirm = page.getByRole('group', { name: 'Remove bob from your contacts?' });
      // Cancel first: nothing changes.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect(await contact(alice, 'bob').count()).toBe(2);
      await page.getByRole('button', { name: 'Options for bob' }).first().click();
      await page.getByRole('menuitem', { name: 'Remove' }).click();
      await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
      await contact(alice, 'bob').first().waitFor({ state: 'detached' });
      const left = await (await as('alice')).contacts();
      expect(left.find((c) => c.username === 'bob')).toBeUndefined();
      await contact(bob, 'alice').getByText('Presence not shared').waitFor();

      for (const p of [alice, bob]) {
        expect(p.errors).toEqual([]);
        expect(p.dialogs).toEqual([]);
      }
    }, 60_000);
  },
);
