import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../helpers/avatars.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import { PASSWORD, menu, startWorld, type BrowserWorld, type Person } from './harness.js';

/**
 * Avatars in the web client: a contact's picture in the chat list (fetched with
 * the token, shown from an object URL), replaced live when they change it;
 * initials for someone without one.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `avatars in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let bob: Person;

    beforeAll(async () => {
      world = await startWorld({ limits: { requests_per_minute_per_address: 100_000 } });
      bob = await world.person();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a contact’s avatar shows in the chat list and changes live', async () => {
      await world.signUp(bob, 'bob');
      const bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      const carol = world.node.client();
      await carol.register('carol', PASSWORD);
      await carol.updateProfile({ displayName: 'Carol Danvers' });
      await carol.requestContact('bob');
      await bobSdk.approveContact('carol');
      const first = await carol.setAvatar(await png('red'));
      await carol.sendMessage('bob', 'Look at my picture', 'c1');

      const entry = bob.page.locator('[data-chat="carol"]');
      await entry.getByText('Look at my picture').waitFor();
      const img = entry.locator('img.avatar');
      await img.waitFor();
      const src = await img.getAttribute('src');
      expect(src).toMatch(/^blob:/);
      // The browser really decoded it.
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(32);

      const second = await carol.setAvatar(await png('green', 40));
      expect(second.hash).not.toBe(first.hash);
      await expect.poll(() => img.getAttribute('src')).not.toBe(src);
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(40);

      // Without one: initials.
      await carol.removeAvatar();
      await entry.locator('.avatar.initials').getByText('CD').waitFor();
    }, 60_000);

    it('bob adds a picture in Settings and removes it; an SVG is refused', async () => {
      const page = bob.page;
      await menu(bob, 'Settings');
      await page.getByRole('button', { name: 'Add a picture' }).waitFor();
      await page.getByLabel('Picture file').setInputFiles({
        name: 'me.png',
        mimeType: 'image/png',
        buffer: await png('blue', 50),
      });
      await page.getByRole('status').filter({ hasText: 'Picture saved.' }).waitFor();
      const bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      const hash = (await bobSdk.me()).profile.avatar;
      expect(hash).toMatch(/^[0-9a-f]{40}$/);
      await page.locator('.avatar-settings img.avatar').waitFor();

      await page.getByLabel('Picture file').setInputFiles({
        name: 'x.svg',
        mimeType: 'image/svg+xml',
        buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      });
      await page.locator('.avatar-settings [role="alert"]').waitFor();
      expect((await bobSdk.me()).profile.avatar).toBe(hash);

      await page.getByRole('button', { name: 'Remove picture' }).click();
      await page.getByRole('status').filter({ hasText: 'Picture removed.' }).waitFor();
      expect((await bobSdk.me()).profile.avatar).toBeNull();
    }, 60_000);
  },
);
