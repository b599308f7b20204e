import { isParleyError } from '../../../core/errors.js';
import { type Element, xml } from '../codec/element.js';
import { errorReply } from '../codec/errors.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { jidOfUser } from '../mapping/events.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';
import type { IqHandler } from './index.js';
import { result } from './server.js';

/**
 * Blocking (XEP-0191) is core's blocks: the blocklist, block, unblock and
 * unblock-all change the same list the web does, and core's block events are
 * the pushes to every resource (mapping/events.ts), whichever door made the
 * change. Only accounts of this domain can be blocked (nothing else reaches it).
 */

/** Items in one block or unblock at most (core's own calls bound the rest). */
const MAX_ITEMS = 100;

/** The usernames an iq's items name; a string when one is not an account here. */
function usernames(c: XmppConnection, payload: Element): string[] | string {
  const items = payload.getChildren('item', XMLNS.blocking);
  if (items.length > MAX_ITEMS) return `at most ${MAX_ITEMS} items at once`;
  const out: string[] = [];
  for (const item of items) {
    const jid = tryParseJid(item.attr('jid') ?? '');
    const name = jid && jid.resource === undefined ? usernameOf(jid, c.domain) : undefined;
    if (name === undefined) return `only accounts of ${c.domain} can be blocked`;
    out.push(name);
  }
  return out;
}

function failed(c: XmppConnection, iq: Element, err: unknown): void {
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: blocking failed');
  c.error(iq, e.condition, e.text);
}

export const BLOCKING: Record<string, IqHandler> = {
  [`get {${XMLNS.blocking}}blocklist`]: async (c, iq) => {
    try {
      const list = await c.core.contacts.blocked(c.auth!.user.id);
      c.write(
        result(
          iq,
          xml(
            'blocklist',
            { xmlns: XMLNS.blocking },
            list.map((b) => xml('item', { jid: jidOfUser(b.username, c.domain) })),
          ),
        ),
      );
    } catch (err) {
      failed(c, iq, err);
    }
  },
  [`set {${XMLNS.blocking}}block`]: async (c, iq, payload) => {
    const names = usernames(c, payload);
    if (typeof names === 'string') return c.error(iq, 'not-acceptable', names);
    if (names.length === 0) return c.error(iq, 'bad-request', 'name at least one JID to block');
    try {
      for (const name of names) await c.core.contacts.block(c.auth!.user.id, name);
      c.write(result(iq));
    } catch (err) {
      failed(c, iq, err);
    }
  },
  [`set {${XMLNS.blocking}}unblock`]: async (c, iq, payload) => {
    const me = c.auth!.user.id;
    const names = usernames(c, payload);
    if (typeof names === 'string') return c.error(iq, 'not-acceptable', names);
    try {
      // No items: unblock everyone.
      const all =
        names.length > 0 ? names : (await c.core.contacts.blocked(me)).map((b) => b.username);
      for (const name of all)
        await c.core.contacts.unblock(me, name).catch((err: unknown) => {
          // Not blocked (or gone) is what was asked for.
          if (!(isParleyError(err) && err.condition === 'not-found')) throw err;
        });
      c.write(result(iq));
    } catch (err) {
      failed(c, iq, err);
    }
  },
};

/** XEP-0191 3.6: a stanza to someone the user blocks is not sent. */
export function blockedError(stanza: Element): Element | undefined {
  const reply = errorReply(stanza, 'not-acceptable', {
    text: 'you blocked this address: unblock it first',
  });
  if (!reply) return undefined;
  return xml(
    reply.name,
    reply.attrs,
    reply
      .elements()
      .map((el) =>
        el.name === 'error'
          ? xml('error', el.attrs, ...el.children, xml('blocked', { xmlns: XMLNS.blockingErrors }))
          : el,
      ),
  );
}
