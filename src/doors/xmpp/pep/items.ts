import type { AvatarInfo } from '../../../core/events.js';
import type { PepAccess } from '../../../core/pep/store.js';
import { newId } from '../../../core/ids.js';
import type { Profile } from '../../../core/profiles/store.js';
import type { ProfileUpdate } from '../../../core/profiles/service.js';
import { type Element, xml } from '../codec/element.js';
import { XMLNS } from '../xmlns.js';

/**
 * PEP nodes backed by core (XEP-0163), as pure mapping both ways: the avatar
 * (XEP-0084 data and metadata) is core's avatar, the nickname (XEP-0172) the
 * display name, the vCard4 (XEP-0292) the profile's fields. Bookmarks
 * (XEP-0402) are the account's own items, stored as they come (stored.ts).
 * Any other node (geolocation, mood, tune...) is core's PEP (core/pep): made
 * on its first publish, keeping its last item, read as core allows.
 */

export const VCARD4_NS = 'urn:ietf:params:xml:ns:vcard-4.0';

/** Nodes whose items are views of core; their single item is `current` or the avatar's hash. */
export const CORE_NODES = [
  XMLNS.avatarMetadata,
  XMLNS.avatarData,
  XMLNS.nick,
  XMLNS.vcard4,
] as const;
/** Nodes stored per account, only their owner reads and is notified. */
export const PRIVATE_NODES = [XMLNS.bookmarks] as const;
/** Nodes a contact is told of, as `<node>+notify` features in their caps. */
export const NOTIFY_NODES = [XMLNS.avatarMetadata, XMLNS.nick, XMLNS.vcard4] as const;

export type CoreNode = (typeof CORE_NODES)[number];
export const isCoreNode = (n: string): n is CoreNode =>
  (CORE_NODES as readonly string[]).includes(n);
export const isPrivateNode = (n: string): boolean =>
  (PRIVATE_NODES as readonly string[]).includes(n);

export function item(id: string, payload?: Element): Element {
  return xml('item', { id }, payload);
}

export function avatarMetadataItem(a: AvatarInfo | null): Element {
  // No avatar: empty metadata (XEP-0084 4.6, "disabling").
  if (!a) return item('current', xml('metadata', { xmlns: XMLNS.avatarMetadata }));
  return item(
    a.hash,
    xml(
      'metadata',
      { xmlns: XMLNS.avatarMetadata },
      xml('info', {
        bytes: String(a.size),
        id: a.hash,
        type: a.type,
        width: String(a.width),
        height: String(a.height),
      }),
    ),
  );
}

export function avatarDataItem(hash: string, bytes: Buffer): Element {
  return item(hash, xml('data', { xmlns: XMLNS.avatarData }, bytes.toString('base64')));
}

export function nickItem(displayName: string): Element {
  return item('current', xml('nick', { xmlns: XMLNS.nick }, displayName));
}

export function vcard4Item(p: Profile, domain: string): Element {
  const text = (name: string, v: string) => (v ? xml(name, {}, xml('text', {}, v)) : undefined);
  return item(
    'current',
    xml(
      'vcard',
      { xmlns: VCARD4_NS },
      text('fn', p.displayName),
      text('nickname', p.displayName),
      p.birthYear !== null ? xml('bday', {}, xml('date', {}, String(p.birthYear))) : undefined,
      p.city || p.country
        ? xml(
            'adr',
            {},
            p.city ? xml('locality', {}, p.city) : undefined,
            p.country ? xml('country', {}, p.country) : undefined,
          )
        : undefined,
      text('note', p.about),
      xml('impp', {}, xml('uri', {}, `xmpp:${p.username}@${domain}`)),
    ),
  );
}

export class BadItem extends Error {}

/** The most base64 an avatar may be: core's byte bound, encoded, with room for line breaks. */
export function maxBase64Chars(maxBytes: number): number {
  return Math.ceil(maxBytes / 3) * 4 * 1.05 + 100;
}

