import { type Element, xml } from '../codec/element.js';
import { NS } from '../codec/ns.js';
import { serialize } from '../codec/serialize.js';
import { StreamParser } from '../codec/stream-parser.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';
import type { IqHandler } from './index.js';
import { result } from './server.js';

/**
 * Private XML storage (XEP-0049) for clients that keep bookmarks or settings
 * there: each element is stored by its namespace and name in core's private
 * data (bounded there: 64 KiB an element, 100 per account), read back
 * through the door's own parser. Only the account reads its own.
 */

/** Elements in one set at most. */
const MAX_ELEMENTS = 10;
const RESERVED = new Set<string>([NS.client, NS.server, XMLNS.private]);

const keyOf = (el: Element): string | undefined => {
  const ns = el.ns;
  return ns === undefined || ns === '' || RESERVED.has(ns) ? undefined : `{${ns}}${el.name}`;
};

/** A stored element back as an element (undefined if it no longer parses: never expected). */
function parse(value: string): Element | undefined {
  const events = new StreamParser({ framing: 'websocket' }).write(Buffer.from(value));
  const first = events[0];
  return events.length === 1 && first?.type === 'stanza' ? first.element : undefined;
}

function failed(c: XmppConnection, iq: Element, err: unknown): void {
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: private storage failed');
  c.error(iq, e.condition === 'bad-request' ? 'not-acceptable' : e.condition, e.text);
}

export const PRIVATE: Record<string, IqHandler> = {
  [`get {${XMLNS.private}}query`]: async (c, iq, q) => {
    const asked = q.elements();
    const key = asked.length === 1 ? keyOf(asked[0]!) : undefined;
    if (key === undefined)
      return c.error(iq, 'not-acceptable', 'ask for one element in its own namespace');
    try {
      const value = await c.core.privateData.get(c.auth!.user.id, key);
      const stored = value !== undefined ? parse(value) : undefined;
      // Nothing stored: the empty element as asked (XEP-0049 3.2).
      const el = stored ?? xml(asked[0]!.name, { xmlns: asked[0]!.ns });
      c.write(result(iq, xml('query', { xmlns: XMLNS.private }, el)));
    } catch (err) {
      failed(c, iq, err);
    }
  },
  [`set {${XMLNS.private}}query`]: async (c, iq, q) => {
    const els = q.elements();
    if (els.length === 0 || els.length > MAX_ELEMENTS)
      return c.error(iq, 'not-acceptable', `store 1 to ${MAX_ELEMENTS} elements`);
    const keys = els.map(keyOf);
    if (keys.some((k) => k === undefined))
      return c.error(iq, 'not-acceptable', 'each element needs its own namespace');
    try {
      for (const [i, el] of els.entries())
        await c.core.privateData.set(c.auth!.user.id, keys[i]!, serialize(el));
      c.write(result(iq));
    } catch (err) {
      failed(c, iq, err);
    }
  },
};
