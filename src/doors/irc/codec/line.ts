/**
 * One IRC line <-> one message: pure, bounded, errors as values (never throws on input).
 *
 *   parseLine('@+typing=active :nick PRIVMSG #room :hi there')
 *     -> { ok: true, message: { tags: Map { '+typing' => 'active' }, source: 'nick',
 *                                command: 'PRIVMSG', params: ['#room', 'hi there'] } }
 *   serialiseLine(message) -> { ok: true, line } (no CRLF: the writer appends CRLF)
 *   splitText(prefixBytes, text) -> pieces that each fit in one line after that prefix
 *
 * The line given to parseLine has no CR LF (the framer removed them). Rules, from
 * RFC 1459/2812, https://modern.ircdocs.horse and IRCv3 message-tags:
 *
 * - Tags: `@k=v;k2 ` before everything. Values are unescaped (`\:` `;`, `\s` space,
 *   `\\` `\`, `\r` CR, `\n` LF; a backslash before any other character is dropped, a
 *   trailing lone backslash too). A tag without a value or with `k=` has the value ''.
 *   Keys that break the naming rules are skipped, not refused (the spec forbids
 *   rejecting a message for them); the last of duplicate keys wins. Client-only tags
 *   keep their `+` in the map key.
 * - Limits, in bytes on the wire: tag data (between '@' and the space) at most
 *   `maxTagData` (4094 from a client, the spec's client limit; the whole tag section is
 *   then at most 4096 of the 8191 allowed); the body (everything after the tag section)
 *   at most `maxBody` (512) including the CRLF the framer removed. Over either: reason
 *   'too-long' with `part`, which the session answers with 417 ERR_INPUTTOOLONG. We
 *   refuse rather than truncate: a cut PRIVMSG would be delivered as something the
 *   sender never wrote.
 * - One or more spaces separate parts; a parameter starting with ':' is the trailing
 *   one and runs to the end of the line (it may be empty or contain spaces).
 * - At most 15 parameters (RFC 1459/2812). Our choice, which is RFC 2812's grammar:
 *   after 14 middle parameters the rest of the line is the 15th, spaces included
 *   (a leading ':' is removed). Nothing is lost and parsing never fails on the count;
 *   a handler that wanted a single word there refuses it as it would any bad word.
 * - NUL, CR or LF inside a line: reason 'bad-char' (the framer already refuses NUL).
 * - The command is letters (uppercased here) or three digits; anything else is
 *   'bad-command', with the raw word in `command` so the session can send 421.
 *
 * serialiseLine refuses (never escapes or drops) a parameter holding CR, LF or NUL,
 * a non-final parameter that is empty, has a space or starts with ':', more than 15
 * parameters, bad tag keys, and lines over the limits. Text that may hold newlines
 * or be long goes through splitText first, which yields pieces free of CR/LF/NUL.
 */

/** A parsed or to-be-written IRC message. */
export interface IrcMessage {
  /** Tag key (with its '+' for client-only tags) -> unescaped value ('' when none). */
  tags: Map<string, string>;
  /** The prefix without its ':' (nick!user@host or a server name). */
  source?: string;
  /** Uppercased letters, or a three-digit numeric. */
  command: string;
  params: string[];
  /** Serialiser only: write the last parameter with ':' even when not needed. */
  trailing?: boolean;
  /**
   * Serialiser only: this line's body limit when it is not 512. A relayed message an IRC
   * client could send in one line (512 bytes without a source) stays one line, even
   * though the source the server adds makes it longer, as Ergo does: splitting it would
   * turn one message into two, cutting it would lose its end.
   */
  maxBody?: number;
}

export type ParseFailure =
  | 'empty' // nothing but spaces (the framer drops truly empty lines)
  | 'too-long' // see `part`: 417 ERR_INPUTTOOLONG
  | 'bad-char' // NUL, CR or LF inside the line
  | 'bad-tags' // an empty tag section ('@ CMD'), or non-UTF-8 bytes in tags
  | 'no-command' // tags or a source with nothing after them
  | 'bad-command'; // a command that is neither letters nor three digits: 421

export type ParseResult =
  | { ok: true; message: IrcMessage }
  | { ok: false; reason: ParseFailure; part?: 'tags' | 'body'; command?: string };

export type SerialiseFailure =
  'bad-command' | 'bad-source' | 'bad-param' | 'bad-tags' | 'too-many-params' | 'too-long';

export type SerialiseResult =
  | { ok: true; line: string }
  | { ok: false; reason: SerialiseFailure; part?: 'tags' | 'body'; detail?: string };

/** Body limit, including CRLF (RFC 1459). */
export const MAX_BODY = 512;
/** Tag data a client may send, and that a server may add (IRCv3 message-tags). */
export const MAX_CLIENT_TAG_DATA = 4094;
export const MAX_SERVER_TAG_DATA = 4094;
/** The whole tag section: '@', data, ' ' (IRCv3 message-tags). */
export const MAX_TAG_SECTION = 8191;
/** RFC 1459/2812. */
export const MAX_PARAMS = 15;
/** The longest line a peer may send, CRLF included: tag section + body. */
export const MAX_LINE = MAX_TAG_SECTION + MAX_BODY;

