#!/usr/bin/env bash
# tests/kanon/run.sh BINDIR: kanon --method global against the brute-force
# oracle (tests/kanon/oracle.py).
# tests/kanon/run.sh --selftest: shows that the comparison fails on wrong
# reports and releases, and that the oracle's figures agree with a plain
# per-row evaluation (tests/kanon/naive.py); needs no kanon.
#
# Adult (testdata/, 8 QIs, 6,480 nodes): k in 2 5 10 50 100, F in 0 0.05,
# --metric dm and loss.  Synthetic (tests/kanon/data/people.csv, 300 rows,
# 96 nodes): l-diversity (distinct, entropy, recursive), t-closeness
# (equal and ordered distance), both, no solution, other metrics.
# The oracle runs once per data set for all configurations; each
# configuration runs kanon -r --json (compared by compare.py) and kanon
# without -r piped into kcheck with the same checks (must exit 0; its
# rows must be the oracle's release).  Prints one summary line; exits
# non-zero on any failure.  KANON_KEEP=1 keeps the work files;
# KANON_TIMEOUT bounds each kanon run (seconds, default 600).
set -u
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout_s=${KANON_TIMEOUT:-600}

tmp=$(mktemp -d)
if [ -n "${KANON_KEEP:-}" ]; then
	echo "kanon: work files kept in $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi

ADULT_QIS=sex,age,race,marital-status,education,native-country,workclass,occupation
ADULT_H=()
for c in ${ADULT_QIS//,/ }; do
	ADULT_H+=(--hierarchy "$c=testdata/adult_hierarchy_$c.csv")
done
ADULT_SPECS=()
for k in 2 5 10 50 100; do
	for f in 0 0.05; do
		for m in dm loss; do
			ADULT_SPECS+=("k=$k,F=$f,metric=$m")
		done
	done
done

SYN_QIS=zip,age,sex,job
SYN_DATA=tests/kanon/data/people.csv
SYN_H=()
for c in ${SYN_QIS//,/ }; do
	SYN_H+=(--hierarchy "$c=tests/kanon/data/hier_$c.csv")
done
SYN_SPECS=()
for s in \
	k=2,F=0,s=disease,l=2 \
	k=3,F=0.05,s=disease,l=3 \
	k=2,F=0,s=disease,l=2,ldiv=entropy \
	k=2,F=0.1,s=disease,l=2.5,ldiv=entropy \
	k=2,F=0,s=disease,l=2,ldiv=recursive,c=3 \
	k=2,F=0.05,s=disease,l=3,ldiv=recursive,c=2 \
	k=2,F=0,s=disease,t=0.3 \
	k=2,F=0.1,s=disease,t=0.2 \
	k=3,F=0,s=salary,t=0.2 \
	k=2,F=0.05,s=salary,t=0.15 \
	k=2,F=0.1,s=salary,t=0.3 \
	k=4,F=0.05,s=disease,l=2,t=0.25 \
	k=2,F=0,s=disease,l=7 \
	k=2,F=0.05; do
	SYN_SPECS+=("$s,metric=loss" "$s,metric=dm")
done
SYN_SPECS+=("k=5,F=0.02,metric=gcp" "k=5,F=0.02,metric=aecs")

# spec_opts SPEC kanon|kcheck: the options of a configuration, one a line
# (kcheck takes the checks, not --max-suppress or --metric).
spec_opts() {
	local kv key val
	local -a out=()
	local IFS=,
	for kv in $1; do
		key=${kv%%=*}
		val=${kv#*=}
		case $key in
		k) out+=(-k "$val") ;;
		F) [ "$2" = kanon ] && out+=(--max-suppress "$val") ;;
		metric) [ "$2" = kanon ] && out+=(--metric "$val") ;;
		s) out+=(-s "$val") ;;
		l) out+=(-l "$val") ;;
		ldiv) out+=(--ldiv "$val") ;;
		c) out+=(--c "$val") ;;
		t) out+=(-t "$val") ;;
		esac
	done
	printf '%s\n' "${out[@]}"
}

