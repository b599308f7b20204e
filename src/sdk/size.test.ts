import { describe, expect, it } from 'vitest';
import { fileSize } from './size.js';

describe('fileSize', () => {
  it('bytes, then 1024-based units with one decimal below 10', () => {
    expect(fileSize(0)).toBe('0 B');
    expect(fileSize(1023)).toBe('1023 B');
    expect(fileSize(1024)).toBe('1.0 KB');
    expect(fileSize(47 * 1024 + 100)).toBe('47 KB');
    expect(fileSize(1.25 * 1024 * 1024)).toBe('1.3 MB');
    expect(fileSize(5 * 1024 ** 4)).toBe('5.0 TB');
    // Past the largest unit it keeps counting in it.
    expect(fileSize(2048 * 1024 ** 4)).toBe('2048 TB');
  });
});
