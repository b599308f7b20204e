#!/usr/bin/env bash
# Side-by-side XMPP run (bench/xmpp/README.md): Parley, Prosody and ejabberd, one
# after the other on this machine, each fresh from a template holding the
# accounts, each measured by bench/xmpp/load.ts (logins over STARTTLS with
# SCRAM-SHA-1, then chat to random online users at fixed rates, archive on).
#
#   bash bench/xmpp/run.sh USERS "RATES" SECONDS [servers...]
#   bash bench/xmpp/run.sh 5000 "400,1000" 20 parley prosody ejabberd
# TEMPLATE_USERS=N makes every server use a template of N accounts (the first USERS log
# in), so one ejabberd registration of 5,000 serves the 2,000 run too (PARLEY_TEMPLATE_USERS
# is the old name, Parley only). PARLEY_BEFORE_DIR=DIR adds the server `parley_before`:
# the same bench script run from another checkout (say `git archive main`, with a
# node_modules link), so one run holds Parley before and after a change.
# TEMPLATES_ONLY=1 makes the templates and stops. PARLEY_BUILD=1 runs Parley compiled
# (tsc into dist/, as `npm start` does) instead of through tsx.
#
# Needs Debian's prosody, lua-dbi-sqlite3 and ejabberd. Results: one JSON line per
# phase on stdout (and in $W/results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-2000}
RATES=${2:-400,1000}
SECONDS_PER_RATE=${3:-20}
shift 3 || true
[ $# -gt 0 ] && SERVERS=("$@") || SERVERS=(parley prosody ejabberd)
TEMPLATE_USERS=${TEMPLATE_USERS:-${PARLEY_TEMPLATE_USERS:-$USERS}}
W=/tmp/xmppbench
CONF=bench/xmpp/configs
mkdir -p "$W"
chmod 755 "$W"
[ -f "$W/both.pem" ] || {
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
    -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
  cat "$W/cert.pem" "$W/key.pem" >"$W/both.pem"
}

wait_port() { # port
  for _ in $(seq 1 360); do
    ss -ltn | grep -q ":$1 " && return 0
    sleep 0.5
  done
  echo "nothing listens on $1" >&2
  return 1
}

load() { # label port pid
  node --import tsx bench/xmpp/load.ts --label "$1" --port "$2" --pid "$3" \
    --users "$USERS" --rates "$RATES" --seconds "$SECONDS_PER_RATE" | tee -a "$W/results.jsonl"
}

run_parley() { # [label dir]
  local port=35222 label=${1:-parley} dir=${2:-.} build=()
  if [ "${PARLEY_BUILD:-0}" = 1 ]; then
    (cd "$dir" && npx tsc -p tsconfig.build.json)
    build=(--build)
  fi
  (cd "$dir" && exec node --import tsx bench/xmpp/parley-self.ts --port $port --users "$TEMPLATE_USERS" \
    --template "$W/parley-template" --dir "$W/parley" \
    --cert "$W/cert.pem" --key "$W/key.pem" "${build[@]}") >"$W/$label.log" 2>&1 &
  local pid=$!
  wait_port $port
  [ "${TEMPLATES_ONLY:-0}" = 1 ] || load "$label" $port $pid
  kill $pid
  wait $pid || true
  # A server closing 5,000 streams may outlive its shell: the next one needs the port.
  for _ in $(seq 1 240); do ss -ltn | grep -q ":$port " || break; sleep 0.5; done
}

run_parley_before() {
  run_parley parley-before "${PARLEY_BEFORE_DIR:?PARLEY_BEFORE_DIR names the checkout}"
}

run_prosody() {
  local port=15222 D="$W/prosody"
  local tpl="$W/prosody-template/$TEMPLATE_USERS/prosody.sqlite"
  if [ ! -f "$tpl" ]; then
    mkdir -p "$(dirname "$tpl")"
    node --import tsx bench/xmpp/prosody-accounts.ts "$tpl" "$TEMPLATE_USERS"
  fi
  [ "${TEMPLATES_ONLY:-0}" = 1 ] && return
  rm -rf "$D"
  mkdir -p "$D/data" "$D/certs"
  cp "$W/cert.pem" "$D/certs/localhost.crt"
  cp "$W/key.pem" "$D/certs/localhost.key"
  cp "$tpl" "$D/data/prosody.sqlite"
  sed -e "s#@DIR@#$D#g" -e "s#@PORT@#$port#g" $CONF/prosody.cfg.lua >"$D/prosody.cfg.lua"
  prosody --config "$D/prosody.cfg.lua" -F >"$D/out.log" 2>&1 &
  local pid=$!
  wait_port $port
  load prosody $port $pid
  kill $pid
  wait $pid || true
}

ejabberd_start() { # dir port
  local D=$1
  sed -e "s#@DIR@#$D#g" -e "s#@PORT@#$2#g" $CONF/ejabberd.yml.in >"$D/ejabberd.yml"
  sed -e "s#^EJABBERD_CONFIG_PATH=.*#EJABBERD_CONFIG_PATH=$D/ejabberd.yml#" \
    -e "s#^EJABBERD_PID_PATH=.*#EJABBERD_PID_PATH=$D/ejabberd.pid#" \
    -e "s#^CONTRIB_MODULES_CONF_DIR=.*#CONTRIB_MODULES_CONF_DIR=$D/modules.d#" \
    /etc/ejabberd/ejabberdctl.cfg >"$D/ejabberdctl.cfg"
  cp /etc/ejabberd/inetrc "$D/"
  cp "$W/both.pem" "$D/"
  chown -R ejabberd "$D"
  # Each client is a socket: 1,024 open files stop ejabberd near 1,000 users. ejabberdctl
  # would `su` to its user, and PAM sets that limit; setpriv keeps ours (the hard limit).
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  HOME=$(getent passwd ejabberd | cut -d: -f6) setpriv --reuid=ejabberd --regid=ejabberd --init-groups ejabberdctl --config-dir "$D" --config "$D/ejabberd.yml" --ctl-config "$D/ejabberdctl.cfg" \
    --spool "$D/db" --logs "$D/logs" --node ejabberd@localhost foreground >"$D/out.log" 2>&1 &
  wait_port "$2"
}

ejabberd_stop() {
  pkill -u ejabberd -f 'beam.smp.*ejabberd@localhost' || true
  for _ in $(seq 1 60); do pgrep -u ejabberd -f 'beam.smp.*ejabberd@localhost' >/dev/null || return 0; sleep 0.5; done
}

run_ejabberd() {
  local port=25222 D="$W/ejabberd"
  local tpl="$W/ejabberd-template/$TEMPLATE_USERS"
  if [ ! -d "$tpl/db" ]; then
    # In-band registration once; the Mnesia spool is the template after.
    rm -rf "$tpl"
    mkdir -p "$tpl/db" "$tpl/logs"
    ejabberd_start "$tpl" $port
    node --import tsx bench/xmpp/load.ts --port $port --users "$TEMPLATE_USERS" --register --concurrency 20
    ejabberd_stop
  fi
  [ "${TEMPLATES_ONLY:-0}" = 1 ] && return
  rm -rf "$D"
  mkdir -p "$D/logs"
  cp -a "$tpl/db" "$D/db"
  ejabberd_start "$D" $port
  local pid
  # The process listening on the port (not a helper beam started by ejabberdctl).
  pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  load ejabberd $port "$pid"
  ejabberd_stop
}

echo "# $(date -u +%FT%TZ) users=$USERS rates=$RATES seconds=$SECONDS_PER_RATE on $(nproc) cores" |
  tee -a "$W/results.jsonl"
for s in "${SERVERS[@]}"; do "run_$s"; done
