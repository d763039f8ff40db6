# Raspberry Pi OS 64-bit; see ports/rpi/target.mk
RPI_TRIPLE := aarch64-linux-gnu
RPI_QEMU   := qemu-aarch64-static
RPI_CFLAGS := -mtune=cortex-a72
include ports/rpi/target.mk
