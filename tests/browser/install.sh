#!/bin/sh
# install.sh — tests/browser's pinned npm package (playwright-core: the driver only; the browser is
# Debian's chromium, installed by ports/linux/setup.sh test) into node_modules.
exec "$(dirname "$0")/../npm-ci.sh" "$(cd "$(dirname "$0")" && pwd)"
