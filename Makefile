# failsmall — GNU make. `make` builds, `make test` runs every test,
# `make asan` runs them again under AddressSanitizer + UBSan.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
DEFS    := -D_GNU_SOURCE -DFIU_ENABLE=1
SAN     ?=

PKGS    := libuv libcjson libfiu
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian's http-parser ships no .pc file; use it when a distribution does.
HTTP_PARSER_LIBS := $(shell pkg-config --libs http-parser 2>/dev/null || echo -lhttp_parser)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

ALL_CFLAGS := $(WARN) $(DEFS) $(CFLAGS) $(SAN) -MMD -MP -Ifleet/lib $(PKG_CFLAGS)
# The fleet sees only fleet/lib; the harness and the tests see all three.
HARNESS_INC := -Iharness -Iinjectors -Ireports
LDLIBS     := $(PKG_LIBS) $(HTTP_PARSER_LIBS) -lm -lpthread

SERVICES := origin configstore botmod proxy dashboard
BINS     := $(SERVICES:%=$(BUILD)/fs-%)

# Everything in fleet/ but the mains goes into one archive that services and
# tests link; module prefixes keep the names apart.
FLEET_SRC := $(wildcard fleet/lib/*.c) \
             $(filter-out %/main.c,$(foreach s,$(SERVICES),$(wildcard fleet/$(s)/*.c)))
FLEET_OBJ := $(FLEET_SRC:%.c=$(BUILD)/obj/%.o)
FLEET_LIB := $(BUILD)/libfsfleet.a

# The harness: everything in harness/ and injectors/ but the mains, in a
# second archive; build/failsmall is harness/main.c, build/fs-exec the tiny
# exec wrapper the supervisor starts every fleet process through.
HARNESS_SRC := $(filter-out harness/main.c harness/fs-exec.c,$(wildcard harness/*.c)) \
               $(wildcard injectors/*.c) $(wildcard reports/*.c)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/obj/%.o)
HARNESS_LIB := $(BUILD)/libfsharness.a
BINS += $(if $(wildcard harness/main.c),$(BUILD)/failsmall) \
        $(if $(wildcard harness/fs-exec.c),$(BUILD)/fs-exec)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
E2E       := $(sort $(wildcard tests/e2e/*.sh))

DEB_PKGS := build-essential pkg-config libuv1-dev libfiu-dev fiu-utils libcjson-dev \
            libcmocka-dev gnuplot-nox libhttp-parser-dev curl procps wrk jq \
            libxml2-utils chromium valgrind clang libclang-rt-dev

# libFuzzer targets (tests/fuzz, docs/DESIGN.md "Fuzzing"): clang with
# ASan + UBSan into build-fuzz/, apart from build/ and build-asan/. The
# HTTP targets also link the in-process fleet helper fz_fleet.
FUZZ_BUILD   := build-fuzz
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
FUZZ_REGRESS ?= 1
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/%)

.SECONDARY:

.PHONY: all deps test unit e2e asan valgrind fuzz fuzz-build fuzz-regress run suite stability bench \
        install uninstall clean format check-format

all: $(BINS) $(UNIT_BINS)

$(BUILD)/obj/fleet/%.o: fleet/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(HARNESS_INC) -c $< -o $@

$(FLEET_LIB): $(FLEET_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(HARNESS_LIB): $(HARNESS_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/failsmall: $(BUILD)/obj/harness/main.o $(HARNESS_LIB) $(FLEET_LIB)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/fs-exec: $(BUILD)/obj/harness/fs-exec.o
	$(CC) $(CFLAGS) $(SAN) -o $@ $^

$(BUILD)/fs-%: $(BUILD)/obj/fleet/%/main.o $(FLEET_LIB)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(HARNESS_LIB) $(FLEET_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(HARNESS_INC) $(CMOCKA_CFLAGS) -Itests/unit -o $@ $< $(HARNESS_LIB) $(FLEET_LIB) \
	    $(CMOCKA_LIBS) $(LDLIBS)

FUZZ_HTTP := $(filter fuzz_http_%,$(FUZZ_TARGETS))

$(FUZZ_HTTP:%=$(BUILD)/fuzz/%): $(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/obj/tests/fuzz/fz_fleet.o \
                                                  $(HARNESS_LIB) $(FLEET_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(HARNESS_INC) -fsanitize=fuzzer -o $@ $< $(filter %.o %.a,$^) $(LDLIBS)

$(patsubst %,$(BUILD)/fuzz/%,$(filter-out $(FUZZ_HTTP),$(FUZZ_TARGETS))): $(BUILD)/fuzz/%: \
        tests/fuzz/%.c $(HARNESS_LIB) $(FLEET_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(HARNESS_INC) -fsanitize=fuzzer -o $@ $< $(filter %.a,$^) $(LDLIBS)

# Installs the Debian packages the build and tests need, when missing.
deps:
	@sh scripts/deps.sh $(DEB_PKGS)

# Some unit tests start real fleet processes through build/fs-exec.
unit: $(UNIT_BINS) $(BINS)
	@sh scripts/run-tests.sh unit $(UNIT_BINS)

e2e: $(BINS)
	@FS_BUILD=$(abspath $(BUILD)) sh scripts/run-tests.sh e2e $(E2E)

# Unit tests first, then end-to-end runs, one after the other: the e2e runs
# measure timings and must not compete with the unit tests for the 2 cores.
test: all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(if $(filter 1,$(FUZZ_REGRESS)),$(MAKE) --no-print-directory fuzz-regress)

# The same tests, built separately, under AddressSanitizer + UBSan (the
# fuzz targets' regression run is sanitized already: not twice).
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" FUZZ_REGRESS=0 test

# The fuzz targets, built with clang whatever CC and BUILD say.
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer" SAN="$(FUZZ_SAN)" $(FUZZ_BINS)

# Each target FUZZ_SECONDS (60) in turn; non-zero on any crash, leak,
# timeout or OOM, the input kept in build-fuzz/findings/<target>/.
fuzz: fuzz-build
	@sh scripts/fuzz.sh $(FUZZ_BUILD) run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Each target once over its seed corpus (tests/fuzz/corpus/<target>): no
# mutation, seconds in all.
fuzz-regress: fuzz-build
	@sh scripts/fuzz.sh $(FUZZ_BUILD) regress 0 $(FUZZ_TARGETS)

# The flagship scenario's harness under valgrind: no error, no definite leak.
valgrind: all
	@sh scripts/valgrind.sh $(BUILD)

run: deps all
	@sh scripts/run.sh $(BUILD)

# Every scenario in scenarios/, both postures, two at a time; the suite
# index in runs/suite/ (SUITE_OUT, SUITE_JOBS, SCENARIOS to change that).
suite: all
	@bash scripts/suite.sh $(BUILD)

# Every scenario (or SCENARIOS=...) RUNS times (default 10) with the other
# core busy: same verdicts and every expectation held, every time.
stability: all
	@bash scripts/stability.sh $(BUILD)

bench: all
	@bash scripts/bench.sh $(BUILD)

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(PREFIX)/share/failsmall/scenarios
	install -m 0644 scenarios/*.json $(DESTDIR)$(PREFIX)/share/failsmall/scenarios

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -rf $(DESTDIR)$(PREFIX)/share/failsmall

format:
	clang-format -i $(shell find fleet harness injectors reports tests -name '*.[ch]')

check-format:
	@clang-format --dry-run --Werror $(shell find fleet harness injectors reports tests -name '*.[ch]')

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
