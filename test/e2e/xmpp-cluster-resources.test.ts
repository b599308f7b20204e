import { afterAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn } from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { type TestNode, uname } from '../helpers/server.js';
import { type RawXmpp, xmppPorts, xmppStartTlsLogin } from '../helpers/xmpp.js';

/**
 * The XMPP door's presence per resource and conversation extensions across two
 * nodes sharing one database and one bus: an XMPP user on node 1 and one on
 * node 2 see each other's resources, and markers and reactions travel both ways.
 */
const PASSWORD = 'correct horse battery';
const MARKERS = 'urn:xmpp:chat-markers:0';

/** Logs in over STARTTLS (test nodes have no direct-TLS port). */
const startTlsLogin = (node: TestNode, username: string, resource: string) =>
  xmppStartTlsLogin(xmppPorts(node).port!, username, PASSWORD, resource);

for (const setup of clusterSetups) {
  describeOn(setup)(`XMPP across two nodes (${setup.name})`, () => {
    const { cluster } = useCluster(setup);
    const open: RawXmpp[] = [];
    afterAll(() => {
      for (const x of open) x.close();
    });

    it('resources, markers and reactions travel between nodes', async () => {
      const a = uname('xa');
      const b = uname('xb');
      const wa = cluster.node1.client();
      await wa.register(a, PASSWORD);
      const wb = cluster.node2.client();
      await wb.register(b, PASSWORD);
      await wb.requestContact(a);
      await wa.approveContact(b, true);
      const one = await startTlsLogin(cluster.node1, a, 'one');
      const two = await startTlsLogin(cluster.node2, b, 'two');
      open.push(one, two);
      one.send('<presence/>');
      two.send('<presence><show>away</show></presence>');
      const from = (jid: string) => (el: Element) =>
        el.name === 'presence' && el.attr('from') === jid && el.attr('type') === undefined;
      const p = await one.stanza(from(`${b}@localhost/two`), 'node 2 resource');
      await one.stanza(
        (el) => from(`${b}@localhost/two`)(el) && el.getChildText('show') === 'away',
        'away from node 2',
      );
      expect(p.getChild('c', 'http://jabber.org/protocol/caps')).toBeDefined();
      await two.stanza(from(`${a}@localhost/one`), 'node 1 resource');

      two.send(
        `<message type='chat' to='${a}@localhost' id='n2-1'><body>across</body><origin-id xmlns='urn:xmpp:sid:0' id='n2-1'/></message>`,
      );
      await one.stanza((el) => el.getChildText('body') === 'across', 'message on node 1');
      one.send(`<message to='${b}@localhost'><displayed xmlns='${MARKERS}' id='n2-1'/></message>`);
      const d = await two.stanza(
        (el) => el.getChild('displayed', MARKERS) !== undefined,
        'displayed on node 2',
      );
      expect(d.getChild('displayed', MARKERS)!.attr('id')).toBe('n2-1');
      one.send(
        `<message type='chat' to='${b}@localhost'><reactions xmlns='urn:xmpp:reactions:0' id='n2-1'><reaction>👍</reaction></reactions></message>`,
      );
      const r = await two.stanza(
        (el) => el.getChild('reactions', 'urn:xmpp:reactions:0') !== undefined,
        'reaction on node 2',
      );
      expect(r.getChild('reactions')!.getChildText('reaction')).toBe('👍');
      const mark = one.events.length;
      two.close();
      await one.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('from') === `${b}@localhost/two` &&
          el.attr('type') === 'unavailable',
        'node 2 resource gone',
        mark,
      );
    });
  });
}
