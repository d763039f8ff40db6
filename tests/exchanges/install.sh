#!/bin/sh
# install.sh — tests/exchanges' pinned npm packages (ccxt) into node_modules.
exec "$(dirname "$0")/../npm-ci.sh" "$(cd "$(dirname "$0")" && pwd)"
