import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../errors.js';
import type { FastCheck, FastTokenService } from '../tokens.js';
import type { AccountStore } from '../store.js';
import type { AccountService } from '../service.js';
import type { LoginThrottle } from '../throttle.js';
import { createSaslService, type SaslContext } from './service.js';

/**
 * The HT mechanisms in core.sasl, against a fake token service: offered only
 * over TLS, with the channel bindings the connection has, only with a FAST
 * request; the message is bytes (the HMAC is not UTF-8), split at the first NUL;
 * the binding of the mechanism reaches the check; throttling is a temporary failure.
 */
function setup(answer: (req: FastCheck) => ReturnType<FastTokenService['check']>) {
  const seen: FastCheck[] = [];
  const fast: FastTokenService = {
    lifetimeMs: 1000,
    issue: () => Promise.reject(new Error('not here')),
    check: (req) => {
      seen.push(req);
      return answer(req);
    },
  };
  const sasl = createSaslService({
    store: {} as AccountStore,
    accounts: {} as AccountService,
    throttle: {} as LoginThrottle,
    fast,
  });
  return { sasl, seen };
}

const TLS: SaslContext = {
  address: '192.0.2.1',
  tls: true,
  channelBinding: { 'tls-exporter': Buffer.alloc(32, 7) },
};
const REQ = { clientId: 'c1', invalidate: false };
const ok = () =>
  Promise.resolve({
    ok: true as const,
    auth: { user: { id: 'u' }, session: { id: 's' } } as never,
    responder: Buffer.from('resp'),
    rotate: true,
  });

describe('HT mechanisms in core.sasl', () => {
  it('are offered over TLS only, each with the binding the connection has', () => {
    const { sasl } = setup(ok);
    expect(sasl.fastMechanisms(TLS)).toEqual(['HT-SHA-256-EXPR', 'HT-SHA-256-NONE']);
    expect(sasl.fastMechanisms({ ...TLS, tls: false })).toEqual([]);
    expect(sasl.mechanisms(TLS)).not.toContain('HT-SHA-256-NONE');
  });

  it('need the FAST request: without it the mechanism is not offered', async () => {
    const { sasl } = setup(ok);
    const r = await sasl.start('HT-SHA-256-NONE', TLS).step(Buffer.from('a\0b'));
    expect('failure' in r && r.failure.reason).toBe('invalid-mechanism');
  });

  it('read bytes, split at the first NUL, with the mechanism binding', async () => {
    const { sasl, seen } = setup(ok);
    const hmac = Buffer.from([0xff, 0x00, 0xfe, 0x80]); // not UTF-8, with a NUL inside
    const msg = Buffer.concat([Buffer.from('alice\0'), hmac]);
    const r = await sasl.start('HT-SHA-256-EXPR', TLS, { ...REQ, count: 3 }).step(msg);
    expect('success' in r && r.success.serverFinal?.toString()).toBe('resp');
    expect('success' in r && r.success.fast).toEqual({ rotate: true });
    expect(seen[0]!.username).toBe('alice');
    expect(seen[0]!.initiator.equals(hmac)).toBe(true);
    expect(seen[0]!.cbData.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(seen[0]!.count).toBe(3);
    await sasl.start('HT-SHA-256-NONE', TLS, REQ).step(msg);
    expect(seen[1]!.cbData.length).toBe(0);
  });

  it('refuse malformed messages without asking the token service', async () => {
    const { sasl, seen } = setup(ok);
    for (const m of ['', 'no-nul', '\0hash', 'alice\0'])
      expect(
        'failure' in (await sasl.start('HT-SHA-256-NONE', TLS, REQ).step(Buffer.from(m))),
      ).toBe(true);
    expect(seen).toEqual([]);
    // ENDP on a connection without that binding is not offered at all.
    const r = await sasl.start('HT-SHA-256-ENDP', TLS, REQ).step(Buffer.from('a\0b'));
    expect('failure' in r && r.failure.reason).toBe('invalid-mechanism');
  });

  it('pass the service refusal on; throttling is a temporary failure', async () => {
    const no = setup(() =>
      Promise.resolve({ ok: false, reason: 'credentials-expired', text: 'expired' }),
    );
    const r = await no.sasl.start('HT-SHA-256-NONE', TLS, REQ).step(Buffer.from('a\0b'));
    expect('failure' in r && r.failure.reason).toBe('credentials-expired');
    const slow = setup(() => Promise.reject(new ParleyError('rate-limited', 'wait')));
    const t = await slow.sasl.start('HT-SHA-256-NONE', TLS, REQ).step(Buffer.from('a\0b'));
    expect('failure' in t && t.failure.reason).toBe('temporary-auth-failure');
  });
});
