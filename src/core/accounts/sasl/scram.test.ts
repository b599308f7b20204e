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
import { RFC5802, RFC7677 } from '../../../../test/helpers/scram-vectors.js';

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
