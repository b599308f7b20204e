import { expect, it } from 'vitest';
import { png } from '../helpers/avatars.js';
import { describeOn } from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { type TestNode, uname } from '../helpers/server.js';

/**
 * A room's picture and a member's new display name across two nodes sharing one
 * database and one bus: set through node 1, a member connected to node 2 is told
 * live (`room.updated`, `room.profile`) and reads the picture through node 2.
 * SQLite + a shared in-process hub always; PostgreSQL + NATS when configured.
 */
const PASSWORD = 'correct horse battery';

for (const setup of clusterSetups) {
  describeOn(setup)(`room pictures and names across two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);

    async function user(prefix: string, on: TestNode) {
      const name = uname(prefix);
      const reg = await on.client().register(name, PASSWORD);
      return { name, id: reg.user.id, token: reg.token };
    }

    it('set via node 1, told to a member on node 2, served by node 2; names too', async () => {
      const owner = await user('po', c.node1);
      const member = await user('pm', c.node2);
      const via1 = c.node1.client(owner.token);
      const room = `two${Date.now().toString(36)}`;
      await via1.rooms.create(room);
      await c.node2.client(member.token).rooms.join(room);
      const ws = await connectTo(c.node2, member.token);

      const told = ws.next('room.updated');
      const pic = await via1.rooms.setAvatar(room, await png('#3a7d44', 36));
      expect(await told).toMatchObject({ room: { name: room }, changes: { avatar: pic.hash } });
      const bytes = await c.node2.client(member.token).rooms.avatar(room, pic.hash);
      expect(bytes?.size).toBe(pic.size);

      // Not a contact: the member hears the new name as a room member (`names`).
      const renamed = ws.next('room.profile');
      await via1.updateProfile({ displayName: 'Pat Owner' });
      expect(await renamed).toMatchObject({
        room: { name: room },
        user: { id: owner.id, username: owner.name },
        displayName: 'Pat Owner',
      });

      const gone = ws.next('room.updated');
      await c.node2.client(owner.token).rooms.removeAvatar(room);
      expect(await gone).toMatchObject({ changes: { avatar: null } });
      expect(await c.node1.client(member.token).rooms.avatar(room)).toBeUndefined();
    });
  });
}
