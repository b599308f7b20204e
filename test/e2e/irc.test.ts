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

    it('without SASL or PASS: NickServ IDENTIFY logs in after registration, and nothing else works before', async () => {
      const name = uname('ns');
      await node.client().register(name, PASSWORD);
      const web = node.client();
      const webName = uname('ns');
      await web.register(webName, PASSWORD);
      await web.sendMessage(name, 'waiting for you', 'w-1');
      const c = await RawIrc.open(port);
      open.push(c);
      c.send(`NICK ${name}`);
      c.send('USER x 0 * :X');
      await c.command('001');
      await c.wait(
        (l) => l.command === 'NOTICE' && /NickServ IDENTIFY/.test(l.params[1] ?? ''),
        'how to log in',
      );
      let mark = c.lines.length;
      c.send(`PRIVMSG ${webName} :too early`);
      await c.wait(
        (l) => l.command === 'NOTICE' && /not logged in/.test(l.params[1] ?? ''),
        'refused',
        mark,
      );
      c.send('JOIN #anything');
      await c.wait(
        (l) => l.command === 'NOTICE' && /JOIN: you are not logged in/.test(l.params[1] ?? ''),
        'JOIN refused',
        mark,
      );
      mark = c.lines.length;
      c.send('PRIVMSG NickServ :IDENTIFY wrong-password');
      await c.wait(
        (l) => l.source.startsWith('NickServ!') && /Invalid/.test(l.params[1] ?? ''),
        'bad password',
        mark,
      );
      c.send(`PRIVMSG NickServ :IDENTIFY ${PASSWORD}`);
      await c.command('900', 'logged in', mark);
      // What waited arrives, and talking works.
      await c.wait(
        (l) => l.command === 'PRIVMSG' && /waiting for you$/.test(l.params[1] ?? ''),
        'missed message',
      );
      const conn = await web.connect();
      const got = new Promise<{ message: { text: string } }>((resolve) =>
        conn.on('message', (d) => resolve(d as { message: { text: string } })),
      );
      c.send(`PRIVMSG ${webName} :now I can`);
      expect((await got).message.text).toBe('now I can');
      conn.close();
    });

    it('NickServ IDENTIFY <account> takes the account’s nick; REGISTER makes an account on an open server', async () => {
      const name = uname('acct');
      await node.client().register(name, PASSWORD);
      const c = await RawIrc.open(port);
      open.push(c);
      c.send('NICK someone_else');
      c.send('USER x 0 * :X');
      await c.command('001');
      c.send(`PRIVMSG NickServ :IDENTIFY ${name} ${PASSWORD}`);
      const nick = await c.command('NICK', 'nick becomes the username');
      expect(nick.params[0]).toBe(name);
      await c.command('900');

      const fresh = uname('new');
      const r = await RawIrc.open(port);
      open.push(r);
      r.send(`NICK ${fresh}`);
      r.send('USER x 0 * :X');
      await r.command('001');
      r.send('PRIVMSG NickServ :REGISTER a-long-password-1');
      await r.command('900', 'registered and logged in');
      const viaWeb = node.client();
      await viaWeb.login(fresh, 'a-long-password-1');
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

    it('CHATHISTORY: LATEST, BEFORE by msgid and TARGETS, in batches, over a room and a direct conversation', async () => {
      const web = node.client();
      const webName = uname('hist');
      await web.register(webName, PASSWORD);
      const room = `hist${Date.now() % 100000}`;
      await web.rooms.create(room);
      const ircName = uname('hist');
      await node.client().register(ircName, PASSWORD);
      for (let i = 1; i <= 5; i++) await web.rooms.send(room, `room line ${i}`, `r-${i}`);
      await web.sendMessage(ircName, 'direct line 1', 'd-1');
      await web.sendMessage(ircName, 'direct line 2', 'd-2');
      const c = await login(ircName, ['batch', 'draft/chathistory', 'server-time', 'message-tags']);
      const isupport = c.lines.filter((l) => l.command === '005').flatMap((l) => l.params);
      expect(isupport).toContain('MSGREFTYPES=msgid,timestamp');
      c.send(`JOIN #${room}`);
      await c.command('366');

      const batchOf = async (cmd: string) => {
        const mark = c.lines.length;
        c.send(cmd);
        const open = await c.wait(
          (l) => l.command === 'BATCH' && l.params[0]!.startsWith('+'),
          cmd,
          mark,
        );
        const id = open.params[0]!.slice(1);
        await c.wait(
          (l) => l.command === 'BATCH' && l.params[0] === `-${id}`,
          `end of ${cmd}`,
          mark,
        );
        return { open, lines: c.lines.slice(mark).filter((l) => l.tags.batch === id) };
      };
      const latest = await batchOf(`CHATHISTORY LATEST #${room} * 3`);
      expect(latest.open.params.slice(1)).toEqual(['chathistory', `#${room}`]);
      expect(latest.lines.map((l) => l.params[1])).toEqual([
        'room line 3',
        'room line 4',
        'room line 5',
      ]);
      const before = await batchOf(
        `CHATHISTORY BEFORE #${room} msgid=${latest.lines[0]!.tags.msgid} 10`,
      );
      expect(before.lines.map((l) => l.params[1])).toEqual(['room line 1', 'room line 2']);
      const dm = await batchOf(`CHATHISTORY LATEST ${webName} * 10`);
      expect(dm.lines.map((l) => [l.source.split('!')[0], l.params[0], l.params[1]])).toEqual([
        [webName, ircName, 'direct line 1'],
        [webName, ircName, 'direct line 2'],
      ]);
      const targets = await batchOf(
        `CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=${new Date(Date.now() + 60_000).toISOString()} 10`,
      );
      expect(targets.lines.map((l) => l.params[1])).toEqual(
        expect.arrayContaining([`#${room}`, webName]),
      );
      // Hostile references are refused with FAIL, and nothing else changes.
      const mark = c.lines.length;
      c.send(`CHATHISTORY BEFORE #${room} bogus=1 10`);
      const f = await c.wait((l) => l.command === 'FAIL', 'FAIL', mark);
      expect(f.params.slice(0, 2)).toEqual(['CHATHISTORY', 'INVALID_PARAMS']);
      c.send('CHATHISTORY LATEST #no-such-room-q * 10');
      await c.wait(
        (l) => l.command === 'FAIL' && l.params[1] === 'INVALID_TARGET',
        'INVALID_TARGET',
        mark,
      );
    });

    it('MONITOR and away-notify follow a contact’s presence, only with consent', async () => {
      const web = node.client();
      const webName = uname('mon');
      await web.register(webName, PASSWORD);
      const ircName = uname('mon');
      const ircClient = node.client();
      await ircClient.register(ircName, PASSWORD);
      const stranger = uname('mon');
      await node.client().register(stranger, PASSWORD);
      await ircClient.requestContact(webName);
      await web.approveContact(ircName, true);
      const c = await login(ircName, ['away-notify']);
      const isupport = c.lines.filter((l) => l.command === '005').flatMap((l) => l.params);
      expect(isupport).toContain('MONITOR=100');
      c.send(`MONITOR + ${webName},${stranger}`);
      // Both are offline (one may also be told by the presence snapshot the session got).
      const offline = (u: string) =>
        c.wait((l) => l.command === '731' && l.params[1]!.split(',').includes(u), `${u} offline`);
      await offline(webName);
      await offline(stranger);
      const conn = await web.connect();
      const on = await c.command('730', 'online');
      expect(on.params[1]).toMatch(new RegExp(`^${webName}!`));
      await conn.setPresence('dnd', 'in a meeting');
      const away = await c.wait(
        (l) =>
          l.command === 'AWAY' &&
          l.source.startsWith(`${webName}!`) &&
          l.params[0] === 'in a meeting',
        'away-notify',
      );
      expect(away.params).toEqual(['in a meeting']);
      conn.close();
      // A stranger's presence is never told: still nothing but the first 731 for them.
      expect(
        c.lines.filter((l) => l.command === '730' && l.params[1]!.startsWith(`${stranger}!`)),
      ).toHaveLength(0);
    });

    it('message redaction: deletions reach IRC as REDACT, and REDACT from IRC deletes', async () => {
      const web = node.client();
      const webName = uname('red');
      await web.register(webName, PASSWORD);
      const room = `red${Date.now() % 100000}`;
      await web.rooms.create(room);
      const ircName = uname('red');
      await node.client().register(ircName, PASSWORD);
      const c = await login(ircName, ['draft/message-redaction', 'message-tags', 'echo-message']);
      c.send(`JOIN #${room}`);
      await c.command('366');
      const sent = await web.rooms.send(room, 'soon gone', 'g-1');
      await web.rooms.delete(room, sent.message.id);
      const r = await c.wait((l) => l.command === 'REDACT', 'REDACT from the web');
      expect(r.params).toEqual([`#${room}`, sent.message.id]);

      c.send(`PRIVMSG #${room} :my mistake`);
      const own = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'my mistake',
        'echo with msgid',
      );
      const conn = await web.connect();
      const deleted = new Promise<{ change: string; message: { id: string } }>((resolve) =>
        conn.on('room.message', (d) => {
          if (d.change === 'deleted') resolve(d as { change: string; message: { id: string } });
        }),
      );
      c.send(`REDACT #${room} ${own.tags.msgid}`);
      expect((await deleted).message.id).toBe(own.tags.msgid);
      // Someone else's message cannot be redacted by a plain member.
      const other = await web.rooms.send(room, 'not yours', 'g-2');
      c.send(`REDACT #${room} ${other.message.id}`);
      const f = await c.wait(
        (l) => l.command === 'FAIL' && l.params[0] === 'REDACT',
        'FAIL REDACT',
      );
      expect(f.params[1]).toBe('REDACT_FORBIDDEN');
      conn.close();
    });

    it('labeled-response, extended-join, userhost-in-names and +typing', async () => {
      const web = node.client();
      const webName = uname('cap');
      await web.register(webName, PASSWORD);
      const room = `caps${Date.now() % 100000}`;
      await web.rooms.create(room);
      const ircName = uname('cap');
      await node.client().register(ircName, PASSWORD);
      const caps = [
        'labeled-response',
        'batch',
        'extended-join',
        'userhost-in-names',
        'message-tags',
      ];
      const c = await login(ircName, caps);

      // One answer carries the label; several come in a labelled batch; none is an ACK.
      let mark = c.lines.length;
      c.send('@label=p1 PING :x');
      const pong = await c.wait((l) => l.command === 'PONG', 'labelled PONG', mark);
      expect(pong.tags.label).toBe('p1');
      mark = c.lines.length;
      c.send(`@label=j1 JOIN #${room}`);
      const open = await c.wait(
        (l) => l.command === 'BATCH' && l.tags.label === 'j1',
        'batch',
        mark,
      );
      expect(open.params[1]).toBe('labeled-response');
      const id = open.params[0]!.slice(1);
      await c.wait((l) => l.command === 'BATCH' && l.params[0] === `-${id}`, 'batch end', mark);
      const inBatch = c.lines.slice(mark).filter((l) => l.tags.batch === id);
      const join = inBatch.find((l) => l.command === 'JOIN')!;
      expect(join.params).toEqual([`#${room}`, ircName, ircName]);
      const names = inBatch.find((l) => l.command === '353')!;
      expect(names.params[3]).toContain(`~${webName}!`);
      mark = c.lines.length;
      c.send(`@label=a1 AWAY`);
      c.send(`@label=t1 TAGMSG #${room}`);
      const ack = await c.wait((l) => l.command === 'ACK', 'ACK', mark);
      expect(ack.tags.label).toBe('t1');

      // Typing both ways: the web's shows as TAGMSG +typing, IRC's reaches the web.
      const conn = await web.connect();
      await conn.roomTyping(room, 'start');
      const webTyping = await c.wait(
        (l) => l.command === 'TAGMSG' && l.source.startsWith(`${webName}!`),
        'TAGMSG +typing',
      );
      expect(webTyping.tags['+typing']).toBe('active');
      expect(webTyping.params).toEqual([`#${room}`]);
      const typingEvent = new Promise<{ user: { username: string } }>((resolve) =>
        conn.on('room.typing', (d) => resolve(d as { user: { username: string } })),
      );
      c.send(`@+typing=active TAGMSG #${room}`);
      expect((await typingEvent).user.username).toBe(ircName);
      conn.close();
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
