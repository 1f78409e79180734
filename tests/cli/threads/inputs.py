# inputs.py OUT N [BAD]: N records whose quoted fields hold line feeds,
# CRLF, doubled quotes and commas nearly everywhere, so that nearly every
# byte where a piece of the input could be cut lies inside a quoted
# field; with BAD, record BAD holds a stray quote (a malformed record).
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
bad = int(sys.argv[3]) if len(sys.argv) > 3 else -1
rnd = random.Random(19)
with open(out, "w", newline="") as f:
    f.write("id,text,zip,sex\r\n")
    for i in range(n):
        lines = [
            "".join(rnd.choice("ab, \"") for _ in range(rnd.randint(0, 12)))
            for _ in range(rnd.randint(1, 12))
        ]
        text = "\n".join(lines).replace('"', '""')
        zipc = "%05d" % rnd.randint(10000, 10100)
        if i == bad:
            zipc = 'x"y'
        end = "\r\n" if rnd.random() < 0.5 else "\n"
        f.write('%d,"%s",%s,%s%s' % (i, text, zipc, rnd.choice("MF"), end))
