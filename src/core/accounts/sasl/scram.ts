import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprep } from '@mongodb-js/saslprep';

/**
 * SCRAM (RFC 5802, RFC 7677): the key derivation and the credentials a server
 * keeps. The server never keeps the password or SaltedPassword: only the salt,
 * the iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
 * ServerKey = HMAC(SaltedPassword, "Server Key"). Both are secrets of a kind
 * (StoredKey lets an attacker with the database guess passwords offline at
 * `iterations` PBKDF2 rounds a guess; ServerKey lets them pose as the server).
 */
export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-1'];

/** The RFC minimum (RFC 5802 section 5.1, RFC 7677 section 4); config cannot go lower. */
export const MIN_SCRAM_ITERATIONS = 4096;
/**
 * The default `login.scram_iterations`: NIST SP 800-63B-3's minimum for PBKDF2; each
 * login costs the client this many HMACs per mechanism (docs/operations.md).
 */
export const DEFAULT_SCRAM_ITERATIONS = 10_000;
/** Salts of new credentials (and of the fake ones for unknown users): 16 bytes. */
export const SALT_BYTES = 16;

export interface ScramCredential {
  mechanism: ScramMechanism;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export interface ScramHash {
  /** node:crypto's name. */
  name: 'sha1' | 'sha256';
  /** Output length in bytes. */
  size: number;
}

export function scramHash(mechanism: ScramMechanism): ScramHash {
  return mechanism === 'SCRAM-SHA-1' ? { name: 'sha1', size: 20 } : { name: 'sha256', size: 32 };
}

export const hmac = (h: ScramHash, key: Buffer, data: Buffer | string): Buffer =>
  createHmac(h.name, key).update(data).digest();
export const digest = (h: ScramHash, data: Buffer): Buffer =>
  createHash(h.name).update(data).digest();

/**
 * Normalize(password) of RFC 5802: SASLprep (RFC 4013) with unassigned code points
 * allowed (a stored string, but clients prepare queries). A password SASLprep refuses
 * (control characters, for one) is used as it is: such a client can only match it by
 * skipping SASLprep too, and that is what the libraries that do not implement it do.
 */
export function normalizePassword(password: string): string {
  try {
    return saslprep(password, { allowUnassigned: true });
  } catch {
    return password;
  }
}

export function saltedPassword(
  h: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(
      Buffer.from(normalizePassword(password), 'utf8'),
      salt,
      iterations,
      h.size,
      h.name,
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** StoredKey and ServerKey from SaltedPassword (RFC 5802 section 3). */
export function keysFrom(h: ScramHash, salted: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  return {
    storedKey: digest(h, hmac(h, salted, 'Client Key')),
    serverKey: hmac(h, salted, 'Server Key'),
  };
}

/** New credentials for one mechanism; `salt` only for tests (test vectors). */
export async function makeCredential(
  mechanism: ScramMechanism,
  password: string,
  iterations: number,
  salt: Buffer = randomBytes(SALT_BYTES),
): Promise<ScramCredential> {
  const h = scramHash(mechanism);
  const keys = keysFrom(h, await saltedPassword(h, password, salt, iterations));
  return { mechanism, salt, iterations, ...keys };
}

/** Credentials for every SCRAM mechanism Parley offers. */
export function makeCredentials(password: string, iterations: number): Promise<ScramCredential[]> {
  return Promise.all(SCRAM_MECHANISMS.map((m) => makeCredential(m, password, iterations)));
}

/** Whether `have` lacks a mechanism or holds one at fewer than `iterations` rounds. */
export function needsNewCredentials(have: readonly ScramCredential[], iterations: number): boolean {
  return SCRAM_MECHANISMS.some((m) => {
    const c = have.find((x) => x.mechanism === m);
    return !c || c.iterations < iterations;
  });
}

/** Equal in constant time (for equal lengths; a length difference is not secret). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a ClientProof against StoredKey (RFC 5802 section 3): ClientKey =
 * ClientProof XOR HMAC(StoredKey, AuthMessage), and H(ClientKey) must be StoredKey.
 * The same work is done whatever the proof is.
 */
export function proofMatches(
  h: ScramHash,
  storedKey: Buffer,
  authMessage: string,
  proof: Buffer,
): boolean {
  const signature = hmac(h, storedKey, authMessage);
  const clientKey = Buffer.alloc(h.size);
  for (let i = 0; i < h.size; i++) clientKey[i] = (proof[i] ?? 0) ^ signature[i]!;
  return sameBytes(digest(h, clientKey), storedKey) && proof.length === h.size;
}

export function serverSignature(h: ScramHash, serverKey: Buffer, authMessage: string): Buffer {
  return hmac(h, serverKey, authMessage);
}
