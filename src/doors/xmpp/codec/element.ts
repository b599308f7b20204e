/**
 * The XML element the XMPP door reads and writes: a small tree of elements and
 * text, with namespaces resolved so handlers match on (local name, namespace)
 * and never on a prefix a client happened to choose.
 *
 * API:
 * - `Element`: `name` (local name), `prefix` ('' when none), `ns` (namespace
 *   URI; `undefined` only on a built element whose namespace comes from where
 *   it is placed, e.g. a stanza serialised into a `jabber:client` stream),
 *   `attrs` (as written, by qualified name, namespace declarations included so
 *   the tree re-serialises), `children` (elements and strings).
 *   Helpers: `attr`, `getChild`, `getChildren`, `getChildText`, `text`,
 *   `elements`, `qname`.
 * - `xml(name, attrs?, ...children)`: builds an element. `children` may hold
 *   strings, elements, arrays of them, and null/undefined/false (skipped), so
 *   optional parts read naturally. A prefixed name must declare its prefix on
 *   the same element (`xmlns:p`), except `stream:` which is the stream's.
 *
 * Elements are immutable once built, with one exception kept on purpose: an
 * element built without a namespace takes its parent's when the parent is
 * built (once, so building is linear in the size of the tree).
 */
import { NS } from './ns.js';

export type XmlNode = Element | string;
export type Attrs = Readonly<Record<string, string>>;

export class Element {
  readonly name: string;
  readonly prefix: string;
  readonly attrs: Attrs;
  readonly children: readonly XmlNode[];
  #ns: string | undefined;

  constructor(
    name: string,
    prefix: string,
    ns: string | undefined,
    attrs: Attrs,
    children: readonly XmlNode[],
  ) {
    this.name = name;
    this.prefix = prefix;
    this.#ns = ns;
    this.attrs = attrs;
    this.children = children;
  }

  /** The namespace URI; `undefined` = inherited from where it is placed. */
  get ns(): string | undefined {
    return this.#ns;
  }

  /** Name as written: `prefix:name` or `name`. */
  get qname(): string {
    return this.prefix === '' ? this.name : `${this.prefix}:${this.name}`;
  }

  attr(name: string): string | undefined {
    return Object.hasOwn(this.attrs, name) ? this.attrs[name] : undefined;
  }

  /** Child elements (text skipped). */
  elements(): Element[] {
    const out: Element[] = [];
    for (const c of this.children) if (typeof c !== 'string') out.push(c);
    return out;
  }

  /**
   * Children named `name` (local name). With `ns`, only those in that
   * namespace; a child whose namespace is inherited counts as this element's.
   */
  getChildren(name: string, ns?: string): Element[] {
    const out: Element[] = [];
    for (const c of this.children) {
      if (typeof c === 'string' || c.name !== name) continue;
      if (ns !== undefined && (c.ns ?? this.ns) !== ns) continue;
      out.push(c);
    }
    return out;
  }

  getChild(name: string, ns?: string): Element | undefined {
    for (const c of this.children) {
      if (typeof c === 'string' || c.name !== name) continue;
      if (ns !== undefined && (c.ns ?? this.ns) !== ns) continue;
      return c;
    }
    return undefined;
  }

  getChildText(name: string, ns?: string): string | undefined {
    return this.getChild(name, ns)?.text();
  }

  /** The text directly inside this element (not its descendants'). */
  text(): string {
    let s = '';
    for (const c of this.children) if (typeof c === 'string') s += c;
    return s;
  }

  /**
   * @internal Sets an inherited default namespace once, down the unresolved
   * subtree. Only unprefixed elements are ever unresolved: `xml()` refuses a
   * prefix it cannot resolve on the spot.
   */
  inherit(ns: string): void {
    if (this.#ns !== undefined) return;
    this.#ns = ns;
    for (const c of this.children) if (typeof c !== 'string') c.inherit(ns);
  }
}

export type Child = XmlNode | null | undefined | false | readonly Child[];

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * Builds an element. Namespace: `attrs.xmlns` for an unprefixed name, the
 * element's own `xmlns:p` for a prefixed one (`stream:` is known), otherwise
 * inherited from the parent it is given to.
 */
export function xml(
  qname: string,
  attrs: Record<string, string | number | undefined | null> = {},
  ...children: Child[]
): Element {
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const name = colon < 0 ? qname : qname.slice(colon + 1);
  // Names come from our own code, never from a peer: a bad one is a bug.
  if (!NAME.test(name) || (prefix !== '' && !NAME.test(prefix))) {
    throw new Error(`xml(): invalid element name ${JSON.stringify(qname)}`);
  }
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    clean[k] = String(v);
  }
  let ns: string | undefined;
  if (prefix === '') ns = clean.xmlns;
  else {
    ns = clean[`xmlns:${prefix}`] ?? (prefix === 'stream' ? NS.stream : undefined);
    if (ns === undefined) throw new Error(`xml(): prefix ${prefix} is not declared on <${qname}>`);
  }
  const kids: XmlNode[] = [];
  flatten(children, kids);
  const el = new Element(name, prefix, ns, clean, kids);
  // Unprefixed children without their own xmlns live in this element's
  // default namespace: its own for an unprefixed element, else its xmlns.
  const childDefault = prefix === '' ? ns : clean.xmlns;
  if (childDefault !== undefined) {
    for (const c of kids) if (typeof c !== 'string') c.inherit(childDefault);
  }
  return el;
}

function flatten(children: readonly Child[], out: XmlNode[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === 'string') {
      if (c === '') continue;
      const last = out.length - 1;
      if (last >= 0 && typeof out[last] === 'string') out[last] += c;
      else out.push(c);
    } else if (c instanceof Element) out.push(c);
    else flatten(c, out);
  }
}
