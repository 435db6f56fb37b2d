#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make fuzz-mutants: prove the oracles by planting bugs.

Each mutant (fuzz/mutant_list.py) is one textual edit of src/, arch/ or include/, applied on a
scratch copy of the repository (never on the checkout). The libFuzzer harnesses are
rebuilt there and given at most BUDGET seconds to crash: first by replaying
the seed, regression, merged (corpus/merged, what make check replays) and
working corpora (build/fuzz/work, from the last `make fuzz-run`; the seeds
and regressions of every harness before the larger corpora of any), then by
fuzzing fuzz_ops_any, fuzz_pte and fuzz_translate in turns. Prints a table; exits non-zero if any mutant survives.

    fuzz/mutants.py [--budget 60] [--only name,...] [--harness h,...] [--keep]
    fuzz/mutants.py --check    only check that every edit applies (no build)
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

from mutant_list import MUTANTS

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

HARNESS_FUZZ = ["fuzz_ops_any", "fuzz_pte", "fuzz_translate"]


def harnesses():
    out = []
    with open(os.path.join(ROOT, "fuzz/variants.txt")) as f:
        for line in f:
            w = line.split()
            if len(w) in (3, 4) and not w[0].startswith("#"):
                out.append("fuzz_ops_" + w[0])
    return out + ["fuzz_pte", "fuzz_translate"]


def edits(m):
    """(old, new) pairs of mutant m: one, or a tuple of them (an encoder and
    its decoder changed together)."""
    old, new = m[2], m[3]
    return list(zip(old, new)) if isinstance(old, tuple) else [(old, new)]


def apply(scratch, m):
    name, path, _, _, nth, _ = m
    p = os.path.join(scratch, path)
    with open(p) as f:
        text = f.read()
    for old, new in edits(m):
        n = text.count(old)
        if n == 0 or (nth is None and n != 1):
            return "edit does not apply (%d matches)" % n
        at = -1
        for _ in range((nth or 0) + 1):
            at = text.index(old, at + 1)
        text = text[:at] + new + text[at + len(old):]
    with open(p, "w") as f:
        f.write(text)
    return None


def crashed(proc_rc, log):
    return proc_rc != 0 and ("ERROR:" in log or "oracle mismatch" in log or "deadly signal" in log
                             or "runtime error" in log)


def run(cmd, timeout, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout + 15)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return 0, "timeout"


def first_line(log):
    for key in ("oracle mismatch", "ERROR: AddressSanitizer", "runtime error", "ERROR: LeakSanitizer",
                "ERROR:"):
        for line in log.splitlines():
            if key in line:
                return line.strip()[:110]
    return "?"


def known_inputs():
    """Basenames of inputs that fail on the unmutated library (open bugs)."""
    try:
        with open(os.path.join(ROOT, "corpus/regressions/KNOWN")) as f:
            return {w.strip() for w in f if w.strip() and not w.startswith("#")}
    except OSError:
        return set()


def without_known(scratch, d):
    """d, or a copy of it (symlinks) without the KNOWN inputs: an open bug
    must not count as catching a mutant."""
    known = known_inputs()
    names = os.listdir(d)
    if not known.intersection(names):
        return d
    out = os.path.join(scratch, "build/fuzz/filtered", d.replace("/", "_"))
    if not os.path.isdir(out):
        os.makedirs(out)
        for n in names:
            if n not in known:
                os.symlink(os.path.join(d, n), os.path.join(out, n))
    return out


