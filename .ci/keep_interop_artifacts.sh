#!/usr/bin/env bash
# Keeps what the interop harness left in tests/interop/artifacts/ under a stable directory, and fails
# when the consent page's screenshot (issue 15: "kept as a CI artifact") is missing, empty or not a
# PNG: a browser check that silently produced no picture must not pass. The files are copied before
# the check, so whatever the harness left is kept even when the check fails.
#
# Usage: bash .ci/keep_interop_artifacts.sh [FROM [TO]]
#   FROM: default tests/interop/artifacts
#   TO:   default ${CI_ARTIFACTS_DIR:-target/ci-artifacts}/interop
set -euo pipefail

from=${1:-tests/interop/artifacts}
to=${2:-${CI_ARTIFACTS_DIR:-target/ci-artifacts}/interop}
screenshot=consent.png
fail() { echo "FAIL interop artifacts: $*" >&2; exit 1; }

mkdir -p "$to"
rm -f "$to/$screenshot"  # one kept from an earlier run must not pass for this one
if [ -d "$from" ]; then cp -R "$from/." "$to/"; fi
to=$(cd "$to" && pwd)
echo "interop artifacts kept in $to:"
find "$to" -type f -printf '  %P: %s bytes\n' | sort

kept="$to/$screenshot"
[ -f "$kept" ] || fail "no $screenshot in $from: the consent-browser check took no screenshot (see its lines above)"
[ -s "$kept" ] || fail "$kept is empty"
# Every PNG starts with these 8 bytes (PNG specification, 5.2).
magic=$(head -c 8 "$kept" | od -An -tx1 | tr -d ' \n')
[ "$magic" = 89504e470d0a1a0a ] || fail "$kept is not a PNG (its first bytes are ${magic:-none})"
echo "consent-page screenshot: $kept ($(stat -c %s "$kept") bytes, PNG)"
