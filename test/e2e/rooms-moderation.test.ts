import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { RoomMessage } from '../../src/sdk/room-types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { Inbox } from '../helpers/presence.js';
import { startSingle } from '../helpers/server.js';
import { type Person, refusedWith, signUp } from '../helpers/people.js';

/**
 * Room roles and moderation through the SDK, on every store backend: who may
 * act on whom (admins never on owners, moderators never on admins), the last
 * owner stays, role and mute changes reach the other members live, muted
 * members neither speak nor type, moderators remove other people's messages
 * (scrubbed from the timeline too), topic lock and visibility, bans with an
 * expiry, kicked and banned users are cut off live and from every read, the
 * public directory and member lists page, unread/mention counts, the notify
 * setting, and search inside a room and across conversations.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room moderation (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: ParleyConnection[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
    });
    afterEach(() => {
      for (const conn of open.splice(0)) conn.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const people = (n: number) => signUp(node, n, 'm');

    /** A WebSocket for `p` recording every event it gets. */
    async function watch(p: Person): Promise<Inbox> {
      const conn = await p.c.connect();
      open.push(conn);
      return new Inbox(conn);
    }

    let counter = 0;
    const roomName = (prefix = 'mod') => `${prefix}${process.pid % 1000}-${++counter}`;

    /** A public room owned by the first person, joined by the others. */
    async function room(ps: Person[], opts: { visibility?: 'public' | 'private' } = {}) {
      const name = roomName();
      await ps[0]!.c.rooms.create(name, opts);
      for (const p of ps.slice(1)) {
        if (opts.visibility === 'private') await ps[0]!.c.rooms.invite(name, p.name);
        await p.c.rooms.join(name);
      }
      return name;
    }

    const refused = refusedWith;

    const roleOf = async (by: Person, name: string, username: string) =>
      (await by.c.rooms.members(name)).members.find((m) => m.username === username)?.role;

    it('admins cannot touch owners, moderators cannot touch admins, nobody grants above their rank', async () => {
      const [owner, admin, mod, member] = await people(4);
      const name = await room([owner!, admin!, mod!, member!]);
      await owner!.c.rooms.setRole(name, admin!.name, 'admin');
      await owner!.c.rooms.setRole(name, mod!.name, 'moderator');

      // Admin on the owner: nothing works.
      await refused(admin!.c.rooms.kick(name, owner!.name), 'forbidden');
      await refused(admin!.c.rooms.ban(name, owner!.name), 'forbidden');
      await refused(admin!.c.rooms.mute(name, owner!.name), 'forbidden');
      await refused(admin!.c.rooms.setRole(name, owner!.name, 'member'), 'forbidden');
      // Admins grant up to moderator, never admin or owner.
      await refused(admin!.c.rooms.setRole(name, member!.name, 'admin'), 'forbidden');
      await refused(admin!.c.rooms.setRole(name, member!.name, 'owner'), 'forbidden');
      // Moderator on the admin, and on another moderator's level.
      await refused(mod!.c.rooms.ban(name, admin!.name, { reason: 'coup' }), 'forbidden');
      await refused(mod!.c.rooms.kick(name, admin!.name), 'forbidden');
      await refused(mod!.c.rooms.mute(name, admin!.name), 'forbidden');
      await refused(mod!.c.rooms.setRole(name, member!.name, 'moderator'), 'forbidden');
      // A member moderates nobody.
      await refused(member!.c.rooms.kick(name, mod!.name), 'forbidden');
      await refused(member!.c.rooms.bans(name), 'forbidden');

      // Nothing above changed anything.
      const members = (await member!.c.rooms.members(name)).members;
      expect(members.map((m) => [m.username, m.role, m.muted])).toEqual([
        [owner!.name, 'owner', false],
        [admin!.name, 'admin', false],
        [mod!.name, 'moderator', false],
        [member!.name, 'member', false],
      ]);
      expect(await owner!.c.rooms.bans(name)).toEqual([]);

      // What each rank may do, it does.
      expect(await admin!.c.rooms.setRole(name, member!.name, 'moderator')).toMatchObject({
        username: member!.name,
        role: 'moderator',
      });
      await admin!.c.rooms.setRole(name, member!.name, 'member');
      expect(await mod!.c.rooms.mute(name, member!.name)).toMatchObject({ muted: true });
      await owner!.c.rooms.setRole(name, admin!.name, 'owner');
      expect(await roleOf(member!, name, admin!.name)).toBe('owner');
    });

    it('the last owner cannot leave or step down while others remain; with two owners they can', async () => {
      const [owner, other] = await people(2);
      const name = await room([owner!, other!]);
      await refused(owner!.c.rooms.leave(name), 'conflict', /only owner/);
      await refused(
        owner!.c.rooms.setRole(name, owner!.name, 'admin'),
        'conflict',
        /needs an owner/,
      );
      expect(await roleOf(other!, name, owner!.name)).toBe('owner');
      expect((await other!.c.rooms.get(name)).room.memberCount).toBe(2);

      await owner!.c.rooms.setRole(name, other!.name, 'owner');
      expect(await owner!.c.rooms.setRole(name, owner!.name, 'admin')).toMatchObject({
        role: 'admin',
      });
      // The remaining owner is now the last one; the former owner may leave.
      await refused(other!.c.rooms.leave(name), 'conflict');
      await owner!.c.rooms.leave(name);
      expect((await other!.c.rooms.members(name)).members.map((m) => m.username)).toEqual([
        other!.name,
      ]);
      // Alone in the room, the last owner may leave it: it closes (nobody may take it over).
      await other!.c.rooms.leave(name);
      await refused(other!.c.rooms.get(name), 'not-found');
    });

    it('role and mute changes reach the other members live as room.member events', async () => {
      const [owner, bob, carol] = await people(3);
      const name = await room([owner!, bob!, carol!]);
      const atCarol = await watch(carol!);
      const atBob = await watch(bob!);

      await owner!.c.rooms.setRole(name, bob!.name, 'moderator');
      const ev = await atCarol.take(
        (e) => e.name === 'room.member' && e.data.change === 'role',
        'role change',
      );
      expect(ev).toMatchObject({
        room: { name },
        roomSeq: expect.any(Number),
        change: 'role',
        role: 'moderator',
        from: 'member',
        user: { id: bob!.id, username: bob!.name },
        by: { id: owner!.id, username: owner!.name },
      });
      expect(
        await atBob.take((e) => e.name === 'room.member' && e.data.change === 'role', 'own role'),
      ).toMatchObject({ role: 'moderator', user: { username: bob!.name } });

      await bob!.c.rooms.mute(name, carol!.name);
      expect(
        await atCarol.take((e) => e.name === 'room.member' && e.data.change === 'muted', 'muted'),
      ).toMatchObject({ user: { username: carol!.name }, by: { username: bob!.name } });
      // Setting the same role again changes nothing and tells nobody.
      const head = (await owner!.c.rooms.get(name)).room.head;
      await owner!.c.rooms.setRole(name, bob!.name, 'moderator');
      await bob!.c.rooms.mute(name, carol!.name, true);
      expect((await owner!.c.rooms.get(name)).room.head).toBe(head);
      // The timeline has them, in order.
      const events = (await owner!.c.rooms.events(name, 0)).events.map(
        (e) => `${e.name}:${String(e.data.change ?? '')}`,
      );
      expect(events.slice(-2)).toEqual(['room.member:role', 'room.member:muted']);
    });

    it('a muted member may read but neither send, type nor change the topic; unmuted, they speak again', async () => {
      const [owner, quiet] = await people(2);
      const name = await room([owner!, quiet!]);
      await owner!.c.rooms.send(name, 'before the mute', 'q0');
      expect(await owner!.c.rooms.mute(name, quiet!.name)).toMatchObject({
        username: quiet!.name,
        muted: true,
      });
      const conn = await quiet!.c.connect();
      open.push(conn);
      const head = (await owner!.c.rooms.get(name)).room.head;
      await refused(quiet!.c.rooms.send(name, 'let me speak', 'q1'), 'forbidden', /muted/);
      await refused(conn.sendToRoom(name, 'over ws', 'q2'), 'forbidden', /muted/);
      await refused(conn.roomTyping(name, 'start'), 'forbidden', /muted/);
      await refused(quiet!.c.rooms.update(name, { topic: 'mine now' }), 'forbidden', /muted/);
      expect((await owner!.c.rooms.get(name)).room).toMatchObject({ head, topic: '' });
      expect((await quiet!.c.rooms.history(name)).messages.map((m) => m.text)).toEqual([
        'before the mute',
      ]);
      expect((await quiet!.c.rooms.mine()).rooms.find((r) => r.name === name)).toMatchObject({
        muted: true,
      });

      expect(await owner!.c.rooms.mute(name, quiet!.name, false)).toMatchObject({ muted: false });
      const sent = await quiet!.c.rooms.send(name, 'thanks', 'q1');
      expect(sent).toMatchObject({ duplicate: false, message: { text: 'thanks' } });
    });

    it('moderators delete other people’s messages (a tombstone, scrubbed from the timeline); edits stay the sender’s; anyone reacts', async () => {
      const [owner, mod, alice, bob] = await people(4);
      const name = await room([owner!, mod!, alice!, bob!]);
      await owner!.c.rooms.setRole(name, mod!.name, 'moderator');
      const secret = 'my password is hunter2';
      const m = await alice!.c.rooms.send(name, secret, 'd1');
      const keep = await alice!.c.rooms.send(name, 'keep this', 'd2');

      // A member deletes and edits nobody else's message; moderators do not edit either.
      await refused(bob!.c.rooms.delete(name, m.message.id), 'forbidden');
      await refused(bob!.c.rooms.edit(name, m.message.id, 'hijacked'), 'forbidden');
      await refused(mod!.c.rooms.edit(name, m.message.id, 'hijacked'), 'forbidden');
      expect((await bob!.c.rooms.history(name)).messages.map((x) => x.text)).toEqual([
        secret,
        'keep this',
      ]);

      // Reactions from anyone; taking one back.
      const r1 = await bob!.c.rooms.react(name, keep.message.id, '👍');
      expect(r1.message.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [bob!.id] }]);
      await owner!.c.rooms.react(name, keep.message.id, '👍');
      const r2 = await bob!.c.rooms.react(name, keep.message.id, '👍', false);
      expect(r2.message.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [owner!.id] }]);

      const atBob = await watch(bob!);
      const del = await mod!.c.rooms.delete(name, m.message.id);
      expect(del.message).toMatchObject({ id: m.message.id, deleted: true, text: '' });
      expect(
        await atBob.take(
          (e) => e.name === 'room.message' && e.data.change === 'deleted',
          'deletion',
        ),
      ).toMatchObject({ message: { id: m.message.id, deleted: true, text: '' } });

      const history = (await bob!.c.rooms.history(name)).messages;
      expect(history.find((x) => x.id === m.message.id)).toMatchObject({ deleted: true, text: '' });
      expect(history.find((x) => x.id === keep.message.id)?.text).toBe('keep this');
      // The replayed timeline no longer carries the text anywhere.
      const replay = await bob!.c.rooms.events(name, 0);
      expect(JSON.stringify(replay)).not.toContain('hunter2');
      const posted = replay.events.find(
        (e) =>
          e.name === 'room.message' &&
          e.data.change === 'new' &&
          (e.data.message as RoomMessage).id === m.message.id,
      );
      expect(posted?.data.message).toMatchObject({ deleted: true, text: '' });
      // Not searchable, not counted as unread.
      expect((await bob!.c.rooms.search(name, 'hunter2')).results).toEqual([]);
      // A deleted message cannot be edited or reacted to; deleting again changes nothing.
      await refused(alice!.c.rooms.edit(name, m.message.id, 'back'), 'conflict');
      await refused(bob!.c.rooms.react(name, m.message.id, '👍'), 'conflict');
      const again = await alice!.c.rooms.delete(name, m.message.id);
      expect(again.roomSeq).toBeNull();

      // The sender edits their own.
      const edited = await alice!.c.rooms.edit(name, keep.message.id, 'kept, edited');
      expect(edited.message).toMatchObject({ text: 'kept, edited', editedAt: expect.any(Number) });
    });

    it('topic lock: members cannot change a locked topic, moderators can; only admins change visibility', async () => {
      const [owner, admin, mod, member] = await people(4);
      const name = await room([owner!, admin!, mod!, member!]);
      await owner!.c.rooms.setRole(name, admin!.name, 'admin');
      await owner!.c.rooms.setRole(name, mod!.name, 'moderator');

      await member!.c.rooms.update(name, { topic: 'open for all' });
      await refused(member!.c.rooms.update(name, { topicLocked: true }), 'forbidden');
      const locked = await mod!.c.rooms.update(name, { topicLocked: true });
      expect(locked.room).toMatchObject({ topic: 'open for all', topicLocked: true });
      await refused(member!.c.rooms.update(name, { topic: 'vandalised' }), 'forbidden', /locked/);
      // Unlocking in the same request does not help a member.
      await refused(
        member!.c.rooms.update(name, { topic: 'sneaky', topicLocked: false }),
        'forbidden',
      );
      const byMod = await mod!.c.rooms.update(name, { topic: 'set by a moderator' });
      expect(byMod.room).toMatchObject({
        topic: 'set by a moderator',
        topicBy: mod!.name,
        topicLocked: true,
      });

      await refused(mod!.c.rooms.update(name, { visibility: 'private' }), 'forbidden');
      await refused(member!.c.rooms.update(name, { visibility: 'private' }), 'forbidden');
      expect((await owner!.c.rooms.get(name)).room.visibility).toBe('public');
      const priv = await admin!.c.rooms.update(name, { visibility: 'private' });
      expect(priv.room.visibility).toBe('private');

      const updates = (await owner!.c.rooms.events(name, 0)).events
        .filter((e) => e.name === 'room.updated')
        .map((e) => e.data.changes);
      expect(updates).toEqual([
        { topic: 'open for all' },
        { topicLocked: true },
        { topic: 'set by a moderator' },
        { visibility: 'private' },
      ]);
    });

    it('a ban with an expiry keeps the user out until it ends, then lets them rejoin', async () => {
      const [owner, bob] = await people(2);
      const name = await room([owner!, bob!]);
      await owner!.c.rooms.ban(name, bob!.name, { reason: 'cool off', seconds: 1 });
      const bans = await owner!.c.rooms.bans(name);
      expect(bans).toEqual([
        {
          username: bob!.name,
          reason: 'cool off',
          expiresAt: expect.any(Number),
          createdAt: expect.any(Number),
        },
      ]);
      expect(bans[0]!.expiresAt! - bans[0]!.createdAt).toBe(1000);
      await refused(bob!.c.rooms.join(name), 'forbidden', /banned.*cool off/);
      await refused(owner!.c.rooms.ban(name, bob!.name, { seconds: 0 }), 'bad-request');
      await refused(owner!.c.rooms.ban(name, owner!.name), 'bad-request');

      await sleep(1200);
      expect(await owner!.c.rooms.bans(name)).toEqual([]);
      const joined = await bob!.c.rooms.join(name);
      expect(joined.seq).toEqual(expect.any(Number));
      expect((await bob!.c.rooms.mine()).rooms.map((r) => r.name)).toContain(name);
      // An expired ban cannot be lifted: there is none.
      await refused(owner!.c.rooms.unban(name, bob!.name), 'not-found');
    });

    it('a kicked user gets room.left with the reason and no more live events from the room', async () => {
      const [owner, bob, carol] = await people(3);
      const name = await room([owner!, bob!, carol!]);
      const atBob = await watch(bob!);
      const atCarol = await watch(carol!);
      await owner!.c.rooms.send(name, 'while bob is here', 'k0');
      await atBob.take((e) => e.name === 'room.message', 'message before the kick');

      await owner!.c.rooms.kick(name, bob!.name, 'be nice');
      const left = await atBob.take((e) => e.name === 'room.left', 'room.left');
      expect(left).toMatchObject({
        seq: expect.any(Number),
        room: { name },
        change: 'kicked',
        reason: 'be nice',
        by: { username: owner!.name },
      });
      expect(
        await atCarol.take((e) => e.name === 'room.member' && e.data.change === 'kicked', 'kick'),
      ).toMatchObject({ user: { username: bob!.name }, reason: 'be nice' });

      await owner!.c.rooms.send(name, 'after bob left', 'k1');
      await owner!.c.rooms.update(name, { topic: 'bob is gone' });
      expect(
        (await atCarol.take((e) => e.name === 'room.updated', 'topic at carol')).changes,
      ).toEqual({ topic: 'bob is gone' });
      await atBob.drain();
      const afterKick = atBob.events.slice(atBob.events.findIndex((e) => e.name === 'room.left'));
      expect(afterKick.map((e) => e.name)).toEqual(['room.left']);
      // His own log says so, for his other devices.
      const log = await bob!.c.sync((left.seq as number) - 1);
      expect(log.events.map((e) => e.name)).toEqual(['room.left']);
      // A kick is not a ban: he may come back to a public room.
      await bob!.c.rooms.join(name);
    });

    for (const visibility of ['public', 'private'] as const)
      it(`a banned user cannot rejoin or read a ${visibility} room: history, members, events, search`, async () => {
        const [owner, bob] = await people(2);
        const name = await room([owner!, bob!], { visibility });
        await owner!.c.rooms.send(name, 'searchable words here', 'b0');
        const atBob = await watch(bob!);
        await owner!.c.rooms.ban(name, bob!.name, { reason: 'spam' });
        expect(await atBob.take((e) => e.name === 'room.left', 'room.left')).toMatchObject({
          change: 'banned',
          reason: 'spam',
        });
        await refused(bob!.c.rooms.join(name), 'forbidden', /banned/);
        await refused(bob!.c.rooms.history(name), 'forbidden');
        await refused(bob!.c.rooms.members(name), 'forbidden');
        await refused(bob!.c.rooms.events(name, 0), 'forbidden');
        await refused(bob!.c.rooms.search(name, 'searchable'), 'forbidden');
        await refused(bob!.c.rooms.get(name), 'forbidden');
        await refused(bob!.c.rooms.send(name, 'let me in', 'b1'), 'forbidden');
        await refused(bob!.c.rooms.markRead(name, 1), 'forbidden');
        // An invite does not get around a ban.
        await refused(owner!.c.rooms.invite(name, bob!.name), 'forbidden');
        expect((await bob!.c.searchMessages('searchable')).results).toEqual([]);
        expect((await bob!.c.rooms.mine()).rooms.map((r) => r.name)).not.toContain(name);
        if (visibility === 'public')
          expect((await bob!.c.rooms.directory({ q: name })).rooms.map((r) => r.name)).toEqual([
            name,
          ]);

        await owner!.c.rooms.unban(name, bob!.name);
        if (visibility === 'private') await owner!.c.rooms.invite(name, bob!.name);
        await bob!.c.rooms.join(name);
        expect((await bob!.c.rooms.history(name)).messages.map((m) => m.text)).toEqual([
          'searchable words here',
        ]);
      });

    it('a non-member previews a public room (history, members, events, search) but cannot send; a private room shows them nothing', async () => {
      const [owner, outsider] = await people(2);
      const pub = await room([owner!]);
      const priv = await room([owner!], { visibility: 'private' });
      await owner!.c.rooms.send(pub, 'public words', 'p1');
      await owner!.c.rooms.send(priv, 'private words', 'p2');

      expect((await outsider!.c.rooms.history(pub)).messages.map((m) => m.text)).toEqual([
        'public words',
      ]);
      expect((await outsider!.c.rooms.members(pub)).members.map((m) => m.username)).toEqual([
        owner!.name,
      ]);
      expect((await outsider!.c.rooms.events(pub, 0)).events.map((e) => e.name)).toEqual([
        'room.created',
        'room.message',
      ]);
      expect(
        (await outsider!.c.rooms.search(pub, 'words')).results.map((r) => r.message.text),
      ).toEqual(['public words']);
      expect((await outsider!.c.rooms.get(pub)).membership).toBeNull();
      await refused(outsider!.c.rooms.send(pub, 'drive-by', 'p3'), 'forbidden', /not a member/);
      await refused(outsider!.c.rooms.update(pub, { topic: 'drive-by' }), 'forbidden');
      await refused(outsider!.c.rooms.markRead(pub, 1), 'forbidden');
      const conn = await outsider!.c.connect();
      open.push(conn);
      await refused(conn.roomTyping(pub, 'start'), 'forbidden');
      // Global search covers the rooms you are in, not ones you only looked into.
      expect((await outsider!.c.searchMessages('words')).results).toEqual([]);

      await refused(outsider!.c.rooms.history(priv), 'forbidden', /private/);
      await refused(outsider!.c.rooms.members(priv), 'forbidden');
      await refused(outsider!.c.rooms.events(priv, 0), 'forbidden');
      await refused(outsider!.c.rooms.search(priv, 'words'), 'forbidden');
      await refused(outsider!.c.rooms.get(priv), 'forbidden');
      await refused(outsider!.c.rooms.join(priv), 'forbidden', /invite-only/);
      await refused(outsider!.c.rooms.send(priv, 'hello?', 'p4'), 'forbidden');
      expect((await owner!.c.rooms.history(priv)).messages.map((m) => m.text)).toEqual([
        'private words',
      ]);
    });

    it('the directory lists public rooms only, by name, in pages, searchable in name and topic with % and _ taken literally', async () => {
      const [owner] = await people(1);
      const tag = `dir${process.pid % 1000}x${++counter}`;
      const names = ['a', 'b', 'c', 'd', 'e'].map((s) => `${tag}-${s}`);
      for (const n of names) await owner!.c.rooms.create(n);
      await owner!.c.rooms.create(`${tag}-hidden`, { visibility: 'private' });
      await owner!.c.rooms.create(`${tag}_u`, { topic: 'plain' });
      await owner!.c.rooms.create(`${tag}xu`, { topic: '100% sure' });
      await owner!.c.rooms.create(`${tag}yu`, { topic: '100 percent sure' });

      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await owner!.c.rooms.directory({
          q: `${tag}-`,
          limit: 2,
          ...(after ? { after } : {}),
        });
        pages++;
        expect(page.rooms.length).toBeLessThanOrEqual(2);
        seen.push(...page.rooms.map((r) => r.name));
        if (!page.next) break;
        expect(page.next).toBe(page.rooms[page.rooms.length - 1]!.name);
        after = page.next;
      }
      expect(seen).toEqual(names);
      expect(pages).toBe(3);

      // Case-insensitive, in the topic too; wildcards match only themselves.
      expect(
        (await owner!.c.rooms.directory({ q: `${tag.toUpperCase()}_` })).rooms.map((r) => r.name),
      ).toEqual([`${tag}_u`]);
      expect((await owner!.c.rooms.directory({ q: '100% SURE' })).rooms.map((r) => r.name)).toEqual(
        [`${tag}xu`],
      );
      const any = (await owner!.c.rooms.directory({ q: '%', limit: 100 })).rooms.map((r) => r.name);
      expect(any).toEqual([`${tag}xu`]);
      expect((await owner!.c.rooms.directory({ q: `${tag}%` })).rooms).toEqual([]);
      expect((await owner!.c.rooms.directory({ q: 'hidden' })).rooms).toEqual([]);
      await refused(owner!.c.rooms.directory({ limit: 0 }), 'bad-request');
      await refused(owner!.c.rooms.directory({ limit: 101 }), 'bad-request');
    });

    it('members are listed owners first, then by name, in pages', async () => {
      const ps = await people(6);
      const name = await room(ps);
      await ps[0]!.c.rooms.setRole(name, ps[5]!.name, 'admin');
      await ps[0]!.c.rooms.setRole(name, ps[4]!.name, 'moderator');
      const full = (await ps[1]!.c.rooms.members(name, { limit: 500 })).members;
      expect(full).toHaveLength(6);
      expect(full.slice(0, 3).map((m) => [m.username, m.role])).toEqual([
        [ps[0]!.name, 'owner'],
        [ps[5]!.name, 'admin'],
        [ps[4]!.name, 'moderator'],
      ]);
      expect(full.slice(3).map((m) => m.username)).toEqual(
        [ps[1]!.name, ps[2]!.name, ps[3]!.name].sort(),
      );
      const paged: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await ps[1]!.c.rooms.members(name, { limit: 4, ...(after ? { after } : {}) });
        paged.push(...page.members.map((m) => m.username));
        if (!page.next) break;
        after = page.next;
      }
      expect(paged).toEqual(full.map((m) => m.username));
      const first = await ps[1]!.c.rooms.members(name, { limit: 2 });
      expect(first.next).toBe(`2.${ps[5]!.name}`);
    });

    it('rooms.mine counts unread and mentions apart; markRead clears them up to a point', async () => {
      const [alice, bob] = await people(2);
      const name = await room([alice!, bob!]);
      const m1 = await alice!.c.rooms.send(name, 'one', 'u1');
      const m2 = await alice!.c.rooms.send(name, `two for @${bob!.name}`, 'u2');
      const m3 = await alice!.c.rooms.send(name, `three, @${bob!.name}!`, 'u3');
      await alice!.c.rooms.send(name, 'four', 'u4');
      await bob!.c.rooms.send(name, `bob's own @${bob!.name}`, 'u5');
      const del = await alice!.c.rooms.send(name, `gone @${bob!.name}`, 'u6');
      await alice!.c.rooms.delete(name, del.message.id);
      expect(m2.message.mentions).toEqual([bob!.id]);
      expect(m1.message.mentions).toEqual([]);

      const mine = async () => (await bob!.c.rooms.mine()).rooms.find((r) => r.name === name)!;
      expect(await mine()).toMatchObject({ unread: 4, mentions: 2, read: 0, role: 'member' });
      expect(await bob!.c.rooms.markRead(name, m2.roomSeq!)).toEqual({
        read: m2.roomSeq,
        unread: 2,
        mentions: 1,
      });
      expect(await mine()).toMatchObject({ unread: 2, mentions: 1, read: m2.roomSeq });
      // A marker never moves back, and never past the room's head.
      expect((await bob!.c.rooms.markRead(name, m1.roomSeq!)).read).toBe(m2.roomSeq);
      const head = (await bob!.c.rooms.get(name)).room.head;
      expect(await bob!.c.rooms.markRead(name, head + 1000)).toEqual({
        read: head,
        unread: 0,
        mentions: 0,
      });
      expect(m3.roomSeq).toBeLessThan(head);
      expect(await mine()).toMatchObject({ unread: 0, mentions: 0, read: head });
      // The sender's own messages never count.
      expect((await alice!.c.rooms.mine()).rooms.find((r) => r.name === name)).toMatchObject({
        unread: 1,
        mentions: 0,
      });
    });

    it('the notify setting round-trips and reaches the user’s other devices', async () => {
      const [owner, bob] = await people(2);
      const name = await room([owner!, bob!]);
      const other = await watch(bob!);
      expect((await bob!.c.rooms.mine()).rooms.find((r) => r.name === name)?.notify).toBe('all');
      expect(await bob!.c.rooms.setNotify(name, 'mentions')).toEqual({ notify: 'mentions' });
      expect(await other.take((e) => e.name === 'room.notify', 'room.notify')).toEqual({
        room: { id: expect.any(String), name },
        notify: 'mentions',
      });
      expect((await bob!.c.rooms.mine()).rooms.find((r) => r.name === name)?.notify).toBe(
        'mentions',
      );
      expect((await bob!.c.rooms.get(name)).membership).toMatchObject({ notify: 'mentions' });
      await refused(bob!.c.rooms.setNotify(name, 'loud' as 'all'), 'bad-request');
      await bob!.c.rooms.setNotify(name, 'none');
      expect((await bob!.c.rooms.mine()).rooms.find((r) => r.name === name)?.notify).toBe('none');
      // Nobody else's setting moved, and it is not a room event.
      expect((await owner!.c.rooms.mine()).rooms.find((r) => r.name === name)?.notify).toBe('all');
      expect((await owner!.c.rooms.events(name, 0)).events.map((e) => e.name)).not.toContain(
        'room.notify',
      );
    });

    it('search within a room and across conversations finds room messages, naming the room', async () => {
      const [alice, bob] = await people(2);
      const name = await room([alice!, bob!]);
      const other = await room([alice!]);
      const word = `zebra${process.pid % 1000}x${++counter}`;
      const hit = await alice!.c.rooms.send(name, `a ${word} crossed`, 's1');
      await alice!.c.rooms.send(name, 'nothing to see', 's2');
      await alice!.c.rooms.send(other, `another ${word} elsewhere`, 's3');

      const inRoom = await bob!.c.rooms.search(name, word.toUpperCase());
      expect(inRoom.results.map((r) => r.message.id)).toEqual([hit.message.id]);
      expect(inRoom.results[0]!.message.room).toEqual({ id: hit.message.room.id, name });
      expect(inRoom.results[0]!.snippet).toContain(word);

      const global = await bob!.c.searchMessages(word);
      expect(global.results).toHaveLength(1);
      expect(global.results[0]!.message).toMatchObject({
        id: hit.message.id,
        room: { id: hit.message.room.id, name },
      });
      const mine = await alice!.c.searchMessages(word);
      expect(
        mine.results.map((r) => (r.message as unknown as RoomMessage).room.name).sort(),
      ).toEqual([name, other].sort());
      // Paging within a room.
      await alice!.c.rooms.send(name, `second ${word}`, 's4');
      const p1 = await bob!.c.rooms.search(name, word, { limit: 1 });
      expect(p1.results).toHaveLength(1);
      expect(p1.next).toEqual(expect.any(String));
      const p2 = await bob!.c.rooms.search(name, word, { limit: 1, before: p1.next! });
      expect(p2.results.map((r) => r.message.id)).toEqual([hit.message.id]);
      expect(p2.next).toBeUndefined();
    });
  });
}
