/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle's comparison: every PAR_EL1 the guest recorded against
 * libpt, in two ways:
 *
 *   translate  pt_translate (libpt's own regime, no access check) plus the
 *              few AArch64 rules it leaves out (access flag without HA, a
 *              write to a clean page without HA+HD, EL0, PAN): PA, leaf
 *              level, memory type (with libpt's MAIR only), effective
 *              permissions. Phases with TCR.HPD are not compared
 *              (pt_translate cannot be told).
 *   access     pt_access with the phase's regime.
 *
 * Fault kinds: PAR.FST translation fault <-> PT_FAULT_NOT_PRESENT, or
 * PT_FAULT_RESERVED for a valid-bit entry the architecture reserves (the
 * MMU reports those as translation faults), or PT_FAULT_ADDRESS at level 0
 * (a VA outside both TTBR ranges: a level 0 translation fault); access
 * flag <-> PT_FAULT_ACCESS_FLAG; permission <-> PT_FAULT_PERMISSION or
 * PT_FAULT_DIRTY (a write to a clean DBM page without HD is a permission
 * fault on AArch64); address size <-> PT_FAULT_RESERVED (an output address
 * libpt's 48-bit format cannot hold). Levels: PAR's level and
 * pt_fault.level agree at 48-bit VAs (the root is level 0 for both).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "at_host.h"

/* ---- decoding and comparing ----------------------------------------------- */

enum cls { C_OK, C_TRANS, C_AF, C_PERM, C_ASIZE, C_OTHER, C_ANY_FAULT };
const char *const cls_name[] = { "ok", "translation", "access-flag", "permission", "address-size",
				  "other", "fault" };

struct hw {
	enum cls c;
	unsigned level;
	uint64_t pa;
	uint8_t attr;
	unsigned fst;
};

static struct hw decode_par(uint64_t par, uint64_t va)
{
	struct hw h = { C_OK, 0, 0, 0, 0 };
	if (par & 1) {
		h.fst = (unsigned)(par >> 1 & 0x3f);
		h.level = h.fst & 3;
		switch (h.fst >> 2) {
		case 0: h.c = C_ASIZE; break;
		case 1: h.c = C_TRANS; break;
		case 2: h.c = C_AF; break;
		case 3: h.c = C_PERM; break;
		default: h.c = C_OTHER; break;
		}
		return h;
	}
	/* PA[51:48] are RES0 without a 52-bit OA (FEAT_LPA, FEAT_LPA2). */
	h.pa = (par & 0xffffffffff000ull) | (va & 0xfff);
	h.attr = (uint8_t)(par >> 56);
	return h;
}

/* A real access's ESR_EL1 and FAR_EL1 as a PAR: a data abort's DFSC is
 * PAR.FST's encoding; a synchronous external abort (DFSC 0x10: the
 * translation succeeded, nothing answers at the PA) is an ok. *far_ok:
 * FAR_EL1 holds the VA. */
static struct hw decode_esr(uint64_t esr, uint64_t far, uint64_t va, bool *far_ok)
{
	struct hw h = { C_OK, 0, 0, 0, 0 };
	unsigned ec = (unsigned)(esr >> 26 & 0x3f), dfsc = (unsigned)(esr & 0x3f);
	*far_ok = true;
	if (esr == AT_PROBE_UNMAPPED) {
		h.c = C_OTHER;
		return h;
	}
	if (!esr || ((ec == 0x24 || ec == 0x25) && dfsc == 0x10))
		return h;
	if (ec != 0x24 && ec != 0x25) {
		h.c = C_OTHER;
		h.fst = (unsigned)esr;
		return h;
	}
	*far_ok = far == va;
	return decode_par(1 | (uint64_t)dfsc << 1, va);
}

enum mem { M_DEVICE, M_UNCACHED, M_NORMAL };
static const char *mem_name[] = { "device", "uncached", "normal" };

/* PAR.ATTR (a MAIR byte) as libpt's memory types; *mixed: Normal with one
 * of inner and outer non-cacheable and the other cacheable, which libpt
 * must round one way or the other. */
static enum mem attr_mem(uint8_t a, bool *mixed)
{
	unsigned o = a >> 4, in = a & 15;
	*mixed = false;
	if (o == 0)
		return M_DEVICE;
	if (o == 4 && in == 4)
		return M_UNCACHED;
	*mixed = (o == 4) != (in == 4);
	return M_NORMAL;
}

static enum mem flags_mem(uint32_t f)
{
	return f & PT_DEVICE ? M_DEVICE : f & PT_UNCACHED ? M_UNCACHED : M_NORMAL;
}

/* The Arm level of a leaf of this size in g. */
static unsigned size_level(const struct geo *g, uint64_t size)
{
	for (unsigned l = 0; l < g->levels; l++)
		if (size == 1ull << g->shift[l])
			return g->start + l;
	return 9;
}

struct expect {
	enum cls c;
	bool reserved;   /* libpt: an entry the architecture reserves */
	bool level_known;
	unsigned level;
	bool pa_known;
	uint64_t pa;
	bool mem_known;
	enum mem mem;
	char why[160];
};

static struct set *cur_set;

static void show_walk(struct set *s, uint64_t va)
{
	const struct geo *g = &s->g[half_of(va)];
	if (!in_range(g, va)) {
		printf("      walk: va outside both TTBR ranges\n");
		return;
	}
	printf("      TTBR%u %s, TCR_EL1 fields %#" PRIx64 "\n", half_of(va), geo_name(g),
	       pt_tcr(&s->t[0]) | pt_tcr(&s->t[1]));
	uint64_t table = pt_root(&s->t[half_of(va)]);
	for (unsigned l = 0; l < g->levels; l++) {
		uint64_t epa = table + 8 * (va >> g->shift[l] & ((1ull << g->bits[l]) - 1));
		uint64_t *e = entry_at(s, epa);
		if (!e) {
			printf("      L%u table %#" PRIx64 " outside the arena\n", g->start + l, table);
			return;
		}
		printf("      L%u [%#" PRIx64 "] = %#018" PRIx64 "\n", g->start + l, epa, *e);
		if (l + 1 == g->levels || (*e & 3) != 3)
			return;
		table = geo_table_pa(g, *e);
	}
}

static bool agree(const struct hw *h, const struct expect *x, bool *mixed_out)
{
	*mixed_out = false;
	if (x->c == C_ANY_FAULT) {
		if (h->c == C_OK)
			return false;
	} else if (x->c == C_TRANS && h->c == C_ASIZE && x->reserved) {
		/* a reserved entry: translation or address size fault */
	} else if (h->c != x->c) {
		return false;
	}
	if (h->c != C_OK && x->level_known && h->level != x->level)
		return false;
	if (h->c == C_OK) {
		if (x->pa_known && h->pa != x->pa)
			return false;
		if (x->mem_known) {
			bool mixed;
			enum mem m = attr_mem(h->attr, &mixed);
			if (m != x->mem) {
				if (!mixed)
					return false;
				*mixed_out = true;
			}
		}
	}
	return true;
}

static void record(struct tally *t, const struct phase *ph, unsigned k, uint64_t va, uint64_t par,
		   const struct hw *h, const struct expect *x)
{
	bool mixed;
	if (agree(h, x, &mixed)) {
		t->pass++;
		t->by_kind[k][0]++;
		t->mixed += mixed;
		return;
	}
	t->fail++;
	t->by_kind[k][1]++;
	if (t->shown++ >= opt.show)
		return;
	bool real = !strcmp(t->name, "real");
	printf("  %s %s: set %u cpu %s phase HA=%d HD=%d HPD=%d WXN=%d IPS36=%d AFTER=%d MAIR %#018" PRIx64
	       " %s va %#018" PRIx64 "\n    %s %#018" PRIx64 " = %s",
	       t->aside ? "ASIDE" : "FAIL", t->name, cur_set->id, cur_set->max ? "max" : "cortex-a57", ph->ha, ph->hd,
	       ph->hpd, ph->wxn, ph->ips36, ph->after,
	       cur_set->mair, real ? probe_name[k] : kind_name[k], va, real ? "ESR_EL1" : "AT: PAR", par,
	       cls_name[h->c]);
	if (h->c == C_OK)
		printf(" pa %#" PRIx64 " attr 0x%02x", h->pa, h->attr);
	else
		printf(" level %u (FST %#x)", h->level, h->fst);
	printf("\n    libpt: %s", cls_name[x->c]);
	if (x->level_known)
		printf(" level %u", x->level);
	if (x->pa_known)
		printf(" pa %#" PRIx64, x->pa);
	if (x->mem_known)
		printf(" %s", mem_name[x->mem]);
	printf(" (%s)\n", x->why);
	show_walk(cur_set, va);
}

static bool is_user(unsigned k) { return k == AT_S1E0R || k == AT_S1E0W; }
static bool is_write(unsigned k) { return k == AT_S1E1W || k == AT_S1E0W || k == AT_S1E1WP; }
static bool is_pan(unsigned k) { return k == AT_S1E1RP || k == AT_S1E1WP; }


/* The interim comparator: pt_translate plus the AArch64 rules it leaves
 * out (no access check: accessed and dirty state, EL0, PAN). */
static void expect_translate(struct set *s, const struct phase *ph, unsigned k, uint64_t va,
			     struct expect *x)
{
	struct pt_mapping m;
	unsigned h = s->el2 ? 0 : half_of(va);
	unsigned feat = (s->el2 ? PT_FEAT_AARCH64_EL2 : h ? PT_FEAT_AARCH64_HIGH : 0) | s->feat[h];
	bool ha = ph->ha, hd = ph->hd && ph->ha; /* HD means nothing without HA */
	if (opt.plant == 3)
		ha = hd = false;
	memset(x, 0, sizeof *x);
	const struct geo *g = &s->g[h];
	int rc;
	/* pt_translate walks the format's default width; other widths go
	 * through pt_access checking nothing (a translation alone). */
	if (g->va_bits == pt_arch_info(g->arch)->va_bits) {
		rc = pt_translate(g->arch, feat, pt_root(&s->t[h]), &s->mm, va, &m);
	} else {
		struct pt_regime r = { g->arch, feat, g->va_bits, pt_root(&s->t[h]), 0, 0, 0, 0 };
		struct pt_fault f;
		rc = pt_access(&r, &s->mm, va, 0, &m, &f);
		if (rc == PT_ERR_FAULT)
			rc = f.kind == PT_FAULT_NOT_PRESENT ? PT_ERR_NOT_MAPPED
			     : f.kind == PT_FAULT_ADDRESS ? PT_ERR_INVALID : PT_ERR_CORRUPT;
	}
	if (rc == PT_ERR_INVALID || rc == PT_ERR_NOT_MAPPED) {
		x->c = C_TRANS;
		x->level_known = rc == PT_ERR_INVALID;
		snprintf(x->why, sizeof x->why, "pt_translate: %s", pt_strerror(rc));
		return;
	}
	if (rc == PT_ERR_CORRUPT) {
		x->c = C_TRANS;
		x->reserved = true;
		snprintf(x->why, sizeof x->why, "pt_translate: %s", pt_strerror(rc));
		return;
	}
	if (rc != PT_OK) {
		x->c = C_OTHER;
		snprintf(x->why, sizeof x->why, "pt_translate: %s", pt_strerror(rc));
		return;
	}
	unsigned lvl = size_level(g, m.size);
	bool user = is_user(k) && opt.plant != 1;
	/* PT_DIRTY also reports bit 55, Linux's software dirty bit (PTE_DIRTY),
	 * on a writable leaf; what lets the MMU write without HD is AP[2] = 0
	 * alone, so where bit 55 is set the model reads AP[2] itself. */
	struct rawwalk w = raw_walk(s, va);
	bool mmu_dirty = m.state & PT_DIRTY;
	if (raw_leaf(&w) && (w.e >> 55 & 1))
		mmu_dirty = !(w.e >> 7 & 1);
	snprintf(x->why, sizeof x->why, "pt_translate: pa %#" PRIx64 " size %#" PRIx64 " flags %#x state %#x",
		 m.pa, m.size, m.flags, m.state);
	x->level_known = true;
	x->level = lvl;
	if (!ha && !(m.state & PT_ACCESSED))
		x->c = C_AF;
	else if (user && !(m.flags & PT_USER))
		x->c = C_PERM;
	else if (is_pan(k) && opt.plant != 5 && (m.flags & PT_USER))
		x->c = C_PERM;
	else if (is_write(k) && !(m.flags & PT_WRITE))
		x->c = C_PERM;
	else if (is_write(k) && !hd && !mmu_dirty)
		x->c = C_PERM;
	else
		x->c = C_OK;
	x->pa_known = true;
	x->pa = m.pa;
	/* pt_translate decodes AttrIndx through libpt's own MAIR. */
	x->mem_known = s->mair == PT_AARCH64_MAIR;
	x->mem = flags_mem(m.flags);
}

static void expect_access(struct set *s, const struct phase *ph, unsigned k, uint64_t va, struct expect *x)
{
	unsigned h = s->el2 ? 0 : half_of(va);
	const struct geo *g = &s->g[h];
	unsigned feat = (s->el2 ? PT_FEAT_AARCH64_EL2 : h ? PT_FEAT_AARCH64_HIGH : 0) | s->feat[h];
	struct pt_regime r = { g->arch, feat, g->va_bits, pt_root(&s->t[h]), s->mair, 0, 0, 0 };
	r.pa_bits = ph->ips36 ? 36 : 0;
	r.controls = (ph->wxn ? PT_CTL_WXN : 0) | (ph->hpd && opt.plant != 6 ? PT_CTL_HPD : 0) |
		     (is_pan(k) && opt.plant != 5 ? PT_CTL_PAN : 0);
	if (opt.plant != 3)
		r.controls |= (ph->ha ? PT_CTL_HA : 0) | (ph->hd ? PT_CTL_HD : 0);
	unsigned acc = is_write(k) ? PT_ACCESS_WRITE : PT_ACCESS_READ;
	if (is_user(k) && opt.plant != 1)
		acc |= PT_ACCESS_USER;
	struct pt_mapping m;
	struct pt_fault f;
	memset(x, 0, sizeof *x);
	memset(&f, 0, sizeof f);
	int rc = pt_access(&r, &s->mm, va, acc, &m, &f);
	if (rc == PT_OK) {
		x->c = C_OK;
		x->pa_known = x->mem_known = true;
		x->pa = m.pa;
		x->mem = flags_mem(m.flags);
		snprintf(x->why, sizeof x->why, "pt_access: pa %#" PRIx64 " size %#" PRIx64 " flags %#x state %#x",
			 m.pa, m.size, m.flags, m.state);
		return;
	}
	if (rc != PT_ERR_FAULT) {
		x->c = C_OTHER;
		snprintf(x->why, sizeof x->why, "pt_access: %s", pt_strerror(rc));
		return;
	}
	static const char *fk[] = { "NONE", "ADDRESS", "NOT_PRESENT", "PERMISSION", "ACCESS_FLAG", "DIRTY",
				    "RESERVED", "BUS" };
	snprintf(x->why, sizeof x->why, "pt_access: fault %s level %u pte %#" PRIx64 " table %#" PRIx64,
		 (unsigned)f.kind < 8 ? fk[f.kind] : "?", f.level, f.pte, f.table_pa);
	x->level_known = true;
	x->level = g->start + f.level;
	switch (f.kind) {
	case PT_FAULT_ADDRESS: x->c = C_TRANS; x->level = 0; break;
	case PT_FAULT_NOT_PRESENT: x->c = C_TRANS; break;
	case PT_FAULT_RESERVED: x->c = C_TRANS; x->reserved = true; break; /* or address size */
	case PT_FAULT_ACCESS_FLAG: x->c = C_AF; break;
	case PT_FAULT_PERMISSION: case PT_FAULT_DIRTY: x->c = C_PERM; break;
	default: x->c = C_OTHER; break;
	}
}

/* ---- what the hardware did (observations for the report) ---------------- */

struct obs {
	unsigned long af0_reads, af0_read_fault, af0_read_ok, af0_set_by_at;
	unsigned long clean_writes, clean_w_fault, clean_w_ok, clean_dirtied_by_at;
	unsigned long ro_table_writes, ro_table_w_ok;  /* DBM clean leaf under APTable[1] */
	unsigned long pan_user, pan_user_fault;
};
static struct obs obs[2][2]; /* [HA][HD] */
static unsigned long hpd_changed, aside[4][2];

static void observe(struct set *s, const struct phase *ph, const struct at_query *q, const struct at_result *r)
{
	struct obs *o = &obs[ph->ha][ph->hd];
	struct rawwalk w = raw_walk(s, q->va);
	if (!q->watch_pa || set_aside(s, q->va))
		return;
	uint64_t e = w.e;
	if (!(e & (1ull << 10))) {
		o->af0_reads++;
		struct hw h = decode_par(r->par[AT_S1E1R], q->va);
		o->af0_read_fault += h.c == C_AF;
		o->af0_read_ok += h.c == C_OK;
		o->af0_set_by_at += r->watch[AT_S1E1R] >> 10 & 1;
	}
	if ((e & 1ull << 51) && (e & 1ull << 7)) { /* DBM = 1, AP[2] = 1: writable, clean */
		struct hw h = decode_par(r->par[AT_S1E1W], q->va);
		bool ro_table = w.tblbits >> 62 & 1 && !ph->hpd;
		if (ro_table) {
			o->ro_table_writes++;
			o->ro_table_w_ok += h.c == C_OK;
		} else if (ph->ha || (e & 1ull << 10)) {
			o->clean_writes++;
			o->clean_w_fault += h.c == C_PERM;
			o->clean_w_ok += h.c == C_OK;
			o->clean_dirtied_by_at += !(r->watch[AT_S1E1W] >> 7 & 1);
		}
	}
	if (r->par[AT_S1E1RP] != AT_NOT_RUN && decode_par(r->par[AT_S1E0R], q->va).c == C_OK) {
		o->pan_user++;
		o->pan_user_fault += decode_par(r->par[AT_S1E1RP], q->va).c == C_PERM;
	}
}

void print_observations(void)
{
	for (unsigned ha = 0; ha < 2; ha++)
		for (unsigned hd = 0; hd < 2; hd++) {
			const struct obs *o = &obs[ha][hd];
			if (!o->af0_reads && !o->clean_writes)
				continue;
			printf("  TCR.HA=%u HD=%u: AF=0 leaf, AT S1E1R: %lu access-flag fault, %lu ok of %lu; AF set in "
			       "memory by the AT: %lu\n", ha, hd, o->af0_read_fault, o->af0_read_ok, o->af0_reads,
			       o->af0_set_by_at);
			printf("  TCR.HA=%u HD=%u: DBM=1 AP[2]=1 leaf, AT S1E1W: %lu permission fault, %lu ok of %lu; "
			       "AP[2] cleared in memory by the AT: %lu\n", ha, hd, o->clean_w_fault, o->clean_w_ok,
			       o->clean_writes, o->clean_dirtied_by_at);
			if (o->ro_table_writes)
				printf("  TCR.HA=%u HD=%u: the same under APTable[1]=1: %lu of %lu AT S1E1W ok\n", ha, hd,
				       o->ro_table_w_ok, o->ro_table_writes);
			if (o->pan_user)
				printf("  TCR.HA=%u HD=%u: EL0-readable (S1E0R ok), AT S1E1RP with PSTATE.PAN=1: %lu "
				       "permission fault of %lu\n", ha, hd, o->pan_user_fault, o->pan_user);
		}
	printf("  TCR.HPD0/1=1 changed %lu -cpu max PAR values (phase 3 vs phase 4)\n", hpd_changed);
	for (unsigned i = 1; i < 4; i++)
		printf("  set aside, %s: %lu AT answers (%lu of them differ from libpt's)\n", aside_name[i],
		       aside[i][0] + aside[i][1], aside[i][1]);
}

/* ---- one set -------------------------------------------------------------- */

/* Does va's walk end on a 64K leaf with FEAT_LPA's OA[51:48] (bits 15:12)
 * set over OA[47:0] below 2^36? libpt reads them whatever TCR.IPS says
 * (an address size fault under a 36-bit IPS); QEMU 7.2 only when IPS is
 * 52 bits (here: an ok). */
static bool lpa_high(struct set *s, uint64_t va)
{
	struct rawwalk w = raw_walk(s, va);
	return raw_leaf(&w) && w.g->pa52 && w.g->page == 16 && (w.e >> 12 & 15) &&
	       (geo_table_pa(w.g, w.e) & 0xffffffffffffull) >> 36 == 0;
}

/* A real access libpt and the MMU both let through to guest RAM: a load
 * read the word of libpt's PA; a store's word is where libpt says (the
 * guest read it back at q->ram_pa, libpt's PA when it built the query). */
static void check_word(struct set *s, struct tally *t, const struct phase *ph, unsigned k,
		       const struct at_query *q, const struct at_result *r, uint64_t pa)
{
	uint64_t want, got = r->data[k];
	bool store = k & 1;
	if (store && !q->ram_pa)
		return;
	want = store ? at_store_word(q->va & ~7ull) : at_data_word(pa);
	s->ram_loads += !store;
	s->ram_stores += store;
	if (got == want && (!store || q->ram_pa == pa)) {
		t->pass++;
		t->by_kind[k][0]++;
		return;
	}
	t->fail++;
	t->by_kind[k][1]++;
	if (t->shown++ >= opt.show)
		return;
	printf("  FAIL ram: set %u phase HA=%d HD=%d after=%d %s va %#018" PRIx64 ": libpt pa %#" PRIx64
	       ", the word %s %#" PRIx64 ", not %#" PRIx64 " (%s)\n", s->id, ph->ha, ph->hd, ph->after,
	       probe_name[k], (uint64_t)(q->va & ~7ull), pa, store ? "there after the store" : "loaded", got, want,
	       store ? "the store went elsewhere" : "the load reached another PA");
	show_walk(s, q->va);
}

/* An ok answer's share of what a 52-bit OA adds: a PA from 2^48 up, a
 * block at the level only it allows (4K: Arm level 0, 16K and 64K: 1). */
static void count_wide(struct set *s, uint64_t va, const struct hw *h)
{
	struct rawwalk w = raw_walk(s, va);
	s->ok_pa52 += h->pa >> 48 != 0;
	s->ok_va52 += !w.outside && w.g->va_bits > 48 && (va >> 48 & 15) != (half_of(va) ? 15u : 0u);
	if (raw_leaf(&w) && w.g->pa52 && w.level + 1 < w.g->levels &&
	    w.g->start + w.level == (w.g->page == 12 ? 0u : 1u))
		s->ok_big++;
}

void compare_set(struct set *s, const struct at_result *res, struct tally tl[4])
{
	cur_set = s;
	for (unsigned p = 0; p < s->nphases; p++) {
		const struct phase *ph = &s->ph[p];
		use_image(s, ph->after);
		for (unsigned qi = 0; qi < s->nq; qi++) {
			const struct at_query *q = &s->q[qi];
			const struct at_result *r = &res[(size_t)p * s->nq + qi];
			observe(s, ph, q, r);
			unsigned why = set_aside(s, q->va);
			if (!why && ph->ips36 && lpa_high(s, q->va))
				why = 3;
			for (unsigned k = 0; k < AT_KINDS; k++) {
				if (r->par[k] == AT_NOT_RUN)
					continue;
				struct hw h = decode_par(r->par[k], q->va);
				struct expect x;
				if (!why)
					s->outcome[h.c]++;
				if (!why && h.c == C_OK)
					count_wide(s, q->va, &h);
				if (why) {
					bool mixed;
					expect_translate(s, ph, k, q->va, &x);
					bool same = agree(&h, &x, &mixed);
					aside[why][!same]++;
					if (!same && aside[why][1] <= 1) {
						struct tally t = { aside_name[why], true, 0, 0, 0, 0, 0, { { 0 } } };
						record(&t, ph, k, q->va, r->par[k], &h, &x);
					}
					continue;
				}
				if (ph->hpd || ph->ips36) {
					tl[0].skipped++;
				} else {
					expect_translate(s, ph, k, q->va, &x);
					record(&tl[0], ph, k, q->va, r->par[k], &h, &x);
				}
				expect_access(s, ph, k, q->va, &x);
				record(&tl[1], ph, k, q->va, r->par[k], &h, &x);
			}
			/* The real accesses: as the AT kind of the same index,
			 * at the VA rounded down to 8 bytes. */
			for (unsigned k = 0; k < AT_PROBES; k++) {
				if (r->esr[k] == AT_NOT_RUN || why)
					continue;
				uint64_t va = q->va & ~7ull;
				bool far_ok;
				struct hw h = decode_esr(r->esr[k], r->far[k], va, &far_ok);
				struct expect x;
				expect_access(s, ph, k, va, &x);
				x.pa_known = x.mem_known = false;
				s->probe_outcome[h.c]++;
				if (!far_ok) {
					h.c = C_OTHER;
					snprintf(x.why + strlen(x.why), sizeof x.why - strlen(x.why), "; FAR %#" PRIx64,
						 r->far[k]);
				}
				record(&tl[2], ph, k, va, r->esr[k], &h, &x);
				if (qi >= s->nq - s->nq_runs && ph->after)
					s->run_probes[h.c != C_OK]++;
				if (!r->esr[k] && x.c == C_OK && x.pa >= AT_DATA_PA && x.pa < AT_DATA_PA + AT_DATA_BYTES)
					check_word(s, &tl[3], ph, k, q, r, x.pa);
			}
		}
	}
	/* HPD: answers that changed between phase 0 and the HPD phase. */
	if (s->max)
		for (size_t qi = 0; qi < s->nq; qi++)
			for (unsigned k = 0; k < AT_KINDS; k++)
				hpd_changed += res[3 * (size_t)s->nq + qi].par[k] !=
					       res[4 * (size_t)s->nq + qi].par[k];
}
