#!/usr/bin/env bash
# profile.sh: speed and memory of profile and drift (make bench runs it;
# alone: bash tests/bench/profile.sh TOOLDIR).
#
# Generates 100,000 and 1,000,000 synthetic people rows (gen-people, seed
# 1) and a second 1,000,000 (seed 2), then, best wall-clock time of 3
# runs, output to /dev/null:
#   csv-baseline  a bare libcsv parse loop of the 1M file
#   profile       profile of the 1M file (12 columns: types, moments and
#                 KLL of the numbers, value counts then Misra-Gries,
#                 HyperLogLog), and its peak RSS at 100k and 1M rows
#   pandas        the same summary with pandas (read_csv, per column
#                 value_counts, nunique and describe of the numbers): a
#                 peer, for the record
#   drift CSV     drift of the two 1M files (profiles both, compares)
#   drift JSON    drift of their two profiles
# Targets: profile at most 2.5x the baseline time; RSS at 1M within 10%
# of the 100k figure (constant memory); drift of two profiles under
# 50 ms. Appends a dated entry to tests/bench/RESULTS.md; exit 0 when
# every target is met, 1 when one is not, 2 when something is missing or
# fails.
set -euo pipefail

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init profile.sh "$@"

bench_need profile drift gen-people csv-baseline
bench_work
for n in 100000 1000000; do
	echo "bench: generating $n rows"
	"$TOOLDIR/gen-people" -n "$n" -s 1 >"$WORK/people-$n.csv"
done
"$TOOLDIR/gen-people" -n 1000000 -s 2 >"$WORK/people-b.csv"
BIG=$WORK/people-1000000.csv
SMALL=$WORK/people-100000.csv
OTHER=$WORK/people-b.csv

# drift exits 1 on drift: a run is good when it exits 0 or 1
cat >"$WORK/drift.sh" <<EOS
#!/bin/sh
"$TOOLDIR/drift" -q "\$@" >/dev/null
[ \$? -le 1 ]
EOS
chmod +x "$WORK/drift.sh"
cat >"$WORK/peer.py" <<'EOS'
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
for c in d.columns:
    v = d[c]
    v.value_counts()
    v.nunique()
    x = pd.to_numeric(v, errors="coerce")
    if x.notna().any():
        x.describe()
EOS

"$TOOLDIR/profile" "$BIG" >"$WORK/a.json" || die "profile failed"
"$TOOLDIR/profile" "$OTHER" >"$WORK/b.json" || die "profile failed"
rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$WORK/a.json" 2>/dev/null || echo "?")
[ "$rows" = 1000000 ] || [ "$rows" = "?" ] || die "profile counted $rows rows"

echo "bench: timing profile, best of $RUNS, 1,000,000 rows"
measure "$TOOLDIR/csv-baseline" "$BIG"
T_BASE=$T RSS_BASE=$RSS
measure "$TOOLDIR/profile" "$BIG"
T_PROF=$T RSS_1M=$RSS
measure "$TOOLDIR/profile" "$SMALL"
T_PROF_S=$T RSS_100K=$RSS
measure "$WORK/drift.sh" "$BIG" "$OTHER"
T_DRIFT_CSV=$T RSS_DRIFT=$RSS
measure "$WORK/drift.sh" "$WORK/a.json" "$WORK/b.json"
T_DRIFT_JSON=$T
T_PANDAS=n/a
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
	RUNS=1 measure /usr/bin/python3 "$WORK/peer.py" "$BIG"
	T_PANDAS=$T
fi
R_BASE=$(ratio "$T_PROF" "$T_BASE")
R_RSS=$(ratio "$RSS_1M" "$RSS_100K")
V_BASE='' V_CONST='' V_DRIFT=''
check V_BASE "$T_PROF <= 2.5 * $T_BASE"
check V_CONST "$RSS_1M <= 1.10 * $RSS_100K && $RSS_1M >= 0.90 * $RSS_100K"
check V_DRIFT "$T_DRIFT_JSON < 0.05"

{
	printf '## %s (profile, drift)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf -- '- source: git %s; `bash tests/bench/profile.sh build/bin`\n' \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	printf -- '- 1,000,000 gen-people rows (%s MiB, 12 columns), output' \
		"$(du -m "$BIG" | cut -f1)"
	printf ' to /dev/null; profile JSON %s KiB\n\n' \
		"$(($(stat -c %s "$WORK/a.json") / 1024))"
	printf '| program | best of %d, s | peak RSS, KiB |\n' "$RUNS"
	printf '|---|---:|---:|\n'
	printf '| csv-baseline | %s | %s |\n' "$T_BASE" "$RSS_BASE"
	printf '| profile | %s | %s |\n' "$T_PROF" "$RSS_1M"
	printf '| profile, 100k rows | %s | %s |\n' "$T_PROF_S" "$RSS_100K"
	printf '| pandas (read_csv, value_counts, nunique, describe; 1 run) | %s | |\n' "$T_PANDAS"
	printf '| drift of two 1M CSV files | %s | %s |\n' "$T_DRIFT_CSV" "$RSS_DRIFT"
	printf '| drift of their two profiles | %s | |\n\n' "$T_DRIFT_JSON"
	printf '| target | figure | result |\n'
	printf '|---|---:|---|\n'
	printf '| profile / baseline time <= 2.5 | %s | %s |\n' \
		"$R_BASE" "$V_BASE"
	printf '| RSS 1M / 100k within 10%% | %s | %s |\n' "$R_RSS" "$V_CONST"
	printf '| drift of two profiles < 0.05 s | %s | %s |\n\n' \
		"$T_DRIFT_JSON" "$V_DRIFT"
} >"$WORK/report.md"
cat "$WORK/report.md"
cat "$WORK/report.md" >>"$RESULTS"
echo "bench: appended the profile entry to $RESULTS"
exit "$FAILED"
