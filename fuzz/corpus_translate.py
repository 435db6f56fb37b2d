# SPDX-License-Identifier: MIT
"""fuzz_translate's seeds: raw and libpt-built single-stage images, stage-2
images and nested (two-stage) inputs; gen_corpus.py writes them."""
import struct

from corpus_formats import ANY, FORMATS, u64


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
