import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyStoreBackend, tempDir } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { xmppPorts } from '../helpers/xmpp.js';

/**
 * A real XMPP client library against the door: slixmpp (Debian's
 * python3-slixmpp; .ci/run installs it) logs in with SCRAM-SHA-256 over
 * STARTTLS (the certificate is self-signed: the script does not check it),
 * enables stream management (XEP-0198, with resumption), sends a chat message
 * to a web user and receives the answer.
 */
const PYTHON = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import slixmpp'], { stdio: 'ignore' }).status === 0,
);

const SCRIPT = `
import ssl, sys, slixmpp
jid, password, port, peer = sys.argv[1:5]

class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password, sasl_mech='SCRAM-SHA-256')
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('message', self.message)
        self.add_event_handler('failed_auth', self.failed)
        self.add_event_handler('sm_enabled', lambda s: print('SM', s['id'], s['resume'], flush=True))
        self.register_plugin('xep_0198')

    async def start(self, event):
        self.send_presence()
        await self.get_roster()
        print('SESSION', self.boundjid.full, flush=True)
        self.send_message(mto=peer, mbody='hello from slixmpp', mtype='chat')

    def message(self, msg):
        if msg['type'] in ('chat', 'normal') and msg['body']:
            print('GOT', msg['from'].bare, msg['body'], flush=True)
            self.disconnect()

    def failed(self, event):
        print('FAILED_AUTH', flush=True)
        self.disconnect()

c = Client()
# slixmpp binds only to tls-unique, which TLS 1.3 does not have: it would answer
# 'y' (it could bind), which the server rightly takes for a downgrade. Plain SCRAM.
sasl = c['feature_mechanisms']
default = sasl.sasl_callback
def no_binding(required, optional):
    creds = default(required, optional)
    if 'channel_binding' in creds:
        creds['channel_binding'] = None
    return creds
sasl.sasl_callback = no_binding
c.ssl_context.check_hostname = False
c.ssl_context.verify_mode = ssl.CERT_NONE
c.connect(('127.0.0.1', int(port)), force_starttls=True)
c.process(forever=False)
print('DONE', flush=True)
`;

const backend = everyStoreBackend()[0]!;

describe.skipIf(!PYTHON)('XMPP door with slixmpp', () => {
  let node: Awaited<ReturnType<typeof startSingle>>;
  const t = tempDir('parley-slixmpp-');
  beforeAll(async () => {
    node = await startSingle(backend, { xmpp: { port: 0, tls_port: -1 } });
  });
  afterAll(async () => {
    await node.dispose();
    t.cleanup();
  });

  it('logs in with SCRAM over STARTTLS and chats with a web user', async () => {
    const xname = uname('sx');
    const wname = uname('sw');
    const password = 'correct horse battery';
    await node.client().register(xname, password);
    const web = node.client();
    await web.register(wname, password);
    const conn = await web.connect();
    const fromXmpp = new Promise<{ message: { text: string; from: { username: string } } }>(
      (resolve) => conn.on('message', (d) => resolve(d as never)),
    );
    const script = join(t.dir, 'client.py');
    writeFileSync(script, SCRIPT);
    const child = spawn(
      PYTHON!,
      [script, `${xname}@localhost`, password, String(xmppPorts(node).port), `${wname}@localhost`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: string[] = [];
    const waiters: [RegExp, (l: string) => void][] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      for (const w of [...waiters]) if (w[0].test(l)) w[1](l);
    });
    const line = (re: RegExp): Promise<string> =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => re.test(l));
        if (seen) return resolve(seen);
        waiters.push([re, resolve]);
        child.once('exit', () =>
          reject(new Error(`slixmpp exited: ${lines.join('\n')}\n${stderr.slice(-2000)}`)),
        );
      });
    try {
      const session = await line(/^SESSION /);
      expect(session).toMatch(new RegExp(`^SESSION ${xname}@localhost/`));
      expect(await line(/^SM /)).toMatch(/^SM \S{16,} True$/);
      const m = (await fromXmpp).message;
      expect(m.text).toBe('hello from slixmpp');
      expect(m.from.username).toBe(xname);
      await web.sendMessage(xname, 'hello back', 'w-slix');
      expect(await line(/^GOT /)).toBe(`GOT ${wname}@localhost hello back`);
      await line(/^DONE$/);
    } finally {
      child.kill();
      conn.close();
    }
  });
});
