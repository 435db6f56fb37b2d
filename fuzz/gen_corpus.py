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

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus")

READ, WRITE, EXEC, USER, DEVICE, UNCACHED = 1, 2, 4, 8, 16, 32
GLOBAL, WC, SW0, SW1 = 64, 128, 256, 512
ACCESSED, DIRTY = 1 << 16, 1 << 17   # state bits (pt_clear_state, pt_set_state)
FLAG_BIT10 = 1 << 10                 # no call takes it
K4 = 1 << 12


A64 = (2, 14, 15)                    # AArch64 stage 1: 4K, 16K and 64K granules


class Fmt:
    def __init__(self, name, arch, levels, va_bits, pa_bits, leaf_levels, feat=0, pg=12):
        self.name, self.arch, self.levels = name, arch, levels
        self.va_bits, self.pa_bits, self.feat = va_bits, pa_bits, feat
        self.pg = pg                 # log2 of the page (the AArch64 granule)
        self.page = 1 << pg
        self.armv7 = arch == 7
        self.sext = arch not in A64 + (7,)
        self.high = arch in A64 and feat & 2
        self.shift = [(20, 12)[l] if self.armv7 else pg + (pg - 3) * (levels - 1 - l)
                      for l in range(levels)]
        self.leaf_levels = leaf_levels

    def span(self, l):
        return 1 << self.shift[l]

    def leaf_sizes(self):
        return [self.span(l) for l in self.leaf_levels]

    def lo_end(self):
        """First VA past the lower (or only) half."""
        if self.armv7:
            return 1 << 32
        if not self.sext:
            return 1 << self.va_bits
        return 1 << (self.va_bits - 1)

    def up_start(self):
        return (1 << 64) - (1 << (self.va_bits - 1)) if self.sext else None

    def base(self):
        return (1 << 64) - (1 << self.va_bits) if self.high else 0


# name, enum value, levels, va bits, pa bits, levels that may hold leaves
FORMATS = {
    "x86_64": Fmt("x86_64", 0, 4, 48, 52, [1, 2, 3]),
    "x86_64_la57": Fmt("x86_64_la57", 1, 5, 57, 52, [2, 3, 4]),
    "aarch64": Fmt("aarch64", 2, 4, 48, 48, [1, 2, 3]),
    "aarch64_el2": Fmt("aarch64_el2", 2, 4, 48, 48, [1, 2, 3], 1),
    "aarch64_high": Fmt("aarch64_high", 2, 4, 48, 48, [1, 2, 3], 2),
    "riscv_sv39": Fmt("riscv_sv39", 3, 3, 39, 56, [0, 1, 2]),
    "riscv_sv39_svpbmt": Fmt("riscv_sv39_svpbmt", 3, 3, 39, 56, [0, 1, 2], 4),
    "riscv_sv39_xuantie": Fmt("riscv_sv39_xuantie", 3, 3, 39, 56, [0, 1, 2], 8),
    "riscv_sv48": Fmt("riscv_sv48", 4, 4, 48, 56, [0, 1, 2, 3]),
    "riscv_sv48_svpbmt": Fmt("riscv_sv48_svpbmt", 4, 4, 48, 56, [0, 1, 2, 3], 4),
    "riscv_sv57": Fmt("riscv_sv57", 5, 5, 57, 56, [0, 1, 2, 3, 4]),
    "riscv_sv57_xuantie": Fmt("riscv_sv57_xuantie", 5, 5, 57, 56, [0, 1, 2, 3, 4], 8),
    "loongarch64": Fmt("loongarch64", 6, 4, 48, 48, [1, 2, 3]),
    "armv7": Fmt("armv7", 7, 2, 32, 32, [0, 1]),
    # Other VA sizes and granules: the same programs in pages of the granule.
    "aarch64_39": Fmt("aarch64_39", 2, 3, 39, 48, [0, 1, 2]),
    "aarch64_16k": Fmt("aarch64_16k", 14, 4, 48, 48, [2, 3], pg=14),
    "aarch64_16k_47": Fmt("aarch64_16k_47", 14, 3, 47, 48, [1, 2], pg=14),
    "aarch64_64k": Fmt("aarch64_64k", 15, 3, 48, 48, [1, 2], pg=16),
    "aarch64_64k_42": Fmt("aarch64_64k_42", 15, 2, 42, 48, [0, 1], pg=16),
}
# fuzz_ops_any: first byte picks one of these (same order as fuzz_ops.c).
ANY = ["x86_64", "x86_64_la57", "aarch64", "aarch64_el2", "aarch64_high", "riscv_sv39",
       "riscv_sv39_svpbmt", "riscv_sv39_xuantie", "riscv_sv48", "riscv_sv48_svpbmt",
       "riscv_sv57", "riscv_sv57_xuantie", "loongarch64", "armv7"]

