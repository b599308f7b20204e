import { describe, expect, it } from 'vitest';
import { checkControls, findControl } from './text.js';

describe('control characters', () => {
  it('a line allows no C0 control and no DEL', () => {
    for (const c of ['\u0000', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f'])
      expect(findControl(`ab${c}`, 'line'), JSON.stringify(c)).toBe(2);
    expect(findControl('tärdis 👍 \u00a0', 'line')).toBe(-1);
  });

  it('text allows tab, line feed and carriage return only', () => {
    expect(findControl('a\tb\r\nc', 'text')).toBe(-1);
    for (const c of ['\u0000', '\u0007', '\u000b', '\u001b', '\u007f'])
      expect(findControl(`a${c}`, 'text'), JSON.stringify(c)).toBe(1);
  });

  it('the refusal names the field and the character', () => {
    expect(() => checkControls('a\u0000', 'username', 'line')).toThrow(
      expect.objectContaining({
        condition: 'bad-request',
        field: 'username',
        message: expect.stringMatching(/NUL/),
      }),
    );
    expect(() => checkControls('a\u001b', 'q', 'text')).toThrow(/U\+001B/);
  });
});
