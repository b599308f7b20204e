import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../core/errors.js';
import { HTTP_STATUS } from './errors.js';
import { checkShape, jsonDepth, parseJsonBytes, parseJsonText } from './json.js';

/** Runs fn and returns the ParleyError it throws (fails the test if it throws anything else, or nothing). */
function caught(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a ParleyError, nothing was thrown');
}

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
const nestedObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const LIMITS = { maxBytes: 1024, maxDepth: 8 };

describe('jsonDepth', () => {
  it('counts arrays and objects, flat values are depth 0', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('"text"')).toBe(0);
    expect(jsonDepth('null')).toBe(0);
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('[]')).toBe(1);
    expect(jsonDepth('[[1],[2],{"a":[3]}]')).toBe(3);
    expect(jsonDepth(nested(500))).toBe(500);
    expect(jsonDepth(nestedObj(300))).toBe(300);
  });

  it('ignores brackets inside strings, however many', () => {
    expect(jsonDepth(`"${'['.repeat(10_000)}"`)).toBe(0);
    expect(jsonDepth(`{"k":"${'{['.repeat(5_000)}"}`)).toBe(1);
    expect(jsonDepth(`{"${'['.repeat(100)}":1}`)).toBe(1);
  });

  it('handles escaped quotes and escaped backslashes', () => {
    // "a\"[[[" is one string: the brackets are inside it.
    expect(jsonDepth('{"a":"x\\"[[[["}')).toBe(1);
    // "\\" ends the string: the brackets after it count.
    expect(jsonDepth('["\\\\",[[["x"]]]]')).toBe(4);
    // \u escapes do not confuse it
    expect(jsonDepth('["\\u005b\\u005b",[1]]')).toBe(2);
  });

  it('counts deep nesting that hides after a string', () => {
    expect(jsonDepth(`["${'['.repeat(50)}",${nested(40)}]`)).toBe(41);
  });
});

