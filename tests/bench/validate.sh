#!/usr/bin/env bash
# validate.sh: speed and memory of validate (make bench runs it after
# run.sh; alone: bash tests/bench/validate.sh TOOLDIR).
#
# Generates 100,000 and 1,000,000 synthetic people rows (gen-people, seed
# 1) and checks them against testdata/people.schema.json: 12 fields typed
# integer, string and date, with ranges (integer and date minimum and
# maximum), two patterns (ssn, zip), an enum (sex), an e-mail format and
# length limits. Best wall-clock time of 3 runs, output to /dev/null:
#   validate      validate --stream -s testdata/people.schema.json
#   csv-baseline  a bare libcsv parse loop of the same file
# after checking that validate passes the 1M file (exit 0) and writes it
# back byte for byte; and validate's peak RSS at 100k and 1M rows.
# Targets: validate at most 2.5x the baseline time; RSS at 1M within 10%
# of the 100k figure (constant memory). Appends a dated entry to
# tests/bench/RESULTS.md; exit 0 when every target is met, 1 when one is
# not, 2 when something is missing or fails.
set -euo pipefail

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init validate.sh "$@"

bench_need validate gen-people csv-baseline
bench_work
for n in 100000 1000000; do
	echo "bench: generating $n rows"
	"$TOOLDIR/gen-people" -n "$n" -s 1 >"$WORK/people-$n.csv"
done
BIG=$WORK/people-1000000.csv
SMALL=$WORK/people-100000.csv
SCHEMA=testdata/people.schema.json
VAL=("$TOOLDIR/validate" --stream -s "$SCHEMA")
BASE=("$TOOLDIR/csv-baseline")

# Same work: every row checked and passed on unchanged.
"${VAL[@]}" "$BIG" >"$WORK/out.csv" || die "validate failed the 1M file"
cmp -s "$BIG" "$WORK/out.csv" || die "validate changed the data"
rm -f "$WORK/out.csv"

echo "bench: timing validate, best of $RUNS, 1,000,000 rows"
measure "${BASE[@]}" "$BIG"
T_BASE=$T RSS_BASE=$RSS
measure "${VAL[@]}" "$BIG"
T_VAL=$T RSS_1M=$RSS
measure "${VAL[@]}" "$SMALL"
T_VAL_S=$T RSS_100K=$RSS
R_BASE=$(ratio "$T_VAL" "$T_BASE")
R_RSS=$(ratio "$RSS_1M" "$RSS_100K")
V_BASE='' V_CONST=''
check V_BASE "$T_VAL <= 2.5 * $T_BASE"
check V_CONST "$RSS_1M <= 1.10 * $RSS_100K && $RSS_1M >= 0.90 * $RSS_100K"

{
	printf '## %s (validate)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf -- '- source: git %s\n' \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	printf -- '- `validate --stream -s testdata/people.schema.json`'
	printf ' on 1,000,000 gen-people rows (%s MiB), output to /dev/null;' \
		"$(du -m "$BIG" | cut -f1)"
	printf ' baseline: `csv-baseline` (bare libcsv parse) of the same file\n\n'
	printf '| program | best of %d, s | peak RSS, KiB |\n' "$RUNS"
	printf '|---|---:|---:|\n'
	printf '| csv-baseline | %s | %s |\n' "$T_BASE" "$RSS_BASE"
	printf '| validate | %s | %s |\n' "$T_VAL" "$RSS_1M"
	printf '| validate, 100k rows | %s | %s |\n\n' "$T_VAL_S" "$RSS_100K"
	printf '| target | figure | result |\n'
	printf '|---|---:|---|\n'
	printf '| validate / baseline time <= 2.5 | %s | %s |\n' \
		"$R_BASE" "$V_BASE"
	printf '| RSS 1M / 100k within 10%% | %s | %s |\n\n' "$R_RSS" "$V_CONST"
} >"$WORK/report.md"
cat "$WORK/report.md"
cat "$WORK/report.md" >>"$RESULTS"
echo "bench: appended the validate entry to $RESULTS"
exit "$FAILED"
