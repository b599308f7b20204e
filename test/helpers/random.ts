/**
 * A small seeded generator for fuzz-style tests: the same seed gives the same
 * inputs, so a failure can be replayed (print the seed in the test name).
 */
export function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
    bytes: (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
    /** A string of `n` characters drawn from `alphabet`. */
    string: (alphabet: string, n: number): string => {
      const chars = [...alphabet];
      let out = '';
      for (let i = 0; i < n; i++) out += chars[int(chars.length)];
      return out;
    },
  };
}
