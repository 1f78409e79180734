#!/usr/bin/env bash
# tests/report/run.sh BINDIR: prep-report(1) on the evidence of
# tests/report/ (make test-report; tests/report/README says what the
# files hold):
#
#  1. every line of audit.jsonl is a record valid against
#     tests/audit/prep-audit.schema.json (python3-jsonschema);
#  2. the HTML page and the Markdown made from audit.jsonl, budget.ledger,
#     source.profile.json and batch.drift.json with SOURCE_DATE_EPOCH
#     fixed equal report.html and report.md byte for byte (the version of
#     prep-report, which changes with releases, read as VERSION);
#  3. tidy finds no error in the page and no warning but "proprietary
#     attribute href" on the <a> of the lineage graphs (tidy 5.6 knows
#     SVG 1.1, whose links are xlink:href; SVG 2's href is what browsers
#     follow);
#  4. the page loads nothing: no <script>, no <link>, <img>, <iframe>,
#     <object> or <embed>, no src=, no url( or @import but the page's own
#     #prep-arrow, and every href is "#..." (the page's anchors), each of
#     which names an id of the page;
#  5. headless Chromium renders the page to a PNG (exit 0) that is not
#     blank: more than 64 distinct colours, and the four chart colours of
#     svg.h (pass, fail, first and second series) each on at least 200
#     pixels. Skipped, with a message, when chromium is not installed;
#  6. the demo (testdata/demo.sh, as make demo runs it) writes its page
#     from real records of every filter: each record valid against the
#     schema, the page holds the lineage graphs and every kind of chart,
#     and its checklist answers what the demo's runs show (a profile: Data
#     Source Review Yes; the Adult releases of reweight and oversample
#     have no privacy gate: Data Privacy No; drift found drift: Data/
#     Concept Drift No; fairness measured 2 groups: Subgroup Analysis Yes).
#
# Prints "report tests: N passed, M failed" and exits 1 if M > 0;
# exits 2 when a tool it needs (python3-jsonschema, tidy) is missing.
set -u
export LC_ALL=C
bindir=$(cd "$1" && pwd) || exit 2
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL report: $*"
	fail=$((fail + 1))
}
for need in tidy; do
	command -v "$need" >/dev/null || {
		echo "run.sh: needs $need (apt-get install $need)" >&2
		exit 2
	}
done
"$py" -c 'import jsonschema, PIL' 2>/dev/null || {
	echo "run.sh: needs python3-jsonschema and python3-pil" >&2
	exit 2
}

# 1. the fixture against the schema
if "$py" - "$root/tests/audit/prep-audit.schema.json" "$dir/audit.jsonl" \
	>"$tmp/schema.log" 2>&1 <<'EOF'; then ok; else bad "audit.jsonl: $(cat "$tmp/schema.log")"; fi
import json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = 0
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    for e in v.iter_errors(json.loads(line)):
        print("line %d: %s" % (n, e.message))
        bad = 1
sys.exit(bad)
EOF

# 2. golden pages
version=$("$bindir/prep-report" -V | sed 's/.* //')
run_report() {
	(cd "$dir" && SOURCE_DATE_EPOCH=1795000000 "$bindir/prep-report" "$@" \
		--title 'Release of people.csv' --ledger budget.ledger \
		--profile source.profile.json --drift batch.drift.json audit.jsonl)
}
for kind in html md; do
	opt=
	[ "$kind" = md ] && opt=--markdown
	# shellcheck disable=SC2086 # no option or one
	if ! run_report $opt >"$tmp/raw.$kind" 2>"$tmp/err.$kind"; then
		bad "prep-report $opt failed: $(cat "$tmp/err.$kind")"
		continue
	fi
	sed "s/prep-report $version/prep-report VERSION/" "$tmp/raw.$kind" \
		>"$tmp/report.$kind"
	if cmp -s "$tmp/report.$kind" "$dir/report.$kind"; then
		ok
	else
		bad "report.$kind differs: $(diff "$dir/report.$kind" \
			"$tmp/report.$kind" | head -n 20)"
	fi
done
page=$tmp/report.html

# 3. tidy
tidy -errors -quiet "$page" >"$tmp/tidy.log" 2>&1
st=$?
grep -v 'Warning: <a> proprietary attribute "href"' "$tmp/tidy.log" \
	>"$tmp/tidy.rest"
if [ "$st" -le 1 ] && [ ! -s "$tmp/tidy.rest" ]; then
	ok
else
	bad "tidy (exit $st): $(head -n 10 "$tmp/tidy.rest")"
fi
# ... and tidy does see errors (the negative control)
printf '<!DOCTYPE html>\n<html><head><title>x</title></head><body><p><b>x</p></body>\n' \
	>"$tmp/broken.html"
tidy -errors -quiet "$tmp/broken.html" >/dev/null 2>&1
[ $? -ge 1 ] && ok || bad "tidy takes a broken page"

# 4. nothing loaded from outside
if "$py" - "$page" >"$tmp/ext.log" 2>&1 <<'EOF'; then ok; else bad "external resources: $(cat "$tmp/ext.log")"; fi
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
problems = []
for tag in ("script", "link", "img", "iframe", "object", "embed"):
    if re.search(r"<%s\b" % tag, html, re.I):
        problems.append("<%s>" % tag)
