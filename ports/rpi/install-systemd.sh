#!/bin/sh
# install-systemd.sh DESTDIR PREFIX [UNITDIR] — the systemd part of `make install` (rpi targets,
# or INSTALL_SYSTEMD=1): pipit.service with ExecStart pointing at PREFIX/bin, and the sysusers.d
# entry for the `pipit` user. Installing into the live system (no DESTDIR) as root also creates
# the user and reloads systemd; enabling the service is left to the operator.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
destdir=${1:-}; prefix=${2:-/usr/local}; unitdir=${3:-/lib/systemd/system}
sysusersdir=$(dirname "$(dirname "$unitdir")")/sysusers.d
install -d "$destdir$unitdir" "$destdir$sysusersdir"
sed "s|@BINDIR@|$prefix/bin|g" "$here/pipit.service" >"$destdir$unitdir/pipit.service.tmp"
chmod 0644 "$destdir$unitdir/pipit.service.tmp"
mv "$destdir$unitdir/pipit.service.tmp" "$destdir$unitdir/pipit.service"
install -m 0644 "$here/pipit.sysusers" "$destdir$sysusersdir/pipit.conf"
echo "installed $destdir$unitdir/pipit.service and $destdir$sysusersdir/pipit.conf"
if [ -z "$destdir" ] && [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ]; then
  systemd-sysusers "$sysusersdir/pipit.conf" || true
  systemctl daemon-reload || true
  echo "start it with: systemctl enable --now pipit"
fi
