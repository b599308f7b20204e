/**
 * The XMPP stream parser: bytes in (any split: inside a tag, inside a UTF-8
 * character), events out, every limit enforced while reading, never throwing.
 *
 * API:
 * - `new StreamParser(options?)`; `options.framing` is 'tcp' (RFC 6120: one
 *   `<stream:stream>` document, stanzas as its children) or 'websocket'
 *   (RFC 7395: each `write` is one whole WebSocket message holding exactly one
 *   element: `<open/>`, `<close/>` in the framing namespace, or a stanza).
 * - `write(chunk)`: returns the events the chunk completed, in order:
 *   `open` (the stream header's to/from/id/version/xml:lang), `stanza` (one
 *   complete top-level element, namespaces resolved), `close`, or `error`
 *   (the RFC 6120 4.9.3 stream error condition the door must send, and why).
 *   After an error every later `write` returns `[]`: the door sends the stream
 *   error and closes. Events after the one that changes the stream (STARTTLS,
 *   SASL success) belong to the old stream: the door discards them (for
 *   STARTTLS it must: plaintext sent after <starttls/> is an injection).
 * - `reset()`: a stream restart (RFC 6120 4.3.3, after TLS or SASL): a fresh
 *   document, a fresh decoder, limits and the failed state cleared.
 * - `failed`: the error, once there was one.
 * - `release()`: between stanzas of a TCP stream (everything read so far ended at
 *   a stanza boundary, then only whitespace), drops the XML parser and decoder
 *   and returns true; the next `write` makes fresh ones and replays the stream
 *   header's namespace declarations into them (never re-emitting `open`). An idle
 *   stream then holds a few hundred bytes instead of a SaxesParser's ~6 KB.
 *
 * Refused (RFC 6120 11.1 restricted XML -> `restricted-xml`): DOCTYPE,
 * processing instructions (the XML declaration at the very start is allowed,
 * UTF-8 only, else `unsupported-encoding`), comments, entity references other
 * than the five predefined ones (character references are fine; nothing is
 * ever expanded from a DTD, which is refused anyway). CDATA sections are
 * allowed: 11.1 does not list them, they read as text.
 * Limits (`policy-violation`): stanza bytes (counted as they arrive, so a
 * 10 MB stanza is refused soon after `maxStanzaBytes` without being
 * buffered; the same budget bounds the stream header and whitespace between
 * stanzas), element depth, attributes per element, name length.
 * Invalid UTF-8 -> `unsupported-encoding` (4.9.3.22). Anything else XML or
 * XML-Namespaces reject -> `not-well-formed`. Stream header: not
 * `{http://etherx.jabber.org/streams}stream` or a default namespace other than
 * `contentNamespace` -> `invalid-namespace`; a version whose major is not 1 ->
 * `unsupported-version`. Text between stanzas other than whitespace, or a
 * WebSocket message that is not exactly one element -> `bad-format`.
 */
import { TextDecoder } from 'node:util';
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { Element, type XmlNode } from './element.js';
import { escapeAttr } from './serialize.js';
import { NS } from './ns.js';
import type { StreamErrorCondition } from './errors.js';

export interface StreamParserOptions {
  framing?: 'tcp' | 'websocket';
  /** Bytes of one top-level element, from its `<` to its last `>`. */
  maxStanzaBytes?: number;
  /** Element nesting, the stanza itself being 1. */
  maxDepth?: number;
  maxAttributes?: number;
  /** Characters of an element or attribute name (with its prefix). */
  maxNameLength?: number;
  /** The stream's default namespace: jabber:client (jabber:server for s2s). */
  contentNamespace?: string;
}

export const STREAM_LIMITS = {
  maxStanzaBytes: 256 * 1024,
  maxDepth: 32,
  maxAttributes: 64,
  maxNameLength: 256,
} as const;

export interface StreamHeader {
  to?: string;
  from?: string;
  id?: string;
  version?: string;
  lang?: string;
  /** Every attribute as written, by qualified name. */
  attrs: Readonly<Record<string, string>>;
}

export interface StreamError {
  condition: StreamErrorCondition;
  /** For logs; not meant for the peer verbatim. */
  text: string;
}

export type StreamEvent =
  | { type: 'open'; header: StreamHeader }
  | { type: 'stanza'; element: Element; bytes: number }
  | { type: 'close' }
  | ({ type: 'error' } & StreamError);

/** Thrown out of saxes callbacks to stop it mid-chunk; never leaves this module. */
class Abort extends Error {}

interface Frame {
  tag: SaxesTagNS;
  children: XmlNode[];
}

