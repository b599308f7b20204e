import { createHash, randomBytes } from 'node:crypto';
import type { Route } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { hasGpsTag, jpegWithGps, tinyPdf } from '../helpers/files.js';
import { CHROMIUM, HAVE_CHROMIUM, MEDIA_ARGS } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  menu,
  refusal,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Files in the web client: attach photos, a PDF and a voice note in a direct
 * chat and in a room; the other person sees the pictures inline (and large in
 * the lightbox, moving between them), the PDF as a card with a download link
 * that works, and plays the voice note; an outsider cannot fetch. Uploads
 * survive a reload and a dropped network. Chromium has a fake microphone.
 */
/** Waiting for a condition, on a machine that may be busy (vitest's default is one second). */
const WAIT = { timeout: 15_000 };

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
      await expect.poll(() => p.page.locator('.uploads li.done').count(), WAIT).toBe(files.length);
      const box = p.page.getByLabel(/^Message to/);
      await box.fill(caption);
      await box.press('Enter');
      await p.page.locator('.uploads li').first().waitFor({ state: 'detached' });
    }

    /** Records a voice note of two seconds or more and sends it. */
    async function sendVoiceNote(p: Person, shot?: string) {
      await p.page.getByRole('button', { name: 'Record a voice note' }).click();
      await expect
        .poll(() => p.page.getByRole('timer').textContent(), { timeout: 10_000 })
        .toMatch(/0:0[2-9]$/);
      if (shot) await world.shot(p, shot);
      await p.page.getByRole('button', { name: 'Send voice note' }).click();
      await p.page.locator('.voice-bar').waitFor({ state: 'detached' });
    }

    /** The newest voice note on the page plays, its length shown. */
    async function playsVoiceNote(p: Person) {
      const player = p.page.locator('.messages li.msg .audio-player').last();
      await player.waitFor();
      await expect
        .poll(() => player.locator('.audio-length').textContent(), { timeout: 15_000 })
        .toMatch(/^0:(0[1-9]|[1-5]\d)$/);
      await player.getByRole('button', { name: /^Play Voice note/ }).click();
      await expect
        .poll(() => player.locator('audio').evaluate((a) => (a as HTMLAudioElement).currentTime), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
    }

    beforeAll(async () => {
      world = await startWorld(
        { limits: { requests_per_minute_per_address: 100_000 } },
        { args: MEDIA_ARGS },
      );
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
        .poll(
          () => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
          WAIT,
        )
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

      // A voice note, recorded from the fake microphone, plays on the other side.
      await sendVoiceNote(alice);
      await playsVoiceNote(bob);

      // Eve is in neither conversation: the token URL is refused.
      const history = await sdk.bob!.history('alice');
      const sent = history.messages.find((m) => m.text === 'from the trip')!;
      expect(sent.attachments).toHaveLength(2);
      const voice = history.messages.at(-1)!.attachments!;
      expect(voice.map((a) => a.type)).toEqual(['audio/webm']);
      for (const a of [...sent.attachments!, ...voice]) {
        const r = await fetch(world.node.url + a.url, {
          headers: { authorization: `Bearer ${sdk.eve!.token}` },
        });
        expect(r.status).toBe(404);
      }
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    }, 90_000);

    it('photos, a PDF and a voice note into a room reach the other member; the lightbox moves between the photos', async () => {
      await sdk.alice!.rooms.create('album');
      await sdk.bob!.rooms.join('album');
      await alice.page.locator('.chats [data-room="album"]').getByRole('button').first().click();
      const blue = await sharp({
        create: { width: 40, height: 30, channels: 3, background: 'blue' },
      })
        .png()
        .toBuffer();
      await attachAndSend(
        alice,
        [
          { name: 'group.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps() },
          { name: 'sea.png', mimeType: 'image/png', buffer: blue },
          { name: 'plan.pdf', mimeType: 'application/pdf', buffer: tinyPdf() },
        ],
        '',
      );
      await sendVoiceNote(alice, 'files-recording');
      await bob.page.locator('.chats [data-room="album"]').getByRole('button').first().click();
      const img = bob.page.locator('.messages .attachments img[alt="group.jpg"]');
      await img.waitFor();
      await expect
        .poll(
          () => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
          WAIT,
        )
        .toBe(64);
      await bob.page.locator('.file-card', { hasText: 'plan.pdf' }).waitFor();
      await playsVoiceNote(bob);
      await world.shot(bob, 'files-room');

      // The lightbox: Right goes to the next picture, Download saves the one shown.
      await img.click();
      const box = bob.page.getByRole('dialog');
      await box.locator('img[alt="group.jpg"]').waitFor();
      await bob.page.keyboard.press('ArrowRight');
      await box.locator('img[alt="sea.png"]').waitFor();
      await box.getByText('2 / 2').waitFor();
      await world.shot(bob, 'files-lightbox');
      const shown = await box.locator('img').getAttribute('src');
      expect(await box.getByRole('link', { name: 'Download' }).getAttribute('href')).toBe(shown);
      await bob.page.keyboard.press('ArrowLeft');
      await box.locator('img[alt="group.jpg"]').waitFor();
      await bob.page.keyboard.press('Escape');
      await box.waitFor({ state: 'detached' });

      const view = await sdk.bob!.rooms.history('album');
      const files = view.messages.slice(-2).flatMap((m) => m.attachments ?? []);
      expect(files.map((a) => a.type)).toEqual([
        'image/jpeg',
        'image/png',
        'application/pdf',
        'audio/webm',
      ]);
      for (const att of files) {
        const r = await fetch(world.node.url + att.url, {
          headers: { authorization: `Bearer ${sdk.eve!.token}` },
        });
        expect(r.status).toBe(404);
      }
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    }, 90_000);

    it('a video plays inline and opens large', async () => {
      // A second of a canvas recorded by Chromium itself: a real WebM video.
      const video = Buffer.from(
        await alice.page.evaluate(async () => {
          const c = document.createElement('canvas');
          c.width = 64;
          c.height = 48;
          const ctx = c.getContext('2d')!;
          const rec = new MediaRecorder(c.captureStream(10), { mimeType: 'video/webm' });
          const parts: Blob[] = [];
          rec.ondataavailable = (e) => parts.push(e.data);
          const done = new Promise((r) => (rec.onstop = r));
          rec.start();
          for (let i = 0; i < 10; i++) {
            ctx.fillStyle = `hsl(${i * 36} 80% 50%)`;
            ctx.fillRect(0, 0, 64, 48);
            await new Promise((r) => setTimeout(r, 60));
          }
          rec.stop();
          await done;
          const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
          return Array.from(bytes);
        }),
      );
      await alice.page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await attachAndSend(
        alice,
        [{ name: 'clip.webm', mimeType: 'video/webm', buffer: video }],
        'a clip',
      );
      await bob.page.locator('[data-chat="alice"]').getByRole('button').first().click();
      const msg = bob.page.locator('.messages li.msg', { hasText: 'a clip' });
      await msg.locator('video[aria-label="clip.webm"]').waitFor();
      await msg.getByRole('button', { name: 'Open clip.webm large' }).click();
      await bob.page.getByRole('dialog').locator('video[aria-label="clip.webm"]').waitFor();
      await bob.page.keyboard.press('Escape');
      await bob.page.getByRole('dialog').waitFor({ state: 'detached' });
      const last = (await sdk.bob!.history('alice')).messages.find((m) => m.text === 'a clip');
      expect(last?.attachments?.[0]?.type).toBe('video/webm');
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    }, 60_000);

    it('a refused microphone is said in words, and nothing is sent', async () => {
      await alice.page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await alice.page.evaluate(() => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      });
      await alice.page.getByRole('button', { name: 'Record a voice note' }).click();
      const alert = alice.page
        .getByRole('alert')
        .filter({ hasText: 'may not use your microphone' });
      await alert.waitFor();
      expect(await alice.page.locator('.voice-bar, .uploads li').count()).toBe(0);
      await alert.getByRole('button', { name: 'Dismiss' }).click();
      await alert.waitFor({ state: 'detached' });
      await alice.page.reload();
      expect(alice.errors).toEqual([]);
    }, 60_000);

    it('an upload cut off by a reload resumes at the server offset; Send while it uploads sends once stored', async () => {
      const MiB = 1 << 20;
      const bytes = randomBytes(3 * MiB + 100);
      const page = alice.page;
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      // The chunk at `holdAt` gets no answer until the test lets it go.
      const held: Route[] = [];
      let holdAt = String(MiB);
      await page.route('**/api/v1/uploads/*', async (route) => {
        const req = route.request();
        if (req.method() === 'PATCH' && req.headers()['upload-offset'] === holdAt) held.push(route);
        else await route.continue();
      });
      await page
        .getByTestId('attach-input')
        .setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: bytes }]);
      await expect.poll(() => held.length, WAIT).toBe(1);
      // The page is reloaded while the second chunk waits.
      holdAt = String(2 * MiB);
      const offsets: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'PATCH' && r.url().includes('/api/v1/uploads/'))
          offsets.push(r.headers()['upload-offset']!);
      });
      await page.reload();
      for (const r of held.splice(0)) await r.abort().catch(() => {});
      // Not from the start: from the MiB the server held.
      await expect.poll(() => offsets[0], { timeout: 15_000 }).toBe(String(MiB));
      await expect.poll(() => held.length, { timeout: 15_000 }).toBe(1);
      const box = page.getByLabel(/^Message to/);
      await box.fill('after the reload');
      await box.press('Enter');
      await page.getByRole('status').filter({ hasText: 'once the files are uploaded' }).waitFor();
      holdAt = '';
      await held[0]!.continue();
      await page.locator('.uploads li').first().waitFor({ state: 'detached' });
      expect(await box.inputValue()).toBe('');
      await page.unroute('**/api/v1/uploads/*');

      const stored = async () =>
        (await sdk.bob!.history('alice')).messages.find((m) => m.text === 'after the reload');
      await expect.poll(stored, { timeout: 10_000 }).toBeTruthy();
      const att = (await stored())!.attachments![0]!;
      const got = Buffer.from(await (await sdk.bob!.files.fetch(att.id)).arrayBuffer());
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sha(got)).toBe(sha(bytes));
      // Sent, it is gone from the draft: another reload brings nothing back.
      await page.reload();
      await page.getByLabel(/^Message to/).waitFor();
      expect(await page.locator('.uploads li').count()).toBe(0);
      // A request the reload cut short may be logged (timing): not the page's error, and
      // the later tests' console checks start without it.
      const cut = 'Failed to load resource: net::ERR_FAILED';
      expectConsole(alice, [], [cut]);
      for (let i = alice.errors.indexOf(cut); i >= 0; i = alice.errors.indexOf(cut))
        alice.errors.splice(i, 1);
    }, 90_000);

    it('a voice note cut off by a reload stays a voice note: it goes alone once stored, not with the draft', async () => {
      const page = alice.page;
      await sdk.bob!.sendMessage('alice', 'say it, do not type it', 'bv1');
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await page.locator('.messages').getByText('say it, do not type it').waitFor();
      const lastBefore = (await sdk.bob!.history('alice')).messages.at(-1)?.id;
      // Its upload gets no answer until the page is reloaded.
      const held: Route[] = [];
      let holding = true;
      await page.route('**/api/v1/uploads/*', async (route) => {
        if (holding && route.request().method() === 'PATCH') held.push(route);
        else await route.continue();
      });
      const box = page.getByLabel(/^Message to/);
      await box.fill('typed while it uploaded');
      await sendVoiceNote(alice);
      await expect.poll(() => held.length, WAIT).toBe(1);
      // Said as a voice note with its length, not by its file name.
      const chip = page.locator('.uploads li.voice');
      expect(await chip.locator('.voice-length').textContent()).toMatch(/^0:0[2-9]$/);
      expect(await chip.textContent()).toContain('Voice note');

      holding = false;
      await page.reload();
      for (const r of held.splice(0)) await r.abort().catch(() => {});
      // Resumed after the reload and sent alone once stored, as a voice note; the
      // draft's text stays to be sent by its writer.
      const newest = async () => (await sdk.bob!.history('alice')).messages.at(-1);
      await expect.poll(async () => (await newest())?.id !== lastBefore, WAIT).toBe(true);
      const voice = (await newest())!;
      expect(voice.text).toBe('');
      expect(voice.attachments?.map((a) => a.type)).toEqual(['audio/webm']);
      expect(voice.attachments?.[0]?.name).toMatch(/^Voice note /);
      await page
        .locator('.uploads li')
        .first()
        .waitFor({ state: 'detached', ...WAIT });
      expect(await box.inputValue()).toBe('typed while it uploaded');
      await box.press('Enter');
      await expect.poll(async () => (await newest())?.text, WAIT).toBe('typed while it uploaded');
      const all = (await sdk.bob!.history('alice')).messages;
      expect((await newest())?.attachments ?? []).toEqual([]);
      // Sent once, not once more by the reload.
      const id = voice.attachments![0]!.id;
      expect(all.filter((m) => m.attachments?.some((a) => a.id === id))).toHaveLength(1);
      await bob.page.locator('[data-chat="alice"]').getByRole('button').first().click();
      await playsVoiceNote(bob);
      await page.unroute('**/api/v1/uploads/*');
      // A request the reload cut short may be logged (timing): not the page's error.
      const cut = 'Failed to load resource: net::ERR_FAILED';
      expectConsole(alice, [], [cut]);
      for (let i = alice.errors.indexOf(cut); i >= 0; i = alice.errors.indexOf(cut))
        alice.errors.splice(i, 1);
      expect(bob.errors).toEqual([]);
    }, 90_000);

    it('an upload cut off by a network drop says so, and Retry finishes it', async () => {
      const page = alice.page;
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await page.route('**/api/v1/uploads/*', (route) =>
        route.request().method() === 'PATCH'
          ? route.abort('internetdisconnected')
          : route.continue(),
      );
      await page
        .getByTestId('attach-input')
        .setInputFiles([{ name: 'notes.pdf', mimeType: 'application/pdf', buffer: tinyPdf() }]);
      const failed = page.locator('.uploads li.failed', { hasText: 'notes.pdf' });
      await failed.waitFor({ timeout: 30_000 });
      expect(await failed.textContent()).toContain('the server cannot be reached');
      await page.unroute('**/api/v1/uploads/*');
      await failed.getByRole('button', { name: 'Retry' }).click();
      await page.locator('.uploads li.done', { hasText: 'notes.pdf' }).waitFor();
      const box = page.getByLabel(/^Message to/);
      await box.fill('notes, again');
      await box.press('Enter');
      await bob.page.locator('[data-chat="alice"]').getByRole('button').first().click();
      await bob.page
        .locator('.messages li.msg', { hasText: 'notes, again' })
        .locator('.file-card', { hasText: 'notes.pdf' })
        .waitFor();
      const drops = alice.errors.filter((e) => e.includes('ERR_INTERNET_DISCONNECTED'));
      expect(drops.length).toBeGreaterThan(0);
      expectConsole(alice, drops);
      alice.errors.length = 0;
    }, 90_000);

    it('a big picture keeps its box while it loads, drawn from a thumbnail or the picture', async () => {
      const big = await sharp({
        create: { width: 1200, height: 900, channels: 3, background: 'green' },
      })
        .jpeg()
        .toBuffer();
      await alice.page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await attachAndSend(
        alice,
        [{ name: 'wide.jpg', mimeType: 'image/jpeg', buffer: big }],
        'big',
      );
      await bob.page.locator('[data-chat="alice"]').getByRole('button').first().click();
      const pic = bob.page.locator('.messages .attachments .picture', {
        has: bob.page.locator('img[alt="wide.jpg"]'),
      });
      await pic.waitFor();
      // 1200 x 900 fitted into 320 x 240, whether or not the bytes are there yet.
      const size = await pic.evaluate((el) => [el.clientWidth, el.clientHeight]);
      expect(size).toEqual([320, 240]);
      const img = pic.locator('img');
      await expect
        .poll(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth), WAIT)
        .toBeGreaterThan(0);
      // A thumbnail (320 or 640 wide), or the picture itself where the server has none.
      expect([320, 640, 1200]).toContain(
        await img.evaluate((i) => (i as HTMLImageElement).naturalWidth),
      );
      // Until the server makes thumbnails, asking for one is a 404 and the picture is drawn.
      expectConsole(alice, [], [refusal('404 (Not Found)')]);
      expectConsole(bob, [], [refusal('404 (Not Found)')]);
    }, 60_000);

    it('a picture with a blurhash shows it, at its size, until the picture arrives', async () => {
      const page = bob.page;
      // As a server with placeholders would send it: the attachment carries a blurhash.
      await page.route('**/api/v1/conversations/alice/messages*', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as {
          messages: { attachments?: { name: string; blurhash?: string }[] }[];
        };
        for (const m of body.messages)
          for (const a of m.attachments ?? [])
            if (a.name === 'wide.jpg') a.blurhash = 'LEHV6nWB2yk8pyo0adR*.7kCMdnj';
        await route.fulfill({ response: res, json: body });
      });
      // The picture's bytes wait until the placeholder has been seen.
      const held: Route[] = [];
      let hold = true;
      await page.route('**/f/**', (route) => {
        if (hold) held.push(route);
        else void route.continue();
      });
      await page.reload();
      const pic = page.locator('.messages .picture', { has: page.locator('img[alt="wide.jpg"]') });
      const canvas = pic.locator('canvas.placeholder');
      await canvas.waitFor();
      // Painted (opaque pixels), and the box already has the picture's size.
      await expect
        .poll(
          () =>
            canvas.evaluate(
              (c) => (c as HTMLCanvasElement).getContext('2d')!.getImageData(5, 5, 1, 1).data[3],
            ),
          WAIT,
        )
        .toBe(255);
      expect(await pic.evaluate((el) => [el.clientWidth, el.clientHeight])).toEqual([320, 240]);
      hold = false;
      for (const r of held.splice(0)) await r.continue().catch(() => {});
      await canvas.waitFor({ state: 'detached' });
      await page.unroute('**/f/**');
      await page.unroute('**/api/v1/conversations/alice/messages*');
      expectConsole(bob, [], [refusal('404 (Not Found)')]);
    }, 60_000);

    it('files kept with a draft survive switching chats, and signing out forgets them', async () => {
      const page = alice.page;
      const kept = () =>
        page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const req = indexedDB.open('parley-uploads', 1);
              req.onsuccess = () => {
                const count = req.result.transaction('files').objectStore('files').count();
                count.onsuccess = () => resolve(count.result);
              };
            }),
        );
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await page
        .getByTestId('attach-input')
        .setInputFiles([{ name: 'draft.pdf', mimeType: 'application/pdf', buffer: tinyPdf() }]);
      await page.locator('.uploads li.done', { hasText: 'draft.pdf' }).waitFor();
      await expect.poll(kept, WAIT).toBe(1);
      // Another chat has no such file; back here it is still there.
      await page.locator('.chats [data-room="album"]').getByRole('button').first().click();
      await page.getByLabel('Message to #album').waitFor();
      expect(await page.locator('.uploads li').count()).toBe(0);
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await page.locator('.uploads li.done', { hasText: 'draft.pdf' }).waitFor();

      await menu(alice, 'Sign out');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expect.poll(kept, WAIT).toBe(0);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await page.getByLabel(/^Message to/).waitFor();
      expect(await page.locator('.uploads li').count()).toBe(0);
      // The big picture of the test before is drawn again: its thumbnail may still be missing.
      expectConsole(alice, [], [refusal('404 (Not Found)')]);
    }, 60_000);

    it('a file dropped anywhere on the conversation is attached to the message being written', async () => {
      const page = alice.page;
      await page.locator('[data-chat="bob"]').getByRole('button').first().click();
      await page.getByLabel(/^Message to/).waitFor();
      const list = page.locator('.conversation .messages');
      const transfer = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['dropped notes'], 'dropped.txt', { type: 'text/plain' }));
        return dt;
      });
      await list.dispatchEvent('dragover', { dataTransfer: transfer });
      await page.locator('.conversation.dropping').waitFor();
      await list.dispatchEvent('drop', { dataTransfer: transfer });
      await page.locator('.uploads li.done', { hasText: 'dropped.txt' }).waitFor();
      expect(await page.locator('.conversation.dropping').count()).toBe(0);
      const box = page.getByLabel(/^Message to/);
      await box.fill('dropped in');
      await box.press('Enter');
      const seen = bob.page.locator('.messages li.msg', { hasText: 'dropped in' });
      await bob.page.locator('[data-chat="alice"]').getByRole('button').first().click();
      await seen.getByText('dropped.txt').waitFor();
    }, 60_000);
  },
);
