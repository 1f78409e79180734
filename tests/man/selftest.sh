#!/usr/bin/env bash
# tests/man/selftest.sh: tests of tests/man/examples.sh on the pages in
# tests/man/selftest/: one that must pass (every convention of an
# example once), and ones that must fail, each for one reason, with the
# status and the message expected.
set -u
here=$(cd "$(dirname "$0")" && pwd)
fail=0
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT

# expect PAGE STATUS TEXT...: examples.sh on PAGE exits STATUS and
# prints every TEXT (a fixed string).
expect() {
	local page=$1 want=$2 out st t
	shift 2
	out=$(bash "$here/examples.sh" "$empty" "$here/selftest/$page" 2>&1)
	st=$?
	if [ "$st" -ne "$want" ]; then
		printf 'FAIL selftest %s: exit %d, expected %d:\n%s\n' \
			"$page" "$st" "$want" "$out"
		fail=1
		return
	fi
	for t in "$@"; do
		if ! grep -qF -- "$t" <<<"$out"; then
			printf 'FAIL selftest %s: no "%s" in:\n%s\n' \
				"$page" "$t" "$out"
			fail=1
		fi
	done
}

expect pass.7 0 '8 commands run, 0 failed; 1 blocks (1 commands) marked not run'
expect output.7 1 'FAIL tests/man/selftest/output.7:2: $ printf' \
	'-three' '+two'
expect silent.7 1 'silent.7:2: $ ls no-such-file' \
	'exit status 2 with no output shown'
expect status.7 1 'status.7:2:' 'exit status 3' \
	'status.7:4:' 'the shell ended in this command, status 1' \
	'status.7:6:' 'not run: the shell ended before it'
expect parse.7 1 'parse.7:3: $ echo ) (' 'does not parse'
expect marker.7 2 'marker.7:2: block marked not run has no $ command'
expect escape.7 2 'escape.7:2: roff escape \(xx not handled'
[ $fail -eq 0 ] && echo "man page example checker: 7 self-tests passed"
exit $fail
