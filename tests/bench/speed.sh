#!/usr/bin/env bash
# speed.sh: the filters against the machine's limit, at -j 1 and -j 2
# (make bench runs it after audit.sh; alone: make bench-speed, or
# bash tests/bench/speed.sh TOOLDIR).
#
# The physical reference is memchr-scan (tests/bench/memchr-scan.c: the
# file read with read(2) in 1 MiB blocks, its newlines counted with
# memchr): every time below is reported as a ratio to memchr-scan's time
# on the same file. Each run of a program is paired with memchr-scan
# right beside it (the mean of one run just before and one just after
# it), and the figure is the median of the pairs' ratios: a slow spell of
# the shared machine falls on both sides of a pair, so the ratio holds
# where the seconds do not. The jobs take turns (round after round), so
# that each job's pairs spread over the whole run. A slow second CPU is
# not so paired (the scan runs on one): each round also times two
# memchr-scans at once against the scans beside them, and the report
# gives that ratio: 1 when the two CPUs slow each other in nothing, more
# as they share the memory's bandwidth, up to 2 when the host runs them
# on one core. Read the -j 2 figures with it.
#
# Inputs: 1,000,000 gen-people rows (seed 1, about 178 MB, LF, 47% of the
# lines with a quoted field, quoted newlines in notes) and Adult x40
# (testdata/adult.csv's 30,162 records 40 times under one header:
# 1,206,480 rows, about 101 MB, ';', CRLF), made as run.sh makes them.
# Jobs on each file, output to /dev/null, at -j 1 and -j 2:
#   pass-through  anonymize with no rules (reads and writes every row)
#   anonymize     people: the policy of run.sh with a key file; Adult: the
#                 same kinds of action on its columns (ADULT_POLICY below)
#   kcheck        kcheck -q QIS -k 5 -r --json (report only): people
#                 zip,dob,sex (723,401 classes; BENCH_PEOPLE_QIS sets
#                 others), Adult the eight QIs of run.sh (18,109 classes)
#   reweight      people: reweight -g sex,race (as audit.sh); Adult:
#                 reweight -d ';' -g sex,race -y salary-class (as run.sh)
# A filter whose binary does not accept -j (the option is being added)
# runs at -j 1 only (without the option), and its -j 2 figures and
# targets read "n/a". PREP_THREADS is unset for every run.
#
# Peer, in the same run: DuckDB through npm's @duckdb/node-api (version
# DUCKDB_NODE_API, default below), installed with npm into
# $BENCH_NPM_DIR (default TOOLDIR/../bench-npm, i.e. build/bench-npm)
# unless that version is there already; without node, without npm for an
# install, or when the install fails, the peer is skipped and the report
# says why. tests/bench/duckdb_peer.cjs
# with 1 and with 2 threads: its start-up (node, module load, connect,
# SELECT 1) timed apart and reported in seconds; a pass-through copy
# (COPY (SELECT * FROM read_csv(...)) TO '/dev/null'); the number of
# classes and the smallest class of kcheck's QIs (GROUP BY). Its figures
# are the queries' own time (without the start-up) and the whole process,
# each as a ratio to the paired memchr-scan.
#
# Before timing: memchr-scan counts wc -l's lines; where -j 2 is accepted,
# each job's output on each file at -j 2 is byte for byte its output at
# -j 1; DuckDB copies as many rows as kcheck counts, and finds the same
# classes and smallest class.
#
# Peak RSS (/usr/bin/time %M, KiB) of the four jobs at -j 1 and -j 2 on
# 100,000 and 1,000,000 people rows: the row-by-row filters (pass-through,
# anonymize) must stay flat in rows, RSS at 1M <= 1.10 x RSS at 100k +
# 2 MiB (per-thread buffers bounded); kcheck (memory follows classes, and
# zip,dob,sex has more classes in more rows) and reweight are reported.
#
# Targets (issue 19), median ratio to memchr-scan:
#   -j 1: pass-through <= 5, anonymize <= 8, kcheck <= 5, reweight <= 6
#   -j 2: pass-through <= 3, anonymize <= 5, kcheck <= 3.5, reweight <= 4
# on both files. Prints the report and appends it to tests/bench/RESULTS.md
# as a dated entry headed "(speed)"; exit 0 when every target is met, 1
# when one is not, 2 when something is missing or fails.
#
# Environment: BENCH_RUNS pairs per job (default 7); BENCH_DIR keeps the
# inputs there (reused when present); BENCH_REPORT_ONLY=1 prints the
# report and only that: no PASS/FAIL verdict in the exit status (0
# unless something fails to run) and nothing appended to RESULTS.md;
# BENCH_NO_DUCKDB=1 skips the peer. About 3 minutes on 2 cores.
set -euo pipefail

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init speed.sh "$@"
RUNS=${BENCH_RUNS:-7}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS: not a positive number"
REPORT_ONLY=${BENCH_REPORT_ONLY:-0}
bench_need anonymize kcheck reweight gen-people memchr-scan
PY=/usr/bin/python3
[ -x "$PY" ] || die "$PY not installed"
unset PREP_THREADS

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	WORK=$(cd "$BENCH_DIR" && pwd)
else
	bench_work
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
T_START=$SECONDS

