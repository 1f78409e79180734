#!/usr/bin/env bash
# tests/install/run.sh DESTDIR PREFIX: what a program using libprep finds
# after `make install DESTDIR=DESTDIR PREFIX=PREFIX` (make test-install
# does the install into build/install, then runs this):
#
#  1. the headers in include/prep/ are exactly those that
#     man/man3/libprep.3 names in its SYNOPSIS (.In prep/NAME.h) and
#     describes under Modules (.It In NAME.h), and none of the Makefile's
#     INTERNAL_HDR (passed in the environment) is among them; every
#     status code of prep.h is listed under Status codes;
#  2. each installed header compiles alone, included as <prep/NAME.h>
#     with pkg-config's flags: it includes only installed headers, and
#     everything it uses;
#  3. the example program of libprep.3's EXAMPLES builds as the page says
#     (cc ... $(pkg-config --cflags --libs prep), with the shared
#     library) and also against libprep.a with pkg-config --static, and
#     each build prints exactly what the page shows.
#
# Prints "install: ..." and exits 0, or prints what is wrong and exits 1.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 DESTDIR PREFIX" >&2
	exit 2
fi
dest=$(cd "$1" && pwd) || exit 2
prefix=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
page="$root/man/man3/libprep.3"
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
	echo "FAIL install: $*"
	fail=1
}

# pkg-config reads the installed prep.pc; the sysroot puts DESTDIR in
# front of its -I and -L paths.
export PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$dest"
export LD_LIBRARY_PATH="$dest$prefix/lib"
cflags=$(pkg-config --cflags prep) || {
	bad "pkg-config does not find the installed prep.pc"
	exit 1
}

# 1. installed headers = documented headers
(cd "$dest$prefix/include/prep" && ls) | sort >"$tmp/installed"
sed -n 's|^\.In prep/\([^ ]*\)$|\1|p' "$page" | sort >"$tmp/synopsis"
sed -n 's|^\.It In \([^ ]*\.h\)$|\1|p' "$page" | sort >"$tmp/modules"
if ! diff -u "$tmp/installed" "$tmp/synopsis" >"$tmp/diff"; then
	bad "installed headers (-) differ from libprep.3's SYNOPSIS (+):"
	tail -n +3 "$tmp/diff"
fi
if ! diff -u "$tmp/installed" "$tmp/modules" >"$tmp/diff"; then
	bad "installed headers (-) differ from libprep.3's Modules (+):"
	tail -n +3 "$tmp/diff"
fi
for h in ${INTERNAL_HDR:-}; do
	if grep -qx "${h##*/}" "$tmp/installed"; then
		bad "internal header ${h##*/} is installed"
	fi
done

# 1b. every status code of prep.h is listed under Status codes
while read -r st; do
	grep -qx "\.It Dv $st" "$page" || bad "libprep.3 does not list $st"
done < <(sed -n 's/^[[:space:]]*\(PREP_[A-Z_0-9]*\)\( = 0\)*,.*/\1/p' \
	"$dest$prefix/include/prep/prep.h")

# 2. each header alone
# shellcheck disable=SC2086 # cflags is a list of words
while read -r h; do
	printf '#include <prep/%s>\n' "$h" >"$tmp/one.c"
	if ! "$cc" -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags \
		"$tmp/one.c" >"$tmp/err" 2>&1; then
		bad "<prep/$h> does not compile alone:"
		cat "$tmp/err"
	fi
done <"$tmp/installed"

# 3. the example: the program is the block after "Copy the first
# column", the commands and their output the block after "Build it".
unroff() { sed -e 's/\\e/\\/g' -e 's/\\-/-/g' -e 's/\\&//g'; }
awk '/^Copy the first column/ { want = 1 }
	want && /^\.Bd/ { inside = 1; next }
	inside && /^\.Ed/ { exit }
	inside { print }' "$page" | unroff >"$tmp/firstcol.c"
awk '/^Build it against the installed library/ { want = 1 }
	want && /^\.Bd/ { inside = 1; next }
	inside && /^\.Ed/ { exit }
	inside { print }' "$page" | unroff >"$tmp/session"
if ! grep -q 'main(int argc' "$tmp/firstcol.c" ||
	! grep -q '^\$ ' "$tmp/session"; then
	bad "libprep.3: example program or its commands not found"
	exit 1
fi
# Replay the session: each "$ " line is run; the lines up to the next
# one are its output (stdout and stderr together).
run_session() {
	local line cmd=
	: >"$tmp/got"
	while IFS= read -r line; do
		case "$line" in
		'$ '*)
			cmd=${line#'$ '}
			printf '%s\n' "$line" >>"$tmp/got"
			(cd "$tmp" && bash -c "$cmd") >>"$tmp/got" 2>&1
			;;
		esac
	done <"$tmp/session"
	diff -u "$tmp/session" "$tmp/got" >"$tmp/diff"
}
if ! run_session; then
	bad "libprep.3 example, built as the page says (-page +actual):"
	tail -n +3 "$tmp/diff"
fi
# The same against libprep.a: cc's line as pkg-config --static gives it,
# with the archive in place of -lprep.
libs=$(pkg-config --static --libs prep | sed "s|-lprep|$dest$prefix/lib/libprep.a|")
sed -i "s|\$(pkg-config --cflags --libs prep)|$cflags $libs|" "$tmp/session"
rm -f "$tmp/firstcol"
if ! run_session; then
	bad "libprep.3 example, linked with libprep.a (-page +actual):"
	tail -n +3 "$tmp/diff"
fi

if [ $fail -eq 0 ]; then
	echo "install: $(wc -l <"$tmp/installed") headers installed and" \
		"documented, each compiles alone; libprep.3's example runs"
fi
exit $fail
