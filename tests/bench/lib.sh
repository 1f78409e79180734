# lib.sh: what the benchmark scripts share (sourced by run.sh and
# validate.sh). Needs WORK (a scratch directory) and RUNS set by the
# caller; check() sets FAILED=1 when a target is missed.

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
