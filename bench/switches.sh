#!/usr/bin/env bash
# What bench/callgrind.sh cannot see: per request, db-server's CPU time in user space and in the
# kernel (utime and stime of /proc/<pid>/stat) and its threads' context switches (voluntary: a
# thread went to sleep waiting for work, e.g. a call handed to the blocking pool and back;
# involuntary: a thread was preempted), on the real CPU. Callgrind counts user-space instructions
# only; this says how much scheduling and kernel work a request adds on top (docs/benchmarks.md).
# Switch counts per request depend little on the machine's load, CPU times somewhat; req/s depend on
# it so much that they are not printed.
#
#   bash bench/switches.sh
#
# Release db-server in development mode pinned to SERVER_CPU, wrk (bench/check.lua: every answer
# checked) on LOAD_CPU; per case 3 s of warm-up (so the blocking pool's threads exist), then
# DURATION of load between two readings of every thread's counters. Settings: CASES ("ping select_1
# query"), DURATION (5s), CONNECTIONS (32), SERVER_CPU (0), LOAD_CPU (1). Needs wrk, curl, python3,
# taskset. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-32}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_require bench/switches.sh wrk curl python3 taskset
bench_setup

taskset -c "$SERVER_CPU" "$bin" --bind 127.0.0.1 --port "$port" --data-dir "$work/data" \
  --max-calls-per-caller $((CONNECTIONS * 2)) >"$work/server.log" 2>&1 &
server_pid=$!
bench_wait_for_server bench/switches.sh
(umask 077 && "$bin" token --port "$port" --data-dir "$work/data" --scope db:query >"$work/reader.token")

call() { printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"%s"}}}' "$1"; }
declare -A cases=(
  [ping]='{"jsonrpc":"2.0","id":1,"method":"ping"}'
  [select_1]="$(call 'SELECT 1')"
  [query]="$(call 'SELECT id, name, price_cents FROM products ORDER BY id LIMIT 5')"
)

# "tid voluntary involuntary" per live thread, then "process utime stime" (clock ticks).
counters() {
  local status tid
  for status in /proc/"$server_pid"/task/*/status; do
    tid=${status%/status}
    tid=${tid##*/}
    awk -v tid="$tid" '/^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2}
      END {print tid, v, n}' "$status" 2>/dev/null || true
  done
  awk '{print "process", $14, $15}' "/proc/$server_pid/stat"
}
load() {
  BENCH_TOKEN_FILE="$work/reader.token" BENCH_BODY="${cases[$1]}" taskset -c "$LOAD_CPU" \
    wrk -t1 -c "$CONNECTIONS" -d "$2" -s bench/check.lua "$url"
}

for name in ${CASES:-ping select_1 query}; do
  [ -n "${cases[$name]:-}" ] || { echo "bench/switches.sh: unknown case $name" >&2; exit 1; }
  load "$name" 3s >/dev/null
  counters >"$work/before"
  out=$(load "$name" "$DURATION")
  counters >"$work/after"
  result=$(grep '^RESULT ' <<<"$out")
  grep -q 'bad=0 socket_errors=0' <<<"$result" || { echo "bench/switches.sh: $name failed: $out" >&2; exit 1; }
  python3 - "$name" "$result" "$work/before" "$work/after" "$(getconf CLK_TCK)" <<'PY'
import sys
name, result, before, after, ticks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
requests = int(dict(f.split("=") for f in result.split()[1:])["requests"])
def read(path):
    return {row[0]: [int(x) for x in row[1:]] for row in (line.split() for line in open(path))}
a, b = read(before), read(after)
threads = [t for t in b if t != "process" and t in a]
voluntary = sum(b[t][0] - a[t][0] for t in threads)
involuntary = sum(b[t][1] - a[t][1] for t in threads)
user, system = ((b["process"][i] - a["process"][i]) / ticks / requests * 1e6 for i in (0, 1))
print(f"{name}: {requests} requests, {len(threads)} threads; per request: "
      f"{voluntary / requests:.2f} voluntary and {involuntary / requests:.2f} involuntary switches, "
      f"CPU {user:.1f} us user + {system:.1f} us system")
PY
done
