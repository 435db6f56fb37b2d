/* SPDX-License-Identifier: MIT */
/*
 * The stage-2 oracle: a bare-metal hypervisor on qemu-system-aarch64
 * -M virt,virtualization=on that builds with libpt a PT_AARCH64_S2 table
 * (several IPA sizes, so several start levels and concatenated roots) and
 * its EL1 guest's PT_AARCH64 stage-1 tables, whose frames live at
 * guest-physical addresses that stage 2 maps. It turns on stage 2
 * (VTCR_EL2 = pt_vtcr, VTTBR_EL2 = pt_vttbr, HCR_EL2.VM) and EL1's stage
 * 1, perturbs both stages' entries at random (S2AP, XN, AF, invalid and
 * reserved entries, output addresses beyond PARange, ignored bits at
 * stage 2, also on the stage-2 leaves that map the stage-1 table frames;
 * AP, UXN/PXN, AF, DBM, APTable/XNTable, invalid and reserved entries,
 * outputs beyond TCR_EL1.IPS at stage 1; blocks and pages at both), and
 * compares two answers of the CPU with pt_access_nested:
 *   probe  real loads, stores and instruction fetches at EL1 and loads and
 *          stores with EL0 permissions (LDTR/STTR): the value read (every
 *          data word holds its own host-physical address), the word
 *          stored, the stub fetched; a stage-1 fault taken to EL1
 *          (ESR_EL1 class, fault status and level, WnR, FAR_EL1); a
 *          stage-2 fault taken to EL2 (ESR_EL2 class, DFSC/IFSC, WnR,
 *          S1PTW, FAR_EL2 and HPFAR_EL2's IPA against fault->ipa)
 *   at     AT S12E1R, S12E1W, S12E0R, S12E0W run at EL2: PAR_EL1.F, FST,
 *          S (stage 2), PTW (stage 2 on a stage-1 table walk) and PA
 * VTCR_EL2.HA/HD stay off. On FEAT_HAFDBS (-cpu max) the last half of
 * each IPA size's rounds sets TCR_EL1.HA and HD: the MMU then writes the
 * stage-1 leaves it marks accessed or dirty, through stage 2, and some of
 * those leaves sit in table frames stage 2 maps read-only (both the AT
 * and the probes update tables then; libpt is asked before each).
 * HCR_EL2.PTW is 0. A stage-2 fault is on a stage-1 table walk when its
 * IPA is one of the stage-1 table frames: test mappings never point
 * there. Every AT, probe and outcome class is one check; the run ends
 * with "[group] qemu aarch64-s2-<cpu>/probe" and ".../at" lines and
 * "guest done: ok".
 *
 * EL2 runs with its own MMU off (every access Device-nGnRnE, hence
 * -mstrict-align), reads and writes the tables at their host-physical
 * addresses, and enters EL1 for each probe (start.S: run_el1). On real
 * hardware the tables would also need cache maintenance, since EL2's
 * writes are non-cacheable and the walks write-back; QEMU has no caches.
 *
 * S2_PLANT (a build flag) plants a bug that must make the run fail:
 * 1 the guest drops VTCR_EL2.SL0 (stage 2 walks from the wrong level),
 * 2 the comparison reads fault->level as an Arm lookup level at stage 2,
 * 3 the guest loads VTTBR_EL2 with the stage-1 root's IPA.
 */
#include "s2.h"

