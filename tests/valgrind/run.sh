#!/usr/bin/env bash
# tests/valgrind/run.sh BINDIR [CASE...]: the CLI tests with every filter
# run under valgrind's memcheck (make check-valgrind).
#
# A directory of wrappers, one per program of BINDIR, runs the real program
# under valgrind with its own log file per process; the CLI cases then run
# with that directory first in PATH. valgrind's exit status on an error is
# 99, so a case with a memory error fails as a case too; and any log that
# is not empty afterwards (an invalid read or write, use of uninitialised
# memory, a definite or indirect leak) fails the run. Memory still
# reachable at exit (exit(2) after an error) is not a leak and is not
# reported.
set -u
bindir=$(cd "$1" && pwd) || exit 2
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind: not installed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/logs"
for p in "$bindir"/*; do
	[ -x "$p" ] && [ -f "$p" ] || continue
	# valgrind finds the program in PATH, so that its argv[0] is its bare
	# name, as when the tests run it directly (getopt's messages show it)
	cat >"$tmp/bin/$(basename "$p")" <<EOW
#!/bin/sh
PATH="$bindir:\$PATH" exec valgrind -q --error-exitcode=99 \\
	--leak-check=full --errors-for-leak-kinds=definite,indirect \\
	--show-leak-kinds=definite,indirect --track-origins=yes \\
	--log-file="$tmp/logs/$(basename "$p").%p.log" $(basename "$p") "\$@"
EOW
	chmod +x "$tmp/bin/$(basename "$p")"
done
# Cases that can't run under valgrind: it needs a usable TMPDIR itself.
skip='reweight/tmpdir-unusable'
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	while IFS= read -r c; do
		case " $skip " in
		*" ${c#"$root/tests/cli/"} "*) echo "skipped: ${c#"$root/tests/cli/"}" ;;
		*) cases+=("$c") ;;
		esac
	done < <(find "$root/tests/cli" -mindepth 2 -maxdepth 2 -type d | sort)
fi
status=0
bash "$root/tests/cli/run.sh" "$tmp/bin" "${cases[@]}" || status=1
bad=0
for l in "$tmp/logs"/*.log; do
	[ -s "$l" ] || continue
	bad=$((bad + 1))
	echo "== $(basename "$l")"
	head -n 40 "$l"
done
n=$(find "$tmp/logs" -name '*.log' | wc -l)
echo "valgrind: $n processes, $bad with errors"
[ "$bad" -eq 0 ] || status=1
exit "$status"
