import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * Message Archive Management (XEP-0313) over raw XML: the archive is the
 * account's direct messages as the web pages through them (deleted and
 * blocked ones left out), paged with RSM both ways, filtered by JID, time,
 * ids and full text; its ids are the stanza-ids of live messages.
 */
const PASSWORD = 'correct horse battery';
const MAM = 'urn:xmpp:mam:2';
const RSM = 'http://jabber.org/protocol/rsm';

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;

const form = (fields: Record<string, string | string[]>) =>
  `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${MAM}</value></field>${Object.entries(
    fields,
  )
    .map(
      ([k, v]) =>
        `<field var='${k}'>${(Array.isArray(v) ? v : [v]).map((x) => `<value>${x}</value>`).join('')}</field>`,
    )
    .join('')}</x>`;

interface Answer {
  iq: Element;
  results: Element[];
  texts: string[];
  ids: string[];
  complete: boolean;
  first?: string;
  last?: string;
}

/** One MAM query: the result messages with its queryid, then the iq answer. */
async function mam(c: RawXmpp, body: string, ns = MAM): Promise<Answer> {
  const qid = `q${Math.random().toString(36).slice(2)}`;
  const mark = c.events.length;
  const iq = await c.iq('set', `<query xmlns='${ns}' queryid='${qid}'>${body}</query>`);
  const results = c.events
    .slice(mark)
    .flatMap((e) => (e.type === 'stanza' ? [e.element] : []))
    .filter((el) => el.name === 'message' && el.getChild('result', ns)?.attr('queryid') === qid);
  const fwd = (r: Element) =>
    r.getChild('result', ns)!.getChild('forwarded', 'urn:xmpp:forward:0')!;
  const fin = iq.getChild('fin', ns);
  const set = fin?.getChild('set', RSM);
  return {
    iq,
    results,
    texts: results.map((r) => fwd(r).getChild('message')!.getChildText('body')!),
    ids: results.map((r) => r.getChild('result', ns)!.attr('id')!),
    complete: fin?.attr('complete') === 'true',
    ...(set?.getChildText('first') !== undefined ? { first: set.getChildText('first')! } : {}),
    ...(set?.getChildText('last') !== undefined ? { last: set.getChildText('last')! } : {}),
  };
}