M64 = (1 << 64) - 1


def u64(v):
    return struct.pack("<Q", v & M64)


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


# fuzz_translate's regime block (read_regime in fuzz/fuzz_translate.c): a
# selector (bits 1:0 attrs: 1 = a raw u64 follows; bits 3:2 dir_mask: 1 =
# Linux's 48-bit mask), the controls (u16), then what the selector asks for.
CTL_NXE, CTL_WP, CTL_SMEP, CTL_SMAP, CTL_AC = 1, 2, 4, 8, 16
CTL_PAN, CTL_WXN, CTL_HA, CTL_HD, CTL_SUM, CTL_MXR = 32, 64, 128, 256, 512, 1024
CTL_TRE, CTL_AFE, CTL_HPD = 2048, 4096, 8192
LINUX_V7_REMAP = 0x40e040e0ff0a81a8   # NMRR << 32 | PRRR as Linux's proc-v7-2level.S


def regime(controls, attrs=None, dir_mask=False):
    sel = (1 if attrs is not None else 0) | (4 if dir_mask else 0)
    b = bytes([sel]) + struct.pack("<H", controls)
    if attrs is not None:
        b += u64(attrs)
    return b


def foreign_image(f, variant):
    """A table some other OS wrote, in encodings libpt never writes: four
    frames of tables from 0x100000 (ARMv7: the 16 KiB root, then L2), a
    walk to a last-level table of unusual leaves, a huge leaf beside it,
    table entries that restrict what is below (variant 1). Returns
    (image, VAs)."""
    base = 0x100000
    img = bytearray(6 * 4096)

    def put(off, v, n=8):
        img[off:off + n] = v.to_bytes(n, "little")
    if f.armv7:
        l2 = base + 4 * 4096
        put(0, l2 | 1 | (4 if variant else 0), 4)             # page table, PXN in variant 1
        small = lambda pa, ap, tex, cb, xn=0: pa | 2 | xn | cb << 2 | (ap & 3) << 4 | \
            tex << 6 | (ap >> 2) << 9 | 1 << 10 | 1 << 11
        put(16384 + 0, small(0x80000000, 3, 1, 3), 4)        # user RW, WBWA, nG
        put(16384 + 4, small(0x80001000, 2, 0, 1), 4)        # PL1 RW, PL0 RO, device
        put(16384 + 8, small(0x80002000, 6, 0, 0, 1), 4)     # RO everywhere, SO, XN; AF clear
        put(16384 + 12, small(0x80003000, 5, 4, 2), 4)       # PL1 RO, outer NC inner WT
        for i in range(16, 32):                              # a 64K large page, 16 copies
            put(16384 + 4 * i, 0x80010000 | 1 | 3 << 2 | 3 << 4 | 1 << 12 | 1 << 15, 4)
        put(4 * 1, 0x40100000 | 3 | 1 << 10 | 1 << 12 | 3 << 2, 4)   # PXN section, PL1 RW
        for i in range(16, 32):                              # a supersection, PA 0x3_4100_0000
            put(4 * i, 0x41000000 | 2 | 1 << 18 | 3 << 10 | 3 << 20 | 1 << 17, 4)
        return img, [0x0, 0x1000 if variant else 0x10000, 0x100000, 0x1000000 | 0x1234]
    lv = f.levels
    shift = lambda l: 12 + 9 * (lv - 1 - l)
    va_top = (0xffff << 48) if f.feat == 2 else 0
    for l in range(lv - 1):
        nxt = base + (l + 1) * 4096
        if f.arch in (0, 1):
            e = nxt | 7
            if variant == 1 and l == 1:
                e &= ~2                      # RW clear above: read-only below
            if variant == 2 and l == 1:
                e &= ~4                      # US clear above: supervisor-only below
            if variant and l == 0:
                e |= 1 << 63                 # XD above
        elif f.arch == 2:
            e = nxt | 3
            if variant and l == 1:
                e |= 1 << 61 | 1 << 59       # APTable[0]: no EL0; PXNTable
            if variant and l == 0:
                e |= 1 << 62                 # APTable[1]: read-only below
        elif f.arch in (3, 4, 5):
            e = (nxt >> 12) << 10 | 1 | (0x20 if variant and l == 0 else 0)   # G above
        else:
            e = (0x9000000000000000 | nxt) if variant else nxt             # DMW VA
        put(l * 4096, e)
    last = (lv - 1) * 4096
    up = (lv - 2) * 4096 + 8                 # index 1 of the level above: the huge leaf
    if f.arch in (0, 1):
        leaves = [0x80000000 | 0x67, 0x80001000 | 0x25 | 1 << 7 | 1 << 4,       # PAT|PCD user RO
                  0x80002000 | 0x23 | 1 << 8 | 1 << 3 | 1 << 63 | 1 << 9,       # G, PWT, XD, SW0
                  0x80003000 | 0x1 | 1 << 10 | 3 << 3]                          # no A, UC, SW1
        huge = 0x40000000 | 0x83 | 0x60 | 1 << 12 | 1 << 4                     # 2M, PAT|PCD
    elif f.arch == 2:
        pg = lambda pa, attr, ap, rest: pa | 3 | attr << 2 | ap << 6 | 3 << 8 | rest
        leaves = [pg(0x80000000, 1, 1, 1 << 10 | 1 << 11),                     # EL0 RW: implicit PXN
                  pg(0x80001000, 1, 2, 1 << 10 | 1 << 51 | 1 << 54),           # clean DBM, UXN
                  pg(0x80002000, 0, 3, 1 << 53 | 1 << 56),                     # EL0 RO, AF 0, device
                  pg(0x80003000, 2, 0, 1 << 10 | 1 << 53 | 1 << 52 | 1 << 55)]  # EL0 X-only, cont
        huge = 0x40000000 | 1 | 1 << 2 | 1 << 10 | 1 << 57                     # 2M block
    elif f.arch in (3, 4, 5):
        pte = lambda pa, bits: (pa >> 12) << 10 | bits
        leaves = [pte(0x80000000, 0xd7), pte(0x80001000, 0x49 | 0x20 | 1 << 61),  # X-only, G, NC
                  pte(0x80002000, 0x17 | 1 << 8),                                 # U RW, A=D=0
                  pte(0x80008000, 0xcf | 1 << 63)]                                # Svnapot 64K
        huge = pte(0x40000000, 0x5b | 1 << 9)                                     # U RX 2M
    else:
        leaves = [0x80000000 | 0x80 | 1 | 2 | 0x100 | 0xc | 0x10,               # user RW
                  0x80001000 | 0x80 | 1 | 0x100 | 0x10 | 1 << 62,               # clean, NX
                  0x80002000 | 0x80 | 0xc | 0x10 | 1 << 61,                     # V clear, NR
                  0x80003000 | 0x80 | 1 | 2 | 0xc | 1 << 63 | 0x40 | 1 << 10]   # RPLV, SUC, G
        huge = 0x40000000 | 0x40 | 0x80 | 1 | 2 | 0x100 | 0x10 | 1 << 12         # 2M, HG
    for i, v in enumerate(leaves):
        put(last + 8 * i, v)
    put(up, huge)
    vas = [va_top | 0x0, va_top | 0x1000, va_top | (0x2000 if variant else 0x3000),
           va_top | (1 << shift(lv - 2)) | 0x1234]
    return img, vas


