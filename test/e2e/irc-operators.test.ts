import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { askLabelled, type IrcLine, ircLogin, ircPort, type RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * IRC operators from `[irc] operators`: OPER checks the listed account's own
 * password; KILL ends every IRC connection of a person (not their web session);
 * STATS u for anyone, l and m for operators; the refusals' numerics.
 */
const PASSWORD = 'password123';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC operators (${backend.name})`, () => {
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
    const login = async (u: string) => {
      const c = await ircLogin(port, u, PASSWORD, ['labeled-response', 'batch']);
      open.push(c);
      return c;
    };
    const ask = askLabelled;
    const codes = (lines: IrcLine[]) => lines.map((l) => l.command);

    it('without OPER: KILL is 481, STATS l/m are 481, STATS u answers; bad OPERs are refused and change nothing', async () => {
      const name = uname('plain');
      await node.client().register(name, PASSWORD);
      const c = await login(name);
      expect(codes(await ask(c, `KILL ${operName} :bye`))).toEqual(['481']);
      expect(codes(await ask(c, 'STATS m'))).toEqual(['481', '219']);
      expect(codes(await ask(c, 'STATS l'))).toEqual(['481', '219']);
      const up = await ask(c, 'STATS u');
      expect(codes(up)).toEqual(['242', '219']);
      expect(up[0]!.params[1]).toMatch(/^Server Up 0 days 0:\d\d:\d\d$/);
      expect(codes(await ask(c, 'STATS'))).toEqual(['461']);
      expect(codes(await ask(c, 'STATS zz'))).toEqual(['219']);
      // Not listed; listed (another account's: allowed, as IRC oper blocks are) with a
      // wrong password; missing parameters.
      expect(codes(await ask(c, `OPER ${name} ${PASSWORD}`))).toEqual(['491']);
      expect(codes(await ask(c, `OPER ${operName} not-the-password`))).toEqual(['464']);
      expect(codes(await ask(c, 'OPER x'))).toEqual(['461']);
      expect(codes(await ask(c, `KILL ${operName}`))).toEqual(['461']);
      expect(codes(await ask(c, `KILL ${operName} :still not`))).toEqual(['481']);
    });

    it('OPER with the account’s password; KILL ends all the person’s IRC connections, not their web session', async () => {
      const op = await login(operName);
      expect(codes(await ask(op, `OPER ${operName} wrong-password`))).toEqual(['464']);
      expect(op.closed).toBe(false);
      expect(codes(await ask(op, `OPER ${operName} ${PASSWORD}`))).toEqual(['381', 'MODE']);

      const victim = uname('vic');
      const web = node.client();
      await web.register(victim, PASSWORD);
      const conn = await web.connect();
      const v1 = await login(victim);
      const v2 = await login(victim);

      const links = await ask(op, 'STATS l');
      expect(
        links.filter((l) => l.command === '211').map((l) => l.params[1]!.split('[')[0]),
      ).toEqual(expect.arrayContaining([operName, victim]));
      const m = await ask(op, 'STATS m');
      const counted = new Map(
        m.filter((l) => l.command === '212').map((l) => [l.params[1], Number(l.params[2])]),
      );
      expect(counted.get('OPER')).toBeGreaterThanOrEqual(2);

      expect(codes(await ask(op, 'KILL nosuchnickzz :bye'))).toEqual(['401']);
      const said = await ask(op, `KILL ${victim} :spamming`);
      expect(said[0]!.command).toBe('NOTICE');
      for (const v of [v1, v2]) {
        const err = await v.command('ERROR', 'killed');
        expect(err.params[0]).toMatch(new RegExp(`Killed \\(${operName} \\(spamming\\)\\)`));
        await v.whenClosed();
      }
      // The web session is untouched, and the person may come back on IRC.
      await conn.setPresence('away', 'still here');
      conn.close();
      const back = await login(victim);
      expect(back.closed).toBe(false);
    });
  });
}
