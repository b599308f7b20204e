import { type Element, xml } from '../codec/element.js';
import { serialize, serializeFramed } from '../codec/serialize.js';
import { StreamParser } from '../codec/stream-parser.js';
import type { XmppConnection } from '../connection.js';
import { XMLNS } from '../xmlns.js';

/**
 * Items of the PEP nodes an account keeps for itself (XEP-0402 bookmarks), in
 * core's private data under `pep/<node>`: one value holding the node's items,
 * so core's bounds apply (64 KiB a value) beside a bound on the count here.
 * Each change is told to the account's other resources (on any node) through
 * core's `private.changed`, its note the `<items>` of the notification.
 */

export const MAX_STORED_ITEMS = 256;

export const keyOf = (node: string): string => `pep/${node}`;

export class TooManyItems extends Error {}

/** An element stored as text (every namespace declared), read back; undefined if it is not one. */
export function parseStored(value: string): Element | undefined {
  const events = new StreamParser({ framing: 'websocket' }).write(Buffer.from(value));
  const first = events[0];
  return first?.type === 'stanza' ? first.element : undefined;
}

export async function storedItems(c: XmppConnection, node: string): Promise<Element[]> {
  const value = await c.core.privateData.get(c.auth!.user.id, keyOf(node));
  if (value === undefined) return [];
  return parseStored(value)?.getChildren('item') ?? [];
}

/** `change`: what goes in the notification's `<event>` (XEP-0060 7.1.2.1, 7.2.2.1, 8.5.2). */
async function save(
  c: XmppConnection,
  node: string,
  items: readonly Element[],
  change: Element,
): Promise<void> {
  const value =
    items.length === 0 ? '' : serialize(xml('items', { xmlns: 'urn:parley:pep' }, items));
  await c.core.privateData.set(c.auth!.user.id, keyOf(node), value, {
    note: serializeFramed(change),
  });
}

const itemsEvent = (node: string, child: Element) =>
  xml('items', { xmlns: XMLNS.pubsubEvent, node }, child);

/** Adds or replaces the item with its id; more than MAX_STORED_ITEMS throws TooManyItems. */
export async function storeItem(c: XmppConnection, node: string, el: Element): Promise<void> {
  const id = el.attr('id')!;
  const items = (await storedItems(c, node)).filter((i) => i.attr('id') !== id);
  if (items.length >= MAX_STORED_ITEMS) throw new TooManyItems();
  await save(c, node, [...items, el], itemsEvent(node, el));
}

/** False when there was no such item. */
export async function retractItem(c: XmppConnection, node: string, id: string): Promise<boolean> {
  const items = await storedItems(c, node);
  const rest = items.filter((i) => i.attr('id') !== id);
  if (rest.length === items.length) return false;
  await save(c, node, rest, itemsEvent(node, xml('retract', { id })));
  return true;
}

/** Removes every item (the node's deletion); false when there were none. */
export async function clearItems(c: XmppConnection, node: string): Promise<boolean> {
  const items = await storedItems(c, node);
  if (items.length === 0) return false;
  await save(c, node, [], xml('purge', { xmlns: XMLNS.pubsubEvent, node }));
  return true;
}
