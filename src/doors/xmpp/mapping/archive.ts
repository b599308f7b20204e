import type { DirectMessage } from '../../../core/events.js';
import { type Element, xml } from '../codec/element.js';
import { NS } from '../codec/ns.js';
import { XMLNS } from '../xmlns.js';
import { delay, jidOfUser, type Viewer } from './events.js';

/**
 * XEP-0313 results (pure): an archived direct message as a `<result>` in its
 * own `<message>` to the asking resource, the original forwarded (XEP-0297)
 * with the time it was sent (XEP-0203). The archive id is Parley's message id,
 * the stanza-id (XEP-0359) live messages carry. Both sides are bare JIDs:
 * Parley keeps no resources with messages.
 */
export function archivedMessage(
  m: DirectMessage,
  v: Viewer,
  ns: string,
  queryId: string | undefined,
): Element {
  const bare = jidOfUser(v.jid.replace(/@.*$/s, ''), v.domain);
  const own = m.sender.id === v.userId;
  return xml(
    'message',
    { to: v.jid, from: bare },
    xml(
      'result',
      { xmlns: ns, queryid: queryId, id: m.id },
      xml(
        'forwarded',
        { xmlns: XMLNS.forward },
        delay(m.createdAt, v.domain),
        xml(
          'message',
          {
            xmlns: NS.client,
            type: 'chat',
            from: own ? bare : jidOfUser(m.sender.username, v.domain),
            to: own ? jidOfUser(m.recipient.username, v.domain) : bare,
            id: m.clientId,
          },
          xml('body', {}, m.text),
          xml('stanza-id', { xmlns: XMLNS.sid, id: m.id, by: bare }),
          xml('origin-id', { xmlns: XMLNS.sid, id: m.clientId }),
        ),
      ),
    ),
  );
}

/** About how many bytes a result takes on the wire (the page is cut to a budget). */
export const resultBytes = (m: DirectMessage): number =>
  Buffer.byteLength(m.text) + 4 * (m.text.match(/[&<>\r]/g)?.length ?? 0) + 1000;

/** XEP-0059: the page's ends, or an empty set. */
export function rsmSet(first: string | undefined, last: string | undefined): Element {
  return xml(
    'set',
    { xmlns: XMLNS.rsm },
    first !== undefined && xml('first', {}, first),
    last !== undefined && xml('last', {}, last),
  );
}
