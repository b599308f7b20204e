import { xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { rosterItem } from '../mapping/events.js';
import { RosterVersion } from '../mapping/roster-version.js';
import { XMLNS } from '../xmlns.js';
import { result } from './server.js';
import type { IqHandler } from './index.js';

/**
 * The roster is the contact list (RFC 6121 2): get lists core's contacts,
 * set changes an entry's name (alias) and groups, remove drops the contact.
 * Pushes come from core's contact events (mapping/events.ts), to every
 * resource, the one that made the change included. Roster versioning
 * (XEP-0237) by a hash of the items (mapping/roster-version.ts).
 */

/** Groups on one item at most (core has its own limit; this bounds the work first). */
const MAX_GROUPS = 64;

export const ROSTER: Record<string, IqHandler> = {
  [`get {${XMLNS.roster}}query`]: async (c, iq, query) => {
    try {
      const contacts = await c.core.contacts.list(c.auth!.user.id);
      // Requests still waiting: their answer comes as subscribed/unsubscribed on this stream.
      for (const k of contacts) if (k.ask) c.asking.add(k.username);
      // What the other person later takes away is told as presence (mapping/events.ts).
      c.subs = new Map(
        contacts.filter((k) => k.subscription !== 'none').map((k) => [k.username, k.subscription]),
      );
      const items = contacts.filter((k) => k.inRoster).map((k) => rosterItem(k, c.domain));
      // XEP-0237: a client that sends a version (even empty) keeps the roster by version.
      const asked = query.attr('ver');
      let ver: string | undefined;
      if (asked !== undefined) {
        c.rosterVersion = new RosterVersion(items);
        ver = c.rosterVersion.version();
        // Its copy is current: an empty result, and pushes from here on.
        if (asked === ver) return c.write(result(iq));
      }
      c.write(result(iq, xml('query', { xmlns: XMLNS.roster, ver }, items)));
    } catch (err) {
      answerError(c, iq, err);
    }
  },
  [`set {${XMLNS.roster}}query`]: async (c, iq, query) => {
    const items = query.getChildren('item', XMLNS.roster);
    if (items.length !== 1 || query.elements().length !== 1)
      return c.error(iq, 'bad-request', 'a roster set holds one item');
    const item = items[0]!;
    const jid = tryParseJid(item.attr('jid') ?? '');
    if (!jid) return c.error(iq, 'jid-malformed');
    const username = usernameOf(jid, c.domain);
    if (username === undefined || jid.resource !== undefined)
      return c.error(iq, 'item-not-found', `only accounts of ${c.domain} can be contacts`);
    const me = c.auth!.user.id;
    // RFC 6121 2.1.5: any `subscription` but "remove" is ignored (the server owns it).
    const remove = item.attr('subscription') === 'remove';
    const groups = item.getChildren('group', XMLNS.roster).map((g) => g.text());
    if (!remove) {
      if (groups.length > MAX_GROUPS) return c.error(iq, 'not-acceptable', 'too many groups');
      // RFC 6121 2.3.3: an empty group is not-acceptable, a repeated one bad-request.
      if (groups.some((g) => g === ''))
        return c.error(iq, 'not-acceptable', 'a group name cannot be empty');
      if (new Set(groups).size !== groups.length)
        return c.error(iq, 'bad-request', 'a group is named twice');
    }
    try {
      if (remove) await c.core.contacts.remove(me, username);
      else
        await c.core.contacts.update(me, username, {
          alias: item.attr('name') ?? '',
          groups,
        });
      c.write(result(iq));
    } catch (err) {
      answerError(c, iq, err);
    }
  },
};

function answerError(c: XmppConnection, iq: Parameters<IqHandler>[1], err: unknown): void {
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: roster failed');
  c.error(iq, e.condition, e.text);
}
