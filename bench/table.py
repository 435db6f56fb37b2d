#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print the benchmark JSON (Google Benchmark format) as tables.

    bench/table.py build/bench/latest.json [--md] [--min]

Rows are operations (and sizes), columns formats. Cells are ns per unit:
the run's measured time (monotonic time, see bench/bench.c) divided by
the counter "items", the units one run does (its label: page, leaf or op).
A second table gives each 4K-page operation as a ratio to the floor of the
same format and size. Cells missing a speed target are marked '!'.
With --repetitions the median of the repetitions is used, or with --min
their minimum: on a shared machine other tenants only ever add time, so
the fastest repetition is the one least disturbed.
"""
import json
import statistics
import sys

FORMATS = ["x86_64", "la57", "aarch64", "sv39", "sv48", "sv57", "la64", "armv7",
           "ept", "ept5", "sv39x4", "sv48x4", "sv57x4"]
G = 1 << 30

# Speed targets: (operation, size or None for every size) -> limit in ns.
TARGET_NS = {
    ("map_region_4k", G): 1.0,
    ("unmap_region_4k", G): 0.6,
    ("protect_region_4k", G): 0.6,
    # A dirty-log round over 1 GiB of 4K pages, one in eight dirty.
    ("clear_dirty", G): 1.0,
    # The walk target is for the leaf walks (every leaf, its PA with it:
    # pt_walk_batches; or uniform runs: pt_walk_ranges). pt_walk calls back
    # through a pointer once per entry, tables included: walk_floor, that
    # call alone with no table read, takes 1.4-1.6 ns a leaf here, so
    # walk_4k is reported against that floor instead (bench/README.md).
    # walk_cursor_sum_4k holds the caller's own per-leaf loop to it too.
    ("walk_batches_4k", G): 0.3,
    ("walk_cursor_4k", G): 0.3,
    ("walk_cursor_sum_4k", G): 0.3,
    ("walk_ranges_4k", G): 0.3,
    ("query", None): 2.0,
    ("map_seq", None): 2.0,
}
TARGET_RATIO = {("map_region_4k", G): 3.0}
# Operations compared with the floor (4K pages, same size).
RATIO_OPS = ["map_region_4k", "unmap_region_4k", "protect_region_4k", "map_seq", "destroy"]
# Walks compared with the per-leaf callback floor (bench/work_walk.c, walk_floor).
WALK_RATIO_OPS = ["walk_4k", "walk_ranges_4k", "walk_batches_4k", "walk_batches_sum_4k",
                  "walk_cursor_4k", "walk_cursor_sum_4k"]
# Queries compared with the query floor (bench/work_page.c, query_floor) and with
# the same loads behind a call (query_call_floor); single-page maps with one
# store behind a call (map_call_floor).
QUERY_RATIO_OPS = ["query"]
MAP_CALL_RATIO_OPS = ["map_seq"]


def size_name(arg):
    for shift, unit in ((30, "G"), (20, "M"), (10, "K")):
        if arg >= 1 << shift and arg % (1 << shift) == 0:
            return "%d%s" % (arg >> shift, unit)
    return str(arg)


def load(path, stat=statistics.median):
    """{(op, fmt, arg): (ns per unit, unit)} plus {(op, fmt, arg): error}."""
    with open(path) as f:
        data = json.load(f)
    samples, units, errors = {}, {}, {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) < 3:
            continue
        key = (parts[0], parts[1], int(parts[2]))
        if b.get("error_occurred"):
            errors[key] = b.get("error_message", "error")
            continue
        items = b.get("items", 0)
        if not items:
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        samples.setdefault(key, []).append(b["real_time"] * scale / items)
        units[key] = b.get("label", "")
    res = {k: (stat(v), units[k]) for k, v in samples.items()}
    return data, res, errors


def target_for(table, op, arg):
    return table.get((op, arg), table.get((op, None)))


def fmt_ns(v):
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    if v >= 0.1:
        return "%.2f" % v
    return "%.3f" % v


def rows_of(res, errors):
    keys = sorted({(op, arg) for (op, _, arg) in list(res) + list(errors)},
                  key=lambda k: (order(k[0]), k[1]))
    return keys


ORDER = ["floor", "map_seq", "map_call_floor", "map_rand", "query", "query_floor",
         "query_call_floor", "query_hook", "translate", "remap", "protect", "unmap",
         "flush_batch", "map_region_4k", "map_region_runs", "map_region_huge", "map_region_1g", "unmap_region_4k",
         "protect_region_4k", "unmap_region_split", "protect_region_split", "walk_4k",
         "walk_floor", "walk_ranges_4k", "walk_batches_4k", "walk_batches_sum_4k",
         "walk_cursor_4k", "walk_cursor_sum_4k", "walk_huge",
         "destroy"]


def order(op):
    return ORDER.index(op) if op in ORDER else len(ORDER)


def emit(title, header, lines, md):
    print()
    print(title)
    if md:
        print()
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for ln in lines:
            print("| " + " | ".join(ln) + " |")
        return
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    def line(r):
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths)))
    print(line(header))
    print("-" * len(line(header)))
    for ln in lines:
        print(line(ln))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    md = "--md" in sys.argv
    path = args[0] if args else "build/bench/latest.json"
    data, res, errors = load(path, min if "--min" in sys.argv else statistics.median)
    fmts = [f for f in FORMATS if any(k[1] == f for k in list(res) + list(errors))]
    misses = 0

    lines = []
    for op, arg in rows_of(res, errors):
        unit = next((res[(op, f, arg)][1] for f in fmts if (op, f, arg) in res), "")
        tgt = target_for(TARGET_NS, op, arg)
        row = ["%s %s" % (op, size_name(arg)), unit]
        for f in fmts:
            k = (op, f, arg)
            if k in errors:
                row.append("ERR")
            elif k in res:
                v = res[k][0]
                bad = tgt is not None and v > tgt
                misses += bad
                row.append(fmt_ns(v) + ("!" if bad else ""))
            else:
                row.append("-")
        row.append("<= %g" % tgt if tgt is not None else "")
        lines.append(row)
    emit("ns per unit (monotonic time; '!' misses the target)",
         ["operation", "unit"] + fmts + ["target"], lines, md)

    lines = []
    for op, arg in rows_of(res, errors):
        if op not in RATIO_OPS:
            continue
        tgt = target_for(TARGET_RATIO, op, arg)
        row = ["%s %s" % (op, size_name(arg)), "x floor"]
        have = False
        for f in fmts:
            k, fl = (op, f, arg), ("floor", f, arg)
            if k in res and fl in res and res[fl][0] > 0:
                v = res[k][0] / res[fl][0]
                bad = tgt is not None and v > tgt
                misses += bad
                row.append("%.2f%s" % (v, "!" if bad else ""))
                have = True
            else:
                row.append("-")
        row.append("<= %g" % tgt if tgt is not None else "")
        if have:
            lines.append(row)
    emit("ratio to the floor of the same format and size (entries written + tables zeroed "
         "in a warm buffer)", ["operation", "unit"] + fmts + ["target"], lines, md)

    for ops, floor, title in (
            (WALK_RATIO_OPS, "walk_floor", "ratio to the walk floor (each leaf put in a struct "
             "pt_entry and passed to the same callback through a pointer, no table read)"),
            (QUERY_RATIO_OPS, "query_floor", "ratio to the query floor (the two dependent "
             "loads under the directory, inline: no call, check or decode)"),
            (QUERY_RATIO_OPS, "query_call_floor", "ratio to the query call floor (the same two "
             "loads out of line, behind a call shaped like pt_query's: the least any library "
             "query costs here)"),
            (MAP_CALL_RATIO_OPS, "map_call_floor", "ratio to the map call floor (one entry "
             "stored out of line, behind a call shaped like pt_map's, nothing checked)")):
        lines = []
        for op, arg in rows_of(res, errors):
            if op not in ops:
                continue
            row = ["%s %s" % (op, size_name(arg)), "x floor"]
            for f in fmts:
                k, fl = (op, f, arg), (floor, f, arg)
                row.append("%.2f" % (res[k][0] / res[fl][0])
                           if k in res and fl in res and res[fl][0] > 0 else "-")
            if any(c != "-" for c in row[2:]):
                lines.append(row + [""])
        if lines:
            emit(title, ["operation", "unit"] + fmts + ["target"], lines, md)

    ctx = data.get("context", {})
    print()
    print("%d cells miss a target; %d errors. %s, library build type %s, %s" %
          (misses, len(errors), ctx.get("date", "?"), ctx.get("library_build_type", "?"),
           ctx.get("libpt_pool", "")))
    for k, e in sorted(errors.items()):
        print("ERROR %s/%s/%s: %s" % (k[0], k[1], size_name(k[2]), e))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
