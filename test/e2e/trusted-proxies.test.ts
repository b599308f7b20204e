import { afterAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { expectJsonError, json, raw } from '../helpers/http.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * server.trusted_proxies: the client address is the rightmost X-Forwarded-For
 * entry that is not a trusted proxy. This test plays the proxy (it connects
 * from 127.0.0.1 and appends the "real" address last); an attacker writes
 * whatever it likes to the left, and must not be able to pick its address.
 */
const PASSWORD = 'password123';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`trusted proxies (${backend.name})`, () => {
    const nodes: Awaited<ReturnType<typeof startSingle>>[] = [];
    afterAll(async () => {
      for (const n of nodes) await n.dispose();
    });

    const signUp = (url: string, xff: string) =>
      raw(
        url,
        'POST',
        '/api/v1/accounts',
        json({ username: uname('px'), password: PASSWORD }, { 'x-forwarded-for': xff }),
      );

    /** Sign-ups until the limit of 2 per address is reached, each with a new forged entry. */
    async function forgedSignUps(url: string, real: string) {
      for (let i = 1; i <= 2; i++)
        expect((await signUp(url, `198.51.100.${i}, ${real}`)).status).toBe(201);
      return signUp(url, `198.51.100.99, ${real}`);
    }

    it('a forged X-Forwarded-For entry left of the proxy is not the client address', async () => {
      const n = await startSingle(backend, {
        server: { trusted_proxies: ['127.0.0.1'] },
        registration: { accounts_per_address_per_hour: 2 },
      });
      nodes.push(n);
      expectJsonError(await forgedSignUps(n.url, '203.0.113.5'), 429, 'rate-limited');
      // Another real client behind the same proxy has its own budget.
      expect((await signUp(n.url, '198.51.100.99, 203.0.113.6')).status).toBe(201);
      // Two addresses of one IPv6 /64 are one client.
      expect((await signUp(n.url, '2001:db8:1:2::1')).status).toBe(201);
      expect((await signUp(n.url, '2001:db8:1:2::2')).status).toBe(201);
      expectJsonError(await signUp(n.url, '2001:db8:1:2::3'), 429, 'rate-limited');
    });

    it('the login throttle keys on the real address, whatever the client forges', async () => {
      const n = await startSingle(backend, {
        server: { trusted_proxies: ['127.0.0.0/8', '::1'] },
        login: { free_failures: 2, max_delay_seconds_per_address: 600 },
      });
      nodes.push(n);
      const name = uname('victim');
      await n.client().register(name, PASSWORD);
      const guess = (xff: string) =>
        raw(
          n.url,
          'POST',
          '/api/v1/sessions',
          json({ username: name, password: 'wrong guess' }, { 'x-forwarded-for': xff }),
        );
      for (let i = 1; i <= 2; i++)
        expectJsonError(await guess(`192.0.2.${i}, 203.0.113.9`), 401, 'invalid-credentials');
      expectJsonError(await guess('192.0.2.77, 203.0.113.9'), 429, 'rate-limited');
      // The owner, behind the same proxy from elsewhere, is not locked out by it.
      const owner = await raw(
        n.url,
        'POST',
        '/api/v1/sessions',
        json({ username: name, password: PASSWORD }, { 'x-forwarded-for': '203.0.113.10' }),
      );
      expect(owner.status, owner.text).toBe(201);
      // ...and the session list shows the address the proxy saw.
      const token = (owner.body as { token: string }).token;
      const list = await raw(n.url, 'GET', '/api/v1/sessions', {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '1.1.1.1, 203.0.113.10' },
      });
      expect(list.text).toContain('203.0.113.10');
      expect(list.text).not.toContain('1.1.1.1');
    });

    it('a client that is not a trusted proxy cannot set its address at all', async () => {
      const n = await startSingle(backend, {
        server: { trusted_proxies: ['10.0.0.1'] },
        registration: { accounts_per_address_per_hour: 2 },
      });
      nodes.push(n);
      expectJsonError(await forgedSignUps(n.url, '203.0.113.5'), 429, 'rate-limited');
      expectJsonError(await signUp(n.url, '203.0.113.6'), 429, 'rate-limited');
    });

    it('the deprecated trust_proxy = true trusts a proxy on this machine, never the leftmost entry', async () => {
      const n = await startSingle(backend, {
        server: { trust_proxy: true },
        registration: { accounts_per_address_per_hour: 2 },
      });
      nodes.push(n);
      expectJsonError(await forgedSignUps(n.url, '203.0.113.5'), 429, 'rate-limited');
      expect((await signUp(n.url, '203.0.113.6')).status).toBe(201);
    });
  });
}