describe('parseJsonText', () => {
  it('parses valid JSON within the depth limit', () => {
    expect(parseJsonText('{"a":[1,{"b":"c"}]}', 3)).toEqual({ a: [1, { b: 'c' }] });
    expect(parseJsonText(nested(8), 8)).toEqual(JSON.parse(nested(8)));
  });

  it('refuses nesting deeper than the limit, before parsing it', () => {
    const e = caught(() => parseJsonText(nested(9), 8));
    expect(e.condition).toBe('bad-request');
    expect(e.message).toMatch(/nested deeper than 8/);
    // Far too deep for a recursive parser: still a clean error.
    expect(caught(() => parseJsonText(nested(1_000_000), 32)).condition).toBe('bad-request');
    expect(caught(() => parseJsonText(nestedObj(100_000), 32)).message).toMatch(/nested deeper/);
    // Unbalanced (unterminated) deep input is refused too.
    expect(caught(() => parseJsonText('['.repeat(100_000), 32)).condition).toBe('bad-request');
  });

  it('accepts deep-looking brackets that are inside strings', () => {
    const text = `{"a":"${'[{'.repeat(10_000)}"}`;
    expect(parseJsonText(text, 2)).toEqual({ a: '[{'.repeat(10_000) });
  });

  it('refuses text that is not JSON with bad-request, never a SyntaxError', () => {
    for (const bad of [
      '',
      'hello',
      '{',
      '{"a":}',
      "{'a':1}",
      '{"a":1,}',
      'undefined',
      'NaN',
      '{"a":1}x',
      '\uFEFF{}',
    ]) {
      const e = caught(() => parseJsonText(bad, 8));
      expect(e.condition, bad).toBe('bad-request');
      expect(e.message, bad).toBe('the data is not valid JSON');
    }
  });

  it('returns non-object JSON as is (the caller decides)', () => {
    expect(parseJsonText('[1,2]', 8)).toEqual([1, 2]);
    expect(parseJsonText('42', 8)).toBe(42);
    expect(parseJsonText('"s"', 8)).toBe('s');
    expect(parseJsonText('null', 8)).toBeNull();
  });

  it('keeps a __proto__ key as plain data and does not pollute prototypes', () => {
    const v = parseJsonText(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
      8,
    ) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseJsonBytes', () => {
  it('parses valid UTF-8 JSON, multi-byte characters included', () => {
    expect(parseJsonBytes(Buffer.from('{"name":"Zoë 🎉 日本"}'), LIMITS)).toEqual({
      name: 'Zoë 🎉 日本',
    });
  });

  it('refuses input over maxBytes with payload-too-large, counted in bytes not characters', () => {
    const e = caught(() => parseJsonBytes(Buffer.alloc(1025, 0x20), LIMITS));
    expect(e.condition).toBe('payload-too-large');
    expect(HTTP_STATUS[e.condition]).toBe(413);
    // 400 three-byte characters = 1200 bytes > 1024, although only ~400 characters.
    const wide = Buffer.from(`"${'日'.repeat(400)}"`);
    expect(wide.length).toBeGreaterThan(1024);
    expect(caught(() => parseJsonBytes(wide, LIMITS)).condition).toBe('payload-too-large');
    // Exactly at the limit is fine.
    const exact = Buffer.from(`"${'a'.repeat(1022)}"`);
    expect(exact.length).toBe(1024);
    expect(parseJsonBytes(exact, LIMITS)).toBe('a'.repeat(1022));
  });

  it('checks the size before anything else (a huge invalid body is payload-too-large)', () => {
    const big = Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(5000, 0xff), Buffer.from('"}')]);
    expect(caught(() => parseJsonBytes(big, LIMITS)).condition).toBe('payload-too-large');
  });

  it('refuses invalid UTF-8 with bad-request instead of replacing it', () => {
    const fixtures: Buffer[] = [
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // {"a":"\xff"}
      Buffer.from([0x22, 0xc3, 0x28, 0x22]), // bad continuation byte
      Buffer.from([0x22, 0xe2, 0x82, 0x22]), // truncated 3-byte sequence
      Buffer.from([0x22, 0xc0, 0xaf, 0x22]), // overlong encoding of "/"
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), // UTF-16 surrogate encoded in UTF-8
      Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), // above U+10FFFF
      Buffer.from([0x22, 0xf0, 0x9f, 0x8e]), // string cut mid-character
    ];
    for (const buf of fixtures) {
      const e = caught(() => parseJsonBytes(buf, LIMITS));
      expect(e.condition, buf.toString('hex')).toBe('bad-request');
      expect(e.message, buf.toString('hex')).toMatch(/UTF-8/);
    }
  });

  it('applies the depth limit and the JSON check', () => {
    expect(caught(() => parseJsonBytes(Buffer.from(nested(9)), LIMITS)).message).toMatch(
      /nested deeper/,
    );
    expect(caught(() => parseJsonBytes(Buffer.from('not json'), LIMITS)).message).toMatch(
      /not valid JSON/,
    );
    expect(caught(() => parseJsonBytes(Buffer.alloc(0), LIMITS)).condition).toBe('bad-request');
  });
});

