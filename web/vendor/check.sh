#!/bin/sh
# check.sh — the vendored uPlot files are byte for byte those of the pinned npm tarball.
# Fetches uplot@1.6.32 with `npm pack` (the registry), checks the tarball's sha256, then compares
# dist/uPlot.iife.min.js, dist/uPlot.min.css and LICENSE with the copies here. The build itself
# only checks the copies' sha256 (services/frontend_web_gen.py) and needs no network.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=1.6.32
tarball_sha256=4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "uplot@$version" >/dev/null 2>npm.log || { cat npm.log >&2; echo "check.sh: npm pack failed" >&2; exit 1; }
got=$(sha256sum "uplot-$version.tgz" | cut -d' ' -f1)
[ "$got" = "$tarball_sha256" ] || { echo "check.sh: uplot-$version.tgz has sha256 $got, want $tarball_sha256" >&2; exit 1; }
tar xzf "uplot-$version.tgz"
cmp package/dist/uPlot.iife.min.js "$here/uPlot.iife.min.js"
cmp package/dist/uPlot.min.css "$here/uPlot.min.css"
cmp package/LICENSE "$here/uPlot.LICENSE.txt"
echo "uplot $version: tarball and the vendored files match"
