import { Readable } from 'node:stream';
import { ParleyError } from '../../../core/errors.js';
import { AVATAR_LIMITS } from '../../../core/profiles/avatars.js';
import { type Element, xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { StanzaErrorCondition } from '../codec/errors.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import {
  accessOption,
  avatarBytes,
  avatarDataItem,
  avatarMetadataItem,
  BadItem,
  isCoreNode,
  isPrivateNode,
  itemsResult,
  nickItem,
  unmetPrecondition,
  vcard4Item,
  VCARD4_NS,
  vcard4Update,
} from '../pep/items.js';
import {
  clearItems,
  MAX_STORED_ITEMS,
  parseStored,
  retractItem,
  storedItems,
  storeItem,
  TooManyItems,
} from '../pep/stored.js';
import { serializeFramed } from '../codec/serialize.js';
import { XMLNS } from '../xmlns.js';
import type { IqHandler } from './index.js';
import { result } from './server.js';

/**
 * PEP (XEP-0163) on each account's bare JID: publish, retract, items, delete.
 * The avatar (XEP-0084), nickname (XEP-0172) and vCard4 (XEP-0292) nodes are
 * core's profile and avatar, so a publish is a profile change that reaches web
 * contacts too, and core's rules say who reads them; bookmarks (XEP-0402) are
 * stored for the owner only (pep/stored.ts). Any other node (geolocation,
 * mood, tune, OMEMO...) is core's PEP (core/pep): made by its first publish
 * ("auto-create"), keeping its last item, read and told as its access model
 * lets core decide. Notifications: pep/notify.ts and pep/events.ts.
 */

/** Features for the account's disco#info: exactly what works. */
export const PEP_FEATURES = [
  XMLNS.pubsub,
  `${XMLNS.pubsub}#publish`,
  `${XMLNS.pubsub}#publish-options`,
  `${XMLNS.pubsub}#retrieve-items`,
  `${XMLNS.pubsub}#retract-items`,
  `${XMLNS.pubsub}#auto-subscribe`,
  `${XMLNS.pubsub}#filtered-notifications`,
  `${XMLNS.pubsub}#last-published`,
  `${XMLNS.pubsub}#access-presence`,
  `${XMLNS.pubsub}#access-whitelist`,
  `${XMLNS.pubsub}#persistent-items`,
  `${XMLNS.pubsub}#auto-create`,
  `${XMLNS.pubsub}#access-open`,
  `${XMLNS.pubsub}#delete-nodes`,
  `${XMLNS.pubsub}#presence-notifications`,
] as const;

function pubsubError(
  c: XmppConnection,
  iq: Element,
  condition: StanzaErrorCondition,
  text: string,
  extra?: string,
): void {
  // The generic error, with XEP-0060's specific condition beside it where there is one.
  const reply = xml(
    'iq',
    { type: 'error', id: iq.attr('id'), from: iq.attr('to') },
    xml(
      'error',
      { type: condition === 'item-not-found' ? 'cancel' : 'modify' },
      xml(condition, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
      xml('text', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }, text),
      extra ? xml(extra, { xmlns: XMLNS.pubsubErrors }) : undefined,
    ),
  );
  c.write(reply);
}