#define SYSREG_READ(name)                                      \
	({                                                     \
		uint64_t v_;                                   \
		__asm__ volatile("mrs %0, " #name : "=r"(v_)); \
		v_;                                            \
	})
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")

/* ---- EL1 --------------------------------------------------------------- */

struct el2_exit {
	uint64_t x0, x1, x2;
	uint64_t esr, far, hpfar, elr;
};
void run_el1(uint64_t pc, uint64_t a0, uint64_t a1, struct el2_exit *out);
extern char el1_page[], el1_page_end[], el1_ld[], el1_st[], el1_x[], el1_ldtr[], el1_sttr[],
	el1_vectors[];

/* ---- Checks ------------------------------------------------------------ */

struct tally {
	unsigned long pass, fail;
	unsigned shown;
};
static struct tally t_probe, t_at;
/* Outcome classes seen (each must occur: the run would prove little
 * without them). */
enum { O_OK, O_S1, O_S2_OUT_TRANS, O_S2_OUT_PERM, O_S2_OUT_AF, O_S2_PTW, O_S2_RANGE, O_ASIZE, O_N };
static const char *const o_name[O_N] = { "allowed", "stage 1 fault", "stage 2 translation",
					 "stage 2 permission", "stage 2 access flag",
					 "stage 2 on a table walk", "IPA out of range",
					 "address size (either stage)" };
static unsigned long o_probe[O_N], o_at[O_N];
/* Exits the probes must have seen, by what the CPU reported. */
enum { C_S2_IABT_PERM, C_S2_IABT_PTW, C_S2_DABT_WRITE_PERM, C_S2_DABT_PTW, C_S1_IABT, C_N };
static const char *const c_name[C_N] = { "stage-2 instruction abort, permission",
					 "stage-2 instruction abort on a table walk",
					 "stage-2 data abort on a write, permission",
					 "stage-2 data abort on a table walk", "stage-1 instruction abort" };
static unsigned long cov[C_N];
static unsigned long at_s12_ok_pa, wnr_ptw[2][2]; /* [write access][WnR] */

static void check(struct tally *t, bool ok, const char *what, uint64_t va, unsigned access,
		  uint64_t got, uint64_t want)
{
	if (ok) {
		t->pass++;
		return;
	}
	t->fail++;
	if (t->shown++ >= S2_SHOW)
		return;
	puts_("  FAIL ");
	puts_(what);
	puts_(" va ");
	putx(va);
	puts_(" access ");
	putx(access);
	puts_(": cpu ");
	putx(got);
	puts_(", libpt ");
	putx(want);
	puts_("\n");
}

/* The stage-1 lookup level of the table at ipa (the root is level 0), from
 * the table entries collected at the last build; 4 if none holds it. */
struct spot spots1[SPOTS];
unsigned nspots1;
static unsigned long ptw_level_qemu;
static unsigned s1_table_level(const struct set *s, uint64_t ipa)
{
	if (ipa == pt_root(&s->s1))
		return 0;
	for (unsigned i = 0; i < nspots1; i++)
		if (!spots1[i].leaf && spots1[i].next == ipa)
			return spots1[i].level + 1;
	return 4;
}

/* libpt's answer, as the fault status code the CPU reports (class |
 * Arm lookup level), the stage and whether stage 2 faulted on a table
 * walk; -1 for a fault kind the CPU has no code for. */
struct want {
	int err;
	struct pt_mapping m;
	struct pt_fault f;
	int fsc;
	unsigned stage;
	bool ptw;
};

static struct want expect(const struct set *s, uint64_t va, unsigned access)
{
	struct want w;
	memset(&w, 0, sizeof w);
	w.err = pt_access_nested(&s->r1, &s->r2, &hostmm, va, access, &w.m, &w.f);
	if (w.err != PT_ERR_FAULT)
		return w;
	w.stage = w.f.stage;
	unsigned lvl = w.f.level;
	if (w.stage == 2 && S2_PLANT != 2)
		lvl += 4 - (s->bits - 8) / 9; /* the walk starts below level 0 */
	/* An IPA beyond VTCR_EL2.T0SZ's range is a translation fault at level
	 * 0 whatever the start level (Arm ARM, AArch64.S2Translate); libpt
	 * reports no entry for it (PT_FAULT_ADDRESS). */
	if (w.f.kind == PT_FAULT_ADDRESS)
		lvl = 0;
	const unsigned oa_bits = w.stage == 2 ? s->r2.pa_bits : s->r1.pa_bits;
	/* An address size fault needs a valid descriptor: at level 3 (and
	 * level 0, which has no blocks) bit 1 clear is a reserved encoding,
	 * a translation fault before the address is looked at. */
	const bool bad_type = (lvl == 3 || lvl == 0) && !(w.f.pte & 2);
	if (w.f.kind == PT_FAULT_RESERVED && !bad_type && (w.f.pte & 0xfffffffff000ull) >> oa_bits) {
		w.fsc = (int)lvl; /* address size fault */
		goto classified;
	}
	switch (w.f.kind) {
	case PT_FAULT_NOT_PRESENT:
	case PT_FAULT_RESERVED:
	case PT_FAULT_ADDRESS:
		w.fsc = (int)(0x04 | lvl);
		break;
	case PT_FAULT_ACCESS_FLAG:
		w.fsc = (int)(0x08 | lvl);
		break;
	case PT_FAULT_PERMISSION:
	case PT_FAULT_DIRTY:
		w.fsc = (int)(0x0c | lvl);
		break;
	default:
		w.fsc = -1;
		break;
	}
classified:
	w.ptw = w.stage == 2 && w.f.ipa >= S1_POOL_IPA && w.f.ipa < S1_POOL_IPA + S1_POOL_BYTES;
	/* QEMU 7.2 reports a stage-2 fault on a stage-1 table read with the
	 * stage-1 lookup level of that table, not the stage-2 level the
	 * architecture asks for: compare the class, and the level QEMU
	 * gives, found from the stage-1 tables as collected. */
	if (!S2_ARCH_PTW_LEVEL && w.ptw && w.fsc >= 0) {
		w.fsc = (w.fsc & ~3) | (int)s1_table_level(s, w.f.ipa & ~0xfffull);
		ptw_level_qemu++;
	}
	return w;
}

static unsigned outcome(const struct want *w)
{
	if (w->err == PT_OK)
		return O_OK;
	if (w->fsc >= 0 && w->fsc < 4)
		return O_ASIZE;
	if (w->stage == 1)
		return O_S1;
	if (w->ptw)
		return O_S2_PTW;
	if (w->f.kind == PT_FAULT_ADDRESS)
		return O_S2_RANGE;
	if (w->f.kind == PT_FAULT_ACCESS_FLAG)
		return O_S2_OUT_AF;
	if (w->f.kind == PT_FAULT_PERMISSION || w->f.kind == PT_FAULT_DIRTY)
		return O_S2_OUT_PERM;
	return O_S2_OUT_TRANS;
}

/* The CPU's answer in the same terms: stage 0 = allowed. */
struct got {
	unsigned stage;
	unsigned fsc;
	bool ptw;
	uint64_t pa; /* AT: PAR's PA */
};

static uint64_t got_word(const struct got *g)
{
	return (uint64_t)g->stage << 12 | (uint64_t)g->ptw << 8 | g->fsc;
}
static uint64_t want_word(const struct want *w)
{
	if (w->err == PT_OK)
		return 0;
	return (uint64_t)w->stage << 12 | (uint64_t)w->ptw << 8 | (uint64_t)(w->fsc & 0xff);
}

/* ---- Building a table set ---------------------------------------------- */

/* Test leaves at stage 1: slot k covers [slot_va(k), +2M). */
#define SLOTS 48u
static uint64_t slot_va(unsigned k)
{
	return TEST_VA + (uint64_t)(k % 3) * (1ull << 39) + (uint64_t)(k / 3) * 0x40200000ull;
}

/* Where a slot's leaves point: the data region's block half or page
 * half, an IPA stage 2 never maps, one beyond the smaller IPA sizes, or
 * one beyond TCR_EL1.IPS (a stage-1 address size fault). */
static uint64_t pick_ipa(void)
{
	unsigned r = below(20);
	if (r < 9)
		return DATA_IPA + (uint64_t)below(8) * 0x200000ull;
	if (r < 16)
		return DATA_IPA + DATA_BYTES / 2 + (uint64_t)below(8) * 0x200000ull;
	if (r < 17)
		return HOLE_IPA + (uint64_t)below(8) * 0x200000ull;
	if (r < 19)
		return FAR_IPA + (uint64_t)below(8) * 0x200000ull;
	return BIG_IPA + (uint64_t)below(8) * 0x200000ull;
}

/* The test leaves stage 1 maps (before any perturbation). */
#define LEAVES (SLOTS * 4u)
static uint64_t leaf_va[LEAVES], leaf_size[LEAVES];
static unsigned nleaves;

/* The CPU's stage-2 output size: VTCR_EL2.PS (48 bits) capped by
 * ID_AA64MMFR0_EL1.PARange (Cortex-A57: 44 bits). */
unsigned s2_pa_bits = 48;

static void build(struct set *s, unsigned bits, bool hahd)
{
	s2pool.used = 0;
	s1pool.used = 0;
	s->bits = bits;
	const struct pt_config c2 = { PT_AARCH64_S2, 0, bits };
	must(pt_init_config(&s->s2, &c2, &s2mm), "pt_init_config stage 2");
	const uint32_t rwx = PT_READ | PT_WRITE | PT_EXECUTE;
	must(pt_map_region(&s->s2, RAM_BASE, RAM_BASE, IMAGE_BYTES, rwx, PT_ALLOW_HUGE), "s2 image");
	must(pt_map_region(&s->s2, S1_POOL_IPA, S1_POOL, S1_POOL_BYTES, PT_READ | PT_WRITE, 0),
	     "s2 stage-1 pool");
	must(pt_map_region(&s->s2, DATA_IPA, DATA, DATA_BYTES / 2, rwx, PT_ALLOW_HUGE), "s2 blocks");
	must(pt_map_region(&s->s2, DATA_IPA + DATA_BYTES / 2, DATA + DATA_BYTES / 2, DATA_BYTES / 2,
			   rwx, 0),
	     "s2 pages");

	must(pt_init(&s->s1, PT_AARCH64, 0, &s1mm), "pt_init stage 1");
	uint64_t el1 = (uint64_t)(uintptr_t)el1_page;
	must(pt_map_region(&s->s1, el1, el1, (uint64_t)(uintptr_t)el1_page_end - el1,
			   PT_READ | PT_EXECUTE, 0),
	     "s1 EL1 code");
	s->s1_protect = s1pool.used;

	nleaves = 0;
	for (unsigned k = 0; k < SLOTS; k++) {
		uint64_t va = slot_va(k), ipa = pick_ipa();
		uint32_t f = PT_READ;
		if (below(3))
			f |= PT_WRITE;
		if (below(2))
			f |= PT_EXECUTE;
		if (below(3) == 0)
			f |= PT_USER;
		if (below(3) == 0) {
			must(pt_map_region(&s->s1, va, ipa, 0x200000, f, PT_ALLOW_HUGE), "s1 block");
			leaf_va[nleaves] = va;
			leaf_size[nleaves++] = 0x200000;
			continue;
		}
		unsigned n = 1 + below(4), first = below(500);
		for (unsigned i = 0; i < n; i++) {
			uint64_t off = (uint64_t)(first + i) * 4096;
			must(pt_map_region(&s->s1, va + off, ipa + off, 4096, f, 0), "s1 page");
			leaf_va[nleaves] = va + off;
			leaf_size[nleaves++] = 4096;
			f ^= below(2) ? PT_WRITE : 0;
		}
	}

	uint64_t vtcr = pt_vtcr(&s->s2);
	if (!(SYSREG_READ(id_aa64mmfr1_el1) >> 4 & 15))
		vtcr &= ~(1ull << 19); /* no FEAT_VMID16: VS is RES0 */
	if (S2_PLANT == 1)
		vtcr &= ~(3ull << 6);
	uint64_t vttbr = S2_PLANT == 3 ? pt_root(&s->s1) | 1ull << 48 : pt_vttbr(&s->s2, 1);
	struct pt_regime r1 = { PT_AARCH64, 0, 0, pt_root(&s->s1), 0, hahd ? PT_CTL_HA | PT_CTL_HD : 0,
				0, 40 };
	struct pt_regime r2 = { PT_AARCH64_S2, 0, bits, pt_root(&s->s2), 0, 0, 0, s2_pa_bits };
	s->r1 = r1;
	s->r2 = r2;

	/* EL1&0: T0SZ 16, walks write-back inner shareable, 4K granule, no
	 * TTBR1 walks (EPD1), IPS 40 bits; MMU, caches on, no WXN. */
	const uint64_t tcr = 16 | 1u << 8 | 1u << 10 | 3u << 12 | 1u << 23 | 2ull << 32 |
			     (hahd ? 1ull << 39 | 1ull << 40 : 0);
	uint64_t sctlr = (SYSREG_READ(sctlr_el1) | 1 | 1u << 2 | 1u << 12) & ~(1ull << 19 | 1ull << 1);
	s->vtcr = vtcr;
	SYSREG_WRITE(vtcr_el2, vtcr);
	SYSREG_WRITE(vttbr_el2, vttbr);
	SYSREG_WRITE(mair_el1, PT_AARCH64_MAIR);
	SYSREG_WRITE(tcr_el1, tcr);
	SYSREG_WRITE(ttbr0_el1, pt_root(&s->s1));
	SYSREG_WRITE(ttbr1_el1, 0);
	SYSREG_WRITE(vbar_el1, (uint64_t)(uintptr_t)el1_vectors);
	SYSREG_WRITE(sctlr_el1, sctlr);
	/* HCR_EL2: VM (stage 2 on), RW (EL1 is AArch64); no PTW, no TGE. */
	SYSREG_WRITE(hcr_el2, 1ull | 1ull << 31);
	__asm__ volatile("isb\n\tdsb ish\n\ttlbi vmalls12e1\n\tdsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
}

/* ---- The data frames --------------------------------------------------- */

/* Word 0 of every frame is the stub "movz x0, #id; ret" (id: the frame's
 * index), word 511 the store slot, every other word its own address ^
 * TAG. */
static void fill_data(void)
{
	for (uint64_t f = DATA; f < DATA + DATA_BYTES; f += 4096) {
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)f;
		uint64_t id = (f - DATA) >> 12;
		w[0] = (uint64_t)(0xd2800000u | (uint32_t)id << 5) | (uint64_t)0xd65f03c0u << 32;
		for (unsigned i = 1; i < 511; i++)
			w[i] = (f + i * 8) ^ TAG;
		w[511] = 0;
	}
	__asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
}

/* ---- The probes -------------------------------------------------------- */

enum { P_LD, P_ST, P_X, P_LDTR, P_STTR, P_KINDS };
static const unsigned p_access[P_KINDS] = { PT_ACCESS_READ, PT_ACCESS_WRITE, PT_ACCESS_EXEC,
					    PT_ACCESS_READ | PT_ACCESS_USER,
					    PT_ACCESS_WRITE | PT_ACCESS_USER };
static uint64_t store_seq = 0x1234;

static void probe(const struct set *s, unsigned kind, uint64_t page)
{
	uint64_t va = kind == P_X ? page : kind == P_ST || kind == P_STTR ? page + STORE_SLOT
									   : page + 8 * (1 + below(509));
	const unsigned access = p_access[kind];
	const struct want w = expect(s, va, access);
	const uint64_t pcs[P_KINDS] = { (uint64_t)(uintptr_t)el1_ld, (uint64_t)(uintptr_t)el1_st,
					(uint64_t)(uintptr_t)el1_x, (uint64_t)(uintptr_t)el1_ldtr,
					(uint64_t)(uintptr_t)el1_sttr };
	const uint64_t val = ++store_seq ^ TAG;
	struct el2_exit x;
	run_el1(pcs[kind], va, val, &x);

	const unsigned ec = (unsigned)(x.esr >> 26);
	const bool write = access & PT_ACCESS_WRITE;
	struct got g = { 0, 0, false, 0 };
	bool sane = true; /* class, WnR, FAR as the fault requires */
	if (ec == 0x16 && (x.esr & 0xffff) == 0) {
		/* Finished: check what it read, wrote or ran. */
		if (w.err == PT_OK && w.m.pa >= DATA && w.m.pa < DATA + DATA_BYTES) {
			volatile uint64_t *slot = (volatile uint64_t *)(uintptr_t)w.m.pa;
			if (kind == P_X)
				sane = x.x0 == ((w.m.pa - DATA) >> 12);
			else if (write)
				sane = *slot == val;
			else
				sane = x.x0 == (w.m.pa ^ TAG);
		} else {
			sane = false; /* libpt names no data frame: the CPU went somewhere */
		}
		check(&t_probe, sane, "probe value (cpu: x0)", va, access, x.x0, w.m.pa);
	} else if (ec == 0x16 && (x.esr & 0xffff) == 1) {
		/* EL1's vector: a stage-1 fault, ESR_EL1 in x0, FAR_EL1 in x1. */
		const unsigned ec1 = (unsigned)(x.x0 >> 26);
		g.stage = 1;
		g.fsc = (unsigned)(x.x0 & 0x3f);
		if (kind == P_X)
			cov[C_S1_IABT]++;
		sane = ec1 == (kind == P_X ? 0x21u : 0x25u) && x.x1 == va &&
		       (kind == P_X || !!(x.x0 >> 6 & 1) == write);
		check(&t_probe, sane, "stage-1 fault: ESR_EL1 class, WnR or FAR_EL1 (cpu: ESR_EL1)", va,
		      access, x.x0, x.x1);
	} else if (ec == 0x24 || ec == 0x20) {
		g.stage = 2;
		g.fsc = (unsigned)(x.esr & 0x3f);
		g.ptw = x.esr >> 7 & 1;
		if (g.ptw)
			wnr_ptw[write][x.esr >> 6 & 1]++;
		if (g.ptw)
			cov[ec == 0x20 ? C_S2_IABT_PTW : C_S2_DABT_PTW]++;
		else if ((g.fsc & 0x3c) == 0x0c && ec == 0x20)
			cov[C_S2_IABT_PERM]++;
		else if ((g.fsc & 0x3c) == 0x0c && write)
			cov[C_S2_DABT_WRITE_PERM]++;
		sane = ec == (kind == P_X ? 0x20u : 0x24u) && x.far == va &&
		       (kind == P_X || g.ptw || !!(x.esr >> 6 & 1) == write);
		check(&t_probe, sane, "stage-2 fault: ESR_EL2 class, WnR or FAR_EL2 (cpu: ESR_EL2)", va,
		      access, x.esr, x.far);
		if (w.err == PT_ERR_FAULT && w.stage == 2) {
			const uint64_t ipa = (x.hpfar >> 4 & ((1ull << 40) - 1)) << 12;
			check(&t_probe, ipa == (w.f.ipa & ~0xfffull), "HPFAR_EL2 IPA against fault->ipa", va,
			      access, ipa, w.f.ipa);
		}
	} else {
		check(&t_probe, false, "unexpected exit (cpu: ESR_EL2)", va, access, x.esr, x.elr);
		return;
	}
	check(&t_probe, got_word(&g) == want_word(&w), "verdict (stage<<12 | ptw<<8 | FSC)", va, access,
	      got_word(&g), want_word(&w) | (w.fsc < 0 ? 0xffull : 0));
	o_probe[outcome(&w)]++;
}

/* ---- AT S12E1R/W, S12E0R/W --------------------------------------------- */

enum { A_E1R, A_E1W, A_E0R, A_E0W, A_KINDS };
static const unsigned a_access[A_KINDS] = { PT_ACCESS_READ, PT_ACCESS_WRITE,
					    PT_ACCESS_READ | PT_ACCESS_USER,
					    PT_ACCESS_WRITE | PT_ACCESS_USER };

static uint64_t at(unsigned k, uint64_t va)
{
	switch (k) {
	case A_E1R: __asm__ volatile("at s12e1r, %0" : : "r"(va) : "memory"); break;
	case A_E1W: __asm__ volatile("at s12e1w, %0" : : "r"(va) : "memory"); break;
	case A_E0R: __asm__ volatile("at s12e0r, %0" : : "r"(va) : "memory"); break;
	default: __asm__ volatile("at s12e0w, %0" : : "r"(va) : "memory"); break;
	}
	__asm__ volatile("isb" ::: "memory");
	return SYSREG_READ(par_el1);
}

static void at_check(const struct set *s, uint64_t va)
{
	for (unsigned k = 0; k < A_KINDS; k++) {
		const struct want w = expect(s, va, a_access[k]);
		const uint64_t par = at(k, va);
		struct got g = { 0, 0, false, 0 };
		if (par & 1) {
			g.stage = par >> 9 & 1 ? 2 : 1;
			g.ptw = par >> 8 & 1;
			g.fsc = (unsigned)(par >> 1 & 0x3f);
		} else {
			g.pa = par & 0xfffffffff000ull;
		}
		bool ok = got_word(&g) == want_word(&w);
		if (ok && w.err == PT_OK) {
			ok = g.pa == (w.m.pa & ~0xfffull);
			at_s12_ok_pa++;
		}
		check(&t_at, ok, "AT S12 PAR_EL1 (libpt: stage<<12 | ptw<<8 | FSC, or the PA)", va,
		      a_access[k], par, w.err == PT_OK ? w.m.pa : want_word(&w));
		o_at[outcome(&w)]++;
	}
}

/* ---- One run ----------------------------------------------------------- */

/* Mostly inside a test leaf; some next to one, some anywhere in a slot
 * (mostly unmapped at stage 1). */
static uint64_t pick_va(void)
{
	const unsigned r = below(10), i = below(nleaves);
	if (r == 0)
		return slot_va(below(SLOTS)) + (rnd() & 0x1ffff8ull);
	if (r == 1)
		return leaf_va[i] + leaf_size[i] + (uint64_t)below(3) * 4096 + (rnd() & 0xff8ull);
	return leaf_va[i] + (rnd() & (leaf_size[i] - 8));
}

static void one_set(unsigned bits, unsigned rounds, unsigned at_q, unsigned probes, bool xnx,
		    bool hafdbs)
{
	static struct set s;
	const unsigned long p0 = t_probe.pass + t_probe.fail, a0 = t_at.pass + t_at.fail;
	const unsigned long pf0 = t_probe.fail, af0 = t_at.fail;
	for (unsigned r = 0; r < rounds; r++) {
		/* On FEAT_HAFDBS, the last rounds with TCR_EL1.HA and HD: the
		 * MMU sets stage 1's AF and dirty state itself, writing the
		 * stage-1 tables through stage 2. */
		const bool hahd = hafdbs && r >= rounds / 2;
		build(&s, bits, hahd);
		nspots1 = collect(&s.s1, spots1, S1_POOL - S1_POOL_IPA);
		if (r) { /* round 0 keeps the tables as libpt wrote them */
			unsigned n2 = collect(&s.s2, spots2, 0);
			perturb_s1(nspots1);
			perturb_s2(&s, n2, xnx);
			if (hahd)
				perturb_hahd(&s, n2);
			__asm__ volatile("dsb ish\n\ttlbi vmalls12e1\n\tdsb ish\n\tisb" ::: "memory");
		}
		for (unsigned i = 0; i < at_q; i++)
			at_check(&s, pick_va());
		for (unsigned i = 0; i < probes; i++) {
			uint64_t va = pick_va() & ~0xfffull;
			for (unsigned k = 0; k < P_KINDS; k++)
				probe(&s, k, va);
		}
		pt_destroy(&s.s1);
		pt_destroy(&s.s2);
	}
	puts_("  IPA ");
	putu(bits);
	puts_(" bits (VTCR_EL2 ");
	putx(s.vtcr);
	puts_("): ");
	putu(t_probe.pass + t_probe.fail - p0);
	puts_(" probe checks (");
	putu(t_probe.fail - pf0);
	puts_(" failed), ");
	putu(t_at.pass + t_at.fail - a0);
	puts_(" AT checks (");
	putu(t_at.fail - af0);
	puts_(" failed)\n");
}

void s2_main(void)
{
	if ((SYSREG_READ(CurrentEL) >> 2 & 3) != 2)
		panic("not at EL2 (-M virt,virtualization=on)", SYSREG_READ(CurrentEL));
	const uint64_t mmfr0 = SYSREG_READ(id_aa64mmfr0_el1), mmfr1 = SYSREG_READ(id_aa64mmfr1_el1);
	const unsigned parange = (unsigned)(mmfr0 & 15);
	const bool xnx = (mmfr1 >> 28 & 15) != 0;
	const bool hafdbs = (mmfr1 & 15) >= 2;
	const bool max = parange >= 5; /* 48-bit PAs: -cpu max */
	static const unsigned char pa_of[] = { 32, 36, 40, 42, 44, 48, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52 };
	s2_pa_bits = pa_of[parange] < 48 ? pa_of[parange] : 48;
	const char *cpu = max ? "max" : "cortex-a57";
	puts_("s2-guest: -cpu ");
	puts_(cpu);
	puts_(", ID_AA64MMFR0_EL1 ");
	putx(mmfr0);
	puts_(" MMFR1 ");
	putx(mmfr1);
	puts_(xnx ? " (FEAT_XNX)\n" : " (no FEAT_XNX: S2 XN[0] not perturbed)\n");
	fill_data();

	/* IPA sizes: 40 (start level 1, 2 root tables), 32 (level 2, 4),
	 * 36 (level 1, one table of 64 entries); on max also 44 and 48 (level
	 * 0), beyond Cortex-A57's 44-bit PARange for stage 2. */
	static const unsigned widths_a57[] = { 40, 32, 36 };
	static const unsigned widths_max[] = { 40, 32, 36, 44, 48 };
	const unsigned *wd = max ? widths_max : widths_a57;
	const unsigned nw = max ? 5 : 3;
	rng_state ^= max ? 0x1111 : 0;
	for (unsigned i = 0; i < nw; i++)
		one_set(wd[i], 6, 600, 80, xnx, hafdbs);

	puts_("  outcomes (libpt's verdicts) probes / AT:");
	for (unsigned o = 0; o < O_N; o++) {
		puts_(" ");
		puts_(o_name[o]);
		puts_(" ");
		putu(o_probe[o]);
		puts_("/");
		putu(o_at[o]);
		puts_(";");
	}
	puts_("\n  entries perturbed ");
	putu(n_perturbed);
	puts_(", AT translations with a PA compared ");
	putu(at_s12_ok_pa);
	puts_(", stage-2 table-walk faults compared at QEMU's stage-1 level ");
	putu(ptw_level_qemu);
	puts_(", stage-2 faults on a table walk (ESR_EL2.WnR not compared) by reads with WnR 0/1: ");
	putu(wnr_ptw[0][0]);
	puts_("/");
	putu(wnr_ptw[0][1]);
	puts_(", by writes: ");
	putu(wnr_ptw[1][0]);
	puts_("/");
	putu(wnr_ptw[1][1]);
	puts_("\n");
	puts_("  probe exits:");
	for (unsigned c = 0; c < C_N; c++) {
		puts_(" ");
		puts_(c_name[c]);
		puts_(" ");
		putu(cov[c]);
		puts_(";");
		check(&t_probe, cov[c] != 0, "probe exit never seen", c, 0, 0, 0);
	}
	puts_("\n");
	/* Every outcome class must have been seen by both comparisons. */
	for (unsigned o = 0; o < O_N; o++) {
		check(&t_probe, o_probe[o] != 0, "outcome class never probed", o, 0, 0, 0);
		check(&t_at, o_at[o] != 0, "outcome class never asked by AT", o, 0, 0, 0);
	}
	puts_("[group] qemu aarch64-s2-");
	puts_(max ? "max" : "a57");
	puts_("/probe: ");
	putu(t_probe.pass);
	puts_(" passed, ");
	putu(t_probe.fail);
	puts_(" failed\n[group] qemu aarch64-s2-");
	puts_(max ? "max" : "a57");
	puts_("/at: ");
	putu(t_at.pass);
	puts_(" passed, ");
	putu(t_at.fail);
	puts_(" failed\n");
	bool ok = !t_probe.fail && !t_at.fail;
	puts_(ok ? "guest done: ok\n" : "guest done: FAILED\n");
	leave(ok ? 0 : 1);
}
