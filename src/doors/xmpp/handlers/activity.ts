import { xml } from '../codec/element.js';
import type { Jid } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';
import type { IqHandler } from './index.js';
import { result } from './server.js';
import type { Element } from '../codec/element.js';

/**
 * Last Activity (XEP-0012) and Entity Time (XEP-0202). Of the server: its
 * uptime and its clock. Of a contact (their bare JID): 0 while they are
 * online, else the seconds since they were last seen, from core's presence,
 * so only to someone who may see their presence and only if their last-seen
 * privacy switch allows it (as on the web); anyone else is forbidden.
 */

const seconds = (ms: number) => String(Math.max(0, Math.floor(ms / 1000)));

export async function contactLastActivity(c: XmppConnection, iq: Element, who: Jid): Promise<void> {
  try {
    const seen = (await c.core.presence.snapshot(c.auth!.user.id)).find(
      (p) => p.username === who.local,
    );
    const query = (s: string) => result(iq, xml('query', { xmlns: XMLNS.last, seconds: s }));
    if (seen && seen.show !== 'offline') return c.write(query('0'));
    if (seen?.lastSeen !== null && seen?.lastSeen !== undefined)
      return c.write(query(seconds(Date.now() - seen.lastSeen)));
    c.error(iq, 'forbidden', 'you may not see when they were last online');
  } catch (err) {
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: last activity failed');
    c.error(iq, e.condition, e.text);
  }
}

export const ACTIVITY: Record<string, IqHandler> = {
  // The server's uptime, or one's own account (online: this stream).
  [`get {${XMLNS.last}}query`]: (c, iq) => {
    const account = iq.attr('to')?.includes('@') ?? false;
    c.write(
      result(
        iq,
        xml('query', {
          xmlns: XMLNS.last,
          seconds: account ? '0' : seconds(process.uptime() * 1000),
        }),
      ),
    );
  },
  [`get {${XMLNS.time}}time`]: (c, iq) =>
    c.write(
      result(
        iq,
        xml(
          'time',
          { xmlns: XMLNS.time },
          xml('tzo', {}, '+00:00'),
          xml('utc', {}, new Date().toISOString()),
        ),
      ),
    ),
};
