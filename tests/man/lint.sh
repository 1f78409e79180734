#!/usr/bin/env bash
# tests/man/lint.sh PAGE...: every man page renders without a warning
# (groff -ww) and has the sections a reader looks for.
set -u
fail=0
for m in "$@"; do
	out=$(LC_ALL=C.UTF-8 groff -Tutf8 -mandoc -ww -z "$m" 2>&1)
	if [ -n "$out" ]; then
		echo "FAIL $m: $out"
		fail=1
	fi
	case "$m" in
	*.1)
		for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -q "^\.Sh $s\$\|^\.SH \"\?$s\"\?\$" "$m" ||
				{ echo "FAIL $m: no $s section"; fail=1; }
		done
		;;
	esac
done
[ $fail -eq 0 ] && echo "man pages: $# checked"
exit $fail
