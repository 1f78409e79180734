# lib.sh: what the benchmark scripts share (each sources it first, then
# calls bench_init "$@"). measure() needs WORK (a scratch directory) and
# RUNS; check() sets FAILED=1 when a target is missed.

die() {
	echo "bench: $*" >&2
	exit 2
}

# measure CMD...: run it $RUNS times on stdout /dev/null; sets T to the
# best wall-clock seconds and RSS to the largest peak RSS (KiB).
measure() {
	local i t m
	T=
	RSS=0
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null ||
			die "failed: $(basename "$1") (see above)"
		read -r t m <"$WORK/time"
		if [ -z "$T" ] || awk -v a="$t" -v b="$T" 'BEGIN{exit !(a < b)}'
		then
			T=$t
		fi
		[ "$m" -gt "$RSS" ] && RSS=$m
	done
	return 0
}

# ratio A B: A/B with two decimals ("inf" when B is 0).
ratio() {
	awk -v a="$1" -v b="$2" \
	    'BEGIN{ if (b + 0 == 0) print "inf"; else printf "%.2f\n", a / b }'
}

# check VAR CONDITION: VAR=PASS when the awk CONDITION holds, else FAIL.
check() {
	if awk "BEGIN{exit !($2)}"; then
		printf -v "$1" PASS
	else
		printf -v "$1" FAIL
		FAILED=1
	fi
}

# bench_init SCRIPT "$@": the one operand TOOLDIR (absolute in TOOLDIR),
# the top of the source tree as the working directory, RESULTS, RUNS=3,
# FAILED=0; exits 2 with a usage message otherwise.
bench_init() {
	local script=$1
	shift
	if [ $# -ne 1 ]; then
		echo "usage: bash tests/bench/$script TOOLDIR" >&2
		exit 2
	fi
	TOOLDIR=$(cd "$1" 2>/dev/null && pwd) || {
		echo "bench: $1: no such directory" >&2
		exit 2
	}
	cd "$(dirname "${BASH_SOURCE[0]}")/../.."
	RESULTS=tests/bench/RESULTS.md
	RUNS=3
	FAILED=0
}

# bench_need PROG...: each built in TOOLDIR, and GNU time installed.
bench_need() {
	local prog
	for prog in "$@"; do
		[ -x "$TOOLDIR/$prog" ] || die "$TOOLDIR/$prog: not built"
	done
	[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) not installed"
}

# bench_work: a scratch directory in WORK, removed at exit.
bench_work() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/prep-bench.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
}

# bench_adult N...: the Adult data set replicated, in $WORK/adult-xN.csv
# for each N (made once): the header once, then testdata/adult.csv's
# records N times, CRLF line ends kept. Sets ADULT (the file) and
# ADULT_ROWS (its records, checked).
bench_adult() {
	local n i got
	ADULT=testdata/adult.csv
	ADULT_ROWS=30162
	[ -f "$ADULT" ] || die "$ADULT: missing"
	tail -n +2 "$ADULT" >"$WORK/adult-body.csv"
	got=$(wc -l <"$WORK/adult-body.csv" | tr -d ' ')
	[ "$got" = "$ADULT_ROWS" ] ||
		die "$ADULT: $got records, want $ADULT_ROWS"
	for n in "$@"; do
		[ -s "$WORK/adult-x$n.csv" ] && continue
		echo "bench: Adult x$n: $((n * ADULT_ROWS)) rows"
		{
			head -n 1 "$ADULT"
			for ((i = 0; i < n; i++)); do
				cat "$WORK/adult-body.csv"
			done
		} >"$WORK/adult-x$n.csv"
	done
	rm -f "$WORK/adult-body.csv"
}

# bench_policy: the benchmarks' anonymize set-up in $WORK: KEY, a key
# file (mode 600), and POLICY, a policy of the usual actions on
# gen-people's columns.
bench_policy() {
	KEY=$WORK/bench.key
	(umask 077 && printf 'prep-bench-key-0123456789abcdefg\n' >"$KEY")
	POLICY=$WORK/bench.policy
	cat >"$POLICY" <<'EOF'
name    drop
ssn     drop
email   hash
phone   mask:4
dob     date:year
zip     truncate:3
EOF
}
