import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { HookEvents, HookName } from '../../src/core/hooks.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Domain hooks on a running node, registered the way a plugin would
 * (`parley.core.hooks.on`), fired by ordinary REST and WebSocket actions.
 */

const PASSWORD = 'correct horse battery';

/** Everything a hook was told, and a way to wait for a matching call. */
class Seen {
  readonly calls: { name: HookName; payload: unknown }[] = [];
  private waiters: { name: HookName; match: (p: never) => boolean; resolve: (p: never) => void }[] =
    [];

  record(name: HookName, payload: unknown): void {
    this.calls.push({ name, payload });
    for (const w of [...this.waiters])
      if (w.name === name && w.match(payload as never)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(payload as never);
      }
  }

  of<K extends HookName>(name: K): HookEvents[K][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.payload as HookEvents[K]);
  }

  next<K extends HookName>(name: K, match: (p: HookEvents[K]) => boolean): Promise<HookEvents[K]> {
    const earlier = this.of(name).find(match);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve) =>
      this.waiters.push({ name, match: match as (p: never) => boolean, resolve }),
    );
  }
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`domain hooks on a running node (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const seen = new Seen();
    const open: ParleyConnection[] = [];
    const offs: (() => void)[] = [];

    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100_000 } });
      const hooks = node.parley.core.hooks;
      for (const name of [
        'message.stored',
        'message.waiting',
        'presence.changed',
        'member.joined',
      ] as const)
        offs.push(hooks.on(name, (p) => seen.record(name, p)));
      // A broken listener is logged and changes nothing for the others or the caller.
      offs.push(
        hooks.on('message.stored', () => {
          throw new Error('a broken plugin');
        }),
      );
    });
    afterAll(async () => {
      for (const c of open) c.close();
      for (const off of offs) off();
      await node?.dispose();
    });

    async function user(prefix: string) {
      const client = node.client();
      const name = uname(prefix);
      const reg = await client.register(name, PASSWORD);
      return { name, id: reg.user.id, client };
    }

    it('a direct message is stored, and waits for a recipient who is nowhere online', async () => {
      const a = await user('hka');
      const b = await user('hkb');
      const sent = await a.client.sendMessage(b.name, 'are you there?', 'c1');
      const stored = await seen.next(
        'message.stored',
        (p) => p.kind === 'direct' && p.message.id === sent.message.id,
      );
      expect(stored).toMatchObject({
        kind: 'direct',
        message: {
          senderId: a.id,
          recipientId: b.id,
          text: 'are you there?',
          clientId: 'c1',
          visibleToRecipient: true,
          filtered: 'no',
        },
      });
      const waiting = await seen.next('message.waiting', (p) => p.message.id === sent.message.id);
      expect(waiting.userId).toBe(b.id);

      // A retry of the same client id is no new message.
      await a.client.sendMessage(b.name, 'are you there?', 'c1');

      // Once b is connected, a message no longer waits; b's presence changed on the way.
      const conn = await b.client.connect();
      open.push(conn);
      expect(
        await seen.next('presence.changed', (p) => p.userId === b.id && p.show === 'available'),
      ).toMatchObject({ status: '' });
      const again = await a.client.sendMessage(b.name, 'now?', 'c2');
      await seen.next('message.stored', (p) => p.message.id === again.message.id);
      await node.parley.core.hooks.idle();
      expect(seen.of('message.waiting').map((p) => p.message.id)).not.toContain(again.message.id);
      expect(
        seen.of('message.stored').filter((p) => p.message.id === sent.message.id),
      ).toHaveLength(1);

      // A change b makes over the WebSocket is told too; closing the last connection is "offline".
      await conn.request('presence.set', { show: 'away', status: 'lunch' });
      await seen.next(
        'presence.changed',
        (p) => p.userId === b.id && p.show === 'away' && p.status === 'lunch',
      );
      conn.close();
      await conn.closed;
      await seen.next('presence.changed', (p) => p.userId === b.id && p.show === 'offline');
    });

    it('a message held by the recipient\'s filters is stored but does not "wait"', async () => {
      const a = await user('hkc');
      const b = await user('hkd');
      await b.client.addFilter('casino');
      const sent = await a.client.sendMessage(b.name, 'casino bonus', 'c1');
      const stored = await seen.next('message.stored', (p) => p.message.id === sent.message.id);
      expect(stored.message).toMatchObject({ visibleToRecipient: false, filtered: 'held' });
      await node.parley.core.hooks.idle();
      expect(seen.of('message.waiting').map((p) => p.message.id)).not.toContain(sent.message.id);
    });

    it('creating and joining a room are member.joined; a room message is message.stored', async () => {
      const owner = await user('hke');
      const guest = await user('hkf');
      const room = `hk${owner.name.slice(-8)}`;
      await owner.client.rooms.create(`#${room}`);
      const created = await seen.next(
        'member.joined',
        (p) => p.roomName === room && p.userId === owner.id,
      );
      expect(created).toMatchObject({ role: 'owner', via: 'create', roomSeq: 1 });

      await guest.client.rooms.join(`#${room}`);
      const joined = await seen.next(
        'member.joined',
        (p) => p.roomName === room && p.userId === guest.id,
      );
      expect(joined).toMatchObject({ role: 'member', via: 'join', roomId: created.roomId });
      expect(joined.roomSeq).toBeGreaterThan(created.roomSeq);

      // A room message over the WebSocket this time.
      const conn = await guest.client.connect();
      open.push(conn);
      const r = await conn.request<{ message: { id: string }; roomSeq: number }>('rooms.send', {
        room: `#${room}`,
        text: `hello @${owner.name}`,
        clientId: 'r1',
      });
      const stored = await seen.next('message.stored', (p) => p.message.id === r.message.id);
      expect(stored).toMatchObject({
        kind: 'room',
        roomId: created.roomId,
        roomName: room,
        roomSeq: r.roomSeq,
        mentions: [owner.id],
        message: { senderId: guest.id, text: `hello @${owner.name}` },
      });
    });
  });
}
