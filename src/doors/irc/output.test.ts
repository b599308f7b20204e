import { describe, expect, it } from 'vitest';
import { LineQueue } from './output.js';
import type { IrcTransport } from './transport.js';

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

describe('LineQueue', () => {
  it('writes what one turn queued in one write, in order, strings and bytes alike', async () => {
    const { t, writes } = transport();
    const q = new LineQueue(t);
    q.push('A\r\n', 1000);
    q.push(Buffer.from('B \u00e9\r\n', 'utf8'), 1000);
    q.push('C \u{1F600}\r\n', 1000);
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['A\r\nB \u00e9\r\nC \u{1F600}\r\n']);
    q.push('D\r\n', 1000);
    await turn();
    expect(writes).toEqual(['A\r\nB \u00e9\r\nC \u{1F600}\r\n', 'D\r\n']);
  });

  it('flushes every connection that has lines waiting', async () => {
    const a = transport();
    const b = transport();
    const qa = new LineQueue(a.t);
    const qb = new LineQueue(b.t);
    qa.push('1\r\n', 1000);
    qb.push('2\r\n', 1000);
    qa.push('3\r\n', 1000);
    await turn();
    expect(a.writes).toEqual(['1\r\n3\r\n']);
    expect(b.writes).toEqual(['2\r\n']);
  });

  it('flush writes at once (before an end), and nothing is written twice', async () => {
    const { t, writes } = transport();
    const q = new LineQueue(t);
    q.push('ERROR :bye\r\n', 1000);
    q.flush();
    expect(writes).toEqual(['ERROR :bye\r\n']);
    await turn();
    expect(writes).toEqual(['ERROR :bye\r\n']);
  });

  it('counts UTF-8 bytes, its own and those the socket holds, against the limit', () => {
    const q = new LineQueue(transport().t);
    expect(q.push('\u00e9'.repeat(5), 10)).toBe(true); // 10 bytes
    expect(q.push('x', 10)).toBe(false);
    const slow = new LineQueue(transport(95).t);
    expect(slow.push('12345', 100)).toBe(true);
    expect(slow.push('6', 100)).toBe(false);
    q.drop();
    slow.drop();
  });

  it('writes nothing to a destroyed transport, and drop forgets what waits', async () => {
    const gone = transport();
    const q = new LineQueue(gone.t);
    q.push('x\r\n', 1000);
    gone.t.destroy();
    const dropped = transport();
    const d = new LineQueue(dropped.t);
    d.push('y\r\n', 1000);
    d.drop();
    await turn();
    expect(gone.writes).toEqual([]);
    expect(dropped.writes).toEqual([]);
  });
});
