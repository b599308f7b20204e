import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle } from '../helpers/server.js';
import { type Person, refusedWith, signUp } from '../helpers/people.js';

/**
 * A room message answers to the room's rules whichever operation names it: the
 * direct-message operations (messages.edit, messages.delete, messages.react) refuse
 * it, so a muted, kicked or banned member cannot change their words through them,
 * and nobody can leave the room's timeline behind. An edit through the room
 * leaves the old text nowhere in the timeline.
 */

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room messages through the message operations (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const people = (n: number) => signUp(node, n, 'o');

    let counter = 0;
    const roomName = () => `ops${process.pid % 1000}-${++counter}`;

    const refused = refusedWith;

    /** Every stored trace of the room: history, search, timeline. */
    async function snapshot(reader: Person, name: string, word: string) {
      return {
        history: (await reader.c.rooms.history(name)).messages.map((m) => [
          m.id,
          m.text,
          m.deleted,
          m.reactions.length,
        ]),
        search: (await reader.c.rooms.search(name, word)).results.map((r) => r.message.id),
        events: (await reader.c.rooms.events(name, 0)).events,
      };
    }

    /** Owner, target; the target says something with `word`, then `punish` happens. */
    async function scene(punish: 'mute' | 'kick' | 'ban' | 'none') {
      const [owner, them] = await people(2);
      const name = roomName();
      await owner!.c.rooms.create(name);
      await them!.c.rooms.join(name);
      const word = `zanzibar${counter}`;
      const sent = await them!.c.rooms.send(name, `a message about ${word}`, `c${counter}`);
      if (punish === 'mute') await owner!.c.rooms.mute(name, them!.name);
      if (punish === 'kick') await owner!.c.rooms.kick(name, them!.name);
      if (punish === 'ban') await owner!.c.rooms.ban(name, them!.name);
      return { owner: owner!, them: them!, name, word, id: sent.message.id };
    }

    const who = { mute: 'a muted', kick: 'a kicked', ban: 'a banned', none: 'a' } as const;
    for (const punish of ['mute', 'kick', 'ban', 'none'] as const) {
      it(`${who[punish]} member cannot edit, react to or delete a room message through messages.*`, async () => {
        const s = await scene(punish);
        const before = await snapshot(s.owner, s.name, s.word);
        await refused(s.them.c.editMessage(s.id, 'rewritten history'), 'bad-request');
        await refused(s.them.c.react(s.id, '👍'), 'bad-request');
        await refused(s.them.c.deleteMessage(s.id), 'bad-request');
        // Nothing changed anywhere: history, search, the timeline.
        expect(await snapshot(s.owner, s.name, s.word)).toEqual(before);
        expect(before.search).toEqual([s.id]);
        // Another member cannot reach it that way either (it is not theirs to see as a DM).
        await refused(s.owner.c.react(s.id, '👍'), 'not-found');
        // The room's own operations apply the room's rules.
        if (punish === 'mute') {
          await refused(s.them.c.rooms.edit(s.name, s.id, 'x'), 'forbidden');
          await refused(s.them.c.rooms.react(s.name, s.id, '👍'), 'forbidden');
        }
        if (punish === 'kick' || punish === 'ban')
          await refused(s.them.c.rooms.delete(s.name, s.id), 'forbidden');
        if (punish === 'none') {
          // Through the room: the edit is a room event, and the old text is gone everywhere.
          await s.them.c.rooms.edit(s.name, s.id, 'a message about nothing');
          const after = await snapshot(s.owner, s.name, s.word);
          expect(after.history).toEqual([[s.id, 'a message about nothing', false, 0]]);
          expect(after.search).toEqual([]);
          expect(after.events.at(-1)).toMatchObject({
            name: 'room.message',
            data: { change: 'edited', message: { id: s.id, text: 'a message about nothing' } },
          });
          expect(JSON.stringify(after.events)).not.toContain(s.word);
          await s.them.c.rooms.delete(s.name, s.id);
          expect(JSON.stringify((await snapshot(s.owner, s.name, s.word)).events)).not.toContain(
            'nothing',
          );
        }
      });
    }
  });
}
