#!/usr/bin/env bash
# A bounded soak at saturation on loopback: wrk drives the example db-server (release build,
# development mode) with a mix of calls (bench/soak.lua: list, describe, query, 403s, 401s, bad
# JSON) for WARMUP, then for DURATION, and the script checks: zero 5xx, zero socket errors (wrk's
# connect, read, write and timeout counts: no dropped connection), and the server's RSS at the end
# within 10 % of its RSS after the warm-up. Stops by itself; exits 1 if a check fails.
#
#   bash bench/soak.sh                       # 10 s warm-up, 60 s soak
#   WARMUP=2s DURATION=5s bash bench/soak.sh # a smoke run
#
# Settings (environment): WARMUP (10s), DURATION (60s), THREADS (2: one caller, i.e. one token,
# per thread), CONNECTIONS (32). The server's per-caller limit of running calls is raised to each
# thread's share of the connections (db-server's default is 6), so no 429 is expected. Needs wrk,
# curl and python3. Not part of CI's test run. See SECURITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."

WARMUP=${WARMUP:-10s}
DURATION=${DURATION:-60s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_require bench/soak.sh wrk curl python3
bench_setup

"$bin" --bind 127.0.0.1 --port "$port" --data-dir "$work/data" \
  --max-calls-per-caller $(((CONNECTIONS + THREADS - 1) / THREADS)) >"$work/server.log" 2>&1 &
server_pid=$!
bench_wait_for_server bench/soak.sh

# One token per thread (its own subject: its own caller), passed to wrk through the environment.
for n in $(seq "$THREADS"); do
  export "TOKEN_$n=$("$bin" token --port "$port" --data-dir "$work/data" --scope db:query --subject "soak-$n")"
done

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
run() {
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$1" --timeout 10s -s bench/soak.lua "$url" | tee "$work/$2.txt"
}

echo "== warm-up ($WARMUP)"
run "$WARMUP" warmup >/dev/null
warm=$(rss_kib)
echo "== soak ($DURATION, $THREADS threads, $CONNECTIONS connections, POST $url)"
run "$DURATION" soak
end=$(rss_kib)

python3 - "$work/soak.txt" "$warm" "$end" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
warm, end = int(sys.argv[2]), int(sys.argv[3])
statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+): (\d+)$", text, re.M)}
errors = [int(n) for n in re.search(
    r"socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text).groups()]
server_errors = sum(n for s, n in statuses.items() if s >= 500)
growth = (end - warm) / warm * 100
print(f"5xx: {server_errors}; socket errors: {sum(errors)}; "
      f"RSS after warm-up {warm / 1024:.1f} MiB, at the end {end / 1024:.1f} MiB ({growth:+.1f} %)")
failed = []
if server_errors:
    failed.append("5xx answers")
if sum(errors):
    failed.append("dropped connections")
if abs(growth) > 10:
    failed.append("RSS moved more than 10 %")
if failed:
    print("FAILED: " + ", ".join(failed))
    sys.exit(1)
print("PASSED")
PY
