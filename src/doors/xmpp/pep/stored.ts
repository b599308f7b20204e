import { type Element, xml } from '../codec/element.js';
import { serialize } from '../codec/serialize.js';
import { StreamParser } from '../codec/stream-parser.js';
import type { XmppConnection } from '../connection.js';

/**
 * Items of the PEP nodes an account keeps for itself (XEP-0402 bookmarks), in
 * core's private data under `pep/<node>`: one value holding the node's items,
 * so core's bounds apply (64 KiB a value) beside a bound on the count here.
 */

export const MAX_STORED_ITEMS = 256;

const keyOf = (node: string) => `pep/${node}`;

export class TooManyItems extends Error {}

export async function storedItems(c: XmppConnection, node: string): Promise<Element[]> {
  const value = await c.core.privateData.get(c.auth!.user.id, keyOf(node));
  if (value === undefined) return [];
  const events = new StreamParser({ framing: 'websocket' }).write(Buffer.from(value));
  const first = events[0];
  return first?.type === 'stanza' ? first.element.getChildren('item') : [];
}

async function save(c: XmppConnection, node: string, items: readonly Element[]): Promise<void> {
  const value =
    items.length === 0 ? '' : serialize(xml('items', { xmlns: 'urn:parley:pep' }, items));
  await c.core.privateData.set(c.auth!.user.id, keyOf(node), value);
}

/** Adds or replaces the item with its id; more than MAX_STORED_ITEMS throws TooManyItems. */
export async function storeItem(c: XmppConnection, node: string, el: Element): Promise<void> {
  const id = el.attr('id')!;
  const items = (await storedItems(c, node)).filter((i) => i.attr('id') !== id);
  if (items.length >= MAX_STORED_ITEMS) throw new TooManyItems();
  await save(c, node, [...items, el]);
}

/** False when there was no such item. */
export async function retractItem(c: XmppConnection, node: string, id: string): Promise<boolean> {
  const items = await storedItems(c, node);
  const rest = items.filter((i) => i.attr('id') !== id);
  if (rest.length === items.length) return false;
  await save(c, node, rest);
  return true;
}
