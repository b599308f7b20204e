import { afterAll, expect, it } from 'vitest';
import { describeOn } from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { ircLogin, ircPort, RawIrc } from '../helpers/irc.js';
import { uname } from '../helpers/server.js';
import { endDoorSessions } from '../../src/core/accounts/revocation.js';

/**
 * The IRC door on two nodes sharing one database and one bus: an IRC user on
 * node 1 and a web user on node 2 share a room and talk directly, live, both
 * ways; the IRC user's second connection, on node 2, sees its own sends from
 * node 1 (as bouncers show them).
 */
const PASSWORD = 'correct horse battery';

for (const setup of clusterSetups) {
  describeOn(setup)(`IRC across two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);
    const open: RawIrc[] = [];
    afterAll(() => {
      for (const x of open) x.close();
    });

    it('an IRC user on node 1 and a web user on node 2 talk in a room and directly', async () => {
      const webName = uname('w');
      const web = await c.node2.client().register(webName, PASSWORD);
      const ircName = uname('i');
      await c.node1.client().register(ircName, PASSWORD);
      const room = `two${Date.now() % 100000}`;
      await c.node2.client(web.token).rooms.create(room);
      const conn = await connectTo(c.node2, web.token);

      const irc = await ircLogin(ircPort(c.node1), ircName, PASSWORD);
      open.push(irc);
      // The same account on node 2 over IRC too.
      const second = await ircLogin(ircPort(c.node2), ircName, PASSWORD);
      open.push(second);
      irc.send(`JOIN #${room}`);
      await irc.command('366', 'names on node 1');
      // Node 2's IRC connection follows the join made on node 1.
      await second.wait(
        (l) => l.command === 'JOIN' && l.params[0] === `#${room}`,
        'the join from the other node',
      );

      const roomMsg = new Promise<{ message: { text: string } }>((resolve) =>
        conn.on('room.message', (d) => resolve(d as { message: { text: string } })),
      );
      irc.send(`PRIVMSG #${room} :from node one`);
      expect((await roomMsg).message.text).toBe('from node one');
      // The sender's other connection sees its own message (from its own nick).
      const own = await second.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'from node one',
        'own message on node 2',
      );
      expect(own.source.split('!')[0]).toBe(ircName);

      await c.node2.client(web.token).rooms.send(room, 'from node two', 'n2-1');
      await irc.wait(
        (l) =>
          l.command === 'PRIVMSG' && l.params[0] === `#${room}` && l.params[1] === 'from node two',
        'room message from node 2',
      );

      const dm = new Promise<{ message: { text: string } }>((resolve) =>
        conn.on('message', (d) => resolve(d as { message: { text: string } })),
      );
      irc.send(`PRIVMSG ${webName} :direct across nodes`);
      expect((await dm).message.text).toBe('direct across nodes');
      await c.node2.client(web.token).sendMessage(ircName, 'and back', 'n2-2');
      await irc.wait(
        (l) => l.command === 'PRIVMSG' && l.params[0] === ircName && l.params[1] === 'and back',
        'direct message from node 2',
      );
      await second.wait(
        (l) => l.command === 'PRIVMSG' && l.params[1] === 'and back',
        'the same on the second connection',
      );
    });

    it('ending a person’s IRC sessions (KILL) from node 1 closes their IRC connections on node 2, not their web session', async () => {
      const name = uname('k');
      const web = await c.node2.client().register(name, PASSWORD);
      const conn = await connectTo(c.node2, web.token);
      const there = await ircLogin(ircPort(c.node2), name, PASSWORD);
      open.push(there);
      const here = await ircLogin(ircPort(c.node1), name, PASSWORD);
      open.push(here);
      endDoorSessions(c.node1.parley.core.router, web.user.id, 'irc', 'Killed (op (test))');
      for (const x of [here, there]) {
        const err = await x.command('ERROR', 'killed');
        expect(err.params[0]).toMatch(/Killed \(op \(test\)\)/);
        await x.whenClosed();
      }
      await conn.setPresence('away', 'still here');
    });

    it('two nodes gave one guest name: the guest stored second is told 433 and closed', async () => {
      const host = await c.node2.client().register(uname('h'), PASSWORD);
      const room = `g${Date.now() % 100000}`;
      await c.node2.client(host.token).rooms.create(room);
      const nick = uname('twin');
      const guestOn = async (port: number) => {
        const g = await RawIrc.open(port);
        open.push(g);
        g.send(`NICK ${nick}`);
        g.send('USER g 0 * :Guest');
        await g.command('001');
        return g;
      };
      // Each node holds the name in memory: neither knows of the other yet.
      const first = await guestOn(ircPort(c.node1));
      const second = await guestOn(ircPort(c.node2));
      first.send(`JOIN #${room}`);
      await first.command('366');
      second.send(`JOIN #${room}`);
      const taken = await second.command('433');
      expect(taken.params[1]).toBe(nick);
      await second.command('ERROR');
      const members = await c.node2.client(host.token).rooms.members(room);
      expect(members.members.filter((m) => m.username === nick)).toHaveLength(1);
    });
  });
}
