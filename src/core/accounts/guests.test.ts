import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.js';
import { createGuestService } from './guests.js';
import type { UserRecord } from './store.js';

/** A store of users by name, counting writes; `taken` names fail as another node's. */
function fakeStore(taken: string[] = []) {
  const users = new Map<string, UserRecord>();
  let writes = 0;
  return {
    users,
    writes: () => writes,
    store: {
      async createGuest(user: UserRecord) {
        writes++;
        if (users.has(user.username) || taken.includes(user.username))
          throw new ParleyError('conflict', 'taken', { field: 'username' });
        users.set(user.username, user);
      },
      async touchGuest() {},
      async expiredGuests() {
        return [];
      },
      async userById(id: string) {
        return [...users.values()].find((u) => u.id === id);
      },
      async userByUsername(name: string) {
        return users.get(name);
      },
      async deleteUser(id: string) {
        for (const [k, u] of users) if (u.id === id) users.delete(k);
        return true;
      },
    },
  };
}

describe('guests held in memory until their first durable act', () => {
  it('start holds the name without writing; stored writes once; the store then answers', async () => {
    const f = fakeStore();
    const told: string[] = [];
    const g = createGuestService({
      store: f.store,
      perAddressPerHour: 100,
      afterStore: async (id) => void told.push(id),
    });
    const auth = await g.start({ name: 'Visitor', address: '10.0.0.1', device: 'IRC guest' });
    expect(f.writes()).toBe(0);
    expect(g.holds('visitor')).toBe(true);
    expect(g.byId(auth.user.id)?.guest).toBe(true);
    await expect(g.start({ name: 'visitor', address: '10.0.0.2', device: 'x' })).rejects.toThrow(
      'taken',
    );
    // Two acts at once share one write.
    await Promise.all([g.stored(auth.user.id), g.stored(auth.user.id)]);
    expect(f.writes()).toBe(1);
    expect(told).toEqual([auth.user.id]);
    expect(g.holds('visitor')).toBe(false);
    expect(f.users.get('visitor')?.guest).toBe(true);
    await g.end(auth.user.id);
    expect(f.users.size).toBe(0);
  });

  it('a held guest that goes leaves nothing to delete', async () => {
    const f = fakeStore();
    const g = createGuestService({ store: f.store, perAddressPerHour: 100 });
    const auth = await g.start({ name: 'brief', address: '10.0.0.1', device: 'x' });
    await g.end(auth.user.id);
    expect(g.holds('brief')).toBe(false);
    expect(f.writes()).toBe(0);
  });

  it('a name another node stored meanwhile: conflict on the guest-name field, still held', async () => {
    const f = fakeStore(['twin']);
    const g = createGuestService({ store: f.store, perAddressPerHour: 100 });
    const auth = await g.start({ name: 'twin', address: '10.0.0.1', device: 'x' });
    await expect(g.stored(auth.user.id)).rejects.toMatchObject({
      condition: 'conflict',
      field: 'guest-name',
    });
    expect(g.holds('twin')).toBe(true);
    await g.end(auth.user.id);
    expect(g.holds('twin')).toBe(false);
  });

  it('a name an account holds is refused at start', async () => {
    const f = fakeStore();
    f.users.set('alice', {
      id: 'a',
      username: 'alice',
      passwordHash: 'x',
      createdAt: 0,
      disabled: false,
    });
    const g = createGuestService({ store: f.store, perAddressPerHour: 100 });
    await expect(g.start({ name: 'alice', address: '10.0.0.1', device: 'x' })).rejects.toThrow(
      ParleyError,
    );
  });
});
