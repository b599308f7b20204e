import { describe, expect, it } from 'vitest';
import { decodeBlurhash } from './blurhash.js';

const DIGITS =
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~';
const enc = (v: number, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++, v = Math.floor(v / 83)) s = DIGITS[v % 83] + s;
  return s;
};

describe('decodeBlurhash', () => {
  it('a hash of one colour paints every pixel that colour', () => {
    // Size flag 0: one component (the DC); 0x336699 in sRGB.
    const px = decodeBlurhash('0' + '0' + enc(0x336699, 4), 4, 3)!;
    expect(px).toHaveLength(4 * 3 * 4);
    for (let i = 0; i < px.length; i += 4)
      expect([...px.subarray(i, i + 4)]).toEqual([0x33, 0x66, 0x99, 255]);
  });

  it('a horizontal term shades left against right', () => {
    // 2 x 1 components; the AC term (red +max, green and blue 0) makes the left redder.
    const ac = 18 * 361 + 9 * 19 + 9;
    const px = decodeBlurhash(enc(1, 1) + enc(82, 1) + enc(0x808080, 4) + enc(ac, 2), 8, 1)!;
    expect(px[0]!).toBeGreaterThan(px[7 * 4]!);
    expect(px[1]).toBe(px[7 * 4 + 1]);
  });

  it('decodes a real hash to the right size and opaque pixels', () => {
    const px = decodeBlurhash('LEHV6nWB2yk8pyo0adR*.7kCMdnj', 32, 32)!;
    expect(px).toHaveLength(32 * 32 * 4);
    expect(px.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
  });

  it('refuses what is not a blurhash, without throwing', () => {
    expect(decodeBlurhash('', 4, 4)).toBeUndefined();
    expect(decodeBlurhash('LEHV6nWB2yk8pyo0adR*.7kCMdn', 4, 4)).toBeUndefined(); // one short
    expect(decodeBlurhash('LEHV6nWB2yk8pyo0adR*.7kCMdn"', 4, 4)).toBeUndefined(); // bad digit
    expect(decodeBlurhash('~'.repeat(166), 4, 4)).toBeUndefined(); // too many components
    expect(decodeBlurhash('x'.repeat(5000), 4, 4)).toBeUndefined();
    expect(decodeBlurhash('LEHV6nWB2yk8pyo0adR*.7kCMdnj', 10_000, 10_000)).toBeUndefined();
    expect(decodeBlurhash(null as unknown as string, 4, 4)).toBeUndefined();
  });
});
