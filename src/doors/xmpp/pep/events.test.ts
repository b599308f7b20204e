import { describe, expect, it } from 'vitest';
import type { PepEvent, PrivateChangedEvent } from '../../../core/events.js';
import { serialize } from '../codec/serialize.js';
import { XMLNS } from '../xmlns.js';
import { pepItemStanza, privateChangedStanza } from './events.js';

const GEOLOC = 'http://jabber.org/protocol/geoloc';
const v = { domain: 'example.org', jid: 'bob@example.org/phone', notify: new Set([GEOLOC]) };
const pep = (e: Partial<PepEvent>): PepEvent => ({
  name: 'pep.item',
  userId: 'u1',
  username: 'ada',
  node: GEOLOC,
  ...e,
});
const body = (el: ReturnType<typeof pepItemStanza>) =>
  serialize(el!).replace(/ id='pep-[^']*'/, '');

describe('PEP events as notifications', () => {
  it('an item, a retraction and a deletion, only for a node the client hears', () => {
    const item = pep({
      item: { id: 'current', payload: `<geoloc xmlns='${GEOLOC}'><lat>1.5</lat></geoloc>` },
    });
    expect(body(pepItemStanza(item, v))).toBe(
      "<message from='ada@example.org' to='bob@example.org/phone' type='headline'>" +
        `<event xmlns='${XMLNS.pubsubEvent}'><items node='${GEOLOC}'><item id='current'>` +
        `<geoloc xmlns='${GEOLOC}'><lat>1.5</lat></geoloc></item></items></event></message>`,
    );
    // The same event for another stream: the parsed payload is shared, the message is its own.
    const other = pepItemStanza(item, { ...v, jid: 'ada@example.org/desk' })!;
    expect(other.attr('to')).toBe('ada@example.org/desk');
    expect(pepItemStanza(item, { ...v, notify: new Set() })).toBeUndefined();
    expect(body(pepItemStanza(pep({ retracted: 'x&y' }), v))).toContain(
      `<items node='${GEOLOC}'><retract id='x&amp;y'/></items>`,
    );
    expect(body(pepItemStanza(pep({ deleted: true }), v))).toContain(`<delete node='${GEOLOC}'/>`);
    // Nothing to say: no stanza.
    expect(pepItemStanza(pep({}), v)).toBeUndefined();
  });

  it('a stored payload that does not parse is an empty item, never a broken stream', () => {
    const el = pepItemStanza(pep({ item: { id: 'i', payload: '<unclosed' } }), v)!;
    expect(body(el)).toContain("<item id='i'/>");
  });

  it('bookmarks changes from private data, checked against the node they claim', () => {
    const vb = { ...v, notify: new Set([XMLNS.bookmarks]) };
    const note = `<items xmlns='${XMLNS.pubsubEvent}' node='${XMLNS.bookmarks}'><item id='r@c'><conference xmlns='${XMLNS.bookmarks}'/></item></items>`;
    const ok: PrivateChangedEvent = {
      name: 'private.changed',
      key: `pep/${XMLNS.bookmarks}`,
      note,
    };
    const el = privateChangedStanza(ok, vb)!;
    expect(el.attr('from')).toBe('bob@example.org');
    expect(serialize(el)).toContain("<item id='r@c'>");
    expect(privateChangedStanza(ok, v)).toBeUndefined();
    for (const bad of [
      { ...ok, key: '{storage:bookmarks}storage' },
      { ...ok, key: 'pep/urn:example:other' },
      { ...ok, note: 'not xml <' },
      { ...ok, note: note.replace(`node='${XMLNS.bookmarks}'`, "node='urn:example:other'") },
    ])
      expect(privateChangedStanza(bad, vb), JSON.stringify(bad)).toBeUndefined();
  });
});
