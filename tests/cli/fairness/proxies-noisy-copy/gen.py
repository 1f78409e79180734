#!/usr/bin/python3
"""gen.py N: data.csv of N rows (seeded, the same every run): a protected
attribute g of three levels, and columns of known association with it:
noisy (g renamed, one row in five replaced by a random level), indep
(four values drawn apart from g), dep_num (a number, one decimal, whose mean moves
with g), indep_num (a number drawn apart from g), and id (unique)."""
import random
import sys

n = int(sys.argv[1])
rnd = random.Random(20)
rename = {"A": "x", "B": "y", "C": "z"}
with open("data.csv", "w") as f:
    f.write("id,g,noisy,indep,dep_num,indep_num\n")
    for i in range(n):
        g = rnd.choice("ABC")
        noisy = rename[g] if rnd.random() >= 0.2 else rnd.choice("xyz")
        indep = rnd.choice("wxyz")
        dep = rnd.gauss({"A": 0, "B": 1, "C": 2}[g], 1)
        ind = rnd.gauss(0, 1)
        f.write("%d,%s,%s,%s,%.1f,%.1f\n" % (i, g, noisy, indep, dep, ind))
