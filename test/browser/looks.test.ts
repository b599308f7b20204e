import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  approve,
  chatMenu,
  colourfulPixels,
  contrast,
  expectConsole,
  openChat,
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
      await approve(alice, 'bob');
      await openChat(alice, 'bob');
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
      // Six reactions, More reactions, Reply, Copy text, Copy link, Edit, Delete.
      expect(await items.count()).toBe(12);
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
      await world.shot(alice, 'message-menu');
      await alice.page.keyboard.press('Escape');
      expectConsole(alice, []);
    }, 60_000);

    /** True when the element's centre is drawn on top (not under the composer, not scrolled off). */
    const onTop = (l: Locator) =>
      l.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!hit && (hit === el || el.contains(hit));
      });

    it('the menu of the last message opens where it can be seen, not under the composer', async () => {
      for (let i = 1; i <= 8; i++) await say(alice, `Line ${i}`);
      await said(alice, 'Line 8').and(alice.page.locator(':not([data-pending])')).waitFor();
      const menu = await openMenu('Line 8');
      for (const item of await menu.getByRole('menuitem').all())
        expect(await onTop(item), `${await item.textContent()} visible`).toBe(true);
      await alice.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
    }, 60_000);

    it('room settings show their last control; member names are whole; member actions are one menu', async () => {
      const owner = world.node.client();
      await owner.login('alice', PASSWORD, 'test script');
      await owner.rooms.create('den', { topic: 'Plans' });
      const long = 'maximilian.von-longername.2026';
      for (const name of [long, 'zed']) {
        const c = world.node.client();
        await c.register(name, PASSWORD);
        await c.rooms.join('den');
      }
      await alice.page.locator('.chats [data-room="den"]').getByRole('button').click();
      const member = (who: string) => alice.page.locator(`[data-member="${who}"]`);
      await member('zed').waitFor();

      await chatMenu(alice, 'Room settings');
      const panel = alice.page.getByRole('region', { name: 'Settings of #den' });
      const last = panel.getByRole('button').last();
      await last.waitFor();
      expect(await onTop(last), `${await last.textContent()} visible`).toBe(true);
      await world.shot(alice, 'room-settings');
      await chatMenu(alice, 'Room settings');

      const name = member(long).locator('.member-name');
      expect(await name.textContent()).toBe(long);
      expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

      const below = (await member('zed').boundingBox())!.y;
      await member(long).getByRole('button').click();
      const menu = alice.page.getByRole('menu', { name: `Actions for ${long}` });
      await menu.getByRole('menuitem', { name: 'Message' }).waitFor();
      expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
        'Message',
        'Mute',
        'Make owner',
        'Make admin',
        'Make moderator',
        'Kick…',
        'Ban…',
      ]);
      await world.shot(alice, 'member-menu');
      // Drawn over the list: the people below it stay where they were.
      expect((await member('zed').boundingBox())!.y).toBe(below);
      for (const item of await menu.getByRole('menuitem').all()) {
        expect(await onTop(item), `${await item.textContent()} visible`).toBe(true);
        expect(await contrast(item)).toBeGreaterThan(3);
      }
      await alice.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      expectConsole(alice, []);
    }, 60_000);

    it('at phone width: nothing wider than the screen, the header whole, members closed', async () => {
      const page = await alice.page.context().newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(world.node.url);
      const phone = { page, dialogs: [], errors: [] };
      const fits = () =>
        page.evaluate(() => {
          const w = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('.side-head *, .conv-head *')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5);
          });
          return {
            sideways: document.documentElement.scrollWidth > w,
            cut: wide.map((el) => el.textContent?.trim() || el.getAttribute('aria-label')),
          };
        });
      await page.locator('.chats [data-room="den"]').waitFor();
      expect(await fits()).toEqual({ sideways: false, cut: [] });
      await page.locator('.chats [data-room="den"]').getByRole('button').click();
      await page.getByLabel('Message to #den').waitFor();
      await world.shot(phone, 'room-phone-compact');
      expect(await fits()).toEqual({ sideways: false, cut: [] });
      // The members are a tap away (the header's Members button), not over the messages.
      const toggle = page
        .locator('.chat-head')
        .getByRole('button', { name: 'Members', exact: true });
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      expect(await page.locator('.members').count()).toBe(0);
      const history = await page.locator('.messages').boundingBox();
      expect(history!.height).toBeGreaterThan(844 * 0.55);
      await page.close();
    }, 60_000);
  },
);
