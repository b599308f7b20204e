import type { ContactProfileEvent } from '../../../core/events.js';
import { publicAvatar } from '../../../core/profiles/avatars.js';
import type { Profile } from '../../../core/profiles/store.js';
import { type Element, xml } from '../codec/element.js';
import type { XmppConnection } from '../connection.js';
import { jidOfUser } from '../mapping/events.js';
import { resourcePresences } from '../mapping/resources.js';
import { XMLNS } from '../xmlns.js';
import {
  avatarMetadataItem,
  isCoreNode,
  isPrivateNode,
  nickItem,
  notification,
  vcard4Item,
} from './items.js';
import { parseStored } from './stored.js';

/**
 * PEP notifications (XEP-0163 4.3): core's `contact.profile` (someone's name
 * or avatar changed, told to those who see their presence and to themselves)
 * becomes event messages for the nodes this client asked for with `+notify`;
 * when the client comes online it gets the last item of each node of each
 * contact it sees (and its own). XEP-0153 rides along: the avatar's hash in
 * contacts' presence, re-sent when it changes.
 */

type Person = { userId: string; username: string };

function itemsFor(
  c: XmppConnection,
  p: Person,
  profile: Profile | undefined,
  avatar: ReturnType<typeof publicAvatar> | undefined,
  nodes: ReadonlySet<string> = c.notify,
  vcard = profile !== undefined,
): Element[] {
  const from = jidOfUser(p.username, c.domain);
  const to = c.jid!.toString();
  const out: Element[] = [];
  if (avatar !== undefined && nodes.has(XMLNS.avatarMetadata))
    out.push(notification(from, to, XMLNS.avatarMetadata, [avatarMetadataItem(avatar)]));
  if (profile && nodes.has(XMLNS.nick))
    out.push(notification(from, to, XMLNS.nick, [nickItem(profile.displayName)]));
  if (profile && vcard && nodes.has(XMLNS.vcard4))
    out.push(notification(from, to, XMLNS.vcard4, [vcard4Item(profile, c.domain)]));
  return out;
}

async function profileOf(c: XmppConnection, p: Person): Promise<Profile | undefined> {
  const me = c.auth!.user;
  try {
    return p.userId === me.id
      ? await c.core.profiles.get(me.id)
      : await c.core.profiles.view(me.id, p.username);
  } catch {
    return undefined;
  }
}

async function avatarOf(c: XmppConnection, p: Person) {
  const me = c.auth!.user.id;
  try {
    return publicAvatar(
      p.userId === me ? await c.core.avatars.mine(me) : await c.core.avatars.of(me, p.userId),
    );
  } catch {
    return null;
  }
}

/**
 * The client came online with its caps known, or began to listen to `nodes`:
 * the last items of those nodes, its contacts' (those whose presence it sees)
 * and its own, profile nodes and core's PEP alike.
 */
export async function sendLastItems(
  c: XmppConnection,
  nodes: ReadonlySet<string> = c.notify,
): Promise<void> {
  if (nodes.size === 0 || !c.jid) return;
  const me = c.auth!.user;
  const people: Person[] = [{ userId: me.id, username: me.username }];
  for (const k of await c.core.contacts.list(me.id))
    if (k.subscription === 'to' || k.subscription === 'both') people.push(k);
  const profileNodes = [XMLNS.avatarMetadata, XMLNS.nick, XMLNS.vcard4].some((n) => nodes.has(n));
  // Core's PEP is read only for a client that hears some node of it.
  const otherNodes = [...nodes].some((n) => !isCoreNode(n) && !isPrivateNode(n));
  for (const p of people) {
    if (profileNodes) {
      const avatar = nodes.has(XMLNS.avatarMetadata) ? await avatarOf(c, p) : null;
      const profile = await profileOf(c, p);
      // Only what exists: no avatar and no name are no items to tell.
      for (const el of itemsFor(
        c,
        p,
        profile?.displayName ? profile : undefined,
        avatar ?? undefined,
        nodes,
      ))
        c.write(el);
    }
    if (otherNodes) for (const el of await pepLastItems(c, p, nodes)) c.write(el);
  }
}

/** The last items of `p`'s nodes in core's PEP that this client hears and may read. */
async function pepLastItems(
  c: XmppConnection,
  p: Person,
  nodes: ReadonlySet<string>,
): Promise<Element[]> {
  const out: Element[] = [];
  let list;
  try {
    list = await c.core.pep.nodes(c.auth!.user.id, p.userId);
  } catch {
    return out;
  }
  const from = jidOfUser(p.username, c.domain);
  for (const n of list) {
    if (!nodes.has(n.node) || n.itemId === null || n.payload === null) continue;
    out.push(
      notification(from, c.jid!.toString(), n.node, [
        xml('item', { id: n.itemId }, parseStored(n.payload)),
      ]),
    );
  }
  return out;
}

/** A contact's (or one's own) name, fields or avatar changed. */
export async function profileStanzas(
  c: XmppConnection,
  e: ContactProfileEvent,
): Promise<Element[]> {
  const out: Element[] = [];
  const avatarChanged = e.changed.includes('avatar');
  const nameChanged = e.changed.includes('displayName');
  // vCard4 (XEP-0292) carries every field: any change but the picture's is told.
  const cardChanged = nameChanged || e.changed.includes('details');
  const profile = cardChanged ? await profileOf(c, e) : undefined;
  const told =
    profile && !nameChanged ? new Set([...c.notify].filter((n) => n !== XMLNS.nick)) : c.notify;
  out.push(...itemsFor(c, e, profile, avatarChanged ? e.avatar : undefined, told, cardChanged));
  if (avatarChanged && e.userId !== c.auth!.user.id) {
    c.photos.set(e.userId, e.avatar?.hash ?? '');
    // XEP-0153: the contact's presence again, with the new hash, for each resource told.
    if (c.resourcesTold?.has(e.userId)) {
      const resources = await c.core.presence.resources(c.auth!.user.id, e.userId);
      for (const el of resourcePresences(e.username, resources, c.viewer()))
        out.push(withPhoto(el, e.avatar?.hash ?? ''));
    }
  }
  return out;
}

/** XEP-0153's `<x/>` in an available presence, when the contact's avatar is known. */
export function withPhoto(el: Element, hash: string | undefined): Element {
  if (hash === undefined || el.attr('type') !== undefined) return el;
  return xml(
    el.name,
    el.attrs,
    ...el.children,
    xml('x', { xmlns: XMLNS.vcardUpdate }, xml('photo', {}, hash || undefined)),
  );
}
