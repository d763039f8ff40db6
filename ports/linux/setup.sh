#!/bin/sh
# setup.sh [run|test|fuzz|bench] — install the Debian 12 packages pipit needs for a goal, when
# missing. As root it installs them with apt-get; otherwise it names them and stops.
set -eu
goal=${1:-run}
need="gcc make cmake python3 libjsmn-dev ca-certificates xz-utils bzip2 tcl"
case "$goal" in
  test) need="$need clang libclang-rt-14-dev curl python3-websockets python3-prometheus-client valgrind sqlite3 libssl-dev nginx openssl chromium" ;;  # chromium: tests/browser (headless, driven by playwright-core); clang: tests/fuzz
  fuzz) need="$need clang libclang-rt-14-dev" ;;
  bench) need="$need curl python3-websockets wrk sqlite3 libssl-dev nginx openssl python3-flask python3-gevent python3-gevent-websocket python3-fastapi python3-uvicorn gnuplot-nox" ;;  # tests/bench/bench_compare.py: rotki's two stacks, the chart
  ports-rpi) need="$need gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user-static curl python3-websockets python3-prometheus-client sqlite3 libssl-dev" ;;
  ports-windows) need="$need gcc-mingw-w64-x86-64 wine64 wine curl python3-websockets python3-prometheus-client sqlite3 libssl-dev" ;;
esac
# test and bench run node peers (tests/chain). nodesource's nodejs brings npm and conflicts with
# Debian's npm package: ask for nodejs only when there is no node, for npm only when it is missing.
case "$goal" in
  test|bench)
    if ! command -v node >/dev/null 2>&1; then need="$need nodejs npm"
    elif ! command -v npm >/dev/null 2>&1; then need="$need npm"; fi ;;
esac
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "pipit needs these Debian packages:$missing" >&2
  echo "install them with: sudo apt-get install$missing" >&2
  exit 1
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends $missing >/dev/null
