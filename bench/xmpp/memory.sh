#!/usr/bin/env bash
# What Parley's XMPP door holds per logged-in TLS connection, on V8's live heap and
# in RSS after forced GCs (docs/benchmarks.md, "XMPP memory per connection"):
# parley-self.ts with --expose-gc is probed (SIGUSR2) before and after USERS clients
# log in over STARTTLS and stay idle; with SNAPSHOTS=1 the two heap snapshots are
# diffed by constructor (bench/heap.ts).
#
#   bash bench/xmpp/memory.sh 2000            # needs /tmp/xmppbench (run.sh makes it)
#   SNAPSHOTS=1 bash bench/xmpp/memory.sh 1000
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-2000}
W=/tmp/xmppbench
PORT=${PORT:-35223}
MEM=$W/mem-$$.jsonl
rm -f "$MEM"
snap=()
[ "${SNAPSHOTS:-0}" = 1 ] && snap=(--snapshots)
# PARLEY_BUILD=1: the compiled server (run `npx tsc -p tsconfig.build.json` first).
[ "${PARLEY_BUILD:-0}" = 1 ] && snap+=(--build)
node --expose-gc --import tsx bench/xmpp/parley-self.ts --port "$PORT" \
  --users "${PARLEY_TEMPLATE_USERS:-5000}" --template "$W/parley-template" --dir "$W/parley" \
  --cert "$W/cert.pem" --key "$W/key.pem" --mem-file "$MEM" "${snap[@]}" >"$W/parley-mem.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do ss -ltn | grep -q ":$PORT " && break; sleep 0.5; done
sleep 2
probe() { # n: waits for the nth line
  kill -USR2 $pid
  for _ in $(seq 1 600); do [ "$(wc -l <"$MEM" 2>/dev/null || echo 0)" -ge "$1" ] && return 0; sleep 0.5; done
  return 1
}
probe 1
fifo=$W/load-$$.out
node --import tsx bench/xmpp/load.ts --port "$PORT" --users "$USERS" --rates '' --hold 600 >"$fifo" 2>&1 &
lpid=$!
for _ in $(seq 1 1200); do grep -q '"phase":"hold"' "$fifo" && break; sleep 0.5; done
grep '"phase":"login"' "$fifo"
sleep 5
probe 2
kill $lpid 2>/dev/null || true
kill $pid
wait $pid 2>/dev/null || true
node -e '
const [a, b] = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const n = Number(process.argv[2]);
const per = (k) => Math.round((b[k] - a[k]) / n);
console.log(JSON.stringify({ users: n, rssMB: +(b.rss / 2 ** 20).toFixed(1), rssPerConn: per("rss"),
  heapUsedPerConn: per("heapUsed"), externalPerConn: per("external"), arrayBuffersPerConn: per("arrayBuffers") }));
if (a.snapshot) console.log(a.snapshot + " " + b.snapshot);
' "$MEM" "$USERS"
if [ "${SNAPSHOTS:-0}" = 1 ]; then
  node --import tsx bench/heap.ts "$MEM.0.heapsnapshot" "$MEM.1.heapsnapshot" --per "$USERS" --top 40
fi
