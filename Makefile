# pipit — build, run, test, bench, install.
#   make run      install missing packages, build the dependencies and pipit, start the node
#   make test     unit tests (plain and ASan+UBSan) and integration tests against the real binary
#   make bench    throughput, latency and memory figures
TARGET     ?= linux
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      := build/$(TARGET)
DEPS_DIR   ?= $(or $(PIPIT_DEPS_DIR),$(HOME)/.cache/pipit/deps)
DEPS       := $(DEPS_DIR)/$(TARGET)/prefix
PYTHON     := /usr/bin/python3

# Per-target settings: ports/<target>/target.mk may set CC, PLATFORM_SRC, TARGET_CFLAGS,
# TARGET_LDLIBS, EXE (".exe") and RUN (the emulator a target's binaries run under).
CC            ?= cc
PLATFORM_SRC  := platform/pal_posix.c
TARGET_CFLAGS :=
TARGET_LDLIBS := -lpthread -lm
EXE           :=
RUN           :=
-include ports/$(TARGET)/target.mk

CFLAGS     ?= -O2 -g
WARN       := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter
# jsmn is Debian's header-only package; a copy per build lets cross compilers see it too
CPPFLAGS   += -I. -I$(BUILD)/include -I$(DEPS)/include -D_DEFAULT_SOURCE -DPIPIT_HAVE_SQLCIPHER $(TARGET_CFLAGS)
LDLIBS     := -L$(DEPS)/lib -lwebsockets -lsqlcipher -lmbedtls -lmbedx509 -lmbedcrypto $(TARGET_LDLIBS)

CORE_SRC     := $(wildcard core/*.c)
SERVICE_SRC  := $(filter-out services/pipit.c,$(wildcard services/*.c services/*/*.c))
DB_SRC       := $(wildcard db/*.c)
NODE_SRC     := $(CORE_SRC) $(PLATFORM_SRC) $(DB_SRC) $(SERVICE_SRC)
UNIT_SRC     := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all run test bench setup deps unit unit-asan integration clean install fuzz test-ports test-target
all: $(BUILD)/pipit$(EXE)

setup:
	@ports/linux/setup.sh $(or $(SETUP_GOAL),run)

deps:
	@ports/deps/build.sh $(TARGET)

$(DEPS)/lib/libwebsockets.a:
	@ports/deps/build.sh $(TARGET)

$(BUILD)/include/jsmn.h: /usr/include/jsmn.h
	@mkdir -p $(dir $@)
	cp $< $@

# --- the node ---------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(DEPS)/lib/libwebsockets.a $(BUILD)/include/jsmn.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pipit$(EXE): $(call obj,$(BUILD),$(NODE_SRC) services/pipit.c)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# --- unit tests: plain and sanitized builds of the same sources --------------------------
$(BUILD)/unit$(EXE): $(call obj,$(BUILD),$(NODE_SRC) $(UNIT_SRC))
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

ASAN       := build/$(TARGET)-asan
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
$(ASAN)/obj/%.o: %.c $(DEPS)/lib/libwebsockets.a $(BUILD)/include/jsmn.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(ASAN_FLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@
$(ASAN)/unit: $(call obj,$(ASAN),$(NODE_SRC) $(UNIT_SRC))
	$(CC) $(ASAN_FLAGS) $^ $(LDLIBS) -o $@
$(ASAN)/pipit: $(call obj,$(ASAN),$(NODE_SRC) services/pipit.c)
	$(CC) $(ASAN_FLAGS) $^ $(LDLIBS) -o $@

# --- the fault build (tests/integration/test_faults.py): ASan+UBSan, platform/pal_fault.c in
# place of pal_posix.c, the SQLite VFS shim, libwebsockets' socket calls wrapped
FAULTS       := build/$(TARGET)-faults
FAULT_FLAGS  := $(ASAN_FLAGS) -DPIPIT_PAL_FAULTS
FAULT_WRAP   := -Wl,--wrap=connect,--wrap=recv,--wrap=send,--wrap=accept
$(FAULTS)/obj/%.o: %.c $(DEPS)/lib/libwebsockets.a $(BUILD)/include/jsmn.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(FAULT_FLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@
$(FAULTS)/pipit: $(call obj,$(FAULTS),$(filter-out $(PLATFORM_SRC),$(NODE_SRC)) platform/pal_fault.c services/pipit.c)
	$(CC) $(FAULT_FLAGS) $(FAULT_WRAP) $^ $(LDLIBS) -o $@

unit: $(BUILD)/unit
	$(BUILD)/unit
unit-asan: $(ASAN)/unit
	ASAN_OPTIONS=detect_leaks=1 $(ASAN)/unit

# --- goals ------------------------------------------------------------------------------
run:
	@SETUP_GOAL=run $(MAKE) --no-print-directory setup deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/pipit $(ARGS)

test:
	@SETUP_GOAL=test $(MAKE) --no-print-directory setup deps
	@ports/deps/sqlcipher-shell.sh >/dev/null
	@$(MAKE) --no-print-directory $(BUILD)/pipit $(BUILD)/unit $(ASAN)/unit $(FAULTS)/pipit
	@tests/run.sh $(BUILD) $(ASAN) $(FAULTS)

bench:
	@SETUP_GOAL=bench $(MAKE) --no-print-directory setup deps
	@ports/deps/sqlcipher-shell.sh >/dev/null
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/bench/bench.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_db.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_chain.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_exchanges.py --pipit $(BUILD)/pipit

# --- other targets: every port's build and tests on this machine (qemu, wine, in-process lwIP)
# the ports (ports/rpi holds what the two Pi targets share, ports/linux the native set-up)
PORT_TARGETS ?= rpi-aarch64 rpi-armhf windows lwip
test-ports:
	@SETUP_GOAL=test $(MAKE) --no-print-directory setup
	@ports/linux/setup.sh ports-rpi
	@ports/linux/setup.sh ports-windows
	@for t in $(PORT_TARGETS); do $(MAKE) --no-print-directory TARGET=$$t test-target || exit 1; done
# one port: ports/<target>/test.sh BUILD prints that target's "N passed, N failed"
test-target:
	@ports/deps/build.sh $(TARGET)
	@$(MAKE) --no-print-directory $(BUILD)/pipit$(EXE) $(BUILD)/unit$(EXE)
	@ports/$(TARGET)/test.sh $(BUILD)

# --- fuzzing (not part of make test): libFuzzer on every parser target, FUZZ_SECONDS each
FUZZ_SECONDS ?= 60
fuzz:
	@command -v clang >/dev/null || apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
	@mkdir -p build/fuzz
	@for f in tests/fuzz/fuzz_*.c; do n=$$(basename $$f .c); \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild/linux/include $$f core/json.c core/alloc.c core/arena.c services/chain/multicall.c -o build/fuzz/$$n && \
	  build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 2>&1 | tail -3 || exit 1; done

# make install [TARGET=…] PREFIX=… DESTDIR=…: the binary; with INSTALL_SYSTEMD=1 (set by the rpi
# targets' target.mk) also the systemd unit and the `pipit` user (ports/rpi/install-systemd.sh)
SYSTEMD_UNITDIR ?= /lib/systemd/system
install: $(BUILD)/pipit$(EXE)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/pipit$(EXE) $(DESTDIR)$(PREFIX)/bin/pipit$(EXE)
ifeq ($(INSTALL_SYSTEMD),1)
	ports/rpi/install-systemd.sh "$(DESTDIR)" "$(PREFIX)" "$(SYSTEMD_UNITDIR)"
endif

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
