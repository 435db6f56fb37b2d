/* SPDX-License-Identifier: MIT */
/*
 * <format>/napot, foreign: NAPOT leaves the guest writes itself into a
 * table libpt built (pt_map_region's plain leaves, overwritten), as
 * another OS would: a run of 16 equal members that is plain, A clear, D
 * clear, A and D in the even members only, user, read-only, over T's exec
 * stub; then bad encodings: PPN[3:0] 0100, 0000 and 1001 (reserved), N on
 * a 2M leaf, N on a table entry.
 *
 * For each page, a load and a store (and the stub's fetch) in each access
 * mode of the access group (S, SUM, MXR, U): pt_access's verdict and PA
 * match the real access, and pt_access answers the same with and without
 * PT_FEAT_RISCV_SVNAPOT (Svnapot leaves in tables libpt did not write
 * decode the same way either way), as pt_translate does. A good run:
 * pt_query and pt_walk give each member as a 4K page with its own PA; a
 * page the MMU set A or D on reads accessed or dirty in pt_query (QEMU
 * sets them in the page's own member: napot.c says why no more is asked);
 * pt_unmap_region and pt_protect_region of part of a run break it as one
 * of libpt's own (every member flushed while all are invalid, then plain
 * leaves). A bad encoding faults in hardware, is PT_FAULT_RESERVED at its
 * level in pt_access and PT_ERR_CORRUPT in pt_query and pt_translate.
 */
#include "napot.h"

struct frun {
	const char *name;
	uint64_t bits;      /* V, R, W, X, U, A, D */
	uint64_t ppn_lo;    /* PPN[3:0] */
	uint64_t pa;        /* 64K-aligned */
	uint64_t odd_clr;   /* cleared in the odd members */
	bool ok;            /* a valid NAPOT encoding */
};

#define FRUNS 10
static struct frun fr[FRUNS];
static uint64_t f_saved[FRUNS * RUN];

static uint64_t frun_va(unsigned i)
{
	return slot(S_FOREIGN) + (uint64_t)i * RUN_SIZE;
}

static uint64_t frun_pte(const struct frun *f, unsigned k)
{
	uint64_t e = f->bits | RV_N | (((f->pa >> 12) & ~0xfull) << RV_PPN_SHIFT) |
		     (f->ppn_lo << RV_PPN_SHIFT);
	return k & 1 ? e & ~f->odd_clr : e;
}

static uint32_t frun_flags(const struct frun *f)
{
	return (f->bits & RV_R ? PT_READ : 0) | (f->bits & RV_W ? PT_WRITE : 0) |
	       (f->bits & RV_X ? PT_EXECUTE : 0) | (f->bits & RV_U ? PT_USER : 0);
}

static void frun_set(unsigned i, const char *name, uint64_t bits, uint64_t ppn_lo, uint64_t pa,
		     uint64_t odd_clr)
{
	fr[i].name = name;
	fr[i].bits = bits;
	fr[i].ppn_lo = ppn_lo;
	fr[i].pa = pa;
	fr[i].odd_clr = odd_clr;
	fr[i].ok = ppn_lo == 8;
}

static void frun_write(unsigned i)
{
	for (unsigned k = 0; k < RUN; k++)
		*raw_slot(frun_va(i) + k * PG, NULL) = frun_pte(&fr[i], k);
}

static unsigned g_f_agree, g_f_faults, g_f_bad;

/* In every access mode of the access group, a load and a store at va, or
 * (exec) a fetch of T's stub: pt_access under the regime of the mode (with
 * and without PT_FEAT_RISCV_SVNAPOT) against the real access. want_pa: the
 * PA the access must reach when allowed. */
