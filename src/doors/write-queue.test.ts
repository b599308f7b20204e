import { describe, expect, it } from 'vitest';
import type { IrcTransport } from './irc/transport.js';
import { WriteQueue } from './write-queue.js';

/** A transport that records its writes and holds `held` bytes unsent (a slow reader). */
function transport(held = 0) {
  const writes: string[] = [];
  const t = {
    destroyed: false,
    writableLength: held,
    on: () => t,
    write(data: string | Buffer) {
      writes.push(typeof data === 'string' ? data : data.toString('utf8'));
      return true;
    },
    end: () => {},
    destroy: () => {
      t.destroyed = true;
    },
    pause: () => {},
    resume: () => {},
  };
  return { t: t as IrcTransport & typeof t, writes };
}

const turn = () => new Promise((r) => setTimeout(r, 10));

describe('WriteQueue', () => {
  it('writes what one turn queued in one write, in order, strings and bytes alike', async () => {
    const { t, writes } = transport();
    const q = new WriteQueue(t);
    q.push('A\r\n');
    q.push(Buffer.from('B \u00e9\r\n', 'utf8'));
    q.push('C \u{1F600}\r\n');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['A\r\nB \u00e9\r\nC \u{1F600}\r\n']);
    q.push('D\r\n');
    await turn();
    expect(writes).toEqual(['A\r\nB \u00e9\r\nC \u{1F600}\r\n', 'D\r\n']);
  });

  it('flushes every connection that has lines waiting', async () => {
    const a = transport();
    const b = transport();
    const qa = new WriteQueue(a.t);
    const qb = new WriteQueue(b.t);
    qa.push('1\r\n');
    qb.push('2\r\n');
    qa.push('3\r\n');
    await turn();
    expect(a.writes).toEqual(['1\r\n3\r\n']);
    expect(b.writes).toEqual(['2\r\n']);
  });

  it('flush writes at once (before an end), and nothing is written twice', async () => {
    const { t, writes } = transport();
    const q = new WriteQueue(t);
    q.push('ERROR :bye\r\n');
    q.flush();
    expect(writes).toEqual(['ERROR :bye\r\n']);
    await turn();
    expect(writes).toEqual(['ERROR :bye\r\n']);
  });

  it('counts UTF-8 bytes, its own and those the socket holds (what a bound counts)', () => {
    const q = new WriteQueue(transport().t);
    q.push('\u00e9'.repeat(5));
    expect(q.pendingBytes).toBe(10);
    q.push(Buffer.from('x'));
    expect(q.queuedBytes).toBe(11);
    const slow = new WriteQueue(transport(95).t);
    slow.push('12345');
    expect([slow.pendingBytes, slow.queuedBytes]).toEqual([5, 100]);
    q.drop();
    slow.drop();
    expect(q.pendingBytes).toBe(0);
  });

  it('writes nothing to a destroyed transport, and drop forgets what waits', async () => {
    const gone = transport();
    const q = new WriteQueue(gone.t);
    q.push('x\r\n');
    gone.t.destroy();
    const dropped = transport();
    const d = new WriteQueue(dropped.t);
    d.push('y\r\n');
    d.drop();
    await turn();
    expect(gone.writes).toEqual([]);
    expect(dropped.writes).toEqual([]);
  });
});
