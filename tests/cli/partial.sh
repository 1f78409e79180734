# tests/cli/partial.sh: the functions of the cases that run a filter on parts
# (--partial, --merge, --state), sourced by their cmd in the case's empty
# directory as . "$CASE/../../partial.sh" (kcheck's and kanon's
# partial-* cases). A file, not a case: run.sh runs directories. The
# reference of a run on parts is the single run over the whole input:
# its stdout, stderr, exit status and audit checks.

# split_csv N FILE: part1.csv .. partN.csv, the records of FILE (one
# line each, no quoted newline) in order, as equal in number as can be,
# each part with the header; a part without records is the header alone.
split_csv() {
	rm -f part*.csv
	awk -v n="$1" -v total="$(($(wc -l <"$2") - 1))" '
		NR == 1 { for (i = 1; i <= n; i++) print > ("part" i ".csv"); next }
		{ print > ("part" int((NR - 2) * n / total) + 1 ".csv") }' "$2"
}

# same FILE FILE: are the two outputs the same (with strip_seconds set,
# but for kanon's seconds, a timing: "seconds: S" lines, "seconds":S,)?
same() {
	if [ -n "${strip_seconds:-}" ]; then
		cmp -s <(sed -e '/^seconds: /d' -e 's/"seconds":[0-9.e-]*,//' "$1") \
			<(sed -e '/^seconds: /d' -e 's/"seconds":[0-9.e-]*,//' "$2")
	else
		cmp -s "$1" "$2"
	fi
}

# checks FILE: the checks of the audit record in FILE (its last line).
checks() {
	/usr/bin/python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
print(json.dumps(r["run"]["facets"]["prep"]["checks"], sort_keys=True))' "$1"
}

# single TOOL ARGS... FILE: the reference run (single.out, single.err,
# single.status, its audit checks in single.checks).
single() {
	rm -f a.log
	"$@" --audit a.log >single.out 2>single.err
	echo $? >single.status
	checks a.log >single.checks
}

# partial_args ARGS...: ARGS less what only says how to report (-r,
# --json, -v), which --partial refuses or has no use for, into pargs.
partial_args() {
	local a
	pargs=()
	for a in "$@"; do
		case $a in -r | --json | -v) ;; *) pargs+=("$a") ;; esac
	done
}

# merged N TOOL ARGS...: partials of part1..N (each must exit 0 and be
# mode 0600), merged with ARGS; says what differs from the single run
# (with merge_writes_nothing set, the merge's stdout must be empty).
merged() {
	local n=$1 i st
	shift
	partial_args "$@"
	rm -f p*.json a.log
	for i in $(seq "$n"); do
		"${pargs[@]}" --partial -o "p$i.json" "part$i.csv" ||
			echo "partial $i: exit $?"
		[ "$(stat -c %a "p$i.json")" = 600 ] || echo "p$i.json not 0600"
	done
	"$@" --audit a.log --merge $(seq -f 'p%g.json' "$n") >merge.out \
		2>merge.err
	st=$?
	if [ -n "${merge_writes_nothing:-}" ]; then
		[ -s merge.out ] && echo "N=$n: the merge wrote on stdout"
	else
		same merge.out single.out || echo "N=$n: stdout differs"
	fi
	same merge.err single.err || echo "N=$n: stderr differs"
	[ "$st" = "$(cat single.status)" ] || echo "N=$n: exit $st"
	checks a.log | cmp -s - single.checks || echo "N=$n: checks differ"
	echo "N=$n: merged, exit $st"
}

# stated N TOOL ARGS...: partials of part1..N merged into whole.json,
# then each part with --state whole.json; the parts' outputs end to end
# (the header of the first only: the others' is dropped, as --part does
# it) and each part's stderr, exit status and audit checks against the
# single run's (and the merge's exit status and checks).
stated() {
	local n=$1 i st mst
	shift
	partial_args "$@"
	rm -f p*.json whole.json
	for i in $(seq "$n"); do
		"${pargs[@]}" --partial -o "p$i.json" "part$i.csv" ||
			echo "partial $i: exit $?"
	done
	rm -f a.log
	"$@" --audit a.log --merge -o whole.json $(seq -f 'p%g.json' "$n") \
		2>merge.err
	mst=$?
	[ "$mst" = "$(cat single.status)" ] || echo "N=$n: merge exit $mst"
	same merge.err single.err || echo "N=$n: merge's stderr differs"
	checks a.log | cmp -s - single.checks || echo "N=$n: checks differ"
	: >parts.out
	for i in $(seq "$n"); do
		rm -f a.log
		"$@" --audit a.log --state whole.json "part$i.csv" >o.csv 2>o.err
		st=$?
		[ "$st" = "$(cat single.status)" ] || echo "N=$n part $i: exit $st"
		same o.err single.err || echo "N=$n part $i: stderr differs"
		checks a.log | cmp -s - single.checks ||
			echo "N=$n part $i: checks differ"
		if [ "$i" = 1 ]; then cat o.csv; else tail -n +2 o.csv; fi \
			>>parts.out
	done
	cmp -s parts.out single.out || echo "N=$n: outputs differ"
	echo "N=$n: stated, exit $st"
}
