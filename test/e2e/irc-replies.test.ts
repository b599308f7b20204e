import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { type IrcLine, ircLogin, ircPort, type RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * +draft/reply and +draft/react both ways between IRC and the web, in rooms and
 * direct conversations, and how an edit made on the web reaches IRC clients.
 */
const PASSWORD = 'password123';
const CAPS = ['message-tags', 'server-time'];

const said = (text: string) => (l: IrcLine) => l.command === 'PRIVMSG' && l.params[1] === text;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC replies, reactions and edits (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: RawIrc[] = [];
    beforeAll(async () => {
      node = await startSingle(backend);
      port = ircPort(node);
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const login = async (u: string, caps = CAPS) => {
      const c = await ircLogin(port, u, PASSWORD, caps);
      open.push(c);
      return c;
    };

    it('in a room: replies and reactions both ways; an edit is a marked line replying to the message', async () => {
      const web = node.client();
      const webName = uname('rw');
      await web.register(webName, PASSWORD);
      const name = uname('ri');
      await node.client().register(name, PASSWORD);
      const plainName = uname('rp');
      await node.client().register(plainName, PASSWORD);
      const room = `threads${Date.now() % 100000}`;
      await web.rooms.create(room);
      const c = await login(name);
      const plain = await login(plainName, []);
      c.send(`JOIN #${room}`);
      plain.send(`JOIN #${room}`);
      await c.command('366');
      await plain.command('366');

      const first = await web.rooms.send(room, 'what do you think?', 'q-1');
      const id = first.message.id;
      const line = await c.wait(said('what do you think?'), 'the question');
      expect(line.tags.msgid).toBe(id);

      // IRC -> web: a reply and a reaction.
      c.send(`@+draft/reply=${id} PRIVMSG #${room} :good idea`);
      c.send(`@+draft/reply=${id};+draft/react=👍 TAGMSG #${room}`);
      const reacted = async () => {
        const h = await web.rooms.history(room);
        const q = h.messages.find((m) => m.id === id)!;
        const answer = h.messages.find((m) => m.text === 'good idea');
        return { q, answer };
      };
      await expect
        .poll(async () => (await reacted()).q.reactions.map((r) => r.emoji), { timeout: 10_000 })
        .toEqual(['👍']);
      expect((await reacted()).answer?.replyTo).toBe(id);

      // Web -> IRC: a reaction, taken back, and a reply.
      await web.rooms.react(room, id, '🎉');
      const tag = await c.wait(
        (l) => l.command === 'TAGMSG' && l.tags['+draft/react'] === '🎉',
        'the reaction',
      );
      expect(tag.params[0]).toBe(`#${room}`);
      expect(tag.tags['+draft/reply']).toBe(id);
      expect(tag.source.split('!')[0]).toBe(webName);
      await web.rooms.react(room, id, '🎉', false);
      await c.wait(
        (l) => l.command === 'TAGMSG' && l.tags['+draft/unreact'] === '🎉',
        'the reaction taken back',
      );
      await web.rooms.send(room, 'indeed', 'q-2', id);
      const reply = await c.wait(said('indeed'), 'the reply');
      expect(reply.tags['+draft/reply']).toBe(id);

      // An edit: a marked line replying to the message, for every client.
      await web.rooms.edit(room, id, 'what do you all think?');
      const edit = await c.wait(said('(edited) what do you all think?'), 'the edit');
      expect(edit.tags['+draft/reply']).toBe(id);
      expect(edit.tags.msgid).toBeUndefined();
      await plain.wait(said('(edited) what do you all think?'), 'the edit, without tags');
      // The client without message-tags got no TAGMSG (the reactions came before the edit).
      expect(plain.lines.some((l) => l.command === 'TAGMSG')).toBe(false);
      expect(plain.lines.find(said('indeed'))?.tags['+draft/reply']).toBeUndefined();
    });

    it('in a direct conversation: replies and reactions both ways', async () => {
      const web = node.client();
      const webName = uname('dw');
      await web.register(webName, PASSWORD);
      const name = uname('di');
      await node.client().register(name, PASSWORD);
      const c = await login(name);
      const sent = await web.sendMessage(name, 'ping me', 'd-1');
      const id = sent.message.id;
      await c.wait(said('ping me'), 'the message');

      const conn = await web.connect();
      const events: Record<string, unknown>[] = [];
      conn.on('message', (d) => events.push(d));
      c.send(`@+draft/reply=${id} PRIVMSG ${webName} :pong`);
      c.send(`@+draft/reply=${id};+draft/react=❤ TAGMSG ${webName}`);
      await expect
        .poll(() =>
          events.some(
            (e) =>
              e.change === 'reaction' &&
              (e.message as { reactions: { emoji: string }[] }).reactions[0]?.emoji === '❤',
          ),
        )
        .toBe(true);
      const pong = events.find((e) => (e.message as { text: string }).text === 'pong');
      expect((pong!.message as { replyTo: string }).replyTo).toBe(id);
      conn.close();

      const mine = await web.sendMessage(name, 'and again', 'd-2', id);
      const again = await c.wait(said('and again'), 'a reply from the web');
      expect(again.tags['+draft/reply']).toBe(id);
      await web.react(mine.message.id, '👀');
      const tag = await c.wait((l) => l.command === 'TAGMSG', 'the reaction');
      expect(tag.params[0]).toBe(name);
      expect(tag.tags['+draft/react']).toBe('👀');
      expect(tag.tags['+draft/reply']).toBe(mine.message.id);
    });

    it('hostile tags: no message, unknown or foreign ids, bad emoji get FAIL; a reply to nothing is still said', async () => {
      const web = node.client();
      const webName = uname('hw');
      await web.register(webName, PASSWORD);
      const name = uname('hi');
      await node.client().register(name, PASSWORD);
      const room = `hostile${Date.now() % 100000}`;
      await web.rooms.create(room);
      const other = `other${Date.now() % 100000}`;
      await web.rooms.create(other);
      const elsewhere = await web.rooms.send(other, 'not here', 'o-1');
      const c = await login(name, [...CAPS, 'labeled-response', 'batch']);
      c.send(`JOIN #${room}`);
      await c.command('366');
      const here = await web.rooms.send(room, 'here', 'h-1');
      const id = here.message.id;
      const cases: [string, string][] = [
        [`TAGMSG #${room}`, ''],
        [`@+draft/react=👍 TAGMSG #${room}`, 'INVALID_PARAMS'],
        [`@+draft/reply=nosuchid;+draft/react=👍 TAGMSG #${room}`, 'UNKNOWN_MSGID'],
        [`@+draft/reply=${elsewhere.message.id};+draft/react=👍 TAGMSG #${room}`, 'UNKNOWN_MSGID'],
        [`@+draft/reply=${id};+draft/react=${'x'.repeat(40)} TAGMSG #${room}`, 'INVALID_PARAMS'],
        [`@+draft/reply=${id};+draft/react=a\\sb TAGMSG #${room}`, 'INVALID_PARAMS'],
        [`@+draft/reply=${id};+draft/react= TAGMSG #${room}`, 'INVALID_PARAMS'],
        [`@+draft/reply=${'z'.repeat(100)};+draft/react=👍 TAGMSG #${room}`, 'INVALID_PARAMS'],
        [`@+draft/reply=${id};+draft/react=👍 TAGMSG &${room}`, 'INVALID_TARGET'],
        [`@+draft/reply=${id};+draft/react=👍 TAGMSG ${webName}`, 'UNKNOWN_MSGID'],
      ];
      let n = 0;
      for (const [line, code] of cases) {
        const label = `t${++n}`;
        c.send(
          line.startsWith('@') ? `@label=${label};${line.slice(1)}` : `@label=${label} ${line}`,
        );
        const got = await c.wait((l) => l.tags.label === label, line);
        if (code === '') expect(got.command, line).toBe('ACK');
        else expect([got.command, got.params[1]], line).toEqual(['FAIL', code]);
      }
      const h = await web.rooms.history(room);
      expect(h.messages.find((m) => m.id === id)!.reactions).toEqual([]);

      c.send(`@+draft/reply=${elsewhere.message.id} PRIVMSG #${room} :still said`);
      await expect
        .poll(async () => (await web.rooms.history(room)).messages.map((m) => m.text), {
          timeout: 10_000,
        })
        .toContain('still said');
      const said2 = (await web.rooms.history(room)).messages.find((m) => m.text === 'still said');
      expect(said2!.replyTo).toBeNull();
    });
  });
}
