import { VERSION } from '../../../version.js';
import { type Element, xml } from '../codec/element.js';
import { makeJid } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';
import {
  CAPS_NODE,
  capsVer,
  CONTACT_FEATURES,
  CONTACT_IDENTITY,
  CONTACT_VER,
  discoQuery,
} from '../caps.js';
import { deliverMissed } from './message.js';
import type { IqHandler } from './index.js';
import { MAM_FEATURES } from './mam.js';
import { PEP_FEATURES } from './pep.js';
import { accountDiscoInfo, accountDiscoItems } from './disco.js';

/**
 * The server's own iqs: resource binding (RFC 6120 7), the old session
 * establishment (RFC 3921, a no-op kept for old clients), service discovery
 * (XEP-0030) of the server and of the account, ping (XEP-0199), software
 * version (XEP-0092), message carbons on and off (XEP-0280).
 */

/** What the server advertises; exactly what works. */
export const SERVER_FEATURES = [
  XMLNS.discoInfo,
  XMLNS.discoItems,
  XMLNS.ping,
  XMLNS.version,
  XMLNS.sid,
  XMLNS.carbons,
  XMLNS.vcard,
  XMLNS.search,
  XMLNS.blocking,
  XMLNS.last,
  XMLNS.time,
] as const;

/** A function: the handler modules that add features import this one (a cycle). */
const accountFeatures = (): readonly string[] => [
  XMLNS.discoInfo,
  XMLNS.discoItems,
  XMLNS.private,
  ...MAM_FEATURES,
  ...PEP_FEATURES,
];

export function result(iq: Element, ...payload: (Element | undefined)[]): Element {
  return xml('iq', { type: 'result', id: iq.attr('id'), from: iq.attr('to') }, ...payload);
}

export async function bind(c: XmppConnection, iq: Element, payload: Element): Promise<void> {
  const asked = payload.getChildText('resource', XMLNS.bind)?.trim() ?? '';
  if (asked !== '') {
    try {
      makeJid(c.auth!.user.username, c.domain, asked);
    } catch {
      return c.error(iq, 'bad-request', 'that resource cannot be part of a JID');
    }
  }
  // RFC 6120 7.7.2.2: the resource of another XMPP stream of the account here is taken
  // over, that stream ending with <conflict/> (a reconnecting client without XEP-0198
  // gets its name back); a web or IRC session's name is left to it (a suffix, core).
  const earlier = asked !== '' ? c.core.sessions.byResource(c.auth!.user.id, asked) : undefined;
  if (earlier?.door === 'xmpp' && earlier.connectionId !== c.connectionId) {
    earlier.close('replaced by a new login with the same resource', 'replaced');
    await new Promise((r) => setImmediate(r));
  }
  let jid;
  try {
    jid = await c.bind(asked);
  } catch (err) {
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: bind failed');
    return c.error(iq, e.condition, e.text);
  }
  c.write(
    xml(
      'iq',
      { type: 'result', id: iq.attr('id') },
      xml('bind', { xmlns: XMLNS.bind }, xml('jid', {}, jid.toString())),
    ),
  );
  // Messages that arrived while the account was away follow at once (as on IRC).
  await deliverMissed(c);
}

export function sessionIq(c: XmppConnection, iq: Element): void {
  c.write(result(iq));
}

const SERVER_IDENTITY = { category: 'server', type: 'im', name: 'Parley' };
/** XEP-0115: the server's caps hash, over exactly what its disco#info answers. */
export const SERVER_VER = capsVer([SERVER_IDENTITY], SERVER_FEATURES);

function discoInfo(c: XmppConnection, iq: Element, payload: Element): Promise<void> | void {
  // An account's bare JID, answered by the server for it (XEP-0030 8): handlers/disco.ts.
  if (iq.attr('to')?.includes('@')) return accountDiscoInfo(c, iq, payload, accountFeatures());
  const node = payload.attr('node');
  // The node a caps hash names (XEP-0115 6.2) is the server itself.
  if (node !== undefined && node !== `${CAPS_NODE}#${SERVER_VER}`)
    return c.error(iq, 'item-not-found');
  c.write(
    result(
      iq,
      xml(
        'query',
        { xmlns: XMLNS.discoInfo, node },
        xml('identity', SERVER_IDENTITY),
        SERVER_FEATURES.map((f) => xml('feature', { var: f })),
      ),
    ),
  );
}

export const DISCO: Record<string, IqHandler> = {
  [`get {${XMLNS.discoInfo}}query`]: discoInfo,
  [`get {${XMLNS.discoItems}}query`]: (c, iq, payload) => {
    if (iq.attr('to')?.includes('@')) return accountDiscoItems(c, iq, payload);
    if (payload.attr('node') !== undefined) return c.error(iq, 'item-not-found');
    c.write(result(iq, xml('query', { xmlns: XMLNS.discoItems })));
  },
  [`get {${XMLNS.ping}}ping`]: (c, iq) => c.write(result(iq)),
  // XEP-0280: one's own messages sent from other devices and doors come as carbons.
  [`set {${XMLNS.carbons}}enable`]: (c, iq) => {
    c.carbons = true;
    c.write(result(iq));
  },
  [`set {${XMLNS.carbons}}disable`]: (c, iq) => {
    c.carbons = false;
    c.write(result(iq));
  },
  [`get {${XMLNS.version}}query`]: (c, iq) =>
    c.write(
      result(
        iq,
        xml(
          'query',
          { xmlns: XMLNS.version },
          xml('name', {}, 'Parley'),
          xml('version', {}, VERSION),
        ),
      ),
    ),
};

/**
 * disco#info of a contact's resource (or one's own other resource): what the
 * door translates for it (caps.ts), the answer its presence's caps hash names.
 */
export function resourceDiscoInfo(c: XmppConnection, iq: Element, payload: Element): void {
  const node = payload.attr('node');
  if (node !== undefined && node !== `${CAPS_NODE}#${CONTACT_VER}`)
    return c.error(iq, 'item-not-found');
  c.write(result(iq, discoQuery([CONTACT_IDENTITY], CONTACT_FEATURES, node)));
}
