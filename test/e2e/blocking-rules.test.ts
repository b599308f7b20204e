import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { ParleyApiError } from '../../src/sdk/errors.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { openWatched } from '../helpers/presence.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Blocking's two rules added for issue 15 (docs/protocol.md 5.21): whoever blocks
 * must unblock to write, and a message the reader never saw (sent while they
 * blocked its sender) is never vouched for by their markers, even after the block.
 */
const PASSWORD = 'correct horse battery';

interface User {
  name: string;
  token: string;
  client: ParleyClient;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`blocking rules (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: ParleyConnection[] = [];

    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 1_000_000 } });
    });
    afterEach(() => {
      for (const c of open.splice(0)) c.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function user(prefix: string): Promise<User> {
      const client = node.client();
      const name = uname(prefix);
      const reg = await client.register(name, PASSWORD);
      return { name, token: reg.token, client };
    }

    async function refusal(p: Promise<unknown>): Promise<ParleyApiError> {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ParleyApiError);
      return err as ParleyApiError;
    }

    it('the one who blocks must unblock to write; a retry of an earlier send still answers', async () => {
      const a = await user('wa');
      const b = await user('wb');
      const before = await a.client.sendMessage(b.name, 'hello', 'c-1');
      await a.client.block(b.name);
      const err = await refusal(a.client.sendMessage(b.name, 'one more thing', 'c-2'));
      expect(err.status).toBe(409);
      expect(err.condition).toBe('conflict');
      expect(err.field).toBe('to');
      expect(err.message).toBe(`you blocked ${b.name}; unblock them first`);
      // Over the WebSocket too (one rule for every door).
      const w = await openWatched(node, a.token);
      open.push(w.conn);
      const wsErr = await refusal(
        w.conn.request('messages.send', { to: b.name, text: 'ws', clientId: 'c-3' }),
      );
      expect(wsErr.condition).toBe('conflict');
      // What was acknowledged before stays answerable: the same message again.
      const again = await a.client.sendMessage(b.name, 'hello', 'c-1');
      expect(again).toMatchObject({ duplicate: true, message: { id: before.message.id } });
      // Nothing refused was stored.
      const page = await a.client.history(b.name);
      expect(page.messages.map((m) => m.text)).toEqual(['hello']);

      await a.client.unblock(b.name);
      expect((await a.client.sendMessage(b.name, 'one more thing', 'c-2')).duplicate).toBe(false);
    });

    it('a message sent during the block never shows read, after the block as before', async () => {
      const a = await user('ra'); // blocks
      const b = await user('rb'); // blocked
      await b.client.sendMessage(a.name, 'before', 'm-1');
      await a.client.block(b.name);
      const hidden = await b.client.sendMessage(a.name, 'during', 'm-2');
      const bw = await openWatched(node, b.token);
      open.push(bw.conn);
      await a.client.unblock(b.name);
      const after = await b.client.sendMessage(a.name, 'after', 'm-3');
      expect(after.message.seq).toBeGreaterThan(hidden.message.seq);

      // Alice reads everything she can see: her markers pass the hidden message.
      const aw = await openWatched(node, a.token);
      open.push(aw.conn);
      await aw.conn.markRead(b.name, after.message.seq);
      const receipt = await bw.inbox.take((e) => e.name === 'receipt', 'receipt');
      expect(receipt).toMatchObject({
        read: after.message.seq,
        delivered: after.message.seq,
        unseen: [hidden.message.seq],
      });
      const m = await b.client.markers(a.name);
      expect(m.theirs).toEqual({
        delivered: after.message.seq,
        read: after.message.seq,
        unseen: [hidden.message.seq],
      });
      // Alice herself never sees it.
      const hers = await a.client.history(b.name);
      expect(hers.messages.map((x) => x.text)).toEqual(['before', 'after']);
      // A marker that passes nothing hidden tells none.
      const more = await b.client.sendMessage(a.name, 'more', 'm-4');
      await aw.conn.markRead(b.name, more.message.seq);
      const next = await bw.inbox.take((e) => e.name === 'receipt', 'second receipt');
      expect(next).toMatchObject({ read: more.message.seq });
      expect(next.unseen).toBeUndefined();
    });
  });
}
