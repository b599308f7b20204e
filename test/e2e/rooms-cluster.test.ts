import { expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { RoomMessage } from '../../src/sdk/room-types.js';
import type { ServerEvent } from '../../src/sdk/types.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { Inbox } from '../helpers/presence.js';
import { type TestNode, uname } from '../helpers/server.js';
import { describeOn } from '../helpers/backends.js';

/**
 * Rooms across two nodes sharing one database and one bus (SQLite + a shared
 * in-process hub always; PostgreSQL + NATS when both are configured): members
 * on either node see the same messages, topic and roles live; a user who joins
 * through one node while connected only to the other starts getting the room
 * there (the node learns it from the user's own room.joined); a kick through
 * one node cuts the kicked user's connection on the other off the room; typing
 * crosses; and a device reconnecting on the other node with room cursors gets
 * exactly what it missed, in order, before sync.done, then live events once.
 */

const PASSWORD = 'correct horse battery';

/** Waits until `events` has one matching `match` (10 s at most). */
async function waitFor(events: ServerEvent[], match: (e: ServerEvent) => boolean) {
  for (let i = 0; i < 1000; i++) {
    const found = events.find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`event not received; got ${JSON.stringify(events.map((e) => e.name))}`);
}

interface User {
  name: string;
  id: string;
  token: string;
  via1: ParleyClient;
  via2: ParleyClient;
}

for (const setup of clusterSetups) {
  describeOn(setup)(`rooms across two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);

    async function user(prefix: string): Promise<User> {
      const name = uname(prefix);
      const reg = await c.node1.client().register(name, PASSWORD);
      return {
        name,
        id: reg.user.id,
        token: reg.token,
        via1: c.node1.client(reg.token),
        via2: c.node2.client(reg.token),
      };
    }

    /**
     * A WebSocket for `u` on `node`, recording its events, once the node knows
     * the user's rooms: a request after the auth reply is answered after the
     * node's room lookup for the new session, and flushing the bus makes its
     * room subscriptions live.
     */
    async function online(node: TestNode, u: User): Promise<Inbox> {
      const conn = await connectTo(node, u.token);
      const inbox = new Inbox(conn);
      await conn.request('rooms.mine');
      await node.parley.bus.flush();
      return inbox;
    }

    let counter = 0;
    const roomName = () => `clu${process.pid % 1000}-${++counter}`;

    const message = async (inbox: Inbox, text: string) =>
      (await inbox.take(
        (e) =>
          e.name === 'room.message' &&
          e.data.change === 'new' &&
          (e.data.message as RoomMessage).text === text,
        `room message "${text}"`,
      )) as { roomSeq: number; message: RoomMessage };

    /** Both nodes' buses flushed: what one published has reached the other. */
    const flushBoth = async () => {
      await c.node1.parley.bus.flush();
      await c.node2.parley.bus.flush();
    };

    it('members on both nodes see the same messages, topic and roles live', async () => {
      const a = await user('ca');
      const b = await user('cb');
      const d = await user('cd');
      const name = roomName();
      await a.via1.rooms.create(name);
      await b.via2.rooms.join(name);
      await d.via2.rooms.join(name);
      const atA = await online(c.node1, a);
      const atB = await online(c.node2, b);
      const atD = await online(c.node2, d);

      const sent = await atA.conn.sendToRoom(name, 'hello from node 1', 'c1');
      for (const inbox of [atB, atD])
        expect(await message(inbox, 'hello from node 1')).toMatchObject({
          room: { name },
          roomSeq: sent.roomSeq,
          message: sent.message,
        });
      const back = await b.via2.rooms.send(name, 'hello from node 2', 'c2');
      expect(await message(atA, 'hello from node 2')).toMatchObject({
        roomSeq: back.roomSeq,
        message: { id: back.message.id, from: { username: b.name } },
      });
      expect((await message(atD, 'hello from node 2')).message.id).toBe(back.message.id);

      await a.via1.rooms.update(name, { topic: 'same everywhere' });
      expect(
        await atB.take((e) => e.name === 'room.updated', 'topic change on node 2'),
      ).toMatchObject({ changes: { topic: 'same everywhere' }, by: { username: a.name } });
      await a.via1.rooms.setRole(name, d.name, 'moderator');
      expect(
        await atB.take(
          (e) => e.name === 'room.member' && e.data.change === 'role',
          'role change on node 2',
        ),
      ).toMatchObject({ user: { username: d.name }, role: 'moderator', from: 'member' });

      const [r1, r2] = [(await a.via1.rooms.get(name)).room, (await b.via2.rooms.get(name)).room];
      expect(r2).toEqual(r1);
      expect(r1).toMatchObject({ topic: 'same everywhere', topicBy: a.name, memberCount: 3 });
      expect((await b.via2.rooms.members(name)).members).toEqual(
        (await a.via1.rooms.members(name)).members,
      );
      const h1 = await a.via1.rooms.history(name);
      expect(h1.messages.map((m) => m.text)).toEqual(['hello from node 1', 'hello from node 2']);
      expect(await d.via2.rooms.history(name)).toEqual(h1);

      // Nobody got anything twice.
      await flushBoth();
      await atB.drain();
      expect(
        atB.events.filter((e) => e.name === 'room.message').map((e) => e.data.roomSeq),
      ).toEqual([sent.roomSeq, back.roomSeq]);
    });

    it('sends through both nodes at once share commits: each answered once, gapless, seen in order', async () => {
      const a = await user('sa');
      const b = await user('sb');
      const w = await user('sw');
      const name = roomName();
      await a.via1.rooms.create(name);
      await b.via2.rooms.join(name);
      await w.via1.rooms.join(name);
      const watcher = await online(c.node2, w);
      // 30 from each node, all in flight together; some retried with the same client id.
      const sends = [];
      for (let i = 0; i < 30; i++) {
        sends.push(a.via1.rooms.send(name, `a${i}`, `a-${i}`));
        sends.push(b.via2.rooms.send(name, `b${i}`, `b-${i}`));
      }
      for (let i = 0; i < 30; i += 7) sends.push(b.via2.rooms.send(name, `b${i}`, `b-${i}`));
      const answers = await Promise.all(sends);
      const fresh = answers.filter((r) => !r.duplicate);
      expect(fresh).toHaveLength(60);
      const seqs = fresh.map((r) => r.roomSeq!).sort((x, y) => x - y);
      expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));
      // A retry is answered with the original.
      for (const r of answers.filter((x) => x.duplicate))
        expect(fresh.find((f) => f.message.id === r.message.id)?.roomSeq).toBe(r.roomSeq);
      const seen: number[] = [];
      for (let i = 0; i < 60; i++)
        seen.push(
          (
            await watcher.take(
              (e) => e.name === 'room.message' && e.data.change === 'new',
              `message ${i + 1} of 60 on the watcher`,
            )
          ).roomSeq as number,
        );
      expect(seen).toEqual(seqs);
      const history: string[] = [];
      for (let before: number | undefined; ;) {
        const page = await w.via2.rooms.history(name, {
          limit: 100,
          ...(before ? { before } : {}),
        });
        history.unshift(...page.messages.map((m) => m.text));
        if (!page.more) break;
        before = page.messages[0]!.seq;
      }
      expect(history.sort()).toEqual(fresh.map((r) => r.message.text).sort());
    });

    it('joining through node 1 while connected only to node 2 brings the room’s live events to node 2', async () => {
      const a = await user('ja');
      const b = await user('jb');
      const name = roomName();
      await a.via1.rooms.create(name);
      const atA = await online(c.node1, a);
      // B is on node 2 alone: node 2 has no member of the room and no reason to listen to it.
      const atB = await online(c.node2, b);

      const joined = await b.via1.rooms.join(name);
      expect(
        await atB.take((e) => e.name === 'room.joined', 'room.joined on node 2'),
      ).toMatchObject({ seq: joined.seq, room: { name }, role: 'member' });
      expect(
        await atA.take((e) => e.name === 'room.member' && e.data.change === 'joined', 'join'),
      ).toMatchObject({ user: { username: b.name } });
      await c.node2.parley.bus.flush();

      const sent = await a.via1.rooms.send(name, 'can node 2 hear me', 'j1');
      expect((await message(atB, 'can node 2 hear me')).message.id).toBe(sent.message.id);
      await atA.conn.roomTyping(name, 'start');
      expect(await atB.take((e) => e.name === 'room.typing', 'typing on node 2')).toMatchObject({
        user: { username: a.name },
        state: 'start',
      });

      // Leaving through node 1 stops it again.
      const left = atB.conn.next('room.left');
      await b.via1.rooms.leave(name);
      expect(await left).toMatchObject({ room: { name }, change: 'left' });
      await flushBoth();
      await a.via1.rooms.send(name, 'after b left', 'j2');
      await flushBoth();
      await atB.drain();
      expect(
        atB.events
          .filter((e) => e.name === 'room.message')
          .map((e) => (e.data.message as RoomMessage).text),
      ).toEqual(['can node 2 hear me']);
    });

    it('a kick through node 1 stops delivery to the kicked user’s connection on node 2', async () => {
      const a = await user('ka');
      const b = await user('kb');
      const d = await user('kd');
      const name = roomName();
      await a.via1.rooms.create(name);
      await b.via2.rooms.join(name);
      await d.via2.rooms.join(name);
      await online(c.node1, a);
      const atB = await online(c.node2, b);
      const atD = await online(c.node2, d);

      await a.via1.rooms.send(name, 'before the kick', 'k1');
      await message(atB, 'before the kick');

      await a.via1.rooms.kick(name, b.name, 'off you go');
      expect(await atB.take((e) => e.name === 'room.left', 'room.left on node 2')).toMatchObject({
        room: { name },
        change: 'kicked',
        reason: 'off you go',
        by: { username: a.name },
      });
      await flushBoth();
      await a.via1.rooms.send(name, 'after the kick', 'k2');
      await a.via1.rooms.update(name, { topic: 'b is out' });
      // D, on the same node as B, gets both: so node 2 had them and kept them from B.
      await message(atD, 'after the kick');
      await atD.take((e) => e.name === 'room.updated', 'topic at D');
      await atB.drain();
      const fromLeft = atB.events.slice(atB.events.findIndex((e) => e.name === 'room.left'));
      expect(fromLeft.map((e) => e.name)).toEqual(['room.left']);
      await expect(b.via2.rooms.send(name, 'let me back', 'k3')).rejects.toMatchObject({
        condition: 'forbidden',
      });
    });

    it('typing crosses nodes, and stops', async () => {
      const a = await user('ta');
      const b = await user('tb');
      const name = roomName();
      await a.via1.rooms.create(name);
      await b.via2.rooms.join(name);
      const atA = await online(c.node1, a);
      const atB = await online(c.node2, b);
      await atB.conn.roomTyping(name, 'start');
      expect(await atA.take((e) => e.name === 'room.typing', 'typing start')).toEqual({
        room: { id: expect.any(String), name },
        user: { id: b.id, username: b.name },
        state: 'start',
        expiresIn: expect.any(Number),
      });
      await atB.conn.roomTyping(name, 'stop');
      expect(await atA.take((e) => e.name === 'room.typing', 'typing stop')).toEqual({
        room: { id: expect.any(String), name },
        user: { id: b.id, username: b.name },
        state: 'stop',
      });
    });

    it('reconnecting on the other node with room cursors replays what was missed, in order, before sync.done; then live, once', async () => {
      const a = await user('oa');
      const b = await user('ob');
      const e = await user('oe');
      const name = roomName();
      await a.via1.rooms.create(name);
      const joined = await b.via2.rooms.join(name);
      const atB = await online(c.node2, b);
      const seen = await a.via1.rooms.send(name, 'seen live', 'o1');
      await message(atB, 'seen live');
      atB.conn.close();
      const cursor = seen.roomSeq!;

      // B is away: the room moves on through both nodes.
      const missed: string[] = [];
      for (let i = 1; i <= 3; i++) {
        const via = i % 2 ? a.via1 : a.via2;
        await via.rooms.send(name, `missed ${i}`, `o-m${i}`);
        missed.push(`room.message:new:missed ${i}`);
      }
      await a.via2.rooms.update(name, { topic: 'while you were out' });
      await e.via1.rooms.join(name);
      const head = (await a.via1.rooms.get(name)).room.head;
      expect(head).toBe(cursor + 5);

      const events: ServerEvent[] = [];
      const conn = await b.via1.connect({
        cursor: joined.seq!,
        rooms: { [name]: cursor },
        onEvent: (ev) => events.push(ev),
      });
      await waitFor(events, (ev) => ev.name === 'sync.done');
      const label = (ev: ServerEvent) =>
        ev.name === 'room.message'
          ? `room.message:${String(ev.data.change)}:${(ev.data.message as RoomMessage).text}`
          : ev.name === 'room.member'
            ? `room.member:${String(ev.data.change)}`
            : ev.name;
      const untilDone = events.slice(0, events.findIndex((ev) => ev.name === 'sync.done') + 1);
      expect(untilDone.filter((ev) => ev.name.startsWith('room.')).map(label)).toEqual([
        ...missed,
        'room.updated',
        'room.member:joined',
      ]);
      expect(
        untilDone.filter((ev) => ev.name.startsWith('room.')).map((ev) => ev.data.roomSeq),
      ).toEqual([cursor + 1, cursor + 2, cursor + 3, cursor + 4, cursor + 5]);
      expect(untilDone.at(-1)!.data).toMatchObject({ rooms: { [name]: head } });

      // Live again, through the other node, with nothing repeated.
      await conn.request('rooms.mine');
      await c.node1.parley.bus.flush();
      await a.via2.rooms.send(name, 'live again', 'o-live');
      await waitFor(
        events,
        (ev) =>
          ev.name === 'room.message' && (ev.data.message as RoomMessage).text === 'live again',
      );
      await conn.request('ping');
      const seqs = events.filter((ev) => ev.name === 'room.message').map((ev) => ev.data.roomSeq);
      expect(seqs).toEqual([cursor + 1, cursor + 2, cursor + 3, head + 1]);
      conn.close();
    });
  });
}
