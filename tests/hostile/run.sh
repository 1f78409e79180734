#!/usr/bin/env bash
# tests/hostile/run.sh BINDIR: hostile-input sweep, signals and full disks.
#
# Part 1 makes hostile inputs deterministically in a temporary directory
# (printf, awk with srand(N), head, tr, gzip: no /dev/urandom; python3
# only for the keys that collided under the old table hash)
# and runs every filter of BINDIR on every one of them, with several sets
# of arguments, and on hostile files given to the options that read files
# (anonymize -p, --key-file and hierarchy:FILE:LEVEL, dpnoise --ledger and
# --keys, validate -s). Each run must:
#   - end with exit status 0, 1 or 2: never a signal, never a hang
#     (timeout 60 s; 124 is a failure), never a sanitizer report;
#   - on exit 2, print a line starting with "TOOL: " on standard error;
#   - never print the planted secret SECRETVALUE123 on standard error,
#     and never flood it (at most 64 KiB);
#   - stay under 1 GiB of address space (ulimit -v), so that unbounded
#     memory shows as an allocation failure ("out of memory" is a failure
#     here). ASan builds reserve terabytes of address space: the limit is
#     skipped for them (HOSTILE_NO_VLIMIT=1, or a binary that contains
#     __asan_init).
# Part 2 interrupts every filter with SIGINT and SIGTERM (and three of
# them with SIGQUIT, SIGPIPE, SIGXFSZ, SIGHUP, SIGALRM) while it is
# blocked on a FIFO, and checks the status (128 + the signal), that the
# -o target is untouched, that nothing is left beside it and that the
# private $TMPDIR holds no spool; it names a FIFO with a reader as every
# filter's -o (and validate's --rejects and --manifest): exit 2 at once,
# nothing sent; then it writes every filter's output to /dev/full
# (standard output and -o), which must be exit 2 with a message naming
# the problem, never exit 0.
#
# One line per failure: tool, input, arguments, exit status, head of
# stderr; then "hostile: N runs, M failed". Exit 1 when anything failed.
# HOSTILE_VERBOSE=1 lists every run of part 1 (tool, input, status, time,
# last line of stderr) and what each interrupted filter held open;
# HOSTILE_PART=1 or 2 runs one part only;
# HOSTILE_TIMEOUT changes the 60 s bound; HOSTILE_JOBS (default 2) is
# the number of parallel workers of the data sweep.
# (ls is read only for names this script or the filters chose)
# shellcheck disable=SC2010,SC2012
set -u
[ $# -eq 1 ] || { echo "usage: run.sh BINDIR" >&2; exit 2; }
bindir=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd) || exit 2
export LC_ALL=C
unset PREP_KEY_FILE PREP_PROGRESS
tools="anonymize kcheck kanon dpnoise reweight fairness oversample validate profile drift"
for t in $tools; do
	[ -x "$bindir/$t" ] || { echo "run.sh: no $bindir/$t" >&2; exit 2; }
done

tmp=$(mktemp -d) || exit 2
# (only in this shell: a subshell may run the trap before it resets it)
trap '[ "$BASHPID" = "$$" ] && rm -rf "$tmp"' EXIT
in=$tmp/in
work=$tmp/work
spool=$tmp/spool
mkdir -p "$in" "$work" "$spool"
export TMPDIR=$spool
timeout_s=${HOSTILE_TIMEOUT:-60}
secret=SECRETVALUE123

vlimit=$((1024 * 1024)) # KiB: 1 GiB of address space
if [ -n "${HOSTILE_NO_VLIMIT:-}" ] || grep -q __asan_init "$bindir/anonymize"
then
	vlimit=
fi
# A sanitizer's report must not look like exit 1 (their default status).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"

# Background jobs of a script start with SIGINT and SIGQUIT ignored, and
# a run under nohup(1) with SIGHUP ignored; give the filters the default
# disposition of every signal, as an interactive shell would.
defsig=()
env --default-signal true 2>/dev/null &&
	defsig=(env --default-signal)

runs=0
failed=0
slowest=0
slowest_what=
fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$*"
}
# Microseconds since the epoch.
now_us() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		echo "${EPOCHREALTIME/./}"
	else
		echo $(($(date +%s%N) / 1000))
	fi
}
# Where check() puts a run's output (one pair per sweep worker).
outf=$tmp/out
errf=$tmp/err
errhead() { head -c 300 "$errf" | tr -c '[:print:]' ' '; }

# ---------------------------------------------------------------------
# Inputs.

