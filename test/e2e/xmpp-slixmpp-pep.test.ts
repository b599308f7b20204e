import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../helpers/avatars.js';
import { everyStoreBackend, tempDir } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { xmppPorts } from '../helpers/xmpp.js';

/**
 * PEP through a real client library, slixmpp (Debian's python3-slixmpp): its
 * user avatar (XEP-0084) and nickname (XEP-0172) plugins publish, the web
 * reads them; a web contact's new avatar reaches the client as a PEP event,
 * filtered by the +notify its caps (XEP-0115) announce. Each step prints a
 * line the test waits for.
 */
const PYTHON = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import slixmpp'], { stdio: 'ignore' }).status === 0,
);

const SCRIPT = `
import ssl, sys, hashlib, base64, slixmpp
from slixmpp.exceptions import IqError
jid, password, port, peer, image = sys.argv[1:6]
data = base64.b64decode(image)

class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password, sasl_mech='SCRAM-SHA-256')
        for p in ['xep_0030', 'xep_0060', 'xep_0115', 'xep_0163', 'xep_0084', 'xep_0172']:
            self.register_plugin(p)
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('avatar_metadata_publish', self.avatar)
        self.add_event_handler('failed_auth', lambda e: (print('FAILED_AUTH', flush=True), self.disconnect()))

    def avatar(self, msg):
        if msg['from'].bare != peer:
            return
        for info in msg['pubsub_event']['items']['item']['avatar_metadata']['items']:
            print('PEER_AVATAR', info['id'], info['type'], flush=True)
            self.disconnect()

    async def start(self, event):
        try:
            print('SESSION', self.boundjid.full, flush=True)
            self.send_presence()
            await self.get_roster()
            sha = hashlib.sha1(data).hexdigest()
            r = await self['xep_0084'].publish_avatar(data)
            served = r['pubsub']['publish']['item']['id']
            await self['xep_0084'].publish_avatar_metadata([{'id': sha, 'type': 'image/png', 'bytes': len(data)}])
            print('PUBLISHED', served, flush=True)
            await self['xep_0172'].publish_nick('Slix the Client')
            print('NICK', flush=True)
            items = await self['xep_0060'].get_items(self.boundjid.bare, 'urn:xmpp:avatar:metadata')
            print('OWN_META', items['pubsub']['items']['item']['id'], flush=True)
        except IqError as e:
            print('IQERROR', e.iq['error']['condition'], e.iq['error']['text'], flush=True)
            self.disconnect()
        except Exception as e:
            print('EXCEPTION', repr(e), flush=True)
            self.disconnect()

c = Client()
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

describe.skipIf(!PYTHON)('XMPP PEP with slixmpp', () => {
  let node: Awaited<ReturnType<typeof startSingle>>;
  const t = tempDir('parley-slixmpp-pep-');
  beforeAll(async () => {
    node = await startSingle(backend, { xmpp: { port: 0, tls_port: -1 } });
  });
  afterAll(async () => {
    await node.dispose();
    t.cleanup();
  });

  /** Runs the script for `xname`; `line(re)` waits for its output. */
  function run(xname: string, password: string, peer: string, image: Buffer) {
    const script = join(t.dir, 'client.py');
    writeFileSync(script, SCRIPT);
    const child = spawn(
      PYTHON!,
      [
        script,
        `${xname}@localhost`,
        password,
        String(xmppPorts(node).port),
        `${peer}@localhost`,
        image.toString('base64'),
      ],
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
    return { child, line };
  }

  it('publishes an avatar and a nickname the web reads, and hears a web contact’s new avatar', async () => {
    const password = 'correct horse battery';
    const xname = uname('sp');
    const wname = uname('sq');
    const x = node.client();
    await x.register(xname, password);
    const web = node.client();
    await web.register(wname, password);
    await web.requestContact(xname);
    await x.approveContact(wname);
    const { child, line } = run(xname, password, wname, await png('navy', 40));
    try {
      expect(await line(/^SESSION /)).toMatch(new RegExp(`^SESSION ${xname}@localhost/`));
      const served = (await line(/^PUBLISHED /)).split(' ')[1]!;
      expect(served).toMatch(/^[0-9a-f]{40}$/);
      expect((await web.profile(xname)).avatar).toBe(served);
      const bytes = Buffer.from(await (await web.avatar(xname))!.arrayBuffer());
      expect(createHash('sha1').update(bytes).digest('hex')).toBe(served);
      await line(/^NICK$/);
      expect((await web.profile(xname)).displayName).toBe('Slix the Client');
      expect(await line(/^OWN_META /)).toBe(`OWN_META ${served}`);
      const mine = await web.setAvatar(await png('gold', 24));
      expect(await line(/^PEER_AVATAR /)).toBe(`PEER_AVATAR ${mine.hash} image/png`);
      await line(/^DONE$/);
    } finally {
      child.kill();
    }
  });
});
