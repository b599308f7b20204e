import { describe, expect, it } from 'vitest';
import { serialize } from '../codec/serialize.js';
import { decodeSasl, saslElement } from './sasl.js';

describe('XMPP SASL framing', () => {
  it('decodes base64 and "=" as empty', () => {
    expect(decodeSasl('AGEAYg==')!.toString()).toBe('\0a\0b');
    expect(decodeSasl(' = ')!.length).toBe(0);
  });

  it('refuses hostile payloads: bad characters, bad length, too long', () => {
    for (const bad of ['@@@@', 'abc', 'ab=c', 'a'.repeat(12_000), 'AAAA\u0000AAA', '====='])
      expect(decodeSasl(bad)).toBeUndefined();
  });

  it('writes challenge, success and failure', () => {
    expect(serialize(saslElement('challenge', Buffer.alloc(0)))).toBe(
      "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
    );
    expect(serialize(saslElement('success', Buffer.alloc(0)))).toBe(
      "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</success>",
    );
    expect(serialize(saslElement('success', Buffer.from('v=x')))).toBe(
      "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj14</success>",
    );
    expect(serialize(saslElement('failure', undefined, 'not-authorized', 'no <way>'))).toBe(
      "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text xml:lang='en'>no &lt;way&gt;</text></failure>",
    );
  });
});
