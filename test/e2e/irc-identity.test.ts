import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { type IrcLine, ircLogin, ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * setname, account-notify and chghost: the real name is the Parley display name
 * (SETNAME changes it, a change on the web arrives as SETNAME); a login after
 * registration tells ACCOUNT, and CHGHOST when the user part changes with the nick.
 */
const PASSWORD = 'password123';

const setnameFrom = (nick: string, name: string) => (l: IrcLine) =>
  l.command === 'SETNAME' && l.source.split('!')[0] === nick && l.params[0] === name;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC identity caps (${backend.name})`, () => {
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
    const login = async (u: string, caps: string[]) => {
      const c = await ircLogin(port, u, PASSWORD, caps);
      open.push(c);
      return c;
    };

    it('offers the capabilities in CAP LS', async () => {
      const c = await RawIrc.open(port);
      open.push(c);
      c.send('CAP LS 302');
      const ls = await c.command('CAP');
      const caps = ls.params[2]!.split(' ').map((x) => x.split('=')[0]);
      for (const cap of ['account-notify', 'chghost', 'setname', 'cap-notify', 'multi-prefix'])
        expect(caps).toContain(cap);
    });

    it('SETNAME changes the display name; others in its rooms and its other devices are told; the web’s change arrives', async () => {
      const web = node.client();
      const webName = uname('sw');
      await web.register(webName, PASSWORD);
      const a = uname('sa');
      await node.client().register(a, PASSWORD);
      const b = uname('sb');
      await node.client().register(b, PASSWORD);
      const room = `names${Date.now() % 100000}`;
      await web.rooms.create(room);
      const ca = await login(a, ['setname']);
      const ca2 = await login(a, ['setname']);
      const cb = await login(b, ['setname']);
      for (const c of [ca, cb]) {
        c.send(`JOIN #${room}`);
        await c.command('366');
      }

      ca.send('SETNAME :Ada Lovelace');
      await ca.wait(setnameFrom(a, 'Ada Lovelace'), 'told to itself');
      await ca2.wait(setnameFrom(a, 'Ada Lovelace'), 'told to its other device');
      await cb.wait(setnameFrom(a, 'Ada Lovelace'), 'told to a member of its room');
      expect((await web.profile(a)).displayName).toBe('Ada Lovelace');

      await web.updateProfile({ displayName: 'The Host' });
      await ca.wait(setnameFrom(webName, 'The Host'), 'a change on the web');
      await cb.wait(setnameFrom(webName, 'The Host'), 'a change on the web (b)');
    });

    it('hostile SETNAME: empty, too long, missing get FAIL or 461 and change nothing; control characters are dropped', async () => {
      const a = uname('sh');
      const me = node.client();
      await me.register(a, PASSWORD);
      const c = await login(a, ['setname', 'labeled-response', 'batch']);
      const cases: [string, string][] = [
        ['SETNAME', '461'],
        ['SETNAME :', 'FAIL'],
        ['SETNAME :    ', 'FAIL'],
        [`SETNAME :${'n'.repeat(65)}`, 'FAIL'],
        [`SETNAME :${'é'.repeat(200)}`, 'FAIL'],
      ];
      let n = 0;
      for (const [line, want] of cases) {
        const label = `s${++n}`;
        c.send(`@label=${label} ${line}`);
        const got = await c.wait((l) => l.tags.label === label, line);
        expect(got.command, line).toBe(want);
        if (want === 'FAIL')
          expect(got.params.slice(0, 2)).toEqual(['SETNAME', 'INVALID_REALNAME']);
      }
      expect((await me.profile(a)).displayName).not.toMatch(/n{65}/);
      c.send('SETNAME :Bell\u0007 Ringer');
      await c.wait(setnameFrom(a, 'Bell Ringer'), 'control character dropped');
    });

    it('a guest identifying to an account: NICK, CHGHOST (the user part changed) and ACCOUNT', async () => {
      const name = uname('chg');
      await node.client().register(name, PASSWORD);
      const c = await RawIrc.open(port);
      open.push(c);
      c.send('CAP LS 302');
      c.send('CAP REQ :account-notify chghost');
      await c.command('CAP');
      const guestNick = uname('zz');
      c.send(`NICK ${guestNick}`);
      c.send('USER g 0 * :G');
      c.send('CAP END');
      const server = (await c.command('001')).source;
      c.send(`PRIVMSG NickServ :IDENTIFY ${name} ${PASSWORD}`);
      const nick = await c.command('NICK');
      expect(nick.params[0]).toBe(name);
      const chghost = await c.command('CHGHOST');
      expect(chghost.source).toBe(`${name}!${guestNick.slice(0, 10)}@${server}`);
      expect(chghost.params).toEqual([name.slice(0, 10), server]);
      const account = await c.command('ACCOUNT');
      expect(account.params).toEqual([name]);
      await c.command('900');
    });
  });
}
