import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import type { ParleyConnection as Connection } from '../../src/sdk/connection.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * The XMPP door's conversation extensions end to end, each both ways between a
 * raw XMPP client and a web (SDK) user: receipts and chat markers (XEP-0184,
 * XEP-0333) as core's delivered/read markers, chat states (XEP-0085) as typing,
 * corrections (XEP-0308), retractions (XEP-0424), reactions (XEP-0444) and
 * replies (XEP-0461 with XEP-0428 fallbacks) as core's edits, deletions,
 * reactions and replies.
 */
const PASSWORD = 'correct horse battery';
const RECEIPTS = 'urn:xmpp:receipts';
const MARKERS = 'urn:xmpp:chat-markers:0';
const STATES = 'http://jabber.org/protocol/chatstates';
const RETRACT = 'urn:xmpp:message-retract:1';
const REACTIONS = 'urn:xmpp:reactions:0';
const REPLY = 'urn:xmpp:reply:0';
const FALLBACK = 'urn:xmpp:fallback:0';

type Data = Record<string, unknown>;
interface MsgData {
  seq: number;
  change: string;
  message: {
    id: string;
    clientId: string;
    text: string;
    replyTo: string | null;
    deleted: boolean;
    reactions: { emoji: string; userIds: string[] }[];
  };
}

