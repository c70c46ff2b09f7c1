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

for tool in wrk curl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/http.sh: $tool is not installed (Debian/Ubuntu: apt-get install -y $tool)" >&2
    exit 1
  fi
done

cargo build --release -q -p db-server
bin=target/release/db-server

work=$(mktemp -d)
chmod 700 "$work"
server_pid=
stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

# A free loopback port: the development token's audience names it, so it is chosen up front.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/mcp"

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

for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/.well-known/oauth-protected-resource" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "bench/http.sh: the server exited:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done

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