// Pieces fed to saxes at once: the size limit is checked between pieces, so
// this bounds how far past the limit anything is buffered.
const PIECE = 16 * 1024;
const WS = /^[ \t\r\n]*$/;
const USUAL_REPLAY = `<stream:stream xmlns='${NS.client}' xmlns:stream='${NS.stream}'>`;

export class StreamParser {
  readonly #framing: 'tcp' | 'websocket';
  readonly #maxBytes: number;
  readonly #maxDepth: number;
  readonly #maxAttrs: number;
  readonly #maxName: number;
  readonly #contentNs: string;

  // Both made at the first write after a reset or a release (see release()).
  #sax: SaxesParser<{ xmlns: true }> | undefined;
  #decoder: TextDecoder | undefined;
  // The last chunk ended on a complete UTF-8 sequence: the decoder holds nothing.
  #decoderIdle = true;
  // TCP: the stream element's start tag with only its namespace declarations,
  // fed to a fresh parser after a release so stanzas resolve as before.
  #replay = '';
  #replaying = false;
  // saxes's position of the last top-level boundary (stream header or stanza end),
  // and whether everything it was given since then is whitespace.
  #boundaryAt = 0;
  #clean = false;
  #out: StreamEvent[] = [];
  #failed: StreamError | undefined;
  #pending: StreamEvent | undefined;
  #frames: Frame[] = [];
  #streamOpen = false;
  // Prefixes the stream header binds besides stream: and the default, copied
  // onto each stanza so it re-serialises on its own.
  #headerDecls: [string, string][] = [];
  #topCount = 0; // websocket: top-level elements in this message
  #attrCount = 0;
  #held = ''; // a trailing CR or high surrogate, fed with the next chunk
  // Byte accounting: global char and byte offsets of what saxes was given.
  #chars = 0;
  #bytes = 0;
  #piece = '';
  #pieceAscii = true;
  #mapChar = 0; // position inside #piece already converted...
  #mapByte = 0; // ...and its byte length
  #stanzaStart = -1; // byte offset of the open stanza's '<', or -1
  #boundary = 0; // byte offset where the last top-level thing ended

  constructor(options: StreamParserOptions = {}) {
    this.#framing = options.framing ?? 'tcp';
    this.#maxBytes = options.maxStanzaBytes ?? STREAM_LIMITS.maxStanzaBytes;
    this.#maxDepth = options.maxDepth ?? STREAM_LIMITS.maxDepth;
    this.#maxAttrs = options.maxAttributes ?? STREAM_LIMITS.maxAttributes;
    this.#maxName = options.maxNameLength ?? STREAM_LIMITS.maxNameLength;
    this.#contentNs = options.contentNamespace ?? NS.client;
    this.reset();
  }

  get failed(): StreamError | undefined {
    return this.#failed;
  }

  reset(): void {
    this.#failed = undefined;
    this.#decoder = undefined;
    this.#decoderIdle = true;
    this.#held = '';
    this.#newDocument();
  }

  /** Drops the parser between stanzas of an open TCP stream; false when it is mid-way. */
  release(): boolean {
    if (
      this.#sax === undefined ||
      this.#framing !== 'tcp' ||
      !this.#streamOpen ||
      !this.#clean ||
      this.#failed !== undefined ||
      this.#frames.length > 0 ||
      this.#stanzaStart >= 0 ||
      this.#pending !== undefined ||
      this.#held !== '' ||
      !this.#decoderIdle
    )
      return false;
    this.#sax = undefined;
    this.#decoder = undefined;
    this.#piece = '';
    this.#frames = []; // an empty array holds no backing store
    // What followed the last stanza was whitespace, and is dropped with the parser.
    this.#boundary = this.#bytes;
    return true;
  }