/** XEP-0084 data: strict base64 (whitespace allowed, nothing else), decoded. */
export function avatarBytes(data: Element, maxBytes: number): Buffer {
  const raw = data.text();
  if (raw.length > maxBase64Chars(maxBytes)) throw new BadItem('the avatar is too large');
  const b64 = raw.replace(/\s+/g, '');
  if (b64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0)
    throw new BadItem('the avatar data is not base64');
  return Buffer.from(b64, 'base64');
}

/** A published vCard4 as a profile change: like vcard-temp, the whole card replaces the fields. */
export function vcard4Update(v: Element): ProfileUpdate {
  const text = (name: string) =>
    v.getChild(name, VCARD4_NS)?.getChild('text', VCARD4_NS)?.text().trim() ?? '';
  const adr = v.getChild('adr', VCARD4_NS);
  const bday =
    v.getChild('bday', VCARD4_NS)?.getChild('date', VCARD4_NS)?.text().trim() ??
    v.getChild('bday', VCARD4_NS)?.getChild('text', VCARD4_NS)?.text().trim() ??
    '';
  const year = /^(\d{4})(?:-?\d\d-?\d\d)?$/.exec(bday)?.[1];
  // A date without a year (--MM-DD) is kept as no year: the profile has only the year.
  if (bday !== '' && year === undefined && !/^--\d\d-?\d\d$/.test(bday))
    throw new BadItem('bday is a date: YYYY-MM-DD');
  return {
    displayName: text('fn') || text('nickname'),
    city: adr?.getChildText('locality', VCARD4_NS)?.trim() ?? '',
    country: adr?.getChildText('country', VCARD4_NS)?.trim() ?? '',
    birthYear: year === undefined ? null : Number(year),
    about: text('note'),
  };
}

/** The `<message>` that tells a subscriber of new items on `node` (XEP-0060 7.1.2.1). */
export function notification(from: string, to: string, node: string, items: Element[]): Element {
  return eventMessage(from, to, xml('items', { node }, items));
}

/** A headline `<message>` with `<event>` around `child` (items, delete, purge). */
export function eventMessage(from: string, to: string, child: Element): Element {
  return xml(
    'message',
    { from, to, type: 'headline', id: `pep-${newId()}` },
    xml('event', { xmlns: XMLNS.pubsubEvent }, child),
  );
}

/** `<pubsub><items node>` for an items request's answer. */
export function itemsResult(node: string, items: Element[]): Element {
  return xml('pubsub', { xmlns: XMLNS.pubsub }, xml('items', { node }, items));
}

function optionValue(options: Element | undefined, name: string): string | undefined {
  const form = options?.getChild('x', XMLNS.data);
  const f = form?.getChildren('field', XMLNS.data).find((x) => x.attr('var') === name);
  return f ? (f.getChildText('value', XMLNS.data)?.trim() ?? '') : undefined;
}

/** The access models each kind of node honours (core/pep's for other nodes). */
function accessModels(node: string): readonly string[] {
  // Core decides who sees a profile's parts; a private node stays the owner's.
  if (isPrivateNode(node)) return ['whitelist'];
  if (isCoreNode(node)) return ['open', 'presence'];
  return ['presence', 'open', 'whitelist'];
}

/** publish-options (XEP-0060 7.1.5) that a node can honour, else the field it cannot. */
export function unmetPrecondition(options: Element | undefined, node: string): string | undefined {
  const access = optionValue(options, 'pubsub#access_model');
  if (access !== undefined && !accessModels(node).includes(access)) return 'pubsub#access_model';
  const persist = optionValue(options, 'pubsub#persist_items');
  if (persist !== undefined && !['1', 'true'].includes(persist)) return 'pubsub#persist_items';
  return undefined;
}

/** The access model publish-options ask for, for a node core's PEP keeps (checked first). */
export function accessOption(options: Element | undefined): PepAccess | undefined {
  return optionValue(options, 'pubsub#access_model') as PepAccess | undefined;
}
