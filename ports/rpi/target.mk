# Shared make settings of the Raspberry Pi targets, included by ports/rpi-<arch>/target.mk after
# it sets RPI_TRIPLE (the Debian cross triple), RPI_QEMU and RPI_CFLAGS (what target.env's
# DEPS_CFLAGS adds for the ABI, so pipit and its static deps agree).
CC            := $(RPI_TRIPLE)-gcc
PLATFORM_SRC  := platform/pal_posix.c
TARGET_LDLIBS := -lpthread -lm
EXE           :=
# binfmt_misc is not assumed: target binaries run under qemu-user explicitly
RUN           := $(RPI_QEMU) -L /usr/$(RPI_TRIPLE)
# The fixed-arena allocator (no system malloc; arena = --heap-budget) where core/alloc.c has it;
# RPI_ALLOC=system builds with the default allocator.
RPI_ALLOC     ?= $(if $(shell grep -l PIPIT_ALLOC_ARENA core/alloc.c 2>/dev/null),arena,system)
# A 64 MiB arena (reserved, not resident: untouched pages cost nothing); the node's own limit
# is --heap-budget, which the test run sets to 2 MiB.
TARGET_CFLAGS := $(RPI_CFLAGS) $(if $(filter arena,$(RPI_ALLOC)),-DPIPIT_ALLOC_ARENA -DPIPIT_ARENA_SIZE=67108864)
# `make install` also installs ports/rpi/pipit.service for these targets
INSTALL_SYSTEMD ?= 1
export RPI_ALLOC
