/**
 * WHOX (https://ircv3.net/specs/extensions/whox): `WHO <mask> %<fields>[,<token>]`
 * answered with 354 RPL_WHOSPCRPL carrying exactly the fields asked, in the
 * spec's order (t c u i h s n f l a r). Pure.
 *
 *   parseWhox('%tcuhnfar,42') -> { fields: 'tcuhnfar', token: '42' }
 *   whoxParams({ fields: 'nfa', token: '0' }, { nick: 'bob', flags: 'H@', account: 'bob', ... })
 *     -> ['bob', 'H@', 'bob']
 */
const ORDER = 'tcuihsnflar';

export interface WhoxQuery {
  /** The known fields asked, in the spec's order, once each. */
  fields: string;
  token: string;
}

export interface WhoxInfo {
  channel: string;
  user: string;
  host: string;
  server: string;
  nick: string;
  flags: string;
  /** Seconds idle (Parley does not track it: 0). */
  idle: number;
  /** '0' when not logged in (a guest). */
  account: string;
  realname: string;
}

/** The second WHO parameter as a WHOX query, or undefined for a plain WHO. */
export function parseWhox(param: string | undefined): WhoxQuery | undefined {
  if (!param?.startsWith('%')) return undefined;
  const [spec = '', token = ''] = param.slice(1).split(',', 2);
  // Unknown fields are ignored (the spec: servers MUST ignore what they do not support).
  const fields = [...ORDER].filter((f) => spec.includes(f)).join('');
  // A token is at most three digits; a client asking 't' without one gets 0.
  return { fields, token: /^\d{1,3}$/.test(token) ? token : '0' };
}

export function whoxParams(q: WhoxQuery, i: WhoxInfo): string[] {
  const out: string[] = [];
  for (const f of q.fields)
    switch (f) {
      case 't':
        out.push(q.token);
        break;
      case 'c':
        out.push(i.channel || '*');
        break;
      case 'u':
        out.push(i.user);
        break;
      case 'i':
        out.push('255.255.255.255');
        break;
      case 'h':
        out.push(i.host);
        break;
      case 's':
        out.push(i.server);
        break;
      case 'n':
        out.push(i.nick);
        break;
      case 'f':
        out.push(i.flags);
        break;
      case 'l':
        out.push(String(i.idle));
        break;
      case 'a':
        out.push(i.account || '0');
        break;
      case 'r':
        out.push(i.realname);
        break;
    }
  return out;
}

/**
 * WHO's flags: `H` (here) or `G` (gone: away, busy or offline), then `*` for an IRC
 * operator, then the channel prefix. `show` is the presence as the asker may see
 * it, undefined when they may not (then `H`: no presence leaks, as with MONITOR).
 *
 *   whoFlags({ show: 'dnd', oper: true, prefix: '@' }) -> 'G*@'
 */
export function whoFlags(p: { show: string | undefined; oper?: boolean; prefix?: string }): string {
  const gone = p.show !== undefined && p.show !== 'available';
  return `${gone ? 'G' : 'H'}${p.oper ? '*' : ''}${p.prefix ?? ''}`;
}