  write(chunk: Uint8Array | string): StreamEvent[] {
    if (this.#failed) return [];
    this.#out = [];
    try {
      if (this.#framing === 'websocket') this.#message(chunk);
      else this.#stream(chunk);
    } catch (e) {
      // Anything but our own stop is a surprise from saxes: still an answer.
      if (!(e instanceof Abort)) this.#fail('not-well-formed', String(e));
    }
    // A WebSocket message is one element or nothing: what a bad one held is not delivered.
    const out =
      this.#framing === 'websocket' && this.#failed
        ? this.#out.filter((e) => e.type === 'error')
        : this.#out;
    this.#out = [];
    return out;
  }

  #newDocument(): void {
    this.#sax = undefined;
    this.#frames = [];
    this.#pending = undefined;
    this.#streamOpen = false;
    this.#headerDecls = [];
    this.#replay = '';
    this.#topCount = 0;
    this.#chars = 0;
    this.#bytes = 0;
    this.#stanzaStart = -1;
    this.#boundary = 0;
  }

  /** The parser, made on demand: fresh for a document, or resumed inside an open stream. */
  #parser(): SaxesParser<{ xmlns: true }> {
    if (this.#sax) return this.#sax;
    const ws = this.#framing === 'websocket';
    const sax = new SaxesParser({
      xmlns: true,
      fragment: ws,
      // A WebSocket message has no stream around it: an unqualified stanza
      // is read as jabber:client, as it would be inside a stream.
      ...(ws ? { additionalNamespaces: { '': this.#contentNs } } : {}),
    });
    this.#sax = sax;
    this.#listen(sax);
    this.#chars = 0;
    this.#boundaryAt = 0;
    this.#clean = false;
    if (this.#streamOpen) {
      // After a release: the same stream, read on by a parser that saw only its header.
      this.#streamOpen = false;
      this.#replaying = true;
      try {
        sax.write(this.#replay);
      } finally {
        this.#replaying = false;
      }
      this.#streamOpen = true;
      this.#chars = this.#replay.length;
      this.#boundaryAt = sax.position;
      this.#clean = true;
    }
    return sax;
  }

  #stream(chunk: Uint8Array | string): void {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      try {
        this.#decoder ??= new TextDecoder('utf-8', { fatal: true });
        text = this.#decoder.decode(chunk, { stream: true });
      } catch {
        throw this.#fail('unsupported-encoding', 'invalid UTF-8');
      }
      // An ASCII last byte ends any sequence (a cut one would have thrown above).
      this.#decoderIdle = chunk.length === 0 ? this.#decoderIdle : chunk[chunk.length - 1]! < 0x80;
    }
    text = this.#held + text;
    this.#held = '';
    if (text.length > 0 && mustHold(text.charCodeAt(text.length - 1))) {
      this.#held = text.slice(-1);
      text = text.slice(0, -1);
    }
    let i = 0;
    while (i < text.length) {
      let end = Math.min(i + PIECE, text.length);
      if (end < text.length && end - i > 1 && mustHold(text.charCodeAt(end - 1))) end--;
      this.#feed(text.slice(i, end));
      i = end;
    }
  }

  #message(chunk: Uint8Array | string): void {
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (size > this.#maxBytes) {
      throw this.#fail('policy-violation', `message of ${size} bytes`);
    }
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(chunk);
      } catch {
        throw this.#fail('unsupported-encoding', 'invalid UTF-8');
      }
    }
    this.#newDocument();
    this.#feed(text);
    this.#sax!.close(); // an element left open fails here ("unclosed tag")
    this.#commit();
    // Each message has its own parser: none is kept between messages.
    this.#sax = undefined;
    if (this.#topCount !== 1) throw this.#fail('bad-format', 'a message must hold one element');
  }

  #feed(piece: string): void {
    this.#piece = piece;
    this.#pieceAscii = Buffer.byteLength(piece) === piece.length;
    this.#mapChar = 0;
    this.#mapByte = 0;
    const sax = this.#parser();
    const start = this.#chars;
    sax.write(piece);
    // Whitespace only since the last boundary (checked on what this piece added after it).
    const from = this.#boundaryAt - start;
    this.#clean =
      from >= 0 ? WS.test(from === 0 ? piece : piece.slice(from)) : this.#clean && WS.test(piece);
    this.#chars += piece.length;
    this.#bytes += this.#pieceAscii ? piece.length : Buffer.byteLength(piece);
    this.#commit();
    if (this.#framing === 'websocket') return; // the whole message was sized
    if (this.#stanzaStart >= 0) {
      if (this.#bytes - this.#stanzaStart > this.#maxBytes) {
        throw this.#fail('policy-violation', `stanza over ${this.#maxBytes} bytes`);
      }
    } else if (this.#bytes - this.#boundary > this.#maxBytes) {
      throw this.#fail('policy-violation', `over ${this.#maxBytes} bytes outside a stanza`);
    }
  }

  /** Byte offset of saxes's current position (inside the current piece). */
  #byteAt(): number {
    const rel = this.#sax!.position - this.#chars;
    if (this.#pieceAscii) return this.#bytes + rel;
    if (rel > this.#mapChar) {
      this.#mapByte += Buffer.byteLength(this.#piece.slice(this.#mapChar, rel));
      this.#mapChar = rel;
    }
    return this.#bytes + this.#mapByte;
  }

