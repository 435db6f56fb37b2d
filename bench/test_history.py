#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench/history.py on a synthetic history: the step detector, the history
file and the charts. Prints "[group] <name>: <p> passed, <f> failed"
(tests/run.sh) and exits non-zero on a failure. Needs python3, gnuplot,
git and make; no valgrind (about a second of CPU).

test_run drives history.py's run over a stand-in repository (below).

The history (the stepping workload's name sorts last, so that putting
charts with steps first is seen): c1; c2 moves step/x86_64 by +5% (the one step) and b/x86_64 by
+1%, drops gone/x86_64 and adds new/x86_64; c3 failed to build; c4 measures
again, with step/x86_64 still at c2's value and b/x86_64 +1% again (+2.01%
since c1: a detector that compares with the first commit, or across more
than one step, flags it).
"""
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import history  # noqa: E402  (same directory)

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what)


def rec(sha, status, counts):
    return {"sha": sha, "date": "2026-12-06T12:00:00+00:00", "subject": "commit " + sha,
            "status": status, "cc": "cc", "icount": counts}


C1 = {"step/x86_64/16": 100.0, "step/armv7/16": 50.0, "b/x86_64/16": 200.0, "gone/x86_64/16": 10.0}
C2 = {"step/x86_64/16": 105.0, "step/armv7/16": 50.0, "b/x86_64/16": 202.0, "new/x86_64/16": 7.0}
C4 = {"step/x86_64/16": 105.0, "step/armv7/16": 50.0, "b/x86_64/16": 204.02, "new/x86_64/16": 7.0}
SHAS = ["c1" * 20, "c2" * 20, "c3" * 20, "c4" * 20]
RECS = {SHAS[0]: rec(SHAS[0], "ok", C1), SHAS[1]: rec(SHAS[1], "ok", C2),
        SHAS[2]: rec(SHAS[2], "build failed", {}), SHAS[3]: rec(SHAS[3], "ok", C4)}


def test_steps():
    series = [(s, RECS[s]["icount"]) for s in SHAS]
    found = history.steps(series)
    check(len(found) == 1, "exactly one step, got %r" % (found,))
    if found:
        b, a, w, pv, v, c = found[0]
        check((b, a, w, pv, v) == (SHAS[0], SHAS[1], "step/x86_64/16", 100.0, 105.0),
              "the step is step/x86_64/16 c1 -> c2, got %r" % (found[0],))
        check(abs(c - 0.05) < 1e-9, "its change is +5%%, got %r" % c)
    # Decreases count too, and a failed commit in between is skipped over.
    down = history.steps([("x", {"w": 100.0}), ("y", {}), ("z", {"w": 96.0})])
    check(down == [("x", "z", "w", 100.0, 96.0, -0.04)] or
          (len(down) == 1 and down[0][:3] == ("x", "z", "w") and abs(down[0][5] + 0.04) < 1e-9),
          "a -4%% step across a failed commit, got %r" % (down,))
    # Exactly at the limit is not a step.
    check(history.steps([("x", {"w": 100.0}), ("y", {"w": 103.0})]) == [],
          "+3.0% is not above 3%")


def test_file(tmp):
    path = os.path.join(tmp, "h.jsonl")
    history.append(path, RECS[SHAS[0]])
    history.append(path, RECS[SHAS[1]])
    again = dict(RECS[SHAS[0]], status="ok", icount={"step/x86_64/16": 1.0})
    recs = history.load(path)
    recs[SHAS[0]] = again
    history.save(path, recs, [])
    with open(path) as f:
        lines = f.read().splitlines()
    check(len(lines) == 2, "a replaced commit keeps one line each, got %d" % len(lines))
    back = history.load(path)
    check(list(back) == SHAS[:2], "lines keep their order")
    check(back[SHAS[0]]["icount"] == {"step/x86_64/16": 1.0}, "the replacement is read back")


def test_report(tmp):
    out = os.path.join(tmp, "report")
    found = history.report(RECS, SHAS, out)
    check(len(found) == 1, "report finds one step")
    names = sorted(os.listdir(out))
    check(names == ["b-16.svg", "gone-16.svg", "index.html", "new-16.svg", "step-16.svg"],
          "one chart per operation and size, got %r" % names)
    with open(os.path.join(out, "step-16.svg")) as f:
        st = f.read()
    with open(os.path.join(out, "b-16.svg")) as f:
        b = f.read()
    check("x86_64 +5.0%" in st, "the step is labelled on step's chart")
    check("armv7" in st and "x86_64" in st, "step's chart has a line per format")
    check("c2c2c2c" in st and "c4c4c4c" in st, "commits are labelled by short sha")
    check("c3c3c3c build failed" in st, "the failed commit is labelled as such")
    check("step &gt; 3%" in st or "step > 3%" in st, "step's chart has the step key")
    check("%" not in re.sub(r"<[^>]*>", "", b), "b's chart marks nothing")
    with open(os.path.join(out, "index.html")) as f:
        idx = f.read()
    table = idx.split("<h2>Steps")[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>.*?</tr>", table)
    check(len(rows) == 1 and "step/x86_64/16" in rows[0] and "+5.0%" in rows[0]
          and "100" in rows[0] and "105" in rows[0],
          "the index lists the one step with before, after and change: %r" % rows)
    imgs = re.findall(r'<img src="([^"]+)"', idx)
    check(imgs == ["step-16.svg", "b-16.svg", "gone-16.svg", "new-16.svg"],
          "every chart in the index, the one with a step first, then by name: %r" % imgs)
    check("build failed" in idx, "the failed commit is listed")


# A repository of three commits whose makefiles stand in for libpt's: the
# first builds and counts w/x86_64/16 at 1000 instructions over 10 items, the
# second fails to build, the third counts 1100 but its run exits non-zero.
MAKEFILES = [
    "build/bench/icount: ; mkdir -p build/bench && touch $@\n"
    "ICOUNT_RUN = mkdir -p build/bench/callgrind && printf "
    "'desc: Trigger: Client Request: w/x86_64/16\\nsummary: 1000\\n' >build/bench/callgrind/cg.out.1 "
    "&& echo 'w/x86_64/16 10 op' >build/bench/icount.txt\n",
    "build/bench/icount: ; false\n",
    "build/bench/icount: ; mkdir -p build/bench && touch $@\n"
    "ICOUNT_RUN = mkdir -p build/bench/callgrind && printf "
    "'desc: Trigger: Client Request: w/x86_64/16\\nsummary: 1100\\n' >build/bench/callgrind/cg.out.1 "
    "&& echo 'w/x86_64/16 10 op' >build/bench/icount.txt && false\n",
]


def test_run(tmp):
    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    old = os.getcwd()
    os.chdir(repo)
    try:
        history.git("init", "-q")
        for i, mk in enumerate(MAKEFILES):
            with open("Makefile", "w") as f:
                f.write(mk)
            history.git("add", "Makefile")
            history.git("-c", "user.name=t", "-c", "user.email=t@t",
                        "commit", "-q", "-m", "c%d" % i)
        history.WT = "build/history/wt"
        hist = "h.jsonl"
        quiet = open(os.devnull, "w")
        sys.stdout, out = quiet, sys.stdout
        try:
            history.run(hist, "HEAD", False)
            with open(hist) as f:
                first = f.read()
            icount = os.path.join(history.WT, "build", "bench", "icount")
            os.remove(icount)
            history.run(hist, "HEAD", False)  # all cached: nothing runs
            with open(hist) as f:
                again = f.read()
            built = os.path.exists(icount)
            history.run(hist, "HEAD", True)
        finally:
            sys.stdout = out
            quiet.close()
        recs = history.load(hist)
        shas = history.commits("HEAD")
        got = [(recs[s]["subject"], recs[s]["status"], recs[s]["icount"]) for s in shas]
        check(got == [("c0", "ok", {"w/x86_64/16": 100.0}), ("c1", "build failed", {}),
                      ("c2", "partial", {"w/x86_64/16": 110.0})],
              "each commit built and counted in the worktree, got %r" % (got,))
        check(again == first and not built, "a second run builds nothing (cached)")
        check(os.path.exists(icount), "FORCE=1 builds again")
        with open(hist) as f:
            check(len(f.read().splitlines()) == 3, "FORCE=1 replaces lines")
    finally:
        os.chdir(old)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_steps()
        test_file(tmp)
        test_report(tmp)
        test_run(tmp)
    print("[group] bench history: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
