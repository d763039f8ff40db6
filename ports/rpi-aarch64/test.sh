#!/bin/sh
# ports/rpi-aarch64/test.sh BUILD — see ports/rpi/test.sh
exec "$(dirname "$0")/../rpi/test.sh" rpi-aarch64 "${1:-build/rpi-aarch64}"
