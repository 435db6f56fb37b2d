#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A/B table from interleaved runs of two builds of the suite.

    bench/ab.py DIR [--md]

DIR holds a-N.json and b-N.json (bench/ab.sh writes them: rounds of A then
B, then B then A, in one session). For every workload the fastest run of
each side is taken (other tenants only ever add time) and the table gives
B's time as a ratio to A's, per format; '*' marks a ratio above 1.05.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import table  # noqa: E402


def side(d, name):
    best = {}
    for path in sorted(glob.glob(os.path.join(d, "%s-*.json" % name))):
        _, res, _ = table.load(path, min)
        for k, (v, _) in res.items():
            best[k] = min(v, best.get(k, v))
    return best


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    md = "--md" in sys.argv
    d = args[0] if args else "build/bench/ab"
    a, b = side(d, "a"), side(d, "b")
    keys = sorted(set(a) & set(b), key=lambda k: (table.order(k[0]), k[2]))
    fmts = [f for f in table.FORMATS if any(k[1] == f for k in keys)]
    rows = sorted({(k[0], k[2]) for k in keys}, key=lambda r: (table.order(r[0]), r[1]))
    lines, worse = [], 0
    for op, arg in rows:
        cells = []
        for f in fmts:
            k = (op, f, arg)
            if k not in a or k not in b or not a[k]:
                cells.append("-")
                continue
            r = b[k] / a[k]
            worse += r > 1.05
            cells.append("%.2f%s" % (r, "*" if r > 1.05 else ""))
        lines.append([op + " " + table.size_name(arg)] + cells)
    table.emit("B / A, fastest run of each side ('*' above 1.05)", ["workload"] + fmts, lines, md)
    print("%d cells above 1.05 of %d" % (worse, sum(len(l) - 1 for l in lines)))


if __name__ == "__main__":
    main()
