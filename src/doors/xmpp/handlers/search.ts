import type { DirectoryQuery } from '../../../core/profiles/service.js';
import type { Profile } from '../../../core/profiles/store.js';
import { type Element, xml } from '../codec/element.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { XMLNS } from '../xmlns.js';
import { result } from './server.js';
import type { IqHandler } from './index.js';

/**
 * The people directory as Jabber Search (XEP-0055), at the server's own JID:
 * the same query, privacy and blocks as the web's directory (core.profiles
 * .search). Clients that speak data forms (XEP-0004) get the directory's real
 * fields; older ones the legacy nick (username prefix) and first (name).
 * One page of at most 50 results; a narrower query finds the rest.
 */

const INSTRUCTIONS =
  'Find people by username (its beginning), name, city or age. Empty fields are ignored.';
const LIMIT = 50;

const FIELDS: readonly { var: keyof DirectoryQuery; label: string }[] = [
  { var: 'username', label: 'Username starts with' },
  { var: 'name', label: 'Name contains' },
  { var: 'city', label: 'City' },
  { var: 'ageMin', label: 'Age from' },
  { var: 'ageMax', label: 'Age up to' },
];

const field = (v: string, value?: string, attrs: Record<string, string> = {}) =>
  xml('field', { var: v, ...attrs }, value !== undefined ? xml('value', {}, value) : undefined);

function form(): Element {
  return xml(
    'x',
    { xmlns: XMLNS.data, type: 'form' },
    xml('title', {}, 'People directory'),
    xml('instructions', {}, INSTRUCTIONS),
    field('FORM_TYPE', XMLNS.search, { type: 'hidden' }),
    FIELDS.map((f) => xml('field', { var: f.var, type: 'text-single', label: f.label })),
  );
}

export class BadSearch extends Error {}

/** The directory query a search set asks for, from its data form or legacy fields. */
export function queryOf(q: Element): DirectoryQuery {
  const x = q.getChild('x', XMLNS.data);
  const out: DirectoryQuery = {};
  if (x) {
    if (x.attr('type') !== 'submit') throw new BadSearch('submit the form (type submit)');
    for (const f of x.getChildren('field', XMLNS.data)) {
      const name = f.attr('var');
      const value = f.getChildText('value', XMLNS.data)?.trim() ?? '';
      if (name === 'FORM_TYPE' || value === '') continue;
      if (name === 'username' || name === 'name' || name === 'city') out[name] = value;
      else if (name === 'ageMin' || name === 'ageMax') {
        if (!/^\d{1,3}$/.test(value)) throw new BadSearch(`${name} is a whole number`);
        out[name] = Number(value);
      } else throw new BadSearch(`unknown field ${String(name).slice(0, 40)}`);
    }
    return out;
  }
  const legacy = (n: string) => q.getChildText(n, XMLNS.search)?.trim() ?? '';
  if (legacy('nick')) out.username = legacy('nick');
  const name = [legacy('first'), legacy('last')].filter(Boolean).join(' ');
  if (name) out.name = name;
  return out;
}

const age = (p: Profile) =>
  p.birthYear === null ? '' : String(new Date().getUTCFullYear() - p.birthYear);

function formResults(found: readonly Profile[], domain: string): Element {
  const cols = [
    ['jid', 'JID', 'jid-single'],
    ['username', 'Username', 'text-single'],
    ['name', 'Name', 'text-single'],
    ['city', 'City', 'text-single'],
    ['country', 'Country', 'text-single'],
    ['age', 'Age', 'text-single'],
  ] as const;
  return xml(
    'x',
    { xmlns: XMLNS.data, type: 'result' },
    field('FORM_TYPE', XMLNS.search, { type: 'hidden' }),
    xml(
      'reported',
      {},
      cols.map(([v, label, type]) => xml('field', { var: v, label, type })),
    ),
    found.map((p) =>
      xml(
        'item',
        {},
        field('jid', `${p.username}@${domain}`),
        field('username', p.username),
        field('name', p.displayName),
        field('city', p.city),
        field('country', p.country),
        field('age', age(p)),
      ),
    ),
  );
}

async function set(c: XmppConnection, iq: Element, q: Element): Promise<void> {
  let query: DirectoryQuery;
  try {
    query = queryOf(q);
  } catch (err) {
    return c.error(iq, 'bad-request', (err as Error).message);
  }
  // An empty form lists the directory's first page, as the web's directory does (core decides).
  try {
    const { results } = await c.core.profiles.search(c.auth!.user.id, { ...query, limit: LIMIT });
    const body = q.getChild('x', XMLNS.data)
      ? formResults(results, c.domain)
      : results.map((p) =>
          xml(
            'item',
            { jid: `${p.username}@${c.domain}` },
            xml('first', {}, p.displayName),
            xml('nick', {}, p.username),
          ),
        );
    c.write(result(iq, xml('query', { xmlns: XMLNS.search }, body)));
  } catch (err) {
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: search failed');
    c.error(iq, e.condition, e.text);
  }
}

export const SEARCH: Record<string, IqHandler> = {
  [`get {${XMLNS.search}}query`]: (c, iq) =>
    c.write(
      result(
        iq,
        xml(
          'query',
          { xmlns: XMLNS.search },
          xml('instructions', {}, INSTRUCTIONS),
          xml('first', {}),
          xml('nick', {}),
          form(),
        ),
      ),
    ),
  [`set {${XMLNS.search}}query`]: set,
};
