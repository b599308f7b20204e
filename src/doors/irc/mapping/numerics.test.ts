import { describe, expect, it } from 'vitest';
import { parseLine, serialiseLine } from '../codec/line.js';
import { DEFAULT_TEXT, NUMERICS, numericReply, standardReply } from './numerics.js';

const line = (m: Parameters<typeof serialiseLine>[0]) => {
  const r = serialiseLine(m);
  if (!r.ok) throw new Error(r.reason);
  return r.line;
};

describe('numerics', () => {
  it('codes are three digits, unique, and named by the usual RPL_/ERR_ names', () => {
    const codes = Object.values(NUMERICS);
    for (const c of codes) expect(c).toMatch(/^[0-9]{3}$/);
    expect(new Set(codes).size).toBe(codes.length);
    for (const n of Object.keys(NUMERICS)) expect(n).toMatch(/^(RPL|ERR)_[A-Z]+$/);
    for (const n of Object.keys(DEFAULT_TEXT)) expect(NUMERICS).toHaveProperty(n);
    expect(NUMERICS.ERR_INPUTTOOLONG).toBe('417');
    expect(NUMERICS.ERR_NICKNAMEINUSE).toBe('433');
    expect(NUMERICS.RPL_SASLMECHS).toBe('908');
  });

  it('builds replies with the default text, a given text, or none', () => {
    expect(line(numericReply('srv.example', 'alice', 'ERR_NOSUCHNICK', ['bob']))).toBe(
      ':srv.example 401 alice bob :No such nick/channel',
    );
    expect(line(numericReply('srv.example', '', 'ERR_NOTREGISTERED'))).toBe(
      ':srv.example 451 * :You have not registered',
    );
    expect(line(numericReply('srv.example', 'a', 'RPL_WELCOME', [], 'Welcome, a'))).toBe(
      ':srv.example 001 a :Welcome, a',
    );
    expect(line(numericReply('srv.example', 'a', 'RPL_MONONLINE', ['b!u@h,c!u@h'], null))).toBe(
      ':srv.example 730 a b!u@h,c!u@h',
    );
    expect(line(numericReply('srv.example', 'a', 'RPL_TOPIC', ['#x']))).toBe(
      ':srv.example 332 a #x',
    );
  });

  it('standard replies keep their description as the trailing parameter', () => {
    const m = standardReply('FAIL', 'CHATHISTORY', 'INVALID_TARGET', ['#x'], 'No such channel');
    expect(line(m)).toBe('FAIL CHATHISTORY INVALID_TARGET #x :No such channel');
    expect(line(standardReply('NOTE', '', 'OK', [], 'fine', 'srv'))).toBe(':srv NOTE * OK :fine');
    const p = parseLine(line(standardReply('WARN', 'REHASH', 'CONFIG', [], 'one')));
    expect(p).toMatchObject({
      ok: true,
      message: { command: 'WARN', params: ['REHASH', 'CONFIG', 'one'] },
    });
  });
});
