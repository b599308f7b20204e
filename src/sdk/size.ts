/**
 * A byte count as people read it: `512 B`, `1.2 MB`, `47 KB` (1024-based, one
 * decimal below 10). Pure and dependency-free, so both the web client (through the
 * SDK) and the IRC door's file lines say sizes the same way.
 */
export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