# ---- inputs ----

for n in 100000 1000000; do
	f=$WORK/people-$n.csv
	if [ ! -s "$f" ]; then
		echo "bench: generating $n rows"
		"$TOOLDIR/gen-people" -n "$n" -s 1 >"$f"
	fi
done
PEOPLE=$WORK/people-1000000.csv

ADULT_QIS=sex,age,race,marital-status,education,native-country,workclass,occupation
bench_adult 40
AX40=$WORK/adult-x40.csv

bench_policy
ADULT_POLICY=$WORK/adult.policy
cat >"$ADULT_POLICY" <<'EOF'
workclass       drop
native-country  hash
occupation      mask:4
education       truncate:3
age             bin:10
EOF
# the inputs' pages written out before the first timing, so that no run
# pays for their writeback
sync

# ---- which filters accept -j ----

printf 'sex,race,zip,dob,salary-class\nF,A,1,2,x\n' >"$WORK/tiny.csv"
declare -A HASJ
for tool in anonymize kcheck reweight; do
	case $tool in
	anonymize) args=() ;;
	kcheck) args=(-q sex -k 1 -r) ;;
	reweight) args=(-g sex) ;;
	esac
	rc=0
	"$TOOLDIR/$tool" -j 1 "${args[@]}" "$WORK/tiny.csv" >/dev/null \
		2>"$WORK/err" || rc=$?
	if [ "$rc" -le 1 ]; then
		HASJ[$tool]=1
	else
		"$TOOLDIR/$tool" "${args[@]}" "$WORK/tiny.csv" >/dev/null ||
			die "$tool fails on a two-line file"
		HASJ[$tool]=0
		echo "bench: $tool does not accept -j ($(head -n 1 "$WORK/err"));" \
			"-j 2 is n/a"
	fi
done

# ---- the jobs ----

# Each job is an array JOB_<file>_<prog>_<j> (file p or a, j 1 or 2);
# JTOOL names the binary that must accept -j for j = 2; RCMAX the largest
# exit status that is a good run (kcheck's 1: the check does not hold).
FILES=(p a)
PROGS=(pass anon kcheck reweight)
declare -A FILE FNAME JTOOL RCMAX TGT QIS DELIM
QIS[p]=${BENCH_PEOPLE_QIS:-zip,dob,sex} QIS[a]=$ADULT_QIS
DELIM[p]=, DELIM[a]=';'
FILE[p]=$PEOPLE FNAME[p]="people 1M"
FILE[a]=$AX40 FNAME[a]="Adult x40"
JTOOL[pass]=anonymize JTOOL[anon]=anonymize JTOOL[kcheck]=kcheck
JTOOL[reweight]=reweight
RCMAX[pass]=0 RCMAX[anon]=0 RCMAX[kcheck]=1 RCMAX[reweight]=0
TGT[pass.1]=5 TGT[anon.1]=8 TGT[kcheck.1]=5 TGT[reweight.1]=6
TGT[pass.2]=3 TGT[anon.2]=5 TGT[kcheck.2]=3.5 TGT[reweight.2]=4
declare -A PNAME
PNAME[pass]="pass-through" PNAME[anon]=anonymize PNAME[kcheck]=kcheck
PNAME[reweight]=reweight

# jopt TOOL J: the -j option for TOOL at J threads ("" when TOOL lacks it)
jopt() {
	if [ "${HASJ[$1]}" = 1 ]; then
		printf -- '-j\n%s\n' "$2"
	fi
}

