#!/usr/bin/env bash
# proxies.sh: fairness --proxies against kcheck -r on the same file
# (make bench runs it after speed.sh; alone: make bench-proxies, or
# bash tests/bench/proxies.sh TOOLDIR).
#
# Input: Adult x40 (testdata/adult.csv's 30,162 records 40 times under
# one header: 1,206,480 rows, about 101 MB, ';'), made as speed.sh makes
# it. Jobs, output to /dev/null:
#   proxies  fairness -d ';' -g sex --proxies: the association of each of
#            the 8 other columns with sex (one pass, a table per column)
#   kcheck   kcheck -d ';' -q sex,age,race,marital-status,education,
#            native-country,workclass,occupation -k 5 -r: the peer, one
#            pass over the same file with one class table
# each at -j 1 and -j 2 (-j 2 against kcheck -j 2).
#
# Each run of proxies is paired with kcheck right beside it (the mean of
# one run just before and one just after it), and the figure is the
# median of the pairs' ratios, proxies over kcheck: a slow spell of the
# shared machine falls on both sides of a pair, so the ratio holds where
# the seconds do not.
#
# Before timing: fairness --proxies at -j 2 writes the same bytes as at
# -j 1, and its table has the 8 columns.
#
# Target (issue 20): -j 1 median ratio < 2. -j 2 is reported. Prints the
# report and appends it to tests/bench/RESULTS.md as a dated entry
# headed "(proxies)"; exit 0 when the target is met, 1 when it is not, 2
# when something is missing or fails.
#
# Environment: BENCH_RUNS pairs per job (default 7); BENCH_DIR keeps the
# input there (reused when present); BENCH_REPORT_ONLY=1 prints the
# report and only that (no verdict in the exit status, nothing appended
# to RESULTS.md). About 30 seconds on 2 cores.
set -euo pipefail

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init proxies.sh "$@"
RUNS=${BENCH_RUNS:-7}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS: not a positive number"
REPORT_ONLY=${BENCH_REPORT_ONLY:-0}
bench_need fairness kcheck
unset PREP_THREADS

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	WORK=$(cd "$BENCH_DIR" && pwd)
else
	bench_work
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
T_START=$SECONDS

# ---- input ----

QIS=sex,age,race,marital-status,education,native-country,workclass,occupation
bench_adult 40
AX40=$WORK/adult-x40.csv

# ---- the jobs ----

# job NAME J: the command of job NAME at J threads, in the array CMD;
# RCMAX the largest exit status of a good run (kcheck's 1: k not met)
job() {
	case $1 in
	proxies)
		CMD=("$TOOLDIR/fairness" -j "$2" -d ';' -g sex --proxies "$AX40")
		RCMAX=0
		;;
	kcheck)
		CMD=("$TOOLDIR/kcheck" -j "$2" -d ';' -q "$QIS" -k 5 -r "$AX40")
		RCMAX=1
		;;
	esac
}

# ---- sanity before timing ----

job proxies 1
"${CMD[@]}" >"$WORK/one.csv" 2>/dev/null || die "fairness --proxies failed"
job proxies 2
"${CMD[@]}" >"$WORK/two.csv" 2>/dev/null || die "fairness --proxies -j 2 failed"
cmp -s "$WORK/one.csv" "$WORK/two.csv" ||
	die "fairness --proxies: -j 2 output differs from -j 1"
got=$(($(wc -l <"$WORK/one.csv") - 1))
[ "$got" = 8 ] || die "fairness --proxies measured $got columns, not 8"
for j in 1 2; do
	job kcheck "$j"
	rc=0
	"${CMD[@]}" >/dev/null 2>&1 || rc=$?
	[ "$rc" -le 1 ] || die "kcheck -j $j failed (exit $rc)"
done

# ---- timing ----

# timed RCMAX CMD...: run it, stdout to /dev/null; US = its wall-clock
# microseconds
timed() {
	bench_timed /dev/null "$@"
}

# pair J: kcheck, proxies, kcheck at J threads; appends "RATIO PROXIES
# KCHECK" (seconds; kcheck's the mean of the two around) to S_J
pair() {
	local us_k us_p
	job kcheck "$1"
	timed "$RCMAX" "${CMD[@]}"
	us_k=$US
	job proxies "$1"
	timed "$RCMAX" "${CMD[@]}"
	us_p=$US
	job kcheck "$1"
	timed "$RCMAX" "${CMD[@]}"
	us_k=$(((us_k + US) / 2))
	awk -v p="$us_p" -v k="$us_k" \
		'BEGIN{printf "%.4f %.4f %.4f\n", p / k, p / 1e6, k / 1e6}' \
		>>"$WORK/S_$1"
}

rm -f "$WORK"/S_*
echo "bench: timing, $RUNS rounds of paired runs (kcheck around each)"
for ((ROUND = 0; ROUND < RUNS; ROUND++)); do
	pair 1
	pair 2
	echo "bench: round $((ROUND + 1)) of $RUNS done ($((SECONDS - T_START)) s)"
done

# med J COLUMN: the median of column COLUMN of S_J (3 decimals)
med() {
	bench_median "$1" "$2" 3
}

V1=''
check V1 "$(med 1 1) < 2"

REPORT=$WORK/report.md
{
	bench_entry_head proxies proxies.sh "$1"
	printf -- "- Adult x40: %s bytes, %s rows; \`fairness -d ';' -g sex" \
		"$(wc -c <"$AX40" | tr -d ' ')" "$((40 * ADULT_ROWS))"
	printf -- " --proxies\` (8 columns) against \`kcheck -d ';' -q %s" "$QIS"
	printf -- ' -k 5 -r`\n'
	printf -- '- figures: median of %d paired ratios, proxies over the' \
		"$RUNS"
	printf ' kcheck runs around it (lowest-highest), median seconds\n\n'
	printf '| threads | ratio | proxies s | kcheck s | < | result |\n'
	printf '|---|---:|---:|---:|---:|---|\n'
	printf '| -j 1 | %.2f (%s) | %s | %s | 2 | %s |\n' "$(med 1 1)" \
		"$(bench_span 1)" "$(med 1 2)" "$(med 1 3)" "$V1"
	printf '| -j 2 | %.2f (%s) | %s | %s | | reported |\n' "$(med 2 1)" \
		"$(bench_span 2)" "$(med 2 2)" "$(med 2 3)"
	printf '\n'
} >"$REPORT"

bench_append proxies
