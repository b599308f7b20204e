import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { installed, Tmux } from '../helpers/tmux.js';
import { xmppPorts } from '../helpers/xmpp.js';

/**
 * A real terminal XMPP client from Debian, Profanity, in tmux, typed at as a
 * person would (the steps docs/xmpp.md gives): STARTTLS with the self-signed
 * certificate trusted by hand, SASL, a subscription request the web user approves,
 * a message from the web shown in Profanity's chat window, and an answer the web
 * user receives. The test waits for text on the screen, polling until a deadline.
 * .ci/run installs profanity and tmux, so CI never skips it.
 */
const PASSWORD = 'password123';
const missing = ['profanity', 'tmux'].filter(
  (p) => !installed(p, p === 'profanity' ? '--version' : '-V'),
);

const suite = missing.length ? describe.skip : describe;
const title = missing.length
  ? `Profanity in tmux (skipped: not installed here: ${missing.join(', ')}; .ci/run installs them)`
  : 'Profanity in tmux (sqlite)';

type Received = { message: { text: string; from: { username: string } } };

suite(title, () => {
  let node: Awaited<ReturnType<typeof startSingle>>;
  let home: string;
  let term: Tmux | undefined;
  beforeAll(async () => {
    node = await startSingle(everyStoreBackend()[0]!, { xmpp: { port: 0, tls_port: -1 } });
    home = mkdtempSync(join(tmpdir(), 'parley-profanity-'));
  });
  afterAll(async () => {
    term?.kill();
    rmSync(home, { recursive: true, force: true });
    await node.dispose();
  });

  it('logs in over STARTTLS, becomes a contact of a web user, and chats both ways', async () => {
    const web = node.client();
    const webName = uname('pw');
    const xName = uname('px');
    await web.register(webName, PASSWORD);
    const conn = await web.connect();
    const requested = new Promise<void>((resolve) =>
      conn.on('contact.updated', (d) => {
        const c = (d as { contact?: { username?: string; pendingIn?: boolean } }).contact;
        if (c?.username === xName && c.pendingIn) resolve();
      }),
    );
    const fromXmpp = new Promise<Received>((resolve) =>
      conn.on('message', (d) => {
        const m = d as unknown as Received;
        if (m.message.text === 'hello from profanity') resolve(m);
      }),
    );

    await node.client().register(xName, PASSWORD);
    const port = xmppPorts(node).port!;

    term = new Tmux(['profanity'], {
      TERM: 'xterm',
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
    });
    await term.waitFor(/Type '\/help'/, 'Profanity started');
    term.type(`/connect ${xName}@localhost server 127.0.0.1 port ${port} tls force`);
    await term.waitFor(/Enter password:/, 'the password prompt');
    term.type(PASSWORD);
    // The self-signed certificate Parley made at first start: a person compares
    // the fingerprint with the server's log and allows it.
    await term.waitFor(/Organisation\s*: Parley \(self-signed\)/, 'the certificate');
    term.type('/tls allow');
    await term.waitFor(
      new RegExp(`${xName}@localhost/\\S+ logged in successfully`),
      'the login (SASL and bind)',
    );

    term.type(`/roster add ${webName}@localhost`);
    term.type(`/sub request ${webName}@localhost`);
    await requested;
    await web.approveContact(xName);
    term.type('/roster');
    await term.waitFor(new RegExp(`${webName}@localhost - both`), 'the approved contact');

    await web.sendMessage(xName, 'hello from the web', 'prof-1');
    await term.waitFor(new RegExp(`<< chat message: ${webName}@localhost`), 'the new chat');
    term.type(`/msg ${webName}@localhost hello from profanity`);
    await term.waitFor(new RegExp(`${webName}@localhost: hello from the web`), "the web's line");
    const got = await fromXmpp;
    expect(got.message.from.username).toBe(xName);
    conn.close();
  });
});