# rnd N SEED [ALPHABET]: N deterministic pseudo-random bytes, of any value
# or drawn from the bytes of ALPHABET.
rnd() {
	awk -v n="$1" -v seed="$2" -v alpha="${3:-}" 'BEGIN {
		srand(seed)
		if (alpha == "") {
			for (i = 0; i < 256; i++)
				c[i] = sprintf("%c", i)
			m = 256
		} else {
			m = split(alpha, a, "")
			for (i = 0; i < m; i++)
				c[i] = a[i + 1]
		}
		for (i = 0; i < n; i++)
			printf "%s", c[int(rand() * m)]
	}'
}
# rep N CHAR: N copies of one byte.
rep() { head -c "$1" /dev/zero | tr '\0' "$2"; }
# The bytes that make CSV trouble (awk can't hold a NUL in a string).
csvchars=$(printf 'ab,,"\r\n\n\344\377xyz;1 \t\200\301')

gen_inputs() {
	# Data: each becomes the input of every filter, with every argument set.
	rnd 1024 1 >"$in/rand-1k"
	rnd 65536 2 >"$in/rand-64k"
	rnd 1048576 3 >"$in/rand-1m"
	{ printf 'g,y,x\n'; rnd 65536 4; } >"$in/header-then-rand"
	{ printf 'g,y,x\n'; rnd 262144 5 "$csvchars$secret"; } \
		>"$in/rand-csv-chars"
	{ printf '\037\213\010\000'; rnd 4096 6; } >"$in/gzip-magic-rand"
	printf 'g,y,x\n1,0,a\0b\n2,1,%s\0\n' "$secret" >"$in/nul-in-field"
	printf 'g,y,x\n1,0,a\n\0\0\0\0\n2,1,%s\n' "$secret" >"$in/nul-line"
	printf 'g\0,y,x\n1,0,%s\n' "$secret" >"$in/nul-in-header"
	printf 'g,y,x\n1,0,"%s\0"\n' "$secret" >"$in/nul-in-quotes"
	awk -v s="$secret" 'BEGIN { print "g,y,x"
		for (i = 0; i < 20000; i++) print i % 7 "," i % 2 "," s i }' |
		gzip -c >"$tmp/ok.gz"
	head -c $(($(wc -c <"$tmp/ok.gz") / 2)) "$tmp/ok.gz" >"$in/gzip-truncated"
	# 200 MB of NULs after a header, compressed to 900 KB.
	{ printf 'g,y,x\n'; head -c 200M /dev/zero; } | gzip -1 -c \
		>"$in/gzip-bomb-200m"
	# A row whose last field never ends: 50 MB of 'x', compressed.
	{ printf 'g,y,x\n1,0,'; rep 50000000 x; } | gzip -1 -c \
		>"$in/gzip-bomb-field"
	printf 'g,y,x\n\377\376,0,%s\n\300\257,1,\355\240\200\n' "$secret" \
		>"$in/invalid-utf8"
	printf '\377g\300,y,x\n1,0,%s\n' "$secret" >"$in/invalid-utf8-header"
	{ printf 'g,y,x\n1,0,'; rep 50000000 x; printf '\n'; } >"$in/field-50m"
	{ printf 'g,y,x\n1,0,"'; rep 50000000 x; printf '"\n'; } \
		>"$in/quoted-field-50m"
	for n in 100000 100001; do
		awk -v n=$n -v s="$secret" 'BEGIN {
			for (r = 0; r < 3; r++)
				for (i = 1; i <= n; i++) {
					v = r == 0 ? "c" i : (i == 3 ? s : (i + r) % 2)
					printf "%s%s", v, i < n ? "," : "\n"
				}
		}' >"$in/columns-$n"
	done
	{ printf 'g,y,x\n1,0,"%s' "$secret"; rep 1000000 x; } \
		>"$in/unclosed-quote-1m"
	{ printf 'g,y,x\n1,0,"'; rep 1000000 '"'; printf '"\n'; } \
		>"$in/quote-pairs-1m"
	# A field of 1 MB of text that looks like e-mails, phones, cards.
	{ printf 'g,y,x\n1,0,"'; rnd 1000000 12 "0123456789 -.@()+ab"
	  printf '"\n'; } >"$in/pii-chars-1m"
	# Names repeated: a list naming g, y or x must not mean the first.
	printf 'g,y,g,x,x\n1,0,%s,a,b\n2,1,c,%s,d\n' "$secret" "$secret" \
		>"$in/duplicate-names"
	awk -v s="$secret" 'BEGIN { for (r = 0; r < 3; r++)
		for (i = 1; i <= 5000; i++) {
			v = r == 0 ? (i % 2 ? "g" : "y") : s i
			printf "%s%s", v, i < 5000 ? "," : "\n"
		} }' >"$in/duplicate-names-5000"
	# Keys that all collided under the old table hash (2^16 rows): the
	# one input made by a script, not here (testdata/hash-flood.py
	# documents the construction); kept out of $in, it is not for the
	# sweep of every filter with every argument set.
	python3 "$here/../../testdata/hash-flood.py" 16 --label \
		>"$tmp/hash-flood" || exit 2
	printf 'g,y,x\n' >"$in/header-only"
	printf 'g,y,x' >"$in/header-only-no-eol"
	: >"$in/empty"
	printf '\n\n\n' >"$in/blank-lines"
	printf 'g,y,x\r1,0,%s\r2,1,b\r' "$secret" >"$in/cr-only"
	printf 'g,y,x\r\n1,0,a\r2,1,%s\n\r\n' "$secret" >"$in/cr-mixed"
	rnd 5000000 7 "abcdefghijklmnopqrstuvwxyz" >"$in/long-line-5m-no-delim"
	{ printf 'g,y,x\n'; rnd 900000 8 "abcdefghij"; printf '\n'; } \
		>"$in/long-line-900k-no-delim"
	# Many tiny rows, every value distinct in the group and class columns.
	awk -v s="$secret" 'BEGIN { print "g,y,x"
		for (i = 0; i < 100000; i++) print s i "," s i "," i }' \
		>"$in/distinct-100k"

	# Files for the options that read files (not data: kept in $tmp).
	rnd 65536 9 >"$tmp/bin-64k"
	rnd 32 10 >"$tmp/bin-32"
	printf '1 drop\n2 keep\n3 redact:\0x\n' >"$tmp/policy-nul"
	{ printf '1 redact:'; rep 5000000 a; printf '\n'; } >"$tmp/policy-long"
	awk 'BEGIN { for (i = 0; i < 200000; i++) print "1,2,3 keep" }' \
		>"$tmp/policy-many"
	# Hierarchies: 99,999 levels (100,000 fields, the reader's cap), one
	# more, 1,000,000 rows, a 50 MB field.
	for n in 99999 100000; do
		awk -v n=$n 'BEGIN { for (r = 0; r < 4; r++) { printf "g%d", r
			for (i = 1; i <= n; i++) printf ";L%d", i
			printf "\n" } }' >"$tmp/hier-levels-$n"
	done
	awk 'BEGIN { for (i = 0; i < 1000000; i++)
		print "g" i ";" int(i / 10) ";*" }' >"$tmp/hier-1m-rows"
	{ printf 'g0;'; rep 50000000 y; printf '\n'; } >"$tmp/hier-field-50m"
	# Ledgers.
	{ printf '# prep ledger v1\n'; rnd 4096 11; } >"$tmp/ledger-corrupt"
	{ printf '# prep ledger v1\n2026-01-01T00:00:00Z dataset=d budget=5'
	  printf ' epsilon=1 delta=0 tool=dpnoise args="'; rep 5000000 a
	  printf '"\n'; } >"$tmp/ledger-long-line"
	{ printf '# prep ledger v1\n'
	  printf '2026-01-01T00:00:00Z dataset=d budget=5 epsilon=1 '
	  printf 'delta=0 tool=dpnoise args="\0"\n'; } >"$tmp/ledger-nul"
	awk 'BEGIN { print "# prep ledger v1"
		for (i = 0; i < 100000; i++) print "2026-01-01T00:00:00Z " \
		    "dataset=d" i " budget=5 epsilon=1 delta=0 tool=dpnoise args=\"\"" }' \
		>"$tmp/ledger-100k-lines"
	{ printf '# prep ledger v1\n'
	  printf '2026-01-01T00:00:00Z dataset=d budget=5 epsilon=1e308 '
	  printf 'delta=0 tool=dpnoise args=""\n'
	  printf '2026-01-01T00:00:00Z dataset=d budget=5 epsilon=1e308 '
	  printf 'delta=0 tool=dpnoise args=""\n'; } >"$tmp/ledger-overflow"
	# Last lines without a newline: in no shape the ledger writes (an
	# error that must leave the file as it was), or cut short in a number
	# (a torn line, ignored).
	e1='2026-01-01T00:00:00Z dataset=d budget=5 epsilon=1 delta=0'
	{ printf '# prep ledger v1\n%s tool=dpnoise args=""\n' "$e1"
	  printf '%s tool=manual args=x' "$e1"; } >"$tmp/ledger-tail-hand"
	{ printf '# prep ledger v1\n%s tool=dpnoise args=""\n' "$e1"
	  printf '# %s' "$secret"; } >"$tmp/ledger-tail-comment"
	{ printf '# prep ledger v1\n%s tool=dpnoise args=""\n%s' "$e1" "$secret"
	  rnd 4096 12 | tr -d '\n'; } >"$tmp/ledger-tail-garbage"
	{ printf '# prep ledger v1\n%s tool=dpnoise args=""\n' "$e1"
	  printf '2026-01-01T00:00:00Z dataset=d budget=5 epsilon=1'; } \
		>"$tmp/ledger-tail-torn"
	# Schemas.
	{ rep 100000 '['; rep 100000 ']'; } >"$tmp/schema-deep-array"
	{ printf '{"fields":'; awk 'BEGIN { for (i = 0; i < 100000; i++)
		printf "{\"a\":" }'; printf '1'; rep 100000 '}'; printf '}'; } \
		>"$tmp/schema-deep-object"
	{ printf '{"fields":[{"name":"g","description":"'; rep 50000000 d
	  printf '"}]}'; } >"$tmp/schema-50m"
	awk 'BEGIN { printf "{\"fields\":["
		for (i = 0; i < 100001; i++)
			printf "%s{\"name\":\"c%d\"}", i ? "," : "", i
		printf "]}" }' >"$tmp/schema-100001-fields"
	# 80,000 unique fields over data of 80,000 columns.
	awk 'BEGIN { printf "{\"fields\":["
		for (i = 1; i <= 80000; i++)
			printf "%s{\"name\":\"c%d\",\"constraints\":%s}",
			    (i > 1 ? "," : ""), i, "{\"unique\":true}"
		printf "]}" }' >"$tmp/schema-80000-unique"
	awk 'BEGIN { for (r = 0; r < 4; r++)
		for (i = 1; i <= 80000; i++)
			printf "%s%s", r ? r * i : "c" i, i < 80000 ? "," : "\n" }' \
		>"$tmp/columns-80000.csv"
	cat >"$tmp/schema-redos" <<-'EOF'
	{"fields":[{"name":"g","type":"string",
	  "constraints":{"pattern":"(a+)+$"}},
	 {"name":"y","type":"string","constraints":{"pattern":"(x|x)*y"}},
	 {"name":"x","type":"string"}]}
	EOF
	{ printf 'g,y,x\n'; rep 5000 a; printf '!,'; rep 5000 x; printf ',%s\n' \
		"$secret"; } >"$tmp/redos.csv"
	cat >"$tmp/schema-ok" <<-'EOF'
	{"fields":[{"name":"g","type":"string"},
	 {"name":"y","type":"integer"},{"name":"x","type":"string"}]}
	EOF
	printf '{"fields":[{"name":"g","constraints":{"unique":true}}]}' \
		>"$tmp/schema-unique"
	# Keys.
	rep 1048576 k >"$tmp/key-1m"
	: >"$tmp/key-empty"
	rep 32 k >"$tmp/key-ok"
	chmod 600 "$tmp"/key-* "$tmp/bin-32" "$tmp/bin-64k"
	# Small valid data every filter passes: 4 rows per (g, y).
	awk 'BEGIN { print "g,y,x"
		for (i = 0; i < 64; i++) print "g" i % 4 "," i % 2 "," i % 9 }' \
		>"$tmp/ok.csv"
}

