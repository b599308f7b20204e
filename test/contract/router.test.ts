import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { Bus } from '../../src/core/bus.js';
import type { CoreEvent } from '../../src/core/events.js';
import { event } from '../helpers/events.js';
import { createRouter } from '../../src/core/router.js';
import {
  type Capability,
  createSessionRegistry,
  type Session,
  sessionKey,
} from '../../src/core/sessions.js';
import { describeOn, everyBusBackend } from '../helpers/backends.js';

/**
 * The router over every bus: one session reached anywhere in the cluster by its
 * key, and capabilities respected on every node. Non-delivery is proven by a
 * later event that does arrive, never by a sleep.
 */

function waitUntil(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (cond()) return resolve();
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

function node(nodeId: string, bus: Bus, prefix: string) {
  const sessions = createSessionRegistry();
  const router = createRouter({ nodeId, bus, sessions, subjectPrefix: prefix });
  const got = new Map<string, CoreEvent[]>();
  function connect(userId: string, connectionId: string, caps: Capability[] = []): Session {
    const s: Session = {
      id: `${connectionId}-login`,
      connectionId,
      userId,
      door: 'test',
      resource: '',
      capabilities: new Set(caps),
      send: (e) => got.set(connectionId, [...(got.get(connectionId) ?? []), e]),
      close: () => {},
    };
    sessions.add(s);
    return s;
  }
  const names = (connectionId: string) =>
    (got.get(connectionId) ?? []).map((e) => e.name as string);
  return { nodeId, sessions, router, connect, names };
}

for (const backend of everyBusBackend()) {
  describeOn(backend)(`router (${backend.name})`, () => {
    let open: Bus[] = [];
    afterEach(async () => {
      for (const b of open) await b.close().catch(() => {});
      open = [];
    });

    async function twoNodes() {
      const [busA, busB] = await backend.pair();
      open.push(busA, busB);
      const prefix = `parley-test.${randomBytes(8).toString('hex')}`;
      return [node('node-a', busA, prefix), node('node-b', busB, prefix)] as const;
    }

    it('deliverToSession reaches one session on another node, and only it', async () => {
      const [a, b] = await twoNodes();
      b.connect('u1', 'c1');
      b.connect('u1', 'c2');
      a.connect('u1', 'c3');
      for (const bus of open) await bus.flush();

      a.router.deliverToSession('u1', sessionKey('node-b', 'c2'), event('call.offer', { n: 1 }));
      a.router.deliver('u1', event('marker.after', {}));
      await waitUntil(() => b.names('c1').includes('marker.after'), 'the marker on c1');
      await waitUntil(() => b.names('c2').includes('marker.after'), 'the marker on c2');
      expect(b.names('c2')).toEqual(['call.offer', 'marker.after']);
      expect(b.names('c1')).toEqual(['marker.after']);
      expect(a.names('c3')).toEqual(['marker.after']);
    });

    it('deliverToSession on the same node is direct, and a wrong user or gone session gets nothing', async () => {
      const [a] = await twoNodes();
      a.connect('u1', 'c1');
      a.connect('u2', 'c2');
      a.router.deliverToSession('u1', sessionKey('node-a', 'c1'), event('direct', {}));
      expect(a.names('c1')).toEqual(['direct']);
      a.router.deliverToSession('u1', sessionKey('node-a', 'c2'), event('stolen', {}));
      a.router.deliverToSession('u1', sessionKey('node-a', 'nope'), event('gone', {}));
      a.router.deliverToSession('u1', 'no-key', event('bad', {}));
      expect(a.names('c2')).toEqual([]);
      expect(a.names('c1')).toEqual(['direct']);
    });

    it('echo: the causing session gets its own event only with the capability, on any node', async () => {
      const [a, b] = await twoNodes();
      a.connect('u1', 'plain');
      b.connect('u1', 'echoing', ['echo']);
      for (const bus of open) await bus.flush();
      a.router.deliver('u1', event('message', {}, 'plain'));
      a.router.deliver('u1', event('message.other', {}, 'echoing'));
      await waitUntil(() => b.names('echoing').length === 2, 'both events on the echoing session');
      expect(b.names('echoing')).toEqual(['message', 'message.other']);
      expect(a.names('plain')).toEqual(['message.other']);
    });

    it('typing and receipts reach only sessions that asked for them', async () => {
      const [a, b] = await twoNodes();
      a.connect('u1', 'bare');
      b.connect('u1', 'full', ['typing', 'receipts']);
      for (const bus of open) await bus.flush();
      for (const name of ['typing', 'room.typing', 'receipt', 'message'])
        a.router.deliver('u1', event(name, {}));
      await waitUntil(() => b.names('full').length === 4, 'all four on the full session');
      expect(a.names('bare')).toEqual(['message']);
    });
  });
}
