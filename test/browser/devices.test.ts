import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  menu,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Devices are named from the browser and system (issue 15, bug 16), and one
 * button signs out every other device, this one staying signed in.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `devices in the web client${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let laptop: Person;
    let phone: Person;

    beforeAll(async () => {
      world = await startWorld();
      laptop = await world.person();
      phone = await world.person();
      await world.signUp(laptop, 'erin');
      await phone.page.goto(world.node.url);
      await phone.page.getByLabel('Username').fill('erin');
      await phone.page.getByLabel('Password').fill(PASSWORD);
      await phone.page.getByRole('button', { name: 'Sign in' }).click();
      await phone.page.getByTestId('me').filter({ hasText: 'erin' }).waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('names each device by browser and system, and signs out all the others at once', async () => {
      await menu(laptop, 'Settings');
      const names = laptop.page.locator('.devices li .name');
      await expect.poll(() => names.count()).toBe(2);
      // Headless Chromium on this machine's Linux.
      expect(await names.allTextContents()).toEqual([
        expect.stringMatching(/^Chrome on Linux/),
        expect.stringMatching(/^Chrome on Linux/),
      ]);
      await laptop.page.getByRole('button', { name: 'Sign out all other devices' }).click();
      await laptop.page.getByText('Every other device was signed out.').waitFor();
      await phone.page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expect.poll(() => names.count()).toBe(1);
      await laptop.page.getByText('(this device)').waitFor();
      // Nothing left to sign out: the button goes.
      expect(
        await laptop.page.getByRole('button', { name: 'Sign out all other devices' }).count(),
      ).toBe(0);
      const sdk = world.node.client();
      await sdk.login('erin', PASSWORD, 'test script');
      expect((await sdk.sessions()).sessions.map((s) => s.device).sort()).toEqual([
        'Chrome on Linux',
        'test script',
      ]);
      expectConsole(laptop, []);
    }, 60_000);
  },
);
