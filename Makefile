# prep: Unix filters for privacy-preserving data preparation.
#
# make            build libprep and the filters into build/
# make check      install missing dependencies, then every test three times:
#                 built with $(CC), under ASan+UBSan, and built with clang;
#                 then the man page lint, the man page examples and the
#                 static checks
# make lint       cppcheck and clang-tidy alone
# make demo       the example pipeline on testdata/
# make bench      benchmarks (tests/bench/), not part of check
# make bench-validate  the validate benchmark alone
# make check-valgrind  the CLI tests under valgrind memcheck
# make fuzz       libFuzzer campaigns (FUZZ_SECONDS=1800 each), not in check
# make install    PREFIX=/usr/local DESTDIR=
# make deps       apt-get install what is missing

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
LIBDIR   = $(PREFIX)/lib
INCDIR   = $(PREFIX)/include/prep
MANDIR   = $(PREFIX)/share/man
PCDIR    = $(LIBDIR)/pkgconfig

CC      ?= cc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
SOVER    = 0

DEP_PKGS = libcsv-dev libssl-dev zlib1g-dev libcriterion-dev libjansson-dev \
           libpcre2-dev pkg-config groff-base clang cppcheck clang-tidy \
           jq openssl
BENCH_PKGS = miller time python3-pandas python3-imblearn
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PKGS     = libcrypto zlib libpcre2-8 jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
             -fPIC $(SAN) -iquote libprep -iquote tools $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = -lcsv $(PKG_LIBS) -lm -pthread
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

LIB_SRC  = $(sort $(wildcard libprep/*.c))
LIB_HDR  = $(sort $(wildcard libprep/*.h))
# Headers private to the library (NAME_impl.h) are not installed.
PUB_HDR  = $(filter-out %_impl.h,$(LIB_HDR))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(BUILD)/tools/cli.o
TOOLS    = $(filter-out cli,$(basename $(notdir $(wildcard tools/*.c))))
TOOL_BIN = $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
STAT_SRC = $(sort $(wildcard tests/stat/stat_*.c))
STAT_BIN = $(STAT_SRC:tests/stat/%.c=$(BUILD)/tests/%)
GEN_BIN  = $(BUILD)/bin/gen-people
MAN_SRC  = $(sort $(wildcard man/man*/*.[1-9]))

.PHONY: all check check-run test-unit test-cli test-hostile test-man lint demo bench bench-validate check-valgrind install \
        uninstall deps deps-bench clean

all: $(BUILD)/libprep.a $(BUILD)/libprep.so $(TOOL_BIN) $(GEN_BIN)

$(BUILD)/%.o: %.c $(LIB_HDR) tools/cli.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libprep.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libprep.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libprep.so.$(SOVER) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(BUILD)/libprep.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(BUILD)/libprep.a $(LDLIBS_ALL)

$(GEN_BIN): $(BUILD)/testdata/gen-people.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< -lm

$(BUILD)/bin/csv-baseline: tests/bench/csv-baseline.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lcsv

$(BUILD)/tests/stat_%: tests/stat/stat_%.c $(BUILD)/libprep.a $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprep.a \
		$(LDLIBS_ALL) $(CRIT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libprep.a $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprep.a \
		$(LDLIBS_ALL) $(CRIT_LIBS)

# Dependencies: install what is missing, once, before building.
deps:
	@missing=; for p in $(DEP_PKGS) $(EXTRA_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps-bench:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

check: deps
	@$(MAKE) --no-print-directory check-run
	@echo "== again under AddressSanitizer and UBSan"
	@$(MAKE) --no-print-directory check-run BUILD=build/asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	@echo "== again built with clang"
	@$(MAKE) --no-print-directory check-run CC=clang BUILD=build/clang
	@$(MAKE) --no-print-directory test-man
	@echo "== static checks (cppcheck, clang-tidy)"
	@bash tests/lint/run.sh
	@echo "== all tests passed"

check-run: all $(UNIT_BIN) $(STAT_BIN)
	@$(MAKE) --no-print-directory test-unit test-cli test-fuzz test-hostile

test-unit: $(UNIT_BIN) $(STAT_BIN)
	@set -e; for t in $(UNIT_BIN) $(STAT_BIN); do \
		echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 $$t --jobs=2; done

test-cli: all
	@bash tests/cli/run.sh $(BUILD)/bin

# Every filter on hostile input, signals, full disks (tests/hostile/run.sh);
# no virtual-memory limit under the sanitizers, which reserve terabytes.
test-hostile: all
	@HOSTILE_NO_VLIMIT=$(if $(SAN),1) bash tests/hostile/run.sh $(BUILD)/bin

# cppcheck and clang-tidy (configuration: .clang-tidy, tests/lint/).
lint: deps
	@bash tests/lint/run.sh

# The man page lint, then every example in the pages run and its output
# compared with the page (tests/man/README).
test-man: all
	@bash tests/man/lint.sh $(MAN_SRC)
	@bash tests/man/selftest.sh
	@bash tests/man/examples.sh $(BUILD)/bin $(MAN_SRC)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash testdata/demo.sh $(BUILD)/bin

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/csv-baseline
	@st=0; bash tests/bench/run.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/validate.sh $(BUILD)/bin || st=$$?; exit $$st

# The CLI tests with every filter under valgrind memcheck (slow: minutes).
# Built without optimization: at -O2 a pointer held only in a register
# when exit(2) ends a run on bad input reads as a leak.
check-valgrind:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS=valgrind
	@$(MAKE) --no-print-directory all BUILD=build/valgrind OPT="-O0 -g"
	@bash tests/valgrind/run.sh build/valgrind/bin

bench-validate: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/csv-baseline
	@bash tests/bench/validate.sh $(BUILD)/bin

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
		$(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7
	install -m 755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)
	install -m 644 $(BUILD)/libprep.a $(DESTDIR)$(LIBDIR)
	install -m 755 $(BUILD)/libprep.so $(DESTDIR)$(LIBDIR)/libprep.so.$(SOVER)
	ln -sf libprep.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libprep.so
	install -m 644 $(PUB_HDR) $(DESTDIR)$(INCDIR)
	for m in $(MAN_SRC); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n \
		's/^#define PREP_VERSION "\(.*\)"/\1/p' libprep/prep.h)|' \
		prep.pc.in > $(DESTDIR)$(PCDIR)/prep.pc

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(DESTDIR)$(LIBDIR)/libprep.a $(DESTDIR)$(LIBDIR)/libprep.so \
		$(DESTDIR)$(LIBDIR)/libprep.so.$(SOVER) $(DESTDIR)$(PCDIR)/prep.pc
	rm -rf $(DESTDIR)$(INCDIR)
	for m in $(MAN_SRC); do \
		s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf build

# libFuzzer harnesses (make fuzz, make fuzz-build) and the corpus replay
# that check-run runs (make test-fuzz).
include tests/fuzz/fuzz.mk
