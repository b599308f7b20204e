import { createHash, randomBytes } from 'node:crypto';
import { type Element, xml } from '../codec/element.js';
import { makeJid } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { XMLNS } from '../xmlns.js';
import { enableSm } from './sm.js';

/**
 * XEP-0386 Bind 2, inline in a SASL2 <authenticate>: the resource is made from
 * the client's <tag> and a part of our own (stable per client id and tag, which
 * it does not reveal), and session features are enabled at once: stream
 * management (its <enabled/> in <bound/>), carbons, and the client's CSI state.
 * <bound/> carries the archive's metadata (XEP-0313), read just before binding.
 * Offline messages are not sent after it: a Bind 2 client reads the archive
 * (MAM), as the XEP says.
 */

/** A <tag> longer than this is cut (it is only a label). */
const MAX_TAG = 32;

/** The <bind> feature inside SASL2's <inline>, with what may be enabled with it. */
export function bind2Feature(): Element {
  return xml(
    'bind',
    { xmlns: XMLNS.bind2 },
    xml(
      'inline',
      {},
      xml('feature', { var: XMLNS.carbons }),
      xml('feature', { var: XMLNS.csi }),
      xml('feature', { var: XMLNS.sm }),
    ),
  );
}

/** The resource a Bind 2 request asks for (core may still add a suffix when it is taken). */
export function bind2Resource(
  username: string,
  domain: string,
  userId: string,
  req: Element,
  clientId: string | undefined,
): string {
  let tag = [...(req.getChildText('tag', XMLNS.bind2) ?? '').trim()].slice(0, MAX_TAG).join('');
  try {
    if (tag !== '') makeJid(username, domain, tag);
  } catch {
    tag = '';
  }
  const own =
    clientId !== undefined
      ? createHash('sha256')
          .update(`${userId}\0${clientId}\0${tag}`)
          .digest('base64url')
          .slice(0, 10)
      : randomBytes(6).toString('base64url');
  return tag === '' ? own : `${tag}.${own}`;
}

/**
 * Right after binding (nothing awaited since): enables what the request asks for
 * and answers with <bound/>. Unknown children are ignored.
 */
export function bind2Enable(c: XmppConnection, req: Element, metadata?: Element): Element {
  let enabled: Element | undefined;
  for (const f of req.elements()) {
    if (f.ns === XMLNS.carbons && f.name === 'enable') c.carbons = true;
    else if (f.ns === XMLNS.csi && f.name === 'inactive') c.csi.inactive = true;
    else if (f.ns === XMLNS.csi && f.name === 'active') c.csi.inactive = false;
    else if (f.ns === XMLNS.sm && f.name === 'enable' && !enabled) enabled = enableSm(c, f);
  }
  return xml('bound', { xmlns: XMLNS.bind2 }, metadata, enabled);
}
