# tests/fuzz/fuzz.mk: the libFuzzer harnesses of tests/fuzz/, included by
# the Makefile (it uses its LIB_SRC, LIB_HDR, WARN, PKG_CFLAGS, ALL_CFLAGS,
# ALL_LDFLAGS, LDLIBS_ALL and BUILD).
#
# make fuzz-build   build/fuzz/fuzz_H: clang -fsanitize=fuzzer,address,
#                   undefined -O1 -g, with libprep compiled the same way
# make fuzz         run each harness FUZZ_SECONDS (default 1800) on a copy
#                   of its corpus in build/fuzz/corpus-H (new inputs go
#                   there, not into tests/fuzz/corpus/H); crashes in
#                   build/fuzz/artifacts/; FUZZ_HARNESSES=csv picks some
# make test-fuzz    the committed corpora replayed through each harness
#                   built with $(CC) $(SAN) and linked with replay.c (no
#                   libFuzzer): part of check-run
#
# The committed corpora are the hand-made seeds merged (-merge=1) with what
# a 40-minute campaign per harness found, 2026-11-24: the smallest set of
# inputs that keeps its coverage (part's: its seeds merged with what a
# 150-second campaign found, 2026-12-07). To refresh one after a campaign:
#   mkdir m && build/fuzz/fuzz_H -merge=1 m tests/fuzz/corpus/H \
#     build/fuzz/corpus-H   (then replace tests/fuzz/corpus/H with m,
#   keeping the crash-* files).
#
# A crash found by `make fuzz`: fix it, add a unit test, and copy the
# input to tests/fuzz/corpus/H/crash-SHORT-DESCRIPTION so test-fuzz keeps
# replaying it.

FUZZ_HARNESSES ?= csv policy hierarchy schema ledger pii kll hll freq profile \
                  report part partial classes_state par spool
FUZZ_SECONDS   ?= 1800
FUZZ_CC        ?= clang
FUZZ_OUT        = build/fuzz
FUZZ_SAN        = -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -fno-omit-frame-pointer
FUZZ_CFLAGS     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
                  $(WARN) -O1 -g $(FUZZ_SAN) -iquote libprep $(PKG_CFLAGS)
FUZZ_LIB_OBJ    = $(LIB_SRC:%.c=$(FUZZ_OUT)/obj/%.o)
FUZZ_BIN        = $(FUZZ_HARNESSES:%=$(FUZZ_OUT)/fuzz_%)
FUZZ_FLAGS     ?= -detect_leaks=1 -print_final_stats=1 -timeout=20 \
                  -rss_limit_mb=4096
# Longest input each harness is given.
FUZZ_MAXLEN_csv       = 8192
FUZZ_MAXLEN_policy    = 4096
FUZZ_MAXLEN_hierarchy = 8192
FUZZ_MAXLEN_schema    = 8192
FUZZ_MAXLEN_ledger    = 8192
FUZZ_MAXLEN_pii       = 4096
FUZZ_MAXLEN_kll       = 4096
FUZZ_MAXLEN_hll       = 4096
FUZZ_MAXLEN_freq      = 4096
FUZZ_MAXLEN_profile   = 16384
FUZZ_MAXLEN_report    = 16384
FUZZ_MAXLEN_part      = 8192
FUZZ_MAXLEN_partial   = 16384
FUZZ_MAXLEN_classes_state = 8192
FUZZ_MAXLEN_par       = 8193
REPLAY_BIN      = $(FUZZ_HARNESSES:%=$(BUILD)/fuzz-replay/replay-%)

.PHONY: fuzz-build fuzz test-fuzz

fuzz-build: $(FUZZ_BIN)

# Coverage instrumentation in the library; libFuzzer's main in the harness.
$(FUZZ_OUT)/obj/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h \
		tests/fuzz/fuzz_classes_state.h $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJ) \
		$(LDLIBS_ALL)

fuzz: fuzz-build
	@mkdir -p $(FUZZ_OUT)/artifacts
	@failed=; for h in $(FUZZ_HARNESSES); do \
		c=$(FUZZ_OUT)/corpus-$$h; mkdir -p $$c; \
		cp -n tests/fuzz/corpus/$$h/* $$c/ 2>/dev/null; \
		d=; [ -f tests/fuzz/dict/$$h.dict ] && \
			d=-dict=tests/fuzz/dict/$$h.dict; \
		echo "== fuzz_$$h for $(FUZZ_SECONDS)s"; \
		$(FUZZ_OUT)/fuzz_$$h $(FUZZ_FLAGS) $$d \
			-max_total_time=$(FUZZ_SECONDS) \
			-max_len=$(FUZZ_MAXLEN_$$h) \
			-artifact_prefix=$(FUZZ_OUT)/artifacts/$$h- \
			$$c 2>$(FUZZ_OUT)/$$h.log || failed="$$failed $$h"; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^stat::' $(FUZZ_OUT)/$$h.log | \
			tr '\n' ' '; echo; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "fuzz: crashes in:$$failed (see $(FUZZ_OUT)/*.log," \
			"$(FUZZ_OUT)/artifacts/)"; exit 1; fi

$(BUILD)/fuzz-replay/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
		tests/fuzz/fuzz_common.h tests/fuzz/fuzz_classes_state.h \
		$(BUILD)/libprep.a $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(BUILD)/libprep.a $(LDLIBS_ALL)

test-fuzz: $(REPLAY_BIN)
	@set -e; for h in $(FUZZ_HARNESSES); do \
		ASAN_OPTIONS=detect_leaks=1 $(BUILD)/fuzz-replay/replay-$$h \
			tests/fuzz/corpus/$$h; done
