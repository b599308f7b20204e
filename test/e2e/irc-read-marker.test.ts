import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { type IrcLine, ircLogin, ircPort, type RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * draft/read-marker: MARKREAD moves the same markers the web moves, and a read on
 * the web reaches IRC clients as MARKREAD (rooms and direct conversations);
 * channels say their marker on JOIN, before the end of NAMES.
 */
const PASSWORD = 'password123';
const CAPS = ['draft/read-marker', 'server-time', 'message-tags'];

const isMark = (target: string, value?: string) => (l: IrcLine) =>
  l.command === 'MARKREAD' &&
  l.params[0] === target &&
  (value === undefined || l.params[1] === value);

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC read markers (${backend.name})`, () => {
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
    const login = async (u: string, caps = CAPS) => {
      const c = await ircLogin(port, u, PASSWORD, caps);
      open.push(c);
      return c;
    };

    it('a channel: MARKREAD on JOIN, set from IRC reaches the web, set on the web reaches IRC', async () => {
      const web = node.client();
      const webName = uname('mrw');
      await web.register(webName, PASSWORD);
      const me = node.client();
      const name = uname('mri');
      await me.register(name, PASSWORD);
      const room = `marks${Date.now() % 100000}`;
      await web.rooms.create(room);

      const c = await login(name);
      c.send(`JOIN #${room}`);
      const mark = await c.wait(isMark(`#${room}`), 'MARKREAD on join');
      expect(mark.params[1]).toBe('*');
      // Before the end of NAMES (the spec's order).
      const endOfNames = await c.command('366');
      const at = c.lines.indexOf(mark);
      const end = c.lines.indexOf(endOfNames);
      expect(end).toBeGreaterThan(at);

      const first = await web.rooms.send(room, 'one', 'm-1');
      const line = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'one',
        'the first message',
      );
      const t1 = line.tags.time!;
      expect(t1).toBeTruthy();
      let since = c.lines.length;
      c.send(`MARKREAD #${room} timestamp=${t1}`);
      await c.wait(isMark(`#${room}`, `timestamp=${t1}`), 'MARKREAD answered', since);
      const mine = await me.rooms.mine();
      expect(mine.rooms.find((r) => r.name === room)!.read).toBe(first.roomSeq);

      // Read on the web: the IRC client follows.
      const second = await web.rooms.send(room, 'two', 'm-2');
      const line2 = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'two',
        'the second message',
      );
      since = c.lines.length;
      const conn = await me.connect();
      await conn.markRoomRead(room, second.roomSeq!);
      await c.wait(isMark(`#${room}`, `timestamp=${line2.tags.time}`), 'told by the web', since);
      conn.close();

      // An older timestamp leaves the marker where it is: the answer is the stored one.
      since = c.lines.length;
      c.send(`MARKREAD #${room} timestamp=${t1}`);
      await c.wait(isMark(`#${room}`, `timestamp=${line2.tags.time}`), 'stored one', since);
      // A get says the same; a reconnecting client is told on its autojoin.
      since = c.lines.length;
      c.send(`MARKREAD #${room}`);
      await c.wait(isMark(`#${room}`, `timestamp=${line2.tags.time}`), 'get', since);
      const again = await login(name);
      const told = await again.wait(isMark(`#${room}`), 'told on autojoin');
      expect(told.params[1]).toBe(`timestamp=${line2.tags.time}`);
    });

    it('a direct conversation: set on the web reaches IRC; get and set from IRC', async () => {
      const web = node.client();
      const webName = uname('mdw');
      await web.register(webName, PASSWORD);
      const me = node.client();
      const name = uname('mdi');
      await me.register(name, PASSWORD);
      const c = await login(name);
      c.send(`MARKREAD ${webName}`);
      await c.wait(isMark(webName, '*'), 'none yet');

      const sent = await web.sendMessage(name, 'hello you', 'd-1');
      const line = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'hello you',
        'the message',
      );
      const since = c.lines.length;
      const conn = await me.connect();
      await conn.markRead(webName, sent.message.seq);
      await c.wait(isMark(webName, `timestamp=${line.tags.time}`), 'told by the web', since);
      conn.close();

      const more = await web.sendMessage(name, 'and more', 'd-2');
      const line2 = await c.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'and more',
        'the second message',
      );
      c.send(`MARKREAD ${webName} timestamp=${line2.tags.time}`);
      await c.wait(isMark(webName, `timestamp=${line2.tags.time}`), 'set');
      expect((await me.markers(webName)).read).toBe(more.message.seq);
    });

    it('hostile MARKREAD: missing, malformed and foreign targets get FAIL and change nothing', async () => {
      const name = uname('mrh');
      await node.client().register(name, PASSWORD);
      const c = await login(name, [...CAPS, 'labeled-response', 'batch']);
      const fails: [string, string][] = [
        ['MARKREAD', 'NEED_MORE_PARAMS'],
        ['MARKREAD #nosuchroomhere timestamp=2020-01-01T00:00:00.000Z', 'INVALID_PARAMS'],
        ['MARKREAD #ok timestamp=yesterday', 'INVALID_PARAMS'],
        ['MARKREAD #ok *', 'INVALID_PARAMS'],
        ['MARKREAD #ok timestamp=2020-13-45T99:99:99.999Z', 'INVALID_PARAMS'],
        [`MARKREAD ${'n'.repeat(400)} timestamp=2020-01-01T00:00:00.000Z`, 'INVALID_PARAMS'],
        ['MARKREAD &local', 'INVALID_PARAMS'],
        ['MARKREAD nosuchuserzz', 'INVALID_PARAMS'],
        ['MARKREAD \u0001\u0002', 'INVALID_PARAMS'],
      ];
      let n = 0;
      for (const [line, code] of fails) {
        const label = `h${++n}`;
        c.send(`@label=${label} ${line}`);
        const got = await c.wait((l) => l.tags.label === label, line);
        expect(got.command, line).toBe('FAIL');
        expect(got.params.slice(0, 2), line).toEqual(['MARKREAD', code]);
      }
      // Still connected and working.
      c.send('PING :alive');
      await c.wait((l) => l.command === 'PONG' && l.params[1] === 'alive', 'alive');
    });
  });
}
