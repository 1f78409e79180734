#!/usr/bin/env bash
# tests/scale/run.sh BINDIR: the scale-out recipes of prep(7), run as a
# user would run them (make test-scale):
#
#  1. one machine, GNU parallel: `parallel -k anonymize --part {}/8 ...`
#     concatenated equals the whole run byte for byte; kcheck partials
#     made by parallel and merged equal the single run (stderr, -r report,
#     exit status), for a passing and a failing k.
#  2. several machines, GNU parallel over ssh: an sshd this script starts
#     on 127.0.0.1 (a free port, a throw-away host key and user key in a
#     temporary directory, only that key accepted) stands for the remote
#     hosts; `parallel -S` sends the data once per host (--basefile), runs
#     `kcheck --partial --part {}/4` there and brings the partials back
#     (--return, --cleanup); merged, they equal the single run. Skipped,
#     with a message, when sshd or parallel is missing or the script does
#     not run as root (sshd needs root to switch to the user).
#  3. Hadoop Streaming and Spark pipe, simulated: their contract is a
#     mapper fed lines of an input split on stdin, its output lines
#     sorted, and one reducer fed them on stdin. (a) The input is the list
#     of part numbers, one per split (NLineInputFormat), and each mapper
#     runs `kcheck --partial --part $i/N` on the data file itself: records
#     with quoted newlines stay whole. (b) Newline-free data without its
#     header split by lines as TextInputFormat would (-H, columns by
#     number): each map task's lines are one partial. The reducer writes
#     the partial lines it is fed to files and merges them. Both equal the
#     single run.
#
# Prints "scale tests: N passed, M failed" and exits 1 if M > 0.
set -u
export LC_ALL=C
bindir=$(cd "$1" && pwd) || exit 2
root=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$bindir:$PATH
export PATH
tmp=$(mktemp -d)
sshd_pid=
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0

ok() {
	echo "ok: $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}
# same NAME FILE1 FILE2: byte for byte; FILE1 a run's output ending in
# "exit 0" or "exit 1" when it is one (a usage error would be the same
# in both)
same() {
	if tail -1 "$2" | grep -q '^exit [^01]'; then
		bad "$1 (the reference run failed: $(tail -1 "$2"))"
		return
	fi
	if cmp -s "$2" "$3"; then ok "$1"; else
		bad "$1 ($2 and $3 differ)"
		diff "$2" "$3" | head -5
	fi
}

cd "$tmp" || exit 2
# The data: Adult with a quoted free-text column whose cells hold
# newlines and commas, so that records straddle the parts' boundaries.
/usr/bin/python3 - "$root/testdata/adult.csv" >big.csv <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline=""), delimiter=";"))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(rows[0] + ["remark"])
for i, r in enumerate(rows[1:]):
    w.writerow(r + ["line one,\nline two %d" % i if i % 7 == 0 else "none"])
EOF
QI=age,sex,race

# 1. one machine
if command -v parallel >/dev/null 2>&1; then
	printf 'keep-this-key-secret-0123456789\n' >key
	chmod 600 key
	anonymize -a remark:redact -a age:bin:10 --key-file key -a \
		education:hash:16 big.csv >whole.csv
	parallel -k anonymize -a remark:redact -a age:bin:10 --key-file key \
		-a education:hash:16 --part {}/8 big.csv ::: $(seq 8) >parts.csv
	same "parallel -k anonymize --part {}/8 equals the whole" \
		whole.csv parts.csv
	for k in 5 200; do
		kcheck -q $QI -k $k -r big.csv >single.out 2>single.err
		echo "exit $?" >>single.out
		rm -f p*.partial
		parallel kcheck -q $QI -k $k --partial --part {}/8 \
			-o p{}.partial big.csv ::: $(seq 8)
		kcheck -q $QI -k $k -r --merge p*.partial >merged.out \
			2>merged.err
		echo "exit $?" >>merged.out
		same "kcheck -k $k: merged partials' report and exit" \
			single.out merged.out
		same "kcheck -k $k: merged partials' stderr" single.err \
			merged.err
	done
else
	echo "skip: GNU parallel is not installed (apt-get install parallel)"
fi