describe('checkShape', () => {
  const shape = {
    name: 'string',
    nick: 'string?',
    age: 'number?',
    on: 'boolean?',
    year: 'number|null?',
    bio: 'string|null?',
    extra: 'any?',
  } as const;

  it('accepts a matching object and returns it', () => {
    const input = {
      name: 'a',
      nick: 'b',
      age: 3,
      on: false,
      year: null,
      bio: null,
      extra: [1, { x: 2 }],
    };
    expect(checkShape(input, shape)).toBe(input);
    expect(checkShape({ name: '' }, shape)).toEqual({ name: '' });
  });

  it('refuses input that is not an object', () => {
    for (const bad of [null, undefined, 1, 'str', true, [], [{ name: 'a' }]]) {
      const e = caught(() => checkShape(bad, shape));
      expect(e.condition).toBe('bad-request');
      expect(e.message).toMatch(/must be a JSON object/);
    }
  });

  it('refuses unknown keys and names them', () => {
    const e = caught(() => checkShape({ name: 'a', colour: 'red' }, shape));
    expect(e.condition).toBe('bad-request');
    expect(e.field).toBe('colour');
    // Inherited names are unknown too, not mistaken for shape entries.
    for (const key of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      expect(caught(() => checkShape({ name: 'a', [key]: 'x' }, shape)).field).toBe(key);
    }
  });

  it('cuts a hostile unknown key to 40 characters in the error', () => {
    const key = 'k'.repeat(10_000);
    const e = caught(() => checkShape({ name: 'a', [key]: 1 }, shape));
    expect(e.field).toBe('k'.repeat(40));
    expect(e.message.length).toBeLessThan(100);
  });

  it('refuses a __proto__ key as unknown, and nothing is polluted', () => {
    const input = JSON.parse('{"name":"a","__proto__":{"admin":true}}') as unknown;
    const e = caught(() => checkShape(input, shape));
    expect(e.field).toBe('__proto__');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(caught(() => checkShape(JSON.parse('{"__proto__":null}'), {})).field).toBe('__proto__');
  });

  it('requires required fields', () => {
    const e = caught(() => checkShape({}, shape));
    expect(e.field).toBe('name');
    expect(e.message).toMatch(/required/);
  });

  it('refuses wrong types with the field named', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 5 }, 'name'],
      [{ name: null }, 'name'],
      [{ name: ['a'] }, 'name'],
      [{ name: { toString: 'a' } }, 'name'],
      [{ name: 'a', nick: 1 }, 'nick'],
      [{ name: 'a', nick: null }, 'nick'],
      [{ name: 'a', age: '3' }, 'age'],
      [{ name: 'a', age: null }, 'age'],
      [{ name: 'a', on: 'true' }, 'on'],
      [{ name: 'a', on: 0 }, 'on'],
      [{ name: 'a', year: '2000' }, 'year'],
      [{ name: 'a', bio: 7 }, 'bio'],
    ];
    for (const [input, field] of cases) {
      const e = caught(() => checkShape(input, shape));
      expect(e.condition, JSON.stringify(input)).toBe('bad-request');
      expect(e.field, JSON.stringify(input)).toBe(field);
    }
  });

  it('refuses numbers that are not finite', () => {
    for (const n of [NaN, Infinity, -Infinity])
      expect(caught(() => checkShape({ name: 'a', age: n }, shape)).field).toBe('age');
  });

  it('refuses over-long strings with the field named, and accepts up to the cap', () => {
    expect(checkShape({ name: 'x'.repeat(8192) }, shape)).toBeTruthy();
    const e = caught(() => checkShape({ name: 'x'.repeat(8193) }, shape));
    expect(e.field).toBe('name');
    expect(e.message).toMatch(/too long/);
    expect(caught(() => checkShape({ name: 'a', bio: 'y'.repeat(100_000) }, shape)).field).toBe(
      'bio',
    );
  });

  describe('strings?', () => {
    const list = { groups: 'strings?' } as const;

    it('accepts a list of one-line strings, empty included, and leaves it as it is', () => {
      const input = { groups: ['a', '', ' b ', 'a'] };
      expect(checkShape(input, list)).toBe(input);
      expect(checkShape({ groups: [] }, list)).toEqual({ groups: [] });
      expect(checkShape({}, list)).toEqual({});
    });

    it('refuses what is not a list, with the texts core gave for contact groups', () => {
      for (const bad of ['G1', null, 42, true, {}, { 0: 'a', length: 1 }]) {
        const e = caught(() => checkShape({ groups: bad }, list));
        expect(e.condition, JSON.stringify(bad)).toBe('bad-request');
        expect(e.field).toBe('groups');
        expect(e.message).toBe('groups must be a list of names');
      }
    });

    it('refuses items that are not strings', () => {
      for (const bad of [
        [1],
        ['ok', null],
        [true],
        [{}],
        [['nested']],
        [[]],
        ['ok', ['a', ['b']]],
      ]) {
        const e = caught(() => checkShape({ groups: bad }, list));
        expect(e.field, JSON.stringify(bad)).toBe('groups');
        expect(e.message).toBe('groups must be a string');
      }
    });

    it('refuses control characters inside an item', () => {
      for (const bad of [['a\u0000b'], ['ok', 'line\nbreak'], ['\u001b[31m']])
        expect(caught(() => checkShape({ groups: bad }, list)).field).toBe('groups');
    });
  });
});
