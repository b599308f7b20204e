/**
 * Compares two V8 heap snapshots of the bench server (`bench/run.ts --scenario connect
 * --heap-snapshot DIR` writes baseline.heapsnapshot and connected.heapsnapshot) and
 * prints what the connections added, by object type, per connection.
 *
 *   node --import tsx bench/heap.ts DIR/baseline.heapsnapshot DIR/connected.heapsnapshot --per 2000
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const { values, positionals } = parseArgs({
  options: { per: { type: 'string', default: '1' }, top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
if (positionals.length !== 2) {
  process.stderr.write('usage: node --import tsx bench/heap.ts BEFORE AFTER [--per N] [--top K]\n');
  process.exit(2);
}

/** Self size and count by "type name" (a constructor, "(closure) fn", "(string)"...). */
function load(path: string): Map<string, { size: number; count: number }> {
  const s = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!;
    const name = s.strings[s.nodes[i + iName]!]!;
    const key =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `(closure) ${name || 'anonymous'}`
          : `(${type})`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += s.nodes[i + iSize]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const per = Number(values.per);
const before = load(positionals[0]!);
const after = load(positionals[1]!);
const diff = [...after]
  .map(([k, a]) => {
    const b = before.get(k) ?? { size: 0, count: 0 };
    return { k, size: a.size - b.size, count: a.count - b.count };
  })
  .sort((x, y) => y.size - x.size);
const total = diff.reduce((n, d) => n + d.size, 0);
const lines = [
  `heap growth: ${(total / 2 ** 20).toFixed(1)} MB, ${Math.round(total / per)} bytes per unit (${per} units)`,
  '',
  '  bytes/unit  objects/unit  type',
];
for (const d of diff.slice(0, Number(values.top)))
  lines.push(
    `  ${String(Math.round(d.size / per)).padStart(10)}  ${(d.count / per).toFixed(1).padStart(12)}  ${d.k.slice(0, 80)}`,
  );
process.stdout.write(lines.join('\n') + '\n');
