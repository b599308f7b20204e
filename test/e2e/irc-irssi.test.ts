import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyStoreBackend } from '../helpers/backends.js';
import { ircPort } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';
import { installed, Tmux } from '../helpers/tmux.js';

/**
 * A real terminal IRC client from Debian, irssi, in tmux, typed at as a person
 * would (the commands docs/irc.md gives): SASL PLAIN, joining a room made on the
 * web, saying something a web (SDK) user receives, an action (/me), and reading
 * what the web user says on the screen. The test waits for text on the screen,
 * polling until a deadline. .ci/run installs irssi and tmux, so CI never skips it.
 */
const PASSWORD = 'password123';
const missing = ['irssi', 'tmux'].filter((p) => !installed(p, p === 'irssi' ? '--version' : '-V'));

const suite = missing.length ? describe.skip : describe;
const title = missing.length
  ? `irssi in tmux (skipped: not installed here: ${missing.join(', ')}; .ci/run installs them)`
  : 'irssi in tmux (sqlite)';

type Received = { message: { text: string; from: { username: string } } };

suite(title, () => {
  let node: Awaited<ReturnType<typeof startSingle>>;
  let home: string;
  let term: Tmux | undefined;
  beforeAll(async () => {
    node = await startSingle(everyStoreBackend()[0]!);
    home = mkdtempSync(join(tmpdir(), 'parley-irssi-'));
  });
  afterAll(async () => {
    term?.kill();
    rmSync(home, { recursive: true, force: true });
    await node.dispose();
  });

  it('connects with SASL, joins a web room, and talks both ways with a web user', async () => {
    const web = node.client();
    const webName = uname('web');
    await web.register(webName, PASSWORD);
    const room = `irssi${Date.now() % 100000}`;
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

    const ircName = uname('irssi');
    await node.client().register(ircName, PASSWORD);
    const port = ircPort(node);

    term = new Tmux(['irssi', `--home=${home}`, '-n', ircName], { TERM: 'xterm' });
    await term.waitFor(/Irssi v\d/, 'irssi started');
    // irssi sends 5 commands at once, then one per 2.2 s (its flood control): the
    // channel sync alone would take seconds. More at once changes nothing else.
    term.type('/set cmds_max_at_once 100');
    term.type(
      `/network add -sasl_username ${ircName} -sasl_password ${PASSWORD} -sasl_mechanism PLAIN parley`,
    );
    term.type(`/server add -network parley 127.0.0.1 ${port}`);
    term.type('/connect parley');
    await term.waitFor(/SASL authentication succeeded/, 'the SASL login');
    await term.waitFor(/End of \/MOTD command/, 'the welcome burst');

    term.type(`/join #${room}`);
    await term.waitFor(
      new RegExp(`Topic for #${room}: Terminal people welcome`),
      'the topic on join',
    );
    await term.waitFor(new RegExp(`\\[~${webName}\\]`), 'the owner in the names list');
    // irssi's channel sync (MODE, WHO, MODE b) finished: it tells when it did.
    await term.waitFor(new RegExp(`Join to #${room} was synced`), 'the channel sync');

    const hello = webReceives('hello from irssi');
    term.type('hello from irssi');
    expect((await hello).message.from.username).toBe(ircName);

    const action = webReceives('/me waves from a terminal');
    term.type('/me waves from a terminal');
    await action;

    await web.rooms.send(room, 'hello from the web', 'irssi-1');
    await term.waitFor(new RegExp(`<~${webName}> hello from the web`), "the web user's line");

    await web.rooms.send(room, '/me nods', 'irssi-2');
    await term.waitFor(new RegExp(`\\* ${webName} nods`), "the web user's action");
    conn.close();
  });
});