def translate_seeds():
    s = {}
    for name in ANY:
        f = FORMATS[name]
        own = {0: CTL_NXE | CTL_WP, 1: CTL_NXE | CTL_WP, 2: CTL_HA | CTL_HD,
               3: CTL_HA | CTL_HD, 4: CTL_HA | CTL_HD, 5: CTL_HA | CTL_HD}.get(f.arch, 0)
        # Mode 1: libpt builds, then a few bytes of the tables are flipped.
        b = bytearray([(f.arch << 1) | 1, f.feat]) + regime(own) + bytes([3])
        for k in range(3):
            b += bytes([0x04 | (k << 4), 5 + k, 0, 1, 0, 0, 3, 0x03])
        b += bytes([0, 0, 0, 0, 0x40])
        s["built_" + name] = b
        # Mode 0: a raw image: root frame whose first entry points to frame 1.
        img = bytearray(3 * 4096)
        base = 0x100000
        if f.arch in (0, 1):
            ent = (base + 4096) | 0x7
        elif f.arch == 2:
            ent = (base + 4096) | 0x3
        elif f.arch in (3, 4, 5):
            ent = ((base + 4096) >> 12 << 10) | 1
        elif f.arch == 6:
            ent = base + 4096
        else:
            ent = (base + 4096) | 1
        img[0:8] = u64(ent)
        img[4096:4104] = u64(ent)      # a loop: must still end
        hdr = bytearray([f.arch << 1, f.feat]) + regime(own) + bytes([1]) + \
            struct.pack("<H", base >> 12) + bytes([0, 0, 0])
        hdr += u64(f.base()) + u64(f.base() + 4096)
        s["image_" + name] = hdr + img
        # Mode 0, foreign encodings under the format's controls: all of
        # them, none, and the restricting table entries (variant 1).
        allc = {0: CTL_NXE | CTL_WP | CTL_SMEP | CTL_SMAP, 1: CTL_NXE | CTL_WP | CTL_SMAP | CTL_AC,
                2: CTL_PAN | CTL_WXN | CTL_HA | CTL_HD, 3: CTL_SUM | CTL_MXR,
                4: CTL_HA | CTL_HD | CTL_SUM, 5: CTL_MXR, 6: 0, 7: CTL_TRE | CTL_AFE}[f.arch]
        for vname, variant, ctl in (("foreign", 0, allc), ("foreign_plain", 0, 0),
                                    ("foreign_restrict", 1, own)):
            img, vas = foreign_image(f, variant)
            attrs = LINUX_V7_REMAP if f.armv7 and ctl & CTL_TRE else None
            if f.arch == 2 and vname == "foreign":
                attrs = 0x00bb44ff04          # Attr3 Normal WT, Attr4 Device-nGnRnE
            hdr = bytearray([f.arch << 1, f.feat]) + \
                regime(ctl, attrs, dir_mask=(f.arch == 6 and variant == 1)) + \
                bytes([len(vas) - 1]) + struct.pack("<H", base >> 12) + bytes([0, 0, 0])
            for va in vas:
                hdr += u64(va)
            s[vname + "_" + name] = hdr + img
        if f.arch in (0, 1):
            # US clear in a table entry (variant 2): the user leaves below
            # are supervisor-only (the other variants clear RW and set XD).
            img, vas = foreign_image(f, 2)
            hdr = bytearray([f.arch << 1, f.feat]) + regime(own) + bytes([len(vas) - 1]) + \
                struct.pack("<H", base >> 12) + bytes([0, 0, 0])
            for va in vas:
                hdr += u64(va)
            s["foreign_restrict_us_" + name] = hdr + img
        if f.arch == 2:
            # TCR.HPD: the restricting table entries' APTable, UXNTable and
            # PXNTable are ignored.
            img, vas = foreign_image(f, 1)
            hdr = bytearray([f.arch << 1, f.feat]) + regime(own | CTL_HPD) + bytes([len(vas) - 1]) + \
                struct.pack("<H", base >> 12) + bytes([0, 0, 0])
            for va in vas:
                hdr += u64(va)
            s["foreign_restrict_hpd_" + name] = hdr + img
        if f.arch == 2 and f.feat == 0:
            # TCR.HD without HA: no hardware dirty state (a store to the
            # clean DBM leaf faults), which a walk honouring HD alone misses.
            img, vas = foreign_image(f, 0)
            hdr = bytearray([f.arch << 1, f.feat]) + regime(CTL_HD) + bytes([len(vas) - 1]) + \
                struct.pack("<H", base >> 12) + bytes([0, 0, 0])
            for va in vas:
                hdr += u64(va)
            s["foreign_hd_only_" + name] = hdr + img
        if f.armv7:
            # TEX remap where NMRR's inner and outer halves differ (inner
            # WBWA, outer NC: Normal, not UNCACHED), every TRn Normal.
            img, vas = foreign_image(f, 0)
            hdr = bytearray([f.arch << 1, f.feat]) + regime(CTL_TRE, 0x000055550000aaaa) + \
                bytes([len(vas) - 1]) + struct.pack("<H", base >> 12) + bytes([0, 0, 0])
            for va in vas:
                hdr += u64(va)
            s["foreign_remap_" + name] = hdr + img
    return s


