#!/usr/bin/env bash
# tests/stress/ledger.sh [ROUNDS]: stress the privacy budget ledger
# (libprep/ledger.c) with SIGKILL and concurrency. Run by make stress
# (STRESS_ROUNDS=N), not by make check: it takes minutes.
#
# Builds a small driver against libprep.a, then:
#  1. kill: ROUNDS times (default 300), start a run that charges in a loop
#     and appends one byte to a file after each charge returned PREP_OK,
#     SIGKILL it after a random 0-9 ms, and check that the ledger parses
#     (the library's reader, and an independent grep of the grammar of
#     prep-ledger(5)) and that it gained the reported charges or one more,
#     never fewer;
#  2. kill4: ROUNDS/5 times, four such runs at once, all killed together:
#     the ledger gained between the reported charges and four more;
#  3. big: ROUNDS/2 times, as 1 with lines of 900 kB, so that a kill may
#     tear the line inside its one write(2): the next charge must cut the
#     torn tail off, and the counts hold as in 1;
#  4. race: ROUNDS/10 times, 16 runs released together, each charging
#     epsilon 1 against budget 10 on a fresh dataset: exactly 10 succeed.
# Environment: CC (default cc); LIBPREP, the library to link (default
# build/libprep.a, which make builds) and LDLIBS, the libraries it needs
# (default: those of the Makefile); LEDGER_DIR (default: a mktemp -d; put
# it on the file system whose behaviour you want to see, not tmpfs).
set -u
export LC_ALL=C
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-300}
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
dir=${LEDGER_DIR:-$tmp}
ledger="$dir/ledger.stress.$$"
rm -f "$ledger"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# The driver: drv charge|loop|query LEDGER DATASET [BUDGET EPS [STARTFILE]]
cat >"$tmp/drv.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ledger.h"
int
main(int argc, char **argv)
{
	prep_ledger_charge c = {0};
	prep_ledger_state st;
	prep_where w = {0};
	prep_status s;

	if (argc < 4)
		return 9;
	if (strcmp(argv[1], "query") == 0) {
		s = prep_ledger_query(argv[2], argv[3], &st, &w);
		if (s != PREP_OK) {
			fprintf(stderr, "drv: %s:%lu: field %zu: %s\n", argv[2],
				w.line, w.field, prep_strerror(s));
			return 2;
		}
		printf("%lu %.17g %.17g\n", st.entries, st.spent, st.budget);
		return 0;
	}
	if (argc < 6)
		return 9;
	c.dataset = argv[3];
	c.budget = strtod(argv[4], NULL);
	c.epsilon = strtod(argv[5], NULL);
	c.tool = "stress";
	c.args = "charge \"in a loop\"\n\\";
	if (getenv("ARGS_BYTES")) { /* a long line, to be torn by the kill */
		size_t n = strtoul(getenv("ARGS_BYTES"), NULL, 10);
		char *a = malloc(n + 1);

		if (a == NULL)
			return 9;
		memset(a, 'a', n);
		a[n] = '\0';
		c.args = a;
	}
	if (argc > 6) /* wait for the start signal */
		while (access(argv[6], F_OK) != 0)
			usleep(200);
	do {
		s = prep_ledger_charge_run(argv[2], &c, NULL, &w);
		if (s == PREP_ERR_BUDGET)
			return 1;
		if (s != PREP_OK) {
			fprintf(stderr, "drv: %s:%lu: %s (%s)\n", argv[2],
				w.line, prep_strerror(s), strerror(errno));
			return 2;
		}
		if (write(1, "x", 1) != 1)
			return 3;
	} while (strcmp(argv[1], "loop") == 0);
	return 0;
}
EOF
W=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror)
lib=${LIBPREP:-$root/build/libprep.a}
[ -f "$lib" ] || fail "$lib: no such file (make builds it; or make stress)"
libs=${LDLIBS:-"-lcsv $(pkg-config --libs libcrypto zlib libpcre2-8 \
	jansson 2>/dev/null) -lm -pthread"}
# shellcheck disable=SC2086 # libs is a list of words
${CC:-cc} "${W[@]}" -O2 -iquote "$root/libprep" -o "$tmp/drv" "$tmp/drv.c" \
	"$lib" $libs || fail "driver does not build"
drv="$tmp/drv"

# The grammar of an entry (prep-ledger(5)), checked apart from the C reader.
num='[0-9.eE+-]+'
entry="^[[:blank:]]*[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
entry+="[[:blank:]]+dataset=[A-Za-z0-9._:/@+-]+[[:blank:]]+budget=${num}"
entry+="[[:blank:]]+epsilon=${num}[[:blank:]]+delta=${num}"
entry+="[[:blank:]]+tool=[A-Za-z0-9._+-]+"
entry+='[[:blank:]]+args="([^"\\[:cntrl:]]|\\["\\ntr]|\\x[0-9A-Fa-f]{2})*"'
entry+='[[:blank:]]*$'
torn_seen=0

