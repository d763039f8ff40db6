#!/bin/sh
# ports/rpi-armhf/test.sh BUILD — see ports/rpi/test.sh
exec "$(dirname "$0")/../rpi/test.sh" rpi-armhf "${1:-build/rpi-armhf}"
