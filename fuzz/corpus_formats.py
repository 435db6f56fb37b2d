# SPDX-License-Identifier: MIT
"""The formats the seeds are written for (shapes, enum values, features), the
flag bits of the public API, and the u64 packer every seed writer shares."""
import struct

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
