#!/usr/bin/env bash
# run.sh BUILD ASAN_BUILD [FAULTS_BUILD] — every suite of `make test`, then one closing summary line.
# Each suite prints its own "N passed, N failed"; the last line adds them up.
set -u
build=$1; asan=$2
faults=${3:-build/linux-faults} # the fault-injecting node, for test_faults.py (PIPIT_FAULTS_BIN)
total_p=0; total_f=0; status=0
log=$(mktemp)
suite() {
  name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$name: no summary line (crashed?)"; total_f=$((total_f + 1)); status=1; return
  fi
  p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  total_p=$((total_p + p)); total_f=$((total_f + f))
  [ "$f" -eq 0 ] || status=1
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then # e.g. a sanitizer report after the summary
    echo "$name: exited $rc after its summary"; total_f=$((total_f + 1)); status=1
  fi
}
suite "unit" "$build/unit"
suite "unit (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$asan/unit"
for t in tests/integration/test_*.py; do
  suite "integration: $(basename "$t")" env PIPIT_BIN="$build/pipit" PIPIT_FAULTS_BIN="$faults/pipit" /usr/bin/python3 "$t"
done
# the same suites against the ASan+UBSan node: a report in a node's log fails the test that
# caused it (the valgrind test needs the plain binary; the fault build is sanitized already, and
# SIGKILL cycles learn nothing more from a sanitizer)
for t in tests/integration/test_*.py; do
  case "$t" in */test_faults.py|*/test_power_loss.py) continue ;; esac
  suite "integration (ASan+UBSan node): $(basename "$t")" env PIPIT_BIN="$asan/pipit" PIPIT_SANITIZED=1 \
    PIPIT_SKIP=no_leaks_or_memory_errors_under_valgrind,the_built_in_page_under_valgrind \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    /usr/bin/python3 "$t"
done
# every libFuzzer target for a short bounded time (built by `make test`; see tests/fuzz/run.sh)
suite "fuzz (libFuzzer, ${FUZZ_TEST_SECONDS:-10} s each)" tests/fuzz/run.sh build/fuzz "${FUZZ_TEST_SECONDS:-10}"
rm -f "$log"
echo "== all suites"
echo "$total_p passed, $total_f failed"
exit $status
