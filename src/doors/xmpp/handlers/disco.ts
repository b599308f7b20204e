import { ParleyError } from '../../../core/errors.js';
import { type Element, xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { isCoreNode, isPrivateNode } from '../pep/items.js';
import { storedItems } from '../pep/stored.js';
import { XMLNS } from '../xmlns.js';
import { result } from './server.js';

/**
 * Service discovery of an account's bare JID, which the server answers for
 * the account (XEP-0030 8, RFC 6120 10.5.3.3): one's own, or another's.
 *
 * - disco#info: the account's identities and features, to itself and to those
 *   who see its presence; anyone else (and a JID with no account) gets
 *   `service-unavailable`, the same for both so nothing is harvested. With a
 *   node: a PEP node the asker may read is a `pubsub`/`leaf` (XEP-0060 5.3),
 *   else `item-not-found` (to the owner, or to one who sees the presence).
 * - disco#items: always a result (XEP-0030 8: empty for a JID with no
 *   account); never resources. Without a node, the PEP nodes the asker may
 *   read (XEP-0060 5.2, JID+node addressing); with one, that node's item
 *   (`name` is its id, XEP-0060 5.5).
 *
 * The features of an account to someone else: what they can do with it.
 */
const OTHER_ACCOUNT_FEATURES = [
  XMLNS.discoInfo,
  XMLNS.discoItems,
  XMLNS.pubsub,
  `${XMLNS.pubsub}#retrieve-items`,
] as const;

const ACCOUNT_IDENTITIES = [
  xml('identity', { category: 'account', type: 'registered' }),
  xml('identity', { category: 'pubsub', type: 'pep' }),
];

interface Target {
  bare: string;
  username: string;
  userId: string;
  mine: boolean;
}

/** The account a bare JID names, as the asker may know it; undefined when there is none for them. */
async function targetOf(c: XmppConnection, iq: Element): Promise<Target | undefined> {
  const me = c.auth!.user;
  const j = tryParseJid(iq.attr('to') ?? '');
  const username = j ? usernameOf(j, c.domain) : undefined;
  if (!j || username === undefined) return undefined;
  const bare = j.bare().toString();
  if (username === me.username) return { bare, username, userId: me.id, mine: true };
  try {
    // Hidden from people they blocked, as if there were no account.
    const p = await c.core.profiles.view(me.id, username);
    return { bare, username, userId: p.userId, mine: false };
  } catch (err) {
    if (err instanceof ParleyError && err.condition === 'not-found') return undefined;
    throw err;
  }
}

async function seesPresence(c: XmppConnection, t: Target): Promise<boolean> {
  if (t.mine) return true;
  const contacts = await c.core.contacts.list(c.auth!.user.id);
  return contacts.some(
    (k) => k.userId === t.userId && (k.subscription === 'to' || k.subscription === 'both'),
  );
}

/** Whether the node exists for the asker (core's PEP decides for its nodes). */
async function nodeExists(c: XmppConnection, t: Target, node: string): Promise<boolean> {
  if (isCoreNode(node)) return true;
  if (isPrivateNode(node)) return t.mine && (await storedItems(c, node)).length > 0;
  try {
    await c.core.pep.node(c.auth!.user.id, t.userId, node);
    return true;
  } catch (err) {
    if (err instanceof ParleyError && err.condition === 'not-found') return false;
    throw err;
  }
}

function failed(c: XmppConnection, iq: Element, err: unknown): void {
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: disco failed');
  c.error(iq, e.condition, e.text);
}

export async function accountDiscoInfo(
  c: XmppConnection,
  iq: Element,
  payload: Element,
  ownFeatures: readonly string[],
): Promise<void> {
  const node = payload.attr('node');
  try {
    const t = await targetOf(c, iq);
    if (!t || !(await seesPresence(c, t))) return c.error(iq, 'service-unavailable');
    if (node === undefined)
      return c.write(
        result(
          iq,
          xml(
            'query',
            { xmlns: XMLNS.discoInfo },
            ACCOUNT_IDENTITIES,
            (t.mine ? ownFeatures : OTHER_ACCOUNT_FEATURES).map((f) => xml('feature', { var: f })),
          ),
        ),
      );
    if (node.length > 256 || !(await nodeExists(c, t, node))) return c.error(iq, 'item-not-found');
    c.write(
      result(
        iq,
        xml(
          'query',
          { xmlns: XMLNS.discoInfo, node },
          xml('identity', { category: 'pubsub', type: 'leaf' }),
          xml('feature', { var: XMLNS.discoInfo }),
          xml('feature', { var: XMLNS.pubsub }),
        ),
      ),
    );
  } catch (err) {
    failed(c, iq, err);
  }
}

export async function accountDiscoItems(
  c: XmppConnection,
  iq: Element,
  payload: Element,
): Promise<void> {
  const node = payload.attr('node');
  const answer = (items: Element[]) =>
    c.write(result(iq, xml('query', { xmlns: XMLNS.discoItems, node }, items)));
  try {
    const t = await targetOf(c, iq);
    if (!t || (node !== undefined && node.length > 256)) return answer([]);
    const me = c.auth!.user.id;
    if (node === undefined) {
      const names: string[] = [];
      if (t.mine) {
        names.push(XMLNS.nick, XMLNS.vcard4);
        if (await c.core.avatars.mine(me)) names.push(XMLNS.avatarMetadata, XMLNS.avatarData);
        if ((await storedItems(c, XMLNS.bookmarks)).length > 0) names.push(XMLNS.bookmarks);
      }
      for (const n of await c.core.pep.nodes(me, t.userId)) names.push(n.node);
      return answer(names.map((n) => xml('item', { jid: t.bare, node: n })));
    }
    if (isCoreNode(node) || isPrivateNode(node)) return answer([]);
    let n;
    try {
      n = await c.core.pep.node(me, t.userId, node);
    } catch (err) {
      if (err instanceof ParleyError && err.condition === 'not-found') return answer([]);
      throw err;
    }
    answer(n.itemId !== null ? [xml('item', { jid: t.bare, name: n.itemId })] : []);
  } catch (err) {
    failed(c, iq, err);
  }
}