export interface ParseOptions {
  /** Max tag data bytes (between '@' and ' '); default 4094, at most 8189. */
  maxTagData?: number;
  /** Max body bytes including CRLF; default 512. */
  maxBody?: number;
  /**
   * The framer decoded this line as Latin-1 (it was not UTF-8): lengths count one
   * byte per character, and any non-ASCII character in the tags is 'bad-tags'
   * (tag values must be UTF-8).
   */
  latin1?: boolean;
}

const TAG_KEY = /^\+?(?:[A-Za-z0-9][A-Za-z0-9.-]*\/)?[A-Za-z0-9-]+$/;
const COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;
const FORBIDDEN = /[\0\r\n]/;

/** UTF-8 byte length of a JS string (lone surrogates count 3, as Node encodes them). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

const wireLength = (s: string, latin1: boolean | undefined): number =>
  latin1 ? s.length : utf8Length(s);

const UNESCAPE: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

export function unescapeTagValue(v: string): string {
  if (!v.includes('\\')) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= v.length) break; // trailing lone backslash: dropped
    const e = v[i]!;
    out += UNESCAPE[e] ?? e; // unknown escape: the backslash is dropped
  }
  return out;
}

const ESCAPE: Record<string, string> = {
  ';': '\\:',
  ' ': '\\s',
  '\\': '\\\\',
  '\r': '\\r',
  '\n': '\\n',
};

export function escapeTagValue(v: string): string {
  return v.replace(/[; \\\r\n]/g, (c) => ESCAPE[c]!);
}

export const isTagKey = (k: string): boolean => TAG_KEY.test(k);

/** The client-only tags (keys starting with '+'), e.g. to relay with a TAGMSG or PRIVMSG. */
export function clientOnlyTags(tags: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of tags) if (k.startsWith('+')) out.set(k, v);
  return out;
}

function parseTags(data: string, into: Map<string, string>): void {
  for (const item of data.split(';')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    if (!TAG_KEY.test(key)) continue;
    into.set(key, eq === -1 ? '' : unescapeTagValue(item.slice(eq + 1)));
  }
}

export function parseLine(line: string, opts: ParseOptions = {}): ParseResult {
  const maxTagData = Math.min(opts.maxTagData ?? MAX_CLIENT_TAG_DATA, MAX_TAG_SECTION - 2);
  const maxBody = opts.maxBody ?? MAX_BODY;
  if (FORBIDDEN.test(line)) return { ok: false, reason: 'bad-char' };

  const tags = new Map<string, string>();
  let rest = line;
  if (line.startsWith('@')) {
    const sp = line.indexOf(' ');
    const data = sp === -1 ? line.slice(1) : line.slice(1, sp);
    if (wireLength(data, opts.latin1) > maxTagData)
      return { ok: false, reason: 'too-long', part: 'tags' };
    if (sp === -1) return { ok: false, reason: 'no-command' };
    // eslint-disable-next-line no-control-regex
    if (data === '' || (opts.latin1 && /[^\x00-\x7f]/.test(data)))
      return { ok: false, reason: 'bad-tags' };
    parseTags(data, tags);
    rest = line.slice(sp + 1);
  }
  if (wireLength(rest, opts.latin1) + 2 > maxBody)
    return { ok: false, reason: 'too-long', part: 'body' };

  let i = skipSpaces(rest, 0);
  if (i === rest.length)
    return { ok: false, reason: line.startsWith('@') ? 'no-command' : 'empty' };
  let source: string | undefined;
  if (rest[i] === ':') {
    const sp = rest.indexOf(' ', i);
    if (sp === -1 || sp === i + 1) return { ok: false, reason: 'no-command' };
    source = rest.slice(i + 1, sp);
    i = skipSpaces(rest, sp);
    if (i === rest.length) return { ok: false, reason: 'no-command' };
  }

  let end = rest.indexOf(' ', i);
  if (end === -1) end = rest.length;
  const word = rest.slice(i, end);
  if (!COMMAND.test(word))
    // Usable as a middle parameter of 421 as is: bounded, never starting with ':'.
    return {
      ok: false,
      reason: 'bad-command',
      command: word.slice(0, 64).replace(/^:+/, '') || '*',
    };

  const params: string[] = [];
  i = end;
  for (;;) {
    i = skipSpaces(rest, i);
    if (i >= rest.length) break;
    if (rest[i] === ':' || params.length === MAX_PARAMS - 1) {
      // The trailing parameter, or (RFC 2812) the 15th, which takes the rest of the line.
      params.push(rest.slice(rest[i] === ':' ? i + 1 : i));
      break;
    }
    let sp = rest.indexOf(' ', i);
    if (sp === -1) sp = rest.length;
    params.push(rest.slice(i, sp));
    i = sp;
  }

  const message: IrcMessage = { tags, command: word.toUpperCase(), params };
  if (source !== undefined) message.source = source;
  return { ok: true, message };
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) === 0x20) i++;
  return i;
}

