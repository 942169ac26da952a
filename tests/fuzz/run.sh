#!/usr/bin/env bash
# Runs every fuzz target built in <build-dir>/fuzz/ for <seconds>, <jobs> targets at a time, each
# on a scratch copy of its seed corpus (tests/fuzz/corpus/<target>/ never grows). Fails when any
# target found a crash, a leak, undefined behaviour, a broken invariant, a timeout (10 s for one
# input) or an input that took more than 2 GB; the input is kept in <build-dir>/fuzz-work/artifacts/
# and reproduces with `<build-dir>/fuzz/<target> <artifact>`.
#
#   tests/fuzz/run.sh build-fuzz 60 2
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 <build-dir> <seconds> [jobs]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
jobs=${3:-2}
corpora="$(cd "$(dirname "$0")" && pwd)/corpus"
work="$build_dir/fuzz-work"

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts" "$work/logs"

symbolizer=/usr/bin/llvm-symbolizer-16
export ASAN_OPTIONS=detect_leaks=1:external_symbolizer_path=$symbolizer
export UBSAN_OPTIONS=print_stacktrace=1:external_symbolizer_path=$symbolizer

run_target() {
  local name=$1
  cp -r "$corpora/$name" "$work/corpus/$name"
  local status=0
  # -entropic=0: the entropic schedule's bookkeeping grows with the features an input touches,
  # and an input of http_request touches hundreds of thousands (Asio, Beast, the whole runtime):
  # with it that target runs ten times fewer inputs.
  "$build_dir/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -entropic=0 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" "$work/corpus/$name" \
    >"$work/logs/$name.log" 2>&1 || status=$?
  echo "$status" >"$work/logs/$name.status"
}

targets=()
for corpus in "$corpora"/*/; do
  targets+=("$(basename "$corpus")")
done

echo "fuzz: ${targets[*]} for ${seconds} s each, ${jobs} at a time (logs in $work/logs)"
for name in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do
    wait -n || true
  done
  run_target "$name" &
done
wait

failed=0
for name in "${targets[@]}"; do
  status=$(cat "$work/logs/$name.status")
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/logs/$name.log")
  if [[ $status == 0 ]]; then
    echo "fuzz: $name: clean, ${executions:-?} executions in ${seconds} s"
  else
    failed=1
    echo "fuzz: $name: FAILED (exit $status); the end of its log:"
    tail -n 60 "$work/logs/$name.log"
    ls "$work/artifacts" | sed -n "s|^$name-|  artifact: $work/artifacts/$name-|p"
  fi
done
exit "$failed"
