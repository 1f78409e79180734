#!/usr/bin/env bash
# tests/man/examples.sh BINDIR PAGE...: run the examples of man pages and
# compare what they print with what the pages show.
#
# An example is a command in a .Bd -literal block: a line beginning with
# "$ ", continued, as a terminal reads it, while the shell input is
# incomplete: after a line ending in a backslash (\e in roff), or in a
# pipe, && or ||, inside an open quote, $( ), { } or the like, or before
# the end of a here-document (bash -n decides). Every following line of
# the block, up to the next "$ " line or .Ed, is its expected output:
# standard output and standard error together (2>&1, as a terminal shows
# them), compared exactly, the last line included with its newline.
# Roff escapes are read back to text: \e is \, \- is -, \& is nothing,
# \(aq ' \(dq " \(ga ` \(ti ~ \(ha ^ \(rs \ \(at @; any other escape, and
# any macro line inside a block, is an error, so nothing is compared
# against text the page does not print.
#
# Blocks without a "$ " line (program text, crontab lines, messages) are
# not examples and are skipped. A block whose commands cannot run here
# (they name files that are not in testdata/, a key in $HOME, a ledger
# with dates) is marked by this roff comment on the line right before its
# .Bd:
#
#	.\" example: not run
#
# Its commands are still parsed (bash -n). A marker not followed by a
# block with a "$ " line is an error.
#
# The commands of one page run in order, in one bash process (so a file
# an example writes, a variable it exports, is there for the next), with
# the standard input /dev/null, in a fresh directory holding only a
# symlink testdata -> the repository's testdata/, with BINDIR first in
# PATH, HOME that directory, LC_ALL=C and no PREP_* variables.
#
# Exit status: a command that shows no output must exit 0 (and print
# nothing); one that shows output must exit 0 or 1 (1 is the filters'
# "a check failed", whose message the output shows). Anything else (a
# usage or input error, 2; a command not found, 127; a signal) fails.
#
# Output must not depend on timing: a command that writes to the
# standard error when it ends must not be cut short by head(1) (it may or
# may not live to write it); write to a file and show the file instead.
#
# Each mismatch is reported with the page, the line, the command and a
# diff (-expected +actual); the exit status is 1 if any example failed,
# 2 on a usage error or a malformed page (tests/man/selftest.sh tests
# this script).
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 BINDIR PAGE..." >&2
	exit 2
fi
bindir=$(cd "$1" && pwd) || exit 2
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
marker='.\" example: not run'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Clean environment for the examples: keep only what a sanitizer build
# needs besides the basics.
envs=(PATH="$bindir:/usr/local/bin:/usr/bin:/bin" LC_ALL=C)
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!v+x}" ] && envs+=("$v=${!v}")
done

# unroff TEXT: the characters a literal block line prints, in $REPLY;
# returns 1 on an escape not handled here.
unroff() {
	local s=$1 out="" c
	while [[ $s == *\\* ]]; do
		out+=${s%%\\*}
		s=${s#*\\}
		case $s in
		e*) out+="\\"; s=${s:1} ;;
		-*) out+='-'; s=${s:1} ;;
		\&*) s=${s:1} ;;
		'(aq'*) out+="'"; s=${s:3} ;;
		'(dq'*) out+='"'; s=${s:3} ;;
		'(ga'*) out+='`'; s=${s:3} ;;
		'(ti'*) out+='~'; s=${s:3} ;;
		'(ha'*) out+='^'; s=${s:3} ;;
		'(rs'*) out+="\\"; s=${s:3} ;;
		'(at'*) out+='@'; s=${s:3} ;;
		*) c=${s:0:3}; REPLY="\\$c"; return 1 ;;
		esac
	done
	REPLY=$out$s
}

# incomplete TEXT: true when a shell would prompt for more input.
incomplete() {
	[[ $1 == *\\ ]] && return 0
	bash -n <<<"$1" 2>&1 |
		grep -q 'unexpected end of file\|unexpected EOF\|here-document'
}

nfail=0
nrun=0
nskip=0
nskipblocks=0
bad_page() {
	echo "ERROR $1" >&2
	exit 2
}

