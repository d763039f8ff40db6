# Raspberry Pi OS 32-bit on ARMv7+ (Pi 2, 3, 4, 5, Zero 2 W): arm-linux-gnueabihf
set(PIPIT_TRIPLE arm-linux-gnueabihf)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(PIPIT_QEMU qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/../rpi/toolchain.cmake)
