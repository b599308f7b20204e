import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * IRC over WebSocket (IRCv3, text.ircv3.net and binary.ircv3.net) on the HTTP
 * server, as browser IRC clients use it: one line per message, no CRLF.
 */
const PASSWORD = 'password123';

function open(url: string, protocol: string): Promise<{ ws: WebSocket; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocol);
    const lines: string[] = [];
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(protocol === 'binary.ircv3.net');
      lines.push(d.toString('utf8'));
    });
    ws.once('open', () => resolve({ ws, lines }));
    ws.once('error', reject);
  });
}

async function until(lines: string[], test: (l: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const hit = lines.find(test);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no line for ${what}:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC over WebSocket (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => node.dispose());

    for (const protocol of ['text.ircv3.net', 'binary.ircv3.net'])
      it(`logs in and talks over ${protocol}`, async () => {
        const name = uname('wsirc');
        const web = node.client();
        const webName = uname('wsweb');
        await web.register(webName, PASSWORD);
        await node.client().register(name, PASSWORD);
        const { ws, lines } = await open(`${node.wsUrl.replace('/api/v1/ws', '/irc')}`, protocol);
        expect(ws.protocol).toBe(protocol);
        const send = (l: string) => ws.send(protocol === 'binary.ircv3.net' ? Buffer.from(l) : l);
        send(`PASS ${name}:${PASSWORD}`);
        send(`NICK ${name}`);
        send('USER u 0 * :U\r\n'); // a trailing CRLF is tolerated
        const welcome = await until(lines, (l) => / 001 /.test(l), '001');
        expect(welcome).toContain(` 001 ${name} `);
        expect(lines.every((l) => !l.endsWith('\r\n'))).toBe(true);
        const conn = await web.connect();
        const got = new Promise<{ message: { text: string } }>((resolve) =>
          conn.on('message', (d) => resolve(d as { message: { text: string } })),
        );
        send(`PRIVMSG ${webName} :over a websocket`);
        expect((await got).message.text).toBe('over a websocket');
        await web.sendMessage(name, 'back over it', 'b-1');
        await until(lines, (l) => l.endsWith('PRIVMSG ' + name + ' :back over it'), 'the reply');
        conn.close();
        ws.close();
      });

    it('the native WebSocket path still speaks JSON, and other paths are still refused', async () => {
      const res = await fetch(`${node.url}/irc`);
      expect(res.status).toBe(426);
      const bad = new WebSocket(node.wsUrl.replace('/api/v1/ws', '/nope'));
      const status = await new Promise<number>((resolve) =>
        bad.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0)),
      );
      expect(status).toBe(404);
    });
  });
}