if re.search(r"\bsrc\s*=", html, re.I):
    problems.append("src=")
if re.search(r"@import", html, re.I):
    problems.append("@import")
for u in re.findall(r"url\(([^)]*)\)", html):
    if u != "#prep-arrow":
        problems.append("url(%s)" % u)
ids = set(re.findall(r'\bid="([^"]+)"', html))
for h in re.findall(r'\bhref="([^"]*)"', html):
    if not h.startswith("#"):
        problems.append("href=%s" % h)
    elif h[1:] not in ids:
        problems.append("href=%s names no id" % h)
if re.search(r"https?://(?!www\.w3\.org/2000/svg\")", html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")):
    problems.append("an http(s) URL")
if len(ids) < 20:
    problems.append("only %d ids" % len(ids))
print("; ".join(problems))
sys.exit(1 if problems else 0)
EOF

# 5. a real browser
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "report: chromium is not installed: the browser test is skipped"
else
	if timeout 180 "$chromium" --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --user-data-dir="$tmp/profile" \
		--screenshot="$tmp/page.png" --window-size=1200,12000 \
		"file://$page" >"$tmp/chromium.log" 2>&1 &&
		[ -s "$tmp/page.png" ]; then
		ok
		if "$py" - "$tmp/page.png" >"$tmp/png.log" 2>&1 <<'EOF'; then ok; else bad "screenshot: $(cat "$tmp/png.log")"; fi
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
counts = im.getcolors(maxcolors=1 << 24)
colours = dict((c, n) for n, c in counts)
problems = []
if len(colours) <= 64:
    problems.append("%d distinct colours" % len(colours))
want = {"pass": (0x1a, 0x98, 0x50), "fail": (0xd7, 0x30, 0x27),
        "first series": (0x45, 0x75, 0xb4), "second series": (0xf4, 0x9a, 0x3a)}
for name, rgb in want.items():
    if colours.get(rgb, 0) < 200:
        problems.append("%s colour on %d pixels" % (name, colours.get(rgb, 0)))
print("%dx%d, %d colours; %s" % (im.size[0], im.size[1], len(colours),
      ", ".join("%s %d px" % (k, colours.get(v, 0)) for k, v in want.items())))
sys.exit(1 if problems else 0)
EOF
		cat "$tmp/png.log"
	else
		bad "chromium failed: $(tail -n 5 "$tmp/chromium.log")"
	fi
fi

# 6. the demo's page
# with the test key: validate --pii takes about one hash:16 pseudonym in
# 55,000 for a card number (16 decimal digits with a network's prefix and
# a valid Luhn digit), so about one random key in 34 fails the demo's
# 1,645 e-mail pseudonyms; the test key's pass
if DEMO_KEY="$root/testdata/test.key" KEEP_DEMO="$tmp/demo.jsonl" \
	bash "$root/testdata/demo.sh" "$bindir" \
	"$tmp/demo.html" >"$tmp/demo.log" 2>&1; then
	ok
	if "$py" - "$root/tests/audit/prep-audit.schema.json" "$tmp/demo.jsonl" \
		"$tmp/demo.html" >"$tmp/demo.check" 2>&1 <<'EOF'; then ok; else bad "demo page: $(cat "$tmp/demo.check")"; fi
import json, re, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
problems = []
jobs = set()
for n, line in enumerate(open(sys.argv[2]), 1):
    r = json.loads(line)
    jobs.add(r["job"]["name"])
    for e in v.iter_errors(r):
        problems.append("record %d: %s" % (n, e.message))
    if r["job"]["name"] in ("kcheck", "validate", "fairness", "drift") and \
            not r["run"]["facets"]["prep"]["checks"]:
        problems.append("record %d: %s without checks" % (n, r["job"]["name"]))
want_jobs = {"anonymize", "kcheck", "kanon", "dpnoise", "validate",
             "fairness", "reweight", "oversample", "profile", "drift"}
if jobs != want_jobs:
    problems.append("jobs %s" % sorted(jobs))
html = open(sys.argv[3], encoding="utf-8").read()
for caption in ("Number of equivalence classes of each size",
                "Prosecutor risk", "Epsilon spent on people",
                "Selection rate per group around reweight",
                "Each column&#39;s statistic"):
    if caption not in html:
        problems.append("no chart: " + caption)
if html.count('id="pipeline-') < 2:
    problems.append("fewer than 2 pipelines")
for item, answer in (("Data Source Review", "Yes"),
                     ("Data Privacy", "No"),
                     ("Subgroup Analysis", "Yes"),
                     ("Data/Concept Drift", "No")):
    m = re.search(re.escape(item) + r"</t[dh]>\s*<td[^>]*>(Yes|No|N/A)", html)
    if m is None or m.group(1) != answer:
        problems.append("%s: %s" % (item, m.group(1) if m else "missing"))
print("; ".join(problems))
sys.exit(1 if problems else 0)
EOF
else
	bad "the demo failed: $(tail -n 5 "$tmp/demo.log")"
fi

echo "report tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
