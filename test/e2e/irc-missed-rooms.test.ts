import { expect, it } from 'vitest';
import { MISSED_PER_ROOM } from '../../src/doors/irc/handlers/missed-rooms.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { type IrcLine, type RawIrc, useIrcNode } from '../helpers/irc.js';
import { type Person, signUp } from '../helpers/people.js';

/**
 * Room messages missed while away reach IRC clients without draft/chathistory at
 * login: past the account's read marker, the newest up to MISSED_PER_ROOM per room,
 * oldest first, in a chathistory batch (batch + server-time) or as plain lines
 * with a time prefix and a NOTICE; clients with draft/chathistory get none.
 */
const PASSWORD = 'password123';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC room messages missed while away (${backend.name})`, () => {
    // The bound test sends MISSED_PER_ROOM + 5 messages at once: past the default burst.
    const irc = useIrcNode(backend, {
      password: PASSWORD,
      config: { messages: { per_second: 1000, burst: 1000 } },
    });
    /** Logs in, then waits until everything the login sends is out (a PONG after it). */
    const login = async (u: string, caps: string[]) => {
      const c = await irc.login(u, caps);
      c.send('PING :settled');
      await c.wait((l) => l.command === 'PONG' && l.params.at(-1) === 'settled', 'PONG');
      c.close();
      return c;
    };
    const said = (c: RawIrc, channel: string) =>
      c.lines.filter((l) => l.command === 'PRIVMSG' && l.params[0] === channel);

    it('past the read marker: a batch, plain lines with a NOTICE, nothing for chathistory clients', async () => {
      const [{ c: web }, { c: me, name }] = (await signUp(irc.node, 2, 'mr')) as [Person, Person];
      const room = `missed${Date.now() % 100000}`;
      const channel = `#${room}`;
      await web.rooms.create(room);
      await me.rooms.join(room);
      const read = await web.rooms.send(room, 'already read', 'r-0');
      const conn = await me.connect();
      await conn.markRoomRead(room, read.roomSeq!);
      conn.close();
      await web.rooms.send(room, 'one', 'r-1');
      const gone = await web.rooms.send(room, 'deleted', 'r-2');
      await web.rooms.delete(room, gone.message.id);
      await me.rooms.send(room, 'mine from the web', 'r-3');
      await web.rooms.send(room, 'two', 'r-4');
      const expected = ['one', 'mine from the web', 'two'];

      // batch + server-time: one chathistory batch, each line with its time and batch tag.
      const b = await login(name, ['batch', 'server-time', 'message-tags']);
      const start = b.lines.find(
        (l) => l.command === 'BATCH' && l.params[1] === 'chathistory' && l.params[2] === channel,
      )!;
      expect(start).toBeDefined();
      const id = start.params[0]!.slice(1);
      const inBatch = said(b, channel);
      expect(inBatch.map((l) => l.params[1])).toEqual(expected);
      for (const l of inBatch) {
        expect(l.tags.batch).toBe(id);
        expect(l.tags.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      }
      expect(inBatch[1]!.source.startsWith(`${name}!`)).toBe(true);
      expect(b.lines.some((l) => l.command === 'BATCH' && l.params[0] === `-${id}`)).toBe(true);
      expect(b.lines.some((l) => l.command === 'NOTICE' && l.params[0] === channel)).toBe(false);

      // No capabilities: plain lines with a [YYYY-MM-DD HH:MM] prefix, then a NOTICE.
      const p = await login(name, []);
      const plain = said(p, channel);
      expect(plain.map((l) => l.params[1]!.replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d\] /, ''))).toEqual(
        expected,
      );
      for (const l of plain) expect(l.params[1]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d\] /);
      const notice = p.lines.find((l) => l.command === 'NOTICE' && l.params[0] === channel)!;
      expect(notice.params[1]).toContain(`3 messages arrived in ${channel} while you were away`);
      expect(p.lines.indexOf(notice)).toBeGreaterThan(p.lines.indexOf(plain.at(-1)!));
      expect(p.lines.some((l) => l.command === 'BATCH')).toBe(false);

      // draft/chathistory: nothing pushed (the client asks), and the marker never moved.
      const h = await login(name, ['draft/chathistory', 'batch', 'server-time']);
      expect(said(h, channel)).toEqual([]);
      const mine = await me.rooms.mine();
      expect(mine.rooms.find((r) => r.name === room)!.read).toBe(read.roomSeq);
    });

    it('bounded: the newest MISSED_PER_ROOM of a long absence, and nothing for rooms read up to date', async () => {
      const [{ c: web }, { c: me, name }] = (await signUp(irc.node, 2, 'mb')) as [Person, Person];
      const busy = `busy${Date.now() % 100000}`;
      const quiet = `quiet${Date.now() % 100000}`;
      await web.rooms.create(busy);
      await web.rooms.create(quiet);
      await me.rooms.join(busy);
      await me.rooms.join(quiet);
      const total = MISSED_PER_ROOM + 5;
      for (let i = 1; i <= total; i++) await web.rooms.send(busy, `m${i}`, `b-${i}`);
      const last = await web.rooms.send(quiet, 'read already', 'q-1');
      const conn = await me.connect();
      await conn.markRoomRead(quiet, last.roomSeq!);
      conn.close();

      const c = await login(name, ['server-time']);
      const lines: IrcLine[] = said(c, `#${busy}`);
      expect(lines.map((l) => l.params[1])).toEqual(
        Array.from({ length: MISSED_PER_ROOM }, (_, i) => `m${i + 6}`),
      );
      const notice = c.lines.find((l) => l.command === 'NOTICE' && l.params[0] === `#${busy}`)!;
      expect(notice.params[1]).toContain(`${MISSED_PER_ROOM} messages arrived`);
      expect(notice.params[1]).toContain('earlier ones');
      expect(said(c, `#${quiet}`)).toEqual([]);
    });
  });
}
