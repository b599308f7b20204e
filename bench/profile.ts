/**
 * Summarises a V8 .cpuprofile written by the bench server (`bench/run.ts --profile DIR`):
 * where the server's main thread spent its time, by function (self time) and by
 * source area (inclusive: time with that file or package anywhere on the stack).
 *
 *   node --import tsx bench/profile.ts DIR/CPU.*.cpuprofile [--top 25]
 *
 * The profile samples the main thread's wall clock: a synchronous SQLite call that
 * waits for fsync counts here although it is not CPU time.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, json: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node --import tsx bench/profile.ts FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Where a frame comes from: a package, a file of ours, Node itself, or V8's own buckets. */
function area(n: Node): string {
  const { url, functionName } = n.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  // The server compiled by bench/run.ts (--server dist): .../parley-bench/<rev>/build/src/...
  const built = url.indexOf('/build/src/');
  if (built >= 0) return url.slice(built + '/build/'.length).replace(/\.js$/, '.ts');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

const self = new Map<number, number>();
const inclusive = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  total += dt;
  self.set(id, (self.get(id) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const a = area(byId.get(cur)!);
    if (seen.has(a)) continue;
    seen.add(a);
    inclusive.set(a, (inclusive.get(a) ?? 0) + dt);
  }
}

const fns = new Map<string, number>();
const areasSelf = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const key = `${n.callFrame.functionName || '(anonymous)'} ${area(n)}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
  areasSelf.set(area(n), (areasSelf.get(area(n)) ?? 0) + t);
}

const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
if (values.json) {
  process.stdout.write(
    JSON.stringify({
      seconds: total / 1e6,
      selfByFunction: sorted(fns).map(([k, t]) => ({ k, share: t / total })),
      selfByArea: sorted(areasSelf).map(([k, t]) => ({ k, share: t / total })),
      inclusiveByArea: sorted(inclusive).map(([k, t]) => ({ k, share: t / total })),
    }) + '\n',
  );
} else {
  const out: string[] = [
    `profile: ${(total / 1e6).toFixed(1)} s of samples`,
    '',
    'self time by function:',
  ];
  for (const [k, t] of sorted(fns)) out.push(`  ${pct(t)}  ${k}`);
  out.push('', 'self time by area:');
  for (const [k, t] of sorted(areasSelf)) out.push(`  ${pct(t)}  ${k}`);
  out.push('', 'inclusive time by area (anywhere on the stack):');
  for (const [k, t] of sorted(inclusive)) out.push(`  ${pct(t)}  ${k}`);
  process.stdout.write(out.join('\n') + '\n');
}
