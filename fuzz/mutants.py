#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make fuzz-mutants: prove the oracles by planting bugs.

Each mutant is one textual edit of src/, arch/ or include/, applied on a
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

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# name, file, old text, new text, occurrence (None: must be unique), kind
MUTANTS = [
    ("x86-encoder-user-bit", "arch/x86.h", "X86_P | (flags & PT_WRITE) | (flags & PT_USER) >> 1 |",
     "X86_P | (flags & PT_WRITE) | (flags & PT_USER) |", None,
     "wrong bit in an encoder (USER written as PWT)"),
    ("aarch64-encoder-ro-bit", "arch/aarch64.h",
     "\t\te |= A64_AP_RO | (flags & PT_DIRTY ? A64_SW_DIRTY : 0);\n",
     "\t\te |= A64_AF | (flags & PT_DIRTY ? A64_SW_DIRTY : 0);\n", None,
     "wrong bit in an encoder (read-only not written)"),
    ("plan-off-by-one", "src/edit.h",
     "for (i = skip_empty(lv.tbl, i, j + 1); i <= j; i++) {",
     "for (i = skip_empty(lv.tbl, i, j + 1); i < j; i++) {",
     None, "off-by-one: map's conflict check skips the last 4K slot"),
    ("new-table-not-zeroed", "src/edit.h", "clear_entries(s->child, idx(sh, cl, slot_end(s)) + 1, n);",
     "(void)0;", None, "missing zeroing of a new table (tail of it)"),
    ("no-unreserve-on-failure", "src/op.h",
     "\t\t\tpt__unreserve(op);\n\t\t\treturn PT_ERR_NO_MEMORY;\n",
     "\t\t\treturn PT_ERR_NO_MEMORY;\n", None,
     "no rollback: reserved frames leak when a later reservation fails"),
    ("huge-not-split", "src/edit.h",
     "\t\ts->child_pa = new_table(op, s->l, s->tbl, s->i);\n\t\ts->child = tbl_at(op->t, s->child_pa);\n"
     "\t\tfill(",
     "\t\ts->down = DOWN_NO;\n\t\tst(p, EMPTY);\n\t\treturn 0;\n"
     "\t\ts->child_pa = new_table(op, s->l, s->tbl, s->i);\n\t\ts->child = tbl_at(op->t, s->child_pa);\n"
     "\t\tfill(", None,
     "huge page straddling the range not split (dropped whole)"),
    ("split-wrong-pa", "src/edit.h", "\t\t     pt__span(op->s, s->l + 1));",
     "\t\t     pt__span(op->s, s->l + 1) + PT_SIZE_4K);", None,
     "split writes the wrong PAs into the smaller leaves"),
    ("reclaim-leaks-frame", "src/edit.h",
     "idx(op->s, s->l + 1, slot_end(s)))) {\n\t\tst(&s->tbl[s->i], EMPTY);\n"
     "\t\trelease(op, s->l, s->tbl, s->i, A(table_pa)(s->h, s->e));\n",
     "idx(op->s, s->l + 1, slot_end(s)))) {\n\t\tst(&s->tbl[s->i], EMPTY);\n", None,
     "leaked frame on reclaim"),
    ("subtree-replace-leaks", "src/edit.h",
     "\t\tfree_child(op, s->l, s->e, s->va);\n\t\trelease(op, s->l, s->tbl, s->i, A(table_pa)(s->h, s->e));\n"
     "\t\tpt__record_all(op->w);\n\t\tpt__record(op->w, s->va);\n",
     "\t\tfree_child(op, s->l, s->e, s->va);\n"
     "\t\tpt__record_all(op->w);\n\t\tpt__record(op->w, s->va);\n", None,
     "empty subtree replaced by a huge leaf: its table frame leaks"),
    ("armv7-decode-wrong-level", "arch/armv7.h",
     "arch_armv7_leaf_flags(unsigned feat, unsigned h, uint64_t pte)\n{\n"
     "\tconst struct arch_armv7_fields *at = &arch_armv7_at[h != 0];",
     "arch_armv7_leaf_flags(unsigned feat, unsigned h, uint64_t pte)\n{\n"
     "\tconst struct arch_armv7_fields *at = &arch_armv7_at[(h != 0) | 1];",
     None, "wrong level in decode (L2 small page read with the L1 section layout)"),
    ("armv7-packed-frame-freed", "src/tables.h",
     "\t\tif (group_frame(op, l, tbl, i, later))\n\t\t\treturn;\n", "\t\t(void)tbl, (void)i, (void)later;\n", None,
     "ARMv7: a packed L2 frame freed while a sibling table still lives in it"),
    ("translate-trusts-corrupt", "src/lookup.h",
     "\t\tk = A(kind)(feat, h, e);\n\t\tif (PT_LIKELY(k == PTK_LEAF)) {",
     "\t\tk = A(kind)(feat, h, e);\n\t\tif (k == PTK_CORRUPT)\n\t\t\tk = PTK_LEAF;\n"
     "\t\tif (PT_LIKELY(k == PTK_LEAF)) {", None,
     "translate trusts a malformed 4K entry as a leaf"),
    ("translate-trusts-corrupt-huge", "src/lookup.h",
     "\tint k = A(kind)(feat, h, e);\n\tif (k != PTK_LEAF)",
     "\tint k = A(kind)(feat, h, e);\n\tif (k == PTK_EMPTY)", None,
     "query/translate take a malformed entry above the last level for a huge leaf"),
    ("lookup-table-by-present-bit", "arch/x86.h",
     "#define arch_x86_TABLE_MASK (X86_P | X86_PS)", "#define arch_x86_TABLE_MASK X86_P", None,
     "x86 is_table takes a huge leaf (PS) for a table: queries read its page as a table"),
    ("walk-run-no-compare", "src/walk.h",
     "\t\tif (PT_UNLIKELY(!room || e != expect)) {",
     "\t\tif (PT_UNLIKELY(!room || ((e ^ expect) >> 12))) {", None,
     "pt_walk's run test ignores the entry's low 12 bits (flags of the run's first leaf kept)"),
    ("walk-skip-zero-overshoot", "src/entry.h",
     "\t\ti += 4;\n", "\t\ti += 5;\n", None,
     "the walks' zero skip steps over a mapped entry after four empty ones"),
    ("unmap-no-tlb-record", "src/edit.h",
     "\t\tleaf_mapping(old, t->features, h, pt.e, 0, span);\n\tpt__record(t, va & ~(span - 1));\n",
     "\t\tleaf_mapping(old, t->features, h, pt.e, 0, span);\n", None,
     "pt_unmap records no VA for TLB maintenance"),
    ("flush-threshold", "src/api.c", "if (t->nflush > PT_FLUSH_MAX || t->nfree)",
     "if (t->nflush >= PT_FLUSH_MAX || t->nfree)",
     None, "pt_flush flushes all at exactly 32 records"),
    ("copy-not-marked-shared", "src/share.h",
     "dst->shared[i / 64] |= UINT64_C(1) << (i % 64);", "(void)0;", None,
     "copy_from does not mark shared: destroy frees the other table's subtree"),
    ("pa-range-unchecked", "src/api.c",
     "(*pa + (size - 1) < *pa || (*pa + (size - 1)) >> t->shape->info.pa_bits)",
     "(*pa + (size - 1) < *pa || !t->shape)", None, "map_region accepts a PA range past pa_bits"),
    ("lookup-wrong-size", "src/lookup.h",
     "leaf_mapping(out, feat, h, e, va, pt__span(s, l));",
     "leaf_mapping(out, feat, h, e, va, pt__span(s, l));\n\tout->size -= l == 0;", None,
     "query/translate report the wrong size for a root-level leaf"),
    # The engine's own hinted map check, where the next two were planted,
    # is gone (pt__map_hinted in include/pt/inline.h serves the inline and
    # the exported pt_map); each now plants its bug where it lives now.
    ("map-page-stale-attrs", "src/hints.h",
     "\tt->hint_state = nflags & PT_STATE_ALL;\n\tt->hint_attrs = A(leaf_attrs)(t->features, 0, nflags);\n",
     "\tt->hint_state = nflags & PT_STATE_ALL;\n", None,
     "single-page map reuses the cached encoding of other flags (was: the engine's hinted check "
     "ignored the flags; now hint_leaf re-hints the flags but keeps the old encoding)"),
    ("map-page-pa-unchecked", "src/api.c",
     "if ((va | pa) & (size - 1))", "if (va & (size - 1))", None,
     "single-page map takes an unaligned PA (was: the engine's hinted check; now pt_map's "
     "out-of-line check ignores the PA's alignment)"),
    ("dir-hint-kept", "src/op.h",
     "\tt->hint_dir = (const void *)0;\n\tt->hint_dir_span = UINT64_MAX; /* no VA's span number */\n",
     "", None,
     "the directory hint outlives a freed table: queries read a dead frame"),
    ("query-raw-flags", "src/lookup.h",
     "\t\t\tout->flags = t->hint_nflags;", "\t\t\tout->flags = t->hint_flags;", None,
     "query's one-compare decode answers the flags as passed, not normalised"),
    ("run-scan-short-compare", "src/entry.h",
     "d = (v[0] ^ x0) | (v[1] ^ x1) | (v[2] ^ x2) | (v[3] ^ x3);",
     "d = (v[0] ^ x0) | (v[1] ^ x1) | (v[2] ^ x2);", None,
     "vector run scan ignores the last 16 bytes of each group"),
    ("run-log-no-compare", "src/edit.h",
     "r->last + 1 == va && succ(0, r->e, va - r->va) == e) {", "r->last + 1 == va) {", None,
     "protect plan extends a remembered run over entries it never compared"),
    ("inline-map-taken-slot", "include/pt/inline.h",
     "\t\tuint64_t *p = (uint64_t *)t->hint_tbl + i;\n\t\tif (__atomic_load_n(p, __ATOMIC_RELAXED) != 0)\n\t\t\treturn false;\n",
     "\t\tuint64_t *p = (uint64_t *)t->hint_tbl + i;\n", None,
     "pt_map's inline path overwrites a mapped 4K slot"),
    ("inline-map-any-size", "include/pt/inline.h", "(size ^ PT_SIZE_4K) |", "(size & 0) |", None,
     "pt_map's inline path maps a 4K page whatever size was asked for"),
    ("inline-map-any-flags", "include/pt/inline.h", "(uint64_t)(flags ^ t->hint_flags)",
     "(uint64_t)(flags & 0)", None,
     "pt_map's hinted check ignores the flags: a page gets the last page's encoding"),
    ("inline-map-pa-unchecked", "include/pt/inline.h", "(pa & t->fast.pa_bad) |", "", None,
     "pt_map's hinted check takes an unaligned or too wide PA"),
    ("inline-query-zero-dir", "include/pt/inline.h",
     "(d & t->fast.tbl_mask) == t->fast.tbl_match && (g != PT_FAST_64 || d)))",
     "(d & t->fast.tbl_mask) == t->fast.tbl_match))",
     None, "pt_query's inline path follows an empty LoongArch directory entry to PA 0"),
    ("inline-query-no-scale", "include/pt/inline.h",
     "const unsigned sh = g == PT_FAST_64_X4 ? 2 : 0;\n\t/* va's entry",
     "const unsigned sh = g == PT_FAST_64_X4 ? 0 : 0;\n\t/* va's entry", None,
     "pt_query's inline path reads RISC-V PPN fields as PAs"),
    ("inline-unmap-no-scale", "include/pt/inline.h",
     "old->pa = (e & t->fast.leaf_field) << (t->fast.map == PT_FAST_64_X4 ? 2 : 0);",
     "old->pa = (e & t->fast.leaf_field) << 0;",
     None, "pt_unmap's inline path returns RISC-V PPN fields as PAs"),
    ("inline-unmap-no-record", "include/pt/inline.h",
     "\t\told->size = PT_SIZE_4K;\n\t}\n\tPT__RECORD(t, va);",
     "\t\told->size = PT_SIZE_4K;\n\t}", None, "pt_unmap's inline path records no TLB flush"),
    ("map-stretch-over-live", "src/edit.h",
     "return s->live && whole > 1 ? skip_empty", "return 0 && whole > 1 ? skip_empty", None,
     "map_region's stretch of huge leaves writes over entries in use"),
    ("inline-query32-dir-index", "include/pt/inline.h", "(t->hint_qdir + (va >> 20) * 4)",
     "(t->hint_qdir + (va >> 21) * 4)", None,
     "pt_query's inline ARMv7 path reads the wrong root entry"),
    ("inline-query32-leaf-index", "include/pt/inline.h",
     "((va >> 12) & 255) * 4", "((va >> 12) & 511) * 4", None,
     "pt_query's inline ARMv7 path reads past its 1 KiB table into a sibling's"),
    ("inline-qspan-kept", "src/op.h", "\tt->hint_qspan = 0;\n", "", None,
     "pt_query's inline path keeps the directory hint of a freed table"),
    ("inline-query-without-direct-map", "src/hints.h",
     "t->hint_qspan = t->fast.query ? ~((va >> DIR_SHIFT) | t->fast.qtag) : 0;",
     "t->hint_qspan = ~((va >> DIR_SHIFT) | t->fast.qtag);", None,
     "pt_query's inline path runs without a direct map (table PAs taken for pointers)"),
    ("batch-vector-skips-lane", "src/walk.h",
     "const vec d = (x0 | x1 | x2 | x3) & amv;", "const vec d = (x0 | x1 | x3) & amv;", None,
     "pt_walk_batches takes a leaf with other attributes into a batch (vector compare)"),
    ("batch-any-flags", "src/walk.h",
     "if (!b->n || b->level != l || b->flags != flags ||", "if (!b->n || b->level != l ||", None,
     "pt_walk_batches joins leaves with other flags into a batch"),
    ("batch-across-hole", "src/walk.h",
     "if (c->raw && b->va + b->n * PG_SIZE == cva) {", "if (c->raw) {", None,
     "pt_walk_batches carries a batch across an empty slot"),
    ("batch-corrupt-drops-pending", "src/walk.h",
     "\tr = c->b.n ? batch_emit(c) : 0;\n\treturn r ? r : PT_ERR_CORRUPT;",
     "\tr = 0;\n\treturn r ? r : PT_ERR_CORRUPT;", None,
     "pt_walk_batches drops the leaves before a corrupt entry"),
    ("run-log-past-end", "src/edit.h",
     "rs->rec[rs->cur].va <= va)", "1)", None,
     "protect commit rewrites from a remembered run before the run starts"),
    # Flags, access state, pt_clear_state, pt_set_state.
    ("normalize-wc-aarch64", "src/internal.h",
     "\tif (a == PT_X86_64 || a == PT_X86_64_LA57)\n\t\treturn PT__MT_WC;",
     "\tif (a == PT_X86_64 || a == PT_X86_64_LA57 || a == PT_AARCH64)\n\t\treturn PT__MT_WC;", None,
     "normalisation lets WC through on AArch64 (encoded as normal memory)"),
    ("armv7-sw-flags-accepted", "src/api.c",
     "\t       !(a == PT_ARMV7 && (flags & (PT_SW0 | PT_SW1)));", "\t       a != PT_ARCH_COUNT;", None,
     "ARMv7 takes PT_SW0/1 in flags (and drops them)"),
    ("protect-drops-state", "src/edit.h",
     "\tuint32_t keep = old & (PT_STATE_ALL | PT_SW0 | PT_SW1);",
     "\tuint32_t keep = old & (PT_SW0 | PT_SW1);", None,
     "protect drops the leaf's state (not accessed, clean unless it gains WRITE)"),
    ("protect-gain-write-clean", "src/edit.h",
     "\tif ((x->bits & PT_WRITE) && !(old & PT_WRITE))\n\t\tkeep |= PT_DIRTY;\n", "", None,
     "a leaf that gains WRITE through protect stays clean"),
    ("protect-sw-from-flags", "src/api.c",
     "return pt__normalize_for(t, flags) & ~(PT_SW0 | PT_SW1);",
     "return pt__normalize_for(t, flags);", None,
     "protect takes the SW bits passed in flags (ORed into the leaf's)"),
    ("aarch64-ro-dirty-lost", "arch/aarch64.h",
     "\t\te |= A64_AP_RO | (flags & PT_DIRTY ? A64_SW_DIRTY : 0);\n", "\t\te |= A64_AP_RO;\n", None,
     "AArch64: a leaf losing WRITE loses its dirty state (bit 55 not written)"),
    ("loongarch-ro-dirty-lost", "arch/loongarch.h",
     "\telse if (flags & PT_DIRTY)\n\t\te |= LA_DIRTY_RO;\n", "", None,
     "LoongArch: a leaf losing WRITE loses its dirty state (bit 9 not written)"),
    ("split-fresh-state", "src/descent.h",
     "\treturn leaf_at(op->feat, h, pa, A(leaf_flags)(op->feat, h + 1, e));",
     "\treturn leaf_at(op->feat, h, pa, pt__fresh(A(leaf_flags)(op->feat, h + 1, e) & PT_FLAGS_ALL));",
     None, "split pieces get a new leaf's state instead of the huge leaf's"),
    ("clear-state-huge-cut-skipped", "src/state.h",
     "\tif (!(A(leaf_flags)(op->feat, s->h, s->e) & c->x.bits))\n\t\treturn 0;",
     "\tif (!(A(leaf_flags)(op->feat, s->h, s->e) & c->x.bits) || s->va != base)\n\t\treturn 0;", None,
     "clear_state leaves a huge leaf alone when the range starts inside it"),
    ("clear-state-bitmap-off-by-one", "src/state.h",
     "n = ((last - first) >> PG_SHIFT) + 1;", "n = (last - first) >> PG_SHIFT;", None,
     "clear_state's bitmap: one page short per leaf (a 4K leaf marks nothing)"),
    ("clear-state-huge-record-va", "src/state.h",
     "\tconst uint64_t base = s->va & ~(s->span - 1);", "\tconst uint64_t base = s->va;", None,
     "clear_state records where the range cuts a huge leaf, not the leaf's base VA"),
    ("clear-state-plan-last-page", "src/state.h",
     "\tif ((r = descend_root(&op, &state_plan, &c, va, last)) ||",
     "\tif ((r = descend_root(&op, &state_plan, &c, last, last)) ||", None,
     "clear_state's plan looks at the last page only: a corrupt entry before it is found too late"),
    ("set-state-dirty-on-ro", "src/state.h",
     "\tif ((bits & PT_DIRTY) && !(A(leaf_flags)(t->features, h, pt.e) & PT_WRITE))",
     "\tif ((bits & PT_DIRTY) && !(A(leaf_flags)(t->features, h, pt.e) & PT_READ))", None,
     "set_state accepts DIRTY on a read-only leaf"),
    ("loongarch-unaccessed-empty", "arch/loongarch.h",
     "PT_LEAF_EMPTY_UNLESS(loongarch, LA_P | LA_V)", "PT_LEAF_EMPTY_UNLESS(loongarch, LA_V)", None,
     "LoongArch: a leaf whose accessed state (V) was cleared is taken for an empty slot"),
    ("remap-keeps-old-state", "src/edit.h",
     "\t\tnv = leaf_at(t->features, h, pa, flags);",
     "\t\tnv = leaf_at(t->features, h, pa,\n\t\t\t     (flags & PT_FLAGS_ALL) | (A(leaf_flags)(t->features, h, pt.e) & PT_STATE_ALL));",
     None, "remap keeps the old leaf's state instead of writing a new leaf's"),
    ("unmap-old-state-fresh", "src/edit.h",
     "\t\tleaf_mapping(old, t->features, h, pt.e, 0, span);\n",
     "\t\tleaf_mapping(old, t->features, h, pt.e, 0, span);\n\tif (old)\n\t\told->state = pt__fresh(old->flags) & PT_STATE_ALL;\n",
     None, "unmap's old reports a new leaf's state, not the leaf's"),
    ("hint-attrs-without-state", "src/hints.h",
     "\tt->hint_attrs = A(leaf_attrs)(t->features, 0, nflags);\n",
     "\tt->hint_attrs = A(leaf_attrs)(t->features, 0, nflags & PT_FLAGS_ALL);\n", None,
     "single-page maps write the hinted encoding without the new leaf's state"),
    ("armv7-set-state-sw", "src/api.c",
     "!(state & ~(t->engine->state_bits | PT_STATE_ALL))",
     "!(state & ~(t->engine->state_bits | PT_STATE_ALL | PT_SW0 | PT_SW1))", None,
     "ARMv7's set_state takes PT_SW0/1 (and does nothing)"),
    # pt_access (SPEC §8): effective permissions and every control of the
    # regime hooks (arch/*.h r_entry, r_leaf, regime_ok) and src/access.h.
    # fuzz_translate's reference MMU (fuzz/ref_*.h) catches each.
    ("x86-table-rw-ignored", "arch/x86.h", "*up |= (~e & (X86_RW | X86_US)) | (e & X86_NX);",
     "*up |= (~e & X86_US) | (e & X86_NX);", 0,
     "x86: RW clear in a table entry does not make what is below read-only"),
    ("x86-table-us-ignored", "arch/x86.h", "*up |= (~e & (X86_RW | X86_US)) | (e & X86_NX);",
     "*up |= (~e & X86_RW) | (e & X86_NX);", 0,
     "x86: US clear in a table entry does not make what is below supervisor-only"),
    ("x86-table-xd-ignored", "arch/x86.h", "*up |= (~e & (X86_RW | X86_US)) | (e & X86_NX);",
     "*up |= (~e & (X86_RW | X86_US));", 0, "x86: XD in a table entry ignored"),
    ("x86-wp-ignored", "arch/x86.h", "(rw || !(c & PT_CTL_WP) ? PT_PERM_W : 0)",
     "(rw ? PT_PERM_W : 0)", None, "x86: supervisor writes obey RW without CR0.WP"),
    ("x86-smep-ignored", "arch/x86.h", "(x && !(us && (c & PT_CTL_SMEP)) ? PT_PERM_X : 0)",
     "(x ? PT_PERM_X : 0)", None, "x86: SMEP ignored"),
    ("x86-smap-ac-ignored", "arch/x86.h",
     "const bool smap = us && (c & PT_CTL_SMAP) && !(c & PT_CTL_AC);",
     "const bool smap = us && (c & PT_CTL_SMAP);", None, "x86: EFLAGS.AC does not waive SMAP"),
    ("x86-nxe-ignored", "arch/x86.h", "if (k != PTK_EMPTY && (e & X86_NX) && !(r->controls & PT_CTL_NXE))",
     "if (k != PTK_EMPTY && (e & X86_NX) && !(r->controls & PT_CTL_NXE) && 0)", None,
     "x86: bit 63 not reserved without EFER.NXE"),
    ("aarch64-aptable-dropped", "arch/aarch64.h", "(up &= c & PT_CTL_HPD ? 0 : A64_TABLE_BITS)",
     "(up &= c & PT_CTL_HPD ? 0 : A64_TABLE_BITS & ~(A64_AP_TABLE_RO | A64_AP_TABLE_NO_EL0))", None,
     "AArch64: APTable ignored"),
    ("aarch64-xntable-dropped", "arch/aarch64.h", "(up &= c & PT_CTL_HPD ? 0 : A64_TABLE_BITS)",
     "(up &= c & PT_CTL_HPD ? 0 : A64_TABLE_BITS & ~(A64_UXN_TABLE | A64_PXN_TABLE))", None,
     "AArch64: UXNTable/PXNTable ignored"),
    ("aarch64-hpd-ignored", "arch/aarch64.h", "(up &= c & PT_CTL_HPD ? 0 :",
     "(up &= c & 0 ? 0 :", None, "AArch64: TCR.HPD does not disable APTable/XNTable"),
    ("aarch64-pan-ignored", "arch/aarch64.h", "(user && (c & PT_CTL_PAN) ? 0 :",
     "(user && (c & 0) ? 0 :", None, "AArch64: PSTATE.PAN ignored"),
    ("aarch64-wxn-ignored", "arch/aarch64.h", "const bool wxn = c & PT_CTL_WXN;",
     "const bool wxn = c & 0;", None, "AArch64: SCTLR.WXN ignored"),
    ("aarch64-implicit-pxn-dropped", "arch/aarch64.h",
     "!(x & A64_PXN) && !(user && w_hw) && !(wxn && w_hw);", "!(x & A64_PXN) && !(wxn && w_hw);", None, "AArch64: EL1 may execute what EL0 may write"),
    ("aarch64-hd-without-ha", "arch/aarch64.h",
     "lf->clean = w && !w_hw && !((c & PT_CTL_HA) && (c & PT_CTL_HD));",
     "lf->clean = w && !w_hw && !(c & PT_CTL_HD);", None, "AArch64: TCR.HD effective without TCR.HA"),
    ("aarch64-ha-ignored", "arch/aarch64.h", "lf->af = !(e & A64_AF) && !(c & PT_CTL_HA);",
     "lf->af = !(e & A64_AF);", None, "AArch64: TCR.HA ignored (AF clear always faults)"),
    ("aarch64-af-after-permission", "arch/aarch64.h", "#define arch_aarch64_AF_FIRST 1",
     "#define arch_aarch64_AF_FIRST 0", None, "AArch64: permission fault before the access flag"),
    ("aarch64-mair-40-cacheable", "arch/aarch64.h", "(m & 0xfb) == 0x40 ? PT_UNCACHED : 0",
     "m == 0x44 ? PT_UNCACHED : 0", None,
     "AArch64: MAIR byte 0x40 (Normal non-cacheable, FEAT_XS) read as cacheable"),
    ("s2-encoder-dirty-lost", "arch/aarch64_s2.h",
     "\t\te |= A64_DBM | (flags & PT_DIRTY ? S2AP_W : 0);\n", "\t\te |= A64_DBM;\n", None,
     "AArch64 stage 2: a writable dirty leaf written clean (S2AP[1] lost)"),
    ("s2-decoder-xn-el0", "arch/aarch64_s2.h", "\tif (!(pte & S2_XN) == !(pte & S2_XN0))\n",
     "\tif (!(pte & S2_XN))\n", None,
     "AArch64 stage 2: EXECUTE read as EL0's (XN 0b01 executable, 0b11 not)"),
    ("s2-memattr-reserved-accepted", "arch/aarch64_s2.h",
     "return (m & S2_MEMATTR(0xc)) != 0 && (m & S2_MEMATTR(0x3)) == 0;",
     "return (m & S2_MEMATTR(0xc)) == S2_MEMATTR(0xc) && (m & S2_MEMATTR(0x3)) == 0;", None,
     "AArch64 stage 2: MemAttr 0b0100/0b1000 (Normal, inner 0b00) not reserved"),
    ("s2-levels-rule", "arch/aarch64_s2.h", "#define S2_LEVELS(bits) (((bits) - 8u) / 9u)",
     "#define S2_LEVELS(bits) (((bits) - 7u) / 9u)", None,
     "AArch64 stage 2: levels for at most 8 concatenated tables (34 bits: 3 levels)"),
    ("s2-root-frames", "arch/aarch64_s2.h",
     "S2_ROOT_ENTRIES(bits) > 512u ? S2_ROOT_ENTRIES(bits) / 512u : 1u)",
     "S2_ROOT_ENTRIES(bits) > 1024u ? S2_ROOT_ENTRIES(bits) / 1024u : 1u)", None,
     "AArch64 stage 2: a concatenated root allocated too small"),
    ("s2-hd-ignored", "arch/aarch64_s2.h",
     "const bool hd = (c & PT_CTL_HA) && (c & PT_CTL_HD);\n\tconst bool rd",
     "const bool hd = (c & PT_CTL_HA) && (c & 0);\n\tconst bool rd", None,
     "AArch64 stage 2: VTCR.HD ignored (a write to a clean DBM leaf faults)"),
    ("riscv-sum-inverted", "arch/riscv.h", "(c & PT_CTL_SUM ? data : 0)", "(c & PT_CTL_SUM ? 0 : data)",
     None, "RISC-V: sstatus.SUM inverted"),
    ("riscv-mxr-ignored", "arch/riscv.h", "((c & PT_CTL_MXR) && x)", "((c & 0) && x)", None,
     "RISC-V: sstatus.MXR ignored"),
    ("riscv-s-executes-u", "arch/riscv.h", "(c & PT_CTL_SUM ? data : 0)",
     "(c & PT_CTL_SUM ? data : 0) | (x ? PT_PERM_X : 0)", None, "RISC-V: S-mode executes U pages"),
    ("riscv-table-g-dropped", "arch/riscv.h", "\t\t*up |= e & RV_G;", "\t\t(void)up;", None,
     "RISC-V: G in a non-leaf PTE does not make what is below global"),
    ("riscv-svadu-dirty-ignored", "arch/riscv.h", "lf->clean = w && !((e | c >> 1) & RV_D);",
     "lf->clean = w && !(e & RV_D);", None, "RISC-V: Svadu does not set D (a write faults)"),
    ("riscv-napot-pa", "arch/riscv.h", "lf->pa = arch_riscv_table_pa(h, e) & ~(lf->size - 1);",
     "lf->pa = arch_riscv_table_pa(h, e);", None, "RISC-V: Svnapot PA keeps PPN[3:0]"),
    ("loongarch-rplv-ignored", "arch/loongarch.h", "const bool kern = !(e >> 63) || plv == 0",
     "const bool kern = !(e >> 63) || plv != 9", None, "LoongArch: RPLV ignored"),
    ("loongarch-dir-mask-ignored", "arch/loongarch.h", "*next = e & r->dir_mask;", "*next = e;", None,
     "LoongArch: dir_mask not applied to directory entries"),
    ("loongarch-d-not-write", "arch/loongarch.h", "const bool w = e & (LA_W | LA_D);",
     "const bool w = e & LA_W;", None, "LoongArch: D (the MMU's write enable) without W refuses writes"),
    ("armv7-afe-ignored", "arch/armv7.h", "lf->af = afe && !(ap & 1);", "lf->af = 0 && afe;", None,
     "ARMv7: SCTLR.AFE access flag never faults"),
    ("armv7-table-pxn-dropped", "arch/armv7.h", "\t\t*up |= e & V7_L1_PXN;", "\t\t(void)up;", None,
     "ARMv7: PXN of an L1 page-table entry ignored"),
    ("armv7-exec-without-read", "arch/armv7.h", "(p & PT_PERM_R && !pxn ? PT_PERM_X : 0)",
     "(!pxn ? PT_PERM_X : 0)", None, "ARMv7: PL1 fetches without read permission"),
    ("armv7-remap-or-for-ir", "arch/armv7.h", "(unsigned)(r->attrs >> (32 + 2 * n)) & 3;",
     "(unsigned)(r->attrs >> (48 + 2 * n)) & 3;", None, "ARMv7: TEX remap reads NMRR.ORn as IRn"),
    ("armv7-supersection-pa", "arch/armv7.h", " | ((e >> 5) & 0xf) << 36;", ";", None,
     "ARMv7: supersection PA[39:36] dropped"),
    ("access-dirty-ignored", "src/access.h", "if ((acc & PT_ACCESS_WRITE) && lf->clean)",
     "if ((acc & PT_ACCESS_WRITE) && lf->clean && 0)", None, "pt_access: no dirty-state fault"),
    ("access-table-pa-unchecked", "src/access.h",
     "if (narrow && PT_UNLIKELY(next >> pa_bits))", "if (narrow && PT_UNLIKELY(next >> 63))", None,
     "pt_access follows a table address at or above the CPU's PA width"),
    ("ept-encoder-no-exec", "arch/ept.h",
     "uint64_t e = (uint64_t)(flags & (PT_READ | PT_WRITE | PT_EXECUTE)) | mt << EPT_MT_SHIFT |",
     "uint64_t e = (uint64_t)(flags & (PT_READ | PT_WRITE)) | mt << EPT_MT_SHIFT |", None,
     "EPT: the encoder drops X (bit 2)"),
    ("ept-decoder-ad-shift", "arch/ept.h", "f |= (uint32_t)(pte & (EPT_A | EPT_D)) << 8;",
     "f |= (uint32_t)(pte & (EPT_A | EPT_D)) << 7;", None,
     "EPT: A/D decoded from the wrong bits"),
    ("ept-write-exec-accepted", "arch/ept.h", "if ((rwx & (EPT_R | EPT_W)) == EPT_W)\n\t\treturn PTK_CORRUPT;",
     "if (rwx == EPT_W)\n\t\treturn PTK_CORRUPT;", None,
     "EPT: write/execute without read (110b) not a misconfiguration"),
    ("ept-table-rights-ignored", "arch/ept.h", "\t\t*up |= ~e & EPT_RWX;", "\t\t(void)up;", None,
     "EPT: a table entry's missing R/W/X does not restrict the pages below"),
    ("rvg-root-512", "arch/rvg.h", "\t.entries = { 2048, 512, 512 },", "\t.entries = { 512, 512, 512 },",
     None, "G-stage: Sv39x4 root indexed as 512 entries (GPA bits 40:39 dropped)"),
    ("rvg-leaf-without-u", "arch/rvg.h", "flags & ~(PT_USER | PT_GLOBAL)) | RV_U;",
     "flags & ~(PT_USER | PT_GLOBAL));", None, "G-stage: leaves written without U"),
    ("rvg-u-not-checked", "arch/rvg.h", "lf->perm = u ? p | p << 3 : 0;", "lf->perm = p | p << 3;", None,
     "G-stage: a leaf without U allows guest accesses"),
    ("nested-output-write-dropped", "src/nested.c", "err = e2->access(s2, mm, m1.pa, access, &m2, fault);",
     "err = e2->access(s2, mm, m1.pa, access & ~PT_ACCESS_WRITE, &m2, fault);", None,
     "pt_access_nested: the output taken through stage 2 without the access's WRITE"),
    ("nested-table-fault-stage-1", "src/nested.c",
     "\t\t\tfault->stage = 2;\n\t\t\tfault->ipa = nested_entry(regime_shape(s1), f1.table_pa, f1.level, va);",
     "\t\t\tfault->stage = 1;\n\t\t\tfault->ipa = nested_entry(regime_shape(s1), f1.table_pa, f1.level, va);", None,
     "pt_access_nested: a stage-2 fault on a stage-1 table read reported as stage 1"),
    ("nested-output-ipa-page", "src/nested.c", "\t\tfault->ipa = m1.pa;",
     "\t\tfault->ipa = m1.pa & ~(uint64_t)0xfff;", None,
     "pt_access_nested: an output fault's ipa is the page, not the address"),
    ("nested-table-ipa-output", "src/nested.c",
     "\t\t\tfault->ipa = nested_entry(regime_shape(s1), f1.table_pa, f1.level, va);", "\t\t\tfault->ipa = va;",
     None, "pt_access_nested: a table-read fault's ipa is the guest VA, not the table entry's address"),
    ("nested-memtype-weaker", "src/nested.c",
     "return t & PT_DEVICE ? PT_DEVICE : t & PT_UNCACHED ? PT_UNCACHED : t;",
     "return t & PT_WC ? PT_WC : t & PT_UNCACHED ? PT_UNCACHED : t;", None,
     "pt_access_nested: the weaker memory type wins (WC over DEVICE and UNCACHED)"),
    ("nested-table-read-unchecked", "src/nested.c",
     "n->err = n->e2->access(n->s2, n->mm, gpa, n->walk, &m, &n->fault);",
     "n->err = n->e2->access(n->s2, n->mm, gpa, 0, &m, &n->fault);", None,
     "pt_access_nested: stage-1 table reads need no stage-2 read permission (nor AF)"),
    ("nested-size-stage-1", "src/nested.c", "out->size = m1.size < m2.size ? m1.size : m2.size;",
     "out->size = m1.size;", None, "pt_access_nested: size is stage 1's leaf, not the smaller"),
    ("nested-ept-ad-walk-read", "src/nested.c", "return ept && (s2->features & PT_FEAT_EPT_AD) ?",
     "return ept && (s2->features & 0) ?", None,
     "pt_access_nested: under EPT with A/D flags the stage-1 walk's accesses are reads, not writes"),
    # The 16K and 64K granules, and AArch64 VA sizes.
    ("gran-region-align-4k", "src/api.c", "\tconst uint64_t m = t->page_mask;\n\tif ((va & m) || (size & m))",
     "\tconst uint64_t m = PT_SIZE_4K - 1;\n\tif ((va & m) || (size & m))", None,
     "region calls check va and size against 4 KiB, not the granule"),
    ("gran-table-align-frame", "src/op.h", "frames, frames * PT_FRAME_SIZE, &pa)", "frames, PT_FRAME_SIZE, &pa)",
     None, "a 16K/64K table aligned to one frame: the table entry drops its address bits below the granule"),
    ("gran-root-entries-4k", "arch/aarch64_desc.h",
     "#define A64_ROOT_ENTRIES(bits, p) (1u << ((bits) - A64_SHIFT(bits, p, 0u)))",
     "#define A64_ROOT_ENTRIES(bits, p) (1u << ((bits) - 12u - 9u * (A64_LEVELS(bits, p) - 1u)))", None,
     "the root's entry count as if every level resolved 9 bits (64K at 48 bits: not 64)"),
    ("gran-table-pa-64k-mask", "arch/aarch64_gran.h", "return pte & A64_ADDR & ~a64g_low(p);",
     "return pte & A64_ADDR & ~a64g_low(16u);", None,
     "a 16K table descriptor's next-table address loses bits 15:14 (read as 64K-aligned)"),
    ("gran-table-low-bits-ignored", "arch/aarch64_gran.h",
     "return (pte & (A64_RES0_OA | a64g_low(p))) ? PTK_CORRUPT : PTK_TABLE;",
     "return (pte & A64_RES0_OA) ? PTK_CORRUPT : PTK_TABLE;", None,
     "a table descriptor with address bits below the granule set is followed, the bits dropped"),
    ("gran-16k-table-mask-low-bits", "arch/aarch64_16k.h",
     "#define arch_aarch64_16k_TABLE_MASK (arch_aarch64_TABLE_MASK | (A64_ADDR & ((UINT64_C(1) << 14) - 1)))",
     "#define arch_aarch64_16k_TABLE_MASK (arch_aarch64_TABLE_MASK)", None,
     "16K: the walk's table test ignores address bits 13:12 (RES0 below the granule)"),
    ("gran-block-at-level1", "arch/aarch64_gran.h", "if ((h == 0) != !!(pte & A64_TYPE) || h > 1)",
     "if ((h == 0) != !!(pte & A64_TYPE) || h > 2)", None,
     "16K/64K without a 52-bit PA: a block at Arm level 1 read as a leaf, not corrupt"),
    ("lpa-64k-oa-51-48-dropped", "arch/aarch64_pa52.h",
     "return (e & A64_ADDR & ~a64g_low(p)) | ((e >> 12) & 0xf) << 48;",
     "return e & A64_ADDR & ~a64g_low(p);", None,
     "64K FEAT_LPA: OA[51:48] (bits 15:12) dropped on decode"),
    ("access-entry-via-table-frame", "src/access.h",
     "if (tb > PT_FRAME_SIZE)\n\t\treturn pt__virt(mm, tpa + idx(s, l, va) * s->pte_bytes);",
     "if (tb > 4 * PT_FRAME_SIZE)\n\t\treturn pt__virt(mm, tpa + idx(s, l, va) * s->pte_bytes);", None,
     "pt_access reads an entry of a 16K table through the frame of the table's base: past that frame"),
    ("gran-levels-off-by-one", "arch/aarch64_desc.h",
     "#define A64_LEVELS(bits, p) (((bits) - 4u) / ((p) - 3u))",
     "#define A64_LEVELS(bits, p) (((bits) - 3u) / ((p) - 3u))", None,
     "the starting level from T0SZ off by one where n - p is a multiple of p - 3 (16K at 47 bits: 4 levels)"),
    # 52-bit output addresses.
    ("aarch64-lpa2-oa-51-50-dropped", "arch/aarch64_pa52.h",
     "return (pa & A64_ADDR_LPA2 & ~a64g_low(p)) | ((pa >> 50) & 3) << 8;",
     "return pa & A64_ADDR_LPA2 & ~a64g_low(p);", None,
     "AArch64 FEAT_LPA2: OA[51:50] not written to bits 9:8"),
    ("aarch64-lpa2-oa-49-48-dropped", "arch/aarch64_pa52.h",
     "return (e & A64_ADDR_LPA2 & ~a64g_low(p)) | ((e >> 8) & 3) << 50;",
     "return (e & A64_ADDR & ~a64g_low(p)) | ((e >> 8) & 3) << 50;", None,
     "AArch64 FEAT_LPA2: OA[49:48] (bits 49:48) dropped on decode"),
    ("aarch64-lpa2-no-level0-block", "arch/aarch64_pa52.h",
     "return p == 12u ? 3u : 2u;", "return 2u;", None,
     "AArch64 FEAT_LPA2: a 4K block at Arm level 0 read as corrupt"),
    # Contiguous runs (src/runs.h): marked by map, broken whole before a
    # partial edit.
    ("run-point-no-break", "src/runs.h",
     "\tif (PT_UNLIKELY(run_member(t->features, s->info.levels - 1 - pt->l, pt->e)))",
     "\tif (0 && run_member(t->features, s->info.levels - 1 - pt->l, pt->e))", None,
     "a single-page edit rewrites one member of a contiguous group alone"),
    ("run-ends-no-break", "src/runs.h",
     "\t\tif (!run_member(op->feat, h, pt.e))\n\t\t\tcontinue;",
     "\t\tif (1 || !run_member(op->feat, h, pt.e))\n\t\t\tcontinue;", None,
     "a region call covering part of a contiguous group leaves the rest marked"),
    ("run-last-end-ignored", "src/runs.h", "for (unsigned k = 0; k < 2; k++) {",
     "for (unsigned k = 0; k < 1; k++) {", None,
     "a region call breaks the group at its first page but not the one at its last"),
    ("run-break-no-flush", "src/runs.h",
     "\t\tpt__flush_now(op->t, va0 + k * span, false);", "\t\t(void)va0;", None,
     "a broken group's members are rewritten with no TLB invalidation between"),
    ("run-pa-unaligned", "src/runs.h",
     "if (!k || n < a + g || ((va ^ A(leaf_pa)(h, e)) & ((span << k) - 1))) {",
     "if (!k || n < a + g || ((va ^ A(leaf_pa)(h, e)) & 0)) {", None,
     "map marks a group whose PA run is not aligned like its VAs"),
    ("run-members-unchecked", "src/runs.h",
     "if (A(kind)(op->feat, h, e) != PTK_LEAF || !A(in_run)(h, e))",
     "if (A(kind)(op->feat, h, e) == PTK_CORRUPT)", None,
     "a group changed behind libpt's back is split (members not checked)"),
    ("run-protect-drops-mark", "src/edit.h",
     "\treturn run_member(op->feat, h, e) ? A(run_mark)(h, nv) : nv;", "\treturn nv;", None,
     "protect of whole groups drops their contiguous bit"),
    ("run-log-stale-after-break", "src/edit.h",
     "\t\truns.n = 0; /* the plan's log holds the marks the break took off */", "\t\t(void)0;", None,
     "a protect commit rewrites broken members from the plan's log, marks and all"),
    ("run-a64-16k-page-group", "arch/aarch64_16k.h", "A64_RUNS(aarch64_16k, 7, 5)",
     "A64_RUNS(aarch64_16k, 5, 5)", None,
     "16K granule: contiguous pages grouped by 32, not 128"),
    ("napot-break-one-pa", "src/runs.h",
     "A(leaf_pa)(h, e) + k * span,", "A(leaf_pa)(h, e) + 0 * span,", None,
     "a broken NAPOT run's pieces all get the run's first PA"),
    ("napot-fill-one-pa", "src/runs.h", "v = A(run_mark)(h, succ(h, e, q * span));",
     "v = A(run_mark)(h, e);", None, "every NAPOT run of a map gets the first run's PA"),
    ("napot-member-pa-base", "src/entry.h", "return (pa & ~g) | (va & g & ~(span - 1));",
     "return (pa & ~g) | (va & 0);", None, "a NAPOT member's PA read as its run's base"),
    ("napot-mark-no-ppn-bits", "arch/riscv.h", "return (e & ~RV_NAPOT_LOW) | RV_N | RV_NAPOT_64K;",
     "return (e & ~RV_NAPOT_LOW) | RV_N;", None, "NAPOT leaves written without PPN[3:0] = 0b1000"),
    ("napot-no-feature-gate", "src/edit.h",
     "c.runs = A(RUN_MAX) > 0 && max_h > 0 && (!A(RUN_FEAT) || (op.feat & A(RUN_FEAT)));",
     "c.runs = A(RUN_MAX) > 0 && max_h > 0;", None,
     "NAPOT leaves written into a table without PT_FEAT_RISCV_SVNAPOT"),
    # Planted where only an oracle with ground truth of its own sees them:
    # an encoder and its decoder wrong the same way (libpt's round trips
    # agree), a decoder taking a reserved encoding for a leaf (libpt never
    # writes one). fuzz/ops_ref.h and fuzz_pte's reference compare catch them.
    ("x86-nx-bit-mirrored", "arch/x86.h",
     ("((uint32_t)(~pte >> 61) & PT_EXECUTE)", "((flags & PT_EXECUTE) ? 0 : X86_NX)"),
     ("((uint32_t)(~pte >> 60) & PT_EXECUTE)", "((flags & PT_EXECUTE) ? 0 : UINT64_C(1) << 62)"),
     None, "x86 NX written and read at bit 62 (encoder and decoder agree)"),
    ("x86-pcd-pwt-mirrored", "arch/x86.h",
     ("const unsigned mt = (unsigned)((pte >> 3) & 3) | (pat ? 4u : 0u);",
      "((flags & (PT_DEVICE | PT_UNCACHED)) ? X86_PCD : 0) |\n\t       ((flags & (PT_DEVICE | PT_WC)) ? X86_PWT : 0) |"),
     ("const unsigned mt = (unsigned)((pte >> 4) & 1) | (unsigned)((pte >> 2) & 2) | (pat ? 4u : 0u);",
      "((flags & (PT_DEVICE | PT_UNCACHED)) ? X86_PWT : 0) |\n\t       ((flags & (PT_DEVICE | PT_WC)) ? X86_PCD : 0) |"),
     None, "x86 PAT index bits PCD and PWT swapped (encoder and decoder agree)"),
    ("riscv-ad-swapped-mirrored", "arch/riscv.h",
     ("(uint32_t)(pte & (RV_A | RV_D)) << 10 | (uint32_t)(pte & (RV_RSW0 | RV_RSW1));",
      "(uint64_t)(flags & (PT_ACCESSED | PT_DIRTY)) >> 10 |"),
     ("(uint32_t)(pte & RV_A) << 11 | (uint32_t)(pte & RV_D) << 9 |\n\t\t     (uint32_t)(pte & (RV_RSW0 | RV_RSW1));",
      "(uint64_t)(flags & PT_ACCESSED) >> 9 | (uint64_t)(flags & PT_DIRTY) >> 11 |"),
     None, "RISC-V D written and read at A's position and A at D's (encoder and decoder agree)"),
    ("riscv-w-without-r-leaf", "arch/riscv.h", "\t\treturn PTK_CORRUPT; /* W without R is reserved */",
     "\t\t(void)0; /* W without R is reserved */", None,
     "RISC-V W=1 R=0 (reserved) decoded as a leaf"),
    ("x86-ps-at-pml4-leaf", "arch/x86.h", "if (h > 2 || (pte & X86_ADDR & arch_span_mask_512(h) & ~X86_PAT_HUGE))",
     "if (h > 3 || (pte & X86_ADDR & arch_span_mask_512(h) & ~X86_PAT_HUGE))", None,
     "x86 PS=1 in a PML4E (reserved) decoded as a 512G leaf"),
    ("aarch64-l0-block-leaf", "arch/aarch64.h", "if ((h == 0) != !!(pte & A64_TYPE) || h > 2)",
     "if ((h == 0) != !!(pte & A64_TYPE) || h > 3)", None,
     "AArch64 4K: a level-0 block (reserved without LPA2) decoded as a 512G leaf"),
    ("loongarch-huge-at-root-leaf", "arch/loongarch.h",
     "if (h > 2 || !arch_loongarch_leaf_ok(pte) ||",
     "if (h > 3 || !arch_loongarch_leaf_ok(pte) ||", None,
     "LoongArch: a root (PGD) entry with the huge bit (no 512G pages) decoded as a leaf"),
    ("armv7-ap100-leaf", "arch/armv7.h", "\tcase 5: return PT_READ;\n",
     "\tcase 4:\n\tcase 5: return PT_READ;\n", None,
     "ARMv7: the reserved AP[2:0] 100 decoded as a kernel read-only leaf"),
    # An atomicity bug only one call shape shows: the plan credits a table
    # the unmap frees (wholly covered) against a split's new table, and the
    # commit, finding no frame reserved, allocates one itself; when that
    # allocation fails the split is abandoned after the table went.
    ("split-credits-freed-table", "src/edit.h",
     ("\tif (plan)\n\t\treturn 0;\n\tswitch (act) {\n\tcase ACT_FREE:",
      "\t\tif (plan) {\n\t\t\tc->need += plan_table(op, s->l, s->va);\n\t\t\treturn 0;\n\t\t}\n"
      "\t\t/* The same mapping in smaller leaves, then the range handled\n"
      "\t\t * in it; the table is not live yet, so no break-before-make\n"
      "\t\t * inside it. */\n\t\ts->child_pa = new_table(op, s->l, s->tbl, s->i);"),
     ("\tif (plan) {\n\t\tc->need -= act == ACT_FREE && c->need;\n\t\treturn 0;\n\t}\n"
      "\tswitch (act) {\n\tcase ACT_FREE:",
      "\t\tif (plan) {\n\t\t\tc->need += plan_table(op, s->l, s->va);\n\t\t\treturn 0;\n\t\t}\n"
      "\t\tif (!op->stash && pt__reserve(op, 1))\n\t\t\treturn PT_ERR_NO_MEMORY;\n"
      "\t\ts->child_pa = new_table(op, s->l, s->tbl, s->i);"),
     None, "unmap_region: a split takes the frame of a table the call frees, allocating late"),
    ("split-after-free-credited", "src/edit.h",
     ("\tsize_t need;\n};\n\nPT_INLINE int decide_clear",
      "\t\tif (plan) {\n\t\t\tc->need += plan_table(op, s->l, s->va);\n\t\t\treturn 0;\n\t\t}\n"
      "\t\t/* The same mapping in smaller leaves, then the range handled\n"
      "\t\t * in it; the table is not live yet, so no break-before-make\n"
      "\t\t * inside it. */\n\t\ts->child_pa = new_table(op, s->l, s->tbl, s->i);",
      "\tif (plan)\n\t\treturn 0;\n\tswitch (act) {\n\tcase ACT_FREE:",
      "struct clear_ctx c = { { XF_PROTECT, flags }, protect, &runs, 0 };"),
     ("\tsize_t need;\n\tsize_t freed;\n};\n\nPT_INLINE int decide_clear",
      "\t\tif (plan) {\n\t\t\tif (c->freed)\n\t\t\t\tc->freed--;\n\t\t\telse\n"
      "\t\t\t\tc->need += plan_table(op, s->l, s->va);\n\t\t\treturn 0;\n\t\t}\n"
      "\t\tif (!op->stash && pt__reserve(op, 1))\n\t\t\treturn PT_ERR_NO_MEMORY;\n"
      "\t\ts->child_pa = new_table(op, s->l, s->tbl, s->i);",
      "\tif (plan) {\n\t\tc->freed += act == ACT_FREE;\n\t\treturn 0;\n\t}\n"
      "\tswitch (act) {\n\tcase ACT_FREE:",
      "struct clear_ctx c = { { XF_PROTECT, flags }, protect, &runs, 0, 0 };"),
     None, "unmap_region: a split after a freed table counted as using its frame, allocating late"),
]

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
