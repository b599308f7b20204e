import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { ircPort } from '../helpers/irc.js';
import { LibIrc } from '../helpers/irc-lib.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The IRC door driven by a real IRC client library (irc-framework, the library
 * behind Kiwi IRC), beside web users on the SDK: SASL PLAIN, a room made on the
 * web joined from IRC (topic, names), room and direct messages both ways, what
 * arrived while away, echo-message across two connections of one account, and
 * moderation from the web (MODE +o, KICK) as IRC shows it.
 */
const PASSWORD = 'password123';

type Received = { message: { text: string; from: { username: string } } };

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC door with irc-framework (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: LibIrc[] = [];
    const closers: (() => void)[] = [];
    beforeAll(async () => {
      node = await startSingle(backend);
      port = ircPort(node);
    });
    afterAll(async () => {
      for (const c of open) c.close();
      for (const f of closers) f();
      await node.dispose();
    });
    const login = async (u: string, opts: { echo?: boolean } = {}) => {
      const c = await LibIrc.login(port, u, PASSWORD, opts);
      open.push(c);
      return c;
    };
    const webUser = async () => {
      const web = node.client();
      const name = uname('web');
      await web.register(name, PASSWORD);
      const conn = await web.connect();
      closers.push(() => conn.close());
      return { web, name, conn };
    };
    const ircUser = async () => {
      const name = uname('irc');
      await node.client().register(name, PASSWORD);
      return name;
    };
    const nextEvent =
      <T>(conn: { on(e: string, fn: (d: unknown) => void): void }, name: string) =>
      (match: (d: T) => boolean) =>
        new Promise<T>((resolve) =>
          conn.on(name, (d) => {
            if (match(d as T)) resolve(d as T);
          }),
        );

    it('logs in with SASL PLAIN: the account is named and the nick is the username', async () => {
      const name = await ircUser();
      const c = await login(name);
      expect(c.client.user.nick).toBe(name);
      expect(c.client.network.cap.enabled).toContain('sasl');
      const loggedIn = await c.wait('loggedin', () => true, '900');
      expect(loggedIn.account).toBe(name);
    });

    it('joins a room made on the web: topic, names, and messages both ways', async () => {
      const { web, name: webName, conn } = await webUser();
      const room = `lib${Date.now() % 100000}`;
      await web.rooms.create(room, { topic: 'Cheese and crackers' });
      const ircName = await ircUser();
      const c = await login(ircName);
      c.client.join(`#${room}`);
      await c.wait('join', (e) => e.channel === `#${room}` && e.nick === ircName, 'own JOIN');
      const topic = await c.wait('topic', (e) => e.channel === `#${room}`, 'topic');
      expect(topic.topic).toBe('Cheese and crackers');
      const names = await c.wait('userlist', (e) => e.channel === `#${room}`, 'names');
      const users = names.users as { nick: string; modes: string[] }[];
      expect(users.find((u) => u.nick === webName)?.modes).toEqual(['q']);
      expect(users.map((u) => u.nick)).toContain(ircName);

      const fromIrc = nextEvent<Received>(
        conn,
        'room.message',
      )((d) => d.message.text === 'hello from irc-framework');
      c.client.say(`#${room}`, 'hello from irc-framework');
      expect((await fromIrc).message.from.username).toBe(ircName);

      await web.rooms.send(room, 'hello from the web', 'lib-1');
      const got = await c.message('hello from the web', `#${room}`);
      expect(got.nick).toBe(webName);
    });

    it('direct messages both ways with a web user', async () => {
      const { web, name: webName, conn } = await webUser();
      const ircName = await ircUser();
      const c = await login(ircName);
      const fromIrc = nextEvent<Received>(conn, 'message')((d) => d.message.text === 'psst');
      c.client.say(webName, 'psst');
      expect((await fromIrc).message.from.username).toBe(ircName);
      await web.sendMessage(ircName, 'psst back', 'lib-dm-1');
      const got = await c.message('psst back', ircName);
      expect(got.nick).toBe(webName);
    });

    it('a direct message sent while the IRC user was offline arrives at login', async () => {
      const { web, name: webName } = await webUser();
      const ircName = await ircUser();
      await web.sendMessage(ircName, 'sent while you slept', 'lib-off-1');
      const c = await login(ircName);
      const got = await c.wait(
        'privmsg',
        (e) => typeof e.message === 'string' && e.message.endsWith('sent while you slept'),
        'the missed message',
      );
      expect(got.nick).toBe(webName);
      expect(got.target).toBe(ircName);
    });

    it('echo-message: two connections of one account each see the other send', async () => {
      const { web, name: webName, conn } = await webUser();
      const room = `echo${Date.now() % 100000}`;
      await web.rooms.create(room);
      const ircName = await ircUser();
      const laptop = await login(ircName, { echo: true });
      expect(laptop.client.network.cap.enabled).toContain('echo-message');
      laptop.client.join(`#${room}`);
      await laptop.wait('join', (e) => e.channel === `#${room}`, 'JOIN');
      // The phone logs in afterwards: it is joined to the account's rooms at login.
      const phone = await login(ircName, { echo: true });
      await phone.wait('join', (e) => e.channel === `#${room}`, 'JOIN at login');

      laptop.client.say(`#${room}`, 'from the laptop');
      expect((await phone.message('from the laptop', `#${room}`)).nick).toBe(ircName);
      expect((await laptop.message('from the laptop', `#${room}`)).nick).toBe(ircName);

      const fromPhone = nextEvent<Received>(
        conn,
        'message',
      )((d) => d.message.text === 'dm from the phone');
      phone.client.say(webName, 'dm from the phone');
      await fromPhone;
      // The laptop sees its own account's direct message, to the person it went to.
      const seen = await laptop.message('dm from the phone', webName);
      expect(seen.nick).toBe(ircName);
      expect((await phone.message('dm from the phone', webName)).nick).toBe(ircName);
    });

    it('MODE +o and KICK from the web show on IRC', async () => {
      const { web, name: webName } = await webUser();
      const room = `mod${Date.now() % 100000}`;
      await web.rooms.create(room);
      const ircName = await ircUser();
      const c = await login(ircName);
      c.client.join(`#${room}`);
      await c.wait('join', (e) => e.channel === `#${room}`, 'JOIN');

      await web.rooms.setRole(room, ircName, 'moderator');
      const mode = await c.wait(
        'mode',
        (e) =>
          e.target === `#${room}` &&
          (e.modes as { mode: string; param?: string }[]).some(
            (m) => m.mode === '+o' && m.param === ircName,
          ),
        'MODE +o',
      );
      expect(mode.nick).toBe(webName);

      await web.rooms.kick(room, ircName, 'enough');
      const kick = await c.wait('kick', (e) => e.channel === `#${room}`, 'KICK');
      expect(kick.kicked).toBe(ircName);
      expect(kick.nick).toBe(webName);
      expect(kick.message).toBe('enough');
    });
  });
}
