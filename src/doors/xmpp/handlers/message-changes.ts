import type { DirectMessage } from '../../../core/events.js';
import type { Element } from '../codec/element.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';

/**
 * Changes to a message already sent, from the client, onto core's by message
 * id: a correction (XEP-0308) is an edit, a retraction (XEP-0424, its fallback
 * body never stored) a deletion, reactions (XEP-0444, the sender's whole set)
 * reactions added and taken back. The client names the message by the id it
 * knows (its origin-id or id, or our stanza-id): `messages.find` reads either.
 * Core decides the rest (only the sender edits or deletes, what an emoji may
 * be); its refusals come back as stanza errors.
 */

/** The message a change names, else an item-not-found error to the client. */
async function target(
  c: XmppConnection,
  el: Element,
  peer: string,
  ref: string | undefined,
): Promise<DirectMessage | undefined> {
  const m = ref ? await c.core.messages.find(c.auth!.user.id, peer, ref) : undefined;
  if (!m) c.error(el, 'item-not-found', 'no such message in this conversation');
  return m;
}

function refused(c: XmppConnection, el: Element, err: unknown, what: string): void {
  const e = stanzaCondition(err, 'message');
  if (e.internal) c.log.error({ err }, `xmpp: ${what} failed`);
  c.error(el, e.condition, e.text);
}

/**
 * XEP-0308: `<replace id>` names the message first sent (a correction of a
 * correction still names the original); core keeps one message, edited. The XEP
 * allows correcting one's last message; core allows any of one's own, so a
 * client that offers more is not refused.
 */
export async function correction(
  c: XmppConnection,
  el: Element,
  peer: string,
  replace: Element,
  text: string,
): Promise<void> {
  try {
    const m = await target(c, el, peer, replace.attr('id'));
    if (m) await c.core.messages.edit(c.auth!.user.id, m.id, text, c.connectionId);
  } catch (err) {
    refused(c, el, err, 'correction');
  }
}

/** XEP-0424 (`urn:xmpp:message-retract:1`, or 0's form over XEP-0422 fastening). */
export function retractRef(el: Element): { ref: string | undefined } | undefined {
  const r = el.getChild('retract', XMLNS.retract);
  if (r) return { ref: r.attr('id') };
  const fasten = el.getChild('apply-to', XMLNS.fasten);
  if (fasten?.getChild('retract', XMLNS.retractOld)) return { ref: fasten.attr('id') };
  return undefined;
}

export async function retraction(
  c: XmppConnection,
  el: Element,
  peer: string,
  ref: string | undefined,
): Promise<void> {
  try {
    const m = await target(c, el, peer, ref);
    if (m) await c.core.messages.remove(c.auth!.user.id, m.id, c.connectionId);
  } catch (err) {
    refused(c, el, err, 'retraction');
  }
}

/** Reactions in one stanza at most (XEP-0444 sends a person's whole set). */
export const MAX_REACTIONS = 20;

/** XEP-0444: the sender's set replaces theirs: what is new is added, what is missing taken back. */
export async function reactions(
  c: XmppConnection,
  el: Element,
  peer: string,
  r: Element,
): Promise<void> {
  const me = c.auth!.user.id;
  const wanted = [...new Set(r.getChildren('reaction').map((x) => x.text().trim()))].filter(
    (x) => x !== '',
  );
  if (wanted.length > MAX_REACTIONS)
    return c.error(el, 'policy-violation', `at most ${MAX_REACTIONS} reactions`);
  try {
    const m = await target(c, el, peer, r.attr('id'));
    if (!m) return;
    const had = m.reactions.filter((x) => x.userIds.includes(me)).map((x) => x.emoji);
    for (const emoji of wanted)
      if (!had.includes(emoji)) await c.core.messages.react(me, m.id, emoji, true, c.connectionId);
    for (const emoji of had)
      if (!wanted.includes(emoji))
        await c.core.messages.react(me, m.id, emoji, false, c.connectionId);
  } catch (err) {
    refused(c, el, err, 'reaction');
  }
}