def hunt(scratch, budget, hs):
    """(harness, seconds, what) of the first crash within budget, or None."""
    t0 = time.time()
    bindir = os.path.join(scratch, "build/fuzz/lf")
    # 1. Corpora replay: first the seeds and regressions of every harness
    # (a dozen inputs each: a mutant only one format's seed catches is not
    # kept waiting behind every other harness's big corpora), then the
    # merged corpora (the working corpora of earlier runs, distilled and
    # committed: on a machine that has no build/fuzz/work they are all there
    # is of them) and the working corpora of fuzz-run.
    for kinds in (("corpus", "corpus/regressions"), ("corpus/merged", "build/fuzz/work")):
        for h in hs:
            left = budget - (time.time() - t0)
            if left <= 1:
                return None
            dirs = [without_known(scratch, d) for d in (os.path.join(ROOT, k, h) for k in kinds)
                    if os.path.isdir(d)]
            if not dirs:
                continue
            rc, log = run(["nice", "-n", "10", os.path.join(bindir, h), "-runs=0",
                           "-max_total_time=%d" % max(1, int(left))] + dirs, left, scratch)
            if crashed(rc, log):
                return h, time.time() - t0, "corpus: " + first_line(log)
    # 2. Fuzzing in turns (fresh working dirs, seeded from the corpora).
    turn = 0
    while True:
        left = budget - (time.time() - t0)
        if left <= 1:
            return None
        h = HARNESS_FUZZ[turn % len(HARNESS_FUZZ)]
        turn += 1
        work = os.path.join(scratch, "build/fuzz/mwork", h)
        os.makedirs(work, exist_ok=True)
        slice_s = max(1, int(min(left, 10)))
        seeds = [without_known(scratch, d) for d in (os.path.join(ROOT, "corpus", h),
                                                     os.path.join(ROOT, "corpus/merged", h),
                                                     os.path.join(ROOT, "build/fuzz/work", h))
                 if os.path.isdir(d)]
        rc, log = run(["nice", "-n", "10", os.path.join(bindir, h), "-max_total_time=%d" % slice_s,
                       "-max_len=4096", "-artifact_prefix=" + work + "/", work] + seeds, slice_s, scratch)
        if crashed(rc, log):
            return h, time.time() - t0, "fuzz: " + first_line(log)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=int, default=int(os.environ.get("MUTANT_SECONDS", "60")))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--check", action="store_true", help="only check that every edit applies")
    ap.add_argument("--harness", default="",
                    help="build and hunt with these harnesses only (e.g. fuzz_translate)")
    a = ap.parse_args()
    todo = [m for m in MUTANTS if not a.only or m[0] in a.only.split(",")]
    if a.check:
        bad = 0
        for m in todo:
            with open(os.path.join(ROOT, m[1])) as f:
                text = f.read()
            n = min(text.count(old) for old, _ in edits(m))
            ok = (n == 1 or (n > 0 and m[4] is not None)) and \
                all(text.count(old) == n for old, _ in edits(m))
            bad += not ok
            print("%-32s %-20s %s" % (m[0], m[1], "applies" if ok else "does not apply (%d matches)" % n))
        print("\n%d/%d edits apply" % (len(todo) - bad, len(todo)))
        return 1 if bad else 0
    hs = harnesses()
    if a.harness:
        hs = [h for h in hs if h in a.harness.split(",")]
        HARNESS_FUZZ[:] = [h for h in HARNESS_FUZZ if h in hs] or hs
    base = "/tmp/libpt-mutants-%d" % os.getpid()
    results = []
    for m in todo:
        scratch = os.path.join(base, m[0])
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        for d in ("src", "arch", "include", "tests", "fuzz", "scripts", "Makefile"):
            s = os.path.join(ROOT, d)
            if os.path.isdir(s):
                shutil.copytree(s, os.path.join(scratch, d), symlinks=True)
            elif os.path.exists(s):
                shutil.copy2(s, scratch)
        # Harness objects do not depend on src/ or arch/: reuse them. They
        # inline include/pt/inline.h, which fuzz/fuzz.mk does not list among
        # their prerequisites: an edit under include/ rebuilds them all.
        obj = os.path.join(ROOT, "build/fuzz/lf/obj")
        if os.path.isdir(obj) and not m[1].startswith("include/"):
            shutil.copytree(obj, os.path.join(scratch, "build/fuzz/lf/obj"))
        # An edit of arch/<family>.h or of an engine header (src/*.h but
        # op.h and internal.h, which api.c and formats.c include) changes
        # only the engine objects that include it: keep the other core
        # objects of the last build (made newer than the edit) so only
        # those are rebuilt; an edit of another src/*.c, only its object.
        core = os.path.join(ROOT, "build/fuzz/lf/core")
        family = None
        if m[1].startswith("arch/") and m[1] != "arch/arch.h":
            header = os.path.basename(m[1])
            # The engine objects whose source includes the header (one
            # header may serve several: arch/aarch64_pa52.h, three); every
            # engine object where another family's header includes it
            # (arch/aarch64_desc.h, arch/aarch64.h).
            adir, sdir = os.path.join(ROOT, "arch"), os.path.join(ROOT, "src")
            if any('"%s"' % header in open(os.path.join(adir, h)).read()
                   for h in os.listdir(adir) if h != header):
                family = "*"
            else:
                family = {c[:-2] + ".o" for c in os.listdir(sdir)
                          if c.startswith("engine_") and c.endswith(".c")
                          and '"../arch/%s"' % header in open(os.path.join(sdir, c)).read()}
        elif m[1].startswith("src/") and m[1].endswith(".h") and m[1] not in ("src/op.h", "src/internal.h"):
            family = "*"
        elif m[1].startswith("src/") and m[1].endswith(".c") and not m[1].startswith("src/engine_"):
            family = "=" + os.path.basename(m[1])[:-2] + ".o"  # that object alone
        err = apply(scratch, m)
        if not err and family and os.path.isdir(core):
            dst = os.path.join(scratch, "build/fuzz/lf/core")
            shutil.copytree(core, dst)
            later = time.time() + 2
            for o in os.listdir(dst):
                if isinstance(family, set):
                    stale = o in family
                elif family.startswith("="):
                    stale = o == family[1:]
                else:
                    stale = o.startswith("engine_")  # "*"
                if stale:
                    os.remove(os.path.join(dst, o))
                else:
                    os.utime(os.path.join(dst, o), (later, later))
        if err:
            results.append((m, "n/a", err))
            print("%-28s n/a: %s" % (m[0], err), flush=True)
            continue
        bins = ["build/fuzz/lf/" + h for h in hs]
        p = subprocess.run(["nice", "-n", "10", "make", "-s", "-j2", "-C", scratch] + bins,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            results.append((m, "build", p.stdout.decode(errors="replace")[-200:]))
            print("%-28s build failed" % m[0], flush=True)
            continue
        r = hunt(scratch, a.budget, hs)
        if r:
            results.append((m, "caught", "%s after %.0fs: %s" % r))
        else:
            results.append((m, "SURVIVED", "not caught within %ds" % a.budget))
        print("%-28s %-8s %s" % (m[0], results[-1][1], results[-1][2]), flush=True)
        if not a.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    if not a.keep:
        shutil.rmtree(base, ignore_errors=True)
    print()
    print("| mutant | planted bug | result | by |")
    print("|---|---|---|---|")
    for m, res, what in results:
        print("| %s | %s | %s | %s |" % (m[0], m[5], res, what.replace("|", "/")))
    caught = sum(1 for r in results if r[1] == "caught")
    print("\n%d/%d mutants caught" % (caught, len(results)))
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
