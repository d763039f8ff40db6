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

CC         ?= cc
CFLAGS     ?= -O2 -g
WARN       := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS   += -I. -I$(DEPS)/include -D_DEFAULT_SOURCE -DPIPIT_HAVE_SQLCIPHER
LDLIBS     := -L$(DEPS)/lib -lwebsockets -lsqlcipher -lmbedtls -lmbedx509 -lmbedcrypto -lpthread -lm

CORE_SRC     := $(wildcard core/*.c)
PLATFORM_SRC := platform/pal_posix.c
SERVICE_SRC  := $(filter-out services/pipit.c,$(wildcard services/*.c))
DB_SRC       := $(wildcard db/*.c)
NODE_SRC     := $(CORE_SRC) $(PLATFORM_SRC) $(DB_SRC) $(SERVICE_SRC)
UNIT_SRC     := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all run test bench setup deps unit unit-asan integration clean install fuzz
all: $(BUILD)/pipit

setup:
	@ports/linux/setup.sh $(or $(SETUP_GOAL),run)

deps:
	@ports/deps/build.sh $(TARGET)

$(DEPS)/lib/libwebsockets.a:
	@ports/deps/build.sh $(TARGET)

# --- the node ---------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(DEPS)/lib/libwebsockets.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pipit: $(call obj,$(BUILD),$(NODE_SRC) services/pipit.c)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# --- unit tests: plain and sanitized builds of the same sources --------------------------
$(BUILD)/unit: $(call obj,$(BUILD),$(NODE_SRC) $(UNIT_SRC))
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

ASAN       := build/$(TARGET)-asan
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
$(ASAN)/obj/%.o: %.c $(DEPS)/lib/libwebsockets.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(ASAN_FLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@
$(ASAN)/unit: $(call obj,$(ASAN),$(NODE_SRC) $(UNIT_SRC))
	$(CC) $(ASAN_FLAGS) $^ $(LDLIBS) -o $@

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
	@$(MAKE) --no-print-directory $(BUILD)/pipit $(BUILD)/unit $(ASAN)/unit
	@tests/run.sh $(BUILD) $(ASAN)

bench:
	@SETUP_GOAL=bench $(MAKE) --no-print-directory setup deps
	@ports/deps/sqlcipher-shell.sh >/dev/null
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/bench/bench.py --pipit $(BUILD)/pipit
	@$(PYTHON) tests/bench/bench_db.py --pipit $(BUILD)/pipit

install: $(BUILD)/pipit
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/pipit $(DESTDIR)$(PREFIX)/bin/pipit

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