/** The next event of that name matching `match` (listening starts now). */
function eventOf<T = Data>(conn: Connection, name: string, match: (d: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`no matching ${name} event`));
    }, 15_000);
    const off = conn.on(name, (d: Data) => {
      if (!match(d as T)) return;
      clearTimeout(t);
      off();
      resolve(d as T);
    });
  });
}

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP conversation extensions (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { xmpp: { port: 0, tls_port: 0 } });
      ({ tlsPort } = xmppPorts(node) as { tlsPort: number });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix = 'x') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    const login = async (name: string, resource?: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, resource ? { resource } : {});
      open.push(c);
      return c;
    };
    /** An XMPP user and a connected web user. */
    const pair = async () => {
      const a = await account('xa');
      const b = await account('wb');
      const conn = await b.web.connect();
      const c = await login(a.name);
      return { a, b, conn, c, aj: `${a.name}@localhost`, bj: `${b.name}@localhost` };
    };
    /** The XMPP user sends a chat message; resolves with the web user's copy. */
    const fromXmpp = async (p: Awaited<ReturnType<typeof pair>>, text: string, origin: string) => {
      const got = eventOf<MsgData>(p.conn, 'message', (d) => d.message.clientId === origin);
      p.c.send(
        `<message type='chat' to='${p.bj}' id='${origin}'><body>${text}</body><origin-id xmlns='urn:xmpp:sid:0' id='${origin}'/></message>`,
      );
      return got;
    };
    const ping = async (c: RawXmpp) =>
      expect((await c.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');

    it('receipts and markers from XMPP move the web sender ticks; web markers reach XMPP', async () => {
      const p = await pair();
      const mark = p.c.events.length;
      const sent = await p.b.web.sendMessage(p.a.name, 'tick me', 'w-tick');
      const msg = await p.c.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'tick me',
        'message',
        mark,
      );
      // It asks for both (XEP-0184 request, XEP-0333 markable).
      expect(msg.getChild('request', RECEIPTS)).toBeDefined();
      expect(msg.getChild('markable', MARKERS)).toBeDefined();
      const seq = sent.message.seq;
      const delivered = eventOf<Data>(p.conn, 'receipt', (d) => d.delivered === seq);
      p.c.send(
        `<message to='${p.bj}' id='r1'><received xmlns='${RECEIPTS}' id='w-tick'/></message>`,
      );
      expect(await delivered).toMatchObject({ username: p.a.name, read: 0 });
      // Displayed, naming the message by its stanza-id this time.
      const read = eventOf<Data>(p.conn, 'receipt', (d) => d.read === seq);
      p.c.send(
        `<message to='${p.bj}' id='r2'><displayed xmlns='${MARKERS}' id='${sent.message.id}'/></message>`,
      );
      await read;
      expect((await p.b.web.markers(p.a.name)).theirs).toMatchObject({ read: seq });

      // The other way: the web user's delivered and read markers about an XMPP message.
      const w = await fromXmpp(p, 'from xmpp', 'x-tick');
      const m2 = p.c.events.length;
      await p.conn.markDelivered(p.a.name, w.seq);
      const rec = await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('received', RECEIPTS) !== undefined,
        'receipt',
        m2,
      );
      expect(rec.attr('from')).toBe(p.bj);
      expect(rec.getChild('received', RECEIPTS)!.attr('id')).toBe('x-tick');
      expect(rec.getChild('received', MARKERS)!.attr('id')).toBe('x-tick');
      await p.conn.markRead(p.a.name, w.seq);
      const shown = await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('displayed', MARKERS) !== undefined,
        'displayed',
        m2,
      );
      expect(shown.getChild('displayed', MARKERS)!.attr('id')).toBe('x-tick');
      // A marker about no message of the conversation is dropped without an answer.
      const m3 = p.c.events.length;
      p.c.send(`<message to='${p.bj}' id='r3'><displayed xmlns='${MARKERS}' id='nope'/></message>`);
      await ping(p.c);
      expect(
        p.c.events.slice(m3).some((e) => e.type === 'stanza' && e.element.attr('id') === 'r3'),
      ).toBe(false);
    });

    it('read on the web: a carbon of displayed lets the XMPP resource clear it', async () => {
      const p = await pair();
      expect((await p.c.iq('set', "<enable xmlns='urn:xmpp:carbons:2'/>")).attr('type')).toBe(
        'result',
      );
      const sent = await p.b.web.sendMessage(p.a.name, 'read me elsewhere', 'w-else');
      const web = await p.a.web.connect();
      const mark = p.c.events.length;
      await web.markRead(p.b.name, sent.message.seq);
      const carbon = await p.c.stanza(
        (el) => el.getChild('sent', 'urn:xmpp:carbons:2') !== undefined,
        'sent carbon of displayed',
        mark,
      );
      const inner = carbon
        .getChild('sent', 'urn:xmpp:carbons:2')!
        .getChild('forwarded', 'urn:xmpp:forward:0')!
        .getChild('message', 'jabber:client')!;
      expect(inner.attr('to')).toBe(p.bj);
      expect(inner.getChild('displayed', MARKERS)!.attr('id')).toBe('w-else');
      web.close();
    });

    it('offline messages displayed on XMPP, or read on the web, do not come again', async () => {
      const a = await account('xa');
      const b = await account('wb');
      await b.web.sendMessage(a.name, 'first while away', 'away-1');
      const last = await b.web.sendMessage(a.name, 'second while away', 'away-2');
      const c = await login(a.name);
      await c.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'second while away',
        'missed',
      );
      c.send(
        `<message to='${b.name}@localhost' id='d1'><displayed xmlns='${MARKERS}' id='away-2'/></message>`,
      );
      await expect.poll(async () => (await a.web.markers(b.name)).read).toBe(last.message.seq);
      // Read on the web: the same.
      const third = await b.web.sendMessage(a.name, 'third while away', 'away-3');
      const web = await a.web.connect();
      await web.markRead(b.name, third.message.seq);
      web.close();
      const again = await login(a.name);
      await ping(again);
      const bodies = again.events.flatMap((e) =>
        e.type === 'stanza' && e.element.name === 'message' ? [e.element.getChildText('body')] : [],
      );
      expect(bodies).not.toContain('first while away');
      expect(bodies).not.toContain('third while away');
    });

    it('chat states are typing both ways', async () => {
      const p = await pair();
      const start = eventOf<Data>(p.conn, 'typing', (d) => d.state === 'start');
      p.c.send(`<message type='chat' to='${p.bj}'><composing xmlns='${STATES}'/></message>`);
      expect(await start).toMatchObject({ username: p.a.name });
      const stop = eventOf<Data>(p.conn, 'typing', (d) => d.state === 'stop');
      p.c.send(`<message type='chat' to='${p.bj}'><paused xmlns='${STATES}'/></message>`);
      await stop;
      const mark = p.c.events.length;
      await p.conn.typing(p.a.name, 'start');
      const comp = await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('composing', STATES) !== undefined,
        'composing',
        mark,
      );
      expect(comp.attr('from')).toBe(p.bj);
      expect(comp.getChild('body')).toBeUndefined();
      // Not renewed, typing lapses (core's expiry) into paused.
      await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('paused', STATES) !== undefined,
        'paused',
        mark,
      );
      await p.conn.typing(p.a.name, 'stop');
      await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('active', STATES) !== undefined,
        'active',
        mark,
      );
    });

    it('a correction from XMPP edits the message; another person’s is refused', async () => {
      const p = await pair();
      const orig = await fromXmpp(p, 'helo', 'c-1');
      const edited = eventOf<MsgData>(p.conn, 'message', (d) => d.change === 'edited');
      p.c.send(
        `<message type='chat' to='${p.bj}' id='c-2'><body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='c-1'/></message>`,
      );
      const e = await edited;
      expect(e.message).toMatchObject({ id: orig.message.id, text: 'hello' });
      // Stored once: no second message for the correction.
      const h = await p.b.web.history(p.a.name);
      expect(h.messages.map((m) => m.text)).toEqual(['hello']);
      // The web user's message cannot be corrected from XMPP.
      await p.b.web.sendMessage(p.a.name, 'mine', 'w-mine');
      const mark = p.c.events.length;
      p.c.send(
        `<message type='chat' to='${p.bj}' id='c-3'><body>yours now</body><replace xmlns='urn:xmpp:message-correct:0' id='w-mine'/></message>`,
      );
      const err = await p.c.stanza((el) => el.attr('id') === 'c-3', 'error', mark);
      expect(errorCondition(err)).toBe('forbidden');
      const unknown = p.c.events.length;
      p.c.send(
        `<message type='chat' to='${p.bj}' id='c-4'><body>x</body><replace xmlns='urn:xmpp:message-correct:0' id='no-such'/></message>`,
      );
      const err2 = await p.c.stanza((el) => el.attr('id') === 'c-4', 'error', unknown);
      expect(errorCondition(err2)).toBe('item-not-found');
    });

    it('retraction both ways: the fallback body is never stored', async () => {
      const p = await pair();
      const orig = await fromXmpp(p, 'oops', 'rt-1');
      const deleted = eventOf<MsgData>(p.conn, 'message', (d) => d.change === 'deleted');
      p.c.send(
        `<message type='chat' to='${p.bj}' id='rt-2'><retract xmlns='${RETRACT}' id='rt-1'/><fallback xmlns='${FALLBACK}' for='${RETRACT}'/><body>This person attempted to retract a previous message</body><store xmlns='urn:xmpp:hints'/></message>`,
      );
      expect((await deleted).message.id).toBe(orig.message.id);
      const h = await p.b.web.history(p.a.name);
      expect(h.messages).toHaveLength(1);
      expect(h.messages[0]!.deleted).toBe(true);
      // The web user deletes theirs: the XMPP client gets a retraction with a fallback.
      const w = await p.b.web.sendMessage(p.a.name, 'take back', 'w-rt');
      const mark = p.c.events.length;
      await p.b.web.deleteMessage(w.message.id);
      const r = await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('retract', RETRACT) !== undefined,
        'retraction',
        mark,
      );
      expect(r.attr('from')).toBe(p.bj);
      expect(r.getChild('retract', RETRACT)!.attr('id')).toBe('w-rt');
      expect(r.getChild('fallback', FALLBACK)!.attr('for')).toBe(RETRACT);
      expect(r.getChildText('body')).toBeTruthy();
    });

    it('reactions both ways: the XMPP set replaces the sender’s reactions', async () => {
      const p = await pair();
      const w = await p.b.web.sendMessage(p.a.name, 'react to me', 'w-re');
      const mine = (d: MsgData, emojis: string[]) =>
        d.change === 'reaction' &&
        JSON.stringify(d.message.reactions.map((r) => r.emoji).sort()) ===
          JSON.stringify([...emojis].sort());
      const both = eventOf<MsgData>(p.conn, 'message', (d) => mine(d, ['👍', '🎉']));
      p.c.send(
        `<message type='chat' to='${p.bj}' id='re-1'><reactions xmlns='${REACTIONS}' id='w-re'><reaction>👍</reaction><reaction>🎉</reaction></reactions><store xmlns='urn:xmpp:hints'/></message>`,
      );
      await both;
      const one = eventOf<MsgData>(p.conn, 'message', (d) => mine(d, ['🎉']));
      p.c.send(
        `<message type='chat' to='${p.bj}' id='re-2'><reactions xmlns='${REACTIONS}' id='${w.message.id}'><reaction>🎉</reaction></reactions></message>`,
      );
      await one;
      // The web user reacts to the XMPP user's message.
      const x = await fromXmpp(p, 'like this', 'x-re');
      const mark = p.c.events.length;
      await p.b.web.react(x.message.id, '❤️');
      const r = await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('reactions', REACTIONS) !== undefined,
        'reactions',
        mark,
      );
      expect(r.attr('from')).toBe(p.bj);
      const set = r.getChild('reactions', REACTIONS)!;
      expect(set.attr('id')).toBe('x-re');
      expect(set.getChildren('reaction').map((e) => e.text())).toEqual(['❤️']);
      // Hostile: an emoji core refuses is an error, nothing changes.
      const m2 = p.c.events.length;
      p.c.send(
        `<message type='chat' to='${p.bj}' id='re-3'><reactions xmlns='${REACTIONS}' id='w-re'><reaction>${'x'.repeat(100)}</reaction></reactions></message>`,
      );
      const err = await p.c.stanza((el) => el.attr('id') === 're-3', 'error', m2);
      expect(errorCondition(err)).toBe('not-acceptable');
    });

    it('replies both ways, with the quote as a XEP-0428 fallback', async () => {
      const p = await pair();
      const parent = await p.b.web.sendMessage(p.a.name, 'what time?', 'w-parent');
      const quote = '> what time?\n';
      const got = eventOf<MsgData>(p.conn, 'message', (d) => d.message.clientId === 'x-reply');
      p.c.send(
        `<message type='chat' to='${p.bj}' id='x-reply'><body>${quote}noon</body><reply xmlns='${REPLY}' to='${p.bj}' id='w-parent'/><fallback xmlns='${FALLBACK}' for='${REPLY}'><body start='0' end='${[...quote].length}'/></fallback></message>`,
      );
      const m = (await got).message;
      expect(m.text).toBe('noon');
      expect(m.replyTo).toBe(parent.message.id);
      // A reply whose parent is unknown keeps its whole text and no parent.
      const lost = eventOf<MsgData>(p.conn, 'message', (d) => d.message.clientId === 'x-lost');
      p.c.send(
        `<message type='chat' to='${p.bj}' id='x-lost'><body>${quote}later</body><reply xmlns='${REPLY}' id='gone'/><fallback xmlns='${FALLBACK}' for='${REPLY}'><body start='0' end='999'/></fallback></message>`,
      );
      expect((await lost).message).toMatchObject({ text: `${quote}later`, replyTo: null });
      // The web user replies to the XMPP user's message.
      const x = await fromXmpp(p, 'lunch?', 'x-lunch');
      const mark = p.c.events.length;
      await p.b.web.sendMessage(p.a.name, 'yes', 'w-yes', x.message.id);
      const r = await p.c.stanza(
        (el) => el.name === 'message' && el.getChild('reply', REPLY) !== undefined,
        'reply',
        mark,
      );
      expect(r.getChild('reply', REPLY)!.attr('id')).toBe('x-lunch');
      expect(r.getChild('reply', REPLY)!.attr('to')).toBe(p.aj);
      const body = r.getChildText('body')!;
      const range = r.getChild('fallback', FALLBACK)!.getChild('body')!;
      const chars = [...body];
      expect(chars.slice(0, Number(range.attr('end'))).join('')).toBe('> lunch?\n');
      expect(chars.slice(Number(range.attr('end'))).join('')).toBe('yes');
    });
  });
}
