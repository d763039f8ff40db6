# pipit — build, run, test, bench, install.
#   make run      install missing packages, build the dependencies and pipit, start the node
#   make test     unit tests (plain and ASan+UBSan), integration tests against the real binary, fuzzers
#   make fuzz     every libFuzzer target for FUZZ_SECONDS (default 60) each
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
# pipit's own page: web/ embedded into the binary by a generated C file (per target)
WEB_FILES    := $(shell find web -type f ! -name '.*' | LC_ALL=C sort)
WEB_C        := $(BUILD)/gen/web_files.c
NODE_SRC     := $(CORE_SRC) $(PLATFORM_SRC) $(DB_SRC) $(SERVICE_SRC) $(WEB_C)
UNIT_SRC     := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: FORCE all run test bench setup deps unit unit-asan integration clean install fuzz fuzz-build test-ports test-target
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

# --- the built-in page: regenerated when a file of web/ (or the list of them) changes -------
$(BUILD)/gen/web_files.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(WEB_FILES)' | cmp -s - $@ || echo '$(WEB_FILES)' >$@
$(WEB_C): $(WEB_FILES) $(BUILD)/gen/web_files.list services/frontend_web_gen.py
	$(PYTHON) services/frontend_web_gen.py web $@
FORCE:

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

# the bench's WebSocket client (a test tool: OS headers allowed)
$(BUILD)/wsload: tests/bench/wsload.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -g $< -o $@

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
	@$(MAKE) --no-print-directory $(BUILD)/pipit $(BUILD)/unit $(ASAN)/unit $(ASAN)/pipit $(FAULTS)/pipit fuzz-build
	@FUZZ_TEST_SECONDS=$(FUZZ_TEST_SECONDS) tests/run.sh $(BUILD) $(ASAN) $(FAULTS)

bench:
	@SETUP_GOAL=bench $(MAKE) --no-print-directory setup deps
	@ports/deps/sqlcipher-shell.sh >/dev/null
	@$(MAKE) --no-print-directory all $(BUILD)/wsload
	@$(PYTHON) tests/bench/bench.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_compare.py --pipit $(BUILD)/pipit --wsload $(BUILD)/wsload --out $(BUILD)/bench
	@$(PYTHON) tests/bench/bench_db.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_chain.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_evmtx.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_exchanges.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_soak.py --pipit $(BUILD)/pipit

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

# --- fuzzing: libFuzzer targets tests/fuzz/fuzz_<name>.c on every parser of outside input.
# Each target links the whole node (NODE_SRC, no main) built with clang's sanitizers, so it
# fuzzes the real functions. `make fuzz` runs each for FUZZ_SECONDS; `make test` for
# FUZZ_TEST_SECONDS as one suite (tests/fuzz/run.sh prints per target executions and crashes).
FUZZ_SECONDS      ?= 60
FUZZ_TEST_SECONDS ?= 10
FUZZ              := build/fuzz
FUZZ_CC           := clang
FUZZ_FLAGS        := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC          := $(NODE_SRC)
FUZZ_TARGETS      := $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(wildcard tests/fuzz/fuzz_*.c))
$(FUZZ)/obj/%.o: %.c $(DEPS)/lib/libwebsockets.a $(BUILD)/include/jsmn.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(CPPFLAGS) -MMD -MP -c $< -o $@
$(FUZZ)/fuzz_%: $(FUZZ)/obj/tests/fuzz/fuzz_%.o $(call obj,$(FUZZ),$(FUZZ_SRC))
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@
# the objects outlive each link (make would delete them as intermediates of the pattern rule)
.SECONDARY: $(call obj,$(FUZZ),$(FUZZ_SRC) $(wildcard tests/fuzz/fuzz_*.c))
fuzz-build: $(FUZZ_TARGETS)
fuzz:
	@SETUP_GOAL=fuzz $(MAKE) --no-print-directory setup deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)

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