# ---------------------------------------------------------------------
# check TOOL NAME WANT [ARG...]: one run, in $work, standard input empty.
# WANT is "any" (0, 1 or 2) or one status; when $want_re is set, standard
# error must match it too.
want_re=
check() {
	local tool=$1 name=$2 want=$3 st t0 ms why
	shift 3
	runs=$((runs + 1))
	t0=$(now_us)
	timeout -k 5 "$timeout_s" "$bindir/$tool" "$@" <"$in/empty" \
		>"$outf" 2>"$errf"
	st=$?
	ms=$((($(now_us) - t0) / 1000))
	if [ "$ms" -gt "$slowest" ]; then
		slowest=$ms
		slowest_what="$tool $name"
	fi
	# Standard error, read once: the first problem found, or nothing.
	why=$(awk -v tool="$tool: " -v st="$st" -v secret="$secret" \
	    -v re="$want_re" '
		index($0, tool) == 1 { named = 1 }
		re != "" && $0 ~ re { matched = 1 }
		index($0, secret) { leak = 1 }
		/Sanitizer|runtime error:/ { san = 1 }
		/[Oo]ut of memory|[Cc]annot allocate/ { oom = 1 }
		{ bytes += length($0) + 1 }
		END {
			if (san) print "sanitizer report"
			else if (leak) print "stderr shows the secret value"
			else if (oom) print "memory bound exceeded (out of memory)"
			else if (st == 2 && !named)
				print "exit 2 without a \"" tool "\" message"
			else if (re != "" && !matched)
				print "stderr lacks /" re "/"
			else if (bytes > 65536) print "stderr over 64 KiB"
		}' "$errf")
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		why="hang (timeout ${timeout_s}s)"
	elif [ "$st" -gt 128 ]; then
		why="killed by signal $((st - 128))"
	elif [ "$st" -gt 2 ]; then
		why="exit status $st${why:+; $why}"
	elif [ "$want" != any ] && [ "$st" -ne "$want" ]; then
		why="exit $st, expected $want${why:+; $why}"
	fi
	if [ -n "${HOSTILE_VERBOSE:-}" ]; then
		printf '%s\t%s\t%s\t%d ms\t%s\n' "$tool" "$name" "$st" "$ms" \
			"$(tail -n 1 "$errf" | head -c 150 | tr -c '[:print:]' ' ')"
	fi
	[ -n "$why" ] &&
		fail "$tool [$name] ($*): $why, status $st: $(errhead)"
	return 0
}

# The argument sets every filter runs with on every input.
variants() {
	local f=$1 name=$2
	check anonymize "$name" any -a 1:scrub "$f"
	check anonymize "$name" any --key-file "$tmp/key-ok" -a 1:encrypt \
		-a 2:hash:8 -a 3:mask "$f"
	check anonymize "$name" any -H --lazy-quotes -a 1:drop "$f"
	check kcheck "$name" any -q 1 "$f"
	check kcheck "$name" any -q 1,2 -s 3 -l 2 -t 0.5 --suppress -r "$f"
	check kanon "$name" any -q 1,2 "$f"
	check kanon "$name" any -q 1 -s 2 -l 2 -t 0.5 --max-suppress 0.5 -r "$f"
	check dpnoise "$name" any -c 1 --bounds 0:100 --epsilon 1 --seed 1 "$f"
	check dpnoise "$name" any --count --by 1 --delta 1e-6 --epsilon 1 \
		--seed 1 "$f"
	check reweight "$name" any -g 1 -y 2 "$f"
	check fairness "$name" any -g 1 -y 2 --positive 1 "$f"
	check oversample "$name" any -g 1 --seed 1 "$f"
	check oversample "$name" any -g 1 --method smote --features 2 -k 1 \
		--seed 1 "$f"
	check validate "$name" any --pii "$f"
	check validate "$name" any -H --lazy-quotes -s "$tmp/schema-ok" "$f"
	check profile "$name" any "$f"
	# (a sketch per column: 100,000 columns of them pass 1 GiB unless
	# --max-memory stops them first)
	check profile "$name" any -H --lazy-quotes -g 1 -y 2 --positive 1 \
		--max-distinct 2 --kll-k 8 --max-memory 256M "$f"
	check drift "$name" any "$f" "$f"
	check drift "$name" any -H --method psi --max-distinct 2 \
		--max-memory 256M "$f" "$f"
}

# sweep K N: the variants on every Nth input from the Kth, with counters
# of its own, reported on the last line.
sweep() {
	local f i=0
	outf=$tmp/out.$1
	errf=$tmp/err.$1
	runs=0 failed=0 slowest=0 slowest_what=
	for f in "$in"/*; do
		[ $((i++ % $2)) -eq "$1" ] && variants "$f" "${f##*/}"
	done
	printf 'STATS %d %d %d %s\n' "$runs" "$failed" "$slowest" \
		"$slowest_what"
}

