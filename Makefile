# prep: Unix filters for privacy-preserving data preparation.
#
# make            build libprep and the filters into build/
# make check      install missing dependencies, then every test three times:
#                 built with $(CC), under ASan+UBSan, and built with clang;
#                 then the man page lint, the man page examples, kanon
#                 against a brute force (test-kanon), the installed files
#                 (test-install), prep-report's pages (test-report), the
#                 scale-out recipes (test-scale) and the static checks
# make lint       cppcheck, clang-tidy and clang-format alone
# make demo       the example pipeline on testdata/
# make bench      benchmarks (tests/bench/), not part of check
# make bench-validate  the validate benchmark alone
# make bench-kanon     the kanon benchmark alone
# make bench-audit     what --audit costs, alone
# make bench-speed     the filters against a memchr scan (-j 1, -j 2), alone
# make bench-proxies   fairness --proxies against kcheck -r, alone
# make check-valgrind  the CLI tests under valgrind memcheck
# make fuzz       libFuzzer campaigns (FUZZ_SECONDS=1800 each), not in check
# make stress     the ledger under SIGKILL and concurrent runs
#                 (tests/stress/, STRESS_ROUNDS=300), not in check
# make install    PREFIX=/usr/local DESTDIR=
# make test-install  install into build/install and check what a program
#                 using libprep finds there (part of check)
# make deps       as root: apt-get install what is missing; as another
#                 user: name what is missing and stop (never sudo)

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
           libpcre2-dev pkg-config groff-base clang cppcheck clang-tidy clang-format \
           jq openssl python3-pandas python3-scipy python3-jsonschema python3-pil \
           tidy chromium \
           parallel rsync openssh-server openssh-client
BENCH_PKGS = miller time python3-pandas python3-imblearn

PKGS     = libcrypto zlib libpcre2-8 jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread $(WARN) \
             -fPIC $(SAN) -iquote libprep -iquote tools $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = -lcsv $(PKG_LIBS) -lm -pthread
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

LIB_SRC  = $(sort $(wildcard libprep/*.c))
LIB_HDR  = $(sort $(wildcard libprep/*.h))
# The headers a program needs to call libprep's functions are installed
# and documented in man/man3/libprep.3; these serve only the library's
# own modules (its JSON builders, hash tables, sketches, profiles,
# drift statistics, the schema's parts, the digests' hashing thread, the
# masks of the CSV scans, the exact sums of weights and of aggregate.c,
# the inside of aggregate.c) or the filters alone (the audit record's
# builder, whose output, man5/prep-audit.5, is the interface; the report
# built on it and its SVG charts; the partials, man5/prep-partial.5;
# fairness's representation and proxies) and are not.
# tests/install/run.sh holds the two lists to each other.
INTERNAL_HDR = libprep/json.h libprep/siphash.h libprep/tablehash.h \
	       libprep/strset.h \
	       libprep/schema_value.h libprep/recode.h libprep/lattice.h \
	       libprep/mondrian.h libprep/datetime.h libprep/sketch_moments.h \
	       libprep/sketch_kll.h libprep/sketch_hll.h libprep/sketch_freq.h \
	       libprep/profile.h libprep/profile_impl.h libprep/profile_par.h \
	       libprep/drift.h \
	       libprep/drift_stats.h libprep/audit.h libprep/report.h \
	       libprep/svg.h libprep/digest.h libprep/partial.h \
	       libprep/exactsum.h libprep/weights_impl.h \
	       libprep/weights_state.h libprep/partial_input.h \
	       libprep/fairness_impl.h libprep/fairness_state.h \
	       libprep/classes_state.h \
	       libprep/validate_partial.h \
	       libprep/aggregate_impl.h libprep/aggregate_partial.h \
	       libprep/csum.h libprep/bits.h \
	       libprep/fairness_repr.h libprep/fairness_proxies.h
PUB_HDR  = $(filter-out $(INTERNAL_HDR),$(LIB_HDR))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/cli*.c))
# a tool is tools/NAME.c, NAME without '_'; tools/NAME_*.c are its other
# parts, tools/cli*.c the front-end helpers every tool links
TOOL_SRC = $(basename $(notdir $(wildcard tools/*.c)))
TOOLS    = $(foreach t,$(TOOL_SRC),$(if $(findstring _,$(t)),,$(filter-out cli,$(t))))
TOOL_BIN = $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
STAT_SRC = $(sort $(wildcard tests/stat/stat_*.c))
STAT_BIN = $(STAT_SRC:tests/stat/%.c=$(BUILD)/tests/%)
GEN_BIN  = $(BUILD)/bin/gen-people
MAN_SRC  = $(sort $(wildcard man/man*/*.[1-9]))