static void fprobe(uint64_t va, uint64_t want_pa, bool exec)
{
	static const enum acc ks[] = { ACC_READ, ACC_WRITE, ACC_EXEC };
	static const unsigned kacc[] = { PT_ACCESS_READ, PT_ACCESS_WRITE, PT_ACCESS_EXEC };
	for (unsigned am = 0; am < arch_acc_nmodes(F); am++) {
		for (unsigned i = exec ? 2u : 0u; i < (exec ? 3u : 2u); i++) {
			enum acc k = ks[i];
			bool user;
			unsigned pm = arch_acc_enter(F, am, &user);
			struct pt_regime rg = regime(F->features, false);
			rg.controls = arch_acc_controls(F);
			unsigned acc = kacc[i] | (user ? PT_ACCESS_USER : 0);
			struct pt_mapping out = { 0, 0, 0, 0 }, out2 = { 0, 0, 0, 0 };
			struct pt_fault pf = { PT_FAULT_NONE, 0, 0, 0, 0, 0 }, pf2 = pf;
			int rc = pt_access(&rg, &g_mm, va, acc, &out, &pf);
			rg.features ^= PT_FEAT_RISCV_SVNAPOT;
			int rc2 = pt_access(&rg, &g_mm, va, acc, &out2, &pf2);
			uint64_t before = *word(want_pa), val = ~want_pa ^ 0xa500;
			uint64_t v = probe(pm, k, va, val);
			bool faulted = g_faulted;
			arch_acc_leave(F, am);
			check(rc == rc2 && out.pa == out2.pa && pf.kind == pf2.kind,
			      "pt_access differs without PT_FEAT_RISCV_SVNAPOT", va, (uint64_t)(int64_t)rc2,
			      out2.pa);
			bool ok = (rc == PT_OK) == !faulted;
			if (ok && !faulted) {
				if (k == ACC_READ)
					ok = check(v == want_pa && out.pa == want_pa, "foreign load: page",
						   va, v, out.pa);
				else if (k == ACC_WRITE)
					ok = check(*word(want_pa) == val && out.pa == want_pa,
						   "foreign store: page", va, *word(want_pa), out.pa);
				else
					ok = check(v == PROBE_MAGIC, "foreign exec", va, v, out.pa);
			} else if (ok) {
				g_f_faults++;
				ok = check(arch_fault_ok(k, va), "foreign fault cause or stval", va,
					   g_fault_cause, g_fault_addr);
				if (k == ACC_WRITE)
					check(*word(want_pa) == before, "faulting store changed memory", va,
					      want_pa, *word(want_pa));
			} else {
				check(false, "pt_access verdict against the access", va,
				      (uint64_t)(int64_t)rc, faulted);
				gprintf("    mode %s kind %u: pt_access %d kind %u level %u pte %llx; "
					"CPU cause %llx\n", arch_acc_mode_name(F, am), (unsigned)k, rc,
					(unsigned)pf.kind, pf.level, (unsigned long long)pf.pte,
					(unsigned long long)g_fault_cause);
			}
			if (ok)
				g_f_agree++;
			*word(want_pa) = before;
		}
	}
}

/* pt_query and pt_translate (with and without the feature) on a page of a
 * foreign run: its own PA, or corrupt. */
static void fquery(uint64_t va, uint64_t pa, bool ok, uint32_t flags)
{
	struct pt_mapping mp;
	int r = pt_query(&T, va, &mp);
	if (ok && check(r == PT_OK, "pt_query of a foreign NAPOT page", va, (uint64_t)(int64_t)r,
			0)) {
		check(mp.pa == pa && mp.size == PG, "pt_query of a foreign NAPOT page: pa, size", va,
		      mp.pa, mp.size);
		check(mp.flags == norm(flags), "pt_query of a foreign NAPOT page: flags", va, mp.flags,
		      norm(flags));
	}
	if (!ok)
		check(r == PT_ERR_CORRUPT, "pt_query of a bad NAPOT encoding", va,
		      (uint64_t)(int64_t)r, mp.pa);
	for (unsigned j = 0; j < 2; j++) {
		unsigned feat = F->features ^ (j ? PT_FEAT_RISCV_SVNAPOT : 0);
		r = pt_translate(F->arch, feat, pt_root(&T), &g_mm, va, &mp);
		if (ok)
			check(r == PT_OK && mp.pa == pa, j ? "pt_translate without the feature"
							   : "pt_translate", va, (uint64_t)(int64_t)r, mp.pa);
		else
			check(r == PT_ERR_CORRUPT, j ? "pt_translate without the feature: bad NAPOT"
						     : "pt_translate: bad NAPOT", va,
			      (uint64_t)(int64_t)r, mp.pa);
	}
}

static void fcheck_run(unsigned i)
{
	const struct frun *f = &fr[i];
	for (unsigned k = 0; k < RUN; k++) {
		uint64_t off = word_off(frun_va(i) + k * PG);
		uint64_t va = frun_va(i) + k * PG;
		fquery(va + off, f->pa + k * PG + off, f->ok, frun_flags(f));
		fprobe(va + off, f->pa + k * PG + off, false);
		if (f->pa + k * PG == t_base)
			fprobe(va, t_base, true);
	}
}

static int fwalk_pre(void *arg, const struct pt_entry *e)
{
	unsigned *n = arg;
	uint64_t lo = frun_va(0), hi = frun_va(FRUNS);
	if (!e->leaf || e->va < lo || e->va >= hi)
		return 0;
	unsigned i = (unsigned)((e->va - lo) / RUN_SIZE), k = (unsigned)((e->va - lo) / PG % RUN);
	if (!fr[i].ok)
		return 0;
	(*n)++;
	check(e->pa == fr[i].pa + k * PG && e->size == PG && e->level == levels() - 1,
	      "pt_walk of a foreign NAPOT page", e->va, e->pa, e->size);
	return 0;
}

