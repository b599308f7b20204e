import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * What the XMPP door's one sweep drives (XmppConnection.tick): the login
 * deadline, pings of a silent client (XEP-0199) and cutting off one that does
 * not answer, and an idle stream's XML parser dropped and made again when bytes
 * come (the stream reads on as before).
 */
const PASSWORD = 'correct horse battery';
const isPing = (el: Element) => el.name === 'iq' && el.getChild('ping') !== undefined;
/** The first ping comes one to two ping_seconds after the last byte: two of the helper's waits. */
const pinged = (c: RawXmpp) => c.stanza(isPing, 'a ping').catch(() => c.stanza(isPing, 'a ping'));

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP door's sweep (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let hurried: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { xmpp: { port: -1, tls_port: 0, ping_seconds: 5 } });
      tlsPort = xmppPorts(node).tlsPort!;
      hurried = await startSingle(backend, {
        xmpp: { port: -1, tls_port: 0, login_timeout_seconds: 1 },
      });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
      await hurried.dispose();
    });
    const account = async () => {
      const name = uname('sw');
      await node.client().register(name, PASSWORD);
      const c = await xmppLogin(tlsPort, name, PASSWORD);
      open.push(c);
      return { name, c };
    };

    it('closes a stream that does not log in in time with connection-timeout', async () => {
      const c = await RawXmpp.tls(xmppPorts(hurried).tlsPort!);
      open.push(c);
      c.open();
      await c.features();
      const err = await c.streamError();
      expect(err.elements()[0]?.name).toBe('connection-timeout');
      await c.whenClosed();
    });

    it('pings a silent client; one that answers stays, and its idle stream reads on', async () => {
      const a = await account();
      const b = await account();
      // The ping comes after ping_seconds of silence: by then the sweep dropped a's parser.
      await pinged(a.c);
      const mark = b.c.events.length;
      a.c.send(
        `<message type='chat' to='${b.name}@localhost' id='i1'><body>after the quiet &amp; a ping</body></message>`,
      );
      const got = await b.c.stanza((el) => el.name === 'message', 'the message', mark);
      expect(got.getChild('body')?.text()).toBe('after the quiet & a ping');
      expect(a.c.closed).toBe(false);
    });

    it('cuts off a client that does not answer its ping', async () => {
      const a = await account();
      a.c.send = () => {}; // deaf and mute from here on: the ping goes unanswered
      await pinged(a.c);
      const err = await a.c.streamError();
      expect(err.elements()[0]?.name).toBe('connection-timeout');
      await a.c.whenClosed();
    });
  });
}
