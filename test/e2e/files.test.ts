import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { thumbLink } from '../../src/sdk/files.js';
import type { Attachment } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend, tempDir } from '../helpers/backends.js';
import { hasGpsTag, jpegWithGps, pngBomb, tinyPdf } from '../helpers/files.js';
import { ircLogin, ircPort } from '../helpers/irc.js';
import { startLocalS3 } from '../helpers/s3.js';
import { refusedWith, signUp, type Person } from '../helpers/people.js';
import { startNode, type TestNode, uname } from '../helpers/server.js';

/** A JSON answer, read loosely (the test checks what it needs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const LIMITS = { limits: { requests_per_minute_per_address: 100_000 } };

/**
 * The backend's database with a data directory of this suite's own: the PostgreSQL
 * backend's is the shared temp directory, and these tests count the blobs in it.
 */
function ownDataDir<T extends { dataDir: string; cleanup: () => Promise<void> }>(db: T): T {
  const t = tempDir('parley-files-');
  return {
    ...db,
    dataDir: t.dir,
    cleanup: async () => {
      await db.cleanup();
      t.cleanup();
    },
  };
}

/** Every blob on the node's disk (data.dir/files/blobs/xx/<sha256>). */
function blobsOn(dataDir: string): string[] {
  const root = join(dataDir, 'files', 'blobs');
  let out: string[] = [];
  try {
    for (const d of readdirSync(root)) out = out.concat(readdirSync(join(root, d)));
  } catch {
    /* none yet */
  }
  return out;
}

/**
 * Where the blobs live: every test below runs on the local disk and on an S3
 * bucket (a local s3rver), counting the blobs where they are.
 */
const STORAGES = [
  {
    name: 'disk',
    async start() {
      return {
        files: {},
        blobs: (dataDir: string) => blobsOn(dataDir),
        stop: async () => {},
      };
    },
  },
  {
    name: 'S3',
    async start() {
      const s3 = await startLocalS3();
      return { files: s3.config, blobs: () => s3.objects('blobs'), stop: () => s3.stop() };
    },
  },
];

