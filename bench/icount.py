#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Instruction counts per operation from callgrind dumps, against a baseline.

    bench/icount.py DUMP_DIR LIST BASELINE OUT [--update]

DUMP_DIR holds the callgrind dumps of build/bench/icount (one per workload,
named by its client request), LIST its stdout ("<name> <items> <unit>").
Writes OUT (JSON). Exit status 1 if any count grew more than 3% over
BASELINE, or a workload failed; with --update, BASELINE is rewritten instead.
"""
import glob
import json
import os
import sys

LIMIT = 0.03
PREFIX = "desc: Trigger: Client Request: "
FORMATS = ["x86_64", "la57", "aarch64", "sv39", "sv48", "sv57", "la64", "armv7",
           "ept", "ept5", "sv39x4", "sv48x4", "sv57x4"]


def size_name(arg):
    for shift, unit in ((30, "G"), (20, "M"), (10, "K")):
        if arg >= 1 << shift and arg % (1 << shift) == 0:
            return "%d%s" % (arg >> shift, unit)
    return str(arg)


def read_dumps(d):
    counts = {}
    for path in glob.glob(os.path.join(d, "cg.out*")):
        name, total = None, None
        with open(path) as f:
            for line in f:
                if line.startswith(PREFIX):
                    name = line[len(PREFIX):].strip()
                elif line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
                if name and total is not None:
                    break
        if name:
            counts[name] = total
    return counts


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    update = "--update" in sys.argv
    dump_dir, listing, base_path, out_path = args
    counts = read_dumps(dump_dir)
    cur = {}
    with open(listing) as f:
        for line in f:
            name, items, unit = line.split()
            if name not in counts:
                print("icount: no dump for %s" % name)
                return 1
            cur[name] = {"ir": counts[name], "items": int(items), "unit": unit}
    doc = {"tool": "valgrind --tool=callgrind --collect-atstart=no (bench/icount.c)",
           "note": "Ir of the measured part of one run of each workload; per_item = ir/items",
           "counts": cur}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    if update:
        with open(base_path, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
            f.write("\n")
        print("icount: baseline %s rewritten (%d workloads)" % (base_path, len(cur)))
    base = {}
    if os.path.exists(base_path):
        with open(base_path) as f:
            base = json.load(f)["counts"]

    # Per item, operation x format, as the timing table.
    ops = []
    for name in cur:
        op = name.split("/")[0] + " " + name.split("/")[2]  # split back below
        if op not in ops:
            ops.append(op)
    fmts = [f for f in FORMATS if any(n.split("/")[1] == f for n in cur)]
    print("instructions per unit (callgrind Ir / items)")
    hdr = "%-30s %-5s" % ("operation", "unit") + "".join("%9s" % f for f in fmts)
    print(hdr)
    print("-" * len(hdr))
    for op in ops:
        o, a = op.split()
        row, unit = "", ""
        for fm in fmts:
            c = cur.get("%s/%s/%s" % (o, fm, a))
            if c:
                unit = c["unit"]
                row += "%9.1f" % (c["ir"] / c["items"])
            else:
                row += "%9s" % "-"
        print("%-30s %-5s" % ("%s %s" % (o, size_name(int(a))), unit) + row)

    worse, better, new = [], [], []
    for name, c in sorted(cur.items()):
        b = base.get(name)
        if not b:
            new.append(name)
            continue
        d = (c["ir"] - b["ir"]) / b["ir"]
        if d > LIMIT:
            worse.append((name, b["ir"], c["ir"], d))
        elif d < -LIMIT:
            better.append((name, b["ir"], c["ir"], d))
    gone = sorted(set(base) - set(cur))
    print()
    for name, b, c, d in better:
        print("better  %-40s %12d -> %12d  %+6.1f%%" % (name, b, c, d * 100))
    for name, b, c, d in worse:
        print("WORSE   %-40s %12d -> %12d  %+6.1f%%" % (name, b, c, d * 100))
    for name in new:
        print("new     %s (not in the baseline)" % name)
    for name in gone:
        print("missing %s (in the baseline, not run)" % name)
    print("icount: %d workloads, %d regressed over %.0f%%, %d improved, %d new; baseline %s" %
          (len(cur), len(worse), LIMIT * 100, len(better), len(new), base_path))
    if better and not update:
        print("icount: improvements: `make bench-icount-update` records them")
    return 1 if worse and not update else 0


if __name__ == "__main__":
    sys.exit(main())
