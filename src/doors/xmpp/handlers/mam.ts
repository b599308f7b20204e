import type { DirectMessage } from '../../../core/events.js';
import { HISTORY_MAX, SEARCH_MAX_LIMIT } from '../../../core/messages/service.js';
import { type Element, xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { archivedMessage, resultBytes, rsmSet } from '../mapping/archive.js';
import { stanzaCondition } from '../mapping/errors.js';
import { DATA_FORMS, field, formType, parseDateTime, readForm } from '../mapping/forms.js';
import { XMLNS } from '../xmlns.js';
import type { IqHandler } from './index.js';
import { result } from './server.js';

/**
 * Message Archive Management (XEP-0313, urn:xmpp:mam:2 and :1) over core's
 * archive of the account's direct messages (core/history `archive`: what the
 * web pages through, deleted and hidden messages left out) with RSM paging
 * (XEP-0059). Filters: `with` (a bare JID: that conversation), `start`, `end`,
 * `after-id`, `before-id`, `ids` (#extended) and full-text search
 * (`{urn:xmpp:fulltext:0}fulltext`, core's search). The archive id of each
 * result is the stanza-id live messages carry.
 */

/** Features for the account's disco#info: only what works. */
export const MAM_FEATURES = [XMLNS.mam, XMLNS.mamExtended, XMLNS.mam1, XMLNS.fulltext] as const;

const DEFAULT_MAX = 50;
const FULLTEXT = `{${XMLNS.fulltext}}fulltext`;
const FIELDS = new Set([
  'FORM_TYPE',
  'with',
  'start',
  'end',
  'after-id',
  'before-id',
  'ids',
  FULLTEXT,
]);

/** A request the client got wrong: answered with this condition, nothing read. */
class Refused extends Error {
  constructor(
    readonly condition: 'bad-request' | 'feature-not-implemented' | 'item-not-found',
    message: string,
  ) {
    super(message);
  }
}

interface MamQuery {
  /** The other person's username; null: a JID no archived message can have. */
  with?: string | null;
  start?: number;
  end?: number;
  afterId?: string;
  beforeId?: string;
  ids?: string[];
  fulltext?: string;
  max: number;
  /** RSM `<before/>` present: the page is the newest of the range. */
  backward: boolean;
  flip: boolean;
}

function one(form: Map<string, string[]>, name: string): string | undefined {
  const v = form.get(name);
  if (v === undefined || v.length === 0) return undefined;
  if (v.length > 1) throw new Refused('bad-request', `${name} takes one value`);
  return v[0]!.trim() === '' ? undefined : v[0]!.trim();
}

function time(form: Map<string, string[]>, name: string): number | undefined {
  const v = one(form, name);
  if (v === undefined) return undefined;
  const t = parseDateTime(v);
  if (t === undefined)
    throw new Refused('bad-request', `${name} must be an XEP-0082 date and time`);
  return t;
}

/** The query's form and RSM set, checked (throws Refused). */
function parse(c: XmppConnection, q: Element, ns: string): MamQuery {
  const out: MamQuery = { max: DEFAULT_MAX, backward: false, flip: false };
  const x = q.getChild('x', DATA_FORMS);
  if (x) {
    const form = readForm(x);
    if (!form) throw new Refused('bad-request', 'a malformed data form');
    for (const name of form.keys())
      if (!FIELDS.has(name)) throw new Refused('bad-request', `unknown field ${name}`);
    const type = one(form, 'FORM_TYPE');
    if (type !== undefined && type !== ns) throw new Refused('bad-request', `FORM_TYPE is ${ns}`);
    const w = one(form, 'with');
    if (w !== undefined) {
      const jid = tryParseJid(w);
      if (!jid) throw new Refused('bad-request', 'with must be a JID');
      // Only accounts here can be in the archive, and never oneself.
      const name = jid.local !== undefined ? usernameOf(jid, c.domain) : undefined;
      out.with = name !== undefined && name !== c.auth!.user.username ? name : null;
    }
    const start = time(form, 'start');
    const end = time(form, 'end');
    if (start !== undefined) out.start = start;
    if (end !== undefined) out.end = end;
    const after = one(form, 'after-id');
    const before = one(form, 'before-id');
    if (after !== undefined) out.afterId = after;
    if (before !== undefined) out.beforeId = before;
    const ids = form.get('ids');
    if (ids !== undefined && ids.length > 0) out.ids = ids.map((i) => i.trim());
    const text = one(form, FULLTEXT);
    if (text !== undefined) out.fulltext = text;
  }
  const set = q.getChild('set', XMLNS.rsm);
  if (set) {
    if (set.getChild('index', XMLNS.rsm))
      throw new Refused('feature-not-implemented', 'paging by index is not supported');
    const max = set.getChildText('max', XMLNS.rsm);
    if (max !== undefined) {
      if (!/^\d{1,9}$/.test(max.trim())) throw new Refused('bad-request', 'max is a number');
      out.max = Math.min(Number(max.trim()), HISTORY_MAX);
    }
    const after = set.getChildText('after', XMLNS.rsm)?.trim();
    const before = set.getChild('before', XMLNS.rsm);
    if (after !== undefined && after !== '') out.afterId = after;
    if (before) {
      out.backward = true;
      const id = before.text().trim();
      if (id !== '') out.beforeId = id;
    }
  }
  out.flip = q.getChild('flip-page', ns) !== undefined;
  return out;
}

/** A page of results: oldest first, and whether the range ends with it. */
interface Page {
  messages: DirectMessage[];
  complete: boolean;
}

async function read(c: XmppConnection, q: MamQuery): Promise<Page> {
  const me = c.auth!.user.id;
  const history = c.core.history;
  if (q.with === null || q.max === 0) return { messages: [], complete: q.with === null };
  const withUser = q.with !== undefined ? { with: q.with } : {};
  if (q.ids !== undefined) {
    const found = await history.archiveByIds(me, q.ids, q.with);
    return { messages: found.slice(0, q.max), complete: found.length <= q.max };
  }
  if (q.fulltext !== undefined) {
    // Core's search reads newest first: a search pages back from the newest match.
    if (q.afterId !== undefined && q.beforeId === undefined)
      throw new Refused('feature-not-implemented', 'a full-text search pages back (RSM before)');
    let before: string | undefined;
    if (q.beforeId !== undefined) {
      const at = await history.lookup(me, q.beforeId);
      if (!at) throw new Refused('item-not-found', 'no such message in this archive');
      before = `${at.at}.${q.beforeId}`;
    }
    const r = await c.core.messages.search(me, {
      q: q.fulltext,
      ...withUser,
      ...(before !== undefined ? { before } : {}),
      ...(q.start !== undefined ? { start: q.start } : {}),
      ...(q.end !== undefined ? { end: q.end } : {}),
      limit: Math.min(q.max, SEARCH_MAX_LIMIT),
      direct: true,
    });
    const messages = r.results.map((x) => x.message as DirectMessage).reverse();
    return { messages, complete: r.next === undefined };
  }
  const page = await history.archive(me, {
    ...withUser,
    ...(q.afterId !== undefined ? { afterId: q.afterId } : {}),
    ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
    ...(q.start !== undefined ? { start: q.start } : {}),
    ...(q.end !== undefined ? { end: q.end } : {}),
    from: q.backward ? 'end' : 'start',
    limit: q.max,
  });
  return { messages: page.messages, complete: !page.more };
}

/**
 * A page never outgrows a quarter of the send queue (100 messages of 16 KiB
 * would cut the client off): it is shortened at the far end from where it was
 * read, and is then not complete.
 */
function fit(c: XmppConnection, page: Page, backward: boolean): Page {
  const budget = c.deps.config.xmpp.send_queue_bytes / 4;
  const list = backward ? [...page.messages].reverse() : [...page.messages];
  let used = 0;
  let n = 0;
  for (const m of list) {
    used += resultBytes(m);
    if (n > 0 && used > budget) break;
    n++;
  }
  if (n === list.length) return page;
  const kept = list.slice(0, n);
  return { messages: backward ? kept.reverse() : kept, complete: false };
}

async function query(c: XmppConnection, iq: Element, q: Element): Promise<void> {
  const ns = q.ns ?? XMLNS.mam;
  const queryId = q.attr('queryid');
  if (queryId !== undefined && queryId.length > 256)
    return c.error(iq, 'bad-request', 'queryid is too long');
  let page: Page;
  let mq: MamQuery;
  try {
    mq = parse(c, q, ns);
    page = fit(c, await read(c, mq), mq.backward || mq.fulltext !== undefined);
  } catch (err) {
    if (err instanceof Refused) return c.error(iq, err.condition, err.message);
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: archive query failed');
    return c.error(iq, e.condition, e.text);
  }
  const v = c.viewer();
  const sent = mq.flip ? [...page.messages].reverse() : page.messages;
  for (const m of sent) c.write(archivedMessage(m, v, ns, queryId));
  const first = page.messages[0]?.id;
  const last = page.messages[page.messages.length - 1]?.id;
  c.write(
    result(
      iq,
      xml(
        'fin',
        { xmlns: ns, queryid: queryId, complete: page.complete ? 'true' : undefined },
        rsmSet(first, last),
      ),
    ),
  );
}

/** The query form (XEP-0313 4.1.1): the fields this server filters on. */
function form(c: XmppConnection, iq: Element, q: Element): void {
  const ns = q.ns ?? XMLNS.mam;
  c.write(
    result(
      iq,
      xml(
        'query',
        { xmlns: ns },
        xml(
          'x',
          { xmlns: DATA_FORMS, type: 'form' },
          formType(ns),
          field('with', 'jid-single'),
          field('start', 'text-single'),
          field('end', 'text-single'),
          field('before-id', 'text-single'),
          field('after-id', 'text-single'),
          field('ids', 'text-multi'),
          field(FULLTEXT, 'text-single', { label: 'Search the text' }),
        ),
      ),
    ),
  );
}

/**
 * Preferences (XEP-0313 6): Parley archives every direct message, as the web
 * shows them. A set is answered with what holds, which is always that.
 */
function prefs(c: XmppConnection, iq: Element, p: Element): void {
  c.write(
    result(
      iq,
      xml('prefs', { xmlns: p.ns ?? XMLNS.mam, default: 'always' }, xml('always'), xml('never')),
    ),
  );
}

/** The archive's first and last message (XEP-0313 7, urn:xmpp:mam:2 metadata); also in Bind 2's <bound>. */
export async function archiveMetadata(c: XmppConnection): Promise<Element> {
  const me = c.auth!.user.id;
  const [first, last] = await Promise.all([
    c.core.history.archive(me, { from: 'start', limit: 1 }),
    c.core.history.archive(me, { from: 'end', limit: 1 }),
  ]);
  const end = (name: string, m: DirectMessage | undefined) =>
    m && xml(name, { id: m.id, timestamp: new Date(m.createdAt).toISOString() });
  return xml(
    'metadata',
    { xmlns: XMLNS.mam },
    end('start', first.messages[0]),
    end('end', last.messages[0]),
  );
}

async function metadata(c: XmppConnection, iq: Element): Promise<void> {
  try {
    c.write(result(iq, await archiveMetadata(c)));
  } catch (err) {
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: archive metadata failed');
    c.error(iq, e.condition, e.text);
  }
}

export const MAM: Record<string, IqHandler> = Object.fromEntries(
  [XMLNS.mam, XMLNS.mam1].flatMap((ns) => [
    [`set {${ns}}query`, query],
    [`get {${ns}}query`, form],
    [`get {${ns}}prefs`, prefs],
    [`set {${ns}}prefs`, prefs],
  ]),
);
MAM[`get {${XMLNS.mam}}metadata`] = metadata;
