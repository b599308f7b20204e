/**
 * Hands a room's events to local delivery in `roomSeq` order.
 *
 * Seqs are assigned under the room's lock, so commits happen in seq order, but
 * the code after a commit does not run in that order: on PostgreSQL two sends
 * to one room finish on different pool connections, and events committed on
 * other nodes arrive over the bus. Members would then see seq 12 before 11.
 * Here an event that comes before its predecessor waits for it, for at most
 * `waitMs` (the predecessor may never come: a bus message lost, an event this
 * node was not sent); then the waiting events go in order and the room carries
 * on from there. Events without a seq (typing) go at once.
 */
export interface RoomOrder {
  push(roomId: string, seq: number | undefined, deliver: () => void): void;
  close(): void;
}

interface RoomState {
  next: number;
  held: Map<number, () => void>;
  timer: NodeJS.Timeout | undefined;
}

export function createRoomOrder(opts: { waitMs: number; maxRooms?: number }): RoomOrder {
  const maxRooms = opts.maxRooms ?? 10_000;
  const rooms = new Map<string, RoomState>();

  function run(fn: () => void): void {
    try {
      fn();
    } catch {
      // One failed delivery must not stop the ones after it.
    }
  }

  function drain(st: RoomState): void {
    for (let fn = st.held.get(st.next); fn; fn = st.held.get(st.next)) {
      st.held.delete(st.next);
      st.next++;
      run(fn);
    }
    if (st.held.size === 0 && st.timer) {
      clearTimeout(st.timer);
      st.timer = undefined;
    }
  }

  /** Gives up waiting: what is held goes in order, and the room resumes after it. */
  function giveUp(st: RoomState): void {
    st.timer = undefined;
    const seqs = [...st.held.keys()].sort((a, b) => a - b);
    const fns = seqs.map((s) => st.held.get(s)!);
    st.held.clear();
    st.next = seqs[seqs.length - 1]! + 1;
    for (const fn of fns) run(fn);
    drain(st);
  }

  /** Keeps the map bounded: the rooms least recently started, with nothing held, go. */
  function trim(): void {
    if (rooms.size <= maxRooms) return;
    for (const [id, st] of rooms) {
      if (rooms.size <= maxRooms) break;
      if (st.held.size === 0) rooms.delete(id);
    }
  }

  return {
    push(roomId, seq, deliver) {
      if (seq === undefined) return run(deliver);
      const st = rooms.get(roomId);
      if (!st) {
        rooms.set(roomId, { next: seq + 1, held: new Map(), timer: undefined });
        trim();
        return run(deliver);
      }
      // Late (after giving up on it) or a repeat: the client's cursor sorts it out.
      if (seq < st.next) return run(deliver);
      if (seq === st.next) {
        st.next++;
        run(deliver);
        return drain(st);
      }
      st.held.set(seq, deliver);
      if (!st.timer) {
        st.timer = setTimeout(() => giveUp(st), opts.waitMs);
        st.timer.unref();
      }
    },
    close() {
      for (const st of rooms.values()) if (st.timer) clearTimeout(st.timer);
      rooms.clear();
    },
  };
}
