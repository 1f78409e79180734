#!/usr/bin/env bash
# demo.sh: the example pipeline of prep on testdata/people.csv (make demo).
#
#	bash testdata/demo.sh TOOLDIR [REPORT]
#
# TOOLDIR is the directory holding the built filters (build/bin). The demo
# makes a throw-away random key (mode 600, deleted on exit), shows the
# first lines of the input, then runs each step of the pipeline and shows
# the first lines of what it wrote. Each step reads the previous step's
# output from a temporary file rather than a pipe, so that `head` can't
# cut a step short and any failure stops the demo with a nonzero exit.
# To extend the pipeline, add a `step` line at the end (see the examples).
# Every run appends its audit record (prep-audit(5)) to one audit file, a
# PREP_RUN_ID per pipeline; at the end prep-report turns the file, the
# privacy budget's ledger and the reference profile into REPORT (default
# TOOLDIR/../demo-report.html), a page to open in a browser. With
# KEEP_DEMO=FILE in the environment the audit file is copied to FILE;
# with DEMO_KEY=FILE the key is that file's, not a random one.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: bash testdata/demo.sh TOOLDIR [REPORT]" >&2
	exit 2
fi
REPORT=${2:-$1/../demo-report.html}
REPORT=$(realpath -m -- "$REPORT")
TOOLDIR=$(cd "$1" 2>/dev/null && pwd) || {
	echo "demo: $1: no such directory" >&2
	exit 2
}
cd "$(dirname "$0")/.."		# the top of the source tree

WORK=$(mktemp -d "${TMPDIR:-/tmp}/prep-demo.XXXXXX")
trap '[ -n "${KEEP_DEMO:-}" ] && cp "$WORK/audit.jsonl" "$KEEP_DEMO"; rm -rf "$WORK"' EXIT

# The evidence: one audit file, one PREP_RUN_ID per pipeline (new_pipeline).
export PREP_AUDIT=$WORK/audit.jsonl
new_pipeline() {
	PREP_RUN_ID=$(cat /proc/sys/kernel/random/uuid)
	export PREP_RUN_ID
}
new_pipeline

# A random 32-byte key as 64 hex digits, readable by its owner only; or,
# with DEMO_KEY=FILE in the environment, a copy of that key file (the
# tests: one key gives the same pseudonyms in every run).
KEY=$WORK/demo.key
if [ -n "${DEMO_KEY:-}" ]; then
	(umask 077 && cat -- "$DEMO_KEY" >"$KEY")
