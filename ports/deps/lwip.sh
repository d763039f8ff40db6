#!/bin/sh
# lwip.sh TARGET — build lwIP 2.2.1 (Debian 13's orig tarball, pinned in sources.txt) as a static
# liblwip.a in $PIPIT_DEPS_DIR/TARGET/prefix for pipit's lwIP port, configured by
# ports/lwip/lwipopts.h. NO_SYS=0 with contrib/ports/unix (its sys_arch.c on pthreads, its
# arch/cc.h and sys_arch.h — they ship in the orig tarball); no netif driver: the tests use
# lwIP's loopback netif. Rebuilt only when this recipe, the pins or lwipopts.h change
# (stamp $out/.stamp-lwip; build.sh's own stamp for the same TARGET is left alone).
# TARGET's toolchain comes from ports/TARGET/target.env (CC, AR, DEPS_CFLAGS) as in build.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ports=$(dirname "$here")
target=${1:-lwip}
cache=${PIPIT_DEPS_DIR:-${HOME:-/tmp}/.cache/pipit/deps}
src_cache=$cache/src
out=$cache/$target
prefix=$out/prefix
log=$out/lwip.log
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

CC=${CC:-cc}; AR=${AR:-ar}; DEPS_CFLAGS=${DEPS_CFLAGS:--O2 -g -fPIC}
[ -f "$ports/$target/target.env" ] && . "$ports/$target/target.env"

mkdir -p "$cache"
exec 9>"$cache/.lock-$target"   # the same lock as build.sh: one build per prefix at a time
flock 9

stamp=$(cat "$0" "$here/sources.txt" "$ports/lwip/lwipopts.h" "$ports/$target/target.env" 2>/dev/null | sha256sum | cut -c1-16)
if [ -f "$out/.stamp-lwip" ] && [ "$(cat "$out/.stamp-lwip")" = "$stamp" ] && [ -f "$prefix/lib/liblwip.a" ]; then
  exit 0
fi
echo "deps: building lwIP 2.2.1 for $target into $prefix"
"$here/fetch.sh" lwip "$src_cache"
mkdir -p "$out/src" "$prefix/lib" "$prefix/include"
s=$out/src/lwip-2.2.1
rm -rf "$s" "$out/.stamp-lwip"
tar xJf "$src_cache/lwip_2.2.1+dfsg1.orig.tar.xz" -C "$out/src"
: >"$log"
fail() { echo "deps: lwIP build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }

# The sources: lwIP's own lists (src/Filelists.mk) without apps, PPP, 6LoWPAN or SLIP; plus the
# unix port's sys_arch.c. Debian's patches (Hurd's posixlib, unlimited sockets, an SNMP CVE fix)
# concern parts not built here.
u=$s/contrib/ports/unix/port
cp "$ports/lwip/lwipopts.h" "$out/src/lwipopts.h"
files=$(cd "$s/src" && LWIPDIR=. make -s -f - print 2>>"$log" <<'MK'
include Filelists.mk
print:
	@echo $(COREFILES) $(CORE4FILES) $(CORE6FILES) $(APIFILES) $(LWIPDIR)/netif/ethernet.c
MK
) || fail
mkdir -p "$out/src/obj"
# shellcheck disable=SC2086 # DEPS_CFLAGS is a flag list
( for f in $files "$u/sys_arch.c"; do
    case $f in /*) p=$f ;; *) p=$s/src/$f ;; esac
    echo "$p"
  done | xargs -P "$jobs" -I{} sh -c 'o="$1/obj/$(echo "$2" | sed "s|.*/lwip-2.2.1/||; s|/|_|g; s|\.c$|.o|")"; \
      $3 $4 -I"$1" -I"$5/src/include" -I"$6/include" -c "$2" -o "$o" || exit 255' \
      _ "$out/src" {} "$CC" "$DEPS_CFLAGS" "$s" "$u" ) >>"$log" 2>&1 || fail
rm -f "$prefix/lib/liblwip.a"
$AR rcs "$prefix/lib/liblwip.a" "$out/src/obj"/*.o >>"$log" 2>&1 || fail

# Headers: lwIP's public ones, the unix port's arch/ (cc.h, sys_arch.h, perf.h) and lwipopts.h
rm -rf "$prefix/include/lwip" "$prefix/include/netif" "$prefix/include/compat" "$prefix/include/arch"
cp -r "$s/src/include/lwip" "$s/src/include/netif" "$s/src/include/compat" "$prefix/include/"
cp -r "$u/include/arch" "$prefix/include/"
cp "$ports/lwip/lwipopts.h" "$prefix/include/lwipopts.h"
rm -rf "$s" "$out/src/obj" "$out/src/lwipopts.h"
rmdir "$out/src" 2>/dev/null || true
echo "$stamp" >"$out/.stamp-lwip"
echo "deps: lwIP 2.2.1 for $target in $prefix/lib/liblwip.a"
