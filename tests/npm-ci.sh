#!/bin/sh
# npm-ci.sh DIR — installs DIR's pinned npm packages (package-lock.json) into DIR/node_modules
# with `npm ci`. Skips the install when node_modules was made from the same package.json and
# lock (a stamp holds their sha256); silent unless it fails. Used by tests/*/install.sh.
set -eu
dir=$1
cd "$dir"
die() { echo "$dir/install.sh: $*" >&2; exit 1; }
command -v node >/dev/null 2>&1 || die "node is missing (ports/linux/setup.sh test installs it)"
command -v npm >/dev/null 2>&1 || die "npm is missing (ports/linux/setup.sh test installs it)"

want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
stamp=node_modules/.pipit-installed
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0

# one install at a time when several test runs start together; the loser re-checks the stamp
exec 9>.install.lock
flock 9
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# npm ci removes node_modules first, so a failed install leaves no stamp behind
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  die "npm ci failed (the output is above; is the npm registry reachable?)"
fi
echo "$want" >"$stamp"
