import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ParleyError } from '../../src/core/errors.js';
import type { CoreEvent } from '../../src/core/events.js';
import { createPepService, PEP_LIMITS, type PepService } from '../../src/core/pep/service.js';
import type { Router } from '../../src/core/router.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { storeUsers } from '../helpers/store-fixtures.js';

/**
 * Personal eventing nodes (core/pep over PepStore), on every backend: made by
 * the first publish, one last item each, read by the owner and as the access
 * model allows (presence: watchers; open: anyone not blocked; whitelist: the
 * owner alone), told to whoever may read it; bounded; gone with the account.
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`PEP contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(() => dispose());

    const setup = (watchers: Record<string, string[]> = {}, blocked: [string, string][] = []) => {
      const told: { to: string; e: CoreEvent }[] = [];
      const router = {
        deliver: (to: string, e: CoreEvent) => told.push({ to, e }),
      } as unknown as Router;
      const svc: PepService = createPepService({
        store: store.pep,
        router,
        watchersOf: async (id) => watchers[id] ?? [],
        isBlocked: async (owner, other) => blocked.some(([o, x]) => o === owner && x === other),
        rate: { perSecond: 1000, burst: 1000 },
      });
      return { svc, told };
    };
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => (e as ParleyError).condition,
      );

    it('a publish makes the node, replaces its item, and tells owner and watchers', async () => {
      const [a, b, c] = await storeUsers(store, ['ea', 'eb', 'ec']);
      const { svc, told } = setup({ [a!.id]: [b!.id] });
      const owner = { id: a!.id, username: a!.username };
      await svc.publish(owner, 'http://jabber.org/protocol/geoloc', {
        id: 'current',
        payload: '<geoloc/>',
      });
      await svc.publish(owner, 'http://jabber.org/protocol/geoloc', {
        id: 'current',
        payload: '<geoloc>2</geoloc>',
      });
      const n = await svc.node(b!.id, a!.id, 'http://jabber.org/protocol/geoloc');
      expect(n).toMatchObject({
        access: 'presence',
        itemId: 'current',
        payload: '<geoloc>2</geoloc>',
      });
      expect(told.map((t) => t.to).sort()).toEqual([a!.id, a!.id, b!.id, b!.id].sort());
      // Someone who does not see the presence: there is no node for them.
      expect(await err(svc.node(c!.id, a!.id, 'http://jabber.org/protocol/geoloc'))).toBe(
        'not-found',
      );
      expect(await svc.nodes(c!.id, a!.id)).toEqual([]);
      expect((await svc.nodes(b!.id, a!.id)).map((x) => x.node)).toEqual([
        'http://jabber.org/protocol/geoloc',
      ]);
    });

    it('access: open to anyone not blocked, whitelist to the owner alone', async () => {
      const [a, b, c] = await storeUsers(store, ['ga', 'gb', 'gc']);
      const { svc, told } = setup({ [a!.id]: [b!.id] }, [[a!.id, c!.id]]);
      const owner = { id: a!.id, username: a!.username };
      await svc.publish(
        owner,
        'urn:xmpp:omemo:2:devices',
        { id: 'current', payload: '<devices/>' },
        { access: 'open' },
      );
      const stranger = (await storeUsers(store, ['gs']))[0]!;
      expect((await svc.node(stranger.id, a!.id, 'urn:xmpp:omemo:2:devices')).itemId).toBe(
        'current',
      );
      expect(await err(svc.node(c!.id, a!.id, 'urn:xmpp:omemo:2:devices'))).toBe('not-found');
      told.length = 0;
      // Narrowed to whitelist: the node keeps the access it is given; watchers hear it is gone.
      await svc.publish(
        owner,
        'urn:xmpp:omemo:2:devices',
        { id: 'current', payload: '<devices/>' },
        { access: 'whitelist' },
      );
      expect(await err(svc.node(b!.id, a!.id, 'urn:xmpp:omemo:2:devices'))).toBe('not-found');
      expect(
        told.filter((t) => t.to === b!.id).map((t) => (t.e as { deleted?: true }).deleted),
      ).toEqual([true]);
      expect((await svc.node(a!.id, a!.id, 'urn:xmpp:omemo:2:devices')).access).toBe('whitelist');
      // A later publish without access keeps it.
      await svc.publish(owner, 'urn:xmpp:omemo:2:devices', {
        id: 'current',
        payload: '<devices/>',
      });
      expect((await svc.node(a!.id, a!.id, 'urn:xmpp:omemo:2:devices')).access).toBe('whitelist');
    });

    it('retract keeps the node without its item; remove deletes it', async () => {
      const [a] = await storeUsers(store, ['ra']);
      const { svc, told } = setup();
      const owner = { id: a!.id, username: a!.username };
      await svc.publish(owner, 'http://jabber.org/protocol/tune', { id: 't1', payload: '<tune/>' });
      expect(await err(svc.retract(owner, 'http://jabber.org/protocol/tune', 'other'))).toBe(
        'not-found',
      );
      await svc.retract(owner, 'http://jabber.org/protocol/tune', 't1');
      expect(await svc.node(a!.id, a!.id, 'http://jabber.org/protocol/tune')).toMatchObject({
        itemId: null,
        payload: null,
      });
      await svc.remove(owner, 'http://jabber.org/protocol/tune');
      expect(await err(svc.node(a!.id, a!.id, 'http://jabber.org/protocol/tune'))).toBe(
        'not-found',
      );
      expect(await err(svc.remove(owner, 'http://jabber.org/protocol/tune'))).toBe('not-found');
      expect(
        told.map((t) =>
          Object.keys(t.e).filter((k) => ['item', 'retracted', 'deleted'].includes(k)),
        ),
      ).toEqual([['item'], ['retracted'], ['deleted']]);
    });

    it('is bounded, refuses bad input, and goes with the account', async () => {
      const [a] = await storeUsers(store, ['ba']);
      const { svc } = setup();
      const owner = { id: a!.id, username: a!.username };
      const item = { id: 'current', payload: '<x/>' };
      expect(await err(svc.publish(owner, '', item))).toBe('bad-request');
      expect(await err(svc.publish(owner, 'n'.repeat(PEP_LIMITS.nodeChars + 1), item))).toBe(
        'bad-request',
      );
      expect(await err(svc.publish(owner, 'n', { id: '', payload: '<x/>' }))).toBe('bad-request');
      expect(
        await err(
          svc.publish(owner, 'n', { id: 'i', payload: 'x'.repeat(PEP_LIMITS.payloadBytes + 1) }),
        ),
      ).toBe('payload-too-large');
      expect(await err(svc.publish(owner, 'n', { id: 'i', payload: 'a\0b' }))).toBe('bad-request');
      expect(
        await err(svc.publish(owner, 'n', item, { access: 'authorize' as unknown as 'open' })),
      ).toBe('bad-request');
      for (let i = 0; i < PEP_LIMITS.nodes; i++) await svc.publish(owner, `n${i}`, item);
      expect(await err(svc.publish(owner, 'one-more', item))).toBe('conflict');
      // Publishing to a node that exists is fine at the limit.
      await svc.publish(owner, 'n0', { id: 'current', payload: '<y/>' });
      expect((await svc.nodes(a!.id, a!.id)).length).toBe(PEP_LIMITS.nodes);
      await store.accounts.deleteUser(a!.id);
      expect(await store.pep.nodes(a!.id, 100)).toEqual([]);
    });
  });
}
