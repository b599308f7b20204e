import { afterAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn } from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { type TestNode, uname } from '../helpers/server.js';
import { type RawXmpp, xmppPorts, xmppStartTlsLogin } from '../helpers/xmpp.js';
import { announce } from '../helpers/xmpp-caps.js';

/**
 * PEP across two nodes sharing one database and one bus: a bookmark published
 * on node 1 reaches the owner's resource on node 2 (XEP-0402), and a mood a
 * contact on node 2 listens to arrives there (core's `pep.item` by user).
 */
const PASSWORD = 'correct horse battery';
const PUBSUB = 'http://jabber.org/protocol/pubsub';
const EVENT = 'http://jabber.org/protocol/pubsub#event';
const BOOKMARKS = 'urn:xmpp:bookmarks:1';
const MOOD = 'http://jabber.org/protocol/mood';

const startTlsLogin = (node: TestNode, username: string, resource: string) =>
  xmppStartTlsLogin(xmppPorts(node).port!, username, PASSWORD, resource);

const event = (el: Element) => el.getChild('event', EVENT)?.elements()[0];

for (const setup of clusterSetups) {
  describeOn(setup)(`XMPP PEP across two nodes (${setup.name})`, () => {
    const { cluster } = useCluster(setup);
    const open: RawXmpp[] = [];
    afterAll(() => {
      for (const x of open) x.close();
    });

    it('bookmarks reach the other resource, and a mood the contact, on the other node', async () => {
      const a = uname('ka');
      const b = uname('kb');
      const wa = cluster.node1.client();
      await wa.register(a, PASSWORD);
      const wb = cluster.node2.client();
      await wb.register(b, PASSWORD);
      await wb.requestContact(a);
      await wa.approveContact(b, true);
      const one = await startTlsLogin(cluster.node1, a, 'one');
      const two = await startTlsLogin(cluster.node2, a, 'two');
      const bx = await startTlsLogin(cluster.node2, b, 'bee');
      open.push(one, two, bx);
      await announce(one, [BOOKMARKS]);
      await announce(two, [BOOKMARKS]);
      await announce(bx, [MOOD]);

      const room = 'room@conference.example.org';
      const mark = two.events.length;
      const r = await one.iq(
        'set',
        `<pubsub xmlns='${PUBSUB}'><publish node='${BOOKMARKS}'><item id='${room}'><conference xmlns='${BOOKMARKS}' name='Across'/></item></publish></pubsub>`,
      );
      expect(r.attr('type')).toBe('result');
      const pushed = await two.stanza(
        (el) => event(el)?.attr('node') === BOOKMARKS,
        'bookmark on node 2',
        mark,
      );
      expect(event(pushed)!.getChild('item')!.attr('id')).toBe(room);
      expect(pushed.attr('from')).toBe(`${a}@localhost`);

      const before = bx.events.length;
      const m = await one.iq(
        'set',
        `<pubsub xmlns='${PUBSUB}'><publish node='${MOOD}'><item><mood xmlns='${MOOD}'><happy/></mood></item></publish></pubsub>`,
      );
      expect(m.attr('type')).toBe('result');
      const heard = await bx.stanza(
        (el) => event(el)?.attr('node') === MOOD && el.attr('from') === `${a}@localhost`,
        'mood on node 2',
        before,
      );
      expect(
        event(heard)!.getChild('item')!.getChild('mood', MOOD)!.getChild('happy'),
      ).toBeDefined();
    });
  });
}
