#!/usr/bin/env bash
# Two db-server instances on one PostgreSQL database behind nginx (round robin), all on loopback:
# the setup of examples/db-server/README.md, "Deploying several instances", and of the test
# examples/db-server/tests/deploy_two_instances.rs. Runs in the foreground; Ctrl-C stops all of it.
#
#   bash examples/db-server/deploy/run-two-instances.sh
#
# Settings (environment):
#   MCP_DATABASE_URL  the PostgreSQL database (also DATABASE_URL); without it, a throwaway cluster
#                     is started with tests/postgres/start.sh (as its superuser: a demo) and stopped
#                     at exit. For real use, the two roles of ../postgres-roles.sql, with
#                     MCP_DATABASE_READER_URL and MCP_DATABASE_SCHEMA (every MCP_* setting reaches
#                     both instances)
#   MCP_ISSUER or MCP_CASDOOR
#                     your authorization server (production mode: tokens from it, with
#                     MCP_RESOURCE as audience); without either, development mode: both instances
#                     share one signing key, and `db-server token` mints tokens both accept
#   MCP_RESOURCE      the URL clients use (default http://127.0.0.1:$LISTEN_PORT/mcp, nginx)
#   LISTEN_PORT, PORT_A, PORT_B   nginx's and the instances' ports (8080, 8081, 8082)
#   RUN_DIR           where logs, pid files and the data directory go (default: a new temp dir)
#   DB_SERVER         the binary (default target/debug/db-server, built if missing)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
HERE="$ROOT/examples/db-server/deploy"
LISTEN_PORT="${LISTEN_PORT:-8080}"
PORT_A="${PORT_A:-8081}"
PORT_B="${PORT_B:-8082}"
NGINX="${NGINX:-/usr/sbin/nginx}"
DB_SERVER="${DB_SERVER:-$ROOT/target/debug/db-server}"
RUN_DIR="${RUN_DIR:-$(mktemp -d /tmp/db-server-deploy.XXXXXX)}"

if [ ! -x "$NGINX" ]; then
  echo "error: $NGINX is missing (apt-get install -y nginx-light)" >&2
  exit 1
fi
if [ ! -x "$DB_SERVER" ]; then
  (cd "$ROOT" && cargo build -p db-server)
fi

pids=()
started_postgres=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$started_postgres" ]; then bash "$ROOT/tests/postgres/stop.sh" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${MCP_DATABASE_URL:-${DATABASE_URL:-}}" ]; then
  eval "$(bash "$ROOT/tests/postgres/start.sh")"
  export MCP_DATABASE_URL="$MCP_TEST_DATABASE_URL"
  started_postgres=1
fi
export MCP_RESOURCE="${MCP_RESOURCE:-http://127.0.0.1:$LISTEN_PORT/mcp}"

wait_for_port() {
  local port="$1" log="$2" tries=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
      echo "error: nothing listens on 127.0.0.1:$port after 30s; see $log" >&2
      exit 1
    fi
    sleep 0.1
  done
}

# One data directory for both: in development mode it holds the signing key they share.
mkdir -p "$RUN_DIR/data"
chmod 700 "$RUN_DIR/data"
start_instance() {
  local name="$1" port="$2"
  "$DB_SERVER" --port "$port" --data-dir "$RUN_DIR/data" >"$RUN_DIR/$name.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$RUN_DIR/$name.pid"
  wait_for_port "$port" "$RUN_DIR/$name.log"
}
# One after the other: the first creates the development key, the second reads it.
start_instance a "$PORT_A"
start_instance b "$PORT_B"

mkdir -p "$RUN_DIR/nginx"
sed -e "s|@LISTEN@|127.0.0.1:$LISTEN_PORT|" \
    -e "s|@INSTANCE_A@|127.0.0.1:$PORT_A|" \
    -e "s|@INSTANCE_B@|127.0.0.1:$PORT_B|" \
    -e "s|@RUN_DIR@|$RUN_DIR/nginx|g" \
    "$HERE/nginx.conf" >"$RUN_DIR/nginx/nginx.conf"
"$NGINX" -c "$RUN_DIR/nginx/nginx.conf" -p "$RUN_DIR/nginx" -e "$RUN_DIR/nginx/error.log" \
  -g 'daemon off;' &
pids+=("$!")
wait_for_port "$LISTEN_PORT" "$RUN_DIR/nginx/error.log"

if [ -n "${MCP_ISSUER:-}${MCP_CASDOOR:-}" ]; then
  token_hint="TOKEN=<an access token from your authorization server, audience $MCP_RESOURCE>"
else
  token_hint="TOKEN=\$($DB_SERVER token --scope db:query --data-dir $RUN_DIR/data)"
fi
cat <<EOF

db-server behind nginx: $MCP_RESOURCE
  instance a: 127.0.0.1:$PORT_A (pid $(cat "$RUN_DIR/a.pid"), log $RUN_DIR/a.log)
  instance b: 127.0.0.1:$PORT_B (pid $(cat "$RUN_DIR/b.pid"), log $RUN_DIR/b.log)
  nginx log:  $RUN_DIR/nginx/access.log (which instance answered each request)

Call it (the X-Served-By header names the instance that answered):
  $token_hint
  curl -si $MCP_RESOURCE -H "Authorization: Bearer \$TOKEN" \\
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
    -H 'MCP-Protocol-Version: 2025-11-25' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tables","arguments":{}}}'

Restart one instance without losing requests: kill -TERM <its pid>, wait for it to exit, start it
again with the same command; nginx sends its requests to the other meanwhile.
Ctrl-C stops everything.
EOF
wait
