import type { SaslExchange, SaslStep, SaslSuccess } from '../../../core/accounts/sasl/service.js';
import type { FastMechanism } from '../../../core/accounts/tokens.js';
import { MAX_CLIENT_ID } from '../../../core/accounts/tokens.js';
import { type Element, xml } from '../codec/element.js';
import type { XmppConnection } from '../connection.js';
import { XMLNS } from '../xmlns.js';
import { bind2Enable, bind2Feature, bind2Resource } from './bind2.js';
import { archiveMetadata } from './mam.js';
import { countFailure, decodeSasl } from './sasl.js';
import { resumeSm } from './sm.js';

/**
 * XEP-0388 SASL2: <authenticate> (mechanism, <initial-response>, <user-agent>),
 * <challenge>/<response>, then <success> (<authorization-identifier>,
 * <additional-data>) followed by the stream's features with no restart, or
 * <failure> (an RFC 6120 condition and text). Inline in <authenticate>: XEP-0198
 * <resume> (processed first), XEP-0386 <bind>, XEP-0484 <fast> (logging in with
 * a token: the HT mechanisms) and <request-token>. As for SASL, every decision
 * is core.sasl's and core.fast's; this carries and assembles.
 */

export interface Sasl2State {
  exchange: SaslExchange;
  req: Sasl2Request;
}

interface Sasl2Request {
  clientId?: string;
  /** The login's name in the devices list: the user-agent's software and device. */
  device: string;
  bind?: Element;
  resume?: Element;
  requestToken?: FastMechanism;
  fast?: { count?: number; invalidate: boolean };
}

/** Software and device names are cut to this (they only label the login). */
const MAX_LABEL = 64;
const cut = (s: string | undefined): string | undefined => {
  const t = [...(s ?? '').trim()].slice(0, MAX_LABEL).join('');
  return t === '' ? undefined : t;
};

/** <authentication> for the features before login: SASL1's mechanisms, and what goes inline. */
export function sasl2Feature(c: XmppConnection): Element {
  const ctx = c.saslContext();
  const fast = c.core.sasl.fastMechanisms(ctx);
  return xml(
    'authentication',
    { xmlns: XMLNS.sasl2 },
    c.core.sasl.mechanisms(ctx).map((m) => xml('mechanism', {}, m)),
    xml(
      'inline',
      {},
      bind2Feature(),
      xml('sm', { xmlns: XMLNS.sm }),
      fast.length > 0 &&
        xml(
          'fast',
          { xmlns: XMLNS.fast },
          fast.map((m) => xml('mechanism', {}, m)),
        ),
    ),
  );
}

/** SASL2's <failure>: the condition in the SASL namespace, and a text. */
export function sasl2Failure(condition: string, text?: string): Element {
  return xml(
    'failure',
    { xmlns: XMLNS.sasl2 },
    xml(condition, { xmlns: XMLNS.sasl }),
    text !== undefined && xml('text', {}, text),
  );
}

export async function sasl2Stanza(c: XmppConnection, el: Element): Promise<void> {
  switch (el.name) {
    case 'authenticate':
      return authenticate(c, el);
    case 'response':
      return response(c, el);
    case 'abort':
      c.sasl2?.exchange.abort();
      c.sasl2 = undefined;
      c.write(sasl2Failure('aborted'));
      return;
    default:
      return c.fail('unsupported-stanza-type', `SASL2 has no <${el.name}>`);
  }
}

function failed(c: XmppConnection, condition: string, text?: string): void {
  c.sasl2?.exchange.abort();
  c.sasl2 = undefined;
  c.write(sasl2Failure(condition, text));
  countFailure(c);
}

/** Reads the request's inline parts; a string is what is wrong with it. */
function parse(c: XmppConnection, el: Element): Sasl2Request | string {
  const ua = el.getChild('user-agent', XMLNS.sasl2);
  const id = ua?.attr('id');
  if (id !== undefined && (id === '' || id.length > MAX_CLIENT_ID))
    return `the user-agent id is 1-${MAX_CLIENT_ID} characters`;
  const software = cut(ua?.getChildText('software', XMLNS.sasl2));
  const device = cut(ua?.getChildText('device', XMLNS.sasl2));
  const req: Sasl2Request = {
    device: software && device ? cut(`${software} (${device})`)! : (software ?? device ?? 'XMPP'),
    ...(id !== undefined ? { clientId: id } : {}),
  };
  const bind = el.getChild('bind', XMLNS.bind2);
  if (bind) req.bind = bind;
  const resume = el.getChild('resume', XMLNS.sm);
  if (resume) req.resume = resume;
  const fast = el.getChild('fast', XMLNS.fast);
  const ask = el.getChild('request-token', XMLNS.fast);
  if ((fast || ask) && id === undefined) return 'FAST needs a <user-agent> with an id';
  if (fast) {
    const count = fast.attr('count');
    if (count !== undefined && !/^[1-9]\d{0,14}$/.test(count)) return 'count is a positive integer';
    const inv = fast.attr('invalidate');
    req.fast = {
      invalidate: inv === 'true' || inv === '1',
      ...(count !== undefined ? { count: Number(count) } : {}),
    };
  }
  if (ask) {
    const m = ask.attr('mechanism') ?? '';
    const offered = c.core.sasl.fastMechanisms(c.saslContext());
    const mech = offered.find((o) => o === m);
    if (!mech) return `request-token names a mechanism not offered (${offered.join(', ')})`;
    req.requestToken = mech;
  }
  return req;
}