# 2. several machines: parallel over ssh to an sshd on 127.0.0.1
ssh_skip=
command -v parallel >/dev/null 2>&1 || ssh_skip="GNU parallel missing"
[ -x /usr/sbin/sshd ] || ssh_skip="sshd missing (openssh-server)"
command -v ssh-keygen >/dev/null 2>&1 || ssh_skip="ssh-keygen missing"
[ "$(id -u)" = 0 ] || ssh_skip="not root: sshd cannot switch users"
if [ -z "$ssh_skip" ]; then
	mkdir -p ssh && chmod 700 ssh
	ssh-keygen -q -t ed25519 -N '' -f ssh/host_key
	ssh-keygen -q -t ed25519 -N '' -f ssh/user_key
	cp ssh/user_key.pub ssh/authorized_keys
	port=$(/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p /run/sshd 2>/dev/null
	/usr/sbin/sshd -D -e -f /dev/null -p "$port" \
		-o ListenAddress=127.0.0.1 -o HostKey="$tmp/ssh/host_key" \
		-o AuthorizedKeysFile="$tmp/ssh/authorized_keys" \
		-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
		-o PermitRootLogin=prohibit-password -o StrictModes=no \
		-o PidFile=none 2>ssh/sshd.log &
	sshd_pid=$!
	sshcmd="ssh -p $port -i $tmp/ssh/user_key -o BatchMode=yes"
	sshcmd="$sshcmd -o StrictHostKeyChecking=no"
	sshcmd="$sshcmd -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
	up=
	for _ in $(seq 50); do
		if $sshcmd 127.0.0.1 true 2>/dev/null; then
			up=1
			break
		fi
		sleep 0.1
	done
	if [ -z "$up" ]; then
		bad "sshd on 127.0.0.1:$port did not start"
		sed 's/^/  sshd: /' ssh/sshd.log | head -5
	else
		mkdir -p remote-out && cd remote-out || exit 2
		cp ../big.csv .
		# two "hosts" (the same sshd), 4 parts, the data sent once
		# per host, the partials brought back and removed there
		parallel -S "2/$sshcmd 127.0.0.1" --workdir "$tmp/remote-side" \
			--basefile big.csv --return p{}.partial --cleanup \
			"PATH=$bindir:\$PATH kcheck -q $QI -k 5 --partial \
			--part {}/4 -o p{}.partial big.csv" ::: 1 2 3 4
		ls p*.partial >/dev/null 2>&1 &&
			[ "$(ls p*.partial | wc -l)" = 4 ] ||
			bad "parallel over ssh: 4 partials returned"
		kcheck -q $QI -k 5 -r --merge p*.partial >../ssh.out \
			2>../ssh.err
		echo "exit $?" >>../ssh.out
		cd .. || exit 2
		kcheck -q $QI -k 5 -r big.csv >single.out 2>single.err
		echo "exit $?" >>single.out
		same "parallel -S over ssh: merged report and exit" \
			single.out ssh.out
		mode=$(stat -c %a remote-out/p1.partial 2>/dev/null)
		[ "$mode" = 600 ] && ok "returned partial mode 0600" ||
			bad "returned partial mode is $mode, not 600"
	fi
else
	echo "skip: parallel over ssh: $ssh_skip"
fi

# 3. the streaming contract: split by lines, map, sort, one reducer
# reducer: the partial lines on stdin, one file each, merged
cat >reducer.sh <<EOF
#!/bin/sh
# one partial per line: to files, then one merge
d=\$(mktemp -d) || exit 2
split -l 1 -a 4 - "\$d/p." || exit 2
kcheck "\$@" -r --merge "\$d"/p.*
s=\$?
rm -rf "\$d"
exit \$s
EOF
chmod +x reducer.sh
# run_streaming INPUT LINES_PER_SPLIT MAPPER...: the reducer's output
# and exit status in stream.out
run_streaming() {
	local input=$1 lines=$2
	shift 2
	rm -rf splits mapped && mkdir splits mapped
	split -l "$lines" -a 4 "$input" splits/s.
	for s in splits/s.*; do
		"$@" <"$s" >"mapped/${s#splits/}" || return 1
	done
	sort mapped/* | ./reducer.sh -q $QI -k 5 >stream.out 2>stream.err
	echo "exit $?" >>stream.out
}
# (a) the part numbers as input, one per map task
N=6
seq $N >parts.txt
cat >mapper.sh <<EOF
#!/bin/sh
# a split of the part numbers: each line is one --part
while read -r i; do
	kcheck -q $QI -k 5 --partial --part "\$i/$N" "$tmp/big.csv" || exit 2
done
EOF
chmod +x mapper.sh
kcheck -q $QI -k 5 -r big.csv >single.out 2>single.err
echo "exit $?" >>single.out
if run_streaming parts.txt 1 ./mapper.sh; then
	same "streaming, part numbers as input: reducer's merge" \
		single.out stream.out
else
	bad "streaming, part numbers as input: a mapper failed"
fi
# (b) newline-free data without its header, split by lines
/usr/bin/python3 - "$root/testdata/adult.csv" >flat.csv <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline=""), delimiter=";"))
csv.writer(sys.stdout, lineterminator="\n").writerows(rows[1:])
EOF
kcheck -H -q 2,1,3 -k 5 -r flat.csv >single-flat.out 2>single-flat.err
echo "exit $?" >>single-flat.out
QI=2,1,3
cat >mapper-flat.sh <<EOF
#!/bin/sh
kcheck -H -q $QI -k 5 --partial
EOF
chmod +x mapper-flat.sh
reducer_flat() { ./reducer.sh -H "$@"; }
rm -rf splits mapped && mkdir splits mapped
split -l 4000 -a 4 flat.csv splits/s.
for s in splits/s.*; do ./mapper-flat.sh <"$s" >"mapped/${s#splits/}"; done
sort mapped/* | ./reducer.sh -H -q $QI -k 5 >stream.out 2>stream.err
echo "exit $?" >>stream.out
same "streaming, line splits of newline-free data: reducer's merge" \
	single-flat.out stream.out

echo "scale tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
