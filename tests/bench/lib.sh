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

# bench_timed OUT RCMAX CMD...: run CMD, its stdout to OUT and its stderr
# to $WORK/err; US = its wall-clock microseconds (EPOCHREALTIME without
# its point, whatever the locale's). An exit status above RCMAX ends the
# benchmark with CMD's messages.
bench_timed() {
	local out=$1 max=$2 rc=0 t0 t1
	shift 2
	t0=${EPOCHREALTIME//[^0-9]/}
	"$@" >"$out" 2>"$WORK/err" || rc=$?
	t1=${EPOCHREALTIME//[^0-9]/}
	if [ "$rc" -gt "$max" ]; then
		cat "$WORK/err" >&2
		die "failed (exit $rc): $*"
	fi
	US=$((10#$t1 - 10#$t0))
}

# bench_median KEY COLUMN DECIMALS: the median of column COLUMN of the
# samples in $WORK/S_KEY, with DECIMALS decimals.
bench_median() {
	cut -d' ' -f"$2" "$WORK/S_$1" | sort -g |
		awk -v d="$3" '{v[NR] = $1}
		END{m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		    printf "%.*f\n", d, m}'
}

# bench_span KEY: "min-max" of the first column (the ratios) of S_KEY.
bench_span() {
	sort -g "$WORK/S_$1" |
		awk 'NR == 1 {a = $1} {b = $1} END{printf "%.2f-%.2f\n", a, b}'
}

# bench_entry_head TITLE SCRIPT ARG: the first lines of a RESULTS.md entry
# of tests/bench/SCRIPT run with ARG: the title and date, the machine
# with the load average at the start (LOAD0) and now, the commit and the
# command with RUNS.
bench_entry_head() {
	local cpu rev dirty=
	cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo \
		2>/dev/null | head -n 1)
	[ -n "$cpu" ] || cpu=$(uname -m)
	rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD 2>/dev/null ||
		dirty=" (with uncommitted changes)"
	printf '## %s (%s)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$1"
	printf -- '- machine: %s CPUs, %s; %s; load average %s at the start,' \
		"$(nproc)" "$cpu" "$(uname -sr)" "$LOAD0"
	printf ' %s at the end\n' \
		"$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	# shellcheck disable=SC2016 # backquotes are Markdown
	printf -- '- source: git %s%s; `bash tests/bench/%s %s`' \
		"$rev" "$dirty" "$2" "$3"
	printf ', BENCH_RUNS=%s\n' "$RUNS"
}

# bench_append NAME: show the entry in $REPORT and how long the run took;
# unless REPORT_ONLY is 1, append it to RESULTS and exit with FAILED.
bench_append() {
	cat "$REPORT"
	echo "bench: $((SECONDS - T_START)) s"
	if [ "$REPORT_ONLY" = 1 ]; then
		echo "bench: BENCH_REPORT_ONLY=1: nothing appended, no verdict"
		exit 0
	fi
	[ -f "$RESULTS" ] || die "$RESULTS: missing"
	cat "$REPORT" >>"$RESULTS"
	echo "bench: appended the $1 entry to $RESULTS"
	exit "$FAILED"
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
