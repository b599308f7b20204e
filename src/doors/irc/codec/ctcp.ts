/**
 * CTCP inside PRIVMSG/NOTICE text, and IRC formatting codes. Pure.
 *
 *   parseCtcp('\x01ACTION waves\x01') -> { kind: 'action', text: 'waves' }
 *   parseCtcp('\x01VERSION\x01')      -> { kind: 'ctcp', verb: 'VERSION', args: '' }
 *   parseCtcp('hello')                -> { kind: 'text', text: 'hello' }
 *   action('waves')                   -> '\x01ACTION waves\x01'
 *   stripFormatting('\x02bold\x02 \x0304,01red') -> 'bold red'
 *
 * CTCP (https://modern.ircdocs.horse/ctcp): the text starts with \x01, then a verb, an
 * optional space and arguments, then \x01. The closing \x01 is optional on input
 * (some clients drop it, and a cut line loses it); the verb is uppercased. Only a
 * message whose whole text is one CTCP counts (the old "embedded CTCP" is dead).
 * A lone "\x01" or "\x01\x01" has no verb and is treated as plain text.
 *
 * A long action is split by the caller with splitText(prefixBytes + ACTION_OVERHEAD,
 * text), then each piece is wrapped with action().
 */

export type CtcpText =
  | { kind: 'text'; text: string }
  | { kind: 'action'; text: string }
  | { kind: 'ctcp'; verb: string; args: string };

const DELIM = '\x01';

/** Bytes action() adds around the text: "\x01ACTION " and "\x01". */
export const ACTION_OVERHEAD = 9;

export function parseCtcp(text: string): CtcpText {
  if (!text.startsWith(DELIM)) return { kind: 'text', text };
  let body = text.slice(1);
  if (body.endsWith(DELIM)) body = body.slice(0, -1);
  const sp = body.indexOf(' ');
  const verb = (sp === -1 ? body : body.slice(0, sp)).toUpperCase();
  const args = sp === -1 ? '' : body.slice(sp + 1);
  if (verb === '' || verb.includes(DELIM)) return { kind: 'text', text };
  if (verb === 'ACTION') return { kind: 'action', text: args };
  return { kind: 'ctcp', verb, args };
}

/** The text of a /me. \x01 in `text` is removed (it would end the CTCP early). */
export function action(text: string): string {
  return ctcp('ACTION', text);
}

/** A CTCP request or reply (verb uppercased; \x01 removed from both parts). */
export function ctcp(verb: string, args = ''): string {
  const v = verb.replaceAll(DELIM, '').toUpperCase();
  const a = args.replaceAll(DELIM, '');
  return a === '' ? `${DELIM}${v}${DELIM}` : `${DELIM}${v} ${a}${DELIM}`;
}

// \x02 bold, \x1d italics, \x1f underline, \x1e strikethrough, \x11 monospace,
// \x16 reverse, \x0f reset; \x03 colour with up to two digits of foreground and,
// only after a foreground, a comma and up to two digits of background; \x04 the
// same with six hex digits each. A comma not followed by a digit stays in the text.
const FORMATTING =
  // eslint-disable-next-line no-control-regex
  /\x03(?:[0-9]{1,2}(?:,[0-9]{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;

/** The text without IRC formatting codes, for search and previews. */
export function stripFormatting(text: string): string {
  return text.replace(FORMATTING, '');
}
