import { describe, expect, it } from 'vitest';
import { xml } from '../codec/element.js';
import { serialize } from '../codec/serialize.js';
import { XMLNS } from '../xmlns.js';
import {
  avatarBytes,
  avatarMetadataItem,
  BadItem,
  nickItem,
  unmetPrecondition,
  VCARD4_NS,
  vcard4Item,
  vcard4Update,
} from './items.js';

const data = (text: string) => xml('data', { xmlns: XMLNS.avatarData }, text);
const card = (...children: ReturnType<typeof xml>[]) =>
  xml('vcard', { xmlns: VCARD4_NS }, ...children);
const options = (fields: Record<string, string>) =>
  xml(
    'publish-options',
    { xmlns: XMLNS.pubsub },
    xml(
      'x',
      { xmlns: XMLNS.data, type: 'submit' },
      Object.entries(fields).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v))),
    ),
  );

describe('PEP items', () => {
  it('avatar data is strict base64 within the bound', () => {
    expect(avatarBytes(data('aGVs\nbG8='), 100).toString()).toBe('hello');
    for (const bad of [
      '',
      '   ',
      'a',
      'abc',
      '!!!!',
      'aGVsbG8=x',
      'aG==VsbG8=',
      'aGVsbG8===',
      '<b>',
    ])
      expect(() => avatarBytes(data(bad), 100), bad).toThrow(BadItem);
    // Far past the bound: refused before decoding.
    expect(() => avatarBytes(data('A'.repeat(10_000)), 100)).toThrow(/too large/);
  });

  it('metadata names the stored picture, or is empty when there is none', () => {
    const a = { hash: 'ab'.repeat(20), type: 'image/png', size: 10, width: 2, height: 3 };
    expect(serialize(avatarMetadataItem(a))).toBe(
      `<item id='${a.hash}'><metadata xmlns='urn:xmpp:avatar:metadata'>` +
        `<info bytes='10' id='${a.hash}' type='image/png' width='2' height='3'/></metadata></item>`,
    );
    expect(serialize(avatarMetadataItem(null))).toBe(
      "<item id='current'><metadata xmlns='urn:xmpp:avatar:metadata'/></item>",
    );
    expect(serialize(nickItem('A & <B>'))).toBe(
      "<item id='current'><nick xmlns='http://jabber.org/protocol/nick'>A &amp; &lt;B&gt;</nick></item>",
    );
  });

  it('a vCard4 maps onto the profile both ways; a bad date is refused', () => {
    const p = {
      userId: 'u',
      username: 'ada',
      displayName: 'Ada',
      birthYear: 1990,
      city: 'Paris',
      country: 'FR',
      about: 'hi',
      searchable: true,
      avatar: null,
    };
    const v = vcard4Item(p, 'example.org').elements()[0]!;
    expect(vcard4Update(v)).toEqual({
      displayName: 'Ada',
      city: 'Paris',
      country: 'FR',
      birthYear: 1990,
      about: 'hi',
    });
    // Left out = cleared, as a vcard-temp set; a date without a year keeps no year.
    expect(vcard4Update(card(xml('bday', {}, xml('date', {}, '--12-10'))))).toEqual({
      displayName: '',
      city: '',
      country: '',
      birthYear: null,
      about: '',
    });
    expect(() => vcard4Update(card(xml('bday', {}, xml('date', {}, 'yesterday'))))).toThrow(
      BadItem,
    );
  });

  it('publish-options: what a node can honour passes, the rest is named', () => {
    expect(unmetPrecondition(undefined, XMLNS.bookmarks)).toBeUndefined();
    expect(
      unmetPrecondition(
        options({ 'pubsub#access_model': 'whitelist', 'pubsub#persist_items': 'true' }),
        XMLNS.bookmarks,
      ),
    ).toBeUndefined();
    expect(unmetPrecondition(options({ 'pubsub#access_model': 'open' }), XMLNS.bookmarks)).toBe(
      'pubsub#access_model',
    );
    expect(
      unmetPrecondition(options({ 'pubsub#access_model': 'open' }), XMLNS.avatarData),
    ).toBeUndefined();
    expect(unmetPrecondition(options({ 'pubsub#access_model': 'authorize' }), XMLNS.nick)).toBe(
      'pubsub#access_model',
    );
    expect(unmetPrecondition(options({ 'pubsub#persist_items': '0' }), XMLNS.nick)).toBe(
      'pubsub#persist_items',
    );
    expect(unmetPrecondition(options({ 'pubsub#max_items': 'max' }), XMLNS.nick)).toBeUndefined();
  });
});