# PT_AARCH64_S2's value in enum pt_arch (inputs pick formats by number:
# regenerate these seeds whenever the enum changes).
ARCH_S2 = 10  # PT_AARCH64_S2 in enum pt_arch


def s2_translate_seeds():
    """Stage 2 images in encodings libpt never writes (Arm ARM, FWB off):
    XN 0b01 and 0b11 (FEAT_XNX), a clean DBM leaf with AF clear, a
    write-only Device leaf, Normal write-through, a 2M block; at the
    default 40-bit IPA (a root of two frames, then Arm levels 2 and 3)
    and through va_bits at 32 bits (a root of four frames indexed by IPA
    bits 31:21, then level 3)."""
    base = 0x100000
    s = {}
    leaves = [0x80000000 | 3 | 0x3c | 0x40 | 0x80 | 0x300 | 0x400 | 1 << 53,   # XN 01: EL0 only
              0x80001000 | 3 | 0x3c | 0x40 | 0x80 | 0x300 | 0x400 | 3 << 53,   # XN 11: EL1 only
              0x80002000 | 3 | 0x14 | 0x40 | 0x300 | 1 << 51,                  # NC, clean DBM, AF 0
              0x80003000 | 3 | 0x04 | 0x80 | 0x400 | 1 << 54 | 1 << 55]        # Device, write-only
    block = 0x40000000 | 1 | 0x28 | 0x40 | 0x300 | 0x400 | 1 << 53 | 1 << 56    # 2M, WT, XN 01
    # Reserved: MemAttr 0b0100 and 0b1000 (Normal, inner 0b00), SH 0b01; a
    # block with OA bit 12 set.
    reserved = [0x80000000 | 3 | 0x10 | 0x40 | 0x300 | 0x400,
                0x80001000 | 3 | 0x20 | 0x40 | 0x300 | 0x400,
                0x80002000 | 3 | 0x3c | 0x40 | 0x100 | 0x400]
    vas = [0x0, 0x1000, 0x2000, 0x3000]
    for bits, nroot, below, lvs, tag in ((40, 2, 2, leaves, ""), (32, 4, 1, leaves, ""),
                                         (40, 2, 2, reserved, "_reserved")):
        # Frames: the root's, then one table per level below it; entry 0
        # of each points to the next, entry 1 of the last directory is the
        # block, the last table holds the leaves.
        img = bytearray((nroot + below) * 4096)

        def put(off, v):
            img[off:off + 8] = v.to_bytes(8, "little")
        tables = [0] + [(nroot + k) * 4096 for k in range(below)]
        for a, b in zip(tables, tables[1:]):
            put(a, (base + b) | 3)
        put(tables[-2] + 8, block if not tag else block | 0x1000)
        for k, v in enumerate(lvs):
            put(tables[-1] + 8 * k, v)
        for name, ctl in (("", CTL_HA | CTL_HD), ("_plain", 0)):
            sel = 0x20 if bits != 40 else 0           # va_bits as a raw byte
            reg = bytes([sel]) + struct.pack("<H", ctl) + (bytes([bits]) if sel else b"")
            hdr = bytearray([ARCH_S2 << 1, 0]) + reg + bytes([len(vas) - 1]) + \
                struct.pack("<H", base >> 12) + bytes([0, 0, 0])
            for va in vas[:3] + [0x200000 | 0x1234]:
                hdr += u64(va)
            s["foreign_s2_%d%s%s" % (bits, tag, name)] = hdr + img
    return s


