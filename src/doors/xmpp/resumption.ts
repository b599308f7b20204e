/**
 * XEP-0198 resumption for the whole door: streams that enabled resumption by
 * their token, and the detached ones (connection lost, session kept) waiting
 * to be resumed. Both are bounded: a token lives as long as its stream or its
 * detached session, and at most `maxDetached` sessions wait at once (the
 * oldest is ended to make room). In memory: a token works on the node that
 * issued it only (another node answers item-not-found and the client logs in
 * afresh, losing nothing stored).
 */
export interface Resumable {
  /** Ends the detached session: the resumption window is over. */
  expire(): void;
}

export class Resumption<C extends Resumable> {
  private readonly byToken = new Map<string, C>();
  /** Detached, oldest first (insertion order). */
  private readonly detached = new Map<C, string>();

  constructor(private readonly maxDetached: number) {}

  register(token: string, conn: C): void {
    this.byToken.set(token, conn);
  }

  get(token: string): C | undefined {
    return this.byToken.get(token);
  }

  /** The stream's connection dropped: its session waits under its token. */
  detach(token: string, conn: C): void {
    this.detached.set(conn, token);
    while (this.detached.size > this.maxDetached) {
      const [oldest] = this.detached.keys();
      oldest!.expire(); // calls forget
    }
  }

  /** The token now belongs to `conn` (a resumed stream), attached. */
  move(token: string, from: C, to: C): void {
    this.detached.delete(from);
    this.byToken.set(token, to);
  }

  /** The session ended (closed cleanly, expired, replaced): its token is gone. */
  forget(token: string, conn: C): void {
    this.detached.delete(conn);
    if (this.byToken.get(token) === conn) this.byToken.delete(token);
  }

  get detachedCount(): number {
    return this.detached.size;
  }

  /** Server shutdown: every waiting session ends. */
  expireAll(): void {
    for (const c of [...this.detached.keys()]) c.expire();
  }
}
