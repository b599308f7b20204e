/**
 * RPL_ISUPPORT (005) lines from a token map. Pure.
 *
 *   isupportMessages('parley.example', 'alice', [
 *     ['CASEMAPPING', 'ascii'], ['CHANTYPES', '#'], ['PREFIX', '(qao)~&@'], ['SAFELIST', true],
 *   ])
 *   -> [:parley.example 005 alice CASEMAPPING=ascii CHANTYPES=# PREFIX=(qao)~&@ SAFELIST
 *        :are supported by this server]
 *
 * Per https://modern.ircdocs.horse: at most 13 tokens per line (we also keep each line
 * within 512 bytes), a token is NAME, NAME=value, or -NAME to withdraw one (value
 * false). In values, characters that would break the token are escaped as \xHH:
 * space, '\', '=' and control characters; other characters are written as they are.
 * Token names are letters, digits and (for vendor drafts) '/', '.', '-'; a bad name
 * or a token that cannot fit in one line is a programming error and throws.
 */
import { type IrcMessage, MAX_BODY, utf8Length } from '../codec/line.js';
import { CHANNELLEN, CHANTYPES, PREFIX } from './channel.js';
import { NICKLEN } from './nick.js';
import { DEFAULT_TEXT, NUMERICS } from './numerics.js';

/** true: the token without a value; false: '-NAME' (withdrawn); a string: NAME=value. */
export type IsupportValue = string | boolean;

export const MAX_TOKENS_PER_LINE = 13;

/**
 * The tokens that follow from the mappings in this folder (nick and channel rules,
 * roles): the session adds its own (NETWORK, CHANMODES, MONITOR, ...) around them.
 */
export const MAPPING_TOKENS: readonly (readonly [string, IsupportValue])[] = [
  ['CASEMAPPING', 'ascii'],
  ['CHANTYPES', CHANTYPES],
  ['CHANNELLEN', String(CHANNELLEN)],
  ['NICKLEN', String(NICKLEN)],
  ['PREFIX', PREFIX],
];

const NAME = /^[A-Za-z0-9][A-Za-z0-9/.-]*$/;

export function escapeIsupportValue(v: string): string {
  return v.replace(
    // eslint-disable-next-line no-control-regex
    /[\x00-\x20\x7f\\=]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export function unescapeIsupportValue(v: string): string {
  return v.replace(/\\x([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function isupportToken(name: string, value: IsupportValue): string {
  if (!NAME.test(name)) throw new TypeError(`bad ISUPPORT token name: ${JSON.stringify(name)}`);
  if (value === false) return `-${name}`;
  if (value === true || value === '') return name;
  return `${name}=${escapeIsupportValue(value)}`;
}

export function isupportMessages(
  server: string,
  nick: string,
  tokens: Iterable<readonly [string, IsupportValue]>,
): IrcMessage[] {
  const text = DEFAULT_TEXT.RPL_ISUPPORT!;
  // ":server 005 nick " + tokens joined by spaces + " :text" + CRLF
  const fixed = utf8Length(`:${server} ${NUMERICS.RPL_ISUPPORT} ${nick} :${text}`) + 2;
  const out: IrcMessage[] = [];
  let line: string[] = [];
  let bytes = fixed;
  const flush = () => {
    if (line.length === 0) return;
    out.push({
      tags: new Map(),
      source: server,
      command: NUMERICS.RPL_ISUPPORT,
      params: [nick, ...line, text],
      trailing: true,
    });
    line = [];
    bytes = fixed;
  };
  for (const [name, value] of tokens) {
    const token = isupportToken(name, value);
    const size = utf8Length(token) + 1;
    if (fixed + size > MAX_BODY)
      throw new RangeError(`ISUPPORT token ${name} cannot fit in a line`);
    if (line.length === MAX_TOKENS_PER_LINE || bytes + size > MAX_BODY) flush();
    line.push(token);
    bytes += size;
  }
  flush();
  return out;
}