# fuzz_translate's nested inputs (byte 0 from 0xe0: `nested` in
# fuzz/fuzz_translate.c): the pairs in the harness's PAIRS order, by enum
# pt_arch value (regenerate these seeds whenever the enum changes).
NESTED_PAIRS = [(0, 8), (0, 9), (1, 8), (1, 9), (2, 10), (3, 11), (3, 12), (3, 13), (4, 11),
                (4, 12), (4, 13), (5, 11), (5, 12), (5, 13)]
S1_LEVELS = {0: 4, 1: 5, 2: 4, 3: 3, 4: 4, 5: 5}
S2_LEVELS = {8: 4, 9: 5, 11: 3, 12: 4, 13: 5}
OWN_CTL = {0: CTL_NXE | CTL_WP, 1: CTL_NXE | CTL_WP, 2: CTL_HA | CTL_HD, 3: CTL_HA | CTL_HD,
           4: CTL_HA | CTL_HD, 5: CTL_HA | CTL_HD, 8: 0, 9: 0, 10: CTL_HA | CTL_HD,
           11: CTL_HA | CTL_HD, 12: CTL_HA | CTL_HD, 13: CTL_HA | CTL_HD}


def s1_table(a, pa):
    return pa | 7 if a in (0, 1) else pa | 3 if a == 2 else (pa >> 12) << 10 | 1