.PHONY: all check check-run test-unit test-cli test-hostile test-man test-kanon test-audit test-report test-scale test-install lint demo bench bench-validate bench-kanon bench-profile bench-audit check-valgrind stress install \
        uninstall deps deps-bench clean

all: $(BUILD)/libprep.a $(BUILD)/libprep.so $(TOOL_BIN) $(GEN_BIN)

$(BUILD)/%.o: %.c $(LIB_HDR) $(wildcard tools/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libprep.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libprep.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libprep.so.$(SOVER) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

tool_parts = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/$(1)_*.c))
# kept: made by the pattern below, they would count as intermediate
.SECONDARY: $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/*_*.c))
.SECONDEXPANSION:
$(BUILD)/bin/%: $(BUILD)/tools/%.o \
		$$(call tool_parts,$$*) \
		$(CLI_OBJ) $(BUILD)/libprep.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libprep.a $(LDLIBS_ALL)

$(GEN_BIN): $(BUILD)/testdata/gen-people.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< -lm

$(BUILD)/bin/csv-baseline: tests/bench/csv-baseline.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lcsv

$(BUILD)/bin/memchr-scan: tests/bench/memchr-scan.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BUILD)/tests/stat_%: tests/stat/stat_%.c $(BUILD)/libprep.a $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprep.a \
		$(LDLIBS_ALL) $(CRIT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libprep.a $(LIB_HDR) \
		$(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprep.a \
		$(LDLIBS_ALL) $(CRIT_LIBS)

# Dependencies: the packages that are missing are installed with apt-get
# when make runs as root (as CI does, on a fresh clone); otherwise they
# are named and make stops, for the user to install them as root: no
# target ever calls sudo. check, lint, demo and the benchmarks run this
# first, and go on only when nothing is missing.
deps:
	@missing=; for p in $(DEP_PKGS) $(EXTRA_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make: missing packages:$$missing" >&2; \
		echo "make: install them as root (for instance:" \
			"sudo apt-get install$$missing), then run make again" >&2; \
		exit 2; \
	fi; \
	echo "installing:$$missing"; \
	apt-get update -q && \
	env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $$missing

deps-bench:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

check: deps
	@$(MAKE) --no-print-directory check-run
	@echo "== again under AddressSanitizer and UBSan"
	@$(MAKE) --no-print-directory check-run BUILD=build/asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	@echo "== again built with clang"
	@$(MAKE) --no-print-directory check-run CC=clang BUILD=build/clang \
		CHECK_TESTS="test-unit test-fuzz"
	@$(MAKE) --no-print-directory test-man
	@$(MAKE) --no-print-directory test-kanon
	@$(MAKE) --no-print-directory test-audit
	@$(MAKE) --no-print-directory test-report
	@$(MAKE) --no-print-directory test-scale
	@$(MAKE) --no-print-directory test-install
	@echo "== static checks (cppcheck, clang-tidy, clang-format)"
	@bash tests/lint/run.sh
	@echo "== all tests passed"

# The build of a check runs CHECK_JOBS compilers at once (default: the
# online CPUs), then CHECK_TESTS. The clang build runs the unit tests and
# the fuzz corpora: its own warnings and optimizer on the library's code;
# the filters' end-to-end tests and the hostile sweep (signals, full
# disks, limits: the system's) run on the gcc builds, one of them under
# the sanitizers, which is what finds what a compiler's choices expose.
CHECK_JOBS = $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
CHECK_TESTS = test-unit test-cli test-fuzz test-hostile
check-run:
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) all $(UNIT_BIN) $(STAT_BIN)
	@$(MAKE) --no-print-directory $(CHECK_TESTS)

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

# kanon's global optimum against a brute force over every node, on Adult
# and synthetic tables, every release through kcheck (tests/kanon/README).
test-kanon: all
	@bash tests/kanon/run.sh $(BUILD)/bin

# make install into build/install, then the installed headers against
# libprep.3 and its example program built on them (tests/install/run.sh).
test-install: all
	@rm -rf $(BUILD)/install
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(BUILD))/install \
		PREFIX=/usr >$(BUILD)/install.log 2>&1 || \
		{ cat $(BUILD)/install.log; exit 1; }
	@INTERNAL_HDR="$(INTERNAL_HDR)" CC="$(CC)" \
		bash tests/install/run.sh $(BUILD)/install /usr

demo: deps
	@$(MAKE) --no-print-directory all
	@bash testdata/demo.sh $(BUILD)/bin

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/csv-baseline \
		$(BUILD)/bin/memchr-scan
	@st=0; bash tests/bench/run.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/validate.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/kanon.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/profile.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/audit.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/speed.sh $(BUILD)/bin || st=$$?; \
	bash tests/bench/proxies.sh $(BUILD)/bin || st=$$?; exit $$st

# The CLI tests with every filter under valgrind memcheck (slow: minutes).
# Built without optimization: at -O2 a pointer held only in a register
# when exit(2) ends a run on bad input reads as a leak.
check-valgrind:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS=valgrind
	@$(MAKE) --no-print-directory all BUILD=build/valgrind OPT="-O0 -g"
	@bash tests/valgrind/run.sh build/valgrind/bin

# The privacy budget ledger killed mid-charge and charged by concurrent
# runs (minutes; tests/stress/ledger.sh says what it checks).
STRESS_ROUNDS ?= 300
stress: $(BUILD)/libprep.a
	@LIBPREP=$(BUILD)/libprep.a LDLIBS="$(LDLIBS_ALL)" CC="$(CC)" \
		bash tests/stress/ledger.sh $(STRESS_ROUNDS)

# The audit records against their JSON Schema and OpenLineage's RunEvent.
test-audit: $(BUILD)/libprep.a
	@LIBPREP=$(BUILD)/libprep.a LDLIBS="$(LDLIBS_ALL)" CC="$(CC)" \
		bash tests/audit/validate.sh

# prep-report's pages: golden HTML and Markdown, tidy, nothing loaded
# from outside, a headless Chromium screenshot (tests/report/run.sh).
test-report: all
	@bash tests/report/run.sh $(BUILD)/bin

# the scale-out recipes of prep(7): GNU parallel on one machine and over
# ssh (an sshd of its own on 127.0.0.1), Hadoop Streaming simulated
test-scale: all
	@bash tests/scale/run.sh $(BUILD)/bin

bench-validate: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/csv-baseline
	@bash tests/bench/validate.sh $(BUILD)/bin

bench-kanon: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/csv-baseline
	@bash tests/bench/kanon.sh $(BUILD)/bin

bench-profile: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/csv-baseline
	@bash tests/bench/profile.sh $(BUILD)/bin

bench-audit: deps-bench
	@$(MAKE) --no-print-directory all
	@bash tests/bench/audit.sh $(BUILD)/bin

.PHONY: bench-proxies
bench-proxies: deps-bench
	@$(MAKE) --no-print-directory all
	@bash tests/bench/proxies.sh $(BUILD)/bin

.PHONY: bench-speed
bench-speed: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bin/memchr-scan
	@bash tests/bench/speed.sh $(BUILD)/bin

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
