import type { PepEvent, PrivateChangedEvent } from '../../../core/events.js';
import { type Element, xml } from '../codec/element.js';
import { eventMessage, isPrivateNode } from './items.js';
import { keyOf, parseStored } from './stored.js';

/**
 * Core's PEP news as XEP-0060 event notifications (pure): `pep.item` (an item
 * of a node core's PEP keeps, published, retracted, or the node deleted) and
 * `private.changed` for a node kept in private data (bookmarks, XEP-0402),
 * whose note is the notification's `<event>` child already. Only for nodes
 * the stream asked for with `+notify` (XEP-0163 filtered notifications). The
 * parsed payload is cached per event object: one event reaches many streams.
 */

export interface PepViewer {
  domain: string;
  /** The stream's full JID. */
  jid: string;
  /** Nodes this client hears (`+notify` in its caps). */
  notify: ReadonlySet<string>;
}

const parsed = new WeakMap<object, Element | null>();

function once(e: object, build: () => Element | undefined): Element | undefined {
  let el = parsed.get(e);
  if (el === undefined) {
    el = build() ?? null;
    parsed.set(e, el);
  }
  return el ?? undefined;
}

/** The `<event>` child a `pep.item` stands for. */
function eventChild(e: PepEvent): Element | undefined {
  const node = e.node;
  if (e.deleted) return xml('delete', { node });
  if (e.retracted !== undefined) return xml('items', { node }, xml('retract', { id: e.retracted }));
  if (!e.item) return undefined;
  const payload = parseStored(e.item.payload);
  return xml('items', { node }, xml('item', { id: e.item.id }, payload));
}

export function pepItemStanza(e: PepEvent, v: PepViewer): Element | undefined {
  if (!v.notify.has(e.node)) return undefined;
  const child = once(e, () => eventChild(e));
  return child && eventMessage(`${e.username}@${v.domain}`, v.jid, child);
}

export function privateChangedStanza(e: PrivateChangedEvent, v: PepViewer): Element | undefined {
  const node = e.key.startsWith('pep/') ? e.key.slice(4) : undefined;
  if (node === undefined || keyOf(node) !== e.key || !isPrivateNode(node)) return undefined;
  if (!v.notify.has(node)) return undefined;
  const child = once(e, () => parseStored(e.note));
  if (!child || child.attr('node') !== node) return undefined;
  return eventMessage(v.jid.replace(/\/.*$/s, ''), v.jid, child);
}
