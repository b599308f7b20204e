import { afterAll, beforeAll, expect, it } from 'vitest';
import { befriend, png } from '../helpers/avatars.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { jpegWithGps, hasGpsTag } from '../helpers/files.js';
import { signUp, type Person } from '../helpers/people.js';
import { startNode, type TestNode } from '../helpers/server.js';

/** A JSON answer, read loosely (the test checks what it needs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const LIMITS = { limits: { requests_per_minute_per_address: 100_000 } };

async function put(node: TestNode, p: Person, body: Uint8Array, type = 'image/png') {
  const res = await fetch(`${node.url}/api/v1/me/avatar`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${p.c.token}`, 'content-type': type },
    body: new Uint8Array(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function get(node: TestNode, path: string, p?: Person, headers: Record<string, string> = {}) {
  const res = await fetch(node.url + path, {
    headers: { ...(p ? { authorization: `Bearer ${p.c.token}` } : {}), ...headers },
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`avatars and pre-approval (${backend.name})`, () => {
    let db: ReturnType<typeof backend.make>;
    let node: TestNode;
    beforeAll(async () => {
      db = backend.make();
      node = await startNode({ db, config: LIMITS });
    });
    afterAll(async () => {
      await node?.stop();
      await db.cleanup();
    });

    it('an avatar is stored cleaned, served with its hash as ETag, and told to contacts live', async () => {
      const [a, b, stranger] = (await signUp(node, 3, 'av')) as [Person, Person, Person];
      await befriend(a, b);
      const bWs = await b.c.connect();
      const told = bWs.next('contact.profile');
      const photo = await jpegWithGps();
      const r = await put(node, a, photo, 'image/jpeg');
      expect(r.status).toBe(200);
      expect(r.json.avatar).toMatchObject({ type: 'image/jpeg', width: 64, height: 48 });
      const hash = r.json.avatar.hash as string;
      expect(hash).toMatch(/^[0-9a-f]{40}$/);
      expect(await told).toMatchObject({
        userId: a.id,
        username: a.name,
        changed: ['avatar'],
        avatar: { hash },
      });
      // Views carry the hash.
      expect((await b.c.profile(a.name)).avatar).toBe(hash);
      expect((await b.c.contacts()).find((k) => k.username === a.name)?.avatar).toBe(hash);
      expect((await a.c.me()).profile.avatar).toBe(hash);

      const { res, body } = await get(node, `/api/v1/users/${a.name}/avatar`, b);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('etag')).toBe(`"${hash}"`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toMatch(/private/);
      expect(hasGpsTag(body)).toBe(false);
      const again = await get(node, `/api/v1/users/${a.name}/avatar`, b, {
        'if-none-match': `"${hash}"`,
      });
      expect(again.res.status).toBe(304);
      // A searchable profile's avatar is anyone's to see; no token, no avatar.
      expect((await get(node, `/api/v1/users/${a.name}/avatar`, stranger)).res.status).toBe(200);
      expect((await get(node, `/api/v1/users/${a.name}/avatar`)).res.status).toBe(401);

      // Leaving the directory hides it from strangers, not from contacts.
      await a.c.updateProfile({ searchable: false });
      expect((await get(node, `/api/v1/users/${a.name}/avatar`, stranger)).res.status).toBe(404);
      expect((await stranger.c.profile(a.name)).avatar).toBeNull();
      expect((await get(node, `/api/v1/users/${a.name}/avatar`, b)).res.status).toBe(200);

      // Removing it tells contacts too.
      const gone = bWs.next('contact.profile');
      await a.c.removeAvatar();
      expect(await gone).toMatchObject({ userId: a.id, avatar: null });
      expect((await get(node, `/api/v1/users/${a.name}/avatar`, b)).res.status).toBe(404);
      expect((await b.c.profile(a.name)).avatar).toBeNull();
      bWs.close();
    });

    it('hostile avatars are refused and change nothing', async () => {
      const [a] = (await signUp(node, 1, 'avh')) as [Person];
      const first = await put(node, a, await png('red'));
      expect(first.status).toBe(200);
      const hash = first.json.avatar.hash as string;
      const svg = Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      );
      const svgR = await put(node, a, svg, 'image/svg+xml');
      expect(svgR.status).toBe(415);
      expect(svgR.json.error.condition).toBe('unsupported-type');
      expect((await put(node, a, Buffer.from('not an image at all'))).status).toBe(415);
      // PNG magic, then garbage: sniffed as PNG, refused by the decoder.
      const fake = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(100, 7),
      ]);
      expect((await put(node, a, fake)).status).toBe(415);
      const huge = Buffer.concat([await png('green'), Buffer.alloc(600 * 1024)]);
      const big = await put(node, a, huge);
      expect(big.status).toBe(413);
      expect(big.json.error.condition).toBe('too-large');
      expect((await put(node, a, new Uint8Array(0))).status).toBe(400);
      expect((await a.c.me()).profile.avatar).toBe(hash);
      // Names that cannot exist are simply not found.
      expect((await get(node, `/api/v1/users/%00x/avatar`, a)).res.status).toBe(404);
    });
  });
}
