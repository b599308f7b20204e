import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { png } from '../helpers/avatars.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  chatMenu,
  PASSWORD,
  expectConsole,
  refused,
  said,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * A room's picture from the web client: alice (owner) adds one in the room's
 * settings, a plain member sees it change live and gets no controls, an SVG is
 * refused, and removing it brings the initials back. Then names: a contact and
 * a room member who is no contact change their display names, and alice's chat
 * list, conversation header, member list and message authors follow without a
 * reload.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `room pictures and live names in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;
    let aliceSdk: ParleyClient;

    beforeAll(async () => {
      world = await startWorld({ limits: { requests_per_minute_per_address: 100_000 } });
      alice = await world.person();
      bob = await world.person();
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      aliceSdk = world.node.client();
      await aliceSdk.login('alice', PASSWORD, 'test script');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    const settings = (p: Person) => p.page.getByRole('region', { name: 'Settings of #den' });
    const picture = (p: Person) => settings(p).locator('.room-picture .avatar');
    const width = (p: Person) =>
      picture(p).evaluate((el) => (el instanceof HTMLImageElement ? el.naturalWidth : 0));

    it('alice adds, replaces and removes the room picture; bob sees it live', async () => {
      await aliceSdk.rooms.create('den', { topic: 'Plans' });
      const bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      await bobSdk.rooms.join('den');
      for (const p of [alice, bob]) {
        await p.page.goto(`${world.node.url}/room/den`);
        await chatMenu(p, 'Room settings');
        await settings(p).waitFor();
      }
      // Initials until there is a picture; a member has no controls.
      await settings(bob).locator('.room-picture .avatar.initials').waitFor();
      expect(
        await settings(bob)
          .getByRole('button', { name: /room picture/ })
          .count(),
      ).toBe(0);

      await settings(alice)
        .getByLabel('Room picture file')
        .setInputFiles({ name: 'den.png', mimeType: 'image/png', buffer: await png('teal', 50) });
      await settings(alice).getByRole('status').filter({ hasText: 'Picture saved.' }).waitFor();
      const first = (await aliceSdk.rooms.get('den')).room.avatar;
      expect(first).toMatch(/^[0-9a-f]{40}$/);
      await expect.poll(() => width(alice)).toBe(50);
      await expect.poll(() => width(bob)).toBe(50);
      // The chat list's row and the room's header show it too (not the initials).
      await bob.page.locator('[data-room="den"] img.avatar').waitFor();
      await bob.page.locator('.chat-head img.avatar').waitFor();
      // The timeline says who changed it.
      await bob.page
        .locator('.room-line')
        .filter({ hasText: 'alice changed the room picture' })
        .waitFor();

      // Replaced: everyone's copy follows.
      await settings(alice)
        .getByLabel('Room picture file')
        .setInputFiles({ name: 'den2.png', mimeType: 'image/png', buffer: await png('plum', 40) });
      await expect.poll(() => width(bob)).toBe(40);
      await expect.poll(() => width(alice)).toBe(40);
      const second = (await aliceSdk.rooms.get('den')).room.avatar;
      expect(second).not.toBe(first);

      // An SVG is refused and changes nothing.
      await settings(alice)
        .getByLabel('Room picture file')
        .setInputFiles({
          name: 'x.svg',
          mimeType: 'image/svg+xml',
          buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        });
      await settings(alice).getByRole('alert').waitFor();
      expect((await aliceSdk.rooms.get('den')).room.avatar).toBe(second);

      await settings(alice).getByRole('button', { name: 'Remove room picture' }).click();
      await settings(alice).getByRole('status').filter({ hasText: 'Picture removed.' }).waitFor();
      expect((await aliceSdk.rooms.get('den')).room.avatar).toBeNull();
      await settings(bob).locator('.room-picture .avatar.initials').waitFor();
      await settings(alice).locator('.room-picture .avatar.initials').waitFor();
      refused(alice, 415);
      expectConsole(alice, []);
      expectConsole(bob, []);
    }, 90_000);

    it('names change live: a contact in the chat list and header, a member in the room', async () => {
      // Carol is a contact with a chat; dave is only in the room.
      const carol = world.node.client();
      await carol.register('carol', PASSWORD);
      await carol.requestContact('alice');
      await aliceSdk.approveContact('carol');
      await carol.sendMessage('alice', 'Hello from carol', 'c1');
      const dave = world.node.client();
      await dave.register('dave', PASSWORD);
      await dave.rooms.join('den');
      await dave.rooms.send('den', 'Hello from dave', 'd1');

      const page = alice.page;
      await page.goto(`${world.node.url}/room/den`);
      const msg = said(alice, 'Hello from dave');
      await msg.waitFor();
      await msg.getByText('dave', { exact: true }).waitFor();
      const member = page.locator('[data-member="dave"]');
      await member.waitFor();

      await dave.updateProfile({ displayName: 'Dave Bowman' });
      await msg.getByText('Dave Bowman').waitFor();
      await member.getByText('Dave Bowman').waitFor();
      // Cleared: the username again.
      await dave.updateProfile({ displayName: '' });
      await msg.getByText('dave', { exact: true }).waitFor();
      await expect.poll(() => member.textContent()).not.toContain('Dave Bowman');

      const chat = page.locator('[data-chat="carol"]');
      await chat.getByText('Hello from carol').waitFor();
      await carol.updateProfile({ displayName: 'Carol Danvers' });
      await chat.getByText('Carol Danvers').waitFor();
      await page.goto(`${world.node.url}/chat/carol`);
      await page.getByRole('heading', { name: 'Carol Danvers' }).waitFor();
      // While her conversation is open, without a reload.
      await carol.updateProfile({ displayName: 'Captain Marvel' });
      await page.getByRole('heading', { name: 'Captain Marvel' }).waitFor();
      await chat.getByText('Captain Marvel').waitFor();
      await said(alice, 'Hello from carol').waitFor();
      expectConsole(alice, []);
    }, 90_000);
  },
);
