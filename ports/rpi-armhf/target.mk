# Raspberry Pi OS 32-bit (ARMv7+); see ports/rpi/target.mk. 64-bit time_t/off_t as in target.env.
RPI_TRIPLE := arm-linux-gnueabihf
RPI_QEMU   := qemu-arm-static
RPI_CFLAGS := -mtune=cortex-a53 -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
include ports/rpi/target.mk
