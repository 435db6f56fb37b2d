#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Instruction counts per commit (make bench-history), charted.

    bench/history.py run    HISTORY REV [--force]
    bench/history.py report HISTORY REV OUT_DIR

run: for each commit of REV ("a..b", or one revision: its last 30
first-parent commits), oldest first, check it out in the detached worktree
build/history/wt, build its own build/bench/icount with its own makefiles,
run its own ICOUNT_RUN recipe (one callgrind run, the make bench-icount of
that commit) and append one JSON line to HISTORY: sha, date, subject,
status, compiler, {workload: instructions per item}. A commit already in
HISTORY is skipped unless --force. A commit that does not build or run is
recorded with its status and no counts, and the next one goes on.

report: the commits of REV found in HISTORY, in order, as one gnuplot SVG
per operation and size (one line per format) and OUT_DIR/index.html, the
charts with steps first, every change above STEP between two consecutive
measured commits marked on its chart and listed in a table.
"""
import html
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__

STEP = 0.03
DEFAULT_DEPTH = 30
FORMATS = ["x86_64", "la57", "aarch64", "sv39", "sv48", "sv57", "la64", "armv7"]
PREFIX = "desc: Trigger: Client Request: "
# The worktree every commit is built in (make passes $(BUILD)/history/wt).
WT = os.environ.get("HISTORY_WT", "build/history/wt")
# The commit's own recipe, run by its own make (no bench-build: the C++
# Google Benchmark binary is not needed here).
RUN_RULE = "history-icount-run: ; @$(ICOUNT_RUN)"


# ---- history file -------------------------------------------------------

def load(path):
    """The history as a dict sha -> record (a later line replaces an earlier)."""
    recs = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    recs[r["sha"]] = r
    return recs


def save(path, recs, order):
    """Rewrite HISTORY with recs, in the order of the shas in order first."""
    seen = set()
    lines = []
    for sha in list(order) + list(recs):
        if sha in recs and sha not in seen:
            seen.add(sha)
            lines.append(json.dumps(recs[sha], sort_keys=True, separators=(",", ":")))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    os.replace(tmp, path)


def append(path, rec):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n")


# ---- git and the runs ---------------------------------------------------

def git(*args, cwd="."):
    return subprocess.run(["git"] + list(args), cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def commits(rev):
    """The first-parent commits of rev, oldest first."""
    if ".." in rev:
        out = git("rev-list", "--first-parent", "--reverse", rev)
    else:
        out = git("rev-list", "--first-parent", "-n", str(DEFAULT_DEPTH), rev)
        out = "\n".join(reversed(out.split()))
    return out.split()


def read_dumps(d):
    """Callgrind dumps of build/bench/icount: {workload: Ir}."""
    counts = {}
    for name in os.listdir(d) if os.path.isdir(d) else []:
        if not name.startswith("cg.out"):
            continue
        work, total = None, None
        with open(os.path.join(d, name)) as f:
            for line in f:
                if line.startswith(PREFIX):
                    work = line[len(PREFIX):].strip()
                elif line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
                if work and total is not None:
                    break
        if work and total is not None:
            counts[work] = total
    return counts


def per_item(dump_dir, listing):
    """{workload: Ir / items} for every workload the listing names."""
    counts = read_dumps(dump_dir)
    res = {}
    if os.path.exists(listing):
        with open(listing) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] in counts and int(parts[1]) > 0:
                    res[parts[0]] = float("%.6g" % (counts[parts[0]] / int(parts[1])))
    return res


def nice_make(*args):
    cmd = ["nice", "-n", "10", "make", "--no-print-directory", "-C", WT] + list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def measure(sha, log_dir):
    """Build and count one commit in WT: (status, counts)."""
    if not os.path.isdir(WT):
        os.makedirs(os.path.dirname(WT), exist_ok=True)
        git("worktree", "prune")  # one removed with build/ by make clean
        git("worktree", "add", "--detach", WT, sha)
    git("checkout", "--quiet", "--detach", "--force", sha, cwd=WT)
    log = os.path.join(log_dir, sha[:12] + ".log")
    bench = os.path.join(WT, "build", "bench")
    # -B: the makefiles track headers but not flags, and the objects in the
    # worktree are another commit's; each commit's icount is built afresh.
    b = nice_make("-j2", "-B", "build/bench/icount")
    r = None
    if b.returncode == 0:
        # Nothing of the previous commit's run may be read as this one's.
        shutil.rmtree(os.path.join(bench, "callgrind"), ignore_errors=True)
        if os.path.exists(os.path.join(bench, "icount.txt")):
            os.remove(os.path.join(bench, "icount.txt"))
        # The commit's own ICOUNT_RUN; a workload that fails makes it exit
        # non-zero, but the others are counted all the same.
        r = nice_make("--eval", RUN_RULE, "history-icount-run")
    with open(log, "w") as f:
        f.write(b.stdout + (r.stdout if r else ""))
    if b.returncode != 0:
        return "build failed", {}
    counts = per_item(os.path.join(bench, "callgrind"), os.path.join(bench, "icount.txt"))
    if not counts:
        return "run failed", {}
    return ("ok" if r.returncode == 0 else "partial"), counts


def compiler():
    out = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout
    return out.split("\n")[0]


def run(hist, rev, force):
    shas = commits(rev)
    recs = load(hist)
    log_dir = os.path.join(os.path.dirname(WT), "logs")
    os.makedirs(log_dir, exist_ok=True)
    todo = [s for s in shas if force or s not in recs]
    print("bench-history: %d commits, %d cached, %d to run (logs in %s)" %
          (len(shas), len(shas) - len(todo), len(todo), log_dir))
    for i, sha in enumerate(todo):
        date, subject = git("log", "-1", "--format=%cI%n%s", sha).split("\n", 1)
        status, counts = measure(sha, log_dir)
        rec = {"sha": sha, "date": date, "subject": subject.strip(), "status": status,
               "cc": compiler(), "icount": counts}
        if sha in recs:
            recs[sha] = rec
            save(hist, recs, [])
        else:
            recs[sha] = rec
            append(hist, rec)
        print("bench-history: [%d/%d] %s %s: %s, %d workloads" %
              (i + 1, len(todo), sha[:10], subject.strip()[:50], status, len(counts)),
              flush=True)
    return 0


# ---- steps and charts ----------------------------------------------------

def steps(series, limit=STEP):
    """series: [(sha, {workload: value})] in commit order. Every change of a
    workload above limit (either way) between two consecutive commits that
    both measured it: (sha_before, sha_after, workload, before, after, change)."""
    out = []
    last = {}  # workload -> (sha, value) of its last measurement
    for sha, vals in series:
        for w, v in sorted(vals.items()):
            if w in last:
                psha, pv = last[w]
                change = (v - pv) / pv if pv else 0.0
                if abs(change) > limit:
                    out.append((psha, sha, w, pv, v, change))
            last[w] = (sha, v)
    return out


def group_of(workload):
    """'op/format/arg' -> ('op/arg', 'format'); other names are their own group."""
    parts = workload.split("/")
    if len(parts) == 3:
        return parts[0] + "/" + parts[2], parts[1]
    return workload, ""


def size_name(arg):
    try:
        a = int(arg)
    except ValueError:
        return arg
    for shift, unit in ((30, "G"), (20, "M"), (10, "K")):
        if a >= 1 << shift and a % (1 << shift) == 0:
            return "%d%s" % (a >> shift, unit)
    return str(a)


def chart(path, title, xlabels, lines, marks):
    """One SVG: xlabels names the commits, lines is {label: [value or None
    per commit]}, marks a list of (x, y, text) drawn over them: a circle
    where text is empty, else the text."""
    data = []
    for label, ys in lines.items():
        data.append("$%s << EOD\n%sEOD\n" % (
            "d%d" % len(data),
            "".join("%d %s\n" % (x, "NaN" if y is None else repr(y)) for x, y in enumerate(ys))))
    mark = "$marks << EOD\n%sEOD\n" % "".join(
        "%d %r \"%s\"\n" % m for m in marks if not m[2])
    mark += "$labels << EOD\n%sEOD\n" % "".join(
        "%d %r \"%s\"\n" % m for m in marks if m[2])
    xtics = ", ".join('"%s" %d' % (s, i) for i, s in enumerate(xlabels))
    plots = ["$d%d using 1:2 with linespoints pt 7 ps 0.5 title '%s'" % (i, label)
             for i, label in enumerate(lines)]
    if marks:
        plots.append("$marks using 1:2 with points pt 6 ps 2.2 lw 2 lc rgb 'red' "
                     "title 'step > %d%%'" % round(STEP * 100))
        plots.append("$labels using 1:2:3 with labels offset 0,1.3 font ',9' "
                     "tc rgb 'red' notitle")
    script = "".join(data) + mark + """
