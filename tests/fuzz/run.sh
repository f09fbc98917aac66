#!/usr/bin/env bash
# run.sh SECONDS — runs every fuzz target built in build/fuzz/ (make
# fuzz-build) first over its seed corpus tests/fuzz/<name>/ and then for
# SECONDS of fuzzing, under ASan + UBSan. New inputs go to
# build/fuzz/corpus/<name>/ (the seeds in tests/fuzz stay small), a crash to
# build/fuzz/crash-<name>-*. Ends with "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
passed=0 failed=0
for bin in build/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=${bin#build/fuzz/fuzz_}
  seeds=tests/fuzz/$name corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus" "$seeds"
  opts=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=0)
  [ -f "tests/fuzz/$name.dict" ] && opts+=("-dict=tests/fuzz/$name.dict")
  log=build/fuzz/$name.log
  # the seeds and every regression case once, then fuzzing
  if nice "$bin" "${opts[@]}" -runs=0 "$seeds" >"$log" 2>&1 &&
     nice "$bin" "${opts[@]}" -max_total_time="$secs" -artifact_prefix="build/fuzz/crash-$name-" \
       "$corpus" "$seeds" >>"$log" 2>&1; then
    passed=$((passed + 1))
    echo "fuzz $name: ok ($(grep -oP '#\d+' "$log" | tail -1 | tr -d '#') runs, $(ls "$corpus" | wc -l) new inputs kept)"
  else
    failed=$((failed + 1))
    echo "fuzz $name: FAILED (build/fuzz/$name.log):"
    grep -E -A30 'ERROR|runtime error|deadly signal|Test unit written' "$log" | head -60
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