  /** Records the error as the result and returns what to throw to stop saxes. */
  #fail(condition: StreamErrorCondition, text: string): Abort {
    if (!this.#failed) {
      this.#pending = undefined; // the element that ended in error is not delivered
      this.#failed = { condition, text };
      this.#out.push({ type: 'error', condition, text });
    }
    return new Abort(text);
  }

  /** A closing tag's event waits until saxes has checked the tag matched. */
  #commit(): void {
    if (this.#pending) this.#out.push(this.#pending);
    this.#pending = undefined;
  }

  #level(): number {
    // TCP: the stream element is level 0 and a stanza 1; WebSocket: the
    // message's element is 1.
    return this.#frames.length + (this.#framing === 'websocket' || this.#streamOpen ? 1 : 0);
  }

  #listen(sax: SaxesParser<{ xmlns: true }>): void {
    sax.on('error', (err) => {
      throw this.#fail(...classify(err.message));
    });
    sax.on('doctype', () => {
      throw this.#fail('restricted-xml', 'DOCTYPE is not allowed');
    });
    sax.on('processinginstruction', () => {
      throw this.#fail('restricted-xml', 'processing instructions are not allowed');
    });
    sax.on('comment', () => {
      throw this.#fail('restricted-xml', 'comments are not allowed');
    });
    sax.on('xmldecl', (decl) => {
      if (decl.version !== undefined && decl.version !== '1.0') {
        throw this.#fail('not-well-formed', `XML version ${decl.version}`);
      }
      if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== 'utf-8') {
        throw this.#fail('unsupported-encoding', `encoding ${decl.encoding}`);
      }
    });
    sax.on('text', (text) => this.#text(text));
    sax.on('cdata', (text) => this.#text(text));
    sax.on('opentagstart', (tag) => {
      this.#commit();
      if (tag.name.length > this.#maxName) {
        throw this.#fail('policy-violation', 'element name too long');
      }
      const level = this.#level();
      if (level > this.#maxDepth) {
        throw this.#fail('policy-violation', `elements nested over ${this.#maxDepth} deep`);
      }
      this.#attrCount = 0;
      if (level === 1 && this.#framing === 'tcp') {
        // saxes has read '<', the name and one terminator ('>', '/' or a
        // space), two characters when that is CRLF (read as one; never split
        // between pieces, since a trailing CR waits for the next one).
        const rel = sax.position - this.#chars;
        const crlf =
          this.#piece.charCodeAt(rel - 1) === 10 && this.#piece.charCodeAt(rel - 2) === 13;
        this.#stanzaStart = this.#byteAt() - Buffer.byteLength(tag.name) - (crlf ? 3 : 2);
      }
    });
    sax.on('attribute', (attr) => {
      if (++this.#attrCount > this.#maxAttrs) {
        throw this.#fail('policy-violation', `over ${this.#maxAttrs} attributes`);
      }
      if (attr.name.length > this.#maxName) {
        throw this.#fail('policy-violation', 'attribute name too long');
      }
    });
    sax.on('opentag', (tag) => {
      if (this.#framing === 'tcp' && !this.#streamOpen) return this.#open(tag);
      if (this.#frames.length === 0 && this.#framing === 'websocket') {
        if (++this.#topCount > 1) throw this.#fail('bad-format', 'one element per message');
        if (tag.uri === NS.stream && tag.local === 'stream')
          // The old draft's <stream:stream> over WebSocket (never closed, so checked here).
          throw this.#fail('invalid-namespace', 'use RFC 7395 <open/>, not <stream:stream>');
      }
      this.#frames.push({ tag, children: [] });
    });
    sax.on('closetag', () => {
      this.#commit(); // a stanza that ended just before (then confirmed by saxes)
      const frame = this.#frames.pop();
      if (frame === undefined) {
        // The stream element itself: the peer closed the stream.
        this.#streamOpen = false;
        this.#pending = { type: 'close' };
        return;
      }
      const parent = this.#frames[this.#frames.length - 1];
      if (parent) {
        parent.children.push(toElement(frame, []));
        return;
      }
      const el = toElement(frame, this.#headerDecls);
      if (this.#framing === 'websocket') return this.#framed(el);
      const end = this.#byteAt();
      const bytes = end - this.#stanzaStart;
      if (bytes > this.#maxBytes) {
        throw this.#fail('policy-violation', `stanza of ${bytes} bytes`);
      }
      this.#stanzaStart = -1;
      this.#boundary = end;
      this.#boundaryAt = sax.position;
      this.#pending = { type: 'stanza', element: el, bytes };
    });
  }

  #text(text: string): void {
    this.#commit();
    const frame = this.#frames[this.#frames.length - 1];
    if (frame === undefined) {
      // Between stanzas (or around a WebSocket message's element): only
      // whitespace, which is how clients keep a connection alive.
      if (!WS.test(text)) throw this.#fail('bad-format', 'text outside a stanza');
      return;
    }
    const last = frame.children.length - 1;
    if (last >= 0 && typeof frame.children[last] === 'string') frame.children[last] += text;
    else frame.children.push(text);
  }

  #open(tag: SaxesTagNS): void {
    if (this.#replaying) return;
    if (tag.uri !== NS.stream || tag.local !== 'stream') {
      throw this.#fail('invalid-namespace', `stream element {${tag.uri}}${tag.local}`);
    }
    const declared = tag.ns?.[''];
    if (declared !== this.#contentNs) {
      throw this.#fail('invalid-namespace', `content namespace ${String(declared)}`);
    }
    const attrs = plainAttrs(tag.attributes);
    const version = attrs.version;
    if (version !== undefined) {
      const m = /^(\d{1,9})\.(\d{1,9})$/.exec(version);
      if (!m || Number(m[1]) !== 1) {
        throw this.#fail('unsupported-version', `version ${version}`);
      }
    }
    let replay = `<${tag.name}`;
    for (const [k, v] of Object.entries(attrs)) {
      if (k.startsWith('xmlns:') && k !== 'xmlns:stream') this.#headerDecls.push([k, v]);
      if (k === 'xmlns' || k.startsWith('xmlns:')) replay += ` ${k}='${escapeAttr(v)}'`;
    }
    replay += '>';
    // Shared when it is the usual header; else a flat copy, not slices of the chunk it came in.
    this.#replay = replay === USUAL_REPLAY ? USUAL_REPLAY : Buffer.from(replay).toString();
    this.#streamOpen = true;
    this.#boundary = this.#byteAt();
    this.#boundaryAt = this.#sax!.position;
    this.#out.push({ type: 'open', header: header(attrs) });
  }

  #framed(el: Element): void {
    if (el.ns === NS.framing && (el.name === 'open' || el.name === 'close')) {
      this.#pending =
        el.name === 'open' ? { type: 'open', header: header(el.attrs) } : { type: 'close' };
      return;
    }
    if (el.ns === NS.stream && el.name === 'stream') {
      // The old draft's <stream:stream> over WebSocket.
      throw this.#fail('invalid-namespace', 'use RFC 7395 <open/>, not <stream:stream>');
    }
    this.#pending = { type: 'stanza', element: el, bytes: 0 };
  }
}

function mustHold(code: number): boolean {
  // saxes must see CR with the next character (CRLF) and a surrogate pair whole.
  return code === 13 || (code >= 0xd800 && code <= 0xdbff);
}

function plainAttrs(attributes: Record<string, SaxesAttributeNS>): Record<string, string> {
  const out: Record<string, string> = {};
  // for-in: saxes gives a prototype-less object; cheaper than Object.entries.
  for (const k in attributes) out[k] = attributes[k]!.value;
  return out;
}

function header(attrs: Readonly<Record<string, string>>): StreamHeader {
  const h: StreamHeader = { attrs };
  if (attrs.to !== undefined) h.to = attrs.to;
  if (attrs.from !== undefined) h.from = attrs.from;
  if (attrs.id !== undefined) h.id = attrs.id;
  if (attrs.version !== undefined) h.version = attrs.version;
  if (attrs['xml:lang'] !== undefined) h.lang = attrs['xml:lang'];
  return h;
}

function toElement(frame: Frame, decls: [string, string][]): Element {
  const { tag } = frame;
  const attrs = plainAttrs(tag.attributes);
  for (const [k, v] of decls) if (attrs[k] === undefined) attrs[k] = v;
  return new Element(tag.local, tag.prefix, tag.uri, attrs, frame.children);
}

/** saxes reports errors as messages; which stream error each one is. */
function classify(message: string): [StreamErrorCondition, string] {
  if (/undefined entity/.test(message)) {
    return ['restricted-xml', 'only the predefined entities may be referenced'];
  }
  if (/doctype/i.test(message)) return ['restricted-xml', 'DOCTYPE is not allowed'];
  if (/processing instruction/i.test(message)) {
    return ['restricted-xml', 'processing instructions are not allowed'];
  }
  return ['not-well-formed', message];
}