# oracle NAME DELIM QIS DATA: runs the oracle once for every configuration
# in SPECS with the hierarchies in H: $tmp/NAME.json, $tmp/NAME/I.csv.
oracle() {
	local -a cfg=()
	local s
	for s in "${SPECS[@]}"; do
		cfg+=(--config "$s")
	done
	"$PY" "$here/oracle.py" -d "$2" -q "$3" "${H[@]}" "${cfg[@]}" \
		--release-dir "$tmp/$1" "$4" >"$tmp/$1.json"
}

# suite NAME DELIM QIS DATA: the oracle, then kanon for each configuration;
# appends the cases to $tmp/manifest.
suite() {
	local name=$1 delim=$2 qis=$3 data=$4 i=0 spec base rel
	local -a ko co st
	if ! oracle "$@"; then
		echo "kanon: FAIL: the oracle failed on $name" >&2
		return 1
	fi
	for spec in "${SPECS[@]}"; do
		mapfile -t ko < <(spec_opts "$spec" kanon)
		mapfile -t co < <(spec_opts "$spec" kcheck)
		base=$tmp/$name-$i
		timeout "$timeout_s" "$bindir/kanon" -d "$delim" -q "$qis" \
			"${H[@]}" "${ko[@]}" -r --json "$data" \
			>"$base.report" 2>"$base.report.err"
		local rst=$?
		timeout "$timeout_s" "$bindir/kanon" -d "$delim" -q "$qis" \
			"${H[@]}" "${ko[@]}" "$data" 2>"$base.data.err" |
			tee "$base.data" |
			"$bindir/kcheck" -d "$delim" -q "$qis" "${co[@]}" \
				>/dev/null 2>"$base.kcheck.err"
		st=("${PIPESTATUS[@]}")
		rel=$tmp/$name/$i.csv
		[ -f "$rel" ] || rel=-
		printf '%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
			"$name $spec" "$tmp/$name.json" "$i" "$rst" "$base.report" \
			"${st[0]}" "$base.data" "$rel" "${st[2]}" "$data" "$delim" \
			>>"$tmp/manifest"
		i=$((i + 1))
	done
}

