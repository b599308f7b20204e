import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The login throttle counts a password check while it runs: guesses sent side
 * by side get no more checks than the same guesses one after another
 * (docs/protocol.md 3.6). `invalid-credentials` means the password was checked.
 */
const FREE = 5;

async function post(url: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method: path === '/api/v1/me' ? 'DELETE' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return ((await res.json()) as { error?: { condition: string } }).error?.condition ?? 'ok';
}

function tally(conditions: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of conditions) out[c] = (out[c] ?? 0) + 1;
  return out;
}

/** One connection per frame pair: a connection runs its requests one at a time. */
async function wsLogins(wsUrl: string, username: string, connections: number, each: number) {
  const answers = await Promise.all(
    Array.from({ length: connections }, () => {
      const ws = new WebSocket(wsUrl);
      return new Promise<string[]>((resolve, reject) => {
        const got: string[] = [];
        ws.on('error', reject);
        ws.on('open', () => {
          for (let i = 0; i < each; i++)
            ws.send(
              JSON.stringify({
                id: i,
                type: 'session.login',
                data: { username, password: `wrong-guess-${i}` },
              }),
            );
        });
        ws.on('message', (raw) => {
          const f = JSON.parse(String(raw)) as { type: string; error?: { condition: string } };
          if (f.type !== 'reply') return;
          got.push(f.error?.condition ?? 'ok');
          if (got.length === each) {
            ws.close();
            resolve(got);
          }
        });
      });
    }),
  );
  return answers.flat();
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`concurrent password guesses (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { login: { free_failures: FREE } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('20 wrong logins at once over REST: only the free failures are checked', async () => {
      const name = uname('race');
      await node.client().register(name, 'password123');
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(node.url, '/api/v1/sessions', { username: name, password: `wrong-guess-${i}` }),
        ),
      );
      const t = tally(answers);
      expect(t['invalid-credentials']).toBeLessThanOrEqual(FREE);
      expect(t['invalid-credentials']! + t['rate-limited']!).toBe(20);
    });

    it('40 wrong logins at once over WebSocket: only the free failures are checked', async () => {
      const name = uname('wsrace');
      await node.client().register(name, 'password123');
      const t = tally(await wsLogins(node.wsUrl, name, 20, 2));
      expect(t['invalid-credentials']).toBeLessThanOrEqual(FREE);
      expect(t['invalid-credentials']! + t['rate-limited']!).toBe(40);
    });

    it('password change and account deletion re-checks at once: only the free failures are checked', async () => {
      const c = node.client();
      await c.register(uname('rerace'), 'password123');
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2
            ? post(node.url, '/api/v1/me', { password: `wrong-guess-${i}` }, c.token)
            : post(
                node.url,
                '/api/v1/me/password',
                { oldPassword: `wrong-guess-${i}`, newPassword: 'new-password-1' },
                c.token,
              ),
        ),
      );
      const t = tally(answers);
      expect(t['invalid-credentials']).toBeLessThanOrEqual(FREE);
      expect(t['invalid-credentials']! + t['rate-limited']!).toBe(20);
      // Still signed in, the password unchanged.
      expect((await c.me()).user.id).toBeTruthy();
    });
  });
}
