#!/usr/bin/env bash
# Instructions per request of db-server, counted by callgrind: numbers the machine's load does not
# change, for before/after comparisons on a busy machine (docs/benchmarks.md).
#
# Starts a release db-server in development mode under `valgrind --tool=callgrind` on a temporary
# data directory, mints development tokens (kept in the owner-only temporary directory, never
# printed), and for each case: one call that must succeed, 3 s of wrk with 4 connections to warm
# up, `callgrind_control -z`, SECONDS_PER seconds of wrk, `callgrind_control -d`; then prints the
# instructions counted divided by wrk's count of requests.
#
# Usage: bash bench/callgrind.sh [db-server binary]   (default: builds and uses target/release)
# Settings: CASES (default "ping list_admin list_filtered list_tables query"), SECONDS_PER (10),
# RUST_LOG (passed to the server, e.g. info,mcp_scopes::audit=debug). Needs valgrind, wrk, curl,
# python3.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in valgrind callgrind_control wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/callgrind.sh: $tool is not installed" >&2; exit 1; }
done
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p db-server
  bin=target/release/db-server
fi

work=$(mktemp -d)
chmod 700 "$work"
vpid=
stop() {
  if [ -n "$vpid" ] && kill -0 "$vpid" 2>/dev/null; then
    kill -TERM "$vpid"
    wait "$vpid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/mcp"
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out.%p" "$bin" --bind 127.0.0.1 \
  --port "$port" --data-dir "$work/data" --max-calls-per-caller 64 >"$work/server.log" 2>&1 &
vpid=$!
for _ in $(seq 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/.well-known/oauth-protected-resource" 2>/dev/null && break
  kill -0 "$vpid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
(umask 077 && "$bin" token --port "$port" --data-dir "$work/data" --scope db:admin >"$work/admin.token")
(umask 077 && "$bin" token --port "$port" --data-dir "$work/data" --scope db:query >"$work/reader.token")

call() { printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2"; }
# name | token | body
declare -A cases=(
  [ping]='reader|{"jsonrpc":"2.0","id":1,"method":"ping"}'
  [list_admin]='admin|{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
  [list_filtered]='reader|{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
  [list_tables]="reader|$(call list_tables '{}')"
  [query]="reader|$(call query '{"sql":"SELECT id, name, price_cents FROM products ORDER BY id LIMIT 5"}')"
)
for name in ${CASES:-ping list_admin list_filtered list_tables query}; do
  IFS='|' read -r token body <<<"${cases[$name]:?unknown case $name}"
  (umask 077 && cat >"$work/$name.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["Authorization"] = "Bearer $(cat "$work/$token.token")"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
LUA
  )
  curl -sS -o "$work/first.json" "$url" -H "Authorization: Bearer $(cat "$work/$token.token")" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2025-11-25' -d "$body"
  if ! python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if "result" in r and not r["result"].get("isError") else 1)' "$work/first.json"; then
    echo "bench/callgrind.sh: $name did not succeed: $(head -c 400 "$work/first.json")" >&2
    exit 1
  fi
  wrk -t1 -c4 -d3s -s "$work/$name.lua" "$url" >/dev/null
  callgrind_control -z "$vpid" >/dev/null 2>&1
  out=$(wrk -t1 -c4 -d"${SECONDS_PER:-10}"s -s "$work/$name.lua" "$url")
  callgrind_control -d "$name" "$vpid" >/dev/null 2>&1
  sleep 1
  requests=$(grep -o '[0-9]* requests in' <<<"$out" | cut -d' ' -f1)
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench/callgrind.sh: $name: non-2xx answers under load" >&2
    exit 1
  fi
  dump=$(ls -t "$work"/callgrind.out.* | head -1)
  instructions=$(grep -E '^(summary|totals):' "$dump" | head -1 | awk '{print $2}')
  echo "$name: $requests requests, $((instructions / requests)) instructions per request"
done
