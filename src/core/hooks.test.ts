import { describe, expect, it } from 'vitest';
import { createHooks, type HookEvents, type HookName } from './hooks.js';

const joined: HookEvents['member.joined'] = {
  roomId: 'r1',
  roomName: 'tardis',
  userId: 'u1',
  role: 'member',
  roomSeq: 2,
  at: 1,
  via: 'join',
};

function setup(opts: { maxPending?: number; maxListeners?: number } = {}) {
  const errors: [unknown, HookName][] = [];
  const dropped: HookName[] = [];
  const hooks = createHooks({
    onError: (err, name) => errors.push([err, name]),
    onDropped: (name) => dropped.push(name),
    ...opts,
  });
  return { hooks, errors, dropped };
}

describe('domain hooks', () => {
  it('calls every listener of a hook with its payload, after emit has returned, in order', async () => {
    const { hooks } = setup();
    const seen: string[] = [];
    hooks.on('member.joined', (p) => void seen.push(`a:${p.roomSeq}`));
    hooks.on('member.joined', (p) => void seen.push(`b:${p.roomSeq}`));
    hooks.on('presence.changed', () => void seen.push('wrong hook'));
    hooks.emit('member.joined', joined);
    hooks.emit('member.joined', { ...joined, roomSeq: 3 });
    expect(seen).toEqual([]);
    await hooks.idle();
    expect(seen).toEqual(['a:2', 'b:2', 'a:3', 'b:3']);
  });

  it('a throwing or rejecting listener is reported and stops nobody else', async () => {
    const { hooks, errors } = setup();
    const seen: number[] = [];
    hooks.on('member.joined', () => {
      throw new Error('sync');
    });
    hooks.on('member.joined', async () => {
      throw new Error('async');
    });
    hooks.on('member.joined', (p) => void seen.push(p.roomSeq));
    expect(() => hooks.emit('member.joined', joined)).not.toThrow();
    await hooks.idle();
    expect(seen).toEqual([2]);
    expect(errors.map(([e, n]) => `${n}:${(e as Error).message}`).sort()).toEqual([
      'member.joined:async',
      'member.joined:sync',
    ]);
  });

  it('idle waits for async listeners still running', async () => {
    const { hooks } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let done = false;
    hooks.on('member.joined', async () => {
      await gate;
      done = true;
    });
    hooks.emit('member.joined', joined);
    const idle = hooks.idle().then(() => done);
    await new Promise((r) => setImmediate(r));
    release();
    expect(await idle).toBe(true);
  });

  it('drops calls beyond maxPending and says so, instead of queueing without end', async () => {
    const { hooks, dropped } = setup({ maxPending: 2 });
    const seen: number[] = [];
    hooks.on('member.joined', (p) => void seen.push(p.roomSeq));
    for (let i = 1; i <= 5; i++) hooks.emit('member.joined', { ...joined, roomSeq: i });
    await hooks.idle();
    expect(seen).toEqual([1, 2]);
    expect(dropped).toEqual(['member.joined', 'member.joined', 'member.joined']);
    // Room again once the queue drained.
    hooks.emit('member.joined', { ...joined, roomSeq: 6 });
    await hooks.idle();
    expect(seen).toEqual([1, 2, 6]);
  });

  it('refuses listeners beyond maxListeners; off() removes one', async () => {
    const { hooks } = setup({ maxListeners: 1 });
    const seen: string[] = [];
    const off = hooks.on('member.joined', () => void seen.push('first'));
    expect(() => hooks.on('member.joined', () => {})).toThrow(/already has 1 listeners/);
    expect(hooks.has('member.joined')).toBe(true);
    off();
    expect(hooks.has('member.joined')).toBe(false);
    hooks.on('member.joined', () => void seen.push('second'));
    hooks.emit('member.joined', joined);
    await hooks.idle();
    expect(seen).toEqual(['second']);
  });

  it('emitLater builds the payload only when someone listens, and skips undefined', async () => {
    const { hooks, errors } = setup();
    let built = 0;
    const make = async () => {
      built++;
      return built === 2 ? undefined : joined;
    };
    hooks.emitLater('member.joined', make);
    await hooks.idle();
    expect(built).toBe(0);
    const seen: number[] = [];
    hooks.on('member.joined', (p) => void seen.push(p.roomSeq));
    hooks.emitLater('member.joined', make);
    hooks.emitLater('member.joined', make);
    hooks.emitLater('member.joined', async () => {
      throw new Error('lookup failed');
    });
    await hooks.idle();
    expect(built).toBe(2);
    expect(seen).toEqual([2]);
    expect(errors.map(([e]) => (e as Error).message)).toEqual(['lookup failed']);
  });
});