const rsm = (inner: string) => `<set xmlns='${RSM}'>${inner}</set>`;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP MAM (${backend.name})`, () => {
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
    const account = async (prefix: string) => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    const login = async (name: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD);
      open.push(c);
      return c;
    };

    /** alice (XMPP) talks with bob and carol (web): t1..t5, one deleted, one blocked. */
    async function scene() {
      const alice = await account('ma');
      const bob = await account('mb');
      const carol = await account('mc');
      const c = await login(alice.name);
      const live = c.events.length;
      const t1 = await bob.web.sendMessage(alice.name, 'one from bob', 'b1');
      const stanzaId = (
        await c.stanza((el) => el.getChildText('body') === 'one from bob', 'live t1', live)
      )
        .getChild('stanza-id', 'urn:xmpp:sid:0')!
        .attr('id');
      const mark = c.events.length;
      c.send(
        `<message type='chat' to='${bob.name}@localhost' id='a1'><body>two from alice</body><origin-id xmlns='urn:xmpp:sid:0' id='a1-origin'/></message>`,
      );
      await expect.poll(async () => (await bob.web.history(alice.name)).messages.length).toBe(2);
      expect(
        c.events
          .slice(mark)
          .some(
            (e) =>
              e.type === 'stanza' &&
              e.element.name === 'message' &&
              e.element.attr('type') === 'error',
          ),
      ).toBe(false);
      await carol.web.sendMessage(alice.name, 'three from carol with a needle', 'c1');
      const gone = await bob.web.sendMessage(alice.name, 'four deleted', 'b2');
      await bob.web.deleteMessage(gone.message.id);
      await bob.web.sendMessage(alice.name, 'five from bob', 'b3');
      await alice.web.block(carol.name);
      await carol.web.sendMessage(alice.name, 'six blocked', 'c2');
      // A room message of alice's: not in her archive of direct messages, nor its search.
      const room = uname('mr');
      await alice.web.rooms.create(room);
      await alice.web.rooms.send(room, 'a room needle', 'r1');
      return { alice, bob, carol, c, t1, stanzaId };
    }

    it('answers the whole archive oldest first, ids equal to the live stanza-ids', async () => {
      const { c, t1, stanzaId, bob, alice } = await scene();
      const acct = await c.iq(
        'get',
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        `${alice.name}@localhost`,
      );
      const features = acct
        .getChild('query')!
        .getChildren('feature')
        .map((f) => f.attr('var'));
      expect(features).toContain(MAM);
      expect(features).toContain(`${MAM}#extended`);
      expect(features).toContain('urn:xmpp:fulltext:0');

      const all = await mam(c, '');
      expect(all.iq.attr('type')).toBe('result');
      expect(all.texts).toEqual([
        'one from bob',
        'two from alice',
        'three from carol with a needle',
        'five from bob',
      ]);
      expect(all.complete).toBe(true);
      expect(all.ids[0]).toBe(t1.message.id);
      expect(all.ids[0]).toBe(stanzaId);
      expect([all.first, all.last]).toEqual([all.ids[0], all.ids[3]]);
      // The forwarded message: who sent it to whom, when, with its ids.
      const fwd = all.results[1]!.getChild('result', MAM)!.getChild('forwarded')!;
      expect(fwd.getChild('delay', 'urn:xmpp:delay')?.attr('stamp')).toMatch(/Z$/);
      const inner = fwd.getChild('message')!;
      expect(inner.attr('from')).toBe(`${alice.name}@localhost`);
      expect(inner.attr('to')).toBe(`${bob.name}@localhost`);
      expect(inner.getChild('origin-id', 'urn:xmpp:sid:0')?.attr('id')).toBe('a1-origin');
      expect(all.results[0]!.attr('to')).toBe(c.jid);
      // The older namespace answers alike.
      const v1 = await mam(c, '', 'urn:xmpp:mam:1');
      expect(v1.texts).toEqual(all.texts);
    });

    it('pages back from the newest with RSM, and forward again', async () => {
      const { c } = await scene();
      const newest = await mam(c, rsm('<max>2</max><before/>'));
      expect(newest.texts).toEqual(['three from carol with a needle', 'five from bob']);
      expect(newest.complete).toBe(false);
      const older = await mam(c, rsm(`<max>2</max><before>${newest.first}</before>`));
      expect(older.texts).toEqual(['one from bob', 'two from alice']);
      expect(older.complete).toBe(true);
      const forward = await mam(c, rsm(`<max>1</max><after>${older.first}</after>`));
      expect(forward.texts).toEqual(['two from alice']);
      expect(forward.complete).toBe(false);
      const end = await mam(c, rsm(`<max>10</max><after>${newest.first}</after>`));
      expect([end.texts, end.complete]).toEqual([['five from bob'], true]);
      // flip-page sends the same page newest first.
      const flipped = await mam(c, `${rsm('<max>2</max><before/>')}<flip-page/>`);
      expect(flipped.texts).toEqual(['five from bob', 'three from carol with a needle']);
    });

    it('filters by JID, time, ids and full text', async () => {
      const { c, bob, carol } = await scene();
      const withBob = await mam(c, form({ with: `${bob.name}@localhost` }));
      expect(withBob.texts).toEqual(['one from bob', 'two from alice', 'five from bob']);
      const withCarol = await mam(c, form({ with: `${carol.name}@localhost` }));
      expect(withCarol.texts).toEqual(['three from carol with a needle']);
      const nobody = await mam(c, form({ with: 'someone@elsewhere.example' }));
      expect([nobody.texts, nobody.complete]).toEqual([[], true]);

      const all = await mam(c, '');
      const stamp = (i: number) =>
        all.results[i]!.getChild('result', MAM)!
          .getChild('forwarded')!
          .getChild('delay')!
          .attr('stamp')!;
      const between = await mam(c, form({ start: stamp(1), end: stamp(2) }));
      expect(between.texts).toEqual(['two from alice', 'three from carol with a needle']);
      const after = await mam(c, form({ 'after-id': all.ids[2]! }));
      expect(after.texts).toEqual(['five from bob']);
      const before = await mam(c, form({ 'before-id': all.ids[1]! }));
      expect(before.texts).toEqual(['one from bob']);
      const ids = await mam(c, form({ ids: [all.ids[3]!, all.ids[0]!, 'nonexistent'] }));
      expect(ids.texts).toEqual(['one from bob', 'five from bob']);

      const found = await mam(c, form({ '{urn:xmpp:fulltext:0}fulltext': 'needle' }));
      expect(found.texts).toEqual(['three from carol with a needle']);
      const bobs = await mam(c, form({ '{urn:xmpp:fulltext:0}fulltext': 'bob' }));
      expect(bobs.texts).toEqual(['one from bob', 'five from bob']);
      const page = await mam(
        c,
        form({ '{urn:xmpp:fulltext:0}fulltext': 'bob' }) + rsm('<max>1</max><before/>'),
      );
      expect([page.texts, page.complete]).toEqual([['five from bob'], false]);
      const rest = await mam(
        c,
        form({ '{urn:xmpp:fulltext:0}fulltext': 'bob' }) +
          rsm(`<max>1</max><before>${page.first}</before>`),
      );
      expect(rest.texts).toEqual(['one from bob']);
      const gone = await mam(c, form({ '{urn:xmpp:fulltext:0}fulltext': 'deleted' }));
      expect(gone.texts).toEqual([]);
      const blocked = await mam(c, form({ '{urn:xmpp:fulltext:0}fulltext': 'blocked' }));
      expect(blocked.texts).toEqual([]);
    });

    it('the form, preferences and metadata', async () => {
      const { c } = await scene();
      const f = await c.iq('get', `<query xmlns='${MAM}'/>`);
      const vars = f
        .getChild('query')!
        .getChild('x', 'jabber:x:data')!
        .getChildren('field')
        .map((x) => x.attr('var'));
      expect(vars).toEqual(
        expect.arrayContaining(['with', 'start', 'end', 'ids', '{urn:xmpp:fulltext:0}fulltext']),
      );
      const prefs = await c.iq('get', `<prefs xmlns='${MAM}'/>`);
      expect(prefs.getChild('prefs')!.attr('default')).toBe('always');
      const set = await c.iq('set', `<prefs xmlns='${MAM}' default='never'/>`);
      expect(set.getChild('prefs')!.attr('default')).toBe('always');
      const all = await mam(c, '');
      const meta = await c.iq('get', `<metadata xmlns='${MAM}'/>`);
      const m = meta.getChild('metadata')!;
      expect(m.getChild('start')!.attr('id')).toBe(all.ids[0]);
      expect(m.getChild('end')!.attr('id')).toBe(all.ids[3]);
    });

    it('refuses what it cannot answer, and bounds pages', async () => {
      const { c, bob } = await scene();
      const q = (body: string) => c.iq('set', `<query xmlns='${MAM}'>${body}</query>`);
      expect(errorCondition(await q(rsm('<after>nope</after>')))).toBe('item-not-found');
      expect(errorCondition(await q(form({ start: 'yesterday' })))).toBe('bad-request');
      expect(errorCondition(await q(form({ colour: 'blue' })))).toBe('bad-request');
      expect(errorCondition(await q(form({ with: ['a@localhost', 'b@localhost'] })))).toBe(
        'bad-request',
      );
      expect(errorCondition(await q(rsm('<max>-1</max>')))).toBe('bad-request');
      expect(errorCondition(await q(rsm('<index>3</index>')))).toBe('feature-not-implemented');
      expect(errorCondition(await q("<x xmlns='jabber:x:data'><field><value/></field></x>"))).toBe(
        'bad-request',
      );
      // An id from another conversation is not in this one.
      const all = await mam(c, '');
      expect(
        errorCondition(
          await q(form({ with: `${bob.name}@localhost` }) + rsm(`<after>${all.ids[2]}</after>`)),
        ),
      ).toBe('item-not-found');
      // A huge max is the server's maximum.
      const big = await mam(c, rsm('<max>1000000</max>'));
      expect(big.texts).toHaveLength(4);
    });

    it('cuts a page to a quarter of the send queue, and pages on from there', async () => {
      const small = await startSingle(backend, {
        xmpp: { port: -1, tls_port: 0, send_queue_bytes: 65536 },
      });
      try {
        const name = uname('mq');
        const peer = uname('mp');
        await small.client().register(name, PASSWORD);
        const web = small.client();
        await web.register(peer, PASSWORD);
        // Five messages of 6,000 characters: two fit in 16 KiB.
        for (let i = 1; i <= 5; i++)
          await web.sendMessage(name, `${i}${'x'.repeat(5999)}`, `big-${i}`);
        const c = await xmppLogin(xmppPorts(small).tlsPort!, name, PASSWORD);
        open.push(c);
        const head = (a: Answer) => a.texts.map((t) => t[0]).join('');
        const first = await mam(c, rsm('<max>5</max>'));
        expect([head(first), first.complete]).toEqual(['12', false]);
        const next = await mam(c, rsm(`<max>5</max><after>${first.last}</after>`));
        expect([head(next), next.complete]).toEqual(['34', false]);
        const end = await mam(c, rsm(`<max>5</max><after>${next.last}</after>`));
        expect([head(end), end.complete]).toEqual(['5', true]);
        const newest = await mam(c, rsm('<max>5</max><before/>'));
        expect([head(newest), newest.complete]).toEqual(['45', false]);
        expect(c.closed).toBe(false);
      } finally {
        await small.dispose();
      }
    });
  });
}
