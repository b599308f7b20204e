import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { ircLogin, ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The IRC door against a real server: registration and login, rooms as
 * channels, direct messages both ways with a web (SDK) user, what arrived while
 * an IRC user was away, and refusals.
 */
const PASSWORD = 'password123';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC door (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: RawIrc[] = [];
    beforeAll(async () => {
      node = await startSingle(backend);
      port = ircPort(node);
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const login = async (u: string, caps: string[] = []) => {
      const c = await ircLogin(port, u, PASSWORD, caps);
      open.push(c);
      return c;
    };

    it('logs in with SASL PLAIN: the nick is the username, with the welcome burst', async () => {
      const name = uname('irc');
      await node.client().register(name, PASSWORD);
      const c = await login(name);
      const welcome = c.lines.find((l) => l.command === '001')!;
      expect(welcome.params[0]).toBe(name);
      const isupport = c.lines.filter((l) => l.command === '005').flatMap((l) => l.params);
      expect(isupport).toContain('CASEMAPPING=ascii');
      expect(isupport).toContain('CHANTYPES=#');
      expect(c.lines.some((l) => l.command === '900')).toBe(true);
    });

    it('PASS username:password works for clients without SASL; a wrong one is refused', async () => {
      const name = uname('pass');
      await node.client().register(name, PASSWORD);
      const c = await RawIrc.open(port);
      open.push(c);
      c.send(`PASS ${name}:${PASSWORD}`);
      c.send('NICK whatever');
      c.send('USER x 0 * :X');
      const w = await c.command('001');
      expect(w.params[0]).toBe(name);

      const bad = await RawIrc.open(port);
      open.push(bad);
      bad.send(`PASS ${name}:wrong-password`);
      bad.send(`NICK ${name}`);
      bad.send('USER x 0 * :X');
      await bad.command('464', 'password mismatch');
      await bad.command('ERROR');
      await bad.whenClosed();
      expect(bad.lines.some((l) => l.command === '001')).toBe(false);
    });

    it('a connection without a login is told how to log in and closed', async () => {
      const c = await RawIrc.open(port);
      open.push(c);
      c.send('NICK nobody');
      c.send('USER x 0 * :X');
      const e = await c.command('ERROR');
      expect(e.params[0]).toMatch(/Login required/);
      expect(c.lines.some((l) => l.command === 'NOTICE' && /SASL/.test(l.params[1] ?? ''))).toBe(
        true,
      );
    });

    it('rooms are channels: a web room is joined, its messages flow both ways', async () => {
      const web = node.client();
      const webName = uname('web');
      await web.register(webName, PASSWORD);
      const room = `ircroom${Date.now() % 100000}`;
      await web.rooms.create(room, { topic: 'Tea at four' });
      const ircName = uname('irc');
      await node.client().register(ircName, PASSWORD);
      const c = await login(ircName, ['server-time', 'message-tags']);

      c.send(`JOIN #${room}`);
      await c.wait((l) => l.command === 'JOIN' && l.params[0] === `#${room}`, 'own JOIN');
      const topic = await c.command('332', 'topic');
      expect(topic.params[2]).toBe('Tea at four');
      const names = await c.command('353', 'names');
      expect(names.params[3]!.split(' ')).toEqual(expect.arrayContaining([`~${webName}`, ircName]));

      // The web sees the IRC user join, and a message from IRC.
      const conn = await web.connect();
      const fromIrc = new Promise<ServerEvent>((resolve) =>
        conn.on('room.message', (d) => resolve(d as unknown as ServerEvent)),
      );
      c.send(`PRIVMSG #${room} :hello from irc`);
      const got = (await fromIrc) as unknown as {
        message: { text: string; from: { username: string } };
      };
      expect(got.message.text).toBe('hello from irc');
      expect(got.message.from.username).toBe(ircName);

      // A message from the web reaches IRC with its time and id.
      await web.rooms.send(room, 'hello from the web', 'w-1');
      const line = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'hello from the web',
        'room message from the web',
      );
      expect(line.params[0]).toBe(`#${room}`);
      expect(line.source.split('!')[0]).toBe(webName);
      expect(line.tags.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(line.tags.msgid).toBeTruthy();
      conn.close();
    });

    it('direct messages both ways between an IRC user and a web user', async () => {
      const web = node.client();
      const webName = uname('web');
      await web.register(webName, PASSWORD);
      const ircName = uname('irc');
      await node.client().register(ircName, PASSWORD);
      const c = await login(ircName);
      const conn = await web.connect();
      const got = new Promise<{ message: { text: string } }>((resolve) =>
        conn.on('message', (d) => resolve(d as unknown as { message: { text: string } })),
      );
      c.send(`PRIVMSG ${webName} :psst`);
      expect((await got).message.text).toBe('psst');
      await web.sendMessage(ircName, 'psst back', 'd-1');
      const line = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'psst back',
        'DM',
      );
      expect(line.params[0]).toBe(ircName);
      expect(line.source.split('!')[0]).toBe(webName);
      conn.close();
    });

    it('direct messages sent while the IRC user was away arrive at login', async () => {
      const web = node.client();
      const webName = uname('web');
      await web.register(webName, PASSWORD);
      const ircName = uname('away');
      await node.client().register(ircName, PASSWORD);
      await web.sendMessage(ircName, 'while you were out', 'o-1');
      const c = await login(ircName);
      const line = await c.wait(
        (l) => l.command === 'PRIVMSG' && /while you were out/.test(l.params[1] ?? ''),
        'the missed message',
      );
      expect(line.source.split('!')[0]).toBe(webName);
      await c.wait(
        (l) => l.command === 'NOTICE' && /while you were away/.test(l.params[1] ?? ''),
        'summary',
      );
    });

    it('ISON tells who is online only to those allowed to see their presence', async () => {
      const web = node.client();
      const webName = uname('web');
      await web.register(webName, PASSWORD);
      const conn = await web.connect();
      const ircName = uname('ison');
      const ircSdk = node.client();
      await ircSdk.register(ircName, PASSWORD);
      const c = await login(ircName);
      let mark = c.lines.length;
      c.send(`ISON ${webName}`);
      expect((await c.command('303', 'ISON, not a contact', mark)).params[1]).toBe('');
      await ircSdk.requestContact(webName);
      await web.approveContact(ircName);
      mark = c.lines.length;
      c.send(`ISON ${webName}`);
      expect((await c.command('303', 'ISON, a contact', mark)).params[1]).toBe(webName);
      conn.close();
    });

    it('refusals: unknown nick 401, unknown channel 403, not a member 404-style, junk commands 421', async () => {
      const name = uname('ref');
      await node.client().register(name, PASSWORD);
      const c = await login(name);
      c.send('PRIVMSG nosuchuser999 :hi');
      await c.command('401', 'no such nick');
      c.send('PRIVMSG #no-such-room-zz :hi');
      await c.command('403', 'no such channel');
      c.send('FROBNICATE x');
      await c.command('421', 'unknown command');
      c.send('JOIN &local');
      await c.command('403', 'only # channels');
      c.send('PRIVMSG');
      await c.command('411', 'no recipient');
      // A nick change is refused with 432: 902 would read as a failed SASL login (irssi quits).
      c.send('NICK someoneelse');
      const refused = await c.command('432', 'nick change refused');
      expect(refused.params[1]).toBe('someoneelse');
      expect(c.lines.some((l) => l.command === '902')).toBe(false);
      // Still connected and answering.
      c.send('PING :still-here');
      await c.wait((l) => l.command === 'PONG' && l.params[1] === 'still-here', 'PONG');
    });

    it('a line longer than any IRC line closes the connection with ERROR, and the server lives on', async () => {
      const name = uname('long');
      await node.client().register(name, PASSWORD);
      const c = await login(name);
      c.socket.write('PRIVMSG x :' + 'y'.repeat(20_000));
      const e = await c.command('ERROR');
      expect(e.params[0]).toMatch(/too long/i);
      await c.whenClosed();
      const again = await login(name);
      again.send('PING :ok');
      await again.command('PONG');
    });
  });
}