void napot_foreign(void)
{
	const uint64_t L = RV_V | RV_R | RV_W | RV_A | RV_D;
	unsigned last = levels() - 1;
	int r;
	g_phase = "napot foreign: setup";
	g_f_agree = g_f_faults = g_f_bad = 0;
	/* A last-level table of plain leaves for the guest to overwrite. */
	r = pt_map_region(&T, frun_va(0), t_base + 16 * RUN_SIZE, FRUNS * RUN_SIZE,
			  PT_READ | PT_WRITE, 0);
	if (!check(r == PT_OK, "pt_map_region (foreign table)", frun_va(0), (uint64_t)(int64_t)r, 0))
		return;
	for (unsigned i = 0; i < FRUNS * RUN; i++)
		f_saved[i] = raw(frun_va(0) + i * PG);
	frun_set(0, "plain", L, 8, t_base + 16 * RUN_SIZE, 0);
	frun_set(1, "A clear", L & ~RV_A, 8, t_base + 17 * RUN_SIZE, 0);
	frun_set(2, "D clear", L & ~RV_D, 8, t_base + 18 * RUN_SIZE, 0);
	frun_set(3, "A, D in even members only", L, 8, t_base + 19 * RUN_SIZE, RV_AD);
	frun_set(4, "user", L | RV_U, 8, t_base + 20 * RUN_SIZE, 0);
	frun_set(5, "read-only", (L & ~RV_W) | RV_X, 8, t_base + 21 * RUN_SIZE, 0);
	frun_set(6, "exec over the stub", RV_V | RV_R | RV_X | RV_A, 8, t_base, 0);
	frun_set(7, "PPN[3:0] 0100", L, 4, t_base + 23 * RUN_SIZE, 0);
	frun_set(8, "PPN[3:0] 0000", L, 0, t_base + 24 * RUN_SIZE, 0);
	frun_set(9, "PPN[3:0] 1001", L, 9, t_base + 25 * RUN_SIZE, 0);

	/* The good runs first: pt_walk stops at a bad entry. */
	g_phase = "napot foreign: good";
	for (unsigned i = 0; i < 7; i++)
		frun_write(i);
	sfence_all();
	unsigned n = 0;
	struct pt_walk_ops ops = { 0, fwalk_pre, NULL };
	r = pt_walk(&T, &ops, &n);
	check(r == PT_OK && n == 7 * RUN, "pt_walk over foreign NAPOT runs", frun_va(0),
	      (uint64_t)(int64_t)r, n);
	for (unsigned i = 0; i < 7; i++)
		fcheck_run(i);
	/* The MMU set A and D in the members it used (QEMU: each page's own
	 * entry); pt_query must report a page accessed, and written, where it
	 * did. */
	for (unsigned i = 1; i < 4; i++)
		for (unsigned k = 0; k < RUN; k++) {
			uint64_t va = frun_va(i) + k * PG;
			struct pt_mapping mp;
			r = pt_query(&T, va, &mp);
			check(r == PT_OK && mp.state == (PT_ACCESSED | PT_DIRTY),
			      "foreign page read and written: state", va, (uint64_t)(int64_t)r, mp.state);
			check((raw(va) & RV_AD) == RV_AD, "QEMU set A and D elsewhere", va, raw(va), 0);
		}
	gprintf("  %s: napot foreign: runs: %s, %s, %s, %s, %s, %s, %s\n", F->name, fr[0].name,
		fr[1].name, fr[2].name, fr[3].name, fr[4].name, fr[5].name, fr[6].name);

	/* libpt's edits of part of a foreign run break it as one of its own. */
	g_phase = "napot foreign: edits";
	for (unsigned k = 0; k < RUN; k++) {
		(void)probe(0, ACC_WRITE, frun_va(0) + k * PG + 64, fr[0].pa + k * PG + 64);
		(void)probe(0, ACC_WRITE, frun_va(3) + k * PG + 64, fr[3].pa + k * PG + 64);
	}
	edit_begin(frun_va(0));
	r = pt_unmap_region(&T, frun_va(0) + 2 * PG, 2 * PG);
	edit_end();
	check(r == PT_OK, "pt_unmap_region of part of a foreign run", frun_va(0),
	      (uint64_t)(int64_t)r, 0);
	check_break(frun_va(0));
	pt_flush(&T);
	edit_begin(frun_va(3));
	r = pt_protect_region(&T, frun_va(3), 8 * PG, PT_READ);
	edit_end();
	check(r == PT_OK, "pt_protect_region of part of a foreign run", frun_va(3),
	      (uint64_t)(int64_t)r, 0);
	check_break(frun_va(3));
	pt_flush(&T);
	for (unsigned k = 0; k < RUN; k++) {
		uint64_t va = frun_va(0) + k * PG, e = raw(va);
		bool gone = k == 2 || k == 3;
		check(gone ? !(e & RV_V) : (e & ~RV_AD) == (plain_pte(fr[0].pa + k * PG, PT_READ |
			PT_WRITE, last) & ~RV_AD), "foreign run after pt_unmap_region: raw", va, e, k);
		fprobe(va + 64, fr[0].pa + k * PG + 64, false);
		va = frun_va(3) + k * PG;
		e = raw(va);
		uint64_t want = plain_pte(fr[3].pa + k * PG, k < 8 ? PT_READ : PT_READ | PT_WRITE, last);
		check((e & ~RV_AD) == (want & ~RV_AD), "foreign run after pt_protect_region: raw", va,
		      e, want);
		fprobe(va + 64, fr[3].pa + k * PG + 64, false);
	}

	/* Bad encodings: the MMU faults, pt_access says reserved, pt_query and
	 * pt_translate corrupt. */
	g_phase = "napot foreign: bad";
	for (unsigned i = 7; i < FRUNS; i++)
		frun_write(i);
	sfence_all();
	for (unsigned i = 7; i < FRUNS; i++) {
		fcheck_run(i);
		struct pt_regime rg = regime(F->features, false);
		struct pt_mapping out;
		struct pt_fault pf;
		uint64_t va = frun_va(i) + 3 * PG;
		r = pt_access(&rg, &g_mm, va, PT_ACCESS_READ, &out, &pf);
		check(r == PT_ERR_FAULT && pf.kind == PT_FAULT_RESERVED && pf.level == last,
		      "pt_access of a bad NAPOT encoding", va, (uint64_t)(int64_t)r, pf.kind);
		g_f_bad++;
	}

	/* N on a 2M leaf, then N on the table entry above the foreign runs. */
	g_phase = "napot foreign: N above the last level";
	for (unsigned i = 0; i < FRUNS * RUN; i++)
		*raw_slot(frun_va(0) + i * PG, NULL) = f_saved[i];
	r = pt_map(&T, slot(S_F2M), t_base, PT_SIZE_2M, PT_READ | PT_WRITE);
	if (check(r == PT_OK, "pt_map 2M", slot(S_F2M), (uint64_t)(int64_t)r, 0)) {
		unsigned l;
		volatile uint64_t *s = raw_slot(slot(S_F2M), &l);
		uint64_t e = *s;
		check(l == last - 1, "2M leaf level", slot(S_F2M), l, e);
		*s = e | RV_N;
		sfence_all();
		for (unsigned k = 0; k < 4; k++) {
			uint64_t va = slot(S_F2M) + k * 37 * PG + 64;
			fquery(va, 0, false, 0);
			fprobe(va, t_base + k * 37 * PG + 64, false);
		}
		*s = e;
		sfence_all();
		fprobe(slot(S_F2M) + 64, t_base + 64, false);
	}
	/* The table entry above the foreign runs' last-level table. */
	uint64_t tpa = pt_root(&T);
	volatile uint64_t *ts = NULL;
	for (unsigned lv = 0; lv < last; lv++) {
		unsigned sh = 12 + 9 * (last - lv);
		ts = word(tpa + ((frun_va(0) >> sh) & 511) * 8);
		tpa = ((*ts & RV_PPN_MASK) >> RV_PPN_SHIFT) << 12;
	}
	uint64_t te = *ts;
	*ts = te | RV_N;
	sfence_all();
	for (unsigned k = 0; k < 4; k++) {
		uint64_t va = frun_va(k) + 5 * PG + 64;
		struct pt_mapping mp;
		check(pt_translate(F->arch, F->features, pt_root(&T), &g_mm, va, &mp) == PT_ERR_CORRUPT,
		      "pt_translate through a table entry with N", va, 0, 0);
		fprobe(va, t_base + (16 + k) * RUN_SIZE + 5 * PG + 64, false);
		struct pt_regime rg = regime(F->features, false);
		struct pt_fault pf;
		int rc = pt_access(&rg, &g_mm, va, PT_ACCESS_READ, &mp, &pf);
		check(rc == PT_ERR_FAULT && pf.kind == PT_FAULT_RESERVED && pf.level == last - 1,
		      "pt_access through a table entry with N", va, (uint64_t)(int64_t)rc, pf.level);
	}
	*ts = te;
	sfence_all();
	gprintf("  %s: napot foreign: %u probes agree with pt_access (%u faults), %u bad "
		"encodings\n", F->name, g_f_agree, g_f_faults, g_f_bad);
}
