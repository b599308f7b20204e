import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../core/accounts/hasher.js';

/** argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): ~30 ms per hash here. */
export function createArgon2Hasher(): PasswordHasher {
  const opts = {
    algorithm: 2 /* Algorithm.Argon2id, a const enum */,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  };
  return {
    hash: (password) => hash(password, opts),
    async verify(h, password) {
      try {
        return await verify(h, password);
      } catch {
        return false; // a malformed stored hash never authenticates
      }
    },
  };
}
