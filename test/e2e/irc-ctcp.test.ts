import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { askLabelled, ircGuest, ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * CTCP between IRC clients (issue 13: "VERSION/PING answered by clients"): a query
 * (PRIVMSG) and its reply (NOTICE) reach the other person's IRC client as sent,
 * never stored; a CTCP to a channel is dropped; an unknown nick is 401 for a query
 * and nothing for a reply.
 */

const CTCP = (s: string) => `\x01${s}\x01`;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC: CTCP between clients (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: RawIrc[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { rooms: { guests_may_create: true } });
      port = ircPort(node);
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

    it('a VERSION query and its reply travel between two clients as sent', async () => {
      const { c: a, nick: aNick } = await newGuest('ca');
      const { c: b, nick: bNick } = await newGuest('cb');
      expect(
        (await askLabelled(a, `PRIVMSG ${bNick} :${CTCP('VERSION')}`)).map((l) => l.command),
      ).toEqual(['ACK']);
      const q = await b.wait((l) => l.params[1] === CTCP('VERSION'), 'the VERSION query');
      expect(q.command).toBe('PRIVMSG');
      expect(q.source.split('!')[0]).toBe(aNick);
      b.send(`NOTICE ${aNick} :${CTCP('VERSION irssi 1.4.3')}`);
      const r = await a.wait((l) => l.params[1] === CTCP('VERSION irssi 1.4.3'), 'the reply');
      expect(r.command).toBe('NOTICE');
      expect(r.source.split('!')[0]).toBe(bNick);
      // PING with its token, the way /ping measures lag.
      a.send(`PRIVMSG ${bNick} :${CTCP('PING 1765000000 123')}`);
      const p = await b.wait((l) => l.params[1] === CTCP('PING 1765000000 123'), 'PING');
      expect(p.command).toBe('PRIVMSG');
    });

    it('a CTCP to a channel is dropped; to nobody: 401 for a query, nothing for a reply', async () => {
      const { c: a } = await newGuest('cc');
      const { c: b, nick: bNick } = await newGuest('cd');
      const chan = `#${uname('ct')}`;
      a.send(`JOIN ${chan}`);
      await a.wait((l) => l.command === '366', 'joined');
      b.send(`JOIN ${chan}`);
      await b.wait((l) => l.command === '366', 'joined');
      a.send(`PRIVMSG ${chan} :${CTCP('VERSION')}`);
      a.send(`PRIVMSG ${chan} :after`);
      await b.wait((l) => l.params[1] === 'after', 'the plain message');
      expect(b.lines.some((l) => l.params[1] === CTCP('VERSION'))).toBe(false);

      const nobody = uname('zz');
      const q = await askLabelled(a, `PRIVMSG ${nobody} :${CTCP('VERSION')}`);
      expect(q.map((l) => l.command)).toEqual(['401']);
      const n = await askLabelled(a, `NOTICE ${nobody} :${CTCP('VERSION x')}`);
      expect(n.map((l) => l.command)).toEqual(['ACK']);
      // bNick is still there: a reply to it arrives.
      a.send(`NOTICE ${bNick} :${CTCP('TIME now')}`);
      await b.wait((l) => l.command === 'NOTICE' && l.params[1] === CTCP('TIME now'), 'reply');
    });
  });
}
