import { type Element, xml } from '../codec/element.js';
import { newId } from '../../../core/ids.js';
import { capsVer, type Identity } from '../caps.js';
import type { XmppConnection } from '../connection.js';
import { XMLNS } from '../xmlns.js';

/**
 * What a client wants notified (XEP-0163 filtered notifications): the
 * `<node>+notify` features of its entity capabilities (XEP-0115). A client's
 * `<c/>` names a hash; the door asks the client's disco#info once per hash it
 * does not know, and keeps answers that verify against their hash (shared by
 * every stream of the door, bounded), so one client cannot poison another's.
 */

export const MAX_KNOWN_CAPS = 1000;

/** Verified caps hash -> the features it stands for. */
export type CapsCache = Map<string, readonly string[]>;

const notifyOf = (features: readonly string[]): Set<string> =>
  new Set(features.filter((f) => f.endsWith('+notify')).map((f) => f.slice(0, -'+notify'.length)));

/**
 * Sets what the client hears; returns the nodes it did not hear before, whose
 * last items it is now owed (XEP-0163 4.4 "filtered notifications": a client
 * that starts to listen to a node gets its last items, as at login).
 */
function setNotify(c: XmppConnection, features: readonly string[]): Set<string> {
  const next = notifyOf(features);
  const added = new Set([...next].filter((n) => !c.notify.has(n)));
  c.notify = next;
  return added;
}

/**
 * The client's available presence: its caps, if any, decide `c.notify`. Returns
 * the nodes newly heard when known now; otherwise (undefined) a disco#info
 * query may be on its way (`capsAnswer`).
 */
export function capsFromPresence(c: XmppConnection, presence: Element): Set<string> | undefined {
  const el = presence.getChild('c', XMLNS.caps);
  const ver = el?.attr('ver');
  const node = el?.attr('node');
  if (!el || ver === undefined || node === undefined || ver.length > 100 || node.length > 500)
    return undefined;
  // The same caps again (a status change): nothing new to learn.
  if (ver === c.capsSeen) return undefined;
  c.capsSeen = ver;
  const known = el.attr('hash') === 'sha-1' ? c.deps.capsCache.get(ver) : undefined;
  if (known) return setNotify(c, known);
  const id = `caps-${newId()}`;
  c.capsQuery = { id, ver, verify: el.attr('hash') === 'sha-1' };
  c.write(
    xml(
      'iq',
      { type: 'get', id, from: c.jid!.bare().toString(), to: c.jid!.toString() },
      xml('query', { xmlns: XMLNS.discoInfo, node: `${node}#${ver}` }),
    ),
  );
  return undefined;
}

/**
 * An iq result or error: when it answers our caps query, `c.notify` is set and
 * the nodes newly heard are returned (undefined: not our query).
 */
export function capsAnswer(c: XmppConnection, iq: Element): Set<string> | undefined {
  const q = c.capsQuery;
  if (!q || iq.attr('id') !== q.id) return undefined;
  c.capsQuery = undefined;
  const query = iq.attr('type') === 'result' ? iq.getChild('query', XMLNS.discoInfo) : undefined;
  if (!query) return new Set();
  const features = query
    .getChildren('feature', XMLNS.discoInfo)
    .map((f) => f.attr('var') ?? '')
    .filter((f) => f !== '' && f.length <= 500)
    .slice(0, 500);
  const identities: Identity[] = query.getChildren('identity', XMLNS.discoInfo).map((i) => ({
    category: i.attr('category') ?? '',
    type: i.attr('type') ?? '',
    name: i.attr('name'),
  }));
  // Extended info (forms) is not hashed here: such a client is simply not cached.
  const verified =
    q.verify && !query.getChild('x', XMLNS.data) && capsVer(identities, features) === q.ver;
  if (verified) {
    const cache = c.deps.capsCache;
    if (cache.size >= MAX_KNOWN_CAPS) cache.delete(cache.keys().next().value!);
    cache.set(q.ver, features);
  }
  return setNotify(c, features);
}
