import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { askLabelled, ircLogin, ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/** WHOX (354 with exactly the fields asked) and LIST with the ELIST filters. */
const PASSWORD = 'password123';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC WHOX and ELIST (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: RawIrc[] = [];
    let c: RawIrc;
    let guest: RawIrc;
    let webName: string;
    let ircName: string;
    let guestNick: string;
    const p = `el${Date.now() % 100000}`;
    beforeAll(async () => {
      node = await startSingle(backend);
      port = ircPort(node);
      const web = node.client();
      webName = uname('ow');
      await web.register(webName, PASSWORD);
      await web.rooms.create(`${p}alpha`, { topic: 'First' });
      await web.rooms.create(`${p}beta`);
      ircName = uname('wx');
      await node.client().register(ircName, PASSWORD);
      c = await ircLogin(port, ircName, PASSWORD, ['labeled-response', 'batch']);
      open.push(c);
      c.send(`JOIN #${p}alpha`);
      await c.command('366');
      guestNick = uname('gx');
      guest = await RawIrc.open(port);
      open.push(guest);
      guest.send(`NICK ${guestNick}`);
      guest.send('USER g 0 * :G');
      await guest.command('001');
      guest.send(`JOIN #${p}alpha`);
      await guest.command('366');
    });
    afterAll(async () => {
      for (const x of open) x.close();
      await node.dispose();
    });

    /** The lines one labelled command answered (its batch, or its one line). */
    const ask = (line: string) => askLabelled(c, line);

    it('ISUPPORT says WHOX and ELIST', () => {
      const tokens = c.lines.filter((l) => l.command === '005').flatMap((l) => l.params);
      expect(tokens).toContain('WHOX');
      expect(tokens).toContain('ELIST=CMNTU');
    });

    it('WHO #channel %tcuhnfar,42: one 354 per member with exactly those fields; guests have account 0', async () => {
      const lines = await ask(`WHO #${p}alpha %tcuhnfar,42`);
      expect(lines.some((l) => l.command === '352')).toBe(false);
      const rows = lines.filter((l) => l.command === '354').map((l) => l.params.slice(1));
      const byNick = new Map(rows.map((r) => [r[4], r]));
      expect(byNick.get(webName)).toEqual([
        '42',
        `#${p}alpha`,
        webName.slice(0, 10),
        expect.any(String),
        webName,
        'H~',
        webName,
        webName,
      ]);
      expect(byNick.get(ircName)?.[5]).toBe('H');
      expect(byNick.get(ircName)?.[6]).toBe(ircName);
      expect(byNick.get(guestNick)?.[6]).toBe('0');
      expect(rows.every((r) => r.length === 8)).toBe(true);
      expect(lines.at(-1)!.command).toBe('315');

      // Without WHOX: 352 as before.
      const plain = await ask(`WHO #${p}alpha`);
      expect(plain.filter((l) => l.command === '352').length).toBe(3);
    });

    it('WHO nick %na and hostile WHOX queries', async () => {
      const one = (await ask(`WHO ${webName} %na`)).find((l) => l.command === '354')!;
      expect(one.params.slice(1)).toEqual([webName, webName]);
      const g = (await ask(`WHO ${guestNick} %an`)).find((l) => l.command === '354')!;
      expect(g.params.slice(1)).toEqual([guestNick, '0']);
      for (const q of ['%', '%zzz', '%t,abcd', `%${'n'.repeat(300)}`, '%,,,', '%t,9999']) {
        const lines = await ask(`WHO #${p}alpha ${q}`);
        expect(lines.at(-1)!.command, q).toBe('315');
        for (const l of lines.filter((x) => x.command === '354'))
          expect(l.params.length, q).toBeLessThanOrEqual(3);
      }
      const none = await ask('WHO nosuchnickhere %n');
      expect(none.map((l) => l.command)).toEqual(['315']);
    });

    it('WHOIS: 330 (logged in as) for an account, none for a guest', async () => {
      const account = await ask(`WHOIS ${webName}`);
      expect(account.find((l) => l.command === '330')!.params.slice(1, 3)).toEqual([
        webName,
        webName,
      ]);
      const g = await ask(`WHOIS ${guestNick}`);
      expect(g.map((l) => l.command)).toEqual(['311', '312', '318']);
    });

    it('LIST filters: masks, negative masks, member counts, creation and topic times', async () => {
      const listed = async (q: string) =>
        (await ask(`LIST ${q}`))
          .filter((l) => l.command === '322')
          .map((l) => l.params[1])
          .filter((ch) => ch!.startsWith(`#${p}`))
          .sort();
      const both = [`#${p}alpha`, `#${p}beta`];
      expect(await listed(`#${p}*`)).toEqual(both);
      expect(await listed(`#${p}A*`)).toEqual([`#${p}alpha`]);
      expect(await listed(`#${p}*,>1`)).toEqual([`#${p}alpha`]);
      expect(await listed(`#${p}*,<2`)).toEqual([`#${p}beta`]);
      expect(await listed(`#${p}*,!*alpha`)).toEqual([`#${p}beta`]);
      expect(await listed(`#${p}?eta`)).toEqual([`#${p}beta`]);
      expect(await listed(`#${p}*,C<60`)).toEqual(both);
      expect(await listed(`#${p}*,C>60`)).toEqual([]);
      expect(await listed(`#${p}*,T<60`)).toEqual([`#${p}alpha`]);
      expect(await listed('>abc')).toEqual([]);
      expect(await listed(`${'x,'.repeat(200)}#${p}*`)).toEqual([]);
      const all = await ask('LIST');
      expect(all.at(-1)!.command).toBe('323');
    });
  });
}
