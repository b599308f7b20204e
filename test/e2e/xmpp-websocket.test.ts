import { afterAll, beforeAll, expect, it } from 'vitest';
import { get } from 'node:http';
import { WebSocket } from 'ws';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp } from '../helpers/xmpp.js';

/**
 * XMPP over WebSocket (RFC 7395) on the HTTP server, as Converse.js uses it:
 * the `xmpp` subprotocol, <open/> and <close/>, one element per message,
 * SASL (PLAIN and SCRAM) on a connection from this machine, the same roster
 * and messages as over TCP, XEP-0156 discovery, and hostile frames.
 */
const PASSWORD = 'correct horse battery';
const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP over WebSocket (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let url: string;
    let base: string;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      // Only the WebSocket: both TCP listeners off.
      node = await startSingle(backend, {
        xmpp: { port: -1, tls_port: -1, max_stanza_bytes: 20_000 },
      });
      url = node.wsUrl.replace('/api/v1/ws', '/xmpp-websocket');
      base = node.wsUrl.replace('ws://', 'http://').replace('/api/v1/ws', '');
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix = 'xw') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    const connect = async () => {
      const c = await RawXmpp.ws(url);
      open.push(c);
      return c;
    };
    const login = async (name: string, mechanism: 'PLAIN' | 'SCRAM-SHA-256' = 'PLAIN') => {
      const c = await connect();
      c.open();
      const f = await c.features();
      const mechs = f
        .getChild('mechanisms', SASL)!
        .getChildren('mechanism')
        .map((m) => m.text());
      // Secure without TLS of its own (local), so PLAIN is offered; no channel binding, no STARTTLS.
      expect(mechs).toContain('PLAIN');
      expect(mechs.some((m) => m.endsWith('-PLUS'))).toBe(false);
      expect(f.getChild('starttls')).toBeUndefined();
      const r =
        mechanism === 'PLAIN' ? await c.plain(name, PASSWORD) : await c.scram(name, PASSWORD);
      expect(r.name).toBe('success');
      const mark = c.events.length;
      c.restart();
      await c.wait((e) => e.type === 'open', 'the restarted <open/>', mark);
      await c.features(mark);
      await c.bind('web');
      return c;
    };

    it('opens with <open/>, logs in with PLAIN and SCRAM, binds, reads the roster, closes with <close/>', async () => {
      const a = await account();
      const b = await account('xwb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      const c = await login(a.name);
      expect(c.ws.protocol).toBe('xmpp');
      const opened = c.events.find((e) => e.type === 'open');
      expect(opened).toMatchObject({ header: { from: 'localhost', version: '1.0' } });
      expect(c.jid).toBe(`${a.name}@localhost/web`);
      const roster = await c.iq('get', "<query xmlns='jabber:iq:roster'/>");
      const items = roster.getChild('query', 'jabber:iq:roster')!.getChildren('item');
      expect(items.map((i) => [i.attr('jid'), i.attr('subscription')])).toEqual([
        [`${b.name}@localhost`, 'both'],
      ]);
      const mark = c.events.length;
      c.send(`<close xmlns='${FRAMING}'/>`);
      await c.wait((e) => e.type === 'close', 'the server <close/>', mark);
      await c.whenClosed();

      const s = await login(a.name, 'SCRAM-SHA-256');
      expect(s.jid).toBe(`${a.name}@localhost/web`);
    });

    it('chat messages go both ways with a web user', async () => {
      const a = await account();
      const b = await account('xwb');
      const conn = await b.web.connect();
      const c = await login(a.name);
      const got = new Promise<{ message: { text: string; clientId: string } }>((resolve) =>
        conn.on('message', (d) => resolve(d as never)),
      );
      c.send(
        `<message type='chat' to='${b.name}@localhost' id='w1'><body>over websocket</body></message>`,
      );
      expect((await got).message).toMatchObject({ text: 'over websocket', clientId: 'w1' });
      const mark = c.events.length;
      const sent = await b.web.sendMessage(a.name, 'and back <&>', 'wb-1');
      const msg = await c.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'and back <&>',
        'message from the web',
        mark,
      );
      expect(msg.attr('from')).toBe(`${b.name}@localhost`);
      expect(msg.getChild('stanza-id', 'urn:xmpp:sid:0')!.attr('id')).toBe(sent.message.id);
      conn.close();
    });

    it('resumes a session over a new WebSocket after the old one dropped (XEP-0198)', async () => {
      const SM = 'urn:xmpp:sm:3';
      const a = await account();
      const b = await account('xwb');
      const c = await login(a.name);
      c.send(`<enable xmlns='${SM}' resume='true'/>`);
      const token = (await c.stanza((el) => el.name === 'enabled', '<enabled/>')).attr('id')!;
      c.ws.terminate();
      await b.web.sendMessage(a.name, 'while the socket was gone', 'ws-sm-1');
      const d = await connect();
      d.open();
      await d.features();
      expect((await d.plain(a.name, PASSWORD)).name).toBe('success');
      const mark = d.events.length;
      d.restart();
      await d.features(mark);
      d.send(`<resume xmlns='${SM}' previd='${token}' h='0'/>`);
      await d.stanza((el) => el.name === 'resumed', '<resumed/>', mark);
      const msg = await d.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'while the socket was gone',
        'the message',
        mark,
      );
      // Addressed as the web sender wrote it: the account (RFC 6121 8.5.2).
      expect(msg.attr('to')).toBe(`${a.name}@localhost`);
    });

    it('serves XEP-0156 host-meta in XRD and JSON pointing at the endpoint', async () => {
      const xrd = await fetch(`${base}/.well-known/host-meta`);
      expect(xrd.status).toBe(200);
      expect(xrd.headers.get('content-type')).toContain('application/xrd+xml');
      const text = await xrd.text();
      expect(text).toContain(`<Link rel='urn:xmpp:alt-connections:websocket' href='${url}'/>`);
      const json = (await (await fetch(`${base}/.well-known/host-meta.json`)).json()) as {
        links: { rel: string; href: string }[];
      };
      expect(json.links).toEqual([{ rel: 'urn:xmpp:alt-connections:websocket', href: url }]);
      // A Host that is not a host name is not echoed back (fetch cannot set Host: node:http).
      const status = await new Promise<number | undefined>((resolve, reject) =>
        get(`${base}/.well-known/host-meta.json`, { headers: { host: "x'><script>" } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject),
      );
      expect(status).toBe(400);
    });

    it('refuses a connection without the xmpp subprotocol, and one that is not secure', async () => {
      const ws = new WebSocket(url);
      const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
      expect(code).toBe(1002);
      // Through a proxy that is not trusted (X-Forwarded-For, plain HTTP): no login in the clear.
      const viaProxy = new WebSocket(url, 'xmpp', {
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      const frames: string[] = [];
      viaProxy.on('message', (d: Buffer) => frames.push(d.toString()));
      await new Promise((r) => viaProxy.once('open', r));
      viaProxy.send(`<open xmlns='${FRAMING}' to='localhost' version='1.0'/>`);
      await new Promise((r) => viaProxy.once('close', r));
      expect(frames.join('\n')).toContain('<policy-violation');
      expect(frames.join('\n')).not.toContain('<mechanisms');
    });

    for (const [what, frame, condition] of [
      [
        'two elements in one message',
        "<iq type='get' id='a'/><iq type='get' id='b'/>",
        'bad-format',
      ],
      [
        'a <stream:stream> header',
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>",
        'invalid-namespace',
      ],
      [
        'a message over max_stanza_bytes',
        `<message><body>${'x'.repeat(30_000)}</body></message>`,
        'policy-violation',
      ],
      ['a DOCTYPE', "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", 'restricted-xml'],
      ['half an element', "<message to='x'><body>", 'not-well-formed'],
    ] as const)
      it(`answers ${what} with a stream error and <close/>`, async () => {
        const c = await connect();
        c.open();
        await c.features();
        c.send(frame);
        const err = await c.streamError();
        expect(err.elements()[0]!.name).toBe(condition);
        await c.wait((e) => e.type === 'close', 'the server <close/>');
        await c.whenClosed();
      });

    it("closes a message over the HTTP server's WebSocket limit (1009) and stays up", async () => {
      const c = await connect();
      c.open();
      await c.features();
      const code = new Promise<number>((resolve) => c.ws.on('close', (n) => resolve(n)));
      c.send(`<message><body>${'x'.repeat(300 * 1024)}</body></message>`);
      expect(await code).toBe(1009);
      const { name } = await account();
      expect((await login(name)).jid).toBe(`${name}@localhost/web`);
    });
  });
}