# make_job F PROG J INPUT: define JOB_F_PROG_J for INPUT
make_job() {
	local f=$1 p=$2 j=$3 in=$4 tool
	tool=$TOOLDIR/${JTOOL[$p]}
	local -n job=JOB_${f}_${p}_$j
	mapfile -t job < <(jopt "${JTOOL[$p]}" "$j")
	job=("$tool" "${job[@]}")
	case $f.$p in
	p.pass) job+=("$in") ;;
	a.pass) job+=(-d ';' "$in") ;;
	p.anon) job+=(--key-file "$KEY" -p "$POLICY" "$in") ;;
	a.anon) job+=(-d ';' --key-file "$KEY" -p "$ADULT_POLICY" "$in") ;;
	p.kcheck) job+=(-q "${QIS[p]}" -k 5 -r --json "$in") ;;
	a.kcheck) job+=(-d ';' -q "${QIS[a]}" -k 5 -r --json "$in") ;;
	p.reweight) job+=(-g 'sex,race' "$in") ;;
	a.reweight) job+=(-d ';' -g 'sex,race' -y salary-class "$in") ;;
	esac
}

# has_j PROG J: whether PROG can run at J threads
has_j() {
	[ "$2" = 1 ] || [ "${HASJ[${JTOOL[$1]}]}" = 1 ]
}

for f in "${FILES[@]}"; do
	for p in "${PROGS[@]}"; do
		for j in 1 2; do
			declare -a "JOB_${f}_${p}_$j"
			make_job "$f" "$p" "$j" "${FILE[$f]}"
		done
	done
done

# run_good RCMAX CMD...: run CMD, stdout to /dev/null; die unless its exit
# status is at most RCMAX
run_good() {
	local max=$1 rc=0
	shift
	"$@" >/dev/null 2>"$WORK/err" || rc=$?
	if [ "$rc" -gt "$max" ]; then
		cat "$WORK/err" >&2
		die "failed (exit $rc): $*"
	fi
}

# ---- sanity before timing ----

for f in "${FILES[@]}"; do
	got=$("$TOOLDIR/memchr-scan" "${FILE[$f]}") || die "memchr-scan failed"
	[ "$got" = "$(wc -l <"${FILE[$f]}" | tr -d ' ')" ] ||
		die "memchr-scan counts $got lines in ${FILE[$f]}, not wc -l's"
	for p in "${PROGS[@]}"; do
		local_name=JOB_${f}_${p}_1
		declare -n one=$local_name
		run_good "${RCMAX[$p]}" "${one[@]}"
		if has_j "$p" 2; then
			declare -n two=JOB_${f}_${p}_2
			echo "bench: ${FNAME[$f]}: ${PNAME[$p]}: -j 2 output" \
				"against -j 1"
			cmp -s <("${one[@]}" 2>/dev/null) \
				<("${two[@]}" 2>/dev/null) ||
				die "${PNAME[$p]} on ${FNAME[$f]}: -j 2 output differs from -j 1"
			unset -n two
		fi
		unset -n one
	done
done

