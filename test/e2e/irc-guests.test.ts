import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { png } from '../helpers/avatars.js';
import { ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Guests: an IRC client without an account joins a public room and talks there,
 * seen and answered from the web; it gets no contacts, no direct messages and no
 * rooms of its own, takes no account name, and leaves nothing but its room
 * messages when it goes (or when its node dies and it expires).
 */
const PASSWORD = 'password123';

/** Whether a blob's bytes can still be read (a removed one errors). */
const readable = (s: Readable) =>
  new Promise<boolean>((resolve) => {
    s.on('error', () => resolve(false));
    s.on('data', () => {});
    s.on('end', () => resolve(true));
  });

async function guest(port: number, nick: string): Promise<RawIrc> {
  const c = await RawIrc.open(port);
  c.send(`NICK ${nick}`);
  c.send('USER g 0 * :Guest');
  return c;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC guests (${backend.name})`, () => {
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

    it('a guest joins a public room, talks with the web, and leaves only its messages behind', async () => {
      const web = node.client();
      const webName = uname('host');
      await web.register(webName, PASSWORD);
      const room = `lobby${Date.now() % 100000}`;
      await web.rooms.create(room);
      const nick = uname('visitor');
      const g = await guest(port, nick);
      open.push(g);
      const welcome = await g.command('001');
      // The nick no account holds is the guest's, while it is there.
      expect(welcome.params[0]).toBe(nick);
      await g.wait(
        (l) => l.command === 'NOTICE' && /You are a guest/.test(l.params[1] ?? ''),
        'told',
      );

      g.send(`JOIN #${room}`);
      const names = await g.command('353');
      expect(names.params[3]!.split(' ')).toEqual(expect.arrayContaining([`~${webName}`, nick]));
      const members = await web.rooms.members(room);
      expect(members.members.map((m) => m.username)).toContain(nick);
      // Core says who is a guest (the web marks them); accounts carry no flag.
      expect(members.members.find((m) => m.username === nick)!.guest).toBe(true);
      expect(members.members.find((m) => m.username === webName)!.guest).toBeUndefined();

      const conn = await web.connect();
      const heard = new Promise<{ message: { text: string; from: { username: string } } }>(
        (resolve) =>
          conn.on('room.message', (d) =>
            resolve(d as { message: { text: string; from: { username: string } } }),
          ),
      );
      g.send(`PRIVMSG #${room} :hello, is anyone here?`);
      const said = await heard;
      expect(said.message.from.username).toBe(nick);
      await web.rooms.send(room, `@${webName} welcome, guest`, 'w-1');
      await g.wait(
        (l) => l.command === 'PRIVMSG' && /welcome, guest/.test(l.params[1] ?? ''),
        'reply',
      );

      // No direct messages either way, no rooms of its own, no private rooms.
      let mark = g.lines.length;
      g.send(`PRIVMSG ${webName} :psst`);
      await g.wait(
        (l) =>
          l.command === 'NOTICE' &&
          /guests cannot send direct messages to accounts/.test(l.params[1] ?? ''),
        'DM refused',
        mark,
      );
      const dm = await web.sendMessage(nick, 'hi guest', 'd-1').catch((e: unknown) => e);
      expect((dm as { condition?: string }).condition).toBe('forbidden');
      expect(String((dm as Error).message)).toMatch(/guest/);
      mark = g.lines.length;
      g.send('JOIN #guest-made-room');
      await g.wait(
        (l) => l.command === 'NOTICE' && /guests cannot create rooms/.test(l.params[1] ?? ''),
        'create refused',
        mark,
      );
      g.send(`PRIVMSG Parley :REQUEST ${webName}`);
      await g.wait(
        (l) => l.command === 'NOTICE' && /guests have no contacts/.test(l.params[1] ?? ''),
        'no contacts',
        mark,
      );

      // The name is the guest's while it is there: nobody signs up as it meanwhile.
      const taken = await node
        .client()
        .register(nick, PASSWORD)
        .catch((e: unknown) => e);
      expect(String((taken as Error).message)).toMatch(/taken/);

      // It leaves: the room sees it go, its message stays (its name goes with it).
      const left = new Promise<void>((resolve) =>
        conn.on('room.member', (d) => {
          if ((d as { change: string }).change === 'left') resolve();
        }),
      );
      g.send('QUIT :bye');
      await g.whenClosed();
      await left;
      const after = await web.rooms.members(room);
      expect(after.members.map((m) => m.username)).not.toContain(nick);
      const history = await web.rooms.history(room);
      const kept = history.messages.find((m) => m.text === 'hello, is anyone here?');
      expect(kept).toBeDefined();
      // ...and the name is free again for an account.
      await node.client().register(nick, PASSWORD);
      conn.close();
    });

    it('guests may message each other directly (stored like any direct message)', async () => {
      const a = await guest(port, uname('pen'));
      const b = await guest(port, uname('pal'));
      open.push(a, b);
      const an = (await a.command('001')).params[0]!;
      const bn = (await b.command('001')).params[0]!;
      a.send(`PRIVMSG ${bn} :hello fellow guest`);
      const got = await b.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'hello fellow guest',
        'DM',
      );
      expect(got.source.split('!')[0]).toBe(an);
    });

    it('a guest is stored at its first durable act, not before; its name is held meanwhile', async () => {
      const store = node.parley.store as Store & { db: Kysely<unknown> };
      const rowsOf = async (name: string) =>
        (
          await sql<{
            n: number;
          }>`select count(*) as n from users where username = ${name}`.execute(store.db)
        ).rows[0]!.n;
      const web = node.client();
      const webName = uname('host');
      await web.register(webName, PASSWORD);
      const room = `held${Date.now() % 100000}`;
      await web.rooms.create(room);
      const nick = uname('held');
      const g = await guest(port, nick);
      open.push(g);
      await g.command('001');
      // Held in memory: nothing stored, yet the name is taken here and WHOIS knows it.
      expect(Number(await rowsOf(nick))).toBe(0);
      await expect(node.client().register(nick, PASSWORD)).rejects.toMatchObject({
        condition: 'conflict',
      });
      g.send(`WHOIS ${nick}`);
      await g.command('311');
      g.send(`JOIN #${room}`);
      await g.command('366');
      expect(Number(await rowsOf(nick))).toBe(1);
      const members = await web.rooms.members(room);
      expect(members.members.find((m) => m.username === nick)?.guest).toBe(true);
    });

    it('a guest that never acted leaves no row and frees its name when it goes', async () => {
      const nick = uname('brief');
      const g = await guest(port, nick);
      await g.command('001');
      g.send('QUIT :bye');
      await g.wait((l) => l.command === 'ERROR', 'closed');
      g.close();
      // Freed at once, nothing to delete: an account may take the name.
      await expect.poll(() => node.parley.core.guests.holds(nick)).toBe(false);
      await node.client().register(nick, PASSWORD);
    });

    it('a second guest asking for a taken guest name gets 433 and picks another', async () => {
      const nick = uname('twin');
      const a = await guest(port, nick);
      open.push(a);
      await a.command('001');
      const b = await guest(port, nick);
      open.push(b);
      await b.command('433');
      b.send(`NICK ${nick}x`);
      const w = await b.command('001');
      expect(w.params[0]).toBe(`${nick}x`);
    });

    it('a reserved name, built in or configured, is no guest’s: 433', async () => {
      const c = await guest(port, 'admin');
      open.push(c);
      await c.command('433');
      expect(c.lines.some((l) => l.command === '001')).toBe(false);
      const other = await startSingle(backend, {
        registration: { reserved_usernames: ['front-desk'] },
      });
      try {
        const d = await guest(ircPort(other), 'front-desk');
        open.push(d);
        await d.command('433');
        expect(d.lines.some((l) => l.command === '001')).toBe(false);
      } finally {
        await other.dispose();
      }
    });

    it('a nick that is an account’s is not a guest: it must identify', async () => {
      const name = uname('owner');
      await node.client().register(name, PASSWORD);
      const c = await guest(port, name);
      open.push(c);
      await c.command('001');
      await c.wait(
        (l) => l.command === 'NOTICE' && /NickServ IDENTIFY/.test(l.params[1] ?? ''),
        'identify',
      );
      expect(c.lines.find((l) => l.command === '001')!.params[0]).toBe(name);
    });

    it('a guest whose connection vanished (a crashed node) expires and is swept', async () => {
      const web = node.client();
      const webName = uname('host');
      await web.register(webName, PASSWORD);
      const room = `sweep${Date.now() % 100000}`;
      await web.rooms.create(room);
      const nick = uname('ghost');
      const g = await guest(port, nick);
      open.push(g);
      await g.command('001');
      g.send(`JOIN #${room}`);
      await g.command('366');
      // As if its node had died: the row outlives its renewal.
      const store = node.parley.store as Store & { db: Kysely<unknown> };
      await sql`update guests set expires_at = 0`.execute(store.db);
      expect(await node.parley.core.guests.sweep()).toBeGreaterThan(0);
      const members = await web.rooms.members(room);
      expect(members.members.map((m) => m.username)).not.toContain(nick);
    });

    it('an expired guest’s avatar goes with it, blob and all', async () => {
      // No door lets a guest set one (IRC has no avatar command; a guest has no token
      // for REST), but core would keep one: it must not outlive the guest.
      const web = node.client();
      await web.register(uname('host'), PASSWORD);
      const room = `gpic${Date.now() % 100000}`;
      await web.rooms.create(room);
      const nick = uname('pictured');
      const g = await guest(port, nick);
      open.push(g);
      await g.command('001');
      g.send(`JOIN #${room}`);
      await g.command('366');
      const id = (await web.rooms.members(room)).members.find((m) => m.username === nick)!.userId;
      const core = node.parley.core;
      await core.avatars.set(id, await png('#5b2a86', 30));
      const stored = (await core.avatars.mine(id))!;
      expect(await readable(core.avatars.read(stored))).toBe(true);
      const store = node.parley.store as Store & { db: Kysely<unknown> };
      await sql`update guests set expires_at = 0`.execute(store.db);
      expect(await core.guests.sweep()).toBeGreaterThan(0);
      expect(await core.avatars.mine(id)).toBeUndefined();
      expect(await store.files.referenced(stored.sha256)).toBe(false);
      expect(await readable(core.avatars.read(stored))).toBe(false);
    });
  });
}
