import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * core.sender: one send for a user or a room target, as the IRC and XMPP doors
 * will call it. The rules are the direct-message and room rules (a block, a
 * mute, membership), the answers theirs, and a door without client ids gets a
 * new message per call while a repeated client id is stored once.
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`one send for users and rooms (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const ids = {} as Record<'alice' | 'bob' | 'carol', string>;
    const names = {} as Record<'alice' | 'bob' | 'carol', string>;
    const room = `r${uname('').replace(/[^a-z0-9]/g, '')}`.slice(0, 30);
    beforeAll(async () => {
      node = await startSingle(backend);
      for (const who of ['alice', 'bob', 'carol'] as const) {
        names[who] = uname(who);
        ids[who] = (await node.client().register(names[who], 'password123')).user.id;
      }
      const alice = node.client();
      await alice.login(names.alice, 'password123');
      await alice.rooms.create(`#${room}`);
      const bob = node.client();
      await bob.login(names.bob, 'password123');
      await bob.rooms.join(room);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('sends to a user and to a room, each by its own rules', async () => {
      const { sender } = node.parley.core;
      const direct = await sender.send(ids.alice, { to: { user: names.bob }, text: 'hi bob' });
      expect(direct.kind).toBe('direct');
      expect(direct.message.text).toBe('hi bob');
      const inRoom = await sender.send(ids.bob, { to: { room: `#${room}` }, text: 'hi all' });
      expect(inRoom.kind).toBe('room');
      expect(inRoom.kind === 'room' && inRoom.roomSeq).toBeGreaterThan(0);
      // Carol is not a member: the room's rule answers, through the same entry.
      await expect(
        sender.send(ids.carol, { to: { room }, text: 'let me in' }),
      ).rejects.toMatchObject({ condition: 'forbidden' });
      await expect(
        sender.send(ids.carol, { to: { user: 'no-such-user-here' }, text: 'hello?' }),
      ).rejects.toMatchObject({ condition: 'not-found' });
    });

    it('stores a retried client id once, and makes one for doors that have none', async () => {
      const { sender } = node.parley.core;
      const first = await sender.send(ids.alice, {
        to: { user: names.carol },
        text: 'once',
        clientId: 'irc-retry-1',
      });
      const again = await sender.send(ids.alice, {
        to: { user: names.carol },
        text: 'once',
        clientId: 'irc-retry-1',
      });
      expect(again.duplicate).toBe(true);
      expect(again.message.id).toBe(first.message.id);
      const a = await sender.send(ids.alice, { to: { user: names.carol }, text: 'same words' });
      const b = await sender.send(ids.alice, { to: { user: names.carol }, text: 'same words' });
      expect(a.message.id).not.toBe(b.message.id);
      expect(b.duplicate).toBe(false);
      const carol = node.client();
      await carol.login(names.carol, 'password123');
      const history = await carol.history(names.alice);
      expect(history.messages.map((m) => m.text)).toEqual(['once', 'same words', 'same words']);
    });

    it('refuses a target that names both a user and a room, or neither', async () => {
      const { sender } = node.parley.core;
      for (const to of [{ user: names.bob, room }, {}])
        await expect(
          sender.send(ids.alice, { to: to as never, text: 'which one?' }),
        ).rejects.toMatchObject({ condition: 'bad-request', field: 'to' });
    });
  });
}
