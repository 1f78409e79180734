#!/usr/bin/env bash
# tests/lint/run.sh: static checks of the C code (make lint).
#
# clang-tidy, configured by the repository's .clang-tidy, over the library,
# the filters, the data generator and the benchmark baseline, with the
# Makefile's compile flags; then cppcheck over the same files and over the
# unit and statistical tests and the fuzz harnesses (Criterion's macros are
# described to it by tests/lint/criterion.cfg). clang-tidy does not read
# the tests: it would double the run time (about 4 more CPU minutes), and
# its 46 findings there were test idioms (system(), rand(), unchecked
# fclose, Criterion's macro expansions), not bugs; the tests are built
# with -Werror by gcc and clang and run under ASan.
#
# Then clang-format --dry-run over every C file: the code is formatted as
# .clang-format says.
#
# Prints "lint: clean" and exits 0, or prints the findings and exits 1;
# exits 2 when a tool is missing. LINT_JOBS (default 2) files are checked
# at a time. False positives are silenced where they occur, with the
# reason on the line above: "NOLINTNEXTLINE(check)" (or NOLINTBEGIN and
# NOLINTEND around a few lines) for clang-tidy, "cppcheck-suppress id"
# for cppcheck.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
jobs=${LINT_JOBS:-2}

tidy=
for t in clang-tidy clang-tidy-14 clang-tidy-15 clang-tidy-16; do
	if command -v "$t" >/dev/null 2>&1; then
		tidy=$t
		break
	fi
done
if [ -z "$tidy" ] || ! command -v cppcheck >/dev/null 2>&1; then
	echo "lint: needs clang-tidy and cppcheck (apt-get install" \
		"clang-tidy cppcheck)" >&2
	exit 2
fi

# The Makefile's ALL_CFLAGS, without code generation options.
pkgs="libcrypto zlib libpcre2-8 jansson"
cflags=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla
	-iquote libprep -iquote tools)
# shellcheck disable=SC2207 # pkg-config output is a list of words
cflags+=($(pkg-config --cflags $pkgs 2>/dev/null))

# largest first, so that the two jobs end close together
mapfile -t tidy_src < <(ls -S libprep/*.c tools/*.c testdata/gen-people.c \
	tests/bench/csv-baseline.c)
shopt -s nullglob
test_src=(tests/unit/*.c tests/stat/*.c tests/fuzz/*.c)
shopt -u nullglob

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# clang-tidy, one process per file; a finding in a header is reported by
# every file including it, hence sort -u.
export tidy tmp
printf '%s\n' "${tidy_src[@]}" | xargs -P "$jobs" -I{} bash -c '
	f=$1; shift
	o=$tmp/tidy.${f//\//_}
	if ! "$tidy" -quiet "$f" -- "$@" >"$o" 2>"$o.err"; then
		echo "$f" >>"$tmp/tidy.failed"
	fi' _ {} "${cflags[@]}"
if [ -s "$tmp/tidy.failed" ]; then
	status=1
	cat "$tmp"/tidy.*.c | grep -E '^[^ ].*: (warning|error): ' |
		sed "s|^$root/||" | sort -u >"$tmp/tidy.list"
	cat "$tmp"/tidy.*.c
	# a clang-tidy that failed without a finding (cannot parse, bad
	# configuration): its own messages
	if ! [ -s "$tmp/tidy.list" ]; then
		cat "$tmp"/tidy.*.err
	fi
	echo "lint: clang-tidy: $(wc -l <"$tmp/tidy.list") finding(s):"
	cat "$tmp/tidy.list"
fi

# cppcheck. A quoted include is found beside the including file first, so
# the library needs no -I; and none may be given for it, or libprep/csv.h
# would stand in for libcsv's <csv.h> in libprep/csv.c. (In the tests it
# does so for test_csv.c, which only loses libcsv's declarations.)
# readdirCalled is off: it recommends readdir_r, which glibc deprecates
# (2.24) and POSIX.1-2024 made obsolescent; readdir is safe per stream.
cpp_opts=(-q --std=c11 --enable=warning,performance,portability
	--error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem
	--suppress=readdirCalled
	--library=posix --library=gnu --library=openssl --library=zlib
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -j "$jobs"
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]')
cppcheck_run() {
	if ! cppcheck "${cpp_opts[@]}" "$@" 2>>"$tmp/cppcheck.out"; then
		status=1
	fi
}
cppcheck_run libprep/*.c testdata/gen-people.c tests/bench/csv-baseline.c
cppcheck_run -I libprep tools/*.c
cppcheck_run -I libprep --library=tests/lint/criterion.cfg "${test_src[@]}"
if [ -s "$tmp/cppcheck.out" ]; then
	status=1
	echo "lint: cppcheck:"
	cat "$tmp/cppcheck.out"
fi

# Formatting: every C file as clang-format writes it (.clang-format:
# BreakStringLiterals false, so that a --help line stays one literal).
fmt=
for t in clang-format clang-format-14 clang-format-15 clang-format-16; do
	if command -v "$t" >/dev/null 2>&1; then
		fmt=$t
		break
	fi
done
if [ -z "$fmt" ]; then
	echo "lint: needs clang-format (apt-get install clang-format)" >&2
	exit 2
fi
shopt -s nullglob
fmt_src=(libprep/*.[ch] tools/*.[ch] testdata/*.c tests/bench/*.c
	tests/unit/*.c tests/stat/*.c tests/fuzz/*.c)
shopt -u nullglob
if ! "$fmt" --dry-run -Werror "${fmt_src[@]}" >"$tmp/format.out" 2>&1; then
	status=1
	echo "lint: clang-format (run: $fmt -i FILE):"
	grep -E '^[^ ].*: error:' "$tmp/format.out" | cut -d: -f1 | sort -u
fi

if [ "$status" -eq 0 ]; then
	echo "lint: clean"
fi
exit "$status"
