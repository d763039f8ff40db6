# Makefile settings for TARGET=lwip: pipit's PAL over lwIP 2.2.1's socket API, tested in-process
# on the host (lwIP's loopback netif, its tcpip thread on pthreads). See ports/lwip/README.md.
#
# The port's own test program is build/lwip/unit (ports/lwip/Makefile, run by test.sh: the core
# suites + tests/unit/test_lwip_net.c). What `make TARGET=lwip test-target` builds through the
# main Makefile is named with EXE=-node so that it cannot overwrite it:
#   build/lwip/unit-node   every suite of tests/unit/main.c (DB included) on the lwIP PAL
#   build/lwip/pipit-node  the whole node linked against the lwIP PAL — it links, but does not
#                          serve: libwebsockets still opens its sockets on the host's stack
#                          (see README.md, "what is missing").
# libwebsockets, mbedtls and SQLCipher come from build.sh as for the native target (built for
# "lwip" into the same prefix; host code); ports/deps/lwip.sh adds liblwip.a and its headers.
.DEFAULT_GOAL := all # the rules below must not become the default goal
LWIP_PREFIX   := $(DEPS_DIR)/lwip/prefix
PLATFORM_SRC  := platform/pal_lwip.c platform/pal_posix.c
TARGET_CFLAGS := -I$(LWIP_PREFIX)/include -DPAL_POSIX_BASE_ONLY
TARGET_LDLIBS := -L$(LWIP_PREFIX)/lib -llwip -lpthread -lm
EXE           := -node
RUN           :=

# liblwip.a before pal_lwip.c is compiled (lwIP's headers) and before anything links with it;
# build.sh wipes the prefix when its own stamp changes, so this rebuilds it when missing.
$(BUILD)/obj/platform/pal_lwip.o $(BUILD)-asan/obj/platform/pal_lwip.o: $(LWIP_PREFIX)/lib/liblwip.a
$(BUILD)/pipit-node $(BUILD)/unit-node $(BUILD)-asan/unit: | $(LWIP_PREFIX)/lib/liblwip.a
$(LWIP_PREFIX)/lib/liblwip.a: ports/deps/lwip.sh ports/deps/sources.txt ports/lwip/lwipopts.h
	@ports/deps/lwip.sh lwip