for page in "$@"; do
	name=${page#"$root/"}
	[ -f "$page" ] || bad_page "$page: no such file"
	# Parse the page into the examples to run: cmd[i], want[i],
	# where[i] (its line), and the unrun commands to parse only.
	cmd=() want=() where=() unrun=() unrun_where=()
	inblock=0 pending=0 blockrun=1 cur=-1 cont=0 ln=0 ndollar=0 bstart=0 pretext=0
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		if [ "$line" = "$marker" ]; then
			[ $inblock -eq 1 ] && bad_page "$name:$ln: marker inside a block"
			pending=$ln
			continue
		fi
		if [[ $line == .Bd* ]]; then
			[ $inblock -eq 1 ] && bad_page "$name:$ln: .Bd inside a block"
			if [[ $line == *-literal* ]]; then
				inblock=1 bstart=$ln ndollar=0 cur=-1 cont=0 blockrun=1 pretext=0
				if [ $pending -gt 0 ]; then
					blockrun=0 nskipblocks=$((nskipblocks + 1))
				fi
			elif [ $pending -gt 0 ]; then
				bad_page "$name:$pending: marker before a block that is not -literal"
			fi
			pending=0
			continue
		fi
		if [ $pending -gt 0 ]; then
			bad_page "$name:$pending: marker not right before a .Bd"
		fi
		[ $inblock -eq 1 ] || continue
		if [[ $line == .Ed* ]]; then
			[ $cont -eq 1 ] && bad_page "$name:$ln: command not complete at .Ed"
			if [ $blockrun -eq 0 ] && [ $ndollar -eq 0 ]; then
				bad_page "$name:$bstart: block marked not run has no \$ command"
			fi
			inblock=0
			continue
		fi
		[[ $line == '.\"'* ]] && continue
		[[ $line == [.\']* ]] &&
			bad_page "$name:$ln: macro line inside a literal block: $line"
		unroff "$line" || bad_page "$name:$ln: roff escape $REPLY not handled"
		text=$REPLY
		if [ $cont -eq 1 ]; then
			if [ $blockrun -eq 1 ]; then
				cmd[cur]+=$'\n'$text
				incomplete "${cmd[cur]}" || cont=0
			else
				unrun[cur]+=$'\n'$text
				incomplete "${unrun[cur]}" || cont=0
			fi
		elif [[ $text == '$ '* ]]; then
			[ $pretext -gt 0 ] &&
				bad_page "$name:$pretext: text before the first \$ command of a block"
			ndollar=$((ndollar + 1))
			text=${text#'$ '}
			if [ $blockrun -eq 1 ]; then
				cur=${#cmd[@]}
				cmd[cur]=$text want[cur]="" where[cur]=$ln
				incomplete "$text" && cont=1
			else
				cur=${#unrun[@]}
				unrun[cur]=$text unrun_where[cur]=$ln
				incomplete "$text" && cont=1
			fi
		elif [ "$cur" -ge 0 ] && [ $blockrun -eq 1 ]; then
			want[cur]+=$text$'\n'
		elif [ $ndollar -eq 0 ] && [ $pretext -eq 0 ]; then
			pretext=$ln # a block of text, unless a "$ " line follows
		fi
	done <"$page"
	[ $inblock -eq 1 ] && bad_page "$name: .Bd without .Ed"
	[ $pending -gt 0 ] && bad_page "$name:$pending: marker not right before a .Bd"

	for i in "${!unrun[@]}"; do
		if ! err=$(bash -n <<<"${unrun[i]}" 2>&1); then
			echo "FAIL $name:${unrun_where[i]}: \$ ${unrun[i]}"
			echo "  does not parse: $err"
			nfail=$((nfail + 1))
		fi
		nskip=$((nskip + 1))
	done
	[ ${#cmd[@]} -eq 0 ] && continue

	work="$tmp/work" res="$tmp/res"
	rm -rf "$work" "$res"
	mkdir -p "$work" "$res"
	ln -s "$root/testdata" "$work/testdata"
	script="$tmp/script"
	{
		# $? after an example is that example's status, as in a
		# terminal: __status gives it back after the bookkeeping.
		printf 'cd %q || exit 2\n' "$work"
		# shellcheck disable=SC2016 # expanded by the script, not here
		printf '__status() { return "$1"; }\n'
		for i in "${!cmd[@]}"; do
			printf '{ %s\n} >%q 2>&1\n' "${cmd[i]}" "$res/$i"
			# shellcheck disable=SC2016
			printf '__s=$?; echo $__s >%q; __status $__s\n' "$res/$i.rc"
		done
	} >"$script"
	env -i "${envs[@]}" HOME="$work" TMPDIR="$work" \
		timeout 60 bash "$script" </dev/null >"$tmp/script.out" 2>&1
	st=$?
	for i in "${!cmd[@]}"; do
		nrun=$((nrun + 1))
		why=""
		if [ -f "$res/$i" ] && [ ! -f "$res/$i.rc" ]; then
			why="the shell ended in this command, status $st"
			[ $st -eq 124 ] && why="timed out (60 s for the page)"
		elif [ ! -f "$res/$i.rc" ]; then
			why="not run: the shell ended before it"
			[ -s "$tmp/script.out" ] && why+=": $(head -c 500 "$tmp/script.out")"
		else
			rc=$(cat "$res/$i.rc")
			printf %s "${want[i]}" >"$tmp/want"
			if ! cmp -s "$tmp/want" "$res/$i"; then
				why="output differs (-expected +actual):"$'\n'
				why+=$(diff -u --label expected --label actual \
					"$tmp/want" "$res/$i" | tail -n +3 | head -n 40)
			fi
			if [ -z "${want[i]}" ] && [ "$rc" -ne 0 ]; then
				why="exit status $rc with no output shown${why:+; $why}"
			elif [ "$rc" -gt 1 ]; then
				why="exit status $rc${why:+; $why}"
			fi
		fi
		if [ -n "$why" ]; then
			nfail=$((nfail + 1))
			echo "FAIL $name:${where[i]}: \$ ${cmd[i]}"
			printf '%s\n' "$why" | sed 's/^/  /'
		fi
	done
done
printf 'man page examples: %d commands run, %d failed; %d blocks (%d commands) marked not run\n' \
	"$nrun" "$nfail" "$nskipblocks" "$nskip"
[ $nfail -eq 0 ]
