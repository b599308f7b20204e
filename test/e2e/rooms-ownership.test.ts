import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { Database } from '../../src/store/sql/tables.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { Inbox } from '../helpers/presence.js';
import { startSingle } from '../helpers/server.js';
import { type Person, refusedWith, signUp } from '../helpers/people.js';

/**
 * A room is never run by a newcomer: when its last owner deletes their account
 * it passes to the highest-ranking member who remains (the earliest to join
 * among equals), with a timeline event everyone sees; a room nobody remains in
 * (its last member left or was deleted) is closed, its name free again.
 */

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`who runs a room when its owner is gone (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: ParleyConnection[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
    });
    afterEach(() => {
      for (const conn of open.splice(0)) conn.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const people = (n: number) => signUp(node, n, 'w');

    let counter = 0;
    const roomName = () => `own${process.pid % 1000}-${++counter}`;

    const refused = refusedWith;

    const roles = async (by: Person, name: string) =>
      Object.fromEntries(
        (await by.c.rooms.members(name)).members.map((m) => [m.username, m.role]),
      ) as Record<string, string>;

    it('the highest-ranking member who remains becomes owner, never the next to join', async () => {
      const [owner, member, mod, admin, stranger] = await people(5);
      const name = roomName();
      await owner!.c.rooms.create(name);
      // Joined in this order: the member first, the admin last (rank beats seniority).
      for (const p of [member!, mod!, admin!]) await p.c.rooms.join(name);
      await owner!.c.rooms.setRole(name, mod!.name, 'moderator');
      await owner!.c.rooms.setRole(name, admin!.name, 'admin');
      const atMember = new Inbox(await member!.c.connect());
      open.push(atMember.conn);

      await owner!.c.deleteAccount('password123');
      // Members see the owner leave, then the room pass on, live and in the timeline.
      expect(
        await atMember.take(
          (e) => e.name === 'room.member' && e.data.change === 'left',
          'the owner leaving',
        ),
      ).toMatchObject({ user: { id: owner!.id }, by: null, reason: 'account deleted' });
      const passed = await atMember.take(
        (e) => e.name === 'room.member' && e.data.change === 'role',
        'the room passing on',
      );
      expect(passed).toMatchObject({
        role: 'owner',
        from: 'admin',
        user: { id: admin!.id, username: admin!.name },
        by: null,
      });
      const events = (await member!.c.rooms.events(name, 0)).events;
      expect(events.at(-1)).toMatchObject({ name: 'room.member', data: passed });

      await stranger!.c.rooms.join(name);
      expect(await roles(member!, name)).toEqual({
        [admin!.name]: 'owner',
        [mod!.name]: 'moderator',
        [member!.name]: 'member',
        [stranger!.name]: 'member',
      });
      // The newcomer moderates nobody.
      await refused(stranger!.c.rooms.kick(name, admin!.name), 'forbidden');
      await refused(stranger!.c.rooms.ban(name, mod!.name), 'forbidden');
    });

    it('among equals, the earliest to join; deleted by the operator, the same', async () => {
      const [owner, first, second, late] = await people(4);
      const name = roomName();
      await owner!.c.rooms.create(name);
      for (const p of [first!, second!]) await p.c.rooms.join(name);
      await node.parley.core.accounts.adminDelete(owner!.name);
      expect(await roles(second!, name)).toEqual({
        [first!.name]: 'owner',
        [second!.name]: 'member',
      });
      await late!.c.rooms.join(name);
      expect((await roles(late!, name))[late!.name]).toBe('member');
    });

    it('a room whose only member deletes their account closes; nobody inherits it', async () => {
      const [owner, stranger] = await people(2);
      const name = roomName();
      await owner!.c.rooms.create(name, { topic: 'private plans' });
      await owner!.c.rooms.send(name, 'only for me', 'm1');
      await owner!.c.deleteAccount('password123');
      await refused(stranger!.c.rooms.get(name), 'not-found');
      await refused(stranger!.c.rooms.join(name), 'not-found');
      await refused(stranger!.c.rooms.history(name), 'not-found');
      // The name is free; a new room by that name starts empty.
      await stranger!.c.rooms.create(name);
      expect((await stranger!.c.rooms.history(name)).messages).toEqual([]);
      expect((await stranger!.c.rooms.get(name)).room.topic).toBe('');
    });

    it('a room left without an owner (by an older version) passes on before a newcomer joins', async () => {
      const [owner, admin, stranger] = await people(3);
      const name = roomName();
      await owner!.c.rooms.create(name);
      await admin!.c.rooms.join(name);
      await owner!.c.rooms.setRole(name, admin!.name, 'admin');
      // What an account deletion did before: the membership went by cascade, nothing else.
      const db = (node.parley.store as unknown as { db: Kysely<Database> }).db;
      await db.deleteFrom('room_members').where('user_id', '=', owner!.id).execute();
      await stranger!.c.rooms.join(name);
      expect(await roles(stranger!, name)).toEqual({
        [admin!.name]: 'owner',
        [stranger!.name]: 'member',
      });
      const changes = (await admin!.c.rooms.events(name, 0)).events.map((e) => e.data.change);
      expect(changes.slice(-2)).toEqual(['role', 'joined']);
    });

    it('the last member to leave closes the room: the next to come cannot take it over', async () => {
      const [owner, member, stranger] = await people(3);
      const name = roomName();
      await owner!.c.rooms.create(name);
      await member!.c.rooms.join(name);
      await member!.c.rooms.leave(name);
      await owner!.c.rooms.leave(name);
      await refused(stranger!.c.rooms.join(name), 'not-found');
      await refused(stranger!.c.rooms.get(name), 'not-found');
      expect((await owner!.c.rooms.mine()).rooms.map((r) => r.name)).not.toContain(name);
    });
  });
}
