/**
 * XMPP error elements: stream errors (RFC 6120 4.9) and stanza errors (8.3).
 *
 * API:
 * - `StreamErrorCondition`, `STREAM_ERROR_CONDITIONS`: the 4.9.3 list.
 * - `streamError(condition, { text?, lang?, content? })`: the
 *   `<stream:error>` element (serialise it with `serialize` for TCP or
 *   `serializeFramed` for WebSocket, which declares the stream prefix). `content`
 *   is the condition element's text: the new host for `see-other-host`.
 * - `StanzaErrorCondition`, `STANZA_ERROR_TYPES`: the 8.3.3 list and the
 *   `type` each one has unless said otherwise (8.3.2: auth, cancel, continue,
 *   modify, wait).
 * - `stanzaError(condition, { type?, text?, lang?, by?, content? })`: the
 *   `<error>` child; `content` is the condition's text (the new address of
 *   `gone` and `redirect`).
 * - `errorReply(stanza, condition, opts)`: the whole reply to a stanza
 *   (8.3.1): same kind and id, `from`/`to` swapped, `type='error'`. The
 *   original payload is not echoed back (8.3.1 allows leaving it out; echoing
 *   it doubles the cost of answering a hostile stanza).
 */
import { xml, type Element } from './element.js';
import { NS } from './ns.js';

export const STREAM_ERROR_CONDITIONS = [
  'bad-format',
  'bad-namespace-prefix',
  'conflict',
  'connection-timeout',
  'host-gone',
  'host-unknown',
  'improper-addressing',
  'internal-server-error',
  'invalid-from',
  'invalid-namespace',
  'invalid-xml',
  'not-authorized',
  'not-well-formed',
  'policy-violation',
  'remote-connection-failed',
  'reset',
  'resource-constraint',
  'restricted-xml',
  'see-other-host',
  'system-shutdown',
  'undefined-condition',
  'unsupported-encoding',
  'unsupported-feature',
  'unsupported-stanza-type',
  'unsupported-version',
] as const;
export type StreamErrorCondition = (typeof STREAM_ERROR_CONDITIONS)[number];

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** 8.3.3: each condition with the type the RFC gives it. */
export const STANZA_ERROR_TYPES = {
  'bad-request': 'modify',
  conflict: 'cancel',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  gone: 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  redirect: 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
} as const satisfies Record<string, StanzaErrorType>;
export type StanzaErrorCondition = keyof typeof STANZA_ERROR_TYPES;

export interface ErrorText {
  text?: string | undefined;
  /** xml:lang of the text; defaults to 'en'. */
  lang?: string | undefined;
  content?: string | undefined;
}

export function streamError(condition: StreamErrorCondition, opts: ErrorText = {}): Element {
  return xml(
    'stream:error',
    {},
    xml(condition, { xmlns: NS.streams }, opts.content),
    opts.text !== undefined &&
      xml('text', { xmlns: NS.streams, 'xml:lang': opts.lang ?? 'en' }, opts.text),
  );
}

export interface StanzaErrorOptions extends ErrorText {
  type?: StanzaErrorType | undefined;
  /** The entity that found the error (8.3.2 'by'), e.g. the server's domain. */
  by?: string | undefined;
}

export function stanzaError(
  condition: StanzaErrorCondition,
  opts: StanzaErrorOptions = {},
): Element {
  return xml(
    'error',
    { type: opts.type ?? STANZA_ERROR_TYPES[condition], by: opts.by },
    xml(condition, { xmlns: NS.stanzas }, opts.content),
    opts.text !== undefined &&
      xml('text', { xmlns: NS.stanzas, 'xml:lang': opts.lang ?? 'en' }, opts.text),
  );
}

/**
 * The error reply to `stanza`. Returns undefined for a stanza that must not be
 * answered with an error: one that is itself an error (8.3.1, no loops).
 */
export function errorReply(
  stanza: Element,
  condition: StanzaErrorCondition,
  opts: StanzaErrorOptions = {},
): Element | undefined {
  if (stanza.attr('type') === 'error') return undefined;
  return xml(
    stanza.name,
    {
      xmlns: stanza.ns,
      type: 'error',
      id: stanza.attr('id'),
      from: stanza.attr('to'),
      to: stanza.attr('from'),
    },
    stanzaError(condition, opts),
  );
}
