#!/usr/bin/env bash
# ports/lwip/test.sh [BUILD] — the lwIP port's tests, on this machine, in-process (no TAP device):
# builds lwIP (ports/deps/lwip.sh, cached) and build/lwip/unit (ports/lwip/Makefile: the core
# suites + lwip_net over platform/pal_lwip.c), plain and under ASan+UBSan (BUILD/asan/unit), runs both, and when
# `make TARGET=lwip test-target` has built BUILD/unit-node (every suite of tests/unit/main.c on
# the lwIP PAL) runs that too. Last line: "lwip: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
build=${1:-build/lwip}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
asan_flags="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
total_p=0; total_f=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

ports/deps/lwip.sh lwip || { echo "lwip: 0 passed, 1 failed"; exit 1; }
if ! make --no-print-directory -s -f ports/lwip/Makefile -j"$jobs" BUILD="$build" ||
   ! make --no-print-directory -s -f ports/lwip/Makefile -j"$jobs" BUILD="$build/asan" CFLAGS="$asan_flags"; then
  echo "lwip: build failed"; echo "lwip: 0 passed, 1 failed"; exit 1
fi

suite() { # name, command…: adds the command's "N passed, N failed" to the totals
  local name=$1; shift
  echo "== lwip: $name"
  "$@" 2>&1 | tee "$log" | grep -v '^ok '
  local rc=${PIPESTATUS[0]}
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -z "$line" ]; then echo "$name: no summary line (crashed? exit $rc)"; total_f=$((total_f + 1)); return; fi
  local p=${line%% passed*} f=${line#*passed, }; f=${f%% failed*}
  total_p=$((total_p + p)); total_f=$((total_f + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then echo "$name: exited $rc after its summary"; total_f=$((total_f + 1)); fi
}
suite "unit" timeout 300 "$build/unit"
suite "unit (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timeout 300 "$build/asan/unit"
if [ -x "$build/unit-node" ]; then
  suite "unit-node (all of tests/unit on the lwIP PAL)" timeout 600 "$build/unit-node"
fi
echo "lwip: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