selftest() {
	local ok=0 bad=0 m want got
	H=("${SYN_H[@]}")
	SPECS=("${SYN_SPECS[@]}")
	if ! oracle syn , "$SYN_QIS" "$SYN_DATA"; then
		echo "kanon selftest: FAIL: the oracle failed"
		return 1
	fi
	# Reports and releases made from the oracle's own results, right
	# (good-*: the comparison must pass) and wrong (bad-*: it must fail).
	"$PY" - "$tmp" "$SYN_DATA" <<'EOF' || return 1
import json, os, shutil, sys
tmp, data = sys.argv[1], sys.argv[2]
orc = json.load(open(os.path.join(tmp, "syn.json")))
res = orc["results"]
sat = next(i for i, r in enumerate(res) if r["satisfied"] and r["suppressed_rows"])
unsat = next(i for i, r in enumerate(res) if not r["satisfied"])
heights = dict(zip(orc["qis"], orc["heights"]))

def report(i):
    r = res[i]
    rep = {"method": "global", "metric": r["config"]["metric"],
           "levels": dict(r["levels"]), "nodes_checked": 1, "seconds": 0.0,
           "satisfied": True}
    for k in ("rows", "classes", "min_class_size", "suppressed_rows", "dm",
              "aecs", "gcp", "loss"):
        rep[k] = r[k]
    return rep

def case(name, i, rep, rst="0", dst="0", kst="0", rows=None, text=None,
         expect=""):
    """expect: what compare.py's output must say (bad cases)."""
    d = os.path.join(tmp, "self", name)
    os.makedirs(d)
    with open(os.path.join(d, "expect"), "w") as f:
        f.write(expect)
    with open(os.path.join(d, "report"), "w") as f:
        f.write(text if text is not None else
                (json.dumps(rep) + "\n" if rep is not None else ""))
    rel = os.path.join(tmp, "syn", "%d.csv" % i)
    out = os.path.join(d, "data")
    if rows is None:
        if os.path.exists(rel):
            shutil.copy(rel, out)
        else:
            open(out, "w").close()
    else:
        with open(out, "w") as f:
            f.write(rows)
    with open(os.path.join(d, "manifest"), "w") as f:
        f.write("\t".join([name, os.path.join(tmp, "syn.json"), str(i), rst,
                           os.path.join(d, "report"), dst, out,
                           rel if os.path.exists(rel) else "-", kst, data,
                           ","]) + "\n")

rel_lines = open(os.path.join(tmp, "syn", "%d.csv" % sat)).read().splitlines(True)
case("good-report", sat, report(sat))
case("good-no-solution", unsat, None, rst="1", dst="1", kst="2")
case("good-reordered-rows", sat, report(sat),
     rows="".join(rel_lines[:1] + rel_lines[1:][::-1]))
r = report(sat)
q = orc["qis"][0]
r["levels"][q] = (r["levels"][q] + 1) % heights[q]
r["dm"] += 1
case("bad-levels-and-dm", sat, r, expect="dm %d, oracle" % r["dm"])
r = report(sat); r["levels"][orc["qis"][-1]] = (r["levels"][orc["qis"][-1]] + 1) % heights[orc["qis"][-1]]
case("bad-levels", sat, r, expect="FAIL bad-levels: levels")
r = report(sat); r["dm"] += 1
case("bad-dm-off-by-one", sat, r, expect="dm %d, oracle" % r["dm"])
r = report(sat); r["suppressed_rows"] -= 1
case("bad-suppressed", sat, r, expect="suppressed_rows")
r = report(sat); r["classes"] += 1
case("bad-classes", sat, r, expect="classes")
r = report(sat); r["loss"] *= 1 + 1e-7
case("bad-loss", sat, r, expect="loss")
r = report(sat); r["gcp"] *= 1 + 1e-7
case("bad-gcp", sat, r, expect="gcp")
r = report(sat); r["aecs"] *= 1 - 1e-7
case("bad-aecs", sat, r, expect="aecs")
r = report(sat); r["dm"] = float(r["dm"])
case("bad-dm-not-integer", sat, r, expect="dm %r" % r["dm"])
r = report(sat); r["metric"] = "gcp"
case("bad-metric", sat, r, expect="metric 'gcp'")
r = report(sat); r["satisfied"] = False
case("bad-satisfied", sat, r, expect="satisfied False")
r = report(sat); del r["nodes_checked"]
case("bad-missing-key", sat, r, expect="lacks nodes_checked")
case("bad-two-lines", sat, None, text=json.dumps(report(sat), indent=1) + "\n",
     expect="not one")
case("bad-report-status", sat, report(sat), rst="1", expect="-r exited 1")
case("bad-data-status", sat, report(sat), dst="1",
     expect="(data) exited 1")
case("bad-kcheck-status", sat, report(sat), kst="1",
     expect="kcheck on kanon's output exited 1")
case("bad-row-dropped", sat, report(sat), rows="".join(rel_lines[:-1]),
     expect="output has")
case("bad-value-changed", sat, report(sat),
     rows="".join(rel_lines[:-1] + [rel_lines[-1].replace(",", ",x", 1)]),
     expect="differ from the oracle's release")
case("bad-no-solution-found", unsat, report(sat),
     expect="no solution exists, but kanon -r exited 0")
case("bad-no-solution-data", unsat, None, rst="1", dst="0", kst="0",
     rows="zip,age,sex,job,disease,salary\n", expect="wrote data")
EOF
	for m in "$tmp"/self/*/manifest; do
		want=0
		case $m in */bad-*) want=1 ;; esac
		"$PY" "$here/compare.py" "$m" >"$m.out" 2>&1
		got=$?
		# a wrong case must fail for its own reason
		if [ "$want" -eq 1 ] &&
			! grep -qF -- "$(cat "${m%manifest}expect")" "$m.out"; then
			got="$got (not for the expected reason)"
		fi
		if [ "$got" = "$want" ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			echo "selftest: $(basename "$(dirname "$m")"): compare exited $got, expected $want" >&2
			cat "$m.out" >&2
		fi
	done
	# The oracle's vectorized evaluation against a plain one, node by node.
	local -a cfg=()
	local s
	for s in "${SYN_SPECS[@]}"; do
		cfg+=(--config "$s")
	done
	if "$PY" "$here/naive.py" -q "$SYN_QIS" "${SYN_H[@]}" "${cfg[@]}" \
		"$SYN_DATA" >"$tmp/naive.out" 2>&1; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		cat "$tmp/naive.out" >&2
	fi
	if "$PY" "$here/naive.py" --nodes 8 -d ';' -q "$ADULT_QIS" "${ADULT_H[@]}" \
		--config k=5,F=0,metric=loss --config k=10,F=0.05,metric=dm \
		--config k=2,F=0.05,metric=loss,s=salary-class,l=2,t=0.2 \
		testdata/adult.csv >"$tmp/naive-adult.out" 2>&1; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		cat "$tmp/naive-adult.out" >&2
	fi
	# ARX 3.9's figures on Adult: the optimum and DM of three runs, GCP to
	# 0.1%.  ARX's GCP counts only the values present in the data (here
	# workclass: 7 of the hierarchy's 8), hence --domain data for the one
	# node where that shows.
	if "$PY" "$here/oracle.py" -d ';' -q "$ADULT_QIS" "${ADULT_H[@]}" \
		--config k=5,F=0,metric=loss --config k=10,F=0.05,metric=loss \
		--config k=2,F=0,metric=dm testdata/adult.csv >"$tmp/arx.json" &&
		"$PY" "$here/oracle.py" -d ';' -q "$ADULT_QIS" "${ADULT_H[@]}" \
			--domain data --node 0,3,0,1,1,1,1,2 \
			--config k=10,F=0.05,metric=loss testdata/adult.csv \
			>"$tmp/arx-data.json" &&
		"$PY" - "$tmp/arx.json" "$tmp/arx-data.json" <<'EOF'; then
import json, sys
got = json.load(open(sys.argv[1]))["results"]
data = json.load(open(sys.argv[2]))["results"][0]
arx = [([0, 4, 0, 2, 3, 2, 2, 1], 136199108, 66.1),
       ([0, 3, 0, 1, 1, 1, 1, 2], 69556984, 34.4),
       ([1, 1, 1, 1, 3, 2, 2, 1], 19399310, 72.2)]
bad = 0
for r, (levels, dm, gcp) in zip(got, arx):
    ok = list(r["levels"].values()) == levels and r["dm"] == dm
    g = r["gcp"] if gcp != 34.4 else data["gcp"]
    ok = ok and round(100 * g, 1) == gcp
    if not ok:
        bad += 1
        print("ARX %s: oracle %s" % ((levels, dm, gcp), r))
sys.exit(1 if bad else 0)
EOF
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		echo "selftest: the oracle no longer agrees with ARX's figures" >&2
	fi
	echo "kanon selftest: $ok passed, $bad failed"
	[ "$bad" -eq 0 ]
}

