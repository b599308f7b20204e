import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  decodeUtf8,
  escapeSaslname,
  parseClientFinal,
  parseClientFirst,
  parsePlain,
  unescapeSaslname,
} from './messages.js';

describe('SASL message parsing', () => {
  it('reads a client-first message and its gs2 header', () => {
    expect(parseClientFirst('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL')).toEqual({
      flag: { kind: 'n' },
      authzid: '',
      username: 'user',
      nonce: 'fyko+d2lbbFgONRv9qkxdawL',
      gs2Header: 'n,,',
      bare: 'n=user,r=fyko+d2lbbFgONRv9qkxdawL',
    });
    expect(parseClientFirst('p=tls-exporter,a=bob,n=bob,r=abcdefgh,x=ext')).toMatchObject({
      flag: { kind: 'p', cbName: 'tls-exporter' },
      authzid: 'bob',
      gs2Header: 'p=tls-exporter,a=bob,',
    });
    expect(parseClientFirst('y,,n=a=2Cb=3Dc,r=abcdefgh')).toMatchObject({
      flag: { kind: 'y' },
      username: 'a,b=c',
    });
  });

  it('refuses malformed client-first messages with the RFC 5802 error', () => {
    const err = (m: string) => (parseClientFirst(m) as { error?: string }).error;
    expect(err('')).toBe('other-error');
    expect(err('n')).toBe('other-error');
    expect(err('n,')).toBe('other-error');
    expect(err('x,,n=user,r=abcdefgh')).toBe('other-error');
    expect(err('p=,,n=user,r=abcdefgh')).toBe('other-error');
    expect(err('p=tls exporter,,n=user,r=abcdefgh')).toBe('other-error');
    expect(err('n,b=user,n=user,r=abcdefgh')).toBe('other-error');
    expect(err('n,a=,n=user,r=abcdefgh')).toBe('other-error');
    expect(err('n,a=b=41,n=user,r=abcdefgh')).toBe('invalid-username-encoding');
    expect(err('n,,m=ext,n=user,r=abcdefgh')).toBe('extensions-not-supported');
    expect(err('n,,r=abcdefgh,n=user')).toBe('other-error');
    expect(err('n,,n=user')).toBe('other-error');
    expect(err('n,,n=,r=abcdefgh')).toBe('invalid-username-encoding');
    expect(err('n,,n=us=er,r=abcdefgh')).toBe('invalid-username-encoding');
    expect(err('n,,n=user=2,r=abcdefgh')).toBe('invalid-username-encoding');
    expect(err('n,,n=user,r=short')).toBe('other-error');
    expect(err(`n,,n=user,r=${'a'.repeat(257)}`)).toBe('other-error');
    expect(err('n,,n=user,r=abcd efgh')).toBe('other-error');
    expect(err('n,,n=user,r=abcdefgh\u00e9')).toBe('other-error');
    expect(err('n,,n=user,r=abcdefgh,,')).toBe('other-error');
  });

  it('reads a client-final message and the part the AuthMessage takes', () => {
    const f = parseClientFinal('c=biws,r=abcdefgh123,x=1,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    expect(f).toMatchObject({
      nonce: 'abcdefgh123',
      withoutProof: 'c=biws,r=abcdefgh123,x=1',
    });
    expect((f as { channelBinding: Buffer }).channelBinding.toString()).toBe('n,,');
  });

  it('refuses malformed client-final messages', () => {
    const err = (m: string) => (parseClientFinal(m) as { error?: string }).error;
    expect(err('')).toBe('other-error');
    expect(err('c=biws,r=abc')).toBe('other-error');
    expect(err('r=abc,c=biws,p=AAAA')).toBe('other-error');
    expect(err('c=biws,r=abc,p=AAAA,x=1')).toBe('other-error');
    expect(err('c=biws,r=abc,p=AAAA,p=AAAA')).toBe('other-error');
    expect(err('c=bi ws,r=abc,p=AAAA')).toBe('invalid-encoding');
    expect(err('c=biws,r=abc,p=AAA')).toBe('invalid-encoding');
    expect(err('c=biws,r=abc,p=AAAA=')).toBe('invalid-encoding');
    expect(err('c=biws,r=abc,p=QR==')).toBe('invalid-encoding');
  });

  it('decodes base64 strictly', () => {
    expect(decodeBase64('')?.length).toBe(0);
    expect(decodeBase64('biws')?.toString()).toBe('n,,');
    expect(decodeBase64('YQ==')?.toString()).toBe('a');
    for (const bad of ['YQ=', 'YQ', 'Y Q==', 'YQ==\n', '====', 'Y===', 'YR==', '-_8=', 'YQ==YQ=='])
      expect(decodeBase64(bad)).toBeUndefined();
  });

  it('escapes and unescapes saslnames', () => {
    for (const s of ['plain', 'a,b', 'a=b', '=,=2C', ''])
      expect(unescapeSaslname(escapeSaslname(s))).toBe(s);
    expect(unescapeSaslname('a,b')).toBeUndefined();
    expect(unescapeSaslname('a=')).toBeUndefined();
    expect(unescapeSaslname('a=2c')).toBeUndefined();
  });

  it('reads PLAIN', () => {
    expect(parsePlain('\0bob\0secret')).toEqual({
      authzid: '',
      authcid: 'bob',
      password: 'secret',
    });
    expect(parsePlain('bob\0bob\0pw\u00e9')).toEqual({
      authzid: 'bob',
      authcid: 'bob',
      password: 'pw\u00e9',
    });
    for (const bad of ['', 'bob', '\0bob', '\0\0pw', '\0bob\0', '\0bob\0pw\0', 'a\0b\0c\0d'])
      expect(parsePlain(bad)).toHaveProperty('error');
  });

  it('never throws on random input', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(i % 64);
      const text = decodeUtf8(bytes) ?? bytes.toString('latin1');
      for (const t of [text, `n,,${text}`, `c=biws,${text}`, `p=${text}`]) {
        expect(() => parseClientFirst(t)).not.toThrow();
        expect(() => parseClientFinal(t)).not.toThrow();
        expect(() => parsePlain(t)).not.toThrow();
        expect(() => decodeBase64(t)).not.toThrow();
      }
    }
    expect(decodeUtf8(Buffer.from([0xc3, 0x28]))).toBeUndefined();
    expect(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBeUndefined();
  });
});
