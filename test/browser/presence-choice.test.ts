import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  myPresence,
  setPresence,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * The status a person chooses is their account's (issue 15, bug 5): the same on
 * every device, live; kept on the server across a reload; Invisible chosen on
 * one device holds while another device opens.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `the chosen status in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let laptop: Person;
    let phone: Person;
    let bob: ParleyClient;
    let aliceId = '';

    /** What the sidebar's header says of me: the show chosen, and the status text under my name. */
    const show = async (p: Person) => (await myPresence(p)).show;
    const text = async (p: Person) => (await myPresence(p)).line;
    const seen = async () => (await bob.presence()).find((x) => x.userId === aliceId);

    beforeAll(async () => {
      world = await startWorld();
      laptop = await world.person();
      phone = await world.person();
      await world.signUp(laptop, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.requestContact('alice');
      const alice = world.node.client();
      aliceId = (await alice.login('alice', PASSWORD, 'test script')).user.id;
      await alice.approveContact('bob');
      await phone.page.goto(world.node.url);
      await phone.page.getByLabel('Username').fill('alice');
      await phone.page.getByLabel('Password').fill(PASSWORD);
      await phone.page.getByRole('button', { name: 'Sign in' }).click();
      await phone.page.getByTestId('me').filter({ hasText: 'alice' }).waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('Busy with "At lunch" on one device shows on the other at once and to contacts', async () => {
      await expect.poll(async () => (await seen())?.show, { timeout: 10_000 }).toBe('available');
      await setPresence(laptop, 'dnd', 'At lunch');
      await expect.poll(() => show(phone), { timeout: 10_000 }).toBe('dnd');
      await expect.poll(() => text(phone), { timeout: 10_000 }).toBe('At lunch');
      await expect.poll(async () => (await seen())?.status, { timeout: 10_000 }).toBe('At lunch');
      expect((await seen())?.show).toBe('dnd');
    }, 60_000);

    it('a reload keeps it: the server gives it back', async () => {
      await phone.page.reload();
      await phone.page.getByTestId('me').filter({ hasText: 'alice' }).waitFor();
      await expect.poll(() => show(phone), { timeout: 10_000 }).toBe('dnd');
      await expect.poll(() => text(phone), { timeout: 10_000 }).toBe('At lunch');
      // The popover holds the same: Busy chosen, the text in its field.
      await phone.page.getByRole('button', { name: /At lunch.*Change your status/ }).click();
      const pop = phone.page.getByRole('dialog', { name: 'Your status' });
      expect(await pop.getByRole('radio', { name: 'Busy' }).isChecked()).toBe(true);
      expect(await pop.getByLabel('Status message').inputValue()).toBe('At lunch');
      await phone.page.keyboard.press('Escape');
      await pop.waitFor({ state: 'detached' });
      // The reloaded device did not flash "available" to contacts.
      expect((await seen())?.show).toBe('dnd');
    }, 60_000);

    it('Invisible on the phone holds while the laptop reloads', async () => {
      await setPresence(phone, 'invisible');
      await expect.poll(async () => (await seen())?.show, { timeout: 10_000 }).toBe('offline');
      await expect.poll(() => show(laptop), { timeout: 10_000 }).toBe('invisible');
      await laptop.page.reload();
      await laptop.page.getByTestId('me').filter({ hasText: 'alice' }).waitFor();
      await expect.poll(() => show(laptop), { timeout: 10_000 }).toBe('invisible');
      // The laptop is connected again (the choice above came over it), and alice still looks offline.
      expect((await seen())?.show).toBe('offline');
      await setPresence(laptop, 'available');
      await expect.poll(async () => (await seen())?.show, { timeout: 10_000 }).toBe('available');
      // "At lunch" went with Busy: choosing again keeps the text field's text.
      expect((await seen())?.status).toBe('At lunch');
      expectConsole(laptop, []);
      expectConsole(phone, []);
    }, 60_000);
  },
);
