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
#
# The cases run in CLI_JOBS shells at once (default: the number of
# online CPUs, at most 4), case i in shell i mod CLI_JOBS, each case in a
# directory of its own; the FAIL and SKIP lines come out in the cases'
# order, then the counts. No case may depend on another's files or on
# running alone (the ones that time something allow tens of seconds).
set -u
bindir=$(cd "$1" && pwd) || exit 2
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	mapfile -t cases < <(find "$root/tests/cli" -mindepth 2 -maxdepth 2 \
		-type d | sort)
fi
jobs=${CLI_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case $jobs in
'' | *[!0-9]* | 0) jobs=1 ;;
esac
[ "$jobs" -gt 4 ] && [ -z "${CLI_JOBS:-}" ] && jobs=4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_case INDEX DIR TMP: one case, as one record of lines that start
# with INDEX and a letter: "P" (passed), or "F"/"S" and the line the
# summary prints for a failure or a skip, then "+" and each further line
# of a failure's explanation.
run_case() {
	local i=$1 c=$2 t=$3 name work in status want why re out
	c=$(cd "$c" && pwd)
	name=${c#"$root/tests/cli/"}
	work="$t/work"
	rm -rf "$work"
	mkdir -p "$work"
	in=/dev/null
	[ -f "$c/stdin" ] && in="$c/stdin"
	(cd "$work" && PATH="$bindir:$PATH" TESTDATA="$root/testdata" \
		CASE="$c" LC_ALL=C bash "$c/cmd" <"$in" >"$t/out" 2>"$t/err")
	status=$?
	want=0
	[ -f "$c/exit" ] && want=$(cat "$c/exit")
	if [ "$status" -eq 77 ] && [ "$want" -ne 77 ]; then
		printf '%d S SKIP %s: %s\n' "$i" "$name" "$(head -n 1 "$t/out")"
		return
	fi
	why=""
	[ "$status" -eq "$want" ] || why="exit $status, expected $want"
	if [ -z "$why" ]; then
		if [ -f "$c/stdout" ]; then
			cmp -s "$t/out" "$c/stdout" ||
				why="stdout differs: $(diff "$c/stdout" "$t/out" | head -n 20)"
		elif [ -s "$t/out" ]; then
			why="unexpected stdout: $(head -c 500 "$t/out")"
		fi
	fi
	if [ -z "$why" ]; then
		if [ -f "$c/stderr" ]; then
			cmp -s "$t/err" "$c/stderr" ||
				why="stderr differs: $(diff "$c/stderr" "$t/err" | head -n 20)"
		elif [ -f "$c/stderr.pattern" ]; then
			while IFS= read -r re; do
				[ -z "$re" ] && continue
				grep -Eq -- "$re" "$t/err" ||
					why="stderr lacks /$re/: $(head -c 500 "$t/err")"
			done <"$c/stderr.pattern"
		elif [ -s "$t/err" ]; then
			why="unexpected stderr: $(head -c 500 "$t/err")"
		fi
	fi
	if [ -z "$why" ] && [ -f "$c/check" ]; then
		out=$(cd "$work" && PATH="$bindir:$PATH" TESTDATA="$root/testdata" \
			CASE="$c" bash "$c/check" 2>&1) || why="check failed: $out"
	fi
	if [ -z "$why" ]; then
		printf '%d P\n' "$i"
	else
		printf '%d F FAIL %s: %s\n' "$i" "$name" "${why//$'\n'/$'\n'"$i + "}"
	fi
}

for ((s = 0; s < jobs; s++)); do
	mkdir -p "$tmp/$s"
	(
		for ((i = s; i < ${#cases[@]}; i += jobs)); do
			run_case "$i" "${cases[i]}" "$tmp/$s"
		done >"$tmp/$s.log"
	) &
done
wait
# the records in the cases' order (sort -s keeps a record's lines)
sort -s -n -k1,1 "$tmp"/*.log >"$tmp/all"
pass=$(grep -c '^[0-9]* P$' "$tmp/all")
fail=$(grep -c '^[0-9]* F ' "$tmp/all")
skip=$(grep -c '^[0-9]* S ' "$tmp/all")
grep -v '^[0-9]* P$' "$tmp/all" | sed 's/^[0-9]* [FS+] //'
if [ $((pass + fail + skip)) -ne ${#cases[@]} ]; then
	printf 'cli tests: %d of %d cases gave no result\n' \
		$((${#cases[@]} - pass - fail - skip)) ${#cases[@]}
	fail=$((fail + 1))
fi
if [ "$skip" -gt 0 ]; then
	printf 'cli tests: %d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skip"
else
	printf 'cli tests: %d passed, %d failed\n' "$pass" "$fail"
fi
[ "$fail" -eq 0 ]
