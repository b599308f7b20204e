import type { Element } from '../codec/element.js';
import type { XmppConnection } from '../connection.js';
import { XMLNS } from '../xmlns.js';

/**
 * What an XMPP client says about a conversation without saying anything:
 * delivery receipts (XEP-0184) and chat markers (XEP-0333) become core's
 * delivered and read markers, chat states (XEP-0085) core's typing. None is
 * answered with an error (a client sends them unasked, and an error about a
 * marker helps no one): what core refuses is dropped, and logged for us.
 */

/** XEP-0085 states: only `composing` is typing. */
const STATES = new Set(['active', 'composing', 'paused', 'inactive', 'gone']);

/** True when the stanza held a receipt, a marker or a chat state (handled here). */
export async function signals(
  c: XmppConnection,
  el: Element,
  peer: string,
  withBody: boolean,
): Promise<boolean> {
  let handled = false;
  const receipt = el.getChild('received', XMLNS.receipts);
  const displayed =
    el.getChild('displayed', XMLNS.markers) ?? el.getChild('acknowledged', XMLNS.markers);
  const received = el.getChild('received', XMLNS.markers) ?? receipt;
  if (displayed) {
    handled = true;
    await mark(c, peer, displayed.attr('id'), 'read');
  } else if (received) {
    handled = true;
    await mark(c, peer, received.attr('id'), 'delivered');
  }
  // A state beside a body says nothing a message does not (the web stops showing typing at it).
  const state = el.elements().find((x) => x.ns === XMLNS.chatStates && STATES.has(x.name));
  if (state && !withBody) {
    handled = true;
    try {
      await c.core.receipts.typing(
        c.auth!.user.id,
        peer,
        state.name === 'composing' ? 'start' : 'stop',
      );
    } catch (err) {
      c.log.debug({ err }, 'xmpp: chat state not passed on');
    }
  }
  return handled || state !== undefined;
}

/** Moves the marker up to the message the client names (theirs or ours, by either id). */
async function mark(
  c: XmppConnection,
  peer: string,
  ref: string | undefined,
  which: 'delivered' | 'read',
): Promise<void> {
  if (ref === undefined) return;
  const me = c.auth!.user.id;
  try {
    const m = await c.core.messages.find(me, peer, ref);
    if (!m) return;
    await c.core.receipts.mark(me, { with: peer, [which]: m.seq }, c.connectionId);
  } catch (err) {
    c.log.debug({ err }, 'xmpp: marker not passed on');
  }
}
