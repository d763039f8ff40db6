#!/bin/sh
# fetch.sh PACKAGE DESTDIR — put the pinned orig tarball of PACKAGE into DESTDIR and verify it.
# Uses a private APT configuration so the system's apt sources are never touched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkg=$1; dest=$2
line=$(grep -E "^$pkg " "$here/sources.txt") || { echo "fetch.sh: $pkg is not pinned in sources.txt" >&2; exit 1; }
file=$(echo "$line" | awk '{print $2}'); sum=$(echo "$line" | awk '{print $3}')
mkdir -p "$dest"
if [ -f "$dest/$file" ] && echo "$sum  $dest/$file" | sha256sum -c --status; then exit 0; fi

apt_dir="$dest/.apt"
mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb-src http://deb.debian.org/debian trixie main" > "$apt_dir/parts/trixie.list"
cat > "$apt_dir/apt.conf" <<CONF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt_dir/parts";
Dir::State::Lists "$apt_dir/lists";
Dir::Cache "$apt_dir/cache";
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$apt_dir/apt.conf"
if [ ! -f "$apt_dir/lists/.updated" ]; then
  apt-get update -qq >/dev/null && touch "$apt_dir/lists/.updated"
fi
# The .dsc or .debian.tar may 404 while the orig tarball downloads: judge by the tarball alone.
(cd "$dest" && apt-get source --download-only -qq "$pkg" >/dev/null 2>&1) || true
if [ ! -f "$dest/$file" ]; then
  echo "fetch.sh: could not download $file (Debian trixie source package '$pkg')" >&2; exit 1
fi
if ! echo "$sum  $dest/$file" | sha256sum -c --status; then
  echo "fetch.sh: sha256 of $file does not match the pin in sources.txt" >&2
  echo "  expected $sum" >&2; echo "  got      $(sha256sum "$dest/$file" | cut -d' ' -f1)" >&2
  mv "$dest/$file" "$dest/$file.rejected"; exit 1
fi
