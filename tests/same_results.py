#!/usr/bin/env python3
"""same_results.py A.csv B.csv: the metric values of two study results.csv
files agree (identical, perplexity within 1e-6 relative), and each holds every
plan x task x metric exactly once. A value that is not finite (NaN, inf)
fails."""
import csv
import math
import sys


def load(path):
    rows = list(csv.DictReader(open(path)))
    keys = [(r["plan"], r["task"], r["metric"]) for r in rows]
    assert len(keys) == len(set(keys)), "a cell appears twice in " + path
    values = {k: float(r["value"]) for k, r in zip(keys, rows)}
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    assert not bad, "%s: %d values not finite, the first %s = %r" % (path, len(bad), bad[0], values[bad[0]])
    return values


a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys(), "different cells"
for k in a:
    tol = 1e-6 * abs(a[k]) if k[2] == "perplexity" else 0.0
    assert abs(a[k] - b[k]) <= tol, (k, a[k], b[k])
print("%d values agree" % len(a))
