#!/bin/sh
# sqlcipher-shell.sh — for tests only: build the `sqlcipher` command-line shell from the pinned
# SQLCipher 4.6.1 tarball with its stock OpenSSL provider (Debian's libssl-dev), the reference
# our mbedtls provider must interoperate with. Runs on the build machine, so it is cached once
# in $PIPIT_DEPS_DIR/tools/sqlcipher, reused while this recipe and the pin are unchanged.
# Prints the binary's path.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${PIPIT_DEPS_DIR:-${HOME:-/tmp}/.cache/pipit/deps}
out=$cache/tools/sqlcipher
bin=$out/bin/sqlcipher
log=$out/build.log

stamp=$( (cat "$0"; grep -E '^sqlcipher ' "$here/sources.txt") | sha256sum | cut -c1-16)
if [ -x "$bin" ] && [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "$bin"; exit 0
fi
rm -rf "$out"; mkdir -p "$out/src" "$out/bin"
fail() { echo "sqlcipher-shell: build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }

dpkg -s libssl-dev >/dev/null 2>&1 || apt-get install -y -qq libssl-dev >"$log" 2>&1 || fail
"$here/fetch.sh" sqlcipher "$cache/src"
tar xzf "$cache/src/sqlcipher_4.6.1.orig.tar.gz" -C "$out/src"
# The build recipe of SQLCipher's README; configure finds -lcrypto itself.
(cd "$out/src/sqlcipher-4.6.1" && ./configure --enable-tempstore=yes --disable-tcl \
   CFLAGS="-O2 -DSQLITE_HAS_CODEC" && make sqlcipher) >>"$log" 2>&1 || fail
cp "$out/src/sqlcipher-4.6.1/sqlcipher" "$bin"
rm -rf "$out/src"
echo "$stamp" > "$out/.stamp"
echo "$bin"
