import { afterEach, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { Message, MessageResult, ServerEvent } from '../../src/sdk/types.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { Inbox } from '../helpers/presence.js';
import { type TestNode, uname } from '../helpers/server.js';
import { describeOn } from '../helpers/backends.js';

/**
 * Direct messages across two nodes sharing one database and one bus: a message
 * sent on one node reaches the recipient (and the sender's other devices) on
 * the other at once; an offline recipient loses nothing and, reconnecting on
 * either node with its cursor, gets exactly what it missed, then `sync.done`,
 * then live events, with no gap and nothing twice, even while the other side
 * keeps sending through the other node; edits, deletions and reactions cross
 * too.
 */

const PASSWORD = 'correct horse battery';

interface User {
  name: string;
  id: string;
  token: string;
  /** REST through node 1 and node 2. */
  on1: ParleyClient;
  on2: ParleyClient;
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** The `message` events and `sync.done` a connection received, as "change:seq" / "sync.done:cursor". */
const trace = (events: ServerEvent[]) =>
  events
    .filter((e) => e.name === 'message' || e.name === 'sync.done')
    .map((e) =>
      e.name === 'sync.done'
        ? `sync.done:${String(e.data.cursor)}`
        : `${String(e.data.change)}:${String(e.data.seq)}`,
    );

for (const setup of clusterSetups) {
  describeOn(setup)(`direct messages across two nodes (${setup.name})`, () => {
    const { cluster: c } = useCluster(setup);
    const open: ParleyConnection[] = [];
    afterEach(() => {
      for (const conn of open.splice(0)) conn.close();
    });

    async function register(prefix: string): Promise<User> {
      const on1 = c.node1.client();
      const name = uname(prefix);
      const reg = await on1.register(name, PASSWORD);
      return { name, id: reg.user.id, token: reg.token, on1, on2: c.node2.client(reg.token) };
    }

    /**
     * A WebSocket to `node` recording every event from before it authenticates
     * (with `cursor`, the replay too); resolves once its bus subscription is live.
     */
    async function connect(node: TestNode, u: User, cursor?: number) {
      const conn = await node.client().connect({ authenticate: false });
      open.push(conn);
      const inbox = new Inbox(conn);
      // Not taken from the inbox: the replayed events stay there for the test to read.
      const done = cursor === undefined ? undefined : conn.next('sync.done');
      await conn.request(
        'auth',
        cursor === undefined ? { token: u.token } : { token: u.token, cursor },
      );
      await done;
      await node.parley.bus.flush();
      return { conn, inbox };
    }

    /** The next `message` event with this change. */
    const nextMessage = async (inbox: Inbox, change: string) =>
      (await inbox.take(
        (e) => e.name === 'message' && e.data.change === change,
        `a message event (${change})`,
      )) as { seq: number; change: string; message: Message };

    /** Waits until `inbox` has a message event with log seq `seq` (so everything before it, too). */
    const reach = (inbox: Inbox, seq: number) =>
      inbox.take((e) => e.name === 'message' && e.data.seq === seq, `message event seq ${seq}`);

    it('A on node 1 sends to B on node 2: B and A’s other device on node 2 get it live, the sending connection does not', async () => {
      const a = await register('xa');
      const b = await register('xb');
      const aWs = await connect(c.node1, a);
      const aOther = await connect(c.node2, a);
      const bWs = await connect(c.node2, b);

      const sent = await aWs.conn.request<MessageResult>('messages.send', {
        to: b.name,
        clientId: 'x-1',
        text: 'across the bus',
      });
      expect(sent).toMatchObject({ seq: 1, duplicate: false, message: { seq: 1 } });
      const got = await nextMessage(bWs.inbox, 'new');
      expect(got).toEqual({ seq: 1, change: 'new', message: sent.message });
      expect(await nextMessage(aOther.inbox, 'new')).toEqual({
        seq: 1,
        change: 'new',
        message: sent.message,
      });

      // Over REST through node 2 this time: every WebSocket of A gets it, on both nodes.
      const viaRest = await a.on2.sendMessage(b.name, 'through node 2', 'x-2');
      expect(viaRest).toMatchObject({ seq: 2, message: { seq: 2 } });
      expect(await nextMessage(bWs.inbox, 'new')).toEqual({
        seq: 2,
        change: 'new',
        message: viaRest.message,
      });
      expect(await nextMessage(aWs.inbox, 'new')).toMatchObject({
        seq: 2,
        message: { id: viaRest.message.id },
      });
      expect(await nextMessage(aOther.inbox, 'new')).toMatchObject({ seq: 2 });
      await aWs.inbox.drain();
      // The connection that sent x-1 got the reply, not an echo of its own send.
      expect(trace(aWs.inbox.events)).toEqual(['new:2']);
      // A retry through the other node is a duplicate, and nobody is told twice.
      const retry = await a.on2.sendMessage(b.name, 'across the bus', 'x-1');
      expect(retry).toEqual({ ...sent, duplicate: true });
      await c.node2.parley.bus.flush();
      await c.node1.parley.bus.flush();
      await bWs.inbox.drain();
      expect(trace(bWs.inbox.events)).toEqual(['new:1', 'new:2']);
      expect((await b.on1.history(a.name)).messages.map((m) => m.id)).toEqual([
        sent.message.id,
        viaRest.message.id,
      ]);
    });

    it('B offline: messages wait in the store; B reconnecting on node 1 with its cursor gets exactly what it missed, sync.done, then live events', async () => {
      const a = await register('ya');
      const b = await register('yb');
      const bFirst = await connect(c.node2, b);
      const first = await a.on1.sendMessage(b.name, 'one', 'y-1');
      const seen = await nextMessage(bFirst.inbox, 'new');
      const cursor = seen.seq;
      expect(cursor).toBe(1);
      bFirst.conn.close();
      await bFirst.conn.closed;
      await c.node2.parley.bus.flush();

      // While B is away, through both nodes.
      const two = await a.on1.sendMessage(b.name, 'two', 'y-2');
      await a.on2.editMessage(first.message.id, 'one, edited');
      const three = await a.on2.sendMessage(b.name, 'three', 'y-3');
      await b.on2.react(two.message.id, '👍'); // B on another device, with no WebSocket
      await a.on1.deleteMessage(three.message.id);
      const four = await a.on1.sendMessage(b.name, 'four', 'y-4');

      const again = await connect(c.node1, b, cursor);
      expect(trace(again.inbox.events)).toEqual([
        'new:2',
        'edited:3',
        'new:4',
        'reaction:5',
        'deleted:6',
        'new:7',
        'sync.done:7',
      ]);
      const replayed = again.inbox.events.filter((e) => e.name === 'message');
      expect(replayed.map((e) => (e.data.message as Message).id)).toEqual([
        two.message.id,
        first.message.id,
        three.message.id,
        two.message.id,
        three.message.id,
        four.message.id,
      ]);
      expect(replayed[1]!.data.message).toMatchObject({
        text: 'one, edited',
        editedAt: expect.any(Number),
      });
      expect(replayed[3]!.data.message).toMatchObject({
        reactions: [{ emoji: '👍', count: 1, userIds: [b.id] }],
      });
      expect(replayed[4]!.data.message).toMatchObject({ deleted: true, text: '' });
      // The replay is the log: what sync says, event for event.
      const page = await b.on2.sync(cursor);
      expect(replayed.map((e) => e.data)).toEqual(
        page.events.map((e) => ({ seq: e.seq, ...e.data })),
      );

      // Then live, from the other node.
      const five = await a.on2.sendMessage(b.name, 'five', 'y-5');
      expect(await reach(again.inbox, 8)).toEqual({
        seq: 8,
        change: 'new',
        message: five.message,
      });
      await again.inbox.drain();
      expect(trace(again.inbox.events).slice(-2)).toEqual(['sync.done:7', 'new:8']);
    });

    it('a cursor at the head replays nothing; a cursor past it is refused at auth', async () => {
      const a = await register('za');
      const b = await register('zb');
      await a.on1.sendMessage(b.name, 'only', 'z-1');
      const atHead = await connect(c.node2, b, 1);
      expect(trace(atHead.inbox.events)).toEqual(['sync.done:1']);
      await expect(connect(c.node1, b, 99)).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'cursor',
      });
    });

    it('reconnecting while the other side keeps sending through the other node: every event once, in order, none lost', async () => {
      const a = await register('wa');
      const d = await register('wd');
      const b = await register('wb');
      // Two senders (the per-user send rate allows a burst of 50 each), over REST and WebSocket.
      const ws2 = [await connect(c.node2, a), await connect(c.node2, d)];
      const PER_ROUND = 24;
      let head = 0;
      for (const round of range(1, 4)) {
        // B was last told about `head`; now it reconnects on node 1 while A and D send through node 2.
        const cursor = head;
        // Each sender sends one message after another; B starts reconnecting once a third are
        // acknowledged, so some are replayed and the rest race the replay.
        let acked = 0;
        let startB!: () => void;
        const bMayStart = new Promise<void>((resolve) => (startB = resolve));
        const sender = async (from: 0 | 1) => {
          const out: MessageResult[] = [];
          for (const i of range(1, PER_ROUND / 2)) {
            const clientId = `w${round}-${from}-${i}`;
            const text = `r${round} m${i}`;
            out.push(
              await (i % 2
                ? [a, d][from]!.on2.sendMessage(b.name, text, clientId)
                : ws2[from]!.conn.request<MessageResult>('messages.send', {
                    to: b.name,
                    clientId,
                    text,
                  })),
            );
            if (++acked === PER_ROUND / 3) startB();
          }
          return out;
        };
        const [bWs, results] = await Promise.all([
          bMayStart.then(() => connect(c.node1, b, cursor)),
          Promise.all([sender(0), sender(1)]).then((r) => r.flat()),
        ]);
        head = cursor + PER_ROUND;
        expect(results.every((r) => !r.duplicate)).toBe(true);
        await reach(bWs.inbox, head);
        await c.node2.parley.bus.flush();
        await c.node1.parley.bus.flush();
        await bWs.inbox.drain();
        const t = trace(bWs.inbox.events);
        const doneAt = t.findIndex((x) => x.startsWith('sync.done:'));
        expect(doneAt, t.join(' ')).toBeGreaterThanOrEqual(0);
        const syncedTo = Number(t[doneAt]!.split(':')[1]);
        const seqs = t
          .filter((x) => !x.startsWith('sync.done:'))
          .map((x) => Number(x.split(':')[1]));
        // Exactly cursor+1..head, each once, in order; replayed ones before sync.done, live ones after.
        expect(seqs, t.join(' ')).toEqual(range(cursor + 1, head));
        expect(doneAt, t.join(' ')).toBe(syncedTo - cursor);
        bWs.conn.close();
        await bWs.conn.closed;
        await c.node1.parley.bus.flush();
      }
      const log = await b.on1.sync(0, 500);
      expect(log.events.map((e) => e.seq)).toEqual(range(1, head));
    });

    it('edits, reactions and deletions cross nodes both ways, and both nodes agree on the result', async () => {
      const a = await register('va');
      const b = await register('vb');
      const aWs = await connect(c.node1, a);
      const bWs = await connect(c.node2, b);

      const m = (await a.on1.sendMessage(b.name, 'original', 'v-1')).message;
      await nextMessage(bWs.inbox, 'new');
      await nextMessage(aWs.inbox, 'new');

      // B reacts on node 2: A on node 1 is told.
      const own: number[] = []; // B's log positions for what bWs itself asked (never echoed to it)
      own.push(
        (await bWs.conn.request<MessageResult>('messages.react', { id: m.id, emoji: '🎉' })).seq!,
      );
      const reacted = await nextMessage(aWs.inbox, 'reaction');
      expect(reacted.message.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: [b.id] }]);
      // A reacts too, through node 2's REST: B on node 2 and A on node 1 both hear it.
      await a.on2.react(m.id, '🎉');
      expect((await nextMessage(bWs.inbox, 'reaction')).message.reactions).toEqual([
        { emoji: '🎉', count: 2, userIds: [b.id, a.id] },
      ]);
      expect((await nextMessage(aWs.inbox, 'reaction')).message.reactions).toHaveLength(1);

      // A edits on node 1: B on node 2 sees the new text.
      await aWs.conn.request('messages.edit', { id: m.id, text: 'edited on node 1' });
      const edited = await nextMessage(bWs.inbox, 'edited');
      expect(edited.message).toMatchObject({
        id: m.id,
        text: 'edited on node 1',
        editedAt: expect.any(Number),
      });

      // B withdraws its reaction on node 1's REST.
      await b.on1.react(m.id, '🎉', false);
      expect((await nextMessage(aWs.inbox, 'reaction')).message.reactions).toEqual([
        { emoji: '🎉', count: 1, userIds: [a.id] },
      ]);

      // B replies on node 2; A deletes the original on node 2's REST.
      const reply = await bWs.conn.request<MessageResult>('messages.send', {
        to: a.name,
        clientId: 'v-2',
        text: 'a reply',
        replyTo: m.id,
      });
      own.push(reply.seq!);
      expect((await nextMessage(aWs.inbox, 'new')).message).toEqual(reply.message);
      await a.on2.deleteMessage(m.id);
      const deleted = await nextMessage(bWs.inbox, 'deleted');
      expect(deleted.message).toMatchObject({ id: m.id, deleted: true, text: '', reactions: [] });
      await expect(b.on1.react(m.id, '👍')).rejects.toMatchObject({ condition: 'conflict' });

      const h1 = await a.on1.history(b.name);
      const h2 = await b.on2.history(a.name);
      expect(h1).toEqual(h2);
      expect(h1.messages.map((x) => [x.text, x.deleted, x.replyTo])).toEqual([
        ['', true, null],
        ['a reply', false, m.id],
      ]);
      // Each side's log agrees with what it was told live.
      await bWs.inbox.drain();
      const bLog = await b.on1.sync(0);
      expect(own).toEqual([2, 6]);
      expect(trace(bWs.inbox.events)).toEqual(
        bLog.events
          .filter((e) => !own.includes(e.seq))
          .map((e) => `${String(e.data.change)}:${e.seq}`),
      );
      expect(trace(bWs.inbox.events)).toEqual([
        'new:1',
        'reaction:3',
        'edited:4',
        'reaction:5',
        'deleted:7',
      ]);
    });

    it('a recipient who blocked the sender hears nothing on any node, while the sender’s devices do', async () => {
      const a = await register('ua');
      const b = await register('ub');
      const d = await register('ud');
      await b.on2.block(a.name);
      const bWs = await connect(c.node2, b);
      const aOther = await connect(c.node2, a);
      const hidden = await a.on1.sendMessage(b.name, 'you will not see this', 'u-1');
      expect(hidden).toMatchObject({ duplicate: false, seq: 1 });
      expect((await nextMessage(aOther.inbox, 'new')).message.id).toBe(hidden.message.id);
      // A message from someone else, sent after it through the same node, arrives; the hidden one never did.
      const visible = await d.on1.sendMessage(b.name, 'but this', 'u-2');
      expect((await nextMessage(bWs.inbox, 'new')).message.id).toBe(visible.message.id);
      await bWs.inbox.drain();
      // b's log position 1 is the block itself (block.added), so d's message is 2.
      expect(trace(bWs.inbox.events)).toEqual(['new:2']);
      expect((await b.on1.history(a.name)).messages).toEqual([]);
      const bLog = (await b.on1.sync(0)).events;
      expect(bLog.map((e) => e.name)).toEqual(['block.added', 'message']);
      expect((bLog[1]!.data.message as Message).id).toBe(visible.message.id);
      expect((await a.on2.history(b.name)).messages.map((m) => m.id)).toEqual([hidden.message.id]);
    });
  });
}