# Check the ledger; set count to the entries of dataset $1 that count.
check() {
	local ds=$1 q n tail=0 body="$tmp/body"
	count=0
	[ -s "$ledger" ] || return 0
	q=$("$drv" query "$ledger" "$ds") || fail "the ledger does not parse"
	if [ "$(tail -c 1 "$ledger" | od -An -c | tr -d ' ')" != '\n' ]; then
		# A last line without a newline: torn, or a whole entry.
		torn_seen=$((torn_seen + 1))
		sed '$d' "$ledger" >"$body"
		tail -n 1 "$ledger" | grep -qE "$entry" &&
			tail -n 1 "$ledger" | grep -q " dataset=$ds " && tail=1
	else
		cp "$ledger" "$body"
	fi
	n=$(grep -vE '^[[:blank:]]*(#.*)?$' "$body" | grep -cvE "$entry")
	[ "$n" -eq 0 ] || fail "$n lines break the grammar"
	n=$(grep -cE " dataset=$ds " "$body")
	n=$((n + tail))
	[ "${q%% *}" -eq "$n" ] || fail "reader counts ${q%% *}, grep $n"
	count=$n
}

ms() { # a random pause of 0 to $1-1 ms
	sleep "$(printf '0.%03d' $((RANDOM % $1)))"
}

# 1. One looping run, killed at random moments.
before=0 total=0 extra=0
for ((r = 0; r < rounds; r++)); do
	: >"$tmp/ok"
	"$drv" loop "$ledger" k 1e12 1 >>"$tmp/ok" &
	pids=($!)
	ms 10
	kill -9 "${pids[0]}"
	wait "${pids[0]}" 2>/dev/null
	pids=()
	reported=$(wc -c <"$tmp/ok")
	check k
	after=$count
	d=$((after - before))
	[ $d -eq "$reported" ] || [ $d -eq $((reported + 1)) ] ||
		fail "kill round $r: $d new entries, $reported reported"
	extra=$((extra + d - reported))
	total=$((total + reported))
	before=$after
done
echo "kill: $rounds rounds, $total charges reported, $before entries" \
	"($extra written but not reported)," \
	"$torn_seen checks found a torn last line"
[ "$total" -gt 0 ] || fail "no charge ever succeeded"

# 2. Four looping runs at once, all killed.
rounds4=$((rounds / 5))
total=0 extra=0 torn_seen=0
for ((r = 0; r < rounds4; r++)); do
	pids=()
	for i in 0 1 2 3; do
		: >"$tmp/ok$i"
		"$drv" loop "$ledger" m 1e12 0.5 >>"$tmp/ok$i" &
		pids+=($!)
	done
	ms 20
	kill -9 "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null
	pids=()
	reported=$(cat "$tmp"/ok[0-3] | wc -c)
	check m
	after=$count
	d=$((after - ${before4:-0}))
	if [ $d -lt "$reported" ] || [ $d -gt $((reported + 4)) ]; then
		fail "kill4 round $r: $d new entries, $reported reported"
	fi
	extra=$((extra + d - reported))
	total=$((total + reported))
	before4=$after
done
echo "kill4: $rounds4 rounds of 4 runs, $total charges reported," \
	"${before4:-0} entries ($extra written but not reported)," \
	"$torn_seen checks found a torn last line"

# 3. Lines of 900 kB, so that the kill may land inside the one write(2)
# and leave a torn line, which the next charge must cut off.
main_ledger=$ledger
ledger="$dir/ledger.stress-big.$$"
rm -f "$ledger"
roundsb=$((rounds / 2))
total=0 extra=0 torn_seen=0 before=0
for ((r = 0; r < roundsb; r++)); do
	if [ -f "$ledger" ] && [ "$(wc -c <"$ledger")" -gt 3000000 ]; then
		rm -f "$ledger"
		before=0
	fi
	: >"$tmp/ok"
	ARGS_BYTES=900000 "$drv" loop "$ledger" big 1e12 1 >>"$tmp/ok" &
	pids=($!)
	ms 30
	kill -9 "${pids[0]}"
	wait "${pids[0]}" 2>/dev/null
	pids=()
	reported=$(wc -c <"$tmp/ok")
	check big
	d=$((count - before))
	[ $d -eq "$reported" ] || [ $d -eq $((reported + 1)) ] ||
		fail "big round $r: $d new entries, $reported reported"
	extra=$((extra + d - reported))
	total=$((total + reported))
	before=$count
done
echo "big: $roundsb rounds, $total charges reported," \
	"$extra written but not reported," \
	"$torn_seen checks found a torn last line"
rm -f "$ledger"
ledger=$main_ledger

# 4. Sixteen runs at once against budget 10.
race=$((rounds / 10))
[ $race -ge 1 ] || race=1
for ((r = 0; r < race; r++)); do
	rm -f "$tmp/go"
	pids=()
	for ((i = 0; i < 16; i++)); do
		"$drv" charge "$ledger" "race$r" 10 1 "$tmp/go" >/dev/null &
		pids+=($!)
	done
	touch "$tmp/go"
	ok=0 refused=0
	for p in "${pids[@]}"; do
		wait "$p"
		case $? in
		0) ok=$((ok + 1)) ;;
		1) refused=$((refused + 1)) ;;
		*) fail "race round $r: a run failed" ;;
		esac
	done
	pids=()
	if [ $ok -ne 10 ] || [ $refused -ne 6 ]; then
		fail "race round $r: $ok charged, $refused refused"
	fi
	check "race$r"
	[ "$count" -eq 10 ] || fail "race round $r: $count entries, not 10"
done
echo "race: $race rounds of 16 runs against budget 10: 10 charged each time"
echo "ledger stress: all passed ($(wc -l <"$ledger") lines," \
	"$(wc -c <"$ledger") bytes)"
rm -f "$ledger"