export interface SerialiseOptions {
  /** Max body bytes including CRLF; default 512. */
  maxBody?: number;
  /**
   * 'server' (default): client-only (+) and server tags each at most 4094 bytes of data,
   * the section at most 8191. 'client': all tag data at most 4094 (tests, bots).
   */
  side?: 'server' | 'client';
}

/** The message as one line, without CRLF, or why it cannot be one. */
export function serialiseLine(msg: IrcMessage, opts: SerialiseOptions = {}): SerialiseResult {
  const maxBody = opts.maxBody ?? msg.maxBody ?? MAX_BODY;
  if (!COMMAND.test(msg.command)) return { ok: false, reason: 'bad-command' };
  if (msg.params.length > MAX_PARAMS) return { ok: false, reason: 'too-many-params' };

  let tagSection = '';
  if (msg.tags.size > 0) {
    const clientOnly: string[] = [];
    const server: string[] = [];
    for (const [k, v] of msg.tags) {
      if (!TAG_KEY.test(k)) return { ok: false, reason: 'bad-tags', detail: k.slice(0, 64) };
      // NUL is not escapable and not allowed in a line.
      if (v.includes('\0')) return { ok: false, reason: 'bad-tags', detail: k };
      (k.startsWith('+') ? clientOnly : server).push(v === '' ? k : `${k}=${escapeTagValue(v)}`);
    }
    const c = clientOnly.join(';');
    const s = server.join(';');
    const data = c && s ? `${s};${c}` : c || s;
    const tooLong =
      opts.side === 'client'
        ? utf8Length(data) > MAX_CLIENT_TAG_DATA
        : utf8Length(c) > MAX_CLIENT_TAG_DATA ||
          utf8Length(s) > MAX_SERVER_TAG_DATA ||
          utf8Length(data) + 2 > MAX_TAG_SECTION;
    if (tooLong) return { ok: false, reason: 'too-long', part: 'tags' };
    tagSection = `@${data} `;
  }

  let body = '';
  if (msg.source !== undefined) {
    // ':' may appear inside (IPv6 hosts), not first; no spaces or forbidden bytes.
    if (/^$|^[:@]|[ \0\r\n]/.test(msg.source)) return { ok: false, reason: 'bad-source' };
    body = `:${msg.source} `;
  }
  body += msg.command;
  const last = msg.params.length - 1;
  for (let i = 0; i <= last; i++) {
    const p = msg.params[i]!;
    if (FORBIDDEN.test(p))
      return { ok: false, reason: 'bad-param', detail: `param ${i}: CR, LF or NUL` };
    const needsColon = p === '' || p.includes(' ') || p.startsWith(':');
    if (i < last) {
      if (needsColon) return { ok: false, reason: 'bad-param', detail: `param ${i}` };
      body += ` ${p}`;
    } else body += needsColon || msg.trailing ? ` :${p}` : ` ${p}`;
  }
  if (utf8Length(body) + 2 > maxBody) return { ok: false, reason: 'too-long', part: 'body' };
  return { ok: true, line: tagSection + body };
}

/**
 * Splits `text` into pieces that each fit in a line whose body, apart from the piece,
 * takes `prefixBytes` (e.g. `:nick!u@h PRIVMSG #room :` is its UTF-8 length), with
 * `max` bytes for the body including CRLF. Newlines (CRLF, CR or LF) always split and
 * NULs are removed, so every piece can be serialised; empty pieces are dropped (so
 * text with nothing to show gives []). A piece ends at the last space that fits (the
 * space is dropped) when there is one in its second half, else at the last whole code
 * point that fits: never inside a UTF-8 sequence or a surrogate pair. Combining marks
 * may be separated from their base at a hard cut (rare: only in words over ~250 bytes).
 * Throws RangeError when the prefix leaves less than 4 bytes (a programming error).
 */
export function splitText(prefixBytes: number, text: string, max: number = MAX_BODY): string[] {
  const budget = max - 2 - prefixBytes;
  if (budget < 4) throw new RangeError(`splitText: a ${prefixBytes}-byte prefix leaves no room`);
  const out: string[] = [];
  for (const raw of text.replace(/\0/g, '').split(/\r\n|\r|\n/)) {
    let line = raw;
    while (line !== '') {
      if (utf8Length(line) <= budget) {
        out.push(line);
        break;
      }
      // Walk code points to the last one that fits.
      let bytes = 0;
      let cut = 0;
      let lastSpace = -1;
      for (const ch of line) {
        const cp = ch.codePointAt(0)!;
        const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (bytes + n > budget) break;
        if (ch === ' ') lastSpace = cut;
        bytes += n;
        cut += ch.length;
      }
      if (line[cut] === ' ') lastSpace = cut; // the space just past the budget is a fine cut
      if (lastSpace > 0 && lastSpace >= cut / 2) {
        out.push(line.slice(0, lastSpace));
        line = line.slice(lastSpace + 1);
      } else {
        out.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
  }
  return out.filter((p) => p !== '');
}