part1() {
	local k p ok=$tmp/ok.csv n=${HOSTILE_JOBS:-2} r f ms what
	# The data sweep, in N parallel workers (2 cores: 2).
	for k in $(seq 0 $((n - 1))); do
		sweep "$k" "$n" >"$tmp/log.$k" &
	done
	wait
	for k in $(seq 0 $((n - 1))); do
		grep -v '^STATS ' "$tmp/log.$k"
		read -r _ r f ms what < <(grep '^STATS ' "$tmp/log.$k")
		runs=$((runs + r))
		failed=$((failed + f))
		if [ "$ms" -gt "$slowest" ]; then
			slowest=$ms
			slowest_what=$what
		fi
	done

	# Caps give a clear error, not a memory blow-up.
	want_re='^kcheck: .*--max-classes'
	check kcheck distinct-100k 2 -q 1,2 --max-classes 1000 \
		"$in/distinct-100k"
	want_re='^validate: .*--max-keys'
	check validate distinct-100k 2 -s "$tmp/schema-unique" \
		--max-keys 1000 "$in/distinct-100k"
	want_re='^[a-z]+: .*(longer than|more than)'
	check anonymize columns-100001 2 -a 1:keep "$in/columns-100001"
	check anonymize field-50m 2 -a 1:keep "$in/field-50m"
	check kcheck gzip-bomb-200m 2 -q 1 "$in/gzip-bomb-200m"
	# A header naming a column twice: refused wherever a list names it.
	want_re='^[a-z]+: .*:1: two columns are named'
	for f in duplicate-names duplicate-names-5000; do
		check anonymize "$f" 2 -a g:drop "$in/$f"
		check anonymize "$f" 2 --key-file "$tmp/key-ok" -a y:hash:16 \
			"$in/$f"
		check kcheck "$f" 2 -q g -k 2 "$in/$f"
		check dpnoise "$f" 2 -c y --bounds 0:1 --epsilon 1 --seed 1 \
			"$in/$f"
		check reweight "$f" 2 -g g -y 2 "$in/$f"
		check fairness "$f" 2 -g 1 -y y --positive 1 "$in/$f"
		check oversample "$f" 2 -g g --seed 1 "$in/$f"
	done
	want_re=
	# Colliding keys: every table keyed by them stays linear (20 s is
	# ample: under a second each here; the old hash took 28 to 53 s).
	printf '{"fields":[{"name":"q","constraints":{"unique":true}}]}' \
		>"$tmp/schema-q-unique"
	local keep=$timeout_s
	timeout_s=20
	check kcheck hash-flood 0 -q q -k 1 "$tmp/hash-flood"
	check kcheck hash-flood 0 -q q -k 1 -s y -l 1 "$tmp/hash-flood"
	check reweight hash-flood 0 -g q -y y "$tmp/hash-flood"
	check dpnoise hash-flood 0 --count --by q --keys "$tmp/hash-flood" \
		--epsilon 1 --seed 1 "$tmp/hash-flood"
	# (the keys are bytes, not UTF-8: encoding errors, exit 1)
	check validate hash-flood 1 -s "$tmp/schema-q-unique" "$tmp/hash-flood"
	check fairness hash-flood any -g q -y y --positive a "$tmp/hash-flood"
	check oversample hash-flood 0 -g q --seed 1 "$tmp/hash-flood"
	check profile hash-flood 0 --max-distinct 1000000 -g q -y y \
		--positive a --max-groups 1000000 "$tmp/hash-flood"
	check drift hash-flood 0 --max-distinct 1000000 "$tmp/hash-flood" \
		"$tmp/hash-flood"
	timeout_s=$keep
	check validate "schema-80000-unique" 0 -s "$tmp/schema-80000-unique" \
		"$tmp/columns-80000.csv"
	# A raised field cap: the 50 MB field goes through.
	check anonymize "field-50m --max-field 64M" 0 --max-field 64M \
		-a 3:scrub "$in/field-50m"

	# Files read by options.
	for p in "$tmp/bin-64k" "$tmp/policy-nul" "$tmp/policy-long" \
	    "$tmp/policy-many" /dev/zero "$tmp" "$tmp/nonexistent"; do
		check anonymize "policy ${p##*/}" any -p "$p" "$ok"
	done
	for p in "$tmp/bin-64k:1" "$tmp/hier-levels-99999:99999" \
	    "$tmp/hier-levels-100000:100000" "$tmp/hier-1m-rows:1" \
	    "$tmp/hier-field-50m:1" /dev/zero:1 "$in/gzip-bomb-200m:1" \
	    "$in/columns-100001:1" "$in/rand-csv-chars:1"; do
		check anonymize "hierarchy ${p##*/}" any \
			-a "1:hierarchy:$p" "$ok"
	done
	for p in "$tmp/bin-32" "$tmp/bin-64k" "$tmp/key-1m" "$tmp/key-empty" \
	    /dev/zero "$tmp"; do
		check anonymize "key ${p##*/}" any --key-file "$p" \
			-a 1:hash "$ok"
		check anonymize "decrypt-key ${p##*/}" any --key-file "$p" \
			--decrypt 1 "$ok"
	done
	for p in "$tmp/bin-64k" "$tmp/ledger-corrupt" "$tmp/ledger-long-line" \
	    "$tmp/ledger-nul" "$tmp/ledger-100k-lines" "$tmp/ledger-overflow" \
	    "$in/rand-csv-chars"; do
		cp "$p" "$tmp/ledger"
		check dpnoise "ledger ${p##*/}" any -c 2 --bounds 0:1 \
			--epsilon 1 --ledger "$tmp/ledger" --dataset d \
			--budget 5 "$ok"
	done
	check dpnoise "ledger directory" any -c 2 --bounds 0:1 --epsilon 1 \
		--ledger "$tmp" --dataset d --budget 5 "$ok"
	want_re='^dpnoise: .*/ledger:3: not a ledger line'
	for p in "$tmp/ledger-tail-hand" "$tmp/ledger-tail-comment" \
	    "$tmp/ledger-tail-garbage"; do
		cp "$p" "$tmp/ledger"
		check dpnoise "ledger ${p##*/}" 2 -c 2 --bounds 0:1 \
			--epsilon 1 --ledger "$tmp/ledger" --dataset d \
			--budget 5 "$ok"
		cmp -s "$p" "$tmp/ledger" ||
			fail "dpnoise [ledger ${p##*/}]: the ledger changed"
	done
	want_re=
	cp "$tmp/ledger-tail-torn" "$tmp/ledger"
	check dpnoise "ledger ledger-tail-torn" 0 -c 2 --bounds 0:1 \
		--epsilon 1 --ledger "$tmp/ledger" --dataset d --budget 5 "$ok"
	for p in "$tmp/bin-64k" "$in/rand-csv-chars" "$in/columns-100001" \
	    "$in/distinct-100k" "$in/field-50m" "$in/gzip-bomb-200m" \
	    /dev/zero; do
		check dpnoise "keys ${p##*/}" any --count --by 1 --keys "$p" \
			--epsilon 1 --seed 1 "$ok"
	done
	for p in "$tmp/bin-64k" "$tmp/schema-deep-array" \
	    "$tmp/schema-deep-object" "$tmp/schema-50m" \
	    "$tmp/schema-100001-fields" "$in/gzip-bomb-200m" /dev/zero; do
		check validate "schema ${p##*/}" any -s "$p" "$ok"
	done
	check validate "schema-redos" any -s "$tmp/schema-redos" \
		"$tmp/redos.csv"
}

