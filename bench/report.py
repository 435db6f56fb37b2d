#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Charts of a benchmark JSON with gnuplot (Debian gnuplot-nox), as SVG.

    bench/report.py build/bench/latest.json OUT_DIR

OUT_DIR/ops.svg     ns per unit of each operation (one size each), per format
OUT_DIR/size-<op>.svg  ns per unit against region size, one line per format
OUT_DIR/index.html  all of them on one page
"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import table  # noqa: E402  (same directory)

# The size each operation is shown at in the overview.
HEADLINE = [("map_seq", 16 << 20), ("map_rand", 4096), ("query", 1 << 30),
            ("query_hook", 1 << 30), ("translate", 1 << 30), ("remap", 16 << 20),
            ("protect", 16 << 20), ("unmap", 16 << 20), ("flush_batch", 32), ("map_region_4k", 1 << 30),
            ("map_region_runs", 1 << 30), ("map_region_huge", 1 << 30), ("map_region_1g", 1 << 30),
            ("unmap_region_4k", 1 << 30), ("protect_region_4k", 1 << 30),
            ("unmap_region_split", 16 << 20), ("protect_region_split", 16 << 20),
            ("walk_4k", 1 << 30), ("walk_ranges_4k", 1 << 30), ("walk_huge", 1 << 30), ("destroy", 1 << 30),
            ("floor", 1 << 30)]
BY_SIZE = ["floor", "map_region_4k", "map_region_runs", "unmap_region_4k", "protect_region_4k", "walk_4k",
           "map_region_huge", "destroy"]


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script.encode(), check=True)


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    _, res, _ = table.load(src)
    fmts = [f for f in table.FORMATS if any(k[1] == f for k in res)]

    # Overview: clustered bars, log scale (the values span four decades).
    dat = os.path.join(out, "ops.dat")
    with open(dat, "w") as f:
        f.write("op " + " ".join(fmts) + "\n")
        for op, arg in HEADLINE:
            if not any((op, fm, arg) in res for fm in fmts):
                continue
            unit = next(res[(op, fm, arg)][1] for fm in fmts if (op, fm, arg) in res)
            label = "%s_%s(%s)" % (op, table.size_name(arg), unit)
            f.write(label + " " + " ".join(
                "%g" % res[(op, fm, arg)][0] if (op, fm, arg) in res else "NaN"
                for fm in fmts) + "\n")
    gnuplot("""
set terminal svg size 1400,650 dynamic font 'sans,11'
set output '%s'
set title 'libpt: ns per unit (monotonic time), one size per operation'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set logscale y
set ylabel 'ns per unit (log)'
set xtics rotate by -40 noenhanced
set key outside right noenhanced
set grid ytics
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (os.path.join(out, "ops.svg"), len(fmts) + 1, dat))

    charts = ["ops.svg"]
    for op in BY_SIZE:
        sizes = sorted({a for (o, _, a) in res if o == op})
        if len(sizes) < 2:
            continue
        dat = os.path.join(out, "size-%s.dat" % op)
        with open(dat, "w") as f:
            f.write("size " + " ".join(fmts) + "\n")
            for a in sizes:
                f.write("%d " % (a >> 20) + " ".join(
                    "%g" % res[(op, fm, a)][0] if (op, fm, a) in res else "NaN"
                    for fm in fmts) + "\n")
        unit = next(res[k][1] for k in res if k[0] == op)
        name = "size-%s.svg" % op
        gnuplot("""
set terminal svg size 900,500 dynamic font 'sans,11'
set output '%s'
set title '%s: ns per %s against region size' noenhanced
set logscale xy
set xlabel 'region size (MiB)'
set ylabel 'ns per %s'
set key outside right noenhanced
set grid
plot for [i=2:%d] '%s' using 1:i with linespoints title columnheader(i)
""" % (os.path.join(out, name), op, unit, unit, len(fmts) + 1, dat))
        charts.append(name)

    with open(os.path.join(out, "index.html"), "w") as f:
        f.write("<!doctype html><title>libpt benchmarks</title><h1>libpt benchmarks</h1>\n")
        f.write("<p>From %s.</p>\n" % src)
        for c in charts:
            f.write('<p><img src="%s"></p>\n' % c)
    print("bench-report: %s" % " ".join(os.path.join(out, c) for c in charts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
