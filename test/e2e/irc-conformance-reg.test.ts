import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { askLabelled, type IrcLine, ircGuest, ircLogin, ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * What irctest (away.py, oper.py) asks of guests, kept here because irctest cannot
 * run in CI: AWAY answers 306/305 and is told to those who talk to the guest (301 on
 * PRIVMSG and WHOIS, `-` in USERHOST); OPER's credentials are independent of the
 * nick, so a guest may become an operator with a listed account's password.
 */
const PASSWORD = 'password123';

const codes = (lines: IrcLine[]) => lines.map((l) => l.command);

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC conformance: AWAY and OPER for guests (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: RawIrc[] = [];
    const operName = uname('op');
    beforeAll(async () => {
      node = await startSingle(backend, { irc: { operators: [operName] } });
      port = ircPort(node);
      await node.client().register(operName, PASSWORD);
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const newGuest = async (prefix: string) => {
      const nick = uname(prefix);
      const c = await ircGuest(port, nick);
      open.push(c);
      return { c, nick };
    };

    it('AWAY: 306 and 305; 301 on PRIVMSG and WHOIS, - in USERHOST, only while away', async () => {
      const { c: bar, nick: barNick } = await newGuest('bar');
      const { c: qux, nick: quxNick } = await newGuest('qux');

      const here = await askLabelled(qux, `USERHOST ${barNick}`);
      expect(here[0]!.params[1]).toMatch(new RegExp(`^${barNick}=\\+`));
      expect(codes(await askLabelled(qux, `PRIVMSG ${barNick} :hello`))).toEqual(['ACK']);
      await bar.wait((l) => l.command === 'PRIVMSG' && l.params[1] === 'hello', 'hello');

      const set = await askLabelled(bar, "AWAY :I'm not here right now");
      expect(codes(set)).toEqual(['306']);
      const away = await askLabelled(qux, `PRIVMSG ${barNick} :what's up`);
      expect(away.map((l) => [l.command, ...l.params])).toEqual([
        ['301', quxNick, barNick, "I'm not here right now"],
      ]);
      const whois = await askLabelled(qux, `WHOIS ${barNick}`);
      expect(whois.find((l) => l.command === '301')?.params).toEqual([
        quxNick,
        barNick,
        "I'm not here right now",
      ]);
      expect((await askLabelled(qux, `USERHOST ${barNick}`))[0]!.params[1]).toMatch(
        new RegExp(`^${barNick}=-`),
      );
      // Their own USERHOST shows them away too; NOTICE never gets 301.
      expect((await askLabelled(bar, `USERHOST ${barNick}`))[0]!.params[1]).toMatch(
        new RegExp(`^${barNick}=-`),
      );
      expect(codes(await askLabelled(qux, `NOTICE ${barNick} :psst`))).toEqual(['ACK']);

      // An empty AWAY text is "back", never an away with no text.
      expect(codes(await askLabelled(bar, 'AWAY :'))).toEqual(['305']);
      expect(codes(await askLabelled(qux, `PRIVMSG ${barNick} :back?`))).toEqual(['ACK']);
      expect(codes(await askLabelled(qux, `WHOIS ${barNick}`))).not.toContain('301');
      expect((await askLabelled(qux, `USERHOST ${barNick}`))[0]!.params[1]).toMatch(
        new RegExp(`^${barNick}=\\+`),
      );

      // Gone: a guest that left is never reported away.
      expect(codes(await askLabelled(bar, 'AWAY :gone'))).toEqual(['306']);
      bar.send('QUIT');
      await bar.command('ERROR', 'quit');
      const after = await askLabelled(qux, `USERHOST ${barNick}`);
      expect(after[0]!.params[1]).not.toMatch(/=-/);
    });

    it('USER with an empty username or realname is 461 and registers nothing', async () => {
      const c = await RawIrc.open(port);
      open.push(c);
      const nick = uname('u');
      c.send(`NICK ${nick}`);
      c.send('USER username * * :');
      const err = await c.command('461', 'USER refused');
      expect(err.params.slice(0, 2)).toEqual([nick, 'USER']);
      c.send('USER :');
      c.send('USER u * * :Real Name');
      await c.command('001', 'welcome');
      expect(c.lines.filter((l) => l.command === '461')).toHaveLength(2);
    });

    it('TIME, INFO and LUSERS answer as modern.ircdocs.horse says', async () => {
      const { c } = await newGuest('t');
      const time = await askLabelled(c, 'TIME');
      expect(codes(time)).toEqual(['391']);
      expect(Date.parse(time[0]!.params[2]!)).not.toBeNaN();
      const info = codes(await askLabelled(c, 'INFO'));
      expect(info.at(-1)).toBe('374');
      expect(new Set(info.slice(0, -1))).toEqual(new Set(['371']));
      const l = await askLabelled(c, 'LUSERS');
      expect(codes(l)).toEqual(['251', '255', '265', '266']);
      const local = l[2]!.params;
      expect(Number(local[1])).toBeGreaterThanOrEqual(1);
      expect(Number(local[2])).toBeGreaterThanOrEqual(Number(local[1]));
      // 251's visible and invisible add up to the total 265 tells.
      const [visible, invisible] = l[0]!.params[1]!.match(/\d+/g)!.map(Number);
      expect(visible! + invisible!).toBe(Number(local[1]));
    });

    it('OPER from a guest: a listed account’s password makes the guest an operator', async () => {
      const { c: g, nick } = await newGuest('g');
      // Not listed, wrong password, missing parameter: refused, nothing changes.
      expect(codes(await askLabelled(g, `OPER ${nick} ${PASSWORD}`))).toEqual(['491']);
      expect(codes(await askLabelled(g, `OPER ${operName} wrong-password`))).toEqual(['464']);
      expect(g.closed).toBe(false);
      expect(codes(await askLabelled(g, 'OPER x'))).toEqual(['461']);
      expect(codes(await askLabelled(g, 'STATS m'))).toEqual(['481', '219']);

      const ok = await askLabelled(g, `OPER ${operName.toUpperCase()} ${PASSWORD}`);
      expect(codes(ok)).toEqual(['381', 'MODE']);
      expect(ok[1]!.params).toEqual([nick, '+o']);
      expect((await askLabelled(g, `MODE ${nick}`))[0]!.params[1]).toBe('+io');
      expect(codes(await askLabelled(g, 'STATS m'))[0]).toBe('212');

      // KILL works for a guest operator: the victim's IRC connections end.
      const victim = uname('vic');
      await node.client().register(victim, PASSWORD);
      const v = await ircLogin(port, victim, PASSWORD);
      open.push(v);
      expect(codes(await askLabelled(g, `KILL ${victim} :bye`))).toEqual(['NOTICE']);
      const err = await v.command('ERROR', 'killed');
      expect(err.params[0]).toContain(`Killed (${nick} (bye))`);
    });
  });
}
