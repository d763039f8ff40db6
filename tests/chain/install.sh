#!/bin/sh
# install.sh — tests/chain's pinned npm packages (ganache, solc, ethers) into node_modules.
exec "$(dirname "$0")/../npm-ci.sh" "$(cd "$(dirname "$0")" && pwd)"
