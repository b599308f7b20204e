/**
 * Writing XML for the XMPP door: elements, and the stream's framing for TCP
 * (RFC 6120 `<stream:stream>`) and WebSocket (RFC 7395 `<open/>`, `<close/>`).
 *
 * API:
 * - `serialize(el, scope?)`: one element as a string. `scope` says which
 *   namespaces the receiver already has in force; the default is a TCP
 *   stream's (`jabber:client` default, `stream:` prefix), so stanzas carry no
 *   redundant xmlns. Declarations are added wherever an element's namespace
 *   differs from the scope, so a parsed stanza re-serialises correctly anywhere.
 * - `serializeFramed(el)`: the same for a WebSocket message, which has no
 *   enclosing stream: every namespace is declared (RFC 7395 3.3.3).
 * - `escapeText`, `escapeAttr`: XML escaping as RFC 6120 11.1 wants it (all
 *   five predefined entities escaped, in text and attribute values).
 * - `streamHeader`, `streamFooter`, `framingOpen`, `framingClose`.
 *
 * Characters XML 1.0 cannot carry (U+0000-U+0008, U+000B, U+000C,
 * U+000E-U+001F, lone surrogates, U+FFFE, U+FFFF) are REPLACED by U+FFFD in
 * text and attribute values rather than thrown on: the text comes from other
 * doors (a web user's message), and one odd character must not make a
 * message undeliverable to XMPP clients or, worse, break the stream. Names
 * are our own code's and are checked by `xml()`.
 */
import type { Element } from './element.js';
import { NS } from './ns.js';

export interface Scope {
  /** Default namespace in force; `undefined` = none (WebSocket message). */
  readonly ns: string | undefined;
  /** Prefix bindings in force. */
  readonly prefixes: ReadonlyMap<string, string>;
}

export const TCP_SCOPE: Scope = {
  ns: NS.client,
  prefixes: new Map([['stream', NS.stream]]),
};
const FRAMED_SCOPE: Scope = { ns: undefined, prefixes: new Map() };

// Not XML 1.0 Char (u flag: a lone surrogate is its own code point here).
const NOT_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const TEXT_SPECIAL = /[&<>"'\r]/g;
const ATTR_SPECIAL = /[&<>"'\t\n\r]/g;
const ENT: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Escaped so that the receiver's line-end and attribute normalisation
  // gives back exactly what was sent.
  '\r': '&#13;',
  '\t': '&#9;',
  '\n': '&#10;',
};
const ent = (c: string): string => ENT[c] ?? c;

export function escapeText(s: string): string {
  return s.replace(NOT_CHAR, '\uFFFD').replace(TEXT_SPECIAL, ent);
}

export function escapeAttr(s: string): string {
  return s.replace(NOT_CHAR, '\uFFFD').replace(ATTR_SPECIAL, ent);
}

export function serialize(el: Element, scope: Scope = TCP_SCOPE): string {
  const out: string[] = [];
  write(el, scope, out);
  return out.join('');
}

export function serializeFramed(el: Element): string {
  return serialize(el, FRAMED_SCOPE);
}

function write(el: Element, scope: Scope, out: string[]): void {
  const q = el.qname;
  // Copied on the first declaration only: most elements declare nothing.
  let prefixes = scope.prefixes;
  let own: Map<string, string> | undefined;
  const bind = (p: string, ns: string): void => {
    own ??= new Map(prefixes);
    own.set(p, ns);
    prefixes = own;
  };
  // Attributes as written; xmlns is decided from el.ns, and a prefix
  // declaration the scope already has is left out.
  let rest = '';
  for (const [k, v] of Object.entries(el.attrs)) {
    if (k === 'xmlns') continue;
    if (k.startsWith('xmlns:')) {
      const p = k.slice(6);
      if (prefixes.get(p) === v) continue;
      bind(p, v);
    }
    rest += ` ${k}='${escapeAttr(v)}'`;
  }
  // The element's own declaration goes first, where people look for it.
  let head = `<${q}`;
  let childNs = scope.ns;
  if (el.prefix === '') {
    // An element without a namespace of its own is in the scope's default
    // (or jabber:client where nothing is in force: a WebSocket stanza).
    const ns = el.ns ?? scope.ns ?? NS.client;
    if (ns !== scope.ns) head += ` xmlns='${escapeAttr(ns)}'`;
    childNs = ns;
  } else {
    const bound = prefixes.get(el.prefix);
    const ns = el.ns ?? bound;
    if (ns === undefined) throw new Error(`serialize: unbound prefix ${el.prefix}`);
    if (bound !== ns) {
      head += ` xmlns:${el.prefix}='${escapeAttr(ns)}'`;
      bind(el.prefix, ns);
    }
    const written = el.attrs.xmlns;
    if (written !== undefined) {
      if (written !== scope.ns) head += ` xmlns='${escapeAttr(written)}'`;
      childNs = written;
    }
  }
  head += rest;
  if (el.children.length === 0) {
    out.push(`${head}/>`);
    return;
  }
  out.push(`${head}>`);
  const inner: Scope = { ns: childNs, prefixes };
  for (const c of el.children) {
    if (typeof c === 'string') out.push(escapeText(c));
    else write(c, inner, out);
  }
  out.push(`</${q}>`);
}

export interface HeaderFields {
  from?: string | undefined;
  to?: string | undefined;
  id?: string | undefined;
  lang?: string | undefined;
  /** Defaults to '1.0'. */
  version?: string | undefined;
}

function headerAttrs(h: HeaderFields): string {
  let s = '';
  if (h.from !== undefined) s += ` from='${escapeAttr(h.from)}'`;
  if (h.to !== undefined) s += ` to='${escapeAttr(h.to)}'`;
  if (h.id !== undefined) s += ` id='${escapeAttr(h.id)}'`;
  s += ` version='${escapeAttr(h.version ?? '1.0')}'`;
  if (h.lang !== undefined) s += ` xml:lang='${escapeAttr(h.lang)}'`;
  return s;
}

/** The XML declaration and the opening `<stream:stream>` tag (RFC 6120 4.7). */
export function streamHeader(h: HeaderFields, contentNs: string = NS.client): string {
  return (
    `<?xml version='1.0'?><stream:stream xmlns='${escapeAttr(contentNs)}'` +
    ` xmlns:stream='${NS.stream}'${headerAttrs(h)}>`
  );
}

export function streamFooter(): string {
  return '</stream:stream>';
}

/** RFC 7395 3.3.2: the WebSocket stream's opening element. */
export function framingOpen(h: HeaderFields): string {
  return `<open xmlns='${NS.framing}'${headerAttrs(h)}/>`;
}

/** RFC 7395 3.6 (and 3.6.1's see-other-uri for a redirect). */
export function framingClose(seeOtherUri?: string): string {
  const extra = seeOtherUri === undefined ? '' : ` see-other-uri='${escapeAttr(seeOtherUri)}'`;
  return `<close xmlns='${NS.framing}'${extra}/>`;
}
