import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { CoreEvent } from '../../core/events.js';
import { WriteQueue } from '../write-queue.js';
import { eventFrame, rawSocket, textFrame } from './frames-out.js';

/** A ws server and a real ws client connected to it. */
async function pair(serverOpts: Record<string, unknown> = {}, clientOpts = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOpts });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const got = new Promise<WebSocket>((r) => wss.once('connection', (ws) => r(ws)));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, clientOpts);
  const received: string[] = [];
  client.on('message', (d) => received.push(String(d)));
  await new Promise<void>((r, j) => {
    client.once('open', () => r());
    client.once('error', j);
  });
  return { ws: await got, client, received, close: () => (client.close(), wss.close()) };
}

describe('textFrame', () => {
  it('uses the 7-bit, 16-bit and 64-bit length forms at their boundaries', () => {
    for (const [n, head] of [
      [0, 2],
      [125, 2],
      [126, 4],
      [65_535, 4],
      [65_536, 10],
    ] as const) {
      const f = textFrame(Buffer.alloc(n, 0x61));
      expect(f.length).toBe(head + n);
      expect(f[0]).toBe(0x81);
      if (head === 2) expect(f[1]).toBe(n);
      if (head === 4) expect([f[1], f.readUInt16BE(2)]).toEqual([126, n]);
      if (head === 10) expect([f[1], Number(f.readBigUInt64BE(2))]).toEqual([127, n]);
    }
  });
});

describe('raw frames on a ws socket', () => {
  it('reach a real ws client intact and in order, in one write per turn', async () => {
    const p = await pair();
    const raw = rawSocket(p.ws);
    expect(raw).toBeDefined();
    const writes: number[] = [];
    const q = new WriteQueue(raw!, (n) => writes.push(n));
    const texts = ['short', 'é✓𝄞 emoji 🫖', 'x'.repeat(200), 'y'.repeat(70_000)];
    const expected: string[] = [];
    for (const [i, t] of texts.entries()) {
      q.push(eventFrame({ name: 'test', i, t } as unknown as CoreEvent));
      expected.push(JSON.stringify({ type: 'event', name: 'test', data: { i, t } }));
      q.push(textFrame(Buffer.from(`reply ${i}`)));
      expected.push(`reply ${i}`);
    }
    expect(q.pendingBytes).toBeGreaterThan(70_000);
    await expect.poll(() => p.received.length).toBe(expected.length);
    expect(p.received).toEqual(expected);
    expect(writes).toEqual([8]);
    expect(q.pendingBytes).toBe(0);
    p.close();
  });

  it('flush sends at once (before a close frame) and writes nothing to a closed socket', async () => {
    const p = await pair();
    const writes: number[] = [];
    const q = new WriteQueue(rawSocket(p.ws)!, (n) => writes.push(n));
    q.push(textFrame(Buffer.from('last words')));
    q.flush();
    const closed = new Promise<number>((r) => p.client.once('close', (code) => r(code)));
    p.ws.close(4002, 'bye');
    expect(await closed).toBe(4002);
    expect(p.received).toEqual(['last words']);
    q.push(textFrame(Buffer.from('too late')));
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([1]);
    p.close();
  });

  it('builds an event frame once and shares it', () => {
    const e = { name: 'test', a: 1 } as unknown as CoreEvent;
    expect(eventFrame(e)).toBe(eventFrame(e));
  });

  it('is refused when an extension (permessage-deflate) was negotiated', async () => {
    const p = await pair({ perMessageDeflate: true }, { perMessageDeflate: true });
    expect(rawSocket(p.ws)).toBeUndefined();
    p.close();
  });
});