# ---------------------------------------------------------------------
# Part 2: signals and full disks.

# The arguments each filter runs with on data like $tmp/ok.csv.
args_of() {
	case $1 in
	anonymize) echo "-a 1:drop" ;;
	kcheck) echo "-q 1" ;;
	kanon) echo "-q 1 -k 1" ;;
	dpnoise) echo "-q -c 2 --bounds 0:1 --epsilon 1 --seed 1" ;;
	reweight) echo "-g 1 -y 2" ;;
	fairness) echo "-q -g 1 -y 2 --positive 1" ;;
	oversample) echo "-g 1 --seed 1" ;;
	validate) echo "" ;;
	profile) echo "" ;;
	drift) echo "-q $tmp/ok.csv" ;;
	esac
}

# interrupt TOOL SIG STATUS [ARG...]: the filter reads a FIFO that gets a
# header and a row and then stays open; the signal must end it with
# STATUS, leave out.csv as it was, nothing beside it, no spool in TMPDIR.
interrupt() {
	local tool=$1 sig=$2 want=$3 d=$tmp/sig pid st i why='' left held
	shift 3
	runs=$((runs + 1))
	rm -rf "$d" "$spool"
	mkdir -p "$d" "$spool"
	echo old >"$d/out.csv"
	mkfifo "$d/in"
	(cd "$d" && exec "${defsig[@]}" "$bindir/$tool" "$@" -o out.csv in \
		2>"$tmp/err") &
	pid=$!
	# Read and write: never blocks, even if the filter dies first.
	exec 3<>"$d/in"
	printf 'g,y,x\ng1,1,%s\n' "$secret" >&3
	# Wait until the filter has opened the FIFO (at most 10 s), then until
	# it holds its output or its spool open (at most 1 s more: fairness
	# has neither before the end), so that the signal comes while it
	# works, not before it starts.
	for i in $(seq 100); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$d/in" && break
		sleep 0.1
	done
	held="FIFO only"
	for i in $(seq 10); do
		# named (.out.csv.XXXXXX) or unnamed (O_TMPFILE, "#N")
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$d/[.#]" &&
			held="temporary -o file" && break
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$spool/" &&
			held="spool" && break
		sleep 0.1
	done
	sleep 0.1
	[ -n "${HOSTILE_VERBOSE:-}" ] &&
		printf '%s\tSIG%s\t%s\theld: %s\n' "$tool" "$sig" "$*" "$held"
	kill -"$sig" "$pid"
	# A filter that ignores the signal is a failure, not a hang.
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	st=$?
	exec 3>&-
	left=$(cd "$d" && ls -A | tr '\n' ' ')
	if [ "$st" -ne "$want" ]; then
		why="exit $st, expected $want"
	elif [ "$(cat "$d/out.csv")" != old ]; then
		why="-o target changed"
	elif [ "$left" != "in out.csv " ]; then
		why="left behind: $left"
	elif [ -n "$(ls -A "$spool")" ]; then
		why="spool left in TMPDIR: $(ls -A "$spool" | tr '\n' ' ')"
	elif grep -aq "$secret" "$tmp/err"; then
		why="stderr shows the secret value"
	fi
	[ -n "$why" ] && fail "$tool [SIG$sig on FIFO] ($*): $why: $(errhead)"
	rm -rf "$d"
	return 0
}

# fifo_output TOOL OPT ARG...: TOOL ARG... OPT target, where target is
# a FIFO with a reader; the run must exit 2 naming it, the reader must
# get nothing.
fifo_output() {
	local tool=$1 opt=$2 d=$tmp/fifo st reader why=''
	shift 2
	runs=$((runs + 1))
	rm -rf "$d"
	mkdir -p "$d"
	mkfifo "$d/target"
	cat "$d/target" >"$d/got" &
	reader=$!
	(cd "$d" && timeout -k 5 10 "$bindir/$tool" "$@" "$opt" target \
		"$tmp/ok.csv" >/dev/null 2>"$tmp/err")
	st=$?
	# a writer that opens and closes ends the reader, once it has the
	# FIFO open: on a loaded machine cat may get there after the run
	# (opening read-write never blocks)
	while kill -0 "$reader" 2>/dev/null; do
		exec 4<>"$d/target"
		exec 4>&-
		sleep 0.05
	done
	wait "$reader"
	if [ "$st" -ne 2 ]; then
		why="exit $st, expected 2"
	elif [ -s "$d/got" ]; then
		why="the FIFO received $(wc -c <"$d/got") bytes"
	elif ! grep -q "^$tool: target: exists and is not a regular file" \
		"$tmp/err"; then
		why="no message naming the FIFO"
	fi
	[ -n "$why" ] && fail "$tool [FIFO $opt] ($*): $why: $(errhead)"
	rm -rf "$d"
	return 0
}

# check_full TOOL LABEL ARG...: the run writes to /dev/full, by -o or
# otherwise (standard output goes there too): exit 2, a "TOOL: " message
# that says $want_re.
check_full() {
	local tool=$1 label=$2 st why=''
	shift 2
	runs=$((runs + 1))
	timeout -k 5 "$timeout_s" "$bindir/$tool" "$@" >/dev/full \
		2>"$tmp/err" </dev/null
	st=$?
	if [ "$st" -ne 2 ]; then
		why="exit $st, expected 2"
	elif ! grep -q "^$tool: " "$tmp/err"; then
		why="no '$tool: ' message"
	elif ! grep -q "$want_re" "$tmp/err"; then
		why="message does not say '$want_re'"
	elif grep -aq "$secret" "$tmp/err"; then
		why="stderr shows the secret value"
	fi
	[ -n "$why" ] && fail "$tool [/dev/full $label] ($*): $why: $(errhead)"
	rm -rf "${work:?}"/* "$work"/.[!.]* 2>/dev/null
	return 0
}

part2() {
	local t a
	for t in $tools; do
		a=$(args_of "$t")
		# shellcheck disable=SC2086
		interrupt "$t" INT 130 $a
		# shellcheck disable=SC2086
		interrupt "$t" TERM 143 $a
	done
	# Every other signal that ends a run: QUIT (no core here), PIPE,
	# XFSZ, HUP, ALRM.
	ulimit -c 0
	# (the shell's own report of each signal goes to /dev/null)
	for sig in QUIT:131 PIPE:141 XFSZ:153 HUP:129 ALRM:142; do
		interrupt validate "${sig%:*}" "${sig#*:}" --stream \
			--rejects bad.csv
		interrupt kcheck "${sig%:*}" "${sig#*:}" -q 1 -r
		interrupt anonymize "${sig%:*}" "${sig#*:}" -a 1:drop
	done 2>/dev/null
	# Another user's FIFO named like an output: refused at once (exit 2
	# with a message), never opened, never waited on.
	for t in $tools; do
		a=$(args_of "$t")
		# shellcheck disable=SC2086
		fifo_output "$t" -o $a
	done
	fifo_output validate --rejects -o out.csv
	fifo_output validate --manifest -o out.csv
	# The gate modes, that spool the whole input, and side files.
	interrupt kcheck TERM 143 -q 1 -r
	interrupt validate INT 130 --stream --rejects bad.csv
	interrupt validate TERM 143 --manifest man.txt

	# Full disks: exit 2 naming the problem, never 0.
	want_re='No space left on device'
	for t in $tools; do
		a=$(args_of "$t")
		# shellcheck disable=SC2086
		{
			check_full "$t" stdout $a "$tmp/ok.csv"
			check_full "$t" stdout-gzip -z $a "$tmp/ok.csv"
			check_full "$t" -o -o /dev/full $a "$tmp/ok.csv"
		}
	done
	check_full kcheck report -r -o /dev/full -q 1 "$tmp/ok.csv"
	check_full kcheck json-report --json -r -q 1 "$tmp/ok.csv"
	check_full fairness json --json -g 1 -y 2 --positive 1 "$tmp/ok.csv"
	check_full drift json --json "$tmp/ok.csv" "$tmp/ok.csv"
	check_full validate report -r "$tmp/ok.csv"
	check_full validate rejects --rejects /dev/full -s "$tmp/schema-ok" \
		-o out.csv "$in/invalid-utf8"
	check_full validate manifest --manifest /dev/full -o out.csv \
		"$tmp/ok.csv"
	# A ledger must be a regular file (it is locked and appended to).
	want_re='not a regular file'
	check_full dpnoise ledger -c 2 --bounds 0:1 --epsilon 1 \
		--ledger /dev/full --dataset d --budget 5 -o out.csv \
		"$tmp/ok.csv"
	want_re=
}

# ---------------------------------------------------------------------
t0=$(date +%s)
gen_inputs
t1=$(date +%s)
cd "$work" || exit 2
[ -n "$vlimit" ] && ulimit -v "$vlimit"
[ "${HOSTILE_PART:-1}" = 2 ] || part1
t2=$(date +%s)
[ "${HOSTILE_PART:-2}" = 1 ] || part2
t3=$(date +%s)
if [ -n "$(ls -A "$spool")" ]; then
	fail "TMPDIR: spool files left: $(ls -A "$spool" | tr '\n' ' ')"
fi
printf 'hostile: %d s (inputs %d, sweep %d, signals and disks %d);' \
	$((t3 - t0)) $((t1 - t0)) $((t2 - t1)) $((t3 - t2))
printf ' slowest run %d ms (%s)%s\n' "$slowest" "$slowest_what" \
	"${vlimit:+; address space limit ${vlimit} KiB}"
printf 'hostile: %d runs, %d failed\n' "$runs" "$failed"
[ "$failed" -eq 0 ]
