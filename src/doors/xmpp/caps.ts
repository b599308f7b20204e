import { createHash } from 'node:crypto';
import { type Element, xml } from './codec/element.js';
import { XMLNS } from './xmlns.js';

/**
 * Entity capabilities (XEP-0115 1.6): a hash over an entity's identities and
 * features, so a client learns what works from a presence or the stream
 * features and asks disco#info only for a hash it has not seen. Parley
 * advertises two: the server's (over its disco#info, computed from the list
 * the disco answer uses, so it always matches) and a contact's, what the door
 * translates for any resource of an account here, whatever client is behind
 * it: every message goes through core, so what works is what Parley maps.
 */

export const CAPS_NODE = 'https://parley.chat/xmpp';

export interface Identity {
  category: string;
  type: string;
  name?: string;
}

/** XEP-0115 5.1: identities then features, each sorted, each followed by '<'; SHA-1, base64. */
export function capsVer(identities: readonly Identity[], features: readonly string[]): string {
  const ids = identities.map((i) => `${i.category}/${i.type}//${i.name ?? ''}<`).sort();
  const s =
    ids.join('') +
    [...new Set(features)]
      .sort()
      .map((f) => `${f}<`)
      .join('');
  return createHash('sha1').update(s, 'utf8').digest('base64');
}

/** What a contact's resource is seen to support: the XEPs the door maps onto core. */
export const CONTACT_IDENTITY: Identity = { category: 'client', type: 'pc', name: 'Parley' };
export const CONTACT_FEATURES = [
  XMLNS.discoInfo,
  XMLNS.caps,
  XMLNS.receipts,
  XMLNS.markers,
  XMLNS.chatStates,
  XMLNS.correct,
  XMLNS.retract,
  XMLNS.reactions,
  XMLNS.reply,
  XMLNS.fallback,
] as const;
export const CONTACT_VER = capsVer([CONTACT_IDENTITY], CONTACT_FEATURES);

/** The `<c/>` element for a presence or the stream features. */
export function capsElement(ver: string): Element {
  return xml('c', { xmlns: XMLNS.caps, hash: 'sha-1', node: CAPS_NODE, ver });
}

/** disco#info's answer for identities and features. */
export function discoQuery(
  identities: readonly Identity[],
  features: readonly string[],
  node?: string,
): Element {
  return xml(
    'query',
    { xmlns: XMLNS.discoInfo, node },
    identities.map((i) => xml('identity', { category: i.category, type: i.type, name: i.name })),
    features.map((f) => xml('feature', { var: f })),
  );
}