function failed(c: XmppConnection, iq: Element, err: unknown): void {
  if (err instanceof BadItem) return c.error(iq, 'bad-request', err.message);
  if (err instanceof TooManyItems)
    return pubsubError(c, iq, 'not-acceptable', `at most ${MAX_STORED_ITEMS} items in this node`);
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: pep failed');
  c.error(iq, e.condition === 'bad-request' ? 'not-acceptable' : e.condition, e.text);
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** The account whose node is asked: the iq's bare JID, or one's own. */
function ownerOf(c: XmppConnection, iq: Element): { id?: string; username: string } | undefined {
  const me = c.auth!.user;
  const to = iq.attr('to');
  if (to === undefined) return me;
  const j = tryParseJid(to);
  const username = j ? usernameOf(j, c.domain) : undefined;
  if (username === undefined) return undefined;
  return username === me.username ? me : { username };
}

async function items(c: XmppConnection, iq: Element, ps: Element): Promise<void> {
  const req = ps.getChild('items', XMLNS.pubsub);
  const node = req?.attr('node');
  if (!req || node === undefined || ps.elements().length !== 1)
    return c.error(iq, 'feature-not-implemented', 'only items of a node are read here');
  const owner = ownerOf(c, iq);
  if (!owner) return c.error(iq, 'item-not-found');
  const me = c.auth!.user;
  const mine = owner.id === me.id;
  const ids = req
    .getChildren('item', XMLNS.pubsub)
    .map((i) => i.attr('id'))
    .filter((id): id is string => id !== undefined);
  const pick = (list: Element[]) =>
    ids.length === 0 ? list : list.filter((i) => ids.includes(i.attr('id') ?? ''));
  try {
    if (isPrivateNode(node)) {
      // Someone else's private node is, to them, a node that does not exist.
      if (!mine) return c.error(iq, 'item-not-found');
      return c.write(result(iq, itemsResult(node, pick(await storedItems(c, node)))));
    }
    if (!isCoreNode(node)) {
      // Core decides who reads it: not-found for a node that does not exist for them.
      const ownerId = owner.id ?? (await c.core.profiles.view(me.id, owner.username)).userId;
      const n = await c.core.pep.node(me.id, ownerId, node);
      const list =
        n.itemId !== null && n.payload !== null
          ? [xml('item', { id: n.itemId }, parseStored(n.payload))]
          : [];
      return c.write(result(iq, itemsResult(node, pick(list))));
    }
    const profile = mine
      ? await c.core.profiles.get(me.id)
      : await c.core.profiles.view(me.id, owner.username);
    if (node === XMLNS.nick || node === XMLNS.vcard4) {
      const list =
        node === XMLNS.nick
          ? profile.displayName
            ? [nickItem(profile.displayName)]
            : []
          : [vcard4Item(profile, c.domain)];
      return c.write(result(iq, itemsResult(node, pick(list))));
    }
    let avatar;
    try {
      avatar = mine
        ? await c.core.avatars.mine(me.id)
        : await c.core.avatars.of(me.id, profile.userId);
    } catch (err) {
      if (!(err instanceof ParleyError && err.condition === 'not-found')) throw err;
    }
    if (node === XMLNS.avatarMetadata)
      return c.write(result(iq, itemsResult(node, avatar ? [avatarMetadataItem(avatar)] : [])));
    // Data: only the current picture's, by its id.
    if (!avatar || (ids.length > 0 && !ids.includes(avatar.hash)))
      return c.error(iq, 'item-not-found');
    const bytes = await bytesOf(c.core.avatars.read(avatar));
    c.write(result(iq, itemsResult(node, [avatarDataItem(avatar.hash, bytes)])));
  } catch (err) {
    failed(c, iq, err);
  }
}

async function publish(c: XmppConnection, iq: Element, ps: Element, pub: Element): Promise<void> {
  const node = pub.attr('node');
  if (node === undefined) return c.error(iq, 'bad-request', 'publish names a node');
  const list = pub.getChildren('item', XMLNS.pubsub);
  if (list.length !== 1 || pub.elements().length !== 1)
    return pubsubError(c, iq, 'bad-request', 'publish one item', 'invalid-payload');
  const item = list[0]!;
  const payloads = item.elements();
  if (payloads.length !== 1)
    return pubsubError(c, iq, 'bad-request', 'an item holds one payload', 'invalid-payload');
  const payload = payloads[0]!;
  const unmet = unmetPrecondition(ps.getChild('publish-options', XMLNS.pubsub), node);
  if (unmet !== undefined)
    return pubsubError(c, iq, 'conflict', `this node cannot have ${unmet}`, 'precondition-not-met');
  const me = c.auth!.user.id;
  let id = item.attr('id') ?? 'current';
  if (id.length > 256) return c.error(iq, 'bad-request', 'item ids are at most 256 characters');
  try {
    switch (node) {
      case XMLNS.avatarData: {
        if (payload.name !== 'data' || payload.ns !== XMLNS.avatarData)
          return pubsubError(c, iq, 'bad-request', 'avatar data is <data/>', 'invalid-payload');
        const a = await c.core.avatars.set(me, avatarBytes(payload, AVATAR_LIMITS.bytes));
        // Stored as re-encoded: its id is the hash of what is served.
        id = a.hash;
        break;
      }
      case XMLNS.avatarMetadata:
        if (payload.name !== 'metadata' || payload.ns !== XMLNS.avatarMetadata)
          return pubsubError(c, iq, 'bad-request', 'metadata is <metadata/>', 'invalid-payload');
        // Empty metadata disables the avatar (XEP-0084 4.6); otherwise the data set it.
        if (payload.getChildren('info', XMLNS.avatarMetadata).length === 0)
          await c.core.avatars.remove(me);
        else {
          const current = await c.core.avatars.mine(me);
          if (current) id = current.hash;
        }
        break;
      case XMLNS.nick:
        if (payload.name !== 'nick' || payload.ns !== XMLNS.nick)
          return pubsubError(c, iq, 'bad-request', 'a nickname is <nick/>', 'invalid-payload');
        await c.core.profiles.update(me, { displayName: payload.text() });
        break;
      case XMLNS.vcard4:
        if (payload.name !== 'vcard' || payload.ns !== VCARD4_NS)
          return pubsubError(c, iq, 'bad-request', 'a vCard4 is <vcard/>', 'invalid-payload');
        await c.core.profiles.update(me, vcard4Update(payload));
        break;
      default:
        if (isPrivateNode(node)) await storeItem(c, node, xml('item', { id }, payload));
        else {
          const access = accessOption(ps.getChild('publish-options', XMLNS.pubsub));
          await c.core.pep.publish(
            c.auth!.user,
            node,
            { id, payload: serializeFramed(payload) },
            access ? { access } : {},
          );
        }
    }
    c.write(
      result(
        iq,
        xml('pubsub', { xmlns: XMLNS.pubsub }, xml('publish', { node }, xml('item', { id }))),
      ),
    );
  } catch (err) {
    failed(c, iq, err);
  }
}

async function retract(c: XmppConnection, iq: Element, r: Element): Promise<void> {
  const node = r.attr('node');
  const id = r.getChild('item', XMLNS.pubsub)?.attr('id');
  if (node === undefined || id === undefined)
    return pubsubError(c, iq, 'bad-request', 'retract names a node and an item', 'item-required');
  try {
    if (isPrivateNode(node)) {
      if (!(await retractItem(c, node, id))) return c.error(iq, 'item-not-found');
    } else if (node === XMLNS.avatarData || node === XMLNS.avatarMetadata) {
      await c.core.avatars.remove(c.auth!.user.id);
    } else if (node === XMLNS.nick) {
      await c.core.profiles.update(c.auth!.user.id, { displayName: '' });
    } else if (node === XMLNS.vcard4) {
      return c.error(iq, 'not-allowed', 'the vCard is the profile: publish a new one');
    } else await c.core.pep.retract(c.auth!.user, node, id);
    c.write(result(iq));
  } catch (err) {
    failed(c, iq, err);
  }
}

/** XEP-0060 8.4: the owner deletes a node (and its items); subscribers are told. */
async function deleteNode(c: XmppConnection, iq: Element, ps: Element): Promise<void> {
  const d = ps.getChild('delete', XMLNS.pubsubOwner);
  const node = d?.attr('node');
  if (!d || node === undefined || ps.elements().length !== 1)
    return c.error(iq, 'feature-not-implemented', 'PEP here deletes nodes, nothing else');
  try {
    if (isCoreNode(node))
      return c.error(iq, 'not-allowed', 'this node is your profile: retract its item instead');
    if (isPrivateNode(node)) {
      if (!(await clearItems(c, node))) return c.error(iq, 'item-not-found');
    } else await c.core.pep.remove(c.auth!.user, node);
    c.write(result(iq));
  } catch (err) {
    failed(c, iq, err);
  }
}

export const PEP: Record<string, IqHandler> = {
  [`set {${XMLNS.pubsubOwner}}pubsub`]: deleteNode,
  [`get {${XMLNS.pubsub}}pubsub`]: items,
  [`set {${XMLNS.pubsub}}pubsub`]: async (c, iq, ps) => {
    const pub = ps.getChild('publish', XMLNS.pubsub);
    if (pub) return publish(c, iq, ps, pub);
    const r = ps.getChild('retract', XMLNS.pubsub);
    if (r && ps.elements().length === 1) return retract(c, iq, r);
    c.error(iq, 'feature-not-implemented', 'PEP here publishes, retracts and reads items');
  },
};
