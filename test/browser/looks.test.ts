import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  colourfulPixels,
  contact,
  contrast,
  expectConsole,
  said,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * What the eye needs: every item of the message menu readable against what
 * it is drawn on, emoji in colour (this machine has no colour emoji font: the
 * client ships one), menus and panels never under or cut by their neighbours.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `legible and uncut in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;

    async function openMenu(text: string) {
      const li = said(alice, text).first();
      await li.hover();
      await li.getByRole('button', { name: 'Message actions' }).click();
      return li.getByRole('menu', { name: 'Message actions' });
    }

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.requestContact('alice');
      await alice.page
        .locator('[data-request="bob"]')
        .getByRole('button', { name: 'Approve' })
        .click();
      await contact(alice, 'bob').getByRole('button').click();
      await alice.page.getByText('No messages yet').waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('the message menu: every item readable, Delete included; the reactions in colour', async () => {
      await say(alice, 'Readable?');
      await said(alice, 'Readable?').and(alice.page.locator(':not([data-pending])')).waitFor();
      const menu = await openMenu('Readable?');
      const items = menu.getByRole('menuitem');
      expect(await items.count()).toBe(9);
      for (const item of await items.all()) {
        const name = (await item.getAttribute('aria-label')) ?? (await item.textContent());
        expect(await contrast(item), `${name} against its background`).toBeGreaterThan(3);
      }
      for (const emoji of await menu.locator('.emoji').all()) {
        const name = await emoji.getAttribute('aria-label');
        // A colour glyph: tens of coloured pixels (a monochrome or invisible one has none).
        await expect
          .poll(() => colourfulPixels(alice, emoji), { message: `${name} in colour` })
          .toBeGreaterThan(20);
      }
      await alice.page.keyboard.press('Escape');
      expectConsole(alice, []);
    }, 60_000);
  },
);
