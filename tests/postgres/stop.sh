#!/usr/bin/env bash
# Stops the clusters tests/postgres/start.sh started and deletes its data directory.
set -euo pipefail
DIR="${MCP_PG_DIR:-/tmp/mcp-scopes-pg}"
[ -f "$DIR/data/PG_VERSION" ] || exit 0
BIN="${MCP_PG_BIN:-}"
if [ -z "$BIN" ]; then for BIN in /usr/lib/postgresql/*/bin; do :; done; fi
for data in "$DIR/data" "$DIR/tls-data"; do
  [ -f "$data/PG_VERSION" ] || continue
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$data" -m fast -w stop >&2 || true
  else
    "$BIN/pg_ctl" -D "$data" -m fast -w stop >&2 || true
  fi
done
rm -rf "$DIR"
