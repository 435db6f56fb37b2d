#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora: corpus/<harness>/<name>.

Each seed is a small, meaningful program in the harness's input language
(see the decoders in fuzz/fuzz_ops.c and its ops_*.h, fuzz_pte.c and
fuzz_translate.c): a map across a huge-page boundary, a split of a huge page
by unmap/protect_region, mappings at the canonical edges and the highest PA,
copy_from, injected allocation failures, walks with limits... Rerun after
changing a decoder:
    python3 fuzz/gen_corpus.py [outdir]
"""
import os
import struct
import sys

from corpus_formats import (ACCESSED, ANY, DEVICE, DIRTY, EXEC, FLAG_BIT10, FORMATS, GLOBAL, M64,
                            READ, SW0, SW1, UNCACHED, USER, WC, WRITE, u64)
from corpus_translate import nested_translate_seeds, s2_translate_seeds, translate_seeds

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus")


class Prog:
    """Encoder for fuzz_ops programs (mirrors the decoder in fuzz_ops.c, ops_*.h)."""

    def __init__(self, f):
        self.f, self.b = f, bytearray()

    # Values: always the raw encodings, so a seed says exactly what it does.
    def va(self, v):
        self.b += bytes([0xE0]) + u64(v)  # kind 7: raw u64, aligned flag off

    def pa(self, v):
        self.b += bytes([0x04]) + u64(v)  # kind 4: raw u64

    def flags(self, fl):
        """gen_flags in ops_gen.h: one byte below 0xf0, 0xf0 (no READ), or
        0xf1-0xfe and a byte for bits 0-7 (SW bits in the first's low two;
        0xf4-0xf7 and 0xfc-0xfe leave READ to the second byte; 0xfc-0xfe
        add bit 10, PT_ACCESSED, PT_DIRTY)."""
        sw, low, odd = (fl >> 8) & 3, fl & 0xFF, fl & ~0x3FF
        if odd:
            n = {FLAG_BIT10: 12, ACCESSED: 13, DIRTY: 14}[odd]
            assert sw == n & 3, "this unknown bit comes with these SW bits"
            self.b += bytes([0xF0 | n, low])
        elif fl & READ and not sw and low < 0xF0:
            self.b.append(low)
        elif fl == 0:
            self.b.append(0xF0)
        elif fl & READ:
            self.b += bytes([0xF0 | (sw or 8), low])
        else:
            self.b += bytes([0xF4 | sw, low])

    def state(self, st):
        """gen_state in ops_gen.h: ACCESSED, DIRTY, SW0, SW1 in bits 0-3;
        one bit those calls never take (READ, WRITE, 1 << 18, 1 << 31) as
        0xf0 | ad | index << 2."""
        bad = [READ, WRITE, 1 << 18, 1 << 31]
        b = (1 if st & ACCESSED else 0) | (2 if st & DIRTY else 0)
        odd = st & ~(ACCESSED | DIRTY | SW0 | SW1)
        if odd:
            assert not st & (SW0 | SW1)
            self.b.append(0xF0 | b | bad.index(odd) << 2)
        else:
            self.b.append(b | (4 if st & SW0 else 0) | (8 if st & SW1 else 0))

    def rsize(self, v):
        self.b += bytes([0x06]) + u64(v)  # kind 6: raw u64

    def lsize(self, size):
        f = self.f
        for k in range(f.levels):
            if f.span(f.levels - 1 - k) == size:
                self.b.append(k)
                return
        raise ValueError(size)

    def fail(self, nth):
        self.b += bytes([0xE0, nth - 1]) if nth else bytes([0])

    def op(self, code, t2=False):
        self.b.append(code | (0x80 if t2 else 0))

    # Calls.
    def map(self, va, pa, size, fl=READ | WRITE, t2=False, fail=0):
        self.op(0, t2); self.va(va); self.pa(pa); self.flags(fl); self.lsize(size); self.fail(fail)

    def map_region(self, va, pa, size, fl=READ | WRITE, huge=True, t2=False, fail=0):
        self.op(2, t2); self.va(va); self.pa(pa); self.flags(fl)
        self.b.append(1 if huge else 0); self.rsize(size); self.fail(fail)

    def unmap(self, va, t2=False):
        self.op(3, t2); self.va(va); self.b.append(1)

    def remap(self, va, pa, fl, t2=False):
        self.op(4, t2); self.va(va); self.pa(pa); self.flags(fl); self.b.append(1)

    def protect(self, va, fl, t2=False):
        self.op(5, t2); self.va(va); self.flags(fl); self.b.append(1)

    def query(self, va, t2=False):
        self.op(6, t2); self.va(va)

    def unmap_region(self, va, size, t2=False, fail=0):
        self.op(7, t2); self.va(va); self.rsize(size); self.fail(fail)

    def protect_region(self, va, size, fl, t2=False, fail=0):
        self.op(8, t2); self.va(va); self.rsize(size); self.flags(fl); self.fail(fail)

    def copy_from(self, va, size):
        self.op(9); self.va(va); self.rsize(size); self.b.append(0)

    def walk(self, limit=0, stop=0, t2=False):
        self.op(10, t2)
        if stop:
            self.b += bytes([limit | 4, stop - 1])
        else:
            self.b.append(limit)

    def plant(self, v, pick, t2=False):
        """Overwrite leaf number `pick` with a corrupt entry derived from v."""
        self.op(14, t2); self.b += u64(v) + struct.pack("<H", pick)

    def ranges(self, va, size, stop=0, t2=False):
        self.op(15, t2); self.va(va); self.rsize(size); self.b.append(stop)

    def flush(self, t2=False):
        self.op(11, t2)

    # The state calls took op codes 0x6a and 0x6d (fuzz_ops.c); 0xff: the
    # VA that follows, not a page of a leaf the model picks (state_va).
    def clear_state(self, va, size, st, bitmap=True, prefill=False, t2=False):
        self.op(0x6A, t2); self.b.append(0xFF); self.va(va); self.rsize(size); self.state(st)
        self.b.append((1 if bitmap else 0) | (2 if prefill else 0))

    def set_state(self, va, st, t2=False):
        self.op(0x6D, t2); self.b.append(0xFF); self.va(va); self.state(st)

    # The shaped region calls (op codes 0x77, 0x78; gen_shaped_range in
    # ops_gen.h): the model's hk-th huge leaf cut, its tk-th table covered,
    # `extra` pages more, allocation `nth` failing.
    def unmap_shaped(self, hk, tk, cut, extra, nth, t2=False):
        self.op(0x77, t2); self.b += struct.pack("<HH", hk, tk) + bytes([cut, extra, nth - 1])

    def protect_shaped(self, hk, tk, cut, extra, fl, nth, t2=False):
        self.op(0x78, t2); self.b += struct.pack("<HH", hk, tk) + bytes([cut, extra])
        self.flags(fl); self.b.append(nth - 1)

    def reinit(self, fail=False, t2=False):
        self.op(12, t2); self.b.append(1 if fail else 0)

    def destroy(self, t2=False):
        self.op(13, t2)


def ops_seeds(f):
    """name -> bytes for one format."""
    s = {}
    K4 = f.page                        # the page: the granule on AArch64
    top_pa = (1 << f.pa_bits)
    big = f.leaf_sizes()[0]            # largest leaf
    mid = f.leaf_sizes()[-2] if len(f.leaf_sizes()) > 1 else K4
    b0 = f.base()

    p = Prog(f)
    p.b.append(0)  # first byte also decides pt_init failure injection: no
    p.map(b0 + 0x400000, 0x1000, K4); p.query(b0 + 0x400123); p.remap(b0 + 0x400000, 0x2000, READ)
    p.protect(b0 + 0x400000, READ | WRITE | EXEC | USER); p.unmap(b0 + 0x400000)
    p.query(b0 + 0x400000); p.walk(); p.flush()
    s["single_4k"] = p.b

    p = Prog(f); p.b.append(0)
    # A region straddling a huge-page boundary: small, huge, small leaves.
    p.map_region(b0 + mid - 2 * K4, mid - 2 * K4, 2 * mid + 4 * K4, READ | WRITE, True)
    p.walk(); p.query(b0 + mid + 5 * K4)
    p.protect_region(b0 + mid + 3 * K4, K4, READ)           # splits the huge page
    p.unmap_region(b0 + mid + 7 * K4, 2 * K4)
    p.walk(limit=1); p.walk(stop=3)
    p.unmap_region(b0, 4 * mid)                              # everything, reclaim
    p.walk(); p.flush()
    s["huge_split_reclaim"] = p.b

    if f.page > 4096:
        # 4 KiB-aligned but not granule-aligned VAs, PAs and sizes: every
        # region call refuses them, as does a 4 KiB pt_map.
        G, a0 = f.page, 0x400000
        p = Prog(f); p.b.append(0)
        p.map_region(b0 + a0 + 4096, a0, G, READ, False)
        p.map_region(b0 + a0, a0 + 4096, G, READ, False)
        p.map_region(b0 + a0, a0, G + 4096, READ, False)
        p.map_region(b0 + a0, a0, 4 * G, READ | WRITE, False)
        p.unmap_region(b0 + a0 + 4096, G)
        p.protect_region(b0 + a0, G - 4096, READ)
        p.clear_state(b0 + a0 + 4096, 2 * G, ACCESSED)
        p.clear_state(b0 + a0, 2 * G, ACCESSED)
        p.unmap_region(b0 + a0 + G, 2 * G)
        p.walk()
        s["granule_alignment"] = p.b

    p = Prog(f); p.b.append(0)
    # The canonical edges: last page of the lower half, first and last of the upper.
    lo = f.lo_end()
    p.map(b0 + lo - K4 if not f.high else M64 + 1 - K4, top_pa - K4, K4, READ)
    if f.up_start() is not None:
        p.map(f.up_start(), 0, K4, READ | EXEC)
        p.map_region(M64 + 1 - 4 * K4, top_pa - 4 * K4, 4 * K4, READ, False)
        p.map_region(f.up_start() - K4, 0, 2 * K4, READ)     # across the hole: invalid
    p.map_region(M64 + 1 - K4, 0, 2 * K4, READ)               # wraps around: invalid
    p.query(b0 + lo - 1 if not f.high else M64)
    p.walk(); p.unmap_region(b0 + lo - mid if not f.high else M64 + 1 - mid, mid)
    s["canonical_edges"] = p.b

    p = Prog(f); p.b.append(0)
    # The largest leaf, at the highest PA it can take, then split by a 4K unmap.
    p.map(b0 + big, top_pa - big, big, READ | WRITE | DEVICE)
    p.unmap_region(b0 + big + big // 2, K4)
    p.query(b0 + big); p.walk()
    p.protect_region(b0 + big, big, READ | UNCACHED)
    s["largest_leaf_highest_pa"] = p.b

    p = Prog(f); p.b.append(0)
    # Allocation failures during map_region, unmap_region splits, and pt_init.
    p.map_region(b0 + 0x200000 - K4, 0x200000 - K4, mid + 2 * K4, READ, True, fail=1)
    p.map_region(b0 + 0x200000 - K4, 0x200000 - K4, mid + 2 * K4, READ, True, fail=2)
    p.map_region(b0 + 0x200000 - K4, 0x200000 - K4, mid + 2 * K4, READ, True)
    p.unmap_region(b0 + 0x200000 + 3 * K4, K4, fail=1)
    p.protect_region(b0 + 0x200000 + 3 * K4, K4, READ | WRITE, fail=1)
    p.reinit(fail=True)
    p.map(b0, 0, K4)
    s["alloc_failures"] = p.b

    p = Prog(f); p.b.append(0)
    # Sharing root entries: build the second table, share, query, destroy.
    root = f.span(0)
    p.map_region(b0 + root, 0x10000000, mid + K4, READ | EXEC, True, t2=True)
    p.copy_from(b0 + root, root)
    p.query(b0 + root + 5); p.walk()
    p.map(b0 + root, 0, K4)                      # shared root entry: invalid
    p.copy_from(b0 + root, root)                 # already mapped
    p.map(b0, 0, K4); p.destroy(); p.walk(t2=True)
    p.reinit(); p.copy_from(b0, 2 * root)
    s["copy_from"] = p.b

    p = Prog(f); p.b.append(0)
    # Empty subtree replaced by a huge leaf; unmap leaves tables behind.
    p.map(b0 + mid, 0, K4); p.unmap(b0 + mid)
    p.map(b0 + mid, mid, mid)
    p.map(b0 + mid + K4, 0, K4)                  # inside a huge page
    p.map(b0 + mid, mid, mid)                    # already mapped
    p.walk(); p.flush()
    s["empty_subtree"] = p.b

    p = Prog(f); p.b.append(0)
    # protect_region over many runs of 4K leaves (its plan remembers up to
    # 8, src/op.h): one crossing a last-level table, others broken by a PA
    # jump, by other flags or by a hole; then a corrupt leaf among them.
    base = b0 + 4 * f.span(f.levels - 2) - 6 * K4
    pa = 0x3000000
    for k in range(24):
        if k % 4 == 3:
            pa += 16 * K4
        if k != 9:
            p.map(base + k * K4, pa, K4, READ | USER if k in (5, 6, 17) else READ | WRITE)
        pa += K4
    p.protect_region(base, 24 * K4, READ); p.walk()
    p.protect_region(base + 2 * K4, 20 * K4, READ | WRITE); p.walk()
    p.plant(0, 15); p.protect_region(base, 24 * K4, READ | EXEC); p.walk()
    s["protect_runs"] = p.b

    p = Prog(f); p.b.append(0)
    # One region call that covers a whole table, cuts a huge leaf at an
    # edge (or two) and meets a failing allocation (a split's table): it
    # must leave everything as it was. For the two largest leaf sizes z
    # below the root's: huge leaf H, a table T of 4K pages (covering z)
    # right after it, huge leaf H2 after T; the ranges written out with
    # the 1st and 2nd allocation failing (H cut to T's end, H cut to H2
    # cut, T to H2 cut; unmap and protect), the shaped calls over every
    # table of the model (1st, 2nd, 4th failing), and last the same
    # shapes without a failure.
    sizes = [z for z in f.leaf_sizes() if z < f.span(0)][:2] or [mid]
    for z in sizes:
        hb = b0 + 4 * z
        p.map_region(hb, 0x40000000 % f.span(0) // z * z, z, READ | WRITE, True)
        p.map_region(hb + z, 0x50000000, 8 * K4, READ | WRITE | USER, False)
        p.map_region(hb + z + 16 * K4, 0x50100000, 4 * K4, READ, False)
        p.map_region(hb + 2 * z, 0x60000000 % f.span(0) // z * z, z, READ, True)
    for z in sizes:
        hb = b0 + 4 * z
        for nth in (1, 2):
            p.unmap_region(hb + 3 * K4, 2 * z - 3 * K4, fail=nth)
            p.unmap_region(hb + 3 * K4, 2 * z + 2 * K4, fail=nth)
            p.protect_region(hb + 3 * K4, 2 * z + 2 * K4, READ | EXEC, fail=nth)
            p.unmap_region(hb + z, z + 5 * K4, fail=nth)
            p.protect_region(hb + z, z + 5 * K4, READ | EXEC, fail=nth)
    for tk in range(2 * f.levels + 2):
        for nth in (1, 2, 4):
            p.unmap_shaped(tk % 2, tk, 2, tk % 3, nth)
            p.protect_shaped(tk % 2, tk, 5, 0, READ | EXEC, nth)
    p.walk()
    z = sizes[0]
    p.protect_region(b0 + 4 * z + 3 * K4, 2 * z + 2 * K4, READ)
    p.unmap_region(b0 + 4 * z + 3 * K4, 2 * z + 2 * K4)
    p.walk()
    s["split_whole_table_fail"] = p.b

    p = Prog(f); p.b.append(0)
    # Many 4K pages: over 32 TLB records means one flush-all.
    p.map_region(b0 + 0x800000, 0x800000, 40 * K4, READ | WRITE, False)
    p.flush()
    p.protect_region(b0 + 0x800000, 40 * K4, READ)
    p.protect_region(b0 + 0x800000, 40 * K4, READ)    # identical: records nothing
    p.flush(); p.unmap_region(b0 + 0x800000, 8 * K4); p.flush()
    s["tlb_records"] = p.b

    p = Prog(f); p.b.append(0)
    # Argument errors: bad flags, sizes, alignment, NULL-ish ranges.
    p.map(b0 + K4, 0, K4, 0)                       # no READ
    p.map(b0 + K4 + 1, 0, K4)                      # unaligned va
    p.map_region(b0, 0, 0, READ)                   # size 0
    p.map_region(b0 + K4, top_pa, K4, READ)        # pa too wide
    p.unmap_region(b0 + 1, K4)
    p.copy_from(b0 + K4, K4)                       # not root-aligned
    s["argument_errors"] = p.b
    p = Prog(f); p.b.append(0x40)  # through the direct map
    # Corrupt entries: a huge leaf and a 4K leaf overwritten behind libpt's back.
    p.map_region(b0 + mid - 2 * K4, mid - 2 * K4, 2 * mid + 4 * K4, READ | WRITE, True)
    p.ranges(b0, 4 * mid); p.ranges(b0, 4 * mid, stop=2)
    for v, pick in ((0x4, 0), (0x100, 2), (0x1, 3), (0x2000, 4)):
        p.plant(v, pick)
    p.query(b0 + mid); p.query(b0 + mid - K4)
    p.map(b0 + mid, 0, K4); p.protect_region(b0, 4 * mid, READ)
    p.walk(); p.ranges(b0, 4 * mid)
    p.unmap_region(b0 + mid + K4, K4)              # straddles a corrupt huge entry
    p.unmap_region(b0, 4 * mid)                    # wholly inside: cleared
    p.walk(); p.ranges(b0, 4 * mid)
    s["corrupt_entries"] = p.b

    p = Prog(f); p.b.append(0)
    # Coalesced ranges: uniform runs, a flag change, a PA jump, clipping.
    p.map_region(b0 + 0x1000000, 0x1000000, 64 * K4, READ, False)
    p.protect(b0 + 0x1000000 + 10 * K4, READ | WRITE)
    p.remap(b0 + 0x1000000 + 20 * K4, 0x7000000, READ)
    p.ranges(b0 + 0x1000000 + 3 * K4, 50 * K4); p.ranges(b0, mid * 4, stop=3)
    p.ranges(b0 + 1, K4); p.ranges(b0, 0)
    s["walk_ranges"] = p.b

    # Flags and access state. ARMv7 has no SW bits (they
    # are an error there): its seeds map without them.
    sw = 0 if f.armv7 else SW0
    p = Prog(f); p.b.append(0)
    # Memory types, GLOBAL, SW bits, bits no call takes; protect ignores
    # the SW bits it is passed and keeps the leaf's.
    fls = (READ | WC, READ | WRITE | GLOBAL | WC, READ | DEVICE | WC, READ | UNCACHED | WC | USER,
           READ | SW1 | GLOBAL, READ | WRITE | SW0 | SW1 | EXEC, READ | FLAG_BIT10,
           READ | ACCESSED | SW0, WC | DEVICE)
    for k, fl in enumerate(fls):
        p.map(b0 + 0x600000 + k * K4, 0x600000 + k * K4, K4, fl)
        p.query(b0 + 0x600000 + k * K4)
    p.protect(b0 + 0x600000 + 4 * K4, READ | WRITE | SW0)     # keeps SW1
    p.protect(b0 + 0x600000 + 5 * K4, READ)                   # loses WRITE, stays dirty
    p.protect_region(b0 + 0x600000, 8 * K4, READ | WRITE | GLOBAL | SW1)
    p.walk(); p.ranges(b0 + 0x600000, 8 * K4)
    s["flags_rev2"] = p.b

    p = Prog(f); p.b.append(0)
    # Access state: clear (a huge leaf whole where the range cuts it, the
    # bitmap), set, protect keeping it, gaining WRITE, splits keeping it.
    lo = b0 + mid - 2 * K4
    p.map_region(lo, mid - 2 * K4, 2 * mid + 4 * K4, READ | WRITE | GLOBAL | sw, True)
    p.query(b0 + mid + 5 * K4)
    p.clear_state(b0 + mid + 3 * K4, 2 * K4, DIRTY)           # cuts the huge leaf
    p.walk(); p.query(b0 + mid)
    p.protect(b0 + mid, READ)                                 # clean and read-only
    p.set_state(b0 + mid, DIRTY)                              # not writable: invalid
    p.protect(b0 + mid, READ | WRITE)                         # gains WRITE: dirty
    p.clear_state(lo, 4 * mid, ACCESSED | DIRTY | sw, prefill=True)
    p.ranges(b0, 4 * mid)
    p.set_state(b0 + mid - K4, ACCESSED | (SW1 if sw else 0))
    p.protect_region(b0 + mid + 4 * K4, 4 * K4, READ)         # split: pieces keep the state
    p.walk()
    p.set_state(b0 + mid + 4 * K4, ACCESSED | DIRTY)          # read-only piece: invalid
    p.set_state(b0 + mid + 100 * K4, ACCESSED | DIRTY)
    p.unmap(b0 + mid + 100 * K4)
    p.clear_state(b0, 4 * mid, SW0 | SW1, bitmap=False)       # ARMv7: invalid
    p.set_state(b0 + mid, SW0)                                # ARMv7: invalid
    p.set_state(b0 + mid, 0); p.clear_state(b0, K4, 0)        # no bits: invalid
    p.set_state(b0 + mid, ACCESSED | READ); p.clear_state(b0, K4, DIRTY | (1 << 18))
    p.clear_state(b0 + 1, K4, ACCESSED)                       # unaligned
    p.set_state(b0 + 8 * mid, ACCESSED)                       # not mapped
    for v, pick in ((0x2000, 0), (0x4, 1), (0x1, 2)):         # one decodes as corrupt
        p.plant(v, pick)
    p.clear_state(lo, 4 * mid, ACCESSED, prefill=True)        # corrupt: nothing changes
    p.remap(b0 + mid - K4, 0x5000000, READ | WRITE)           # a new leaf: fresh state
    p.walk(); p.flush()
    s["access_state"] = p.b

    p = Prog(f); p.b.append(0)
    # Leaves whose state was cleared are still mapped (LoongArch: V clear,
    # P set; AArch64: AF clear): maps into them fail, through the hinted
    # path too; then they are rewritten and set again.
    base = b0 + 0x700000
    p.map_region(base, 0x700000, 4 * K4, READ | WRITE, False)
    p.clear_state(base, 4 * K4, ACCESSED)
    p.map(base + K4, 0x900000, K4, READ | WRITE)               # the hinted flags
    p.map(base + 2 * K4, 0x900000, K4, READ)
    p.map_region(base, 0x900000, 4 * K4, READ | WRITE, False)
    p.query(base + 3 * K4); p.walk()
    p.clear_state(base, 4 * K4, ACCESSED | DIRTY, prefill=True)
    p.protect_region(base, 2 * K4, READ)
    p.set_state(base + 3 * K4, ACCESSED)
    p.unmap(base + 2 * K4); p.map(base + 2 * K4, 0x900000, K4, READ | WRITE)
    p.ranges(base, 4 * K4); p.walk()
    s["cleared_still_mapped"] = p.b

    p = Prog(f); p.b.append(0)
    # A run of 4K leaves with single read-only pages at the later lanes of
    # the batch compare's vector steps (16 entries a step where a batch is
    # read in place, 8 where it is copied; a step starts on the second
    # leaf after the last page that differs), then the batches and ranges
    # over it.
    base = b0 + 0xa00000
    p.map_region(base, 0xa00000, 256 * K4, READ | WRITE, False)
    at = 1
    for gap in [14, 15, 6, 7, 13, 16, 5, 8] * 3:
        at += gap                  # a vector step starts 2 after a hole
        p.protect(base + at * K4, READ)
    p.ranges(base, 256 * K4); p.ranges(base + 5 * K4, 200 * K4)
    s["batch_lanes"] = p.b
    return s


def write(h, name, data):
    d = os.path.join(OUT, h)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(bytes(data))


def pte_seeds():
    # Records: arch, features, level, pte(8), pa(8), flags.
    s = {}
    for name in ANY:
        f = FORMATS[name]
        rec = bytearray()
        for l in range(f.levels):
            for fl in (READ, READ | WRITE | EXEC | USER, READ | DEVICE, READ | UNCACHED | USER):
                # Bit 7 of the arch byte: start from a real encoding.
                rec += bytes([0x80 | f.arch, f.feat, l]) + u64(0) + u64(f.span(l) * 3) + bytes([fl])
            rec += bytes([f.arch, f.feat, l]) + u64(M64) + u64(0) + bytes([0])
        s["valid_" + name] = rec
    s["invalid_args"] = bytes([8, 0, 0]) + u64(1) + u64(0) + bytes([1]) + \
        bytes([2, 3, 0]) + u64(3) + u64(0) + bytes([1]) + bytes([3, 12, 0]) + u64(1) + u64(0) + bytes([1])
    return s



def main():
    for name, f in FORMATS.items():
        for sn, data in ops_seeds(f).items():
            write("fuzz_ops_" + name, sn, data)
    for i, name in enumerate(ANY):
        for sn, data in ops_seeds(FORMATS[name]).items():
            if sn in ("huge_split_reclaim", "copy_from", "alloc_failures", "canonical_edges",
                      "protect_runs", "flags_rev2", "access_state", "cleared_still_mapped",
                      "split_whole_table_fail"):
                write("fuzz_ops_any", name + "_" + sn, bytes([i]) + bytes(data))
    for sn, data in pte_seeds().items():
        write("fuzz_pte", sn, data)
    for sn, data in translate_seeds().items():
        write("fuzz_translate", sn, data)
    for sn, data in s2_translate_seeds().items():
        write("fuzz_translate", sn, data)
    for sn, data in nested_translate_seeds().items():
        write("fuzz_translate", sn, data)


if __name__ == "__main__":
    main()
