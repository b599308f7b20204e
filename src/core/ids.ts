import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lowercase

// An id's random bits come from a pool filled 4 kB at a time: one randomBytes call
// per id cost about 1% of a direct message's CPU. Ids are names, not secrets.
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomId80(): Buffer {
  if (used + 10 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 10;
  return pool.subarray(used - 10, used);
}

/**
 * Time-ordered, 26-character ids (48 bits of milliseconds, 80 random bits),
 * ULID-shaped but lowercase so they are valid in XMPP localparts and IRC
 * parameters as they are. Ids made in the same millisecond are not ordered
 * among themselves; anything that needs a strict order keeps its own sequence.
 *
 * Built from character codes in one call: appending a character at a time made a
 * chain of about 14 cons strings (some 450 bytes of heap) that lived as long as the
 * id, e.g. a connection's id for the connection's life.
 */
const CODES = [...ALPHABET].map((c) => c.charCodeAt(0));
const chars: number[] = new Array<number>(26).fill(0);

export function newId(now = Date.now()): string {
  let t = now;
  for (let i = 9; i >= 0; i--) {
    chars[i] = CODES[t % 32]!;
    t = Math.floor(t / 32);
  }
  const rnd = randomId80();
  let bits = 0;
  let acc = 0;
  let at = 10;
  for (const byte of rnd) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      chars[at++] = CODES[(acc >> bits) & 31]!;
    }
    acc &= (1 << bits) - 1;
  }
  return String.fromCharCode(...chars);
}

/** An opaque secret: 32 random bytes, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
