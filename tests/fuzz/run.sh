#!/usr/bin/env bash
# run.sh FUZZ_BUILD SECONDS [target…] — runs each libFuzzer target (all of FUZZ_BUILD/fuzz_*
# by default) for SECONDS on its committed seed corpus tests/fuzz/corpus/<target>/, and prints
# per target its executions and whether it crashed, then "N passed, N failed" (one per target).
# New inputs go to FUZZ_BUILD/corpus/<target>/ and crash reproducers to FUZZ_BUILD/artifacts/,
# never into the tree.
set -u
dir=$1; secs=$2; shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$dir" && ls fuzz_* 2>/dev/null))
pass=0; fail=0
mkdir -p "$dir/artifacts" "$dir/logs"
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t work=$dir/corpus/$t log=$dir/logs/$t.log
  mkdir -p "$work" "$seeds"
  if [ ! -x "$dir/$t" ]; then echo "$t: not built"; fail=$((fail + 1)); continue; fi
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$dir/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$t-" "$work" "$seeds" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  crash=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY: |.*runtime error:|fuzz_[a-z0-9_]+: )' "$log")
  if [ $rc -eq 0 ] && [ -z "$crash" ]; then
    echo "$t: ${execs:-?} executions, 0 crashes"; pass=$((pass + 1))
  else
    echo "$t: ${execs:-?} executions, CRASHED (exit $rc): ${crash:-see $log}"
    ls -t "$dir/artifacts/$t-"* 2>/dev/null | head -n 1 | sed 's/^/  reproducer: /'
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
