import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { png } from '../helpers/avatars.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { hasGpsTag, jpegWithGps } from '../helpers/files.js';
import { signUp, type Person } from '../helpers/people.js';
import { startNode, type TestNode } from '../helpers/server.js';

/**
 * Room pictures over REST (docs/protocol.md, "Room pictures"): set and removed by
 * the room's admins and owners, stored cleaned like a person's avatar, served to
 * whoever may read the room with its hash as ETag (and for good under `?v=hash`),
 * told to every member as `room.updated`; its blob goes when replaced, removed or
 * when the room closes, but not while something else names the same bytes.
 */

/** A JSON answer, read loosely (the test checks what it needs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const LIMITS = { limits: { requests_per_minute_per_address: 100_000 } };

async function put(node: TestNode, p: Person, room: string, body: Uint8Array, type = 'image/png') {
  const res = await fetch(`${node.url}/api/v1/rooms/${room}/avatar`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${p.c.token}`, 'content-type': type },
    body: new Uint8Array(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function del(node: TestNode, p: Person, room: string) {
  const res = await fetch(`${node.url}/api/v1/rooms/${room}/avatar`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${p.c.token}` },
  });
  return { status: res.status, json: res.status === 204 ? {} : ((await res.json()) as Json) };
}

async function get(node: TestNode, path: string, p?: Person, headers: Record<string, string> = {}) {
  const res = await fetch(node.url + path, {
    headers: { ...(p ? { authorization: `Bearer ${p.c.token}` } : {}), ...headers },
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

/** A picture no other test uses: its own colour. */
const unique = (() => {
  let n = 0;
  return (size = 32) => {
    n++;
    const hex = ((Date.now() * 7 + n * 7919) % 0xffffff).toString(16).padStart(6, '0');
    return png(`#${hex}`, size);
  };
})();

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room pictures (${backend.name})`, () => {
    let db: ReturnType<typeof backend.make>;
    let node: TestNode;
    /** Whether a blob is on this node's disk (data.dir/files/blobs/xx/<sha256>). */
    let blobThere: (sha256: string) => boolean;
    beforeAll(async () => {
      db = backend.make();
      node = await startNode({ db, config: LIMITS });
      blobThere = (sha) => existsSync(join(db.dataDir, 'files', 'blobs', sha.slice(0, 2), sha));
    });
    afterAll(async () => {
      await node?.stop();
      await db.cleanup();
    });

    const room = () => `pic${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    const sha256Of = async (name: string) =>
      (await node.parley.store.rooms.avatar((await node.parley.store.rooms.byName(name))!.id))!
        .sha256;

    it('an owner sets it: stored cleaned, on the room record, told live, served by hash', async () => {
      const [owner, member, outsider] = (await signUp(node, 3, 'rp')) as [Person, Person, Person];
      const name = room();
      await owner.c.rooms.create(name);
      await member.c.rooms.join(name);
      const ws = await member.c.connect();
      const told = ws.next('room.updated');
      const r = await put(node, owner, name, await jpegWithGps(), 'image/jpeg');
      expect(r.status).toBe(200);
      expect(r.json.avatar).toMatchObject({ type: 'image/jpeg', width: 64, height: 48 });
      const hash = r.json.avatar.hash as string;
      expect(hash).toMatch(/^[0-9a-f]{40}$/);
      expect(await told).toMatchObject({
        room: { name },
        changes: { avatar: hash },
        by: { username: owner.name },
      });
      // Every view of the room carries the hash, and the timeline keeps the change.
      expect((await member.c.rooms.get(name)).room.avatar).toBe(hash);
      expect((await member.c.rooms.mine()).rooms.find((x) => x.name === name)?.avatar).toBe(hash);
      expect((await outsider.c.rooms.directory({ q: name })).rooms[0]?.avatar).toBe(hash);
      const events = await member.c.rooms.events(name, 0);
      expect(events.events.at(-1)).toMatchObject({
        name: 'room.updated',
        data: { changes: { avatar: hash } },
      });

      const path = `/api/v1/rooms/${name}/avatar`;
      const { res, body } = await get(node, path, member);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('etag')).toBe(`"${hash}"`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('private, no-cache');
      expect(hasGpsTag(body)).toBe(false);
      // The URL naming this picture may be kept for good; a stale one may not.
      const forGood = await get(node, `${path}?v=${hash}`, member);
      expect(forGood.res.headers.get('cache-control')).toMatch(/immutable/);
      expect(forGood.body.equals(body)).toBe(true);
      const stale = await get(node, `${path}?v=${'0'.repeat(40)}`, member);
      expect(stale.res.headers.get('cache-control')).toBe('private, no-cache');
      expect((await get(node, path, member, { 'if-none-match': `"${hash}"` })).res.status).toBe(
        304,
      );
      // A public room's picture: anyone signed in; no token, no picture.
      expect((await get(node, path, outsider)).res.status).toBe(200);
      expect((await get(node, path)).res.status).toBe(401);
      // SDK: bytes, or undefined for a room without one.
      expect((await member.c.rooms.avatar(name, hash))?.size).toBe(body.length);
      const bare = room();
      await owner.c.rooms.create(bare);
      expect(await member.c.rooms.avatar(bare)).toBeUndefined();
      ws.close();
    });

    it('a private room’s picture is its members’ only', async () => {
      const [owner, member, outsider] = (await signUp(node, 3, 'rq')) as [Person, Person, Person];
      const name = room();
      await owner.c.rooms.create(name, { visibility: 'private' });
      await owner.c.rooms.invite(name, member.name);
      await member.c.rooms.join(name);
      expect((await put(node, owner, name, await unique())).status).toBe(200);
      const path = `/api/v1/rooms/${name}/avatar`;
      expect((await get(node, path, member)).res.status).toBe(200);
      const refused = await get(node, path, outsider);
      expect(refused.res.status).toBe(403);
      expect(JSON.parse(refused.body.toString()).error.condition).toBe('forbidden');
      // Kicked: no longer theirs to see.
      await owner.c.rooms.kick(name, member.name);
      expect((await get(node, path, member)).res.status).toBe(403);
    });

    it('only admins and owners change it; hostile uploads are refused and change nothing', async () => {
      type Five = [Person, Person, Person, Person, Person];
      const [owner, admin, mod, member, outsider] = (await signUp(node, 5, 'rh')) as Five;
      const name = room();
      await owner.c.rooms.create(name);
      for (const p of [admin, mod, member]) await p.c.rooms.join(name);
      await owner.c.rooms.setRole(name, admin.name, 'admin');
      await owner.c.rooms.setRole(name, mod.name, 'moderator');
      const first = await put(node, owner, name, await unique());
      expect(first.status).toBe(200);
      const hash = first.json.avatar.hash as string;

      for (const p of [member, mod, outsider]) {
        const r = await put(node, p, name, await unique());
        expect(r.status).toBe(403);
        expect(r.json.error.condition).toBe('forbidden');
        expect((await del(node, p, name)).status).toBe(403);
      }
      const svg = Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      );
      const svgR = await put(node, admin, name, svg, 'image/svg+xml');
      expect(svgR.status).toBe(415);
      expect(svgR.json.error.condition).toBe('unsupported-type');
      expect((await put(node, admin, name, Buffer.from('not an image at all'))).status).toBe(415);
      // PNG magic, then garbage: sniffed as PNG, refused by the decoder.
      const fake = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(100, 7),
      ]);
      expect((await put(node, admin, name, fake)).status).toBe(415);
      const huge = Buffer.concat([await png('green'), Buffer.alloc(600 * 1024)]);
      const big = await put(node, admin, name, huge);
      expect(big.status).toBe(413);
      expect(big.json.error.condition).toBe('too-large');
      expect((await put(node, admin, name, new Uint8Array(0))).status).toBe(400);
      // A body of another type: not taken as an image.
      for (const type of ['text/plain', 'application/pdf', 'multipart/form-data; boundary=x'])
        expect((await put(node, admin, name, await unique(), type)).status).toBe(415);
      // Names that cannot be rooms, and a room that is not there.
      for (const bad of ['%00x', 'a', 'x'.repeat(60), '%E2%84%AAelvin', '..%2F..%2Fetc'])
        expect((await put(node, admin, bad, await unique())).status).toBe(400);
      expect((await put(node, admin, room(), await unique())).status).toBe(404);
      expect((await get(node, `/api/v1/rooms/%00x/avatar`, admin)).res.status).toBe(400);
      expect((await get(node, `/api/v1/rooms/${room()}/avatar`, admin)).res.status).toBe(404);
      expect((await member.c.rooms.get(name)).room.avatar).toBe(hash);

      // An admin may; the same picture again changes nothing.
      const ws = await member.c.connect();
      const told = ws.next('room.updated');
      const second = await put(node, admin, name, await unique(40));
      expect(second.status).toBe(200);
      expect(await told).toMatchObject({ changes: { avatar: second.json.avatar.hash } });
      const headBefore = (await member.c.rooms.get(name)).room.head;
      const again = await fetch(`${node.url}/api/v1/rooms/${name}/avatar`, {
        headers: { authorization: `Bearer ${member.c.token}` },
      });
      expect(
        (await put(node, admin, name, Buffer.from(await again.arrayBuffer()), 'image/png')).status,
      ).toBe(200);
      expect((await member.c.rooms.get(name)).room.head).toBe(headBefore);

      // Removed by an admin: told, gone, and a second removal is not found.
      const gone = ws.next('room.updated');
      expect((await del(node, admin, name)).status).toBe(204);
      expect(await gone).toMatchObject({ changes: { avatar: null } });
      expect((await get(node, `/api/v1/rooms/${name}/avatar`, member)).res.status).toBe(404);
      expect((await member.c.rooms.get(name)).room.avatar).toBeNull();
      const twice = await del(node, admin, name);
      expect(twice.status).toBe(404);
      expect(twice.json.error.condition).toBe('not-found');
      ws.close();
    });

    it('its blob goes when replaced, removed or the room closes, unless shared', async () => {
      const [owner] = (await signUp(node, 1, 'rb')) as [Person];
      const name = room();
      await owner.c.rooms.create(name);
      expect((await put(node, owner, name, await unique())).status).toBe(200);
      const first = await sha256Of(name);
      expect(blobThere(first)).toBe(true);
      expect((await put(node, owner, name, await unique())).status).toBe(200);
      const second = await sha256Of(name);
      expect(blobThere(first)).toBe(false);
      expect(blobThere(second)).toBe(true);
      expect((await del(node, owner, name)).status).toBe(204);
      expect(blobThere(second)).toBe(false);

      // The same bytes as the owner's own avatar: one blob, kept while either names it.
      const bytes = await unique();
      await owner.c.setAvatar(bytes);
      expect((await put(node, owner, name, bytes)).status).toBe(200);
      const shared = await sha256Of(name);
      expect(blobThere(shared)).toBe(true);
      expect((await del(node, owner, name)).status).toBe(204);
      expect(blobThere(shared)).toBe(true);
      await owner.c.removeAvatar();
      expect(blobThere(shared)).toBe(false);

      // The last one out closes the room: its picture goes with it.
      expect((await put(node, owner, name, await unique())).status).toBe(200);
      const last = await sha256Of(name);
      await owner.c.rooms.leave(name);
      expect(await node.parley.store.rooms.byName(name)).toBeUndefined();
      expect(blobThere(last)).toBe(false);
      expect(await node.parley.store.files.referenced(last)).toBe(false);
    });

    it('an account deleted as a room’s only member takes the room’s picture with it', async () => {
      const [owner] = (await signUp(node, 1, 'rd')) as [Person];
      const name = room();
      await owner.c.rooms.create(name);
      expect((await put(node, owner, name, await unique())).status).toBe(200);
      const sha = await sha256Of(name);
      await owner.c.deleteAccount('password123');
      expect(await node.parley.store.rooms.byName(name)).toBeUndefined();
      expect(blobThere(sha)).toBe(false);
    });
  });
}
