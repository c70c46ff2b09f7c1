#!/usr/bin/env bash
# Instructions per request of db-server or the conformance fixture, counted by callgrind: numbers
# the machine's load does not change, for before/after comparisons on a busy machine
# (docs/benchmarks.md).
#
# Starts a release server under `valgrind --tool=callgrind` (db-server in development mode on a
# temporary data directory; or tests/conformance-server, which mints its own token), keeps the
# tokens in the owner-only temporary directory (never printed), and for each case: one call that
# must succeed, 3 s of wrk with 4 connections to warm up, `callgrind_control -z`, SECONDS_PER
# seconds of wrk, `callgrind_control -d`; then prints the instructions counted (all the server's
# threads) divided by wrk's count of requests.
#
# Usage: bash bench/callgrind.sh [server binary]   (default: builds and uses target/release)
# Settings: SERVER (db or conformance; default db), CASES (db: "ping list_admin list_filtered
# list_tables query" by default, also select_1; conformance: "ping simple_text"), SECONDS_PER (10),
# RUST_LOG (passed to the server, e.g. info,mcp_scopes::audit=debug; the conformance fixture
# installs no log subscriber, so it writes no log line whatever RUST_LOG says), KEEP (a directory
# to copy each case's callgrind dump to, for callgrind_annotate). Needs valgrind, wrk, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in valgrind callgrind_control wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/callgrind.sh: $tool is not installed" >&2; exit 1; }
done
SERVER=${SERVER:-db}
case $SERVER in
  db) package=db-server default_cases="ping list_admin list_filtered list_tables query" ;;
  conformance) package=conformance-server default_cases="ping simple_text" ;;
  *) echo "bench/callgrind.sh: SERVER must be db or conformance, not '$SERVER'" >&2; exit 1 ;;
esac
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p "$package"
  bin=target/release/$package
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
if [ "$SERVER" = db ]; then
  server_args=(--bind 127.0.0.1 --port "$port" --data-dir "$work/data")
else
  server_args=(--port "$port" --token-file "$work/conformance.token")
fi
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out.%p" "$bin" "${server_args[@]}" \
  --max-calls-per-caller 64 >"$work/server.log" 2>&1 &
vpid=$!
for _ in $(seq 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/.well-known/oauth-protected-resource" 2>/dev/null && break
  kill -0 "$vpid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

call() { printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2"; }
ping='{"jsonrpc":"2.0","id":1,"method":"ping"}'
# name | token | body
declare -A cases
if [ "$SERVER" = db ]; then
  (umask 077 && "$bin" token --port "$port" --data-dir "$work/data" --scope db:admin >"$work/admin.token")
  (umask 077 && "$bin" token --port "$port" --data-dir "$work/data" --scope db:query >"$work/reader.token")
  cases=(
    [ping]="reader|$ping"
    [list_admin]='admin|{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
    [list_filtered]='reader|{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
    [list_tables]="reader|$(call list_tables '{}')"
    [query]="reader|$(call query '{"sql":"SELECT id, name, price_cents FROM products ORDER BY id LIMIT 5"}')"
    [select_1]="reader|$(call query '{"sql":"SELECT 1"}')"
  )
else
  cases=(
    [ping]="conformance|$ping"
    [simple_text]="conformance|$(call test_simple_text '{}')"
  )
fi
for name in ${CASES:-$default_cases}; do
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
  if [ -n "${KEEP:-}" ]; then cp "$dump" "$KEEP/callgrind.$SERVER.$name"; fi
  echo "$name: $requests requests, $((instructions / requests)) instructions per request"
done
