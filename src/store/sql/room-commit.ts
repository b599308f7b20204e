import { CompiledQuery, type Kysely, type Transaction, sql } from 'kysely';
import type { RoomTx } from '../../core/rooms/store.js';
import type { Database } from './tables.js';

/**
 * Group commit for room changes: changes that arrive while a transaction runs
 * wait and share the next one, each in its own savepoint so that one that
 * fails (a muted member, a lost race) is undone alone. Every caller is
 * answered only after the shared commit (DEVELOPING invariant 21).
 *
 * SQLite has one writer, so one queue serves every room. PostgreSQL keeps one
 * queue per room: different rooms still commit side by side, and a room's
 * changes, which waited for its lock one after another holding a pooled
 * connection each, now share one transaction and one commit.
 */

/** Called by a job just before it takes a user's lock; throws to refuse it. */
export type UserLockGuard = (userId: string) => void;
export type MakeTx = (tx: Transaction<Database>, roomId: string, guard?: UserLockGuard) => RoomTx;
export type Transact = <T>(roomId: string, fn: (tx: RoomTx) => Promise<T>) => Promise<T>;

interface RoomJob {
  roomId: string;
  fn: (tx: RoomTx) => Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}
type Outcome = { ok: unknown } | { err: unknown };

const MAX_BATCH = 128;
const JOB_SAVEPOINT = CompiledQuery.raw('savepoint parley_room_job');
const JOB_RELEASE = CompiledQuery.raw('release savepoint parley_room_job');
const JOB_ROLLBACK = CompiledQuery.raw('rollback to savepoint parley_room_job');

async function inSavepoint(
  tx: Transaction<Database>,
  job: RoomJob,
  makeTx: MakeTx,
  guard?: UserLockGuard,
): Promise<Outcome> {
  await tx.executeQuery(JOB_SAVEPOINT);
  try {
    const ok = await job.fn(makeTx(tx, job.roomId, guard));
    await tx.executeQuery(JOB_RELEASE);
    return { ok };
  } catch (err) {
    await tx.executeQuery(JOB_ROLLBACK);
    await tx.executeQuery(JOB_RELEASE);
    return { err };
  }
}

function settle(job: RoomJob, o: Outcome): void {
  if ('ok' in o) job.resolve(o.ok);
  else job.reject(o.err);
}

/** Queues a job; `start` runs when the queue was empty (nothing is draining it). */
function enqueue<T>(
  queue: RoomJob[],
  roomId: string,
  fn: (tx: RoomTx) => Promise<T>,
  start: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push({ roomId, fn, resolve: resolve as (v: unknown) => void, reject });
    // setImmediate: changes that arrive in the same turn share the first transaction.
    if (queue.length === 1) setImmediate(start);
  });
}

export function sqliteGroupCommit(db: Kysely<Database>, makeTx: MakeTx): Transact {
  const queue: RoomJob[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (queue.length) {
        const batch = queue.slice(0, MAX_BATCH);
        const outcomes: Outcome[] = [];
        try {
          await db.transaction().execute(async (tx) => {
            for (const job of batch) outcomes.push(await inSavepoint(tx, job, makeTx));
          });
        } catch (err) {
          // The commit failed: nothing of the batch was kept.
          queue.splice(0, batch.length);
          for (const job of batch) job.reject(err);
          continue;
        }
        queue.splice(0, batch.length);
        for (const [i, job] of batch.entries()) settle(job, outcomes[i]!);
      }
    } finally {
      draining = false;
    }
  }

  return (roomId, fn) => enqueue(queue, roomId, fn, () => void drain());
}

/** A job that would take a second user's lock in a shared transaction: it runs alone after. */
class RunAlone extends Error {}

async function lockRoom(tx: Transaction<Database>, roomId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${'room:' + roomId}, 0))`.execute(tx);
}

/**
 * PostgreSQL: one queue per room. Deadlock freedom (invariant 19): a batch
 * takes its room's lock first and then at most one user's lock, last, as a
 * single change always did; a change that would lock a second user is undone
 * in its savepoint and rerun in a transaction of its own after the batch.
 */
export function postgresGroupCommit(db: Kysely<Database>, makeTx: MakeTx): Transact {
  const queues = new Map<string, RoomJob[]>();

  function alone(job: RoomJob): Promise<unknown> {
    return db.transaction().execute(async (tx) => {
      await lockRoom(tx, job.roomId);
      return job.fn(makeTx(tx, job.roomId));
    });
  }

  async function runBatch(roomId: string, batch: readonly RoomJob[]) {
    const outcomes: (Outcome | 'alone')[] = [];
    await db.transaction().execute(async (tx) => {
      await lockRoom(tx, roomId);
      // Kept even when the job that took it is rolled back: the lock may outlive its savepoint.
      let lockedUser: string | undefined;
      const guard: UserLockGuard = (userId) => {
        if (lockedUser !== undefined && lockedUser !== userId) throw new RunAlone();
        lockedUser = userId;
      };
      for (const job of batch) {
        const o = await inSavepoint(tx, job, makeTx, guard);
        outcomes.push('err' in o && o.err instanceof RunAlone ? 'alone' : o);
      }
    });
    return outcomes;
  }

  async function drain(roomId: string, queue: RoomJob[]): Promise<void> {
    try {
      while (queue.length) {
        const batch = queue.slice(0, MAX_BATCH);
        let outcomes: (Outcome | 'alone')[];
        try {
          outcomes = await runBatch(roomId, batch);
        } catch (err) {
          queue.splice(0, batch.length);
          for (const job of batch) job.reject(err);
          continue;
        }
        const later: RoomJob[] = [];
        for (const [i, job] of batch.entries()) {
          const o = outcomes[i]!;
          if (o === 'alone') later.push(job);
          else settle(job, o);
        }
        for (const job of later) {
          try {
            job.resolve(await alone(job));
          } catch (err) {
            job.reject(err);
          }
        }
        // Taken off only now: while the queue is not empty, nobody starts a second drain.
        queue.splice(0, batch.length);
      }
    } finally {
      queues.delete(roomId);
      // Should a bug have thrown above, nothing waits forever.
      for (const job of queue.splice(0)) job.reject(new Error('room change queue failed'));
    }
  }

  return (roomId, fn) => {
    let queue = queues.get(roomId);
    if (!queue) {
      queue = [];
      queues.set(roomId, queue);
    }
    const q = queue;
    return enqueue(q, roomId, fn, () => void drain(roomId, q));
  };
}
