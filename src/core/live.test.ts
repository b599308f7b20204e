import { describe, expect, it } from 'vitest';
import type { Bus } from './bus.js';
import { createLiveReadiness } from './live.js';

function fakeBus(flush: () => Promise<void>): Bus {
  return {
    publish() {},
    subscribe: () => ({ unsubscribe() {} }),
    flush,
    check: async () => {},
    close: async () => {},
  };
}

const later = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('live readiness', () => {
  it('waits for the room list, then for the bus to have the subscriptions', async () => {
    const order: string[] = [];
    const live = createLiveReadiness({
      bus: fakeBus(async () => {
        await later(20);
        order.push('bus flushed');
      }),
      fanout: {
        ready: async () => {
          await later(20);
          order.push('rooms subscribed');
        },
      },
    });
    await live.ready('u1');
    expect(order).toEqual(['rooms subscribed', 'bus flushed']);
  });

  it('gives up waiting after the timeout when the bus does not answer', async () => {
    const live = createLiveReadiness({
      bus: fakeBus(() => new Promise<void>(() => {})),
      fanout: { ready: async () => {} },
      timeoutMs: 50,
    });
    // The flush never settles: only the timeout can end the wait.
    await expect(live.ready('u1')).resolves.toBeUndefined();
  });

  it('a failing room lookup or bus does not fail the connection', async () => {
    const live = createLiveReadiness({
      bus: fakeBus(async () => {
        throw new Error('bus down');
      }),
      fanout: { ready: () => Promise.reject(new Error('db down')) },
    });
    await expect(live.ready('u1')).resolves.toBeUndefined();
  });
});
