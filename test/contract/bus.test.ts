import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { Bus } from '../../src/core/bus.js';
import { describeOn, everyBusBackend } from '../helpers/backends.js';

/**
 * The bus contract, on the in-process bus always and on NATS when
 * PARLEY_TEST_NATS is set. Every test uses its own random subject prefix, so
 * parallel runs on a shared NATS server never see each other's messages.
 * Delivery is asynchronous on every bus: tests wait for what they expect, and
 * prove non-delivery with a later "marker" message, never with a sleep.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

function prefix(): string {
  return `parley-test.${randomBytes(8).toString('hex')}`;
}

/** Collects what arrives on a subscription and lets a test wait for the n-th message. */
function inbox() {
  const got: Uint8Array[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const handler = (payload: Uint8Array) => {
    got.push(payload);
    waiters = waiters.filter((w) => {
      if (got.length < w.n) return true;
      w.resolve();
      return false;
    });
  };
  /** Resolves once `n` messages have arrived in total; rejects after `ms`. */
  const waitFor = (n: number, ms = 5000): Promise<Uint8Array[]> => {
    if (got.length >= n) return Promise.resolve(got);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`only ${got.length} of ${n} messages arrived within ${ms} ms`)),
        ms,
      );
      waiters.push({
        n,
        resolve: () => {
          clearTimeout(t);
          resolve(got);
        },
      });
    });
  };
  return { got, handler, waitFor, texts: () => got.map((b) => dec.decode(b)) };
}

