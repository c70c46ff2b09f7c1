# Shared by bench/http.sh and bench/soak.sh: the setup both need before driving the example
# db-server with wrk. Sourced, not run; each function says what it sets.

# Exits with an install hint unless every named tool is installed. $1: the calling script.
bench_require() {
  local script=$1 tool
  shift
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "$script: $tool is not installed (Debian/Ubuntu: apt-get install -y $tool)" >&2
      exit 1
    fi
  done
}

# Builds the db-server example in release and sets `bin`; makes a private work directory `work`,
# removed on exit with the server `server_pid` (set it when starting the server) stopped; picks a
# free loopback `port` (a development token's audience names it, so it is chosen up front) and
# sets the MCP endpoint `url`.
bench_setup() {
  cargo build --release -q -p db-server
  bin=target/release/db-server
  work=$(mktemp -d)
  chmod 700 "$work"
  server_pid=
  trap bench_stop EXIT
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port/mcp"
}

bench_stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}

# Waits (up to 10 s) until the server `server_pid` answers on `port`; exits with its log
# ($work/server.log) if it stopped. $1: the calling script.
bench_wait_for_server() {
  local script=$1
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/.well-known/oauth-protected-resource" 2>/dev/null && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$script: the server exited:" >&2
      cat "$work/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
}
