import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyStoreBackend, tempDir } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { xmppPorts } from '../helpers/xmpp.js';

/**
 * The account-side extensions through a real client library, slixmpp
 * (Debian's python3-slixmpp): its MAM plugin (XEP-0313) pages the archive
 * both ways with RSM; blocking (XEP-0191) meets the web's blocks; last
 * activity (XEP-0012), entity time (XEP-0202), bookmarks in private XML
 * storage (XEP-0049) and in-band registration's password change (XEP-0077). Each step prints a line the test waits for.
 */
const PYTHON = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import slixmpp'], { stdio: 'ignore' }).status === 0,
);

const SCRIPT = `
import ssl, sys, slixmpp
from slixmpp.exceptions import IqError
from slixmpp.plugins.xep_0048 import Bookmarks
jid, password, port, peer = sys.argv[1:5]

class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password, sasl_mech='SCRAM-SHA-256')
        for p in ['xep_0030', 'xep_0059', 'xep_0313', 'xep_0191', 'xep_0012', 'xep_0202', 'xep_0077', 'xep_0049']:
            self.register_plugin(p)
        self.register_plugin('xep_0048', {'storage_method': 'xep_0049'})
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('failed_auth', lambda e: (print('FAILED_AUTH', flush=True), self.disconnect()))

    async def start(self, event):
        try:
            await self.steps()
        except IqError as e:
            print('IQERROR', e.iq['error']['condition'], e.iq['error']['text'], flush=True)
        except Exception as e:
            print('EXCEPTION', repr(e), flush=True)
        self.disconnect()

    async def steps(self):
        print('SESSION', self.boundjid.full, flush=True)
        info = await self['xep_0030'].get_info(jid=self.boundjid.bare)
        print('MAM_FEATURE', 'urn:xmpp:mam:2' in info['disco_info']['features'], flush=True)
        forward = []
        async for m in self['xep_0313'].iterate(with_jid=slixmpp.JID(peer), rsm={'max': 2}):
            forward.append(m['mam_result']['forwarded']['stanza']['body'])
        print('MAM_FORWARD', '|'.join(forward), flush=True)
        back = []
        async for m in self['xep_0313'].iterate(rsm={'max': 2}, reverse=True, total=3):
            back.append(m['mam_result']['forwarded']['stanza']['body'])
        print('MAM_BACK', '|'.join(back), flush=True)
        await self['xep_0191'].block([slixmpp.JID(peer)])
        got = await self['xep_0191'].get_blocked()
        print('BLOCKED', ','.join(sorted(str(j) for j in got['blocklist']['items'])), flush=True)
        await self.wait_until('unblocked', 30)
        got = await self['xep_0191'].get_blocked()
        print('BLOCKED_AFTER', len(got['blocklist']['items']), flush=True)
        last = await self['xep_0012'].get_last_activity(slixmpp.JID('localhost'))
        print('UPTIME', last['last_activity']['seconds'] >= 0, flush=True)
        t = await self['xep_0202'].get_entity_time(slixmpp.JID('localhost'))
        # slixmpp appends its own Z to <utc> (which XEP-0202 writes with one): read the text.
        utc = t.xml.find('{urn:xmpp:time}time/{urn:xmpp:time}utc').text
        print('TIME', utc.startswith('20') and utc.endswith('Z'), flush=True)
        b = Bookmarks()
        b.add_conference('room@conference.localhost', 'me', name='R & D', autojoin=False)
        await self['xep_0048'].set_bookmarks(b, method='xep_0049')
        got = await self['xep_0048'].get_bookmarks(method='xep_0049')
        print('BOOKMARKS', ','.join(str(c['jid']) + '=' + c['name'] for c in got['private']['bookmarks']['conferences']), flush=True)
        try:
            await self['xep_0077'].change_password('a new password here')
            print('CHANGED', flush=True)
        except IqError as e:
            print('CHANGE_REFUSED', e.iq['error']['condition'], flush=True)

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

describe.skipIf(!PYTHON)('XMPP account extensions with slixmpp', () => {
  let node: Awaited<ReturnType<typeof startSingle>>;
  const t = tempDir('parley-slixmpp-account-');
  beforeAll(async () => {
    node = await startSingle(backend, { xmpp: { port: 0, tls_port: -1 } });
  });
  afterAll(async () => {
    await node.dispose();
    t.cleanup();
  });

  /** Runs the script for `xname`; `line(re)` waits for its output. */
  function run(xname: string, password: string, peer: string) {
    const script = join(t.dir, 'client.py');
    writeFileSync(script, SCRIPT);
    const child = spawn(
      PYTHON!,
      [script, `${xname}@localhost`, password, String(xmppPorts(node).port), `${peer}@localhost`],
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

  it('pages the archive with the MAM plugin, forward by JID and back from the newest', async () => {
    const password = 'correct horse battery';
    const xname = uname('sa');
    const wname = uname('sb');
    const other = uname('sc');
    const x = node.client();
    await x.register(xname, password);
    const web = node.client();
    await web.register(wname, password);
    const third = node.client();
    await third.register(other, password);
    for (let i = 1; i <= 5; i++) await web.sendMessage(xname, `w${i}`, `w-${i}`);
    await x.sendMessage(wname, 'x6', 'x-6');
    await third.sendMessage(xname, 'o7', 'o-7');
    const { child, line } = run(xname, password, wname);
    try {
      expect(await line(/^SESSION /)).toMatch(new RegExp(`^SESSION ${xname}@localhost/`));
      expect(await line(/^MAM_FEATURE /)).toBe('MAM_FEATURE True');
      expect(await line(/^MAM_FORWARD /)).toBe('MAM_FORWARD w1|w2|w3|w4|w5|x6');
      expect(await line(/^MAM_BACK /)).toBe('MAM_BACK o7|x6|w5');
      // Blocking: the block is core's; an unblock on the web is pushed to the client.
      expect(await line(/^BLOCKED /)).toBe(`BLOCKED ${wname}@localhost`);
      expect((await x.blocked()).map((b) => b.username)).toEqual([wname]);
      await x.unblock(wname);
      expect(await line(/^BLOCKED_AFTER /)).toBe('BLOCKED_AFTER 0');
      expect(await line(/^UPTIME /)).toBe('UPTIME True');
      expect(await line(/^TIME /)).toBe('TIME True');
      // Bookmarks in private XML storage (XEP-0048 over XEP-0049).
      expect(await line(/^BOOKMARKS /)).toBe('BOOKMARKS room@conference.localhost=R & D');
      // The legacy password change has no current password: the server asks for it.
      expect(await line(/^CHANGE/)).toBe('CHANGE_REFUSED not-authorized');
      await line(/^DONE$/);
    } finally {
      child.kill();
    }
  });
});
