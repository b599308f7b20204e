import { describe, expect, it } from 'vitest';
import { type IrcMessage, serialiseLine } from '../codec/line.js';
import { parseWhox, whoFlags, whoxParams } from './whox.js';

const info = {
  channel: '#tea',
  user: 'bob',
  host: 'parley.test',
  server: 'parley.test',
  nick: 'bob',
  flags: 'H@',
  idle: 0,
  account: 'bob',
  realname: 'Bob Builder',
};

describe('WHOX', () => {
  it('answers the fields asked in the spec’s order, whatever order they came in', () => {
    const q = parseWhox('%rafnhuct,42')!;
    expect(q).toEqual({ fields: 'tcuhnfar', token: '42' });
    expect(whoxParams(q, info)).toEqual([
      '42',
      '#tea',
      'bob',
      'parley.test',
      'bob',
      'H@',
      'bob',
      'Bob Builder',
    ]);
  });

  it('placeholders: no channel *, no account 0, ip hidden', () => {
    const q = parseWhox('%cia')!;
    expect(whoxParams(q, { ...info, channel: '', account: '' })).toEqual([
      '*',
      '255.255.255.255',
      '0',
    ]);
  });

  it('hostile queries: unknown fields ignored, bad tokens become 0, no % is a plain WHO', () => {
    expect(parseWhox('#tea')).toBeUndefined();
    expect(parseWhox(undefined)).toBeUndefined();
    expect(parseWhox('%')).toEqual({ fields: '', token: '0' });
    expect(parseWhox('%zzzt,1234')).toEqual({ fields: 't', token: '0' });
    expect(parseWhox('%t,4 2')).toEqual({ fields: 't', token: '0' });
    expect(parseWhox(`%${'n'.repeat(5000)},7`)).toEqual({ fields: 'n', token: '7' });
    // A realname with spaces is the last parameter: the line still serialises.
    const line: IrcMessage = {
      tags: new Map(),
      source: 's',
      command: '354',
      params: ['me', ...whoxParams(parseWhox('%nr')!, info)],
    };
    expect(serialiseLine(line)).toEqual({ ok: true, line: ':s 354 me bob :Bob Builder' });
  });

  it('flags: G only for a presence you may see that is not available, then * and the prefix', () => {
    expect(whoFlags({ show: undefined })).toBe('H');
    expect(whoFlags({ show: 'available', prefix: '@' })).toBe('H@');
    for (const show of ['away', 'xa', 'dnd', 'offline']) expect(whoFlags({ show })).toBe('G');
    expect(whoFlags({ show: 'dnd', oper: true, prefix: '~' })).toBe('G*~');
    expect(whoFlags({ show: undefined, oper: true })).toBe('H*');
  });
});
