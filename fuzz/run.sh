#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a time or a number of executions, then prints a table:
# target, executions, exec/s, findings.
#
#   fuzz/run.sh            10 seconds per target
#   fuzz/run.sh 60s        60 seconds per target
#   fuzz/run.sh 10000000   ten million executions per target
#   TARGETS="token sql_guard" PARALLEL=2 fuzz/run.sh 10000000
#
# Stable Rust: RUSTC_BOOTSTRAP=1 lets cargo fuzz pass its -Z flags, and `-s none` builds without a
# sanitizer runtime (our crates forbid unsafe code; see SECURITY.md, "Fuzzing"). Runs are niced
# (NICE, default 19). New inputs go to fuzz/target/corpus/<target> (not committed); the committed
# seeds in fuzz/corpus/<target> are read only. A finding is saved under fuzz/artifacts/<target>/
# and makes the script exit 1. Logs: fuzz/target/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"

budget="${1:-10s}"
case "$budget" in
  *s) limit=(-max_total_time="${budget%s}" -runs=-1) ;;
  *[!0-9]*|'') echo "usage: $0 [SECONDSs|RUNS]" >&2; exit 2 ;;
  *) limit=(-runs="$budget") ;;
esac
targets=(${TARGETS:-token jsonrpc challenge scope_grammar sql_guard files_path})
parallel="${PARALLEL:-1}"
export RUSTC_BOOTSTRAP=1

cargo fuzz --version >/dev/null 2>&1 || { echo "cargo fuzz is missing: cargo install --locked cargo-fuzz" >&2; exit 2; }
nice -n "${NICE:-19}" cargo fuzz build -s none

# Each run uses a copy of its binary, so rebuilding while a long run goes on cannot disturb it.
triple=$(rustc -vV | sed -n 's/^host: //p')
mkdir -p target/logs target/run-bin
findings_of() { mkdir -p "artifacts/$1"; find "artifacts/$1" -type f | wc -l; }
run_one() {
  local target="$1"
  mkdir -p "target/corpus/$target"
  # -timeout: an input running 10 s counts as a finding (a hang, e.g. a FIFO opened for reading).
  cp "target/$triple/release/$target" "target/run-bin/$target"
  nice -n "${NICE:-19}" "target/run-bin/$target" "target/corpus/$target" "corpus/$target" \
    "${limit[@]}" -timeout=10 -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
    >"target/logs/$target.log" 2>&1
}


running=0
for target in "${targets[@]}"; do
  findings_of "$target" >"target/logs/$target.before"
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

failed=0
printf '%-14s %14s %10s %9s\n' target executions exec/s findings
for target in "${targets[@]}"; do
  log="target/logs/$target.log"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  before=$(cat "target/logs/$target.before")
  after=$(findings_of "$target")
  findings=$((after - before))
  if [ -z "$runs" ] || [ "$findings" -gt 0 ] || grep -q '^==[0-9]*== ERROR\|^SUMMARY: libFuzzer' "$log"; then
    failed=1
    [ "$findings" -gt 0 ] || findings="?"
  fi
  printf '%-14s %14s %10s %9s\n' "$target" "${runs:-?}" "${speed:-?}" "$findings"
done
if [ "$failed" -ne 0 ]; then
  echo "findings or failed runs: see fuzz/target/logs/ and fuzz/artifacts/" >&2
  exit 1
fi