else
	(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEY")
fi
chmod 600 "$KEY"

INPUT=testdata/people.csv
LINES=4		# lines shown of each table (the header and three records)

# show FILE: its first $LINES lines, as a table when column(1) is there.
# (column splits at every comma, quoted or not: good enough to look at.)
show() {
	head -n "$LINES" "$1" >"$WORK/show"
	if command -v column >/dev/null 2>&1; then
		column -s, -t <"$WORK/show"
	else
		cat "$WORK/show"
	fi
	echo
}

# step NAME ARGS...: run TOOLDIR/NAME ARGS... on the previous output
# (the first step on the input file) and show the start of what it wrote.
CURRENT=$INPUT
PIPELINE=
N=0
step() {
	local name=$1 shown
	shift
	if [ ! -x "$TOOLDIR/$name" ]; then
		echo "demo: $TOOLDIR/$name: not built" >&2
		exit 2
	fi
	N=$((N + 1))
	shown="$name $*"
	shown=${shown//"$KEY"/KEYFILE}
	shown=${shown//"$WORK/"/}
	if [ "$N" -eq 1 ]; then
		PIPELINE="$shown $INPUT"
	else
		PIPELINE="$PIPELINE | $shown"
	fi
	echo "== after step $N: $shown"
	"$TOOLDIR/$name" "$@" "$CURRENT" >"$WORK/step$N.csv"
	CURRENT=$WORK/step$N.csv
	show "$CURRENT"
}

echo "== before: $INPUT (synthetic people; first $LINES lines)"
show "$INPUT"
echo "== policy: testdata/people.policy"
grep -v '^[[:space:]]*\(#\|$\)' testdata/people.policy
echo

step anonymize --key-file "$KEY" -p testdata/people.policy
# k-anonymity of the generalized quasi-identifiers (3-digit zip, year of
# birth, sex), with the full report (-v, on stderr). 2,000 people are too
# few for k=5 on these three (about 80% of the rows would have to go:
# `kcheck -q zip,dob,sex -k 5 -r` shows why), so the demo asks for k=2 and
# lets the rows of the 355 unique combinations (18%) be suppressed.
step kcheck -q zip,dob,sex -k 2 --suppress --max-suppress 0.2 -v
# Differentially private incomes (the policy keeps income for this step):
# each is clamped to [0, 250000] and gets Laplace noise of scale
# b = 250000/epsilon. The summary on stderr gives b and the 95% error
# bound; a single noisy income says little, a mean over many rows is
# accurate. No --seed: this is a real run, so the numbers differ each time.
# The charge goes to a privacy budget ledger (prep-ledger(5)): data set
# "people", budget 3, of which this run spends 1.
step dpnoise -c income --bounds 0:250000 --epsilon 1 \
	--ledger "$WORK/budget.ledger" --dataset people --budget 3
# The release gate: the schema of what may leave
# (testdata/release.schema.json: pseudonyms, masked phones, years of birth,
# 3-digit zip codes, a unique id) and no personal data left in any cell;
# nothing is written unless both hold. The report is on stderr.
step validate -s testdata/release.schema.json --pii

echo "== the same as one pipeline (KEYFILE: a random key, now deleted):"
echo "$PIPELINE"
echo

new_pipeline
# kanon instead of hand-picked levels. The policy cuts zip codes to 3
# digits by hand, and still about 80% of the rows would have to go for
# k=5 (1626 of 2000). Keep the policy's drops, pseudonyms, masks and scrubbing and its
# years of birth (a date is no number: whole dates would be released as
# lists of dates), leave zip codes whole, and let kanon generalize zip
# code and year of birth as each group of rows needs: local recoding
# (Mondrian), since these columns have no hierarchies; ranges such as
# 1979-1981 and 10001-10025. kcheck then checks the result on its own.
[ -x "$TOOLDIR/kanon" ] || { echo "demo: $TOOLDIR/kanon: not built" >&2; exit 2; }
grep -v '^zip[[:space:]]' testdata/people.policy >"$WORK/nozip.policy"
"$TOOLDIR/anonymize" --key-file "$KEY" -p "$WORK/nozip.policy" "$INPUT" \
	>"$WORK/nozip.csv"
echo "== hand-picked: anonymize -p testdata/people.policy | kcheck -q zip,dob,sex -k 5 --suppress -r"
"$TOOLDIR/kcheck" -q zip,dob,sex -k 5 --suppress -r "$WORK/step1.csv" |
	grep '^suppressed_rows\|^satisfied' || true
echo
echo "== found: anonymize -p (people.policy without its zip line) | kanon -q zip,dob,sex -k 5 --method local"
"$TOOLDIR/kanon" -q zip,dob,sex -k 5 --method local "$WORK/nozip.csv" \
	>"$WORK/kanon.csv" 2>"$WORK/kanon.err"
cat "$WORK/kanon.err"
cut -d, -f1,4-7 "$WORK/kanon.csv" >"$WORK/kanon-qi.csv"
show "$WORK/kanon-qi.csv"
echo "== kcheck -q zip,dob,sex -k 5 on kanon's output"
{ "$TOOLDIR/kcheck" -q zip,dob,sex -k 5 "$WORK/kanon.csv" >/dev/null; } 2>&1
echo

new_pipeline
# The Adult census extract has an ARX hierarchy for each column, so kanon
# can do global recoding: one level of each hierarchy for the whole table,
# the exact optimum of the loss over all 6,480 combinations of levels,
# with at most 5% of the rows suppressed. The report ends with the
# anonymize arguments that apply the same levels to the next batch.
Q=sex,age,race,marital-status,education,native-country,workclass,occupation
HIER=()
for c in ${Q//,/ }; do
	HIER+=(--hierarchy "$c=testdata/adult_hierarchy_$c.csv")
done
echo "== kanon -q $Q --hierarchy COL=testdata/adult_hierarchy_COL.csv... -k 5 --max-suppress 0.05 -r testdata/adult.csv"
"$TOOLDIR/kanon" -q "$Q" "${HIER[@]}" -k 5 --max-suppress 0.05 -r \
	testdata/adult.csv | grep -v '^seconds'
echo

new_pipeline
# Bias: the Adult census extract, by sex. First where it comes from:
# fairness --proxies ranks the columns that stand in for sex (dropping
# sex leaves them in). Then fairness writes its table on stdout and the
# metrics on stderr; reweight appends Kamiran-Calders weights, after
# which the weighted disparate impact is exactly 1.
ADULT=testdata/adult.csv
FAIR=(-g sex -y salary-class --positive '>50K' --privileged Male)
FAIR_SHOWN="-g sex -y salary-class --positive '>50K' --privileged Male"
for t in reweight fairness; do
	[ -x "$TOOLDIR/$t" ] || { echo "demo: $TOOLDIR/$t: not built" >&2; exit 2; }
done
echo "== fairness -g sex --proxies $ADULT"
"$TOOLDIR/fairness" -g sex --proxies "$ADULT" 2>&1
echo
echo "== fairness $FAIR_SHOWN $ADULT"
"$TOOLDIR/fairness" "${FAIR[@]}" "$ADULT" 2>&1
echo
echo "== reweight -g sex -y salary-class $ADULT | fairness $FAIR_SHOWN --weight weight"
"$TOOLDIR/reweight" -g sex -y salary-class "$ADULT" >"$WORK/weighted.csv"
"$TOOLDIR/fairness" "${FAIR[@]}" --weight weight "$WORK/weighted.csv" 2>&1

echo
new_pipeline
# Balance: Adult by race, every class brought up to the majority's count
# with copies of its own rows (oversample --method random).
[ -x "$TOOLDIR/oversample" ] || { echo "demo: $TOOLDIR/oversample: not built" >&2; exit 2; }
count_race() {
	tail -n +2 "$1" | cut -d';' -f3 | tr -d '\r' | sort | uniq -c | sort -rn
}
echo "== rows by race in $ADULT"
count_race "$ADULT"
echo "== after oversample -g race --seed 1"
"$TOOLDIR/oversample" -g race --seed 1 "$ADULT" >"$WORK/balanced.csv"
count_race "$WORK/balanced.csv"

echo
new_pipeline
# Drift: profile Adult once as the reference (one line of JSON, whose size
# does not grow with the rows, mergeable across parts), then compare a
# batch with a planted shift with it: the women alone, whose ages, marital
# status, occupations and salaries differ from the whole. drift writes a
# table on stdout and a summary on stderr, and exits 1 on dataset drift
# (here 5 of 9 columns; the default drift share is half). The negative
# control, Adult against its own profile, exits 0.
for t in profile drift; do
	[ -x "$TOOLDIR/$t" ] || { echo "demo: $TOOLDIR/$t: not built" >&2; exit 2; }
done
echo "== profile $ADULT >reference.json"
"$TOOLDIR/profile" "$ADULT" >"$WORK/reference.json"
echo "$(($(wc -c <"$WORK/reference.json"))) bytes for $(($(wc -l <"$ADULT") - 1)) rows"
echo
echo "== awk -F';' 'NR == 1 || \$1 == \"Female\"' $ADULT >batch.csv; drift reference.json batch.csv"
awk -F';' 'NR == 1 || $1 == "Female"' "$ADULT" >"$WORK/batch.csv"
st=0
"$TOOLDIR/drift" "$WORK/reference.json" "$WORK/batch.csv" 2>&1 || st=$?
echo "exit status $st"
[ "$st" -eq 1 ] || { echo "demo: drift should have found drift" >&2; exit 2; }
echo
echo "== drift reference.json $ADULT (the negative control)"
st=0
"$TOOLDIR/drift" -q "$WORK/reference.json" "$ADULT" >/dev/null || st=$?
echo "exit status $st"
[ "$st" -eq 0 ] || { echo "demo: drift found drift in the reference itself" >&2; exit 2; }

echo
# The evidence: every run above left its record in one audit file;
# prep-report draws the pipelines, the checks, the charts and the
# checklist from it, with the ledger's charges and the reference profile.
[ -x "$TOOLDIR/prep-report" ] || { echo "demo: $TOOLDIR/prep-report: not built" >&2; exit 2; }
echo "== prep-report --ledger budget.ledger --profile reference.json -o demo-report.html audit.jsonl"
mkdir -p "$(dirname "$REPORT")"
runs=$(wc -l <"$PREP_AUDIT")
env -u PREP_AUDIT "$TOOLDIR/prep-report" --title "prep demo: people.csv and the Adult census extract" \
	--ledger "$WORK/budget.ledger" --profile "$WORK/reference.json" \
	-o "$REPORT" "$PREP_AUDIT"
echo "$runs runs recorded; the report is $REPORT"
echo "(open it in a browser)"
