import { describe, expect, it } from 'vitest';
import {
  keysFrom,
  makeCredential,
  needsNewCredentials,
  normalizePassword,
  proofMatches,
  saltedPassword,
  scramHash,
  serverSignature,
} from './scram.js';

/**
 * The test vectors of RFC 5802 section 5 (SCRAM-SHA-1) and RFC 7677 section 3
 * (SCRAM-SHA-256): user "user", password "pencil", 4096 iterations.
 */
export const RFC5802 = {
  mechanism: 'SCRAM-SHA-1' as const,
  salt: 'QSXCR+Q6sek8bf92',
  clientFirst: 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
  serverNonce: '3rfcNHYJY1ZVvWVs7j',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
};
export const RFC7677 = {
  mechanism: 'SCRAM-SHA-256' as const,
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst:
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('SCRAM key derivation', () => {
  for (const v of [RFC5802, RFC7677]) {
    it(`matches the ${v.mechanism} test vector`, async () => {
      const c = await makeCredential(v.mechanism, 'pencil', 4096, Buffer.from(v.salt, 'base64'));
      const h = scramHash(v.mechanism);
      const authMessage = `${v.clientFirst.slice(3)},${v.serverFirst},${v.clientFinal.replace(/,p=.*$/, '')}`;
      const proof = Buffer.from(v.clientFinal.replace(/^.*,p=/, ''), 'base64');
      expect(proofMatches(h, c.storedKey, authMessage, proof)).toBe(true);
      expect(`v=${serverSignature(h, c.serverKey, authMessage).toString('base64')}`).toBe(
        v.serverFinal,
      );
      // One bit off, or a proof of the other length, fails.
      const bad = Buffer.from(proof);
      bad[0]! ^= 1;
      expect(proofMatches(h, c.storedKey, authMessage, bad)).toBe(false);
      expect(proofMatches(h, c.storedKey, authMessage, proof.subarray(1))).toBe(false);
      expect(proofMatches(h, c.storedKey, authMessage, Buffer.concat([proof, proof]))).toBe(false);
      expect(proofMatches(h, c.storedKey, `${authMessage}x`, proof)).toBe(false);
    });
  }

  it('keeps neither the password nor SaltedPassword', async () => {
    const h = scramHash('SCRAM-SHA-256');
    const salt = Buffer.from(RFC7677.salt, 'base64');
    const c = await makeCredential('SCRAM-SHA-256', 'pencil', 4096, salt);
    const salted = await saltedPassword(h, 'pencil', salt, 4096);
    expect(Object.values(c).some((x) => Buffer.isBuffer(x) && x.equals(salted))).toBe(false);
    expect(JSON.stringify(c)).not.toContain('pencil');
    expect(keysFrom(h, salted).storedKey.equals(c.storedKey)).toBe(true);
  });

  it('applies SASLprep to the password (RFC 4013 examples), and keeps what it refuses', () => {
    expect(normalizePassword('I\u00adX')).toBe('IX');
    expect(normalizePassword('\u00aa')).toBe('a');
    expect(normalizePassword('\u2168')).toBe('IX');
    expect(normalizePassword('a\u00a0b')).toBe('a b');
    expect(normalizePassword('bad\u0007bell')).toBe('bad\u0007bell');
  });

  it('tells when credentials must be made again', async () => {
    const s1 = await makeCredential('SCRAM-SHA-1', 'pw', 4096);
    const s256 = await makeCredential('SCRAM-SHA-256', 'pw', 5000);
    expect(needsNewCredentials([], 4096)).toBe(true);
    expect(needsNewCredentials([s256], 4096)).toBe(true);
    expect(needsNewCredentials([s1, s256], 4096)).toBe(false);
    expect(needsNewCredentials([s1, s256], 5000)).toBe(true);
  });
});
