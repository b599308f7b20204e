import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Channel behaviour irctest checks (conformance/irctest), for guests on a server
 * that lets them create rooms (`[rooms] guests_may_create`): the creator runs the
 * channel, errors are the RFC numerics, KICK's default reason is the kicker's nick.
 */
async function guest(port: number, nick: string): Promise<RawIrc> {
  const c = await RawIrc.open(port);
  c.send(`NICK ${nick}`);
  c.send('USER g 0 * :Guest');
  await c.command('376', 'end of MOTD');
  return c;
}

/** `cmd` on `c`, then the first reply that is one of `commands`. */
async function reply(c: RawIrc, cmd: string, commands: string[]) {
  const from = c.lines.length;
  c.send(cmd);
  return c.wait((l) => commands.includes(l.command), cmd, from);
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC channels, irctest's rules (${backend.name})`, () => {
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

    it('a guest creates a channel by joining it and runs it; the room closes when all leave', async () => {
      const [a, b] = [uname('ga'), uname('gb')];
      const ca = await guest(port, a);
      const cb = await guest(port, b);
      open.push(ca, cb);
      const chan = `#made${Date.now() % 100000}`;
      const names = await reply(ca, `JOIN ${chan}`, ['353', 'NOTICE', 'FAIL']);
      expect(names.command).toBe('353');
      expect(names.params[3]).toBe(`~${a}`);
      await reply(cb, `JOIN ${chan}`, ['353']);

      // +t: the creator sets the topic; the other guest may not, not even to the same text.
      await reply(ca, `MODE ${chan} +t`, ['MODE']);
      const told = cb.wait((l) => l.command === 'TOPIC', 'topic set');
      await reply(ca, `TOPIC ${chan} :new topic`, ['TOPIC']);
      await told;
      const refused = await reply(cb, `TOPIC ${chan} :new topic`, ['TOPIC', '482']);
      expect(refused.command).toBe('482');

      // KICK without a reason: the kicker's nick, for the kicked and for the kicker.
      const kicked = cb.wait((l) => l.command === 'KICK', 'kicked');
      const seen = await reply(ca, `KICK ${chan} ${b}`, ['KICK']);
      expect(seen.params).toEqual([chan, b, a]);
      expect((await kicked).params).toEqual([chan, b, a]);

      // Channels and users in pairs, or one channel: anything else is 461.
      expect((await reply(ca, `KICK ${chan},${chan} ${b}`, ['461'])).params[1]).toBe('KICK');

      // INVITE: someone already in is 443; from someone not in, 442.
      await reply(cb, `JOIN ${chan}`, ['353']);
      const already = await reply(ca, `INVITE ${b} ${chan}`, ['443', '341', 'NOTICE', 'FAIL']);
      expect(already.params.slice(0, 3)).toEqual([a, b, chan]);
      const x = uname('gx');
      const cc = await guest(port, x);
      open.push(cc);
      const notOn = await reply(cc, `INVITE ${b} ${chan}`, ['442', '341', 'NOTICE', 'FAIL']);
      expect(notOn.params.slice(0, 2)).toEqual([x, chan]);
      const nobody = await reply(ca, `INVITE nobody${Date.now() % 1000} ${chan}`, [
        '401',
        'NOTICE',
      ]);
      expect(nobody.command).toBe('401');
      // A guest invites another guest: 341, and the invited one gets INVITE.
      const invited = cc.wait((l) => l.command === 'INVITE', 'invited');
      const ok = await reply(ca, `INVITE ${x} ${chan}`, ['341', 'NOTICE', 'FAIL', '482']);
      expect(ok.params).toEqual([a, x, chan]);
      expect((await invited).params).toEqual([x, chan]);

      // The creator may part while others stay (as on IRC): the room passes on.
      const heir = cb.wait((l) => l.command === 'MODE' && l.params[1] === '+q', 'passed on');
      const parted = cb.wait((l) => l.command === 'PART', 'part seen');
      expect((await reply(ca, `PART ${chan} :bye all`, ['PART', '442', 'NOTICE'])).command).toBe(
        'PART',
      );
      expect((await heir).params[2]).toBe(b);
      // Its PART message reaches the others.
      expect((await parted).params).toEqual([chan, 'bye all']);

      // The last one out: the room is gone, and its name is 403 again.
      await reply(cb, `PART ${chan}`, ['PART']);
      expect((await reply(ca, `TOPIC ${chan}`, ['403', '331', '332'])).command).toBe('403');
    });

    it('a channel that does not exist is 403; NAMES of a bad name is its 366 alone', async () => {
      const c = await guest(port, uname('gc'));
      open.push(c);
      const none = `#none${Date.now() % 100000}`;
      for (const cmd of [
        `PART ${none}`,
        `TOPIC ${none}`,
        `TOPIC ${none} :x`,
        `KICK ${none} someone`,
        `MODE ${none} +t`,
        `INVITE someone ${none}`,
      ]) {
        const r = await reply(c, cmd, ['403', '441', '442', 'NOTICE', 'FAIL']);
        expect(r.command, cmd).toBe('403');
        expect(r.params[1], cmd).toBe(none);
      }
      for (const bad of ['invalid', '#a b', '#\u0001x', '#' + 'x'.repeat(300)]) {
        const r = await reply(c, `NAMES ${bad}`, ['366', '403', 'NOTICE']);
        expect(r.command, bad).toBe('366');
      }
    });
  });
}
