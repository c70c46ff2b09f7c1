#!/usr/bin/env bash
# Whole-server throughput: wrk against the example db-server's `tools/call list_tables`, with a
# development access token (so every request goes through the bearer check, the token cache, the
# scope gate and one SQLite read).
#
#   bash bench/http.sh
#
# Settings (environment): DURATION (default 10s), CONNECTIONS (32), THREADS (1), SERVER_CPUS (0: the
# server is pinned to CPU 0 and wrk to the other CPUs, as in docs/benchmarks.md; a comma-separated
# list of CPU numbers; empty = no pinning).
# Needs wrk (`apt-get install -y wrk`), curl and python3. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
SERVER_CPUS=${SERVER_CPUS-0}

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_require bench/http.sh wrk curl python3
bench_setup

# All connections carry one token (one caller): raise its limit of running calls (16) above them.
server=("$bin" --bind 127.0.0.1 --port "$port" --data-dir "$work/data" --max-calls-per-caller $((CONNECTIONS * 2)))
wrk_cmd=(wrk)
if [ -n "$SERVER_CPUS" ] && command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
  server=(taskset -c "$SERVER_CPUS" "${server[@]}")
  others=$(python3 -c "import os; print(','.join(str(c) for c in sorted(os.sched_getaffinity(0) - {int(c) for c in '$SERVER_CPUS'.split(',')})))")
  if [ -n "$others" ]; then
    wrk_cmd=(taskset -c "$others" wrk)
  fi
  echo "server on CPU $SERVER_CPUS, wrk on CPU ${others:-any}"
fi
"${server[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
bench_wait_for_server bench/http.sh

# The token goes into a file only this user can read, never onto the terminal.
token=$("$bin" token --port "$port" --data-dir "$work/data" --scope db:query)
body='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tables","arguments":{}}}'
cat >"$work/call.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
EOF

# One call first: a benchmark of error responses would measure the wrong thing.
status=$(curl -sS -o "$work/first.json" -w '%{http_code}' "$url" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \
  -d "$body")
if [ "$status" != 200 ] || ! python3 -c '
import json, sys
reply = json.load(open(sys.argv[1]))
sys.exit(0 if "result" in reply and not reply["result"].get("isError") else 1)' "$work/first.json"; then
  echo "bench/http.sh: list_tables did not succeed (HTTP $status):" >&2
  head -c 2000 "$work/first.json" >&2
  echo >&2
  exit 1
fi

echo "wrk: $THREADS thread(s), $CONNECTIONS connections, $DURATION, POST $url tools/call list_tables"
"${wrk_cmd[@]}" -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$work/call.lua" "$url"