for (const backend of everyBusBackend()) {
  describeOn(backend)(`bus contract (${backend.name})`, () => {
    let open: Bus[] = [];

    async function pair(): Promise<[Bus, Bus]> {
      const p = await backend.pair();
      open.push(...p);
      return p;
    }

    /** After subscribing on `b`, make sure the subscription reached the server before anyone publishes. */
    async function ready(...buses: Bus[]): Promise<void> {
      for (const b of buses) await b.flush();
    }

    afterEach(async () => {
      for (const b of open) await b.close().catch(() => {});
      open = [];
    });

    it('a message published on node A reaches a subscriber on node B', async () => {
      const [a, b] = await pair();
      const subject = `${prefix()}.user.u1`;
      const box = inbox();
      b.subscribe(subject, box.handler);
      await ready(b);

      a.publish(subject, enc.encode('hello from A'));
      await a.flush();
      await box.waitFor(1);
      expect(box.texts()).toEqual(['hello from A']);
    });

    it('delivers payload bytes intact: UTF-8, binary and a 60 KiB payload', async () => {
      const [a, b] = await pair();
      const subject = `${prefix()}.bytes`;
      const box = inbox();
      b.subscribe(subject, box.handler);
      await ready(b);

      const text = 'héllo wörld — ünïcödé ✓ 日本語 🎉👩‍💻';
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      const big = new Uint8Array(60 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) % 251;

      a.publish(subject, enc.encode(text));
      a.publish(subject, binary);
      a.publish(subject, big);
      await a.flush();
      const got = await box.waitFor(3);

      expect(got).toHaveLength(3);
      expect(dec.decode(got[0])).toBe(text);
      expect(Buffer.from(got[0]!).equals(Buffer.from(enc.encode(text)))).toBe(true);
      expect(Buffer.from(got[1]!).equals(Buffer.from(binary))).toBe(true);
      expect(got[2]!.byteLength).toBe(60 * 1024);
      expect(Buffer.from(got[2]!).equals(Buffer.from(big))).toBe(true);
    });

    it('keeps the order of messages from one publisher on one subject', async () => {
      const [a, b] = await pair();
      const subject = `${prefix()}.order`;
      const box = inbox();
      b.subscribe(subject, box.handler);
      await ready(b);

      const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
      for (const s of sent) a.publish(subject, enc.encode(s));
      await a.flush();
      await box.waitFor(50);
      expect(box.texts()).toEqual(sent);
    });

    it('unsubscribe stops delivery', async () => {
      const [a, b] = await pair();
      const p = prefix();
      const gone = inbox();
      const marker = inbox();
      const sub = b.subscribe(`${p}.gone`, gone.handler);
      b.subscribe(`${p}.marker`, marker.handler);
      await ready(b);

      // It was live before...
      a.publish(`${p}.gone`, enc.encode('before'));
      await a.flush();
      await gone.waitFor(1);

      sub.unsubscribe();
      await ready(b);
      a.publish(`${p}.gone`, enc.encode('after'));
      a.publish(`${p}.marker`, enc.encode('marker'));
      await a.flush();
      // ...and once the later marker has arrived, the earlier message would have too.
      await marker.waitFor(1);
      expect(gone.texts()).toEqual(['before']);
    });

    it('several subscribers on one subject each get the message, on both nodes', async () => {
      const [a, b] = await pair();
      const subject = `${prefix()}.fanout`;
      const boxes = [inbox(), inbox(), inbox(), inbox()];
      b.subscribe(subject, boxes[0]!.handler);
      b.subscribe(subject, boxes[1]!.handler);
      b.subscribe(subject, boxes[2]!.handler);
      a.subscribe(subject, boxes[3]!.handler); // the publisher's own node hears it too
      await ready(a, b);

      a.publish(subject, enc.encode('to all'));
      await a.flush();
      for (const box of boxes) await box.waitFor(1);
      for (const box of boxes) expect(box.texts()).toEqual(['to all']);
    });

    it('one unsubscribe does not stop the other subscribers of the subject', async () => {
      const [a, b] = await pair();
      const subject = `${prefix()}.partial`;
      const stays = inbox();
      const leaves = inbox();
      b.subscribe(subject, stays.handler);
      const sub = b.subscribe(subject, leaves.handler);
      await ready(b);
      sub.unsubscribe();
      await ready(b);

      a.publish(subject, enc.encode('one'));
      await a.flush();
      await stays.waitFor(1);
      expect(stays.texts()).toEqual(['one']);
      expect(leaves.got).toHaveLength(0);
    });

    it('keeps subjects apart (exact subjects, no prefix matching)', async () => {
      const [a, b] = await pair();
      const p = prefix();
      const alice = inbox();
      const bob = inbox();
      const parent = inbox();
      b.subscribe(`${p}.user.alice`, alice.handler);
      b.subscribe(`${p}.user.bob`, bob.handler);
      b.subscribe(`${p}.user`, parent.handler);
      await ready(b);

      a.publish(`${p}.user.alice`, enc.encode('for alice'));
      a.publish(`${p}.user.alice2`, enc.encode('for alice2'));
      a.publish(`${p}.user.bob`, enc.encode('for bob'));
      await a.flush();
      await alice.waitFor(1);
      await bob.waitFor(1);
      // A marker on the parent subject comes after everything else above.
      a.publish(`${p}.user`, enc.encode('marker'));
      await a.flush();
      await parent.waitFor(1);

      expect(alice.texts()).toEqual(['for alice']);
      expect(bob.texts()).toEqual(['for bob']);
      expect(parent.texts()).toEqual(['marker']);
    });

    it('a handler that throws does not stop delivery to the others or later messages', async () => {
      const [a, b] = await pair();
      const subject = `${prefix()}.throws`;
      const box = inbox();
      let calls = 0;
      b.subscribe(subject, () => {
        calls++;
        throw new Error('subscriber bug');
      });
      b.subscribe(subject, box.handler);
      await ready(b);

      a.publish(subject, enc.encode('1'));
      a.publish(subject, enc.encode('2'));
      await a.flush();
      await box.waitFor(2);
      expect(box.texts()).toEqual(['1', '2']);
      expect(calls).toBe(2);
    });

    it('reachesOthers, where a bus offers it, is false only while no other node subscribes', async () => {
      const [a, b] = await pair();
      // A bus that cannot tell leaves it out, and publishers then always publish.
      if (!a.reachesOthers || !b.reachesOthers) return;
      const subject = `${prefix()}.reach`;
      expect(a.reachesOthers(subject)).toBe(false);
      const mine = a.subscribe(subject, () => {});
      expect(a.reachesOthers(subject)).toBe(false);
      expect(b.reachesOthers(subject)).toBe(true);
      const theirs = b.subscribe(subject, () => {});
      expect(a.reachesOthers(subject)).toBe(true);
      theirs.unsubscribe();
      expect(a.reachesOthers(subject)).toBe(false);
      mine.unsubscribe();
      expect(b.reachesOthers(subject)).toBe(false);
      b.subscribe(subject, () => {});
      await b.close(); // a closed node listens no more
      expect(a.reachesOthers(subject)).toBe(false);
    });

    it('check() succeeds on an open bus and flush() resolves with nothing pending', async () => {
      const [a, b] = await pair();
      await expect(a.check()).resolves.toBeUndefined();
      await expect(b.check()).resolves.toBeUndefined();
      await expect(a.flush()).resolves.toBeUndefined();
    });

    it('publish does not throw while close() is still in progress', async () => {
      const [a] = await pair();
      const subject = `${prefix()}.closing`;
      a.subscribe(subject, () => {});
      await ready(a);

      let done = false;
      const closing = a.close().then(() => (done = true));
      const errors: unknown[] = [];
      let tries = 0;
      // Publish on every turn of the event loop until the close has finished,
      // so every phase of it (e.g. NATS draining) sees a publication.
      while (!done) {
        try {
          a.publish(subject, enc.encode(`during close ${tries}`));
        } catch (err) {
          errors.push(err);
        }
        tries++;
        await new Promise((r) => setImmediate(r));
      }
      await closing;
      expect(tries).toBeGreaterThan(0);
      expect(errors.map(String)).toEqual([]);
    });

    it('after close(), publish and flush do not throw, check() fails, and the closed node gets nothing more', async () => {
      const [a, b] = await pair();
      const p = prefix();
      const onA = inbox();
      const onB = inbox();
      a.subscribe(`${p}.x`, onA.handler);
      b.subscribe(`${p}.x`, onB.handler);
      await ready(a, b);

      await a.close();
      expect(() => a.publish(`${p}.x`, enc.encode('from a closed bus'))).not.toThrow();
      await expect(a.flush()).resolves.toBeUndefined();
      await expect(a.check()).rejects.toThrow();

      // The open node still works, and the closed node's subscription is gone.
      b.publish(`${p}.x`, enc.encode('from b'));
      await b.flush();
      await onB.waitFor(1);
      expect(onB.texts()).toEqual(['from b']); // nothing from the closed bus
      expect(onA.got).toHaveLength(0);

      await expect(a.close()).resolves.toBeUndefined(); // closing twice is harmless
    });
  });
}
