#!/usr/bin/env bash
# tests/cli/run.sh BINDIR [CASE...]: end-to-end tests of the filters.
#
# Each case is a directory tests/cli/TOOL/CASE holding:
#   cmd             shell commands, run by bash in an empty temporary
#                   directory with BINDIR first in PATH, $TESTDATA the
#                   repository's testdata/ and $CASE the case directory
#   stdin           (optional) fed to cmd; /dev/null otherwise
#   stdout          expected standard output, exactly (absent: empty)
#   stderr          expected standard error, exactly, or
#   stderr.pattern  extended regexes, one per line, each matching a line
#                   of standard error (neither file: stderr must be empty)
#   exit            expected exit status (absent: 0)
#   check           (optional) commands run afterwards in the same
#                   directory; they must exit 0
# A cmd that exits 77 (unless exit says 77), as under Automake's test
# harness, is skipped for want of something the machine lacks; its first
# line of output says what.
set -u
bindir=$(cd "$1" && pwd) || exit 2
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	mapfile -t cases < <(find "$root/tests/cli" -mindepth 2 -maxdepth 2 \
		-type d | sort)
fi
pass=0
fail=0
skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
	c=$(cd "$c" && pwd)
	name=${c#"$root/tests/cli/"}
	work="$tmp/work"
	rm -rf "$work"
	mkdir -p "$work"
	in=/dev/null
	[ -f "$c/stdin" ] && in="$c/stdin"
	(cd "$work" && PATH="$bindir:$PATH" TESTDATA="$root/testdata" \
		CASE="$c" LC_ALL=C bash "$c/cmd" <"$in" >"$tmp/out" 2>"$tmp/err")
	status=$?
	want=0
	[ -f "$c/exit" ] && want=$(cat "$c/exit")
	if [ "$status" -eq 77 ] && [ "$want" -ne 77 ]; then
		skip=$((skip + 1))
		printf 'SKIP %s: %s\n' "$name" "$(head -n 1 "$tmp/out")"
		continue
	fi
	why=""
	[ "$status" -eq "$want" ] || why="exit $status, expected $want"
	if [ -z "$why" ]; then
		if [ -f "$c/stdout" ]; then
			cmp -s "$tmp/out" "$c/stdout" ||
				why="stdout differs: $(diff "$c/stdout" "$tmp/out" | head -n 20)"
		elif [ -s "$tmp/out" ]; then
			why="unexpected stdout: $(head -c 500 "$tmp/out")"
		fi
	fi
	if [ -z "$why" ]; then
		if [ -f "$c/stderr" ]; then
			cmp -s "$tmp/err" "$c/stderr" ||
				why="stderr differs: $(diff "$c/stderr" "$tmp/err" | head -n 20)"
		elif [ -f "$c/stderr.pattern" ]; then
			while IFS= read -r re; do
				[ -z "$re" ] && continue
				grep -Eq -- "$re" "$tmp/err" ||
					why="stderr lacks /$re/: $(head -c 500 "$tmp/err")"
			done <"$c/stderr.pattern"
		elif [ -s "$tmp/err" ]; then
			why="unexpected stderr: $(head -c 500 "$tmp/err")"
		fi
	fi
	if [ -z "$why" ] && [ -f "$c/check" ]; then
		out=$(cd "$work" && PATH="$bindir:$PATH" TESTDATA="$root/testdata" \
			CASE="$c" bash "$c/check" 2>&1) || why="check failed: $out"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s: %s\n' "$name" "$why"
	fi
done
if [ "$skip" -gt 0 ]; then
	printf 'cli tests: %d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skip"
else
	printf 'cli tests: %d passed, %d failed\n' "$pass" "$fail"
fi
[ "$fail" -eq 0 ]
