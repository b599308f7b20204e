import type { SaslStep } from '../../../core/accounts/sasl/service.js';
import { type Element, xml } from '../codec/element.js';
import type { XmppConnection } from '../connection.js';
import { XMLNS } from '../xmlns.js';

/**
 * SASL (RFC 6120 6): <auth>, <challenge>/<response>, <success>, <failure>,
 * <abort>. Every decision is core.sasl's (mechanisms offered, throttle,
 * channel binding, fake salts); this only carries base64 both ways.
 */

/** A client message decoded is at most this long (SCRAM's are under 300 bytes). */
const MAX_SASL_BYTES = 8192;
/** Failed attempts on one stream before it is closed. */
const MAX_FAILURES = 5;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `<name xmlns=sasl>` with base64 data ('=' for empty, RFC 6120 6.4.2) or a condition. */
export function saslElement(
  name: 'challenge' | 'success' | 'failure',
  data?: Buffer,
  condition?: string,
  text?: string,
): Element {
  if (name === 'failure')
    return xml(
      'failure',
      { xmlns: XMLNS.sasl },
      xml(condition ?? 'not-authorized'),
      text !== undefined && xml('text', { 'xml:lang': 'en' }, text),
    );
  return xml(
    name,
    { xmlns: XMLNS.sasl },
    // Empty data: an empty challenge, and '=' on <success> (6.3.10).
    data === undefined || (data.length === 0 && name === 'challenge')
      ? undefined
      : data.length === 0
        ? '='
        : data.toString('base64'),
  );
}

/** The base64 of an <auth> or <response>: undefined when malformed or too long. */
export function decodeSasl(text: string): Buffer | undefined {
  const t = text.trim();
  if (t === '=') return Buffer.alloc(0);
  if (t.length > (MAX_SASL_BYTES * 4) / 3 + 4 || t.length % 4 !== 0 || !BASE64.test(t))
    return undefined;
  return Buffer.from(t, 'base64');
}

export async function saslStanza(c: XmppConnection, el: Element): Promise<void> {
  switch (el.name) {
    case 'auth':
      return auth(c, el);
    case 'response':
      return response(c, el);
    case 'abort':
      c.sasl?.exchange.abort();
      c.sasl = undefined;
      c.write(saslElement('failure', undefined, 'aborted'));
      return;
    default:
      return c.fail('unsupported-stanza-type', `SASL has no <${el.name}>`);
  }
}

async function auth(c: XmppConnection, el: Element): Promise<void> {
  c.sasl?.exchange.abort();
  c.sasl = undefined;
  const mechanism = el.attr('mechanism') ?? '';
  const ctx = c.saslContext();
  if (!c.core.sasl.mechanisms(ctx).includes(mechanism as never))
    return failed(c, 'invalid-mechanism', undefined);
  const exchange = c.core.sasl.start(mechanism, ctx);
  const text = el.text();
  if (text.trim() === '') {
    // No initial response: an empty challenge asks for it (6.4.2).
    c.sasl = { exchange, started: false };
    c.write(saslElement('challenge', Buffer.alloc(0)));
    return;
  }
  const message = decodeSasl(text);
  if (!message) {
    exchange.abort();
    return failed(c, 'malformed-request', 'the initial response is not valid base64');
  }
  c.sasl = { exchange, started: true };
  await step(c, message);
}

async function response(c: XmppConnection, el: Element): Promise<void> {
  if (!c.sasl) return failed(c, 'malformed-request', 'no SASL exchange is in progress');
  const message = decodeSasl(el.text());
  if (!message) {
    c.sasl.exchange.abort();
    c.sasl = undefined;
    return failed(c, 'malformed-request', 'the response is not valid base64');
  }
  c.sasl.started = true;
  await step(c, message);
}

async function step(c: XmppConnection, message: Buffer): Promise<void> {
  const sasl = c.sasl!;
  let r: SaslStep;
  try {
    r = await sasl.exchange.step(message);
  } catch (err) {
    c.sasl = undefined;
    c.log.warn({ err }, 'xmpp: SASL step failed');
    return failed(c, 'temporary-auth-failure', 'try again later');
  }
  if (c.sasl !== sasl) return; // aborted meanwhile
  if ('challenge' in r) {
    c.write(saslElement('challenge', r.challenge));
    return;
  }
  c.sasl = undefined;
  if ('failure' in r) return failed(c, r.failure.reason, r.failure.text);
  // The server-final (SCRAM's v=...) rides on <success> (6.3.10).
  c.authenticated(r.success.auth);
  c.write(saslElement('success', r.success.serverFinal));
}

function failed(c: XmppConnection, condition: string, text: string | undefined): void {
  c.write(saslElement('failure', undefined, condition, text));
  countFailure(c);
}

/** One more failed login on this stream (SASL or SASL2): past the bound the stream ends. */
export function countFailure(c: XmppConnection): void {
  if (++c.saslFailures >= MAX_FAILURES) c.fail('policy-violation', 'too many failed logins');
}