cd "$root" || exit 2
if [ "${1:-}" = --selftest ]; then
	selftest
	exit
fi
if [ $# -ne 1 ]; then
	echo "usage: tests/kanon/run.sh BINDIR | --selftest" >&2
	exit 2
fi
bindir=$(cd "$1" && pwd) || exit 2
for t in kanon kcheck; do
	if [ ! -x "$bindir/$t" ]; then
		echo "kanon: FAIL: no $bindir/$t" >&2
		exit 1
	fi
done
: >"$tmp/manifest"
status=0
H=("${ADULT_H[@]}")
SPECS=("${ADULT_SPECS[@]}")
suite adult ';' "$ADULT_QIS" testdata/adult.csv || status=1
H=("${SYN_H[@]}")
SPECS=("${SYN_SPECS[@]}")
suite syn , "$SYN_QIS" "$SYN_DATA" || status=1
"$PY" "$here/compare.py" "$tmp/manifest" >"$tmp/compare.out" 2>&1 || status=1
grep -v '^compare:' "$tmp/compare.out" >&2
cases=$(wc -l <"$tmp/manifest")
failed=$(grep -c '^FAIL' "$tmp/compare.out")
if [ "$status" -eq 0 ]; then
	echo "kanon: $cases configurations passed (${#ADULT_SPECS[@]} Adult, ${#SYN_SPECS[@]} synthetic)"
else
	echo "kanon: FAILED: $(grep -h '^compare:' "$tmp/compare.out" | sed 's/^compare: //') ($failed problems)"
fi
exit "$status"