def s1_page(a, pa):
    """A user read/write/execute 4K leaf, accessed and dirty."""
    if a in (0, 1):
        return pa | 0x67
    if a == 2:
        return pa | 3 | 0x4 | 0x40 | 0x300 | 0x400     # AttrIndx 1 (Normal), AP EL0 RW, AF
    return (pa >> 12) << 10 | 0xdf


def s2_table(a, pa):
    return pa | 7 if a in (8, 9) else pa | 3 if a == 10 else (pa >> 12) << 10 | 1


def s2_page(a, pa, write=True):
    """A stage-2 4K leaf, read and execute (and write), normal memory."""
    if a in (8, 9):
        return pa | 5 | (2 if write else 0) | 6 << 3
    if a == 10:
        return pa | 3 | 0x3c | 0x40 | (0x80 if write else 0) | 0x300 | 0x400
    return (pa >> 12) << 10 | (0xdf if write else 0xdb)  # V R (W) X U A D


def nested_translate_seeds():
    """Per pair: mode 1 (libpt builds stage 2 over the arena and a range
    at 1 GiB, stage 1 maps to both, with leaves larger and smaller than
    stage 2's and memory types on both, and to nothing), and mode 0: one host
    image at 1 MiB where stage 2 maps guest-physical page g to host
    1 MiB + g (the last data page and stage 1's last table read-only:
    enough for the walk's reads, not under EPT with A/D flags, where the
    walk writes: the `_ad` seeds), stage-1 tables in it, and VAs
    that translate, write a read-only stage-2 page, leave stage 2 with an
    unmapped output, and read a stage-1 table stage 2 does not map."""
    s = {}
    for i, (a1, a2) in enumerate(NESTED_PAIRS):
        name = "nested_%s_%s" % ({v.arch: n for n, v in reversed(list(FORMATS.items())) if not v.feat}.get(a1, a1),
                                 {8: "ept", 9: "ept5", 10: "s2", 11: "sv39x4", 12: "sv48x4",
                                  13: "sv57x4"}[a2])
        for ipa, tag in ((0, ""), (32, "_32"), (0, "_ad")):
            if (ipa and a2 != 10) or (tag == "_ad" and a2 not in (8, 9)):
                continue
            sb = (ipa - 31) << 1 if ipa else 1 if tag == "_ad" else 0
            head = bytes([0, 0, sb]) + regime(OWN_CTL[a2]) + regime(OWN_CTL[a1])
            # Mode 1.
            b = bytearray([0xe0 | i << 1 | 1]) + head[1:]
            # Stage 2: the arena onto itself in 2M leaves (RWX), and 4M
            # at 1 GiB onto the arena in 4K leaves (WX, UNCACHED).
            b += bytes([0x81])
            b += bytes([0x03]) + struct.pack("<HH", 0x200, 0x80) + bytes([1, 0x26])
            # Stage 1: a 2M DEVICE leaf over stage 2's 4K ones, a page
            # stage 2 does not map, 4K leaves over stage 2's 2M ones.
            b += bytes([2])
            b += bytes([0x0d]) + struct.pack("<HH", 1, 0x200) + bytes([0, 0x17])
            b += bytes([0x00]) + struct.pack("<HH", 2, 0x100) + bytes([0, 0x0b])
            b += bytes([0x01]) + struct.pack("<HH", 3, 0x80) + bytes([3, 0x03])
            b += struct.pack("<HHB", 0, 0, 0x40) + struct.pack("<HHB", 1, 8, 0x01)
            s["%s%s_built" % (name, tag)] = bytes(b)
            # Mode 0.
            base = 0x100000
            l2 = S2_LEVELS.get(a2, 2 if ipa == 32 else 3)
            root2 = 4 if a2 in (11, 12, 13) or ipa == 32 else 2 if a2 == 10 else 1
            l1 = S1_LEVELS[a1]
            s2t = [0] + [(root2 + k) * 4096 for k in range(l2 - 1)]     # offsets = GPAs
            s1t = [(root2 + l2 - 1 + k) * 4096 for k in range(l1)]
            data = s1t[-1] + 4096
            n = data // 4096 + 2
            img = bytearray(n * 4096)

            def put(off, v):
                img[off:off + 8] = v.to_bytes(8, "little")
            for x, y in zip(s2t, s2t[1:]):
                put(x, s2_table(a2, base + y))
            for g in range(n):
                ro = g == n - 1 or g * 4096 == s1t[-1]
                put(s2t[-1] + 8 * g, s2_page(a2, base + g * 4096, write=not ro))
            for x, y in zip(s1t, s1t[1:]):
                put(x, s1_table(a1, y))
            put(s1t[0] + 8, s1_table(a1, 0x200000))       # stage 2 maps no such table
            put(s1t[-1], s1_page(a1, data))
            put(s1t[-1] + 8, s1_page(a1, data + 4096))
            put(s1t[-1] + 16, s1_page(a1, 0x300000))      # stage 2 maps no such output
            top = 12 + 9 * (l1 - 1)
            vas = [0x123, 0x1008, 0x2010, 1 << top]
            hdr = bytearray([0xe0 | i << 1]) + head[1:] + bytes([3]) + \
                struct.pack("<HBIB", base >> 16, 0, s1t[0] >> 12, 0)
            for va in vas:
                hdr += u64(va)
            s["%s%s_image" % (name, tag)] = bytes(hdr + img)
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
