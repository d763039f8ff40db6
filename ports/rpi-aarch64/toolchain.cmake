# Raspberry Pi OS 64-bit (Pi 3, 4, 5, Zero 2 W): aarch64-linux-gnu
set(PIPIT_TRIPLE aarch64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(PIPIT_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/../rpi/toolchain.cmake)
