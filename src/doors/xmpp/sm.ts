import { type Element, xml } from './codec/element.js';
import { NS } from './codec/ns.js';

/**
 * XEP-0198 stream management's bookkeeping for one stream (pure, no I/O): how
 * many stanzas the client sent that we handled (`inbound`, our `h`), and the
 * stanzas we sent that the client has not acknowledged yet, oldest first, with
 * when each was first sent. Counters are mod 2^32 (XEP-0198 4). Resumption
 * moves this object to the new connection.
 */
export interface Unacked {
  el: Element;
  /** When it was first sent (ms): the XEP-0203 stamp if it has to be sent again. */
  at: number;
}

export const MOD = 2 ** 32;

/** A counter as it travels: a decimal integer in [0, 2^32). */
export function parseH(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n < MOD ? n : undefined;
}

/** What counts: iq, message and presence in jabber:client (never a nonza such as <r/>). */
export function isStanza(el: Element): boolean {
  return (
    (el.name === 'message' || el.name === 'presence' || el.name === 'iq') &&
    (el.ns === undefined || el.ns === NS.client)
  );
}

export class StreamManagement {
  /** Stanzas from the client handled, mod 2^32. */
  inbound = 0;
  /** Our stanzas the client acknowledged, mod 2^32 (the last h it sent). */
  acked = 0;
  /** Sent and not yet acknowledged, oldest first; acked + unacked.length = sent. */
  unacked: Unacked[] = [];
  /** An <r/> is out and not answered yet. */
  requested = false;

  constructor(
    /** The resumption token; undefined when the client did not ask to resume. */
    readonly token: string | undefined,
  ) {}

  handled(): void {
    this.inbound = (this.inbound + 1) % MOD;
  }

  sent(el: Element, now = Date.now()): void {
    this.unacked.push({ el, at: now });
  }

  /** How many stanzas an `h` from the client acknowledges: undefined when more than were sent. */
  newlyAcked(h: number): number | undefined {
    const n = (h - this.acked + MOD) % MOD;
    return n <= this.unacked.length ? n : undefined;
  }

  /** Applies an `h` from the client; false when it counts more than we sent. */
  ack(h: number): boolean {
    const n = this.newlyAcked(h);
    if (n === undefined) return false;
    this.unacked.splice(0, n);
    this.acked = h;
    return true;
  }

  /** Total sent, mod 2^32: what a too-high `h` is told it should have been at most. */
  sentCount(): number {
    return (this.acked + this.unacked.length) % MOD;
  }
}

/** Marks a stanza sent again after resumption with when it was first sent (XEP-0203), once. */
export function withDelay(u: Unacked, domain: string, delayNs: string): Element {
  const el = u.el;
  if (el.name !== 'message' || el.getChild('delay', delayNs) !== undefined) return el;
  return xml(
    el.qname,
    el.attrs,
    ...el.children,
    xml('delay', { xmlns: delayNs, from: domain, stamp: new Date(u.at).toISOString() }),
  );
}
