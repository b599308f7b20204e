import { randomBytes } from 'node:crypto';
import { type Element, xml } from '../codec/element.js';
import { NS } from '../codec/ns.js';
import type { XmppConnection } from '../connection.js';
import { parseH, StreamManagement, withDelay } from '../sm.js';
import { XMLNS } from '../xmlns.js';

/**
 * XEP-0198 stream management (version 3) and XEP-0352 client state
 * indication: nonzas, handled outside the stanza table (they are not counted
 * and carry no id). enable after binding (resumption on request), <r/> and
 * <a/> both ways, and resume in place of binding on a new stream after SASL.
 */

const failed = (condition: string, h?: number, extra?: Element): Element =>
  xml('failed', { xmlns: XMLNS.sm, h }, xml(condition, { xmlns: NS.stanzas }), extra);

/** XEP-0198 4: an h that counts more than was sent. */
function tooHigh(sm: StreamManagement, h: number): Element {
  return xml('handled-count-too-high', {
    xmlns: XMLNS.sm,
    h,
    'send-count': sm.sentCount(),
  });
}

export function smNonza(c: XmppConnection, el: Element): void {
  switch (el.name) {
    case 'enable':
      return enable(c, el);
    case 'resume':
      return resume(c, el);
    case 'r':
      if (!c.sm) return c.write(failed('unexpected-request'));
      return c.write(xml('a', { xmlns: XMLNS.sm, h: c.sm.inbound }));
    case 'a': {
      const sm = c.sm;
      if (!sm) return;
      const h = parseH(el.attr('h'));
      if (h === undefined) return c.fail('bad-format', 'h is a number below 2^32');
      sm.requested = false;
      if (!sm.ack(h)) {
        return c.failWith(
          'undefined-condition',
          `h=${h} acknowledges more than the ${sm.sentCount()} stanzas sent`,
          tooHigh(sm, h),
        );
      }
      // Stanzas sent after our <r/> went out are still to be acknowledged.
      if (sm.unacked.length > 0) c.requestAck();
      return;
    }
    default:
      return c.fail('unsupported-stanza-type', `stream management has no <${el.name}>`);
  }
}

function enable(c: XmppConnection, el: Element): void {
  if (!c.jid) return c.write(failed('unexpected-request'));
  c.write(enableSm(c, el));
}

/** Enables stream management on a bound stream: <enabled/> or <failed/> (also inline in Bind 2). */
export function enableSm(c: XmppConnection, el: Element): Element {
  if (c.sm) return failed('unexpected-request');
  const x = c.deps.config.xmpp;
  const wants = el.attr('resume') === 'true' || el.attr('resume') === '1';
  const resumable = wants && x.resume_seconds > 0;
  const token = resumable ? randomBytes(18).toString('base64url') : undefined;
  c.sm = new StreamManagement(token);
  if (token !== undefined) c.deps.resumption.register(token, c);
  return xml('enabled', {
    xmlns: XMLNS.sm,
    id: token,
    resume: resumable ? 'true' : undefined,
    max: resumable ? x.resume_seconds : undefined,
  });
}

/**
 * <resume h previd> after SASL, instead of binding: the detached (or not yet
 * noticed as dropped) session of the same account continues on this stream.
 * Unknown, expired or someone else's token: item-not-found, and the client
 * binds a new session. Stanzas the client did not acknowledge are sent again,
 * messages with the time they were first sent (XEP-0203).
 */
function resume(c: XmppConnection, el: Element): void {
  const r = resumeSm(c, el);
  c.write(r.answer);
  r.then?.();
}

/**
 * The resumption itself, also inline in SASL2 (XEP-0198 with XEP-0388): the
 * answer (<resumed/> or <failed/>) and, once resumed, what to do after it is
 * written (send again what the client did not acknowledge).
 */
export function resumeSm(c: XmppConnection, el: Element): { answer: Element; then?: () => void } {
  if (!c.auth || c.jid || c.sm) return { answer: failed('unexpected-request') };
  const h = parseH(el.attr('h'));
  const token = el.attr('previd') ?? '';
  if (h === undefined || token === '') return { answer: failed('bad-request') };
  const old = c.deps.resumption.get(token);
  const sm = old?.sm;
  if (!old || !sm || old === c || old.auth?.user.id !== c.auth?.user.id)
    return { answer: failed('item-not-found') };
  if (sm.newlyAcked(h) === undefined) {
    old.expire();
    return { answer: failed('undefined-condition', sm.inbound, tooHigh(sm, h)) };
  }
  sm.ack(h);
  sm.requested = false;
  const resend = sm.unacked;
  sm.unacked = [];
  c.adopt(old);
  c.deps.resumption.move(token, old, c);
  return {
    answer: xml('resumed', { xmlns: XMLNS.sm, h: sm.inbound, previd: token }),
    // What was held back while inactive is still held: the client says <active/> when it is.
    then: () => {
      for (const u of resend) c.write(withDelay(u, c.domain, XMLNS.delay));
    },
  };
}

export function csiNonza(c: XmppConnection, el: Element): void {
  if (el.name === 'inactive') {
    c.csi.inactive = true;
    return;
  }
  if (el.name === 'active') {
    c.csi.inactive = false;
    for (const held of c.csi.flush()) c.write(held);
    return;
  }
  c.fail('unsupported-stanza-type', `client state indication has no <${el.name}>`);
}
