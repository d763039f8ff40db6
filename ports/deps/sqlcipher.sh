#!/bin/sh
# sqlcipher.sh TARGET — build SQLCipher 4.6.1 (SQLite 3.46.1 + codec) for TARGET as a static
# libsqlcipher.a in $PIPIT_DEPS_DIR/TARGET/prefix, with its crypto provider left to pipit
# (db/sqlcipher_mbedtls.c, selected by SQLCIPHER_CRYPTO_MBEDTLS through our patch).
# Called by build.sh, which owns the cache stamp.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ports=$(dirname "$here")
target=${1:-linux}
cache=${PIPIT_DEPS_DIR:-${HOME:-/tmp}/.cache/pipit/deps}
src_cache=$cache/src
out=$cache/$target
prefix=$out/prefix
log=$out/sqlcipher.log

CC=${CC:-cc}; AR=${AR:-ar}; DEPS_CFLAGS=${DEPS_CFLAGS:--O2 -fPIC}
[ -f "$ports/$target/target.env" ] && . "$ports/$target/target.env"

fail() { echo "deps: sqlcipher build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }

"$here/fetch.sh" sqlcipher "$src_cache"
mkdir -p "$out/src" "$prefix/lib" "$prefix/include/sqlcipher"
s=$out/src/sqlcipher-4.6.1
rm -rf "$s"
tar xzf "$src_cache/sqlcipher_4.6.1.orig.tar.gz" -C "$out/src"
: >"$log"
(cd "$s" && patch -p1 <"$here/sqlcipher-mbedtls.patch") >>"$log" 2>&1 || fail

# configure only serves `make sqlite3.c` (the amalgamation is target-independent; its
# generators run on the build machine); --build/--host keep it from running target binaries.
(cd "$s" && ./configure --build="$(cc -dumpmachine)" --host="$($CC -dumpmachine)" CC="$CC" \
   --with-crypto-lib=none --disable-tcl --enable-tempstore=yes \
 && make sqlite3.c) >>"$log" 2>&1 || fail

# Compiled by hand, not by the Makefile: the codec and provider choice are ours. SQLCipher 4.6.1
# activates itself on the first key (no SQLITE_EXTRA_INIT hook, unlike 4.7+); -DNDEBUG is what
# its configure passes for a release build.
# shellcheck disable=SC2086 # DEPS_CFLAGS is a flag list
(cd "$s" && $CC $DEPS_CFLAGS -DNDEBUG -DSQLITE_HAS_CODEC -DSQLCIPHER_CRYPTO_MBEDTLS \
   -DSQLITE_TEMP_STORE=2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION \
   -DSQLITE_OMIT_DEPRECATED -DSQLITE_DEFAULT_FOREIGN_KEYS=0 -DSQLITE_ENABLE_COLUMN_METADATA \
   -DSQLITE_DEFAULT_MEMSTATUS=0 -c sqlite3.c -o sqlite3.o \
 && rm -f "$prefix/lib/libsqlcipher.a" && $AR rcs "$prefix/lib/libsqlcipher.a" sqlite3.o) \
 >>"$log" 2>&1 || fail

# sqlcipher.h carries the provider struct our provider fills; it includes "sqlite3.h" beside it.
cp "$s/sqlite3.h" "$prefix/include/sqlcipher/sqlite3.h"
cp "$s/src/sqlcipher.h" "$prefix/include/sqlcipher/sqlcipher.h"
rm -rf "$s"
echo "deps: sqlcipher 4.6.1 for $target in $prefix/lib/libsqlcipher.a"
