import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  refusal,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Issue 15, bug 18: sign-up never looks disabled without saying why, shows
 * its rules up front and checks them as one types, and every refusal is a
 * sentence a person understands (never the server's lowercase text).
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `sign-up in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let p: Person;

    beforeAll(async () => {
      world = await startWorld();
      p = await world.person();
      await world.node.client().register('taken', PASSWORD);
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    const rule = (id: string) => p.page.locator(`[data-rule="${id}"]`);
    const alert = () => p.page.getByRole('alert');
    const signUp = () => p.page.getByRole('button', { name: 'Sign up' });

    it('shows the rules up front and checks them live; the button says what to fix', async () => {
      await p.page.goto(world.node.url);
      await rule('username').waitFor();
      expect(await signUp().isDisabled()).toBe(false);
      expect(await rule('username').getAttribute('data-ok')).toBe('false');
      expect(await rule('password-min').getAttribute('data-ok')).toBe('false');

      await signUp().click();
      await alert().filter({ hasText: 'Choose a username to sign up.' }).waitFor();
      expect(await p.page.evaluate(() => document.activeElement?.id)).toBe('signin-username');

      await p.page.getByLabel('Username').fill('new user');
      expect(await rule('username').getAttribute('data-ok')).toBe('false');
      await p.page.getByLabel('Username').fill('newbie');
      expect(await rule('username').getAttribute('data-ok')).toBe('true');
      await p.page.getByLabel('Password').fill('short');
      await rule('password-min').filter({ hasText: '(3 more)' }).waitFor();
      await signUp().click();
      await alert()
        .filter({ hasText: 'Your password needs at least 8 characters (3 more).' })
        .waitFor();
      expect(await p.page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
      await p.page.getByLabel('Password').fill(PASSWORD);
      expect(await rule('password-min').getAttribute('data-ok')).toBe('true');
      expectConsole(p, []);
    }, 60_000);

    it('server refusals are sentences: taken, reserved, wrong password', async () => {
      await p.page.getByLabel('Username').fill('Taken');
      await signUp().click();
      await alert()
        .filter({
          hasText: 'The username “taken” is taken. Choose another one, or sign in if it is yours.',
        })
        .waitFor();
      await p.page.getByLabel('Username').fill('admin');
      await signUp().click();
      await alert().filter({ hasText: 'The username “admin” is kept for the server.' }).waitFor();
      await p.page.getByLabel('Username').fill('taken');
      await p.page.getByLabel('Password').fill('not the password');
      await p.page.getByRole('button', { name: 'Sign in' }).click();
      await alert()
        .filter({ hasText: 'That username and password do not match. Check both and try again.' })
        .waitFor();
      // Never the server's own lowercase text.
      expect(await alert().textContent()).not.toMatch(/wrong username|is taken"|reserved"/);
      expectConsole(p, [
        refusal('409 (Conflict)'),
        refusal('409 (Conflict)'),
        refusal('401 (Unauthorized)'),
      ]);
    }, 60_000);

    it('a good name and password sign up', async () => {
      await p.page.getByLabel('Username').fill('newbie');
      await p.page.getByLabel('Password').fill(PASSWORD);
      await signUp().click();
      await p.page.getByTestId('me').filter({ hasText: 'newbie' }).waitFor();
      expectConsole(p, [
        refusal('409 (Conflict)'),
        refusal('409 (Conflict)'),
        refusal('401 (Unauthorized)'),
      ]);
    }, 60_000);
  },
);

describe.skipIf(!HAVE_CHROMIUM)(
  `sign-up with the server's minimum password length${HAVE_CHROMIUM ? '' : ' (skipped)'}`,
  () => {
    let world: BrowserWorld;
    let p: Person;

    beforeAll(async () => {
      world = await startWorld({ registration: { min_password_length: 24 } });
      p = await world.person();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('counts to registration.min_password_length, told by GET /api/v1/server', async () => {
      const rule = p.page.locator('[data-rule="password-min"]');
      await p.page.goto(world.node.url);
      await rule.filter({ hasText: 'at least 24 characters' }).waitFor();
      await p.page.getByLabel('Username').fill('longpw');
      // 21 characters: enough for the default of 8, not for this server.
      await p.page.getByLabel('Password').fill(PASSWORD);
      await rule.filter({ hasText: '(3 more)' }).waitFor();
      expect(await rule.getAttribute('data-ok')).toBe('false');
      await p.page.getByRole('button', { name: 'Sign up' }).click();
      await p.page
        .getByRole('alert')
        .filter({ hasText: 'Your password needs at least 24 characters (3 more).' })
        .waitFor();
      await p.page.getByLabel('Password').fill(`${PASSWORD} ok!`);
      expect(await rule.getAttribute('data-ok')).toBe('true');
      await p.page.getByRole('button', { name: 'Sign up' }).click();
      await p.page.getByTestId('me').filter({ hasText: 'longpw' }).waitFor();
      expectConsole(p, []);
    }, 60_000);
  },
);
