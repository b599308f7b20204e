import WebSocket from 'ws';
import { afterAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * registration.accounts_per_address_per_hour: an open server takes only so
 * many new accounts from one address; failed sign-ups and invite codes do not
 * count, and the refusal says when to come back.
 */
/** The reply to account.register sent on a fresh WebSocket, before any auth. */
function registerOverWebSocket(url: string, username: string): Promise<Record<string, unknown>> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 5000);
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          id: 'r1',
          type: 'account.register',
          data: { username, password: 'password123' },
        }),
      ),
    );
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as Record<string, unknown>;
      if (f.type !== 'reply') return;
      clearTimeout(timer);
      ws.close();
      resolve(f);
    });
    ws.on('error', reject);
  });
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`new accounts per address (${backend.name})`, () => {
    const nodes: Awaited<ReturnType<typeof startSingle>>[] = [];
    afterAll(async () => {
      for (const n of nodes) await n.dispose();
    });

    it('allows that many, then answers rate-limited with when to retry; failures cost nothing', async () => {
      const node = await startSingle(backend, {
        registration: { accounts_per_address_per_hour: 3 },
      });
      nodes.push(node);
      const taken = uname('lim');
      await node.client().register(taken, 'password123');
      // A taken name, a short password and a bad name are refused as before and count for nothing.
      await expect(node.client().register(taken, 'password123')).rejects.toMatchObject({
        condition: 'conflict',
      });
      await expect(node.client().register(uname('lim'), 'short')).rejects.toMatchObject({
        condition: 'bad-request',
      });
      await expect(node.client().register('no spaces', 'password123')).rejects.toMatchObject({
        condition: 'bad-request',
      });
      await node.client().register(uname('lim'), 'password123');
      await node.client().register(uname('lim'), 'password123');

      const refused = uname('lim');
      const res = await fetch(`${node.url}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: refused, password: 'password123' }),
      });
      expect(res.status).toBe(429);
      const body = (await res.json()) as { error: { text: string; retryAfter: number } };
      expect(body.error).toMatchObject({
        condition: 'rate-limited',
        text: 'too many new accounts from your address; try again later',
      });
      // One account comes back every 20 minutes at 3 an hour.
      expect(body.error.retryAfter).toBeGreaterThan(1100);
      expect(body.error.retryAfter).toBeLessThanOrEqual(1200);
      expect(res.headers.get('retry-after')).toBe(String(body.error.retryAfter));
      // Nothing was made: the name is still free to log in to... by nobody.
      await expect(node.client().login(refused, 'password123')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
      // Bad input still gets its own error first.
      await expect(node.client().register('no spaces', 'password123')).rejects.toMatchObject({
        condition: 'bad-request',
      });
      // Over the WebSocket too: the same rule, in core.
      const reply = await registerOverWebSocket(node.wsUrl, uname('lim'));
      expect(reply).toMatchObject({ ok: false, error: { condition: 'rate-limited' } });
      // Logging in is not sign-up: still fine.
      await node.client().login(taken, 'password123');
    });

    it('does not count sign-ups with an invite code', async () => {
      const node = await startSingle(backend, {
        registration: { policy: 'invite', accounts_per_address_per_hour: 1 },
      });
      nodes.push(node);
      for (let i = 0; i < 3; i++) {
        const { code } = await node.parley.core.accounts.createInvite({
          uses: 1,
          expiresInSeconds: 3600,
        });
        await node.client().register(uname('inv'), 'password123', { invite: code });
      }
      await expect(
        node.client().register(uname('inv'), 'password123', { invite: 'not-a-code' }),
      ).rejects.toMatchObject({ condition: 'invalid-invite' });
    });
  });
}
