#!/usr/bin/python3
"""Writes the small synthetic data set of the kanon tests (fixed seed):
people.csv (',' delimited; QIs zip, age, sex, job; sensitive columns
disease (categorical) and salary (numeric)) and one ARX-layout hierarchy
per QI, some listing values absent from the data, zip's ','-delimited and
the others ';'-delimited."""

import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20260415)
n = 300

zips = ["13053", "13068", "13102", "13121", "14850", "14853", "14867", "14882"]
zip_extra = ["13099", "14899"]  # in the hierarchy only
jobs = {"nurse": "care", "doctor": "care", "carer": "care",
        "clerk": "office", "manager": "office", "analyst": "office",
        "driver": "trade", "builder": "trade", "welder": "trade"}
jobs_in_data = [j for j in jobs if j != "welder"]
diseases = ["flu", "cold", "asthma", "diabetes", "cancer", "hiv"]

rows = []
for _ in range(n):
    z = zips[rng.integers(len(zips))] if rng.random() < 0.9 else zips[0]
    age = int(np.clip(rng.normal(45, 15), 18, 79))
    sex = "F" if rng.random() < 0.45 else "M"
    job = jobs_in_data[rng.integers(len(jobs_in_data))]
    # disease depends on age, so generalizing age changes diversity
    w = np.array([5, 4, 2, 1 + age / 20, age / 25, 0.5])
    dis = diseases[rng.choice(len(diseases), p=w / w.sum())]
    base = {"care": 50, "office": 60, "trade": 40}[jobs[job]]
    sal = int(np.clip(base + 10 * rng.integers(-2, 3) + (age > 50) * 10, 20, 90))
    rows.append((z, str(age), sex, job, dis, str(sal)))

with open(os.path.join(here, "people.csv"), "w") as f:
    f.write("zip,age,sex,job,disease,salary\n")
    for r in rows:
        f.write(",".join(r) + "\n")

with open(os.path.join(here, "hier_zip.csv"), "w") as f:
    for z in sorted(zips + zip_extra):
        f.write("%s,%s*,%s**,*\n" % (z, z[:4], z[:3]))
with open(os.path.join(here, "hier_age.csv"), "w") as f:
    for a in range(100):
        lo5, lo20 = a // 5 * 5, a // 20 * 20
        f.write("%d;%d-%d;%d-%d;*\n" % (a, lo5, lo5 + 4, lo20, lo20 + 19))
with open(os.path.join(here, "hier_sex.csv"), "w") as f:
    f.write("M;*\nF;*\n")
with open(os.path.join(here, "hier_job.csv"), "w") as f:
    for j, g in jobs.items():
        f.write("%s;%s;*\n" % (j, g))
