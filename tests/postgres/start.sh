#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests, on loopback only, and prints the line that
# points the tests at it:
#
#   eval "$(bash tests/postgres/start.sh)"     # sets MCP_TEST_DATABASE_URL
#   cargo test -p db-server --test pg_read_only
#   bash tests/postgres/stop.sh
#
# Idempotent: a second run reuses the running cluster. Uses Debian's PostgreSQL (apt-get install
# postgresql); the server runs as the `postgres` OS user (initdb refuses root), its data lives in
# $MCP_PG_DIR (default /tmp/mcp-scopes-pg), it listens on 127.0.0.1:$MCP_PG_PORT (default 54329)
# and nowhere else (no Unix socket outside the data directory).
#
# What it creates: a superuser `mcp_admin` (tests create one database each with it, so tests run
# in parallel without seeing each other's tables), and the two roles of the recommended setup
# (examples/db-server/README.md, "PostgreSQL"): `mcp_writer` (owns the test databases' tables) and
# `mcp_reader` (SELECT only). Passwords are test-only constants; the cluster accepts password
# (scram) logins from 127.0.0.1 only.
#
# Only the export lines go to stdout; progress goes to stderr. A second cluster on the next port
# offers TLS (MCP_TEST_DATABASE_TLS_URL, MCP_TEST_DATABASE_CA_FILE) for the TLS tests.
set -euo pipefail

PORT="${MCP_PG_PORT:-54329}"
DIR="${MCP_PG_DIR:-/tmp/mcp-scopes-pg}"
PASSWORD="${MCP_PG_PASSWORD:-mcp-test-only}"

find_bin() {
  local found
  for found in /usr/lib/postgresql/*/bin; do :; done
  if [ -x "${found:-}/initdb" ]; then echo "$found"; return; fi
  echo "error: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
}
BIN="${MCP_PG_BIN:-$(find_bin)}"

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "error: the postgres OS user is missing (it comes with Debian's postgresql package)" >&2
  exit 1
fi

# init_cluster DATA PORT: a new cluster in DATA listening on 127.0.0.1:PORT (superuser mcp_admin).
init_cluster() {
  local data="$1" port="$2" pwfile="$DIR/pw"
  echo "initdb in $data" >&2
  as_pg bash -c "umask 077; printf '%s\n' '$PASSWORD' > '$pwfile'"
  as_pg "$BIN/initdb" -D "$data" -U mcp_admin --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 ||
    { cat "$data.initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  # Loopback only; the Unix socket stays inside the test directory.
  as_pg bash -c "cat >> '$data/postgresql.conf'" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

# start_cluster DATA: starts the cluster unless it runs.
start_cluster() {
  local data="$1"
  if ! as_pg "$BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "starting PostgreSQL in $data" >&2
    as_pg "$BIN/pg_ctl" -D "$data" -l "$data.log" -w -t 60 start >&2 ||
      { tail -20 "$data.log" >&2; exit 1; }
  fi
}

# The tests' cluster, plain TCP.
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  init_cluster "$DIR/data" "$PORT"
fi
start_cluster "$DIR/data"

# A second cluster on PORT+1 that offers TLS with a certificate for 127.0.0.1 signed by a throwaway
# authority ($DIR/ca.crt), for the TLS tests. (Kept apart: a server offering TLS makes clients with
# the default sslmode=prefer try it, and they would refuse the unknown authority.)
TLS_PORT=$((PORT + 1))
if [ ! -f "$DIR/tls-data/PG_VERSION" ]; then
  init_cluster "$DIR/tls-data" "$TLS_PORT"
  tls="$(mktemp -d)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mcp-scopes test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tls/server.key" \
    -out "$tls/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 30 -extfile "$tls/ext" -out "$tls/server.crt" >/dev/null 2>&1
  install -m 600 "$tls/server.key" "$DIR/tls-data/server.key"
  install -m 644 "$tls/server.crt" "$DIR/tls-data/server.crt"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR/tls-data/server.key" "$DIR/tls-data/server.crt"
  install -m 644 "$tls/ca.crt" "$DIR/ca.crt"
  rm -rf "$tls"
  as_pg bash -c "printf 'ssl = on\nmax_connections = 40\n' >> '$DIR/tls-data/postgresql.conf'"
fi
start_cluster "$DIR/tls-data"

psql_admin() { as_pg "$BIN/psql" -h "$DIR" -p "$PORT" -U mcp_admin -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# The roles of the recommended two-role setup (created once; passwords reset each run).
psql_admin >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mcp_writer') THEN
    CREATE ROLE mcp_writer LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mcp_reader') THEN
    CREATE ROLE mcp_reader LOGIN;
  END IF;
END
\$\$;
ALTER ROLE mcp_writer PASSWORD '$PASSWORD';
ALTER ROLE mcp_reader PASSWORD '$PASSWORD';
SQL

echo "export MCP_TEST_DATABASE_URL='postgres://mcp_admin:$PASSWORD@127.0.0.1:$PORT/postgres'"
echo "export MCP_TEST_DATABASE_TLS_URL='postgres://mcp_admin:$PASSWORD@127.0.0.1:$TLS_PORT/postgres'"
echo "export MCP_TEST_DATABASE_CA_FILE='$DIR/ca.crt'"