async function get(
  node: TestNode,
  path: string,
  token?: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(node.url + path, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function begin(node: TestNode, c: ParleyClient, body: Record<string, unknown>) {
  const res = await fetch(`${node.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function patch(node: TestNode, c: ParleyClient, id: string, offset: number, bytes: Buffer) {
  const res = await fetch(`${node.url}/api/v1/uploads/${id}`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${c.token}`,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
    },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

for (const backend of everyStoreBackend())
  for (const storage of STORAGES)
    describeOn(backend)(`files (${backend.name}, ${storage.name})`, () => {
      let db: ReturnType<typeof backend.make>;
      let node: TestNode;
      let a: Person, b: Person, eve: Person;
      let blobs: Awaited<ReturnType<(typeof storage)['start']>>;
      let config: typeof LIMITS & { files: Record<string, unknown> };
      const blobsOn = (dataDir: string) => blobs.blobs(dataDir);
      beforeAll(async () => {
        db = ownDataDir(backend.make());
        blobs = await storage.start();
        config = { ...LIMITS, files: blobs.files };
        node = await startNode({ db, config });
        [a, b, eve] = (await signUp(node, 3, 'fl')) as [Person, Person, Person];
      });
      afterAll(async () => {
        await node?.stop();
        await db.cleanup();
        await blobs?.stop();
      });

      it('a photo reaches the other person without its GPS position, and nobody else can fetch it', async () => {
        const photo = await jpegWithGps();
        expect(hasGpsTag(photo)).toBe(true);
        expect(photo.includes('SpyCam')).toBe(true);
        const file = await a.c.files.upload({ to: b.name }, 'holiday.jpg', photo);
        expect(file).toMatchObject({
          name: 'holiday.jpg',
          type: 'image/jpeg',
          width: 64,
          height: 48,
        });
        const sent = await a.c.sendMessage(b.name, 'look', 'ph1', undefined, [file.id]);
        expect(sent.message.attachments).toEqual([file]);

        // b sees it in the conversation and opens it with their token.
        const page = await b.c.history(a.name);
        const got = page.messages.find((m) => m.id === sent.message.id)!;
        expect(got.attachments?.[0]).toMatchObject({ id: file.id, name: 'holiday.jpg' });
        const { res, body } = await get(node, file.url, b.c.token);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="holiday.jpg"/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
        expect(res.headers.get('cache-control')).toMatch(/private/);
        expect(hasGpsTag(body)).toBe(false);
        expect(body.includes('SpyCam')).toBe(false);
        expect((await sharp(body).metadata()).exif).toBeUndefined();
        expect(await sharp(body).metadata()).toMatchObject({
          width: 64,
          height: 48,
          format: 'jpeg',
        });

        // The capability link needs no token; someone outside the conversation gets nothing.
        expect((await get(node, file.link)).res.status).toBe(200);
        expect((await get(node, file.url, eve.c.token)).res.status).toBe(404);
        expect((await get(node, file.url)).res.status).toBe(401);
        expect((await get(node, `${file.link.slice(0, -4)}AAAA`)).res.status).toBe(404);
      });

      it('a PDF is a download; Range and ETag work; deleting the message kills both URLs and the blob', async () => {
        const before = blobsOn(db.dataDir).length;
        const pdf = tinyPdf();
        const file = await a.c.files.upload({ to: b.name }, '../../etc/report.pdf', pdf);
        expect(file).toMatchObject({
          name: 'report.pdf',
          type: 'application/pdf',
          size: pdf.length,
        });
        const sent = await a.c.sendMessage(b.name, '', 'pdf1', undefined, [file.id]);
        expect(sent.message.text).toBe('');
        const { res, body } = await get(node, file.url, b.c.token);
        expect(res.headers.get('content-disposition')).toMatch(
          /^attachment; filename="report.pdf"/,
        );
        expect(body.equals(pdf)).toBe(true);
        const part = await get(node, file.url, b.c.token, { range: 'bytes=0-7' });
        expect(part.res.status).toBe(206);
        expect(part.res.headers.get('content-range')).toBe(`bytes 0-7/${pdf.length}`);
        expect(part.body.toString()).toBe('%PDF-1.4');
        const tail = await get(node, file.url, b.c.token, { range: 'bytes=-6' });
        expect(tail.body.toString()).toBe('%%EOF\n');
        expect((await get(node, file.url, b.c.token, { range: 'bytes=99999-' })).res.status).toBe(
          416,
        );
        const etag = res.headers.get('etag')!;
        expect((await get(node, file.url, b.c.token, { 'if-none-match': etag })).res.status).toBe(
          304,
        );
        expect(blobsOn(db.dataDir).length).toBe(before + 1);

        await a.c.deleteMessage(sent.message.id);
        const gone = (await b.c.history(a.name)).messages.find((m) => m.id === sent.message.id)!;
        expect(gone.attachments).toBeUndefined();
        expect((await get(node, file.url, b.c.token)).res.status).toBe(404);
        expect((await get(node, file.link)).res.status).toBe(404);
        // The blob goes with the last file that shares it (the hook runs after the reply).
        await expect.poll(() => blobsOn(db.dataDir).length).toBe(before);
      });

      it('the same bytes twice are stored once, and stay while one message still shares them', async () => {
        const bytes = Buffer.from(`shared notes ${uname('n')}\n`);
        const before = blobsOn(db.dataDir).length;
        const f1 = await a.c.files.upload({ to: b.name }, 'notes.txt', bytes);
        const f2 = await a.c.files.upload({ to: b.name }, 'copy.txt', bytes);
        expect(f1.id).not.toBe(f2.id);
        expect(blobsOn(db.dataDir).length).toBe(before + 1);
        const m1 = await a.c.sendMessage(b.name, 'one', 'dup1', undefined, [f1.id]);
        await a.c.sendMessage(b.name, 'two', 'dup2', undefined, [f2.id]);
        await a.c.deleteMessage(m1.message.id);
        await expect.poll(async () => (await get(node, f1.url, b.c.token)).res.status).toBe(404);
        const still = await get(node, f2.url, b.c.token);
        expect(still.res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(still.body.equals(bytes)).toBe(true);
        expect(blobsOn(db.dataDir).length).toBe(before + 1);
      });

      it('in a room: members fetch, a non-member, a kicked and a banned member cannot', async () => {
        const room = uname('files');
        const [m1, m2] = (await signUp(node, 2, 'rm')) as [Person, Person];
        await a.c.rooms.create(room);
        await b.c.rooms.join(room);
        await m1.c.rooms.join(room);
        await m2.c.rooms.join(room);
        const photo = await jpegWithGps();
        const file = await a.c.files.upload({ room }, 'group.jpg', photo);
        const sent = await a.c.rooms.send(room, 'us', 'r1', undefined, [file.id]);
        expect(sent.message.attachments?.[0]?.id).toBe(file.id);
        expect((await get(node, file.url, b.c.token)).res.status).toBe(200);
        expect((await get(node, file.url, eve.c.token)).res.status).toBe(404);
        await a.c.rooms.kick(room, m1.name);
        await a.c.rooms.ban(room, m2.name);
        expect((await get(node, file.url, m1.c.token)).res.status).toBe(404);
        expect((await get(node, file.url, m2.c.token)).res.status).toBe(404);
        // A file uploaded for a room cannot be sent elsewhere; a non-member cannot upload into it.
        await refusedWith(a.c.sendMessage(b.name, 'x', 'r2', undefined, [file.id]), 'bad-request');
        await refusedWith(eve.c.files.upload({ room }, 'x.txt', Buffer.from('x')), 'forbidden');
        // Someone else's file cannot be attached.
        const mine = await b.c.files.upload({ to: a.name }, 'b.txt', Buffer.from('from b'));
        await refusedWith(a.c.sendMessage(b.name, 'x', 'r3', undefined, [mine.id]), 'not-found');
      });

      it('an upload resumes where a dropped connection left it', async () => {
        const bytes = Buffer.alloc(300_000, 7);
        bytes.write('resumable', 0);
        const { json } = await begin(node, a.c, {
          name: 'big.bin',
          size: bytes.length,
          to: b.name,
        });
        const id = json.upload.id as string;
        // 100,000 bytes, then the connection dies mid-body.
        await new Promise<void>((resolve) => {
          const port = Number(new URL(node.url).port);
          const s = connect(port, '127.0.0.1', () => {
            s.write(
              `PATCH /api/v1/uploads/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.c.token}\r\n` +
                `Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: ${bytes.length}\r\n\r\n`,
            );
            s.write(bytes.subarray(0, 100_000), () => setImmediate(() => s.destroy()));
          });
          s.on('close', () => resolve());
        });
        await expect.poll(async () => (await a.c.files.status(id)).offset).toBeGreaterThan(0);
        const at = (await a.c.files.status(id)).offset;
        expect(at).toBeLessThanOrEqual(100_000);
        // A wrong offset is refused; the right one continues.
        expect((await patch(node, a.c, id, at + 1, bytes.subarray(at + 1))).status).toBe(409);
        const file = await a.c.files.upload({ to: b.name }, 'big.bin', bytes, { resume: id });
        expect(file.size).toBe(bytes.length);
        const sent = await a.c.sendMessage(b.name, 'big', 'big1', undefined, [file.id]);
        expect(sent.message.attachments?.[0]?.type).toBe('application/octet-stream');
        expect((await get(node, file.url, b.c.token)).body.equals(bytes)).toBe(true);
      });

      it('hostile uploads: a 10 GB claim, extra bytes, a bomb, a polyglot, SVG with script, tricky names', async () => {
        const tenGb = await begin(node, a.c, { name: 'huge', size: 10 * 2 ** 30, to: b.name });
        expect(tenGb.status).toBe(413);
        expect(tenGb.json.error.condition).toBe('too-large');
        for (const size of [0, -1, 1.5, 'ten'])
          expect((await begin(node, a.c, { name: 'x', size, to: b.name })).status).toBe(400);
        expect((await begin(node, a.c, { name: 'x', size: 1, to: b.name, extra: 1 })).status).toBe(
          400,
        );
        expect((await begin(node, a.c, { name: 'x', size: 1, to: b.name, room: 'r' })).status).toBe(
          400,
        );

        // More bytes than declared: refused, and the upload is where it was.
        const small = await begin(node, a.c, { name: 's.txt', size: 5, to: b.name });
        const over = await patch(node, a.c, small.json.upload.id, 0, Buffer.from('0123456789'));
        expect(over.status).toBe(413);
        expect((await a.c.files.status(small.json.upload.id)).offset).toBe(0);
        // Not the upload's content type: refused before any byte is read.
        const wrongType = await fetch(`${node.url}/api/v1/uploads/${small.json.upload.id}`, {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${a.c.token}`,
            'content-type': 'text/plain',
            'upload-offset': '0',
          },
          body: 'hello',
        });
        expect(wrongType.status).toBe(415);
        // Someone else's upload does not exist for you.
        expect((await patch(node, eve.c, small.json.upload.id, 0, Buffer.from('hi'))).status).toBe(
          404,
        );

        await refusedWith(a.c.files.upload({ to: b.name }, 'bomb.png', pngBomb()), 'too-large');

        const polyglot = Buffer.concat([
          await jpegWithGps(),
          Buffer.from('<html><script>alert(document.cookie)</script></html>'),
        ]);
        const poly = await a.c.files.upload({ to: b.name }, 'poly.jpg', polyglot);
        await a.c.sendMessage(b.name, '', 'poly1', undefined, [poly.id]);
        const polyBody = (await get(node, poly.url, b.c.token)).body;
        expect(polyBody.includes('<script')).toBe(false);
        // Image magic in front of HTML: not an image at all.
        await refusedWith(
          a.c.files.upload(
            { to: b.name },
            'fake.gif',
            Buffer.from('GIF89a<html><script>alert(1)</script>'),
          ),
          'unsupported-type',
        );

        const svg = Buffer.from(
          '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        );
        const s = await a.c.files.upload({ to: b.name }, 'pic.svg', svg);
        expect(s.type).toBe('image/svg+xml');
        await a.c.sendMessage(b.name, '', 'svg1', undefined, [s.id]);
        const served = await get(node, s.url, b.c.token);
        expect(served.res.headers.get('content-disposition')).toMatch(/^attachment;/);
        expect(served.res.headers.get('content-security-policy')).toMatch(
          /default-src 'none'.*sandbox/,
        );
        expect(served.res.headers.get('x-content-type-options')).toBe('nosniff');

        const names: [string, string][] = [
          ['..\\..\\boot.ini', 'boot.ini'],
          ['/etc/passwd', 'passwd'],
          ['\u202Egnp.exe', 'gnp.exe'],
          ['...', 'file'],
          ['a\u0000b\r\nc.txt', 'abc.txt'],
        ];
        for (const [given, kept] of names) {
          const f = await a.c.files.upload({ to: b.name }, given, Buffer.from('n'));
          expect(f.name).toBe(kept);
        }
        // Nothing ever lands outside data.dir/files.
        expect(readdirSync(join(db.dataDir, 'files')).sort()).toEqual(['blobs', 'partial', 'tmp']);
      });

      it('an IRC user in the room gets a line with the file and a link that works without a login', async () => {
        const room = uname('ircf');
        await a.c.rooms.create(room);
        await b.c.rooms.join(room);
        const irc = await ircLogin(ircPort(node), b.name, 'password123');
        try {
          irc.send(`JOIN #${room}`);
          await irc.command('366', 'names');
          const file = await a.c.files.upload({ room }, 'Plan B.pdf', tinyPdf());
          await a.c.rooms.send(room, 'the plan', 'irc1', undefined, [file.id]);
          await irc.wait(
            (l) => l.command === 'PRIVMSG' && l.params[1] === 'the plan',
            'the caption',
          );
          const line = await irc.wait(
            (l) =>
              l.command === 'PRIVMSG' &&
              l.params[0] === `#${room}` &&
              (l.params[1] ?? '').startsWith('[file] '),
            'the file line',
          );
          expect(line.params[1]).toMatch(
            /^\[file\] Plan B\.pdf \(application\/pdf, \d+ B\) http:\/\/127\.0\.0\.1:\d+\/f\//,
          );
          const url = line.params[1]!.split(' ').pop()!;
          const res = await fetch(url);
          expect(res.status).toBe(200);
          expect(Buffer.from(await res.arrayBuffer()).equals(tinyPdf())).toBe(true);
        } finally {
          irc.close();
        }
      });

      it('the sweep drops abandoned uploads and files never sent, and keeps sent ones', async () => {
        const kept = await a.c.files.upload({ to: b.name }, 'kept.txt', Buffer.from('kept'));
        await a.c.sendMessage(b.name, 'kept', 'sweep1', undefined, [kept.id]);
        const unsent = await a.c.files.upload({ to: b.name }, 'unsent.txt', Buffer.from('unsent'));
        const { json } = await begin(node, a.c, { name: 'half.bin', size: 10, to: b.name });
        await patch(node, a.c, json.upload.id, 0, Buffer.from('12345'));
        // A day later (the sweep runs every ten minutes with the real clock).
        await node.parley.core.files.sweep(Date.now() + 25 * 3600_000);
        expect((await get(node, unsent.url, a.c.token)).res.status).toBe(404);
        await refusedWith(a.c.files.status(json.upload.id), 'not-found');
        expect((await get(node, kept.url, b.c.token)).res.status).toBe(200);
      });

      it('files survive a restart', async () => {
        const pdf = tinyPdf();
        const file = await a.c.files.upload({ to: b.name }, 'keep.pdf', pdf);
        await a.c.sendMessage(b.name, 'keep', 'keep1', undefined, [file.id]);
        await node.stop();
        node = await startNode({ db, config });
        const c = node.client(b.c.token);
        const page = await c.history(a.name);
        const att = page.messages.find((m) => m.clientId === 'keep1')!
          .attachments![0] as Attachment;
        expect((await get(node, att.url, b.c.token)).body.equals(pdf)).toBe(true);
        a.c = node.client(a.c.token);
        b.c = c;
        eve.c = node.client(eve.c.token);
      });

      it('an image has a blurhash and thumbnails of 160, 320 and 640 px, made once, for readers only', async () => {
        const bytes = await sharp({
          create: { width: 1000, height: 600, channels: 3, background: { r: 20, g: 120, b: 200 } },
        })
          .png()
          .toBuffer();
        const file = await a.c.files.upload({ to: b.name }, 'sky.png', bytes);
        expect(file).toMatchObject({ type: 'image/png', width: 1000, height: 600 });
        expect(isBlurhashValid(file.blurhash!).result).toBe(true);
        const sent = await a.c.sendMessage(b.name, 'sky', 'th1', undefined, [file.id]);
        expect(sent.message.attachments?.[0]?.blurhash).toBe(file.blurhash);
        const page = await b.c.history(a.name);
        expect(page.messages.find((m) => m.clientId === 'th1')!.attachments?.[0]?.blurhash).toBe(
          file.blurhash,
        );

        const t320 = await get(node, `${file.url}/thumb/320`, b.c.token);
        expect(t320.res.status).toBe(200);
        expect(t320.res.headers.get('content-type')).toBe('image/webp');
        expect(t320.res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(t320.res.headers.get('content-security-policy')).toMatch(/sandbox/);
        expect(t320.res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
        expect(await sharp(t320.body).metadata()).toMatchObject({
          format: 'webp',
          width: 320,
          height: 192,
        });
        // Made once: the second answer is the cached bytes, and If-None-Match is answered 304.
        const again = await get(node, thumbLink(file, 300), undefined);
        expect(again.res.status).toBe(200);
        expect(again.body.equals(t320.body)).toBe(true);
        const etag = t320.res.headers.get('etag')!;
        expect(
          (await get(node, `${file.url}/thumb/320`, b.c.token, { 'if-none-match': etag })).res
            .status,
        ).toBe(304);
        const t640 = await get(node, `${file.link}/thumb/640`);
        expect(await sharp(t640.body).metadata()).toMatchObject({ width: 640, height: 384 });

        // Never upscaled; sizes other than the three are refused; non-images have none.
        const small = await a.c.files.upload(
          { to: b.name },
          'dot.png',
          await sharp({
            create: { width: 100, height: 50, channels: 3, background: 'white' },
          })
            .png()
            .toBuffer(),
        );
        await a.c.sendMessage(b.name, '', 'th2', undefined, [small.id]);
        const s640 = await get(node, `${small.url}/thumb/640`, b.c.token);
        expect(await sharp(s640.body).metadata()).toMatchObject({ width: 100, height: 50 });
        expect((await get(node, `${file.url}/thumb/100`, b.c.token)).res.status).toBe(400);
        expect((await get(node, `${file.url}/thumb/x`, b.c.token)).res.status).toBe(400);
        const pdf = await a.c.files.upload({ to: b.name }, 'doc.pdf', tinyPdf());
        await a.c.sendMessage(b.name, '', 'th3', undefined, [pdf.id]);
        expect((await get(node, `${pdf.url}/thumb/160`, b.c.token)).res.status).toBe(404);

        // The same access rules as the file: nobody else, no wrong secret, none once deleted.
        expect((await get(node, `${file.url}/thumb/160`, eve.c.token)).res.status).toBe(404);
        expect((await get(node, `${file.url}/thumb/160`)).res.status).toBe(401);
        expect((await get(node, `${file.link.slice(0, -4)}AAAA/thumb/160`)).res.status).toBe(404);
        await a.c.deleteMessage(sent.message.id);
        expect((await get(node, `${file.link}/thumb/320`)).res.status).toBe(404);
        expect((await get(node, `${file.url}/thumb/320`, b.c.token)).res.status).toBe(404);
      });
    });

describe('file limits', () => {
  const backend = everyStoreBackend()[0]!;
  let db: ReturnType<typeof backend.make>;
  let node: TestNode;
  let a: Person, b: Person;
  beforeAll(async () => {
    db = ownDataDir(backend.make());
    node = await startNode({
      db,
      config: {
        ...LIMITS,
        files: {
          max_file_bytes: 1000,
          user_quota_bytes: 2500,
          uploads_per_minute: 4,
          allowed_types: ['image/*', 'text/plain'],
        },
      },
    });
    [a, b] = (await signUp(node, 2, 'lim')) as [Person, Person];
  });
  afterAll(async () => {
    await node?.stop();
    await db.cleanup();
  });

  it('refuses past the size, the quota, the rate and the accepted types, each with its own condition', async () => {
    await refusedWith(a.c.files.upload({ to: b.name }, 'big', Buffer.alloc(1001)), 'too-large');
    await refusedWith(
      a.c.files.upload({ to: b.name }, 'doc.pdf', tinyPdf()),
      'unsupported-type',
      /application\/pdf/,
    );
    await a.c.files.upload({ to: b.name }, '1.txt', Buffer.alloc(1000, 97));
    await a.c.files.upload({ to: b.name }, '2.txt', Buffer.alloc(1000, 98));
    expect(await a.c.files.quota()).toEqual({ used: 2000, quota: 2500, maxFileBytes: 1000 });
    await refusedWith(
      a.c.files.upload({ to: b.name }, '3.txt', Buffer.alloc(1000, 99)),
      'quota-exceeded',
    );
    // b has the whole quota, not the rate: four uploads a minute.
    await b.c.files.upload({ to: a.name }, '1.txt', Buffer.from('1'));
    await b.c.files.upload({ to: a.name }, '2.txt', Buffer.from('2'));
    await b.c.files.upload({ to: a.name }, '3.txt', Buffer.from('3'));
    await b.c.files.upload({ to: a.name }, '4.txt', Buffer.from('4'));
    await refusedWith(b.c.files.upload({ to: a.name }, '5.txt', Buffer.from('5')), 'rate-limited');
  });
});
