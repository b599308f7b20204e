import { describe, expect, it } from 'vitest';
import { cleanName, MAX_NAME_CHARS } from './names.js';

describe('cleanName', () => {
  it('keeps the last path segment only, without controls, bidi overrides or leading dots', () => {
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('C:\\Windows\\system.ini')).toBe('system.ini');
    expect(cleanName('.htaccess')).toBe('htaccess');
    expect(cleanName('\u202Efdp.exe')).toBe('fdp.exe');
    expect(cleanName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(cleanName('photo.jpg   ')).toBe('photo.jpg');
    expect(cleanName('Reisepass 🛂.pdf')).toBe('Reisepass 🛂.pdf');
  });

  it('names an empty or dots-only name "file" and bounds the length in characters', () => {
    for (const n of ['', '.', '..', '/', '\\\\', '  ', '\u0000']) expect(cleanName(n)).toBe('file');
    expect([...cleanName('🙂'.repeat(1000))].length).toBe(MAX_NAME_CHARS);
  });
});
