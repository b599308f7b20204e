import { type Element, xml } from '../codec/element.js';
import { tryParseJid } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { bind, DISCO, resourceDiscoInfo, result, sessionIq } from './server.js';
import { message } from './message.js';
import { presence } from './presence.js';
import { ROSTER } from './roster.js';
import { SEARCH } from './search.js';
import { VCARD } from './vcard.js';
import { MAM } from './mam.js';
import { BLOCKING } from './blocking.js';
import { REGISTER } from './register.js';
import { ACTIVITY, contactLastActivity } from './activity.js';
import { PRIVATE } from './private.js';
import { PEP } from './pep.js';
import { capsAnswer } from '../pep/client-caps.js';
import { sendLastItems } from '../pep/notify.js';
import { XMLNS } from '../xmlns.js';

/**
 * The stanza table (DESIGN.md "Doors, concretely"): an <iq> get or set goes
 * to the handler of its payload's (type, namespace, name); <message> and
 * <presence> to their own files. Guards run here once: a bound resource, one
 * payload per iq get/set (RFC 6120 8.2.3), and the address (the server, the
 * account's bare JID or nothing: other entities' iqs are not routed yet).
 */
export type IqHandler = (c: XmppConnection, iq: Element, payload: Element) => Promise<void> | void;

export const iqKey = (type: string, ns: string | undefined, name: string): string =>
  `${type} {${ns ?? ''}}${name}`;

const IQ: Readonly<Record<string, IqHandler>> = {
  ...ROSTER,
  ...DISCO,
  ...VCARD,
  ...SEARCH,
  ...MAM,
  ...BLOCKING,
  ...REGISTER,
  ...ACTIVITY,
  ...PRIVATE,
  ...PEP,
};

/**
 * Iqs the server answers for another account, addressed to its bare JID
 * (RFC 6121 8.5.2.1.2 lets the server answer for a bare JID); every other iq
 * to someone else is refused rather than routed.
 */
const FOR_OTHER_ACCOUNTS = new Set([
  iqKey('get', XMLNS.vcard, 'vCard'),
  // XEP-0030 8: the server answers disco for the bare JID (handlers/disco.ts).
  iqKey('get', XMLNS.discoInfo, 'query'),
  iqKey('get', XMLNS.discoItems, 'query'),
  // PEP (XEP-0163): a contact's avatar, nickname, vCard4, as core lets one see them.
  iqKey('get', XMLNS.pubsub, 'pubsub'),
]);

export async function onStanza(c: XmppConnection, el: Element): Promise<void> {
  if (el.name === 'iq') return iq(c, el);
  if (!c.jid) return c.fail('not-authorized', 'bind a resource first');
  if (el.name === 'message') return message(c, el);
  if (el.name === 'presence') return presence(c, el);
  c.fail('unsupported-stanza-type', `<${el.name}> is not a stanza`);
}

async function iq(c: XmppConnection, el: Element): Promise<void> {
  const type = el.attr('type');
  if (type === 'result' || type === 'error') {
    // The client's answer about its caps: now its +notify nodes are known (XEP-0163).
    const added = c.jid ? capsAnswer(c, el) : undefined;
    if (added)
      return sendLastItems(c, added).catch((err: unknown) => {
        c.log.debug({ err }, 'xmpp: last PEP items not sent');
      });
    c.pong(el.attr('id'));
    return;
  }
  if (type !== 'get' && type !== 'set') return c.error(el, 'bad-request', 'type is get or set');
  if (el.attr('id') === undefined) return c.error(el, 'bad-request', 'an iq needs an id');
  const payloads = el.elements();
  if (payloads.length !== 1) return c.error(el, 'bad-request', 'an iq holds one payload');
  const payload = payloads[0]!;
  const ns = payload.ns ?? el.ns;
  if (!c.jid) {
    if (type === 'set' && ns === XMLNS.bind && payload.name === 'bind') return bind(c, el, payload);
    return c.fail('not-authorized', 'bind a resource first');
  }
  if (ns === XMLNS.session && payload.name === 'session') return sessionIq(c, el);
  const key = iqKey(type, ns, payload.name);
  const to = el.attr('to');
  if (to !== undefined) {
    const j = tryParseJid(to);
    if (!j) return c.error(el, 'jid-malformed');
    // A resource of an account here is asked what it supports (its presence's caps, XEP-0115),
    // and its items: none, never an error, so nothing of the client's state shows (XEP-0352 6).
    const resourceHere = j.domain === c.domain && j.local !== undefined && j.resource !== undefined;
    if (resourceHere && type === 'get' && payload.name === 'query') {
      if (ns === XMLNS.discoInfo) return resourceDiscoInfo(c, el, payload);
      if (ns === XMLNS.discoItems)
        return c.write(
          result(el, xml('query', { xmlns: XMLNS.discoItems, node: payload.attr('node') })),
        );
    }
    // XEP-0012 4: the server answers for a contact's bare JID.
    if (
      type === 'get' &&
      ns === XMLNS.last &&
      payload.name === 'query' &&
      j.domain === c.domain &&
      j.local !== undefined &&
      j.resource === undefined &&
      !j.bareEquals(c.jid)
    )
      return contactLastActivity(c, el, j);
    // RFC 6121 2.1.5, 2.3.3: another account's roster is not yours to read or change.
    if (
      ns === XMLNS.roster &&
      j.local !== undefined &&
      j.resource === undefined &&
      j.domain === c.domain &&
      !j.bareEquals(c.jid)
    )
      return c.error(el, 'forbidden', 'only your own roster');
    const ours =
      j.domain === c.domain &&
      (j.local === undefined || j.bareEquals(c.jid) || FOR_OTHER_ACCOUNTS.has(key));
    if (!ours || j.resource !== undefined)
      return c.error(el, 'service-unavailable', 'only the server and your account answer here');
  }
  const handler = IQ[key];
  if (!handler) return c.error(el, 'service-unavailable');
  await handler(c, el, payload);
}
