import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyStoreBackend } from '../helpers/backends.js';
import { ircPort } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';
import { installed, Tmux } from '../helpers/tmux.js';

/**
 * WeeChat (Debian's) in tmux, typed at as a person would (the commands docs/irc.md
 * and README give): SASL PLAIN, joining a room made on the web, saying something a
 * web (SDK) user receives, an action (/me), and reading what the web user says on
 * the screen.
 * The test waits for text on the screen, polling until a deadline.
 */
const PASSWORD = 'password123';
const missing = ['weechat', 'tmux'].filter(
  (p) => !installed(p, p === 'weechat' ? '--version' : '-V'),
);

const suite = missing.length ? describe.skip : describe;
const title = missing.length
  ? `WeeChat in tmux (skipped: not installed here: ${missing.join(', ')})`
  : 'WeeChat in tmux (sqlite)';

/** Whether the program in the terminal has ended (its tmux session with it). */
function gone(t: Tmux): boolean {
  try {
    t.screen();
    return false;
  } catch {
    return true;
  }
}

type Received = { message: { text: string; from: { username: string } } };

suite(title, () => {
  let node: Awaited<ReturnType<typeof startSingle>>;
  let home: string;
  let term: Tmux | undefined;
  beforeAll(async () => {
    node = await startSingle(everyStoreBackend()[0]!);
    home = mkdtempSync(join(tmpdir(), 'parley-weechat-'));
  });
  afterAll(async () => {
    // WeeChat saves its files as it quits: let it finish (its session ends) before removing them.
    if (term) {
      term.type('/quit');
      const end = Date.now() + 10_000;
      while (Date.now() < end && gone(term) === false) await new Promise((r) => setTimeout(r, 100));
      term.kill();
    }
    rmSync(home, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    await node.dispose();
  });

  it('connects with SASL, joins a web room, and talks both ways with a web user', async () => {
    const web = node.client();
    const webName = uname('web');
    await web.register(webName, PASSWORD);
    const room = `weechat${Date.now() % 100000}`;
    await web.rooms.create(room, { topic: 'Terminal people welcome' });
    const conn = await web.connect();
    const got: string[] = [];
    const waiting: { text: string; resolve: (m: Received) => void }[] = [];
    conn.on('room.message', (d) => {
      const m = d as unknown as Received;
      got.push(m.message.text);
      for (const w of waiting.filter((x) => x.text === m.message.text)) w.resolve(m);
    });
    const webReceives = (text: string) =>
      new Promise<Received>((resolve) => {
        waiting.push({ text, resolve });
      });

    const ircName = uname('wee');
    await node.client().register(ircName, PASSWORD);
    const port = ircPort(node);

    term = new Tmux(['weechat', '--dir', home], { TERM: 'xterm', LANG: 'C.UTF-8' });
    await term.waitFor(/WeeChat \d/, 'WeeChat started');
    // Plain: WeeChat 3.8's default (4.0 made TLS the default and renamed -nossl to -notls).
    term.type(
      `/server add parley 127.0.0.1/${port} -nicks=${ircName} -sasl_mechanism=plain -sasl_username=${ircName} -sasl_password=${PASSWORD}`,
    );
    term.type('/connect parley');
    await term.waitFor(/SASL authentication successful/, 'the SASL login');
    await term.waitFor(/End of \/MOTD command/, 'the welcome burst');

    term.type(`/join #${room}`);
    // WeeChat switches to the channel's buffer on join.
    await term.waitFor(/Terminal people welcome/, 'the topic on join');
    await term.waitFor(new RegExp(`~${webName}`), 'the owner in the names list');

    const hello = webReceives('hello from weechat');
    term.type('hello from weechat');
    expect((await hello).message.from.username).toBe(ircName);

    const action = webReceives('/me waves from a terminal');
    term.type('/me waves from a terminal');
    await action;

    await web.rooms.send(room, 'hello from the web', 'weechat-1');
    await term.waitFor(
      new RegExp(`~?${webName}\\s*\\S\\s*hello from the web`),
      "the web user's line",
    );

    await web.rooms.send(room, '/me nods', 'weechat-2');
    await term.waitFor(new RegExp(`\\*\\s*\\S?\\s*~?${webName} nods`), "the web user's action");
    conn.close();
  });
});