# kcheck's figures, for DuckDB's to match
declare -A K_ROWS K_CLASSES K_MIN
for f in "${FILES[@]}"; do
	declare -n one=JOB_${f}_kcheck_1
	rc=0
	"${one[@]}" >"$WORK/kc.json" 2>/dev/null || rc=$?
	[ "$rc" -le 1 ] || die "kcheck failed (exit $rc)"
	unset -n one
	read -r "K_ROWS[$f]" "K_CLASSES[$f]" "K_MIN[$f]" < <("$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(r["rows"], r["classes"], r["min_class_size"])' "$WORK/kc.json")
done
rm -f "$WORK/kc.json"

# ---- DuckDB, the peer ----

DUCKDB_NODE_API=${DUCKDB_NODE_API:-1.5.6-r.1}
NPM_DIR=${BENCH_NPM_DIR:-$TOOLDIR/../bench-npm}
DUCK=0 DUCK_NOTE=
duck_version() {
	node -p 'require(process.argv[1] + "/package.json").version' \
		"$NPM_DIR/node_modules/@duckdb/node-api" 2>/dev/null
}
if [ "${BENCH_NO_DUCKDB:-0}" = 1 ]; then
	DUCK_NOTE="skipped (BENCH_NO_DUCKDB=1)"
elif ! command -v node >/dev/null 2>&1; then
	DUCK_NOTE="skipped: node not installed"
elif [ "$(duck_version)" = "$DUCKDB_NODE_API" ]; then
	DUCK=1
elif ! command -v npm >/dev/null 2>&1; then
	DUCK_NOTE="skipped: npm not installed"
else
	echo "bench: installing @duckdb/node-api@$DUCKDB_NODE_API into $NPM_DIR"
	mkdir -p "$NPM_DIR"
	npm install --prefix "$NPM_DIR" --no-save --no-audit --no-fund \
		--loglevel=error "@duckdb/node-api@$DUCKDB_NODE_API" \
		>"$WORK/npm.log" 2>&1 || true
	if [ "$(duck_version)" = "$DUCKDB_NODE_API" ]; then
		DUCK=1
	else
		DUCK_NOTE="skipped: npm install @duckdb/node-api@$DUCKDB_NODE_API failed ($(grep -m 1 -o 'error code [A-Za-z0-9_]*' "$WORK/npm.log" 2>/dev/null || echo "no error code"))"
	fi
fi
[ "$DUCK" = 1 ] && NPM_DIR=$(cd "$NPM_DIR" && pwd)
DUCKV=
if [ "$DUCK" = 1 ]; then
	DUCKV="$DUCKDB_NODE_API, node $(node --version)"
	PEER=(node tests/bench/duckdb_peer.cjs "$NPM_DIR/node_modules")
	for f in "${FILES[@]}"; do
		for j in 1 2; do
			declare -a "DJOB_${f}_copy_$j" "DJOB_${f}_group_$j"
			declare -n c=DJOB_${f}_copy_$j g=DJOB_${f}_group_$j
			c=("${PEER[@]}" "$j" copy "${FILE[$f]}" "${DELIM[$f]}")
			g=("${PEER[@]}" "$j" group "${FILE[$f]}" "${DELIM[$f]}" \
				"${QIS[$f]}")
			# same work: every row copied, the same classes found
			echo "bench: ${FNAME[$f]}: DuckDB, $j thread(s), against kcheck"
			out=$("${c[@]}") || die "DuckDB copy failed"
			read -r _ rows <<<"$out"
			[ "$rows" = "${K_ROWS[$f]}" ] ||
				die "DuckDB ($j threads) copied $rows rows of ${FNAME[$f]}, kcheck counts ${K_ROWS[$f]}"
			out=$("${g[@]}") || die "DuckDB group-by failed"
			read -r _ classes min <<<"$out"
			[ "$classes $min" = "${K_CLASSES[$f]} ${K_MIN[$f]}" ] ||
				die "DuckDB ($j threads) finds $classes classes (smallest $min) in ${FNAME[$f]}, kcheck ${K_CLASSES[$f]} (${K_MIN[$f]})"
			unset -n c g
		done
	done
	DSTART=("${PEER[@]}" 1 start)
	"${DSTART[@]}" || die "DuckDB start-up failed"
fi

# ---- timing ----

# timed RCMAX CMD...: run it, stdout to /dev/null (the jobs' output,
# as the header says: the kernel's page cache and its writeback are no
# part of a filter's time, and a file of the input's size written and
# truncated again and again makes them the slowest part of a run); US =
# its wall-clock microseconds
timed() {
	bench_timed /dev/null "$@"
}

# timed_out RCMAX CMD...: as timed, stdout to $WORK/out (DuckDB's: its
# first word is the query's own time)
timed_out() {
	bench_timed "$WORK/out" "$@"
}

# Samples: S_<key> holds one line per pair: "RATIO SECONDS SCAN".
# pair F KEY RCMAX CMD...: memchr-scan on file F, CMD, memchr-scan again:
# the pair's scan time is the mean of the two runs that bracket CMD, and
# RATIO is CMD's time over it. For DuckDB (KEY d*), also the query's own
# seconds (the first word of its output) over the same scan, to S_KEY_q.
pair() {
	local f=$1 key=$2 max=$3 us_p us_s q
	shift 3
	timed 0 "$TOOLDIR/memchr-scan" "${FILE[$f]}"
	us_s=$US
	if [[ $key == d* ]]; then
		timed_out "$max" "$@"
		q=$(head -c 64 "$WORK/out" | cut -d' ' -f1)
	else
		timed "$max" "$@"
	fi
	us_p=$US
	timed 0 "$TOOLDIR/memchr-scan" "${FILE[$f]}"
	us_s=$(((us_s + US) / 2))
	awk -v p="$us_p" -v s="$us_s" \
		'BEGIN{printf "%.4f %.4f %.4f\n", p / s, p / 1e6, s / 1e6}' \
		>>"$WORK/S_$key"
	if [[ $key == d* ]]; then
		awk -v q="$q" -v s="$us_s" \
			'BEGIN{printf "%.4f %.4f %.4f\n", q * 1e6 / s, q, s / 1e6}' \
			>>"$WORK/S_${key}_q"
	fi
}

# two_scans F: two memchr-scans of F at once (what the host gives a
# second thread)
two_scans() {
	local pid rc=0
	"$TOOLDIR/memchr-scan" "$1" >/dev/null &
	pid=$!
	"$TOOLDIR/memchr-scan" "$1" || rc=$?
	wait "$pid" || rc=$?
	return "$rc"
}

rm -f "$WORK"/S_*
njobs=$((${#FILES[@]} * ${#PROGS[@]} * 2))
echo "bench: timing, $RUNS rounds of paired runs (memchr-scan around each)" \
	"of up to $njobs jobs$([ "$DUCK" = 1 ] && echo " and DuckDB's 8")"
for ((ROUND = 0; ROUND < RUNS; ROUND++)); do
	for f in "${FILES[@]}"; do
		pair "$f" "${f}_two" 0 two_scans "${FILE[$f]}"
		for p in "${PROGS[@]}"; do
			for j in 1 2; do
				has_j "$p" "$j" || continue
				declare -n cmd=JOB_${f}_${p}_$j
				pair "$f" "${f}_${p}_$j" "${RCMAX[$p]}" "${cmd[@]}"
				unset -n cmd
			done
		done
		if [ "$DUCK" = 1 ]; then
			for d in copy group; do
				for j in 1 2; do
					declare -n cmd=DJOB_${f}_${d}_$j
					pair "$f" "d${f}_${d}_$j" 0 "${cmd[@]}"
					unset -n cmd
				done
			done
		fi
	done
	if [ "$DUCK" = 1 ]; then
		timed 0 "${DSTART[@]}"
		echo "$US" >>"$WORK/S_dstart"
	fi
	echo "bench: round $((ROUND + 1)) of $RUNS done ($((SECONDS - T_START)) s)"
done

# med KEY COLUMN: the median of column COLUMN of S_KEY ("" when none)
med() {
	[ -s "$WORK/S_$1" ] || return 0
	bench_median "$1" "$2" 2
}

# ---- peak RSS, 100k and 1M people rows ----

echo "bench: peak RSS at 100k and 1M rows"
declare -A RSS_OF
for p in "${PROGS[@]}"; do
	for j in 1 2; do
		has_j "$p" "$j" || continue
		for n in 100000 1000000; do
			make_job p "$p" "$j" "$WORK/people-$n.csv"
			declare -n cmd=JOB_p_${p}_$j
			rc=0
			/usr/bin/time -f '%M' -o "$WORK/time" "${cmd[@]}" \
				>/dev/null 2>"$WORK/err" || rc=$?
			[ "$rc" -le "${RCMAX[$p]}" ] ||
				die "failed (exit $rc): ${cmd[*]}"
			RSS_OF[$p.$j.$n]=$(tail -n 1 "$WORK/time")
			unset -n cmd
		done
	done
done

# ---- report ----

# V[F_P_J]: PASS or FAIL of each job that ran (check sets FAILED)
declare -A V
for f in "${FILES[@]}"; do
	for p in "${PROGS[@]}"; do
		for j in 1 2; do
			has_j "$p" "$j" || continue
			v=''
			check v "$(med "${f}_${p}_$j" 1) <= ${TGT[$p.$j]}"
			V[${f}_${p}_$j]=$v
		done
	done
done

REPORT=$WORK/report.md
{
	bench_entry_head speed speed.sh "$1"
	printf -- '- -j accepted by: anonymize %s, kcheck %s, reweight %s\n' \
		"$([ "${HASJ[anonymize]}" = 1 ] && echo yes || echo no)" \
		"$([ "${HASJ[kcheck]}" = 1 ] && echo yes || echo no)" \
		"$([ "${HASJ[reweight]}" = 1 ] && echo yes || echo no)"
	if [ "$DUCK" = 1 ]; then
		printf -- '- DuckDB: @duckdb/node-api %s; start-up' "$DUCKV"
		printf ' (node, module, connect, SELECT 1), median of %d: %s s\n' \
			"$RUNS" "$(awk '{print $1 / 1e6}' "$WORK/S_dstart" |
				sort -g | awk '{v[NR] = $1}
				END{printf "%.3f", v[int((NR + 1) / 2)]}')"
	else
		printf -- '- DuckDB: %s\n' "$DUCK_NOTE"
	fi
	printf -- '- kcheck and DuckDB group-by: people -q %s (%s classes),' \
		"${QIS[p]}" "${K_CLASSES[p]}"
	printf ' Adult x40 -q %s (%s classes)\n' "${QIS[a]}" "${K_CLASSES[a]}"
	printf -- '- figures: median of %d paired ratios to memchr-scan of the' \
		"$RUNS"
	printf ' same file (lowest-highest), median seconds\n\n'
	for f in "${FILES[@]}"; do
		printf '### %s: %s bytes, %s rows, memchr-scan %s s\n\n' \
			"${FNAME[$f]}" "$(wc -c <"${FILE[$f]}" | tr -d ' ')" \
			"${K_ROWS[$f]}" "$(bench_median "${f}_pass_1" 3 3)"
		printf 'Two memchr-scans at once: %s s, %s times one alone' \
			"$(bench_median "${f}_two" 2 3)" \
			"$(bench_median "${f}_two" 1 2)"
		printf ' (%s; 1 when the two CPUs slow each other in nothing,\n' \
			"$(bench_span "${f}_two")"
		printf '2 when they share one core: the host the -j 2 figures were'
		printf ' made on).\n\n'
		printf '| job | -j 1 ratio | s | <= | result | -j 2 ratio | s | <= | result |\n'
		printf '|---|---:|---:|---:|---|---:|---:|---:|---|\n'
		for p in "${PROGS[@]}"; do
			printf '| %s ' "${PNAME[$p]}"
			for j in 1 2; do
				k=${f}_${p}_$j
				if has_j "$p" "$j"; then
					r=$(med "$k" 1)
					printf '| %s (%s) | %s | %s | %s ' "$r" \
						"$(bench_span "$k")" "$(bench_median "$k" 2 3)" \
						"${TGT[$p.$j]}" "${V[$k]}"
				else
					printf '| n/a | | %s | n/a ' "${TGT[$p.$j]}"
				fi
			done
			printf '|\n'
		done
		if [ "$DUCK" = 1 ]; then
			for d in copy group; do
				for w in q whole; do
					if [ $d = copy ]; then
						printf '| DuckDB copy'
					else
						printf '| DuckDB group-by QIs'
					fi
					if [ $w = q ]; then
						printf ', query '
					else
						printf ', whole process '
					fi
					for j in 1 2; do
						k=d${f}_${d}_$j
						[ $w = q ] && k=${k}_q
						printf '| %s (%s) | %s | | ' "$(med "$k" 1)" \
							"$(bench_span "$k")" "$(bench_median "$k" 2 3)"
					done
					printf '|\n'
				done
			done
		fi
		printf '\n'
	done
	printf '| peak RSS, KiB (people) | 100k | 1M | 1M <= 1.10 x 100k + 2048 |\n'
	printf '|---|---:|---:|---|\n'
	for p in "${PROGS[@]}"; do
		for j in 1 2; do
			if ! has_j "$p" "$j"; then
				printf '| %s -j %s | n/a | n/a | n/a |\n' "${PNAME[$p]}" "$j"
				continue
			fi
			a=${RSS_OF[$p.$j.100000]} b=${RSS_OF[$p.$j.1000000]}
			v='reported'
			case $p in
			pass | anon) check v "$b <= 1.10 * $a + 2048" ;;
			esac
			printf '| %s -j %s | %s | %s | %s |\n' "${PNAME[$p]}" "$j" \
				"$a" "$b" "$v"
		done
	done
	printf '\n'
} >"$REPORT"

bench_append speed
