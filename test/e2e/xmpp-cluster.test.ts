import { afterAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn } from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { ircLogin, ircPort, type RawIrc } from '../helpers/irc.js';
import { uname } from '../helpers/server.js';
import { type RawXmpp, xmppPorts, xmppStartTlsLogin } from '../helpers/xmpp.js';

/**
 * The three doors on two nodes sharing one database and one bus: an XMPP user
 * on node 1, a web user on node 2 and an IRC user on node 2 become contacts
 * and chat directly, each pair both ways; presence and an edit made on the web
 * reach the XMPP client; a message sent while the XMPP user is away arrives
 * when they log in again on the other node.
 */
const PASSWORD = 'correct horse battery';
/** STARTTLS (the nodes' only XMPP listener), SASL PLAIN, bind. */
const loginStartTls = (port: number, username: string, resource: string) =>
  xmppStartTlsLogin(port, username, PASSWORD, resource);

const body = (el: Element) => el.getChildText('body');
const chatFrom = (from: string, text: string) => (el: Element) =>
  el.name === 'message' && el.attr('from')?.split('/')[0] === from && body(el) === text;

for (const setup of clusterSetups) {
  describeOn(setup)(`XMPP with the web and IRC across two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);
    const open: (RawXmpp | RawIrc)[] = [];
    afterAll(() => {
      for (const x of open) x.close();
    });

    it('XMPP, web and IRC users chat directly across nodes; offline messages follow', async () => {
      const xName = uname('cx');
      const webName = uname('cw');
      const ircName = uname('ci');
      await c.node1.client().register(xName, PASSWORD);
      const web = await c.node2.client().register(webName, PASSWORD);
      await c.node2.client().register(ircName, PASSWORD);
      const conn = await connectTo(c.node2, web.token);
      const webGot = (text: string) =>
        new Promise<{ message: { id: string; from: { username: string } } }>((resolve) =>
          conn.on('message', (d) => {
            const m = d as { message: { id: string; text: string; from: { username: string } } };
            if (m.message.text === text) resolve(m);
          }),
        );

      const x = await loginStartTls(xmppPorts(c.node1).port!, xName, 'laptop');
      open.push(x);
      x.send('<presence/>');

      // A subscription from XMPP on node 1, approved on the web on node 2.
      const requested = new Promise<void>((resolve) =>
        conn.on('contact.updated', (d) => {
          const k = (d as { contact?: { username?: string; pendingIn?: boolean } }).contact;
          if (k?.username === xName && k.pendingIn) resolve();
        }),
      );
      x.send(`<presence type='subscribe' to='${webName}@localhost'/>`);
      await requested;
      await c.node2.client(web.token).approveContact(xName);
      await x.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('type') === 'subscribed' &&
          el.attr('from') === `${webName}@localhost`,
        'subscribed from the web user',
      );
      // The web user is online on node 2: the XMPP client sees it.
      await x.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('type') === undefined &&
          el.attr('from')?.split('/')[0] === `${webName}@localhost`,
        "the web user's presence",
      );

      // XMPP (node 1) <-> web (node 2).
      const toWeb = webGot('hello web, from xmpp');
      x.send(
        `<message type='chat' to='${webName}@localhost' id='m1'><body>hello web, from xmpp</body></message>`,
      );
      expect((await toWeb).message.from.username).toBe(xName);
      const sent = await c.node2
        .client(web.token)
        .sendMessage(xName, 'hello xmpp, from web', 'c-1');
      await x.stanza(chatFrom(`${webName}@localhost`, 'hello xmpp, from web'), "the web's message");
      // An edit on the web arrives as a correction (XEP-0308).
      await c.node2.client(web.token).editMessage(sent.message.id, 'hello xmpp, edited');
      await x.stanza(
        (el) =>
          chatFrom(`${webName}@localhost`, 'hello xmpp, edited')(el) &&
          el.getChild('replace', 'urn:xmpp:message-correct:0') !== undefined,
        'the correction',
      );

      // XMPP (node 1) <-> IRC (node 2).
      const irc = await ircLogin(ircPort(c.node2), ircName, PASSWORD);
      open.push(irc);
      x.send(
        `<message type='chat' to='${ircName}@localhost' id='m2'><body>hello irc, from xmpp</body></message>`,
      );
      await irc.wait(
        (l) =>
          l.command === 'PRIVMSG' &&
          l.params[0] === ircName &&
          l.params[1] === 'hello irc, from xmpp' &&
          l.source.split('!')[0] === xName,
        'the XMPP message on IRC',
      );
      irc.send(`PRIVMSG ${xName} :hello xmpp, from irc`);
      await x.stanza(chatFrom(`${ircName}@localhost`, 'hello xmpp, from irc'), "IRC's message");

      // Away: the XMPP user leaves; the web user writes; the next login (node 2) gets it.
      x.close();
      await x.whenClosed();
      await c.node2.client(web.token).sendMessage(xName, 'while you were away', 'c-2');
      const back = await loginStartTls(xmppPorts(c.node2).port!, xName, 'phone');
      open.push(back);
      const waiting = await back.stanza(
        chatFrom(`${webName}@localhost`, 'while you were away'),
        'the message that waited',
      );
      expect(waiting.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
    });
  });
}