async function authenticate(c: XmppConnection, el: Element): Promise<void> {
  c.sasl2?.exchange.abort();
  c.sasl2 = undefined;
  const mechanism = el.attr('mechanism') ?? '';
  const ctx = c.saslContext();
  const offered = [...c.core.sasl.mechanisms(ctx), ...c.core.sasl.fastMechanisms(ctx)] as string[];
  if (!offered.includes(mechanism)) return failed(c, 'invalid-mechanism');
  const req = parse(c, el);
  if (typeof req === 'string') return failed(c, 'malformed-request', req);
  const exchange = c.core.sasl.start(
    mechanism,
    { ...ctx, device: req.device },
    req.fast && req.clientId !== undefined ? { clientId: req.clientId, ...req.fast } : undefined,
  );
  c.sasl2 = { exchange, req };
  const initial = el.getChild('initial-response', XMLNS.sasl2);
  if (!initial) {
    // No initial response: an empty challenge asks for it.
    c.write(xml('challenge', { xmlns: XMLNS.sasl2 }));
    return;
  }
  const message = decodeSasl(initial.text() === '' ? '=' : initial.text());
  if (!message) return failed(c, 'malformed-request', 'the initial response is not valid base64');
  await step(c, message);
}

async function response(c: XmppConnection, el: Element): Promise<void> {
  if (!c.sasl2) return failed(c, 'malformed-request', 'no SASL2 exchange is in progress');
  const message = decodeSasl(el.text() === '' ? '=' : el.text());
  if (!message) return failed(c, 'malformed-request', 'the response is not valid base64');
  await step(c, message);
}

async function step(c: XmppConnection, message: Buffer): Promise<void> {
  const state = c.sasl2!;
  let r: SaslStep;
  try {
    r = await state.exchange.step(message);
  } catch (err) {
    c.log.warn({ err }, 'xmpp: SASL2 step failed');
    return failed(c, 'temporary-auth-failure', 'try again later');
  }
  if (c.sasl2 !== state) return; // aborted meanwhile
  if ('challenge' in r) {
    c.write(xml('challenge', { xmlns: XMLNS.sasl2 }, r.challenge.toString('base64')));
    return;
  }
  if ('failure' in r) return failed(c, r.failure.reason, r.failure.text);
  c.sasl2 = undefined;
  await succeeded(c, r.success, state);
}

/**
 * Logged in: resume (XEP-0198) first, a token if asked for or due (XEP-0484),
 * then bind (XEP-0386) unless resumed; <success> with all their answers, then
 * the stream's features. Nothing is awaited between binding and writing
 * <success>, so no stanza of the new session can precede it.
 */
async function succeeded(
  c: XmppConnection,
  success: SaslSuccess,
  state: Sasl2State,
): Promise<void> {
  const { req } = state;
  c.authenticatedInline(success.auth);
  const inline: Element[] = [];
  let resend: (() => void) | undefined;
  if (req.resume) {
    const r = resumeSm(c, req.resume);
    inline.push(r.answer);
    resend = r.then;
  }
  const resumed = resend !== undefined;
  const rotate = success.fast?.rotate === true && !req.fast?.invalidate;
  const tokenFor =
    req.requestToken ?? (rotate ? (state.exchange.mechanism as FastMechanism) : undefined);
  if (tokenFor && req.clientId !== undefined) {
    try {
      const t = await c.core.fast.issue(success.auth, {
        clientId: req.clientId,
        mechanism: tokenFor,
        device: req.device,
        address: c.address,
      });
      // Revoking this device (in the devices list) now ends this stream too.
      if (!resumed) c.auth = t.auth;
      inline.push(
        xml('token', {
          xmlns: XMLNS.fast,
          expiry: new Date(t.expiresAt).toISOString(),
          token: t.token,
        }),
      );
    } catch (err) {
      c.log.warn({ err }, 'xmpp: FAST token not issued');
    }
  }
  const finish = (bound?: Element) => {
    c.write(
      xml(
        'success',
        { xmlns: XMLNS.sasl2 },
        success.serverFinal && xml('additional-data', {}, success.serverFinal.toString('base64')),
        xml(
          'authorization-identifier',
          {},
          c.jid?.toString() ?? `${c.auth!.user.username}@${c.domain}`,
        ),
        bound,
        inline,
      ),
    );
    c.write(c.streamFeatures());
  };
  if (!req.bind || resumed) {
    finish();
    resend?.();
    return;
  }
  const bindReq = req.bind;
  const resource = bind2Resource(
    c.auth!.user.username,
    c.domain,
    c.auth!.user.id,
    bindReq,
    req.clientId,
  );
  // XEP-0386: a new bind from the same client (same id and tag: the same resource here)
  // ends its earlier session on this node, e.g. one left detached by a dropped network.
  const earlier = c.core.sessions.byResource(c.auth!.user.id, resource);
  if (req.clientId !== undefined && earlier?.door === 'xmpp') {
    earlier.close('replaced by a new login of the same client', 'replaced');
    await new Promise((r) => setImmediate(r));
  }
  const metadata = await archiveMetadata(c).catch((err: unknown) => {
    c.log.warn({ err }, 'xmpp: archive metadata not read for Bind 2');
    return undefined;
  });
  if (c.gone()) return;
  try {
    await c.bind(resource, () => finish(bind2Enable(c, bindReq, metadata)));
  } catch (err) {
    if (c.gone()) return;
    c.log.error({ err }, 'xmpp: Bind 2 failed');
    c.fail('internal-server-error');
  }
}
