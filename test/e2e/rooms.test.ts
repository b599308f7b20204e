import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyApiError } from '../../src/sdk/errors.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`rooms (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function people(n: number) {
      const out = [];
      for (let i = 0; i < n; i++) {
        const c = node.client();
        const name = uname('r');
        await c.register(name, 'password123');
        out.push({ c, name });
      }
      return out;
    }
    let roomCounter = 0;
    const roomName = () => `room${process.pid % 1000}-${++roomCounter}`;

    it('create, join, talk live, history, topic, leave', async () => {
      const [a, b, c] = await people(3);
      const name = roomName();
      const created = await a!.c.rooms.create(`#${name}`, { topic: 'hello all' });
      expect(created.room).toMatchObject({
        name,
        topic: 'hello all',
        memberCount: 1,
        visibility: 'public',
      });
      const bWs = await b!.c.connect();
      const cWs = await c!.c.connect();
      const joined = bWs.next('room.joined');
      await b!.c.rooms.join(name);
      expect(await joined).toMatchObject({ room: { name }, role: 'member' });
      await c!.c.rooms.join(`#${name.toUpperCase()}`);
      const atB = bWs.next('room.message');
      const atC = cWs.next('room.message');
      const sent = await a!.c.rooms.send(name, `hi @${b!.name} and everyone`, 'k1');
      expect(sent.message).toMatchObject({ text: `hi @${b!.name} and everyone`, room: { name } });
      expect(sent.message.mentions).toHaveLength(1);
      const gotB = await atB;
      expect(gotB).toMatchObject({
        change: 'new',
        roomSeq: sent.roomSeq,
        message: { id: sent.message.id },
      });
      expect((await atC).message).toMatchObject({ id: sent.message.id });
      const again = await a!.c.rooms.send(name, `hi @${b!.name} and everyone`, 'k1');
      expect(again).toMatchObject({ duplicate: true, message: { id: sent.message.id } });
      const h = await c!.c.rooms.history(name);
      expect(h.messages.map((m) => m.text)).toEqual([`hi @${b!.name} and everyone`]);
      const mine = await b!.c.rooms.mine();
      expect(mine.rooms.find((r) => r.name === name)).toMatchObject({ unread: 1, mentions: 1 });
      const mineC = await c!.c.rooms.mine();
      expect(mineC.rooms.find((r) => r.name === name)).toMatchObject({ unread: 1, mentions: 0 });
      await b!.c.rooms.markRead(name, sent.roomSeq!);
      expect((await b!.c.rooms.mine()).rooms.find((r) => r.name === name)).toMatchObject({
        unread: 0,
        mentions: 0,
      });
      const topicAtC = cWs.next('room.updated');
      await b!.c.rooms.update(name, { topic: 'new topic' });
      expect(await topicAtC).toMatchObject({
        changes: { topic: 'new topic' },
        by: { username: b!.name },
      });
      const members = await a!.c.rooms.members(name);
      expect(members.members.map((m) => [m.username, m.role])[0]).toEqual([a!.name, 'owner']);
      expect(members.members).toHaveLength(3);
      const leftAtC = cWs.next('room.member');
      await b!.c.rooms.leave(name);
      expect(await leftAtC).toMatchObject({ change: 'left', user: { username: b!.name } });
      const ev = await c!.c.rooms.events(name, 0);
      expect(ev.events.map((e) => [e.name, e.data.change ?? ''])).toEqual([
        ['room.created', ''],
        ['room.member', 'joined'],
        ['room.member', 'joined'],
        ['room.message', 'new'],
        ['room.updated', ''],
        ['room.member', 'left'],
      ]);
      bWs.close();
      cWs.close();
    });

    it('private rooms: invite only; moderation: kick, ban, mute', async () => {
      const [a, b, c] = await people(3);
      const name = roomName();
      await a!.c.rooms.create(name, { visibility: 'private' });
      await expect(b!.c.rooms.join(name)).rejects.toMatchObject({ condition: 'forbidden' });
      await expect(b!.c.rooms.history(name)).rejects.toMatchObject({ condition: 'forbidden' });
      await expect(b!.c.rooms.members(name)).rejects.toMatchObject({ condition: 'forbidden' });
      await a!.c.rooms.invite(name, b!.name);
      expect((await b!.c.rooms.mine()).invites.map((i) => i.room.name)).toContain(name);
      await b!.c.rooms.join(name);
      await a!.c.rooms.invite(name, c!.name);
      await c!.c.rooms.join(name);
      await a!.c.rooms.mute(name, c!.name);
      const refused = await c!.c.rooms.send(name, 'can I talk', 'm1').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ParleyApiError);
      expect(refused).toMatchObject({ condition: 'forbidden' });
      await expect(b!.c.rooms.kick(name, a!.name)).rejects.toMatchObject({
        condition: 'forbidden',
      });
      await a!.c.rooms.setRole(name, b!.name, 'moderator');
      await b!.c.rooms.kick(name, c!.name, 'be nice');
      await expect(c!.c.rooms.history(name)).rejects.toMatchObject({ condition: 'forbidden' });
      await a!.c.rooms.invite(name, c!.name);
      await c!.c.rooms.join(name);
      await b!.c.rooms.ban(name, c!.name, { reason: 'spam' });
      await a!.c.rooms.invite(name, c!.name).catch(() => undefined);
      await expect(c!.c.rooms.join(name)).rejects.toMatchObject({ condition: 'forbidden' });
      expect((await a!.c.rooms.bans(name)).map((x) => x.username)).toEqual([c!.name]);
      await b!.c.rooms.unban(name, c!.name);
      expect(await a!.c.rooms.bans(name)).toEqual([]);
      // Events name people by id and username only (a join also by the display name,
      // which members see anyway): never anything else from the account.
      const events = await a!.c.rooms.events(name, 0);
      for (const e of events.events) {
        const user = e.data.user as Record<string, unknown> | undefined;
        const named =
          e.data.change === 'joined' ? ['displayName', 'id', 'username'] : ['id', 'username'];
        if (user) expect(Object.keys(user).sort()).toEqual(named);
      }
      expect(JSON.stringify(events)).not.toMatch(/argon2|passwordHash|password_hash/i);
    });

    it('an invitation from someone you blocked never reaches you, and they are not told', async () => {
      const [a, b, c] = await people(3);
      const name = roomName();
      await a!.c.rooms.create(name, { visibility: 'private' });
      await b!.c.block(a!.name);
      const bWs = await b!.c.connect();
      const invited = bWs.next('room.invited');
      // Answered as any invitation is, and shown in the room's history as one.
      await expect(a!.c.rooms.invite(name, b!.name)).resolves.toBeUndefined();
      const line = (await a!.c.rooms.events(name, 0)).events.at(-1);
      expect(line?.data).toMatchObject({ change: 'invited', user: { username: b!.name } });
      // Nothing reaches b: no invitation listed, no way in, no event (the next one is c's).
      expect((await b!.c.rooms.mine()).invites).toEqual([]);
      await expect(b!.c.rooms.join(name)).rejects.toMatchObject({ condition: 'forbidden' });
      const other = roomName();
      await c!.c.rooms.create(other, { visibility: 'private' });
      await c!.c.rooms.invite(other, b!.name);
      expect(await invited).toMatchObject({ room: { name: other } });
      expect((await b!.c.rooms.mine()).invites.map((i) => i.room.name)).toEqual([other]);
      // Once b unblocks a, a's invitations arrive again.
      await b!.c.unblock(a!.name);
      await a!.c.rooms.invite(name, b!.name);
      await b!.c.rooms.join(name);
      // The one who blocked is told to unblock first, as for a contact request.
      await c!.c.block(a!.name);
      await expect(c!.c.rooms.invite(other, a!.name)).rejects.toMatchObject({
        condition: 'conflict',
        field: 'username',
      });
      expect((await a!.c.rooms.mine()).invites).toEqual([]);
      bWs.close();
    });

    it('a mention by someone you blocked does not count as a mention (the message is still there)', async () => {
      const [a, b, c] = await people(3);
      const name = roomName();
      await a!.c.rooms.create(name);
      await b!.c.rooms.join(name);
      await c!.c.rooms.join(name);
      await b!.c.block(a!.name);
      await a!.c.rooms.send(name, `@${b!.name} look at me`, 'm1');
      await c!.c.rooms.send(name, `@${b!.name} hello`, 'm2');
      const counts = async () => {
        const r = (await b!.c.rooms.mine()).rooms.find((x) => x.name === name)!;
        return { unread: r.unread, mentions: r.mentions };
      };
      expect(await counts()).toEqual({ unread: 2, mentions: 1 });
      expect((await b!.c.rooms.history(name)).messages.map((m) => m.text)).toEqual([
        `@${b!.name} look at me`,
        `@${b!.name} hello`,
      ]);
      await b!.c.unblock(a!.name);
      expect(await counts()).toEqual({ unread: 2, mentions: 2 });
    });

    it("rooms.mine shows each room's latest message: none yet, long text cut, a deletion as a tombstone", async () => {
      const [a, b] = await people(2);
      const name = roomName();
      await a!.c.rooms.create(name);
      await b!.c.rooms.join(name);
      const lastOf = async () => (await b!.c.rooms.mine()).rooms.find((r) => r.name === name)!.last;
      expect(await lastOf()).toBeNull();
      const long = `${'é'.repeat(99)}🫖 and more`;
      const sent = await a!.c.rooms.send(name, long, 'l1');
      expect(await lastOf()).toEqual({
        id: sent.message.id,
        seq: sent.roomSeq,
        from: { userId: sent.message.from.userId, username: a!.name },
        text: `${'é'.repeat(99)}🫖`,
        truncated: true,
        createdAt: sent.message.createdAt,
        editedAt: null,
        deleted: false,
      });
      await a!.c.rooms.delete(name, sent.message.id);
      expect(await lastOf()).toMatchObject({ id: sent.message.id, text: '', deleted: true });
    });

    it('rooms.mine and rooms.mark count the same: own, deleted, blocked and read messages left out as they should be', async () => {
      const [a, b, c] = await people(3);
      const name = roomName();
      await a!.c.rooms.create(name);
      await b!.c.rooms.join(name);
      await c!.c.rooms.join(name);
      await b!.c.block(c!.name);
      const sent = [];
      sent.push(await a!.c.rooms.send(name, `one @${b!.name}`, 'k1'));
      sent.push(await b!.c.rooms.send(name, `mine @${b!.name}`, 'k2'));
      sent.push(await c!.c.rooms.send(name, `blocked @${b!.name}`, 'k3'));
      sent.push(await a!.c.rooms.send(name, 'plain', 'k4'));
      sent.push(await a!.c.rooms.send(name, `gone @${b!.name}`, 'k5'));
      await a!.c.rooms.delete(name, sent[4]!.message.id);
      sent.push(await a!.c.rooms.send(name, `last @${b!.name}`, 'k6'));
      const mine = async () => {
        const r = (await b!.c.rooms.mine()).rooms.find((x) => x.name === name)!;
        return { read: r.read, unread: r.unread, mentions: r.mentions };
      };
      const marked = async (read: number) => {
        const m = await b!.c.rooms.markRead(name, read);
        return { read: m.read, unread: m.unread, mentions: m.mentions };
      };
      // Nothing read: one, blocked, plain and last are unread; one and last mention b.
      expect(await mine()).toMatchObject({ unread: 4, mentions: 2 });
      for (const s of [sent[0]!, sent[3]!, sent[5]!]) {
        const after = await marked(s.roomSeq!);
        expect(await mine()).toEqual(after);
      }
      expect(await mine()).toEqual({ read: sent[5]!.roomSeq, unread: 0, mentions: 0 });
    });

    it('an invitation made before a block is hidden while the block lasts', async () => {
      const [a, b] = await people(2);
      const name = roomName();
      await a!.c.rooms.create(name, { visibility: 'private' });
      await a!.c.rooms.invite(name, b!.name);
      const listed = async () => (await b!.c.rooms.mine()).invites.map((i) => i.by);
      expect(await listed()).toEqual([a!.name]);
      await b!.c.block(a!.name);
      expect(await listed()).toEqual([]);
      await b!.c.unblock(a!.name);
      expect(await listed()).toEqual([a!.name]);
    });

    it('a public room ban keeps the user out of history too', async () => {
      const [a, b] = await people(2);
      const name = roomName();
      await a!.c.rooms.create(name);
      await b!.c.rooms.join(name);
      await a!.c.rooms.send(name, 'before the ban', 'x1');
      await a!.c.rooms.ban(name, b!.name, { seconds: 3600 });
      await a!.c.rooms.send(name, 'after the ban', 'x2');
      await expect(b!.c.rooms.history(name)).rejects.toMatchObject({ condition: 'forbidden' });
      await expect(b!.c.rooms.join(name)).rejects.toMatchObject({ condition: 'forbidden' });
      await expect(b!.c.rooms.events(name, 0)).rejects.toMatchObject({ condition: 'forbidden' });
    });

    it('reconnect with room cursors replays the timeline before sync.done', async () => {
      const [a, b] = await people(2);
      const name = roomName();
      await a!.c.rooms.create(name);
      const j = await b!.c.rooms.join(name);
      const m1 = await a!.c.rooms.send(name, 'one', 'y1');
      const cursor = m1.roomSeq!;
      await a!.c.rooms.send(name, 'two', 'y2');
      await a!.c.rooms.send(name, 'three', 'y3');
      const seen: { name: string; data: Record<string, unknown> }[] = [];
      let synced!: () => void;
      const syncDone = new Promise<void>((r) => (synced = r));
      const ws = await b!.c.connect({
        cursor: j.seq!,
        rooms: { [name]: cursor },
        onEvent: (e) => {
          seen.push(e);
          if (e.name === 'sync.done') synced();
        },
      });
      await syncDone;
      const done = seen.find((e) => e.name === 'sync.done');
      expect(done?.data).toMatchObject({ rooms: { [name]: cursor + 2 } });
      const texts = seen
        .filter((e) => e.name === 'room.message')
        .map((e) => (e.data.message as { text: string }).text);
      expect(texts).toEqual(['two', 'three']);
      ws.close();
    });
  });
}
