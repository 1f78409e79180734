#!/usr/bin/env bash
# audit.sh: what --audit costs (make bench runs it after run.sh; alone:
# bash tests/bench/audit.sh TOOLDIR).
#
# With --audit every filter keeps the SHA-256 of every byte it reads and
# writes (libprep/digest.c, on a second thread). On 1,000,000 gen-people
# rows (seed 1, 170 MiB), output to /dev/null, 11 pairs of runs of each
# program, without then with --audit (so that a slow spell of the shared
# machine falls on both runs of a pair):
#   kcheck      kcheck -q sex,race -k 5 (a gate: reads and spools every
#               row, then writes the spool out)
#   anonymize   the policy of run.sh, with a key file (streams)
#   reweight    reweight -g sex,race (counts and a spool, then every row
#               with its weight)
# after checking, for each, that the audit record's input SHA-256 is the
# file's and its output SHA-256 that of the bytes written (both against
# openssl dgst). Times are taken with bash's EPOCHREALTIME (microseconds);
# user + system CPU of the fastest run with /usr/bin/time.
# Target: for each program, the median of the pairs' ratios (--audit
# over plain) at most 1.10; the best time of each is shown beside it. Appends a dated entry to tests/bench/RESULTS.md; exit 0 when
# every target is met, 1 when one is not, 2 when something fails. The
# hashing needs a second core: on a machine whose other core is busy the
# hash takes its time from the filter's, and the ratio shows it.
set -euo pipefail

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init audit.sh "$@"
RUNS=11
bench_need kcheck anonymize reweight gen-people
command -v openssl >/dev/null || die "openssl not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || die "$PY not installed"

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	WORK=$(cd "$BENCH_DIR" && pwd)
else
	bench_work
fi

BIG=$WORK/people-1000000.csv
if [ ! -s "$BIG" ]; then
	echo "bench: generating 1000000 rows"
	"$TOOLDIR/gen-people" -n 1000000 -s 1 >"$BIG"
fi
bench_policy
AUDIT=$WORK/audit.jsonl

NAMES=(kcheck anonymize reweight)
declare -A CMD
CMD[kcheck]="$TOOLDIR/kcheck -q sex,race -k 5"
CMD[anonymize]="$TOOLDIR/anonymize --key-file $KEY -p $POLICY"
CMD[reweight]="$TOOLDIR/reweight -g sex,race"

sha() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }

# The audit record's digests, against openssl's of the same bytes.
IN_SHA=$(sha "$BIG")
for n in "${NAMES[@]}"; do
	rm -f "$AUDIT"
	# shellcheck disable=SC2086 # CMD holds words
	${CMD[$n]} --audit "$AUDIT" -o "$WORK/out.csv" "$BIG" 2>/dev/null ||
		die "$n --audit failed"
	got=$("$PY" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readlines()[-1])
f = lambda d: d["facets"]["prep_dataset"]["sha256"]
print(f(r["inputs"][0]), f(r["outputs"][0]))' "$AUDIT") ||
		die "$n: no audit record"
	[ "$got" = "$IN_SHA $(sha "$WORK/out.csv")" ] ||
		die "$n: audit digests '$got' are not the input's and output's"
	rm -f "$WORK/out.csv"
done

# once: WALL (s, 3 decimals) and CPU (user + system) of one run
once() {
	local t0 t1
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >/dev/null 2>&1 ||
		die "failed: $*"
	t1=$EPOCHREALTIME
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
	CPU=$(awk '{printf "%.2f", $1 + $2}' "$WORK/time")
}

echo "bench: timing, $RUNS pairs, 1,000,000 rows" \
	"($(du -m "$BIG" | cut -f1) MiB), plain and --audit in turn"
declare -A BEST BCPU MEDIAN
for n in "${NAMES[@]}"; do
	for m in plain audit; do
		BEST[$n.$m]=
	done
	ratios=()
	for ((i = 0; i < RUNS; i++)); do
		for m in plain audit; do
			rm -f "$AUDIT"
			extra=()
			[ $m = audit ] && extra=(--audit "$AUDIT")
			# shellcheck disable=SC2086
			once ${CMD[$n]} "${extra[@]}" "$BIG"
			[ $m = plain ] && pw=$WALL
			if [ -z "${BEST[$n.$m]}" ] ||
				awk -v a="$WALL" -v b="${BEST[$n.$m]}" \
					'BEGIN{exit !(a < b)}'; then
				BEST[$n.$m]=$WALL
				BCPU[$n.$m]=$CPU
			fi
		done
		ratios+=("$(awk -v a="$WALL" -v b="$pw" \
			'BEGIN{printf "%.4f", a / b}')")
	done
	MEDIAN[$n]=$(printf '%s\n' "${ratios[@]}" | sort -g |
		awk '{v[NR] = $1} END{printf "%.2f", v[int((NR + 1) / 2)]}')
	echo "bench: $n: ${BEST[$n.plain]} s, --audit ${BEST[$n.audit]} s," \
		"median ratio of the pairs ${MEDIAN[$n]}"
done

{
	printf '## %s (audit)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf -- '- source: git %s; `bash tests/bench/audit.sh build/bin`\n' \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	printf -- '- 1,000,000 gen-people rows (%s MiB), output to /dev/null;' \
		"$(du -m "$BIG" | cut -f1)"
	printf ' %d pairs of runs, plain then --audit; best wall-clock' "$RUNS"
	printf ' time of each, and the median of the pairs'"'"' ratios (the\n'
	printf '  target: a slow spell of the shared machine falls on both runs'
	printf ' of a pair)\n\n'
	printf '| program | plain, s (CPU) | --audit, s (CPU) | ratio of bests | median ratio | <= 1.10 |\n'
	printf '|---|---:|---:|---:|---:|---|\n'
	for n in "${NAMES[@]}"; do
		r=$(ratio "${BEST[$n.audit]}" "${BEST[$n.plain]}")
		v=''
		check v "${MEDIAN[$n]} <= 1.10"
		printf '| %s | %s (%s) | %s (%s) | %s | %s | %s |\n' "$n" \
			"${BEST[$n.plain]}" "${BCPU[$n.plain]}" \
			"${BEST[$n.audit]}" "${BCPU[$n.audit]}" "$r" \
			"${MEDIAN[$n]}" "$v"
	done
	printf '\n'
} >"$WORK/report.md"
cat "$WORK/report.md"
cat "$WORK/report.md" >>"$RESULTS"
echo "bench: appended the audit entry to $RESULTS"
exit "$FAILED"
