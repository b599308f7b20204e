import type { Profile } from '../../../core/profiles/store.js';
import type { ProfileUpdate } from '../../../core/profiles/service.js';
import { type Element, xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';
import { result } from './server.js';
import { ParleyError } from '../../../core/errors.js';
import { AVATAR_LIMITS } from '../../../core/profiles/avatars.js';
import { avatarBytes } from '../pep/items.js';
import type { IqHandler } from './index.js';

/**
 * vcard-temp (XEP-0054) is the Parley profile, the one the web edits: FN and
 * NICKNAME are the display name, ADR's LOCALITY and CTRY the city and country,
 * BDAY the birth year (the profile keeps only the year), DESC the about text.
 * Anyone's vCard is read through their bare JID with the web's rules (hidden
 * from people they blocked; strangers see only the name of someone who left the
 * directory). PHOTO is the avatar (XEP-0153, core/profiles/avatars.ts), shown
 * to whoever may see it; setting one stores it as the PEP avatar too.
 */

/** The vCard elements that map onto the profile; a set naming none of them changes nothing. */
const MAPPED = ['FN', 'N', 'NICKNAME', 'ADR', 'BDAY', 'DESC'] as const;

/** XEP-0153: the avatar as the vCard's PHOTO, when there is one the asker may see. */
async function photoOf(c: XmppConnection, ownerId: string): Promise<Element | undefined> {
  const me = c.auth!.user.id;
  try {
    const a = ownerId === me ? await c.core.avatars.mine(me) : await c.core.avatars.of(me, ownerId);
    if (!a) return undefined;
    const parts: Buffer[] = [];
    for await (const chunk of c.core.avatars.read(a)) parts.push(chunk as Buffer);
    return xml(
      'PHOTO',
      {},
      xml('TYPE', {}, a.type),
      xml('BINVAL', {}, Buffer.concat(parts).toString('base64')),
    );
  } catch (err) {
    if (err instanceof ParleyError && err.condition === 'not-found') return undefined;
    throw err;
  }
}

export function vcardOf(p: Profile, domain: string, photo?: Element): Element {
  const adr =
    p.city || p.country
      ? xml(
          'ADR',
          {},
          xml('HOME', {}),
          p.city ? xml('LOCALITY', {}, p.city) : undefined,
          p.country ? xml('CTRY', {}, p.country) : undefined,
        )
      : undefined;
  return xml(
    'vCard',
    { xmlns: XMLNS.vcard },
    p.displayName ? xml('FN', {}, p.displayName) : undefined,
    p.displayName ? xml('NICKNAME', {}, p.displayName) : undefined,
    adr,
    p.birthYear !== null ? xml('BDAY', {}, String(p.birthYear)) : undefined,
    p.about ? xml('DESC', {}, p.about) : undefined,
    xml('JABBERID', {}, `${p.username}@${domain}`),
    photo,
  );
}

/**
 * The profile change a vCard set asks for. XEP-0054 replaces the whole vCard,
 * so a mapped field left out is cleared; but a set naming none of them (a
 * client storing only a PHOTO) leaves the profile alone.
 */
export function profileUpdateOf(v: Element): ProfileUpdate | undefined {
  const child = (name: string) => v.getChild(name, XMLNS.vcard);
  if (!MAPPED.some((n) => child(n))) return undefined;
  const text = (el: Element | undefined) => el?.text().trim() ?? '';
  const adr = child('ADR');
  const bday = text(child('BDAY'));
  const year = /^(\d{4})(?:-\d\d-\d\d)?$/.exec(bday)?.[1];
  if (bday !== '' && year === undefined) throw new BadVcard('BDAY is a date: YYYY-MM-DD');
  // FN is the name to show; without it the nickname, else the structured name (Smack sets only N).
  const n = child('N');
  const structured = ['GIVEN', 'MIDDLE', 'FAMILY']
    .map((k) => text(n?.getChild(k, XMLNS.vcard)))
    .filter((x) => x !== '')
    .join(' ');
  return {
    displayName: text(child('FN')) || text(child('NICKNAME')) || structured,
    city: text(adr?.getChild('LOCALITY', XMLNS.vcard)),
    country: text(adr?.getChild('CTRY', XMLNS.vcard) ?? adr?.getChild('COUNTRY', XMLNS.vcard)),
    birthYear: year === undefined ? null : Number(year),
    about: text(child('DESC')),
  };
}

export class BadVcard extends Error {}

const isEmpty = (p: Profile): boolean =>
  !p.displayName && !p.city && !p.country && !p.about && p.birthYear === null;

async function get(c: XmppConnection, iq: Element): Promise<void> {
  const me = c.auth!.user;
  const to = iq.attr('to');
  const j = to === undefined ? undefined : tryParseJid(to);
  const username = j ? usernameOf(j, c.domain) : me.username;
  try {
    const own = username === undefined || username === me.username;
    const p = own ? await c.core.profiles.get(me.id) : await c.core.profiles.view(me.id, username);
    const photo = await photoOf(c, own ? me.id : p.userId);
    // XEP-0054 3.3: someone else's empty vCard is no vCard, the same error as no account.
    if (!own && !photo && isEmpty(p)) return c.error(iq, 'item-not-found');
    c.write(result(iq, vcardOf(p, c.domain, photo)));
  } catch (err) {
    answer(c, iq, err);
  }
}

// Addressed to someone else, a set never gets here (handlers/index.ts answers for others' gets only).
async function set(c: XmppConnection, iq: Element, v: Element): Promise<void> {
  let update: ProfileUpdate | undefined;
  try {
    update = profileUpdateOf(v);
  } catch (err) {
    return c.error(iq, 'bad-request', (err as Error).message);
  }
  const photo = v.getChild('PHOTO', XMLNS.vcard);
  let bytes: Buffer | undefined;
  if (photo?.getChild('BINVAL', XMLNS.vcard)) {
    try {
      bytes = avatarBytes(photo.getChild('BINVAL', XMLNS.vcard)!, AVATAR_LIMITS.bytes);
    } catch (err) {
      return c.error(iq, 'bad-request', (err as Error).message);
    }
  }
  try {
    if (update) await c.core.profiles.update(c.auth!.user.id, update);
    // XEP-0153: a PHOTO sets the avatar, an empty one removes it; none leaves it.
    if (bytes) await c.core.avatars.set(c.auth!.user.id, bytes);
    else if (photo && photo.elements().length === 0) await c.core.avatars.remove(c.auth!.user.id);
    c.write(result(iq));
  } catch (err) {
    answer(c, iq, err);
  }
}

function answer(c: XmppConnection, iq: Element, err: unknown): void {
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: vcard failed');
  c.error(iq, e.condition, e.text);
}

export const VCARD: Record<string, IqHandler> = {
  [`get {${XMLNS.vcard}}vCard`]: get,
  [`set {${XMLNS.vcard}}vCard`]: set,
};