set terminal svg size 900,420 dynamic noenhanced font 'sans,10'
set output '%s'
set title '%s'
set ylabel 'instructions per item'
set xrange [-0.5:%f]
set xtics (%s) rotate by -60 font ',8'
set key outside right top
set grid ytics
set offsets 0, 0, graph 0.12, graph 0.05
plot %s
""" % (path, title.replace("'", ""), len(xlabels) - 0.5, xtics, ", \\\n     ".join(plots))
    # gnuplot warns about a flat line (an empty y range); only errors matter.
    g = subprocess.run(["gnuplot"], input=script.encode(), capture_output=True)
    if g.returncode != 0:
        sys.stderr.write(g.stderr.decode())
        raise SystemExit("bench-history: gnuplot failed on %s" % path)


def report(recs, shas, out):
    """Charts and index.html of the commits shas (in order) found in recs.
    Returns the steps found."""
    os.makedirs(out, exist_ok=True)
    shas = [s for s in shas if s in recs]
    series = [(s, recs[s].get("icount", {})) for s in shas]
    found = steps(series)
    pos = {s: i for i, s in enumerate(shas)}
    # A commit with no counts (it did not build or run) is a gap, so named.
    xlabels = [s[:7] + ("" if recs[s].get("icount") else " " + recs[s]["status"]) for s in shas]
    groups = {}
    for _, vals in series:
        for w in vals:
            g, fmt = group_of(w)
            groups.setdefault(g, set()).add(fmt)
    by_group = {}
    for st in found:
        by_group.setdefault(group_of(st[2])[0], []).append(st)
    # Groups with steps first, the largest step first; then by name.
    order = sorted(groups, key=lambda g: (g not in by_group,
                                         -max([abs(s[5]) for s in by_group.get(g, [])] or [0]), g))
    files = {}
    for g in order:
        fmts = sorted(groups[g], key=lambda f: (FORMATS.index(f) if f in FORMATS else 99, f))
        lines = {}
        for fmt in fmts:
            w = g.split("/")[0] + "/" + fmt + "/" + g.split("/")[1] if fmt else g
            lines[fmt or g] = [vals.get(w) for _, vals in series]
        marks = [(pos[s[1]], s[4], "") for s in by_group.get(g, [])]
        # One label per commit, over its highest circle: the format and
        # change of a lone step, else how many formats moved and how far.
        at = {}
        for s in by_group.get(g, []):
            at.setdefault(pos[s[1]], []).append((s[5], group_of(s[2])[1], s[4]))
        for x, cs in at.items():
            lo, hi = min(cs), max(cs)
            top = max(c[2] for c in cs)
            if len(cs) == 1:
                text = "%s %+.1f%%" % (lo[1], lo[0] * 100)
            elif "%+.0f" % (lo[0] * 100) == "%+.0f" % (hi[0] * 100):
                text = "%d formats %+.1f%%" % (len(cs), lo[0] * 100)
            else:
                text = "%d formats %+.0f%%..%+.0f%%" % (len(cs), lo[0] * 100, hi[0] * 100)
            marks.append((x, top, text))
        name = g.replace("/", "-") + ".svg"
        op, _, arg = g.partition("/")
        chart(os.path.join(out, name), "%s %s" % (op, size_name(arg)), xlabels, lines, marks)
        files[g] = name
    write_index(os.path.join(out, "index.html"), recs, shas, order, files, found)
    return found


def write_index(path, recs, shas, order, files, found):
    e = html.escape
    rows = "".join(
        "<tr><td><code>%s</code> %s</td><td><code>%s</code></td><td><a href=\"#%s\">%s</a></td>"
        "<td>%.4g</td><td>%.4g</td><td class=%s>%+.1f%%</td></tr>\n" %
        (e(a[:10]), e(recs[a]["subject"][:70]), e(b[:10]), e(group_of(w)[0]), e(w), pv, v,
         "up" if c > 0 else "down", c * 100)
        for b, a, w, pv, v, c in found)
    commits = "".join(
        "<tr><td>%d</td><td><code>%s</code></td><td>%s</td><td>%s</td><td>%d</td>"
        "<td>%s</td></tr>\n" %
        (i, e(s[:10]), e(recs[s]["date"][:16]), e(recs[s]["status"]),
         len(recs[s].get("icount", {})), e(recs[s]["subject"]))
        for i, s in enumerate(shas))
    flagged = {b[2] for b in found}
    charts = "".join(
        '<h3 id="%s">%s%s</h3>\n<img src="%s" alt="%s">\n' %
        (e(g), e(g), " (steps)" if any(group_of(w)[0] == g for w in flagged) else "",
         e(files[g]), e(g))
        for g in order)
    links = " ".join('<a href="#%s">%s</a>' % (e(g), e(g)) for g in order)
    with open(path, "w") as f:
        f.write("""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>libpt: instructions per commit</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:auto}
