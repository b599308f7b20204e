/**
 * JIDs, `local@domain/resource` (RFC 7622), with practical rules instead of
 * the full PRECIS tables.
 *
 * API:
 * - `Jid`: `local` and `resource` (undefined when absent), `domain`;
 *   `toString()`, `bare()`, `isBare`, `equals(other)`, `bareEquals(other)`.
 * - `parseJid(s)`: a normalised Jid; throws `JidError` (the door answers
 *   `jid-malformed`). `tryParseJid(s)`: the same, undefined instead of throwing.
 * - `makeJid(local, domain, resource?)`: from parts, same checks.
 * - `usernameOf(jid, domain)`: the Parley username a JID names on our domain
 *   (`^[a-z0-9._-]{1,32}$`), or undefined. `jidOf(username, domain, resource?)`.
 *
 * Rules: the resource is split off at the first '/', then the local part at
 * the first '@' (7622 3.2), so a resource may contain '@' and '/'. Each part
 * is at most 1023 bytes of UTF-8 and never empty when present; all parts
 * are NFC-normalised. Local part: lowercased (the case mapping of
 * UsernameCaseMapped), no `" & ' / : < > @`, whitespace or control
 * characters. Domain: lowercased, one trailing dot dropped, no whitespace,
 * control characters or `@ / \ < > " ' &`, labels 1-63 characters, or an IPv6
 * literal in brackets. Resource: kept as sent (OpaqueString), but control
 * characters are refused.
 *
 * XEP-0106 (JID escaping) is not applied: Parley usernames never contain the
 * characters it escapes, so an escaped local part simply names no user.
 */

export class JidError extends Error {
  override name = 'JidError';
}

const MAX_PART_BYTES = 1023;
const USERNAME = /^[a-z0-9._-]{1,32}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// With the u flag a well-formed pair is one code point: only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LOCAL_BAD = /["&'/:<>@\s]/u;
const DOMAIN_BAD = /[@/\\<>"'&\s]/u;

export class Jid {
  readonly local: string | undefined;
  readonly domain: string;
  readonly resource: string | undefined;

  /** @internal Use parseJid or makeJid: they check and normalise. */
  constructor(local: string | undefined, domain: string, resource: string | undefined) {
    this.local = local;
    this.domain = domain;
    this.resource = resource;
  }

  get isBare(): boolean {
    return this.resource === undefined;
  }

  bare(): Jid {
    return this.resource === undefined ? this : new Jid(this.local, this.domain, undefined);
  }

  equals(other: Jid): boolean {
    return (
      this.local === other.local && this.domain === other.domain && this.resource === other.resource
    );
  }

  bareEquals(other: Jid): boolean {
    return this.local === other.local && this.domain === other.domain;
  }

  toString(): string {
    let s = this.domain;
    if (this.local !== undefined) s = `${this.local}@${s}`;
    if (this.resource !== undefined) s += `/${this.resource}`;
    return s;
  }
}

export function parseJid(input: string): Jid {
  // Cheap bound before any work: three parts of 1023 bytes plus separators.
  if (input.length > 3 * MAX_PART_BYTES + 2) throw new JidError('JID too long');
  const slash = input.indexOf('/');
  const rest = slash < 0 ? input : input.slice(0, slash);
  const resource = slash < 0 ? undefined : input.slice(slash + 1);
  const at = rest.indexOf('@');
  const local = at < 0 ? undefined : rest.slice(0, at);
  const domain = at < 0 ? rest : rest.slice(at + 1);
  return makeJid(local, domain, resource);
}

export function tryParseJid(input: string): Jid | undefined {
  try {
    return parseJid(input);
  } catch {
    return undefined;
  }
}

export function makeJid(
  local: string | undefined,
  domain: string,
  resource?: string | undefined,
): Jid {
  return new Jid(
    local === undefined ? undefined : normLocal(local),
    normDomain(domain),
    resource === undefined ? undefined : normResource(resource),
  );
}

function checkSize(part: string, what: string): void {
  if (part === '') throw new JidError(`empty ${what}`);
  if (Buffer.byteLength(part) > MAX_PART_BYTES) throw new JidError(`${what} too long`);
  if (LONE_SURROGATE.test(part)) throw new JidError(`${what} is not valid Unicode`);
}

function normLocal(s: string): string {
  checkSize(s, 'local part');
  const n = s.normalize('NFC').toLowerCase();
  if (CONTROL.test(n) || LOCAL_BAD.test(n)) throw new JidError('forbidden character in local part');
  checkSize(n, 'local part');
  return n;
}

function normDomain(s: string): string {
  let d = s.endsWith('.') ? s.slice(0, -1) : s;
  checkSize(d, 'domain');
  d = d.normalize('NFC').toLowerCase();
  checkSize(d, 'domain');
  if (d.startsWith('[')) {
    if (!/^\[[0-9a-f:.]+\]$/.test(d)) throw new JidError('malformed IP literal');
    return d;
  }
  if (CONTROL.test(d) || DOMAIN_BAD.test(d) || /[[\]]/.test(d)) {
    throw new JidError('forbidden character in domain');
  }
  for (const label of d.split('.')) {
    if (label === '' || label.length > 63) throw new JidError('malformed domain label');
  }
  return d;
}

function normResource(s: string): string {
  checkSize(s, 'resource');
  const n = s.normalize('NFC');
  if (CONTROL.test(n)) throw new JidError('control character in resource');
  checkSize(n, 'resource');
  return n;
}

/** The Parley username `jid` names on `domain`, if it names one. */
export function usernameOf(jid: Jid, domain: string): string | undefined {
  if (jid.local === undefined || jid.domain !== domain.toLowerCase()) return undefined;
  return USERNAME.test(jid.local) ? jid.local : undefined;
}

export function jidOf(username: string, domain: string, resource?: string): Jid {
  return makeJid(username, domain, resource);
}
