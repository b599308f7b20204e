import { expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { askLabelled, type RawIrc, useIrcNode } from '../helpers/irc.js';
import { type Person, signUp } from '../helpers/people.js';
import { uname } from '../helpers/server.js';

/**
 * WHO, WHOIS and user modes tell the truth: H or G from presence (only as core's
 * consent rules allow: a stranger is always H), the display name as the real name
 * (WHO, WHOX `r`, WHOIS 311, extended-join), `*` and 313 for an operator, user
 * mode +o after OPER until `MODE nick -o`.
 */
const PASSWORD = 'password123';
const CAPS = ['extended-join', 'away-notify', 'labeled-response', 'batch'];

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC WHO, WHOIS and user modes (${backend.name})`, () => {
    const operName = uname('wop');
    const irc = useIrcNode(backend, {
      config: { irc: { operators: [operName] } },
      password: PASSWORD,
      caps: CAPS,
    });
    const login = (u: string) => irc.login(u);
    const ask = askLabelled;
    /** WHOX rows by nick: [flags, account, realname]. */
    async function whox(c: RawIrc, target: string): Promise<Map<string, string[]>> {
      const rows = (await ask(c, `WHO ${target} %tnfar,42`)).filter((l) => l.command === '354');
      return new Map(rows.map((l) => [l.params[2]!, l.params.slice(3)]));
    }

    it('H/G by presence only for those you may see, display names as real names, operators starred', async () => {
      const op = irc.node.client();
      await op.register(operName, PASSWORD);
      const [{ c: friend, name: friendName }, { c: stranger, name: strangerName }] = (await signUp(
        irc.node,
        2,
        'w',
      )) as [Person, Person];
      await friend.updateProfile({ displayName: 'Friendly Fiona' });
      const room = `who${Date.now() % 100000}`;
      await op.rooms.create(room);
      await friend.rooms.join(room);
      await stranger.rooms.join(room);
      await op.requestContact(friendName);
      await friend.approveContact(operName);

      const c = await login(operName);
      await c.wait((l) => l.command === '366' && l.params[1] === `#${room}`, 'autojoin');
      // 004: the user modes there are.
      expect((await c.command('004')).params[3]).toBe('io');
      c.send(`MONITOR + ${friendName}`);
      await c.command('731', 'the friend offline');

      // Offline friend: G (you may see it); the stranger: H whatever they do.
      const strangerConn = await stranger.connect();
      await strangerConn.choosePresence('dnd', 'do not disturb');
      let rows = await whox(c, `#${room}`);
      expect(rows.get(friendName)).toEqual(['G', friendName, 'Friendly Fiona']);
      expect(rows.get(strangerName)).toEqual(['H', strangerName, strangerName]);
      expect(rows.get(operName)![0]).toBe('H~');

      const friendConn = await friend.connect();
      await c.command('730', 'the friend online');
      rows = await whox(c, `#${room}`);
      expect(rows.get(friendName)![0]).toBe('H');
      let since = c.lines.length;
      await friendConn.choosePresence('away', 'lunch');
      await c.wait((l) => l.command === 'AWAY' && l.params[0] === 'lunch', 'away-notify', since);
      rows = await whox(c, friendName);
      expect(rows.get(friendName)).toEqual(['G', friendName, 'Friendly Fiona']);
      // Plain WHO: the flags and "hops realname".
      const plain = (await ask(c, `WHO #${room}`)).find(
        (l) => l.command === '352' && l.params[5] === friendName,
      )!;
      expect(plain.params[6]).toBe('G');
      expect(plain.params[7]).toBe('0 Friendly Fiona');

      // WHOIS: 301 with the status text for the friend, nothing for the stranger.
      const whoisFriend = await ask(c, `WHOIS ${friendName}`);
      expect(whoisFriend.find((l) => l.command === '311')!.params[5]).toBe('Friendly Fiona');
      expect(whoisFriend.find((l) => l.command === '301')!.params[2]).toBe('lunch');
      expect(whoisFriend.some((l) => l.command === '313')).toBe(false);
      const whoisStranger = await ask(c, `WHOIS ${strangerName}`);
      expect(whoisStranger.map((l) => l.command)).not.toContain('301');

      // OPER: 381, MODE +o, 221 +io, a star in WHO, 313 in WHOIS (seen by anyone).
      since = c.lines.length;
      const oper = await ask(c, `OPER ${operName} ${PASSWORD}`);
      expect(oper.map((l) => l.command)).toEqual(['381', 'MODE']);
      expect(oper[1]!.params).toEqual([operName, '+o']);
      expect((await ask(c, `MODE ${operName}`))[0]!.params.slice(1)).toEqual(['+io']);
      rows = await whox(c, `#${room}`);
      expect(rows.get(operName)![0]).toBe('H*~');
      const s = await login(strangerName);
      const seen = await ask(s, `WHOIS ${operName}`);
      expect(seen.find((l) => l.command === '313')!.params[1]).toBe(operName);
      // The stranger may not see the operator's presence either: no 301.
      expect(seen.map((l) => l.command)).not.toContain('301');

      // Other people's modes, unknown letters, +o without OPER: refused or ignored.
      expect((await ask(c, `MODE ${friendName}`)).map((l) => l.command)).toEqual(['502']);
      expect((await ask(s, `MODE ${strangerName} +o`)).map((l) => l.command)).toEqual(['ACK']);
      expect((await ask(s, `MODE ${strangerName}`))[0]!.params.slice(1)).toEqual(['+i']);
      expect((await ask(s, `MODE ${strangerName} +xi`)).map((l) => l.command)).toEqual(['501']);

      // MODE -o gives it up: told, 221 +i, no star, no 313, and KILL is refused.
      const dropped = await ask(c, `MODE ${operName} -o`);
      expect(dropped.map((l) => [l.command, ...l.params])).toEqual([['MODE', operName, '-o']]);
      expect((await ask(c, `MODE ${operName}`))[0]!.params.slice(1)).toEqual(['+i']);
      expect((await whox(c, `#${room}`)).get(operName)![0]).toBe('H~');
      expect((await ask(s, `WHOIS ${operName}`)).map((l) => l.command)).not.toContain('313');
      expect((await ask(c, `KILL ${strangerName} :x`)).map((l) => l.command)).toEqual(['481']);
      friendConn.close();
      strangerConn.close();
    });

    it('extended-join carries the display name: your own JOIN and others joining', async () => {
      const [me, other, plain] = (await signUp(irc.node, 3, 'wej')) as [Person, Person, Person];
      const [myName, otherName, plainName] = [me.name, other.name, plain.name];
      await me.c.updateProfile({ displayName: 'Ella Extended' });
      await other.c.updateProfile({ displayName: 'Otto Other' });
      const room = `ej${Date.now() % 100000}`;
      await me.c.rooms.create(room);

      const c = await login(myName);
      const own = await c.wait(
        (l) => l.command === 'JOIN' && l.params[0] === `#${room}`,
        'own JOIN at login',
      );
      expect(own.params).toEqual([`#${room}`, myName, 'Ella Extended']);
      const since = c.lines.length;
      await other.c.rooms.join(room);
      const theirs = await c.wait(
        (l) => l.command === 'JOIN' && l.source.startsWith(`${otherName}!`),
        'their JOIN',
        since,
      );
      expect(theirs.params).toEqual([`#${room}`, otherName, 'Otto Other']);
      // Without a display name the real name is the username.
      await plain.c.rooms.join(room);
      const bare = await c.wait(
        (l) => l.command === 'JOIN' && l.source.startsWith(`${plainName}!`),
        'a JOIN without display name',
        since,
      );
      expect(bare.params).toEqual([`#${room}`, plainName, plainName]);
    });
  });
}