td,th{padding:2px 8px;text-align:left}.up{color:#b00}.down{color:#070}</style></head><body>
<h1>libpt: instructions per item, per commit</h1>
<p>Callgrind counts of each commit's own <code>build/bench/icount</code>
(<code>make bench-history</code>, bench/history.py). A step is a change above
%d%% between two consecutive measured commits; the charts with steps come first.</p>
<h2>Steps (%d)</h2>
<table><tr><th>commit</th><th>since</th><th>workload</th><th>before</th><th>after</th><th>change</th></tr>
%s</table>
<h2>Commits</h2>
<table><tr><th>x</th><th>sha</th><th>date</th><th>status</th><th>workloads</th><th>subject</th></tr>
%s</table>
<h2>Charts (%d)</h2>
<p>%s</p>
%s</body></html>
""" % (round(STEP * 100), len(found), rows, commits, len(order), links, charts))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) >= 3 and args[0] == "run":
        return run(args[1], args[2], "--force" in sys.argv)
    if len(args) == 4 and args[0] == "report":
        recs = load(args[1])
        found = report(recs, commits(args[2]), args[3])
        summary = {}
        for b, a, w, pv, v, c in found:
            print("step  %s  %-40s %12.4g -> %12.4g  %+6.1f%%" % (a[:10], w, pv, v, c * 100))
            g, fmt = group_of(w)
            summary.setdefault((a, g), []).append((c, fmt))
        # The same, one line per commit and chart: how many formats moved, how far.
        for (a, g), cs in summary.items():
            lo, hi = min(cs)[0], max(cs)[0]
            print("steps %s  %-28s %d format%s  %+.1f%%%s" % (
                a[:10], g, len(cs), "" if len(cs) == 1 else "s", lo * 100,
                "" if lo == hi else " .. %+.1f%%" % (hi * 100)) +
                ("  (%s)" % cs[0][1] if len(cs) == 1 else ""))
        print("bench-history: %d steps over %d%%; charts in %s/index.html" %
              (len(found), round(STEP * 100), args[3]))
        return 0
    print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
