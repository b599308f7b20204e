import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppAuth, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * RFC 6121 section 2 (the roster) as the XMPP Interop Testing suite checks it
 * (RFC6121Section2_1 syntax, 2_3 add, 2_4 update, 2_5 delete, 2_6 versioning):
 * a set answered with a result and pushed to every interested resource (the
 * one that made it included, with or without initial presence); the
 * `subscription` attribute ignored unless "remove"; several items or a
 * repeated group bad-request, an empty group not-acceptable, another
 * account's roster forbidden; versions in the stream features, the result
 * and every push, new at each change, an empty result for a current version.
 * Parley's roster is its contact list: items name accounts here (an address
 * that is no account is item-not-found, docs/xmpp.md, Conformance).
 */
const PASSWORD = 'correct horse battery';
const ROSTER = 'jabber:iq:roster';

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;

/** A roster push naming `jid`, from event index `since`. */
const push = (c: RawXmpp, jid: string, since: number, what = 'roster push') =>
  c.stanza(
    (el) =>
      el.name === 'iq' &&
      el.attr('type') === 'set' &&
      el.getChild('query', ROSTER)?.getChild('item')?.attr('jid') === jid,
    `${what} for ${jid}`,
    since,
  );

const itemOf = (el: Element): Element => el.getChild('query', ROSTER)!.getChild('item')!;
const groupsOf = (item: Element): string[] => item.getChildren('group').map((g) => g.text());

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP SINT: RFC 6121 2 roster (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { xmpp: { port: -1, tls_port: 0 } });
      tlsPort = xmppPorts(node).tlsPort!;
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix = 'sx') => {
      const name = uname(prefix);
      await node.client().register(name, PASSWORD);
      return { name, jid: `${name}@localhost` };
    };
    const login = async (name: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD);
      open.push(c);
      return c;
    };
    /** One resource with initial presence, one that only asked for the roster. */
    const twoResources = async (name: string) => {
      const one = await login(name);
      one.send('<presence/>');
      const two = await login(name);
      expect((await two.iq('get', `<query xmlns='${ROSTER}'/>`)).attr('type')).toBe('result');
      return { one, two };
    };
    const set = (c: RawXmpp, item: string) =>
      c.iq('set', `<query xmlns='${ROSTER}'>${item}</query>`);

    it('2.3: an added item is answered with a result and pushed to every interested resource', async () => {
      const me = await account();
      const t = await account();
      const { one, two } = await twoResources(me.name);
      const m1 = one.events.length;
      const m2 = two.events.length;
      const r = await set(
        one,
        `<item jid='${t.jid}' name='Test User'><group>Test Group</group></item>`,
      );
      expect(r.attr('type')).toBe('result');
      for (const [c, m] of [
        [one, m1],
        [two, m2],
      ] as const) {
        const item = itemOf(await push(c, t.jid, m));
        expect(item.attr('name')).toBe('Test User');
        expect(groupsOf(item)).toEqual(['Test Group']);
        expect(item.attr('subscription')).toBe('none');
      }
    });

    it('2.1.5: the subscription attribute is ignored unless remove', async () => {
      const me = await account();
      const c = await login(me.name);
      for (const sub of ['both', 'foobar']) {
        const t = await account();
        const m = c.events.length;
        const r = await set(c, `<item jid='${t.jid}' subscription='${sub}'/>`);
        expect(r.attr('type')).toBe('result');
        expect(itemOf(await push(c, t.jid, m)).attr('subscription')).toBe('none');
      }
    });

    it("2.1.5, 2.3.3: the errors: another account's roster, several items, groups repeated or empty", async () => {
      const me = await account();
      const other = await account();
      const t = await account();
      const t2 = await account();
      const c = await login(me.name);
      const forbidden = await c.iq(
        'set',
        `<query xmlns='${ROSTER}'><item jid='${t.jid}'/></query>`,
        other.jid,
      );
      expect(errorCondition(forbidden)).toBe('forbidden');
      const two = await set(c, `<item jid='${t.jid}'/><item jid='${t2.jid}'/>`);
      expect(errorCondition(two)).toBe('bad-request');
      const dup = await set(c, `<item jid='${t.jid}'><group>g</group><group>g</group></item>`);
      expect(errorCondition(dup)).toBe('bad-request');
      const empty = await set(c, `<item jid='${t.jid}'><group></group></item>`);
      expect(errorCondition(empty)).toBe('not-acceptable');
      // Parley's deviation: an address that is no account here cannot be an item.
      const nobody = await set(c, `<item jid='test-target-${uname('')}@localhost'/>`);
      expect(errorCondition(nobody)).toBe('item-not-found');
      // None of them changed the roster; nor the other account's.
      const mine = await c.iq('get', `<query xmlns='${ROSTER}'/>`);
      expect(mine.getChild('query', ROSTER)!.getChildren('item')).toEqual([]);
      const theirs = await login(other.name);
      const q = await theirs.iq('get', `<query xmlns='${ROSTER}'/>`);
      expect(q.getChild('query', ROSTER)!.getChildren('item')).toEqual([]);
      // The same errors for an item that exists (2.4.3).
      expect((await set(c, `<item jid='${t.jid}'><group>a</group></item>`)).attr('type')).toBe(
        'result',
      );
      expect(
        errorCondition(
          await set(c, `<item jid='${t.jid}'><group>a</group><group>a</group></item>`),
        ),
      ).toBe('bad-request');
      expect(errorCondition(await set(c, `<item jid='${t.jid}'><group/></item>`))).toBe(
        'not-acceptable',
      );
    });

    it('2.4: an update replaces the item exactly (groups added, changed, all gone; name changed, gone)', async () => {
      const me = await account();
      const t = await account();
      const { one, two } = await twoResources(me.name);
      const steps: [string, string | undefined, string[]][] = [
        [
          `<item jid='${t.jid}' name='Old name'><group>Test Group</group></item>`,
          'Old name',
          ['Test Group'],
        ],
        [
          `<item jid='${t.jid}' name='Old name'><group>Test Group</group><group>Additional Group</group></item>`,
          'Old name',
          ['Additional Group', 'Test Group'],
        ],
        [
          `<item jid='${t.jid}' name='Updated Name'><group>Changed Group</group></item>`,
          'Updated Name',
          ['Changed Group'],
        ],
        [`<item jid='${t.jid}' name='Updated Name'/>`, 'Updated Name', []],
        [`<item jid='${t.jid}'/>`, undefined, []],
      ];
      for (const [item, name, groups] of steps) {
        const m1 = one.events.length;
        const m2 = two.events.length;
        expect((await set(two, item)).attr('type')).toBe('result');
        for (const [c, m] of [
          [one, m1],
          [two, m2],
        ] as const) {
          const pushed = itemOf(await push(c, t.jid, m));
          expect(pushed.attr('name')).toBe(name);
          expect(groupsOf(pushed).sort()).toEqual(groups);
        }
      }
    });

    it('2.5: a delete is answered and pushed with subscription remove; deleting nothing is item-not-found', async () => {
      const me = await account();
      const t = await account();
      const { one, two } = await twoResources(me.name);
      const a1 = one.events.length;
      const a2 = two.events.length;
      expect((await set(one, `<item jid='${t.jid}'/>`)).attr('type')).toBe('result');
      // The pushes of the add may follow the result: they come first.
      await push(one, t.jid, a1);
      await push(two, t.jid, a2);
      const m1 = one.events.length;
      const m2 = two.events.length;
      const r = await set(one, `<item jid='${t.jid}' subscription='remove'/>`);
      expect(r.attr('type')).toBe('result');
      for (const [c, m] of [
        [one, m1],
        [two, m2],
      ] as const)
        expect(itemOf(await push(c, t.jid, m, 'remove push')).attr('subscription')).toBe('remove');
      expect(errorCondition(await set(one, `<item jid='${t.jid}' subscription='remove'/>`))).toBe(
        'item-not-found',
      );
    });

    it('2.6: versioning: the feature, ver in results and pushes, new at each change, empty result when current', async () => {
      const me = await account();
      const t = await account();
      const { c: auth, features } = await xmppAuth(tlsPort, me.name, PASSWORD);
      open.push(auth);
      expect(features.getChild('ver', 'urn:xmpp:features:rosterver')).toBeDefined();
      await auth.bind();
      const c = auth;
      // Without ver: the roster, a result either way.
      expect((await c.iq('get', `<query xmlns='${ROSTER}'/>`)).attr('type')).toBe('result');
      const first = await c.iq('get', `<query xmlns='${ROSTER}' ver=''/>`);
      const v0 = first.getChild('query', ROSTER)!.attr('ver');
      expect(v0).toBeTruthy();
      const changes = [
        `<item jid='${t.jid}'/>`,
        `<item jid='${t.jid}' name='FooBar'/>`,
        `<item jid='${t.jid}' name='FooBar'><group>Test Group</group></item>`,
        `<item jid='${t.jid}'><group>Test Group</group></item>`,
        `<item jid='${t.jid}' subscription='remove'/>`,
      ];
      let last = v0!;
      let before = '';
      for (const change of changes) {
        const m = c.events.length;
        expect((await set(c, change)).attr('type')).toBe('result');
        const ver = (await push(c, t.jid, m)).getChild('query', ROSTER)!.attr('ver')!;
        // A version names the roster's content (a hash): each change gives another one.
        expect(ver).toBeTruthy();
        expect(ver).not.toBe(last);
        before = last;
        last = ver;
      }
      // Current: an empty result. Stale: the whole roster at the latest version.
      const current = await c.iq('get', `<query xmlns='${ROSTER}' ver='${last}'/>`);
      expect(current.attr('type')).toBe('result');
      expect(current.getChild('query', ROSTER)).toBeUndefined();
      const stale = await c.iq('get', `<query xmlns='${ROSTER}' ver='${before}'/>`);
      expect(stale.getChild('query', ROSTER)!.attr('ver')).toBe(last);
    });
  });
}
