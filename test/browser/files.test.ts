import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { hasGpsTag, jpegWithGps, tinyPdf } from '../helpers/files.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import { PASSWORD, startWorld, type BrowserWorld, type Person } from './harness.js';

/**
 * Files in the web client: attach a photo and a PDF in a direct chat and in a
 * room; the other person sees the picture inline (and large in the lightbox),
 * the PDF as a card with a download link that works; an outsider cannot fetch.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `files in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;
    const sdk: Record<string, ParleyClient> = {};

    async function login(name: string): Promise<ParleyClient> {
      const c = world.node.client();
      await c.login(name, PASSWORD, 'test script');
      sdk[name] = c;
      return c;
    }

    /** Attaches files in the open conversation, waits until the server holds them, sends. */
    async function attachAndSend(
      p: Person,
      files: { name: string; mimeType: string; buffer: Buffer }[],
      caption: string,
    ) {
      await p.page.getByTestId('attach-input').setInputFiles(files);
      await expect.poll(() => p.page.locator('.uploads li.done').count()).toBe(files.length);
      const box = p.page.getByLabel(/^Message to/);
      await box.fill(caption);
      await box.press('Enter');
      await p.page.locator('.uploads li').first().waitFor({ state: 'detached' });
    }

    beforeAll(async () => {
      world = await startWorld({ limits: { requests_per_minute_per_address: 100_000 } });
      alice = await world.person();
      bob = await world.person();
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      await login('alice');
      await login('bob');
      const eve = world.node.client();
      await eve.register('eve', PASSWORD);
      sdk.eve = eve;
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a photo and a PDF between two people: seen inline, opened large, downloaded; not by outsiders', async () => {
      await sdk.bob!.sendMessage('alice', 'send me the pictures', 'b1');
      await alice.page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await alice.page.locator('.messages').getByText('send me the pictures').waitFor();
      await attachAndSend(
        alice,
        [
          { name: 'beach.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps() },
          { name: 'tickets.pdf', mimeType: 'application/pdf', buffer: tinyPdf() },
        ],
        'from the trip',
      );

      await bob.page.locator('[data-chat="alice"]').getByRole('button').first().click();
      const msg = bob.page.locator('.messages li.msg', { hasText: 'from the trip' });
      const img = msg.locator('.attachments img[alt="beach.jpg"]');
      await img.waitFor();
      await expect
        .poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(64);
      const card = msg.locator('.file-card', { hasText: 'tickets.pdf' });
      await card.getByRole('link', { name: 'Download' }).waitFor();
      const href = (await card.getByRole('link', { name: 'Download' }).getAttribute('href'))!;
      // The link works from Bob's page, and what it serves has no GPS.
      const fetched = await bob.page.evaluate(async (u) => {
        const r = await fetch(u);
        return {
          status: r.status,
          type: r.headers.get('content-type'),
          size: (await r.arrayBuffer()).byteLength,
        };
      }, href);
      expect(fetched).toEqual({ status: 200, type: 'application/pdf', size: tinyPdf().length });
      const photoHref = (await img.getAttribute('src'))!;
      const photo = Buffer.from(await (await fetch(world.node.url + photoHref)).arrayBuffer());
      expect(hasGpsTag(photo)).toBe(false);

      await img.click();
      await bob.page.locator('.lightbox img').waitFor();
      await bob.page.keyboard.press('Escape');
      await bob.page.locator('.lightbox').waitFor({ state: 'detached' });

      // Eve is in neither conversation: the token URL is refused.
      const history = await sdk.bob!.history('alice');
      const sent = history.messages.find((m) => m.text === 'from the trip')!;
      expect(sent.attachments).toHaveLength(2);
      for (const a of sent.attachments!) {
        const r = await fetch(world.node.url + a.url, {
          headers: { authorization: `Bearer ${sdk.eve!.token}` },
        });
        expect(r.status).toBe(404);
      }
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    }, 90_000);

    it('a photo into a room reaches the other member', async () => {
      await sdk.alice!.rooms.create('album');
      await sdk.bob!.rooms.join('album');
      await alice.page.locator('.chats [data-room="album"]').getByRole('button').first().click();
      await attachAndSend(
        alice,
        [{ name: 'group.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps() }],
        '',
      );
      await bob.page.locator('.chats [data-room="album"]').getByRole('button').first().click();
      const img = bob.page.locator('.messages .attachments img[alt="group.jpg"]');
      await img.waitFor();
      await expect
        .poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(64);
      const view = await sdk.bob!.rooms.history('album');
      const att = view.messages.at(-1)!.attachments![0]!;
      const r = await fetch(world.node.url + att.url, {
        headers: { authorization: `Bearer ${sdk.eve!.token}` },
      });
      expect(r.status).toBe(404);
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    }, 90_000);
  },
);
