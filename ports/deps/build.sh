#!/bin/sh
# build.sh TARGET — build pipit's source dependencies (mbedtls, libwebsockets) for TARGET
# into $PIPIT_DEPS_DIR/TARGET (default ~/.cache/pipit/deps/TARGET), reused while this
# recipe and the pins are unchanged. TARGET's toolchain comes from ports/TARGET/target.env
# (CC, AR, CMAKE_TOOLCHAIN_FILE, CFLAGS…); "linux" is the native host.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ports=$(dirname "$here")
target=${1:-linux}
cache=${PIPIT_DEPS_DIR:-${HOME:-/tmp}/.cache/pipit/deps}
src_cache=$cache/src
out=$cache/$target
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

CC=${CC:-cc}; AR=${AR:-ar}; CMAKE_TOOLCHAIN_FILE=; DEPS_CFLAGS="-O2 -fPIC"
[ -f "$ports/$target/target.env" ] && . "$ports/$target/target.env"

# One build at a time per cache (two makes at once would share the prefix).
mkdir -p "$cache"
exec 9>"$cache/.lock-$target"
flock 9

# The stamp covers this recipe, the pins and the target's toolchain settings.
stamp=$(cat "$0" "$here/sqlcipher.sh" "$here/sources.txt" "$here"/*.patch "$ports/$target/target.env" 2>/dev/null | sha256sum | cut -c1-16)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  exit 0
fi
echo "deps: building mbedtls and libwebsockets for $target into $out"
rm -rf "$out"; mkdir -p "$out/src" "$out/prefix"
for p in mbedtls libwebsockets; do "$here/fetch.sh" "$p" "$src_cache"; done

# --- mbedtls 3.6.6: static, allocator hook on, no programs or tests -----------------------
tar xjf "$src_cache/mbedtls_3.6.6.orig.tar.bz2" -C "$out/src"
m=$out/src/mbedtls-3.6.6
python3 "$m/scripts/config.py" -f "$m/include/mbedtls/mbedtls_config.h" set MBEDTLS_PLATFORM_MEMORY
# AES tables in ROM: no lazy table set-up racing between the loop (TLS) and the DB worker
python3 "$m/scripts/config.py" -f "$m/include/mbedtls/mbedtls_config.h" set MBEDTLS_AES_ROM_TABLES
mkdir -p "$m/build"
(cd "$m/build" && cmake .. -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" \
   ${CMAKE_TOOLCHAIN_FILE:+-DCMAKE_TOOLCHAIN_FILE="$CMAKE_TOOLCHAIN_FILE"} \
   -DCMAKE_C_FLAGS="$DEPS_CFLAGS" -DCMAKE_INSTALL_PREFIX="$out/prefix" \
   -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DUSE_SHARED_MBEDTLS_LIBRARY=OFF \
   -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DMBEDTLS_FATAL_WARNINGS=OFF >"$out/mbedtls.log" 2>&1 \
 && make -j"$jobs" >>"$out/mbedtls.log" 2>&1 && make install >>"$out/mbedtls.log" 2>&1) \
 || { echo "deps: mbedtls build failed, see $out/mbedtls.log" >&2; tail -20 "$out/mbedtls.log" >&2; exit 1; }

# --- libwebsockets 4.3.5: mbedtls, external poll, async DNS, static ----------------------
tar xzf "$src_cache/libwebsockets_4.3.5.orig.tar.gz" -C "$out/src"
l=$out/src/libwebsockets-4.3.5
# our fixes (each patch says why): h1 pipelining of bodied requests, unmasked client frames
for p in "$here"/lws-*.patch; do
  (cd "$l" && patch -p1 <"$p") >>"$out/lws.log" 2>&1 \
   || { echo "deps: $(basename "$p") does not apply, see $out/lws.log" >&2; exit 1; }
done
lib=$out/prefix/lib
mkdir -p "$l/build"
(cd "$l/build" && cmake .. -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" \
   ${CMAKE_TOOLCHAIN_FILE:+-DCMAKE_TOOLCHAIN_FILE="$CMAKE_TOOLCHAIN_FILE"} \
   -DCMAKE_C_FLAGS="$DEPS_CFLAGS" -DCMAKE_INSTALL_PREFIX="$out/prefix" \
   -DLWS_WITH_MBEDTLS=ON -DLWS_MBEDTLS_INCLUDE_DIRS="$out/prefix/include" \
   -DLWS_MBEDTLS_LIBRARIES="$lib/libmbedtls.a;$lib/libmbedx509.a;$lib/libmbedcrypto.a" \
   -DLWS_WITH_EXTERNAL_POLL=ON -DLWS_WITH_SYS_ASYNC_DNS=ON -DLWS_IPV6=ON \
   -DLWS_WITH_SHARED=OFF -DLWS_WITH_STATIC=ON -DLWS_WITHOUT_TESTAPPS=ON \
   -DLWS_WITH_MINIMAL_EXAMPLES=OFF -DLWS_WITH_HTTP2=OFF -DLWS_WITH_NETLINK=OFF \
   -DLWS_WITH_CACHE_NSCOOKIEJAR=OFF -DLWS_WITH_CONMON=OFF -DLWS_WITH_SYS_SMD=OFF \
   -DLWS_WITH_LEJP_CONF=OFF -DLWS_WITH_DIR=OFF -DLWS_WITH_PLUGINS=OFF \
   -DLWS_WITH_EVLIB_PLUGINS=OFF -DLWS_WITH_UDP=ON -DDISABLE_WERROR=ON \
   >>"$out/lws.log" 2>&1 \
 && make -j"$jobs" >>"$out/lws.log" 2>&1 && make install >>"$out/lws.log" 2>&1) \
 || { echo "deps: libwebsockets build failed, see $out/lws.log" >&2; tail -20 "$out/lws.log" >&2; exit 1; }

PIPIT_DEPS_DIR="$cache" "$here/sqlcipher.sh" "$target"

rm -rf "$out/src"
echo "$stamp" > "$out/.stamp"
echo "deps: $target ready in $out/prefix"
