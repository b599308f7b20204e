/**
 * Pure parsing of SASL client messages (RFC 4616 PLAIN, RFC 5802 SCRAM). Every
 * function answers a result or a `{ error }` naming an RFC 5802 server-error-value
 * (or a plain word for PLAIN); none throws on input.
 */

/** Longest client message accepted (either mechanism, after the door's base64). */
export const MAX_SASL_MESSAGE = 8192;
/** Client nonces shorter than this are refused: every client seen sends 16 characters or more. */
export const MIN_NONCE = 8;
export const MAX_NONCE = 256;

export type ScramError =
  | 'invalid-encoding'
  | 'extensions-not-supported'
  | 'invalid-proof'
  | 'channel-bindings-dont-match'
  | 'server-does-support-channel-binding'
  | 'channel-binding-not-supported'
  | 'unsupported-channel-binding-type'
  | 'invalid-username-encoding'
  | 'other-error';

export type Bad = { error: ScramError; text: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 (no replacement characters), or undefined. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Strict base64 (RFC 4648 section 4, padded, no whitespace): what SASL carries in
 * XMPP and IRC and inside SCRAM. Undefined for anything else. Doors use it too.
 */
export function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  // Non-zero bits in the padding (e.g. "QR==") decode, but are not canonical.
  return b.toString('base64') === s ? b : undefined;
}

/** saslname (RFC 5802 section 5.1): "=2C" is ",", "=3D" is "="; any other "=" is an error. */
export function unescapeSaslname(s: string): string | undefined {
  if (s.includes(',')) return undefined;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '=') {
      out += c;
      continue;
    }
    const code = s.slice(i + 1, i + 3);
    if (code === '2C') out += ',';
    else if (code === '3D') out += '=';
    else return undefined;
    i += 2;
  }
  return out;
}

export function escapeSaslname(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

export type Gs2Flag = { kind: 'n' } | { kind: 'y' } | { kind: 'p'; cbName: string };

export interface ClientFirst {
  flag: Gs2Flag;
  /** Unescaped; '' when absent. */
  authzid: string;
  /** Unescaped. */
  username: string;
  nonce: string;
  /** The gs2 header as sent ("n,,", "p=tls-exporter,a=bob,"): c= must repeat it. */
  gs2Header: string;
  /** client-first-message-bare, for the AuthMessage. */
  bare: string;
}

const printableNonce = /^[\x21-\x2b\x2d-\x7e]+$/;

export function parseClientFirst(msg: string): ClientFirst | Bad {
  // gs2-header = gs2-cbind-flag "," [ authzid ] ","
  const c1 = msg.indexOf(',');
  const c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
  if (c2 < 0) return { error: 'other-error', text: 'no gs2 header' };
  const rawFlag = msg.slice(0, c1);
  let flag: Gs2Flag;
  if (rawFlag === 'n') flag = { kind: 'n' };
  else if (rawFlag === 'y') flag = { kind: 'y' };
  else if (/^p=[A-Za-z0-9.-]+$/.test(rawFlag)) flag = { kind: 'p', cbName: rawFlag.slice(2) };
  else return { error: 'other-error', text: 'bad gs2 channel-binding flag' };
  const rawAuthzid = msg.slice(c1 + 1, c2);
  let authzid = '';
  if (rawAuthzid !== '') {
    if (!rawAuthzid.startsWith('a=') || rawAuthzid.length === 2)
      return { error: 'other-error', text: 'bad authzid in the gs2 header' };
    const a = unescapeSaslname(rawAuthzid.slice(2));
    if (a === undefined)
      return { error: 'invalid-username-encoding', text: 'bad escape in the authzid' };
    authzid = a;
  }
  const bare = msg.slice(c2 + 1);
  const attrs = bare.split(',');
  if (attrs[0]?.startsWith('m='))
    return { error: 'extensions-not-supported', text: 'mandatory extensions are not supported' };
  if (attrs.length < 2 || !attrs[0]!.startsWith('n=') || !attrs[1]!.startsWith('r='))
    return { error: 'other-error', text: 'client-first must be n=...,r=...' };
  const username = unescapeSaslname(attrs[0]!.slice(2));
  if (username === undefined || username === '')
    return { error: 'invalid-username-encoding', text: 'bad username encoding' };
  const nonce = attrs[1]!.slice(2);
  if (nonce.length < MIN_NONCE || nonce.length > MAX_NONCE || !printableNonce.test(nonce))
    return {
      error: 'other-error',
      text: `the nonce must be ${MIN_NONCE} to ${MAX_NONCE} printable characters`,
    };
  // Optional extensions after the nonce are ignored (RFC 5802 section 5.1).
  for (const a of attrs.slice(2))
    if (!/^[A-Za-z]=/.test(a)) return { error: 'other-error', text: 'bad attribute' };
  return { flag, authzid, username, nonce, gs2Header: msg.slice(0, c2 + 1), bare };
}

export interface ClientFinal {
  /** c=, decoded. */
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, for the AuthMessage. */
  withoutProof: string;
}

export function parseClientFinal(msg: string): ClientFinal | Bad {
  const attrs = msg.split(',');
  if (attrs.length < 3 || !attrs[0]!.startsWith('c=') || !attrs[1]!.startsWith('r='))
    return { error: 'other-error', text: 'client-final must be c=...,r=...,...,p=...' };
  const last = attrs.at(-1)!;
  if (!last.startsWith('p=')) return { error: 'other-error', text: 'the proof must come last' };
  for (const a of attrs.slice(2, -1))
    if (!/^[A-Za-z]=/.test(a) || a.startsWith('p='))
      return { error: 'other-error', text: 'bad attribute' };
  const channelBinding = decodeBase64(attrs[0]!.slice(2));
  if (!channelBinding) return { error: 'invalid-encoding', text: 'c= is not base64' };
  const proof = decodeBase64(last.slice(2));
  if (!proof) return { error: 'invalid-encoding', text: 'p= is not base64' };
  return {
    channelBinding,
    nonce: attrs[1]!.slice(2),
    proof,
    withoutProof: attrs.slice(0, -1).join(','),
  };
}

export interface PlainMessage {
  authzid: string;
  authcid: string;
  password: string;
}

/** RFC 4616: [authzid] NUL authcid NUL passwd. */
export function parsePlain(msg: string): PlainMessage | { error: string } {
  const parts = msg.split('\0');
  if (parts.length !== 3) return { error: 'PLAIN needs authzid NUL authcid NUL password' };
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authcid === '') return { error: 'the username is empty' };
  if (password === '') return { error: 'the password is empty' };
  return { authzid, authcid, password };
}
