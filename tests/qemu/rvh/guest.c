/* SPDX-License-Identifier: MIT */
/*
 * RISC-V hypervisor guest (qemu-system-riscv64 -M virt -cpu rv64,h=true
 * -bios none): pt_access_nested against two-stage translation by the CPU.
 *
 * HS-mode (on an Sv39 identity map of its own) builds with libpt a G-stage table (Sv39x4, Sv48x4,
 * Sv57x4, loaded with pt_hgatp) and a VS-stage table (Sv39, Sv48, Sv57,
 * loaded in vsatp) whose table frames are guest-physical, allocated from a
 * pool the G-stage maps at GPA = HPA + SHIFT. Each round maps random guest
 * VAs (4K, 2M, 1G leaves, random R/W/X/U) onto guest-physical data pages
 * the G-stage maps with random rights (4K pages or 2M blocks, some left
 * out), then perturbs raw entries of both tables as a foreign guest or
 * hypervisor might (A or D clear, U toggled, R/W/X taken away, V clear,
 * bits a table entry reserves, the G-stage page of a VS table frame made
 * absent, read-only or supervisor-only). Every probe is made twice:
 *   - from HS-mode with HLV.D (read), HSV.D (write) or HLVX.WU (execute
 *     permission), at hstatus.SPVP 1 (VS) or 0 (VU);
 *   - for real from VS-mode or VU-mode (sret with hstatus.SPV = 1) through
 *     a trampoline page mapped at two guest VAs, its ecall or fault coming
 *     back to HS; for half of them hedeleg hands VS-stage page faults to
 *     VS-mode, whose handler (vstvec) passes vscause and vstval on to HS
 *     (a guest-page fault still goes to HS).
 * Both verdicts must equal pt_access_nested's under the controls read from
 * the CPU: allowed with the PA (a load returns the word at out.pa, a store
 * lands there), or a fault of the access's cause: stage 1 -> page fault
 * (12/13/15; HLVX faults as a load), stage 2 -> guest-page fault
 * (20/21/23) with htval = fault.ipa >> 2. Every fault has stval = the
 * guest VA and hstatus.GVA = 1; htinst is 0, or 0x3000 (the
 * pseudoinstruction of an implicit 64-bit read) for a VS-stage table read.
 *
 * QEMU 7.2 sets A and D in both stages itself (no Svade fault, no
 * henvcfg.ADUE to clear: Svadu behaviour), so both regimes carry HA and HD
 * and a clear A or D never faults; check_ad shows a probe through a clear
 * A and D in both stages passing and setting them, and a VS-stage table
 * read through a G-stage leaf with A and D clear setting A alone. HS-mode runs on an Sv39
 * identity map, not Bare: QEMU 7.2 picks page fault or access fault for a
 * VS-stage fault by the HS satp's MODE, so under Bare every VS-stage page
 * fault would come as an access fault. Where QEMU 7.2 departs from the
 * architecture the probe is counted and shown, not passed, when a model
 * of the departure explains the outcome (probe_mode):
 *   - MXR and SUM (regimes_qemu): in VS/VU-mode both stages take MXR from
 *     vsstatus alone; HLV/HSV/HLVX take the VS-stage's MXR from HS-level
 *     sstatus and the G-stage's from vsstatus, and at SPVP = 1 translate
 *     as if vsstatus.SUM were set; HLVX.WU needs read permission instead
 *     of execute;
 *   - a G-stage fault on a VS-stage table read is raised as a load
 *     guest-page fault (21) whatever the access (the architecture: the
 *     cause of the access that started the walk); htval and htinst (0x3000,
 *     an implicit 64-bit read) are still checked.
 * What QEMU 7.2 cannot check: Svade (A/D faults) and the henvcfg.ADUE
 * switch; the G-stage write an A/D update of a VS-stage entry makes.
 *
 * QEMU_MUTATE (rvh.mk plants) breaks the check: 1 hgatp's MODE one off,
 * 2 htval compared as GPA >> 1, 3 the VS-stage regime without
 * vsstatus.SUM, 4 the VS probes made with the other privilege, 5 the
 * vstval a delegated fault hands on taken 8 bytes off. (A stage-2
 * regime without HS-level MXR cannot be caught here: QEMU 7.2 never
 * applies HS-level MXR to the G-stage.)
 */
#include "rvh.h"

/* ---- Tables ------------------------------------------------------------ */

struct pairfmt {
	const char *name;
	enum pt_arch g;
	unsigned gmode; /* hgatp MODE */
};
static const struct pairfmt gfmts[] = {
	{ "rvh-sv39x4", PT_RISCV_SV39X4, 8 },
	{ "rvh-sv48x4", PT_RISCV_SV48X4, 9 },
	{ "rvh-sv57x4", PT_RISCV_SV57X4, 10 },
};
static const enum pt_arch vfmts[] = { PT_RISCV_SV39, PT_RISCV_SV48, PT_RISCV_SV57 };

static struct pt_table G, V;
static enum pt_arch g_arch, v_arch;

/* The raw entries a walk of `va` passes through (table frames at `tpa`),
 * read through `virt`; returns how many (the last may be a leaf or
 * invalid). The root of a G-stage table has 2048 entries. */
struct walk {
	unsigned n;
	volatile uint64_t *e[5];
	uint64_t tpa[5];
	bool leaf[5];
};
static unsigned levels_of(enum pt_arch a)
{
	return pt_arch_info(a)->levels;
}
static void walk(enum pt_arch a, uint64_t root, void *(*virt)(void *, uint64_t), uint64_t va,
		 struct walk *w)
{
	const unsigned lv = levels_of(a);
	const bool g = a == PT_RISCV_SV39X4 || a == PT_RISCV_SV48X4 || a == PT_RISCV_SV57X4;
	uint64_t tpa = root;
	w->n = 0;
	for (unsigned l = 0; l < lv; l++) {
		const unsigned sh = 12 + 9 * (lv - 1 - l);
		const uint64_t idx = (va >> sh) & (l == 0 && g ? 2047 : 511);
		volatile uint64_t *p = virt(0, tpa + idx * 8);
		if (!p)
			return;
		w->e[w->n] = p;
		w->tpa[w->n] = tpa;
		uint64_t e = *p;
		w->leaf[w->n] = (e & RV_V) && (e & (RV_R | RV_W | RV_X));
		w->n++;
		if (!(e & RV_V) || (e & (RV_R | RV_W | RV_X)))
			return;
		tpa = (e >> 10 & ((1ull << 44) - 1)) << 12;
	}
}

/* Read-only, read-write, read-execute, all three: the rights libpt maps
 * (PT_READ is required; execute-only comes from perturbations). */
static uint32_t rand_rights(void)
{
	static const uint32_t r[] = { PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXECUTE,
				      PT_READ | PT_WRITE | PT_EXECUTE,
				      PT_READ | PT_WRITE | PT_EXECUTE };
	return r[rnd_below(5)];
}

/* The test VAs of a round: a 1G-aligned window W whose root entry holds
 * nothing else (the trampolines are in root entry 0, or 2 for Sv39). */
#define NMAP 40
static uint64_t win;
static uint64_t map_va[NMAP], map_size[NMAP], map_gpa[NMAP];
static unsigned nmap;
/* VAs whose walk a perturbation changed: probes go there often (a
 * perturbed 4K page inside a 2M mapping is otherwise rarely hit). */
#define NHOT 32
static uint64_t hot[NHOT];
static unsigned nhot;

static uint64_t pick_window(void)
{
	const unsigned lv = levels_of(v_arch);
	const unsigned top = 12 + 9 * (lv - 1); /* the root entry's shift */
	uint64_t w = (8 + rnd_below(240)) << top;
	if (lv > 3)
		w = (1 + rnd_below(254)) << top;
	for (unsigned s = 30; s < top; s += 9)
		w |= rnd_below(511) << s;
	return w;
}

static void build_round(void)
{
	struct pt_config cg = { g_arch, 0, 0 }, cv = { v_arch, 0, 0 };
	int r;
	gpool.next = vpool.next = 0;
	if ((r = pt_init_config(&G, &cg, &g_mm)) || (r = pt_init_config(&V, &cv, &v_mm)))
		panic("pt_init_config", (uint64_t)(int64_t)r, g_arch, v_arch);
	/* G-stage: the image (trampolines), the VS table pool (4K, read and
	 * write), the data in 2M blocks or 4K pages with random rights. */
	r = pt_map_region(&G, RAM_BASE, RAM_BASE, IMG_SIZE, PT_READ | PT_WRITE | PT_EXECUTE,
			  PT_ALLOW_HUGE);
	r = r ? r : pt_map_region(&G, VPOOL_GPA, VPOOL_HPA, (uint64_t)VPOOL_FRAMES * 4096,
				  PT_READ | PT_WRITE, 0);
	for (uint64_t b = 0; !r && b < DATA_SIZE; b += PT_SIZE_2M) {
		if (rnd_below(3) == 0) {
			r = pt_map(&G, DATA_GPA + b, DATA_HPA + b, PT_SIZE_2M, rand_rights());
			continue;
		}
		for (uint64_t p = b; !r && p < b + PT_SIZE_2M; p += 4096)
			if (rnd_below(10))
				r = pt_map(&G, DATA_GPA + p, DATA_HPA + p, PT_SIZE_4K, rand_rights());
	}
	if (r)
		panic("G-stage map", (uint64_t)(int64_t)r, 0, 0);
	/* VS-stage: the trampoline page twice, then random data mappings. */
	r = pt_map(&V, (uint64_t)(uintptr_t)vs_page, (uint64_t)(uintptr_t)vs_page, PT_SIZE_4K,
		   PT_READ | PT_EXECUTE);
	r = r ? r : pt_map(&V, TRAMP_U_VA, (uint64_t)(uintptr_t)vs_page, PT_SIZE_4K,
			   PT_READ | PT_EXECUTE | PT_USER);
	if (r)
		panic("VS-stage trampolines", (uint64_t)(int64_t)r, 0, 0);
	win = pick_window();
	nmap = nhot = 0;
	for (unsigned i = 0; i < NMAP; i++) {
		const unsigned kind = (unsigned)rnd_below(16);
		uint64_t size = kind < 11 ? PT_SIZE_4K : kind < 15 ? PT_SIZE_2M : PT_SIZE_1G;
		uint64_t va, pa;
		uint32_t fl = rand_rights() | (rnd_below(2) ? PT_USER : 0);
		if (size == PT_SIZE_1G) {
			/* The next 1G after the window: data, the VS table pool
			 * and unmapped guest-physical space in one leaf. */
			va = win + PT_SIZE_1G;
			pa = DATA_GPA & ~(PT_SIZE_1G - 1);
		} else {
			va = win + (rnd_below(64) << 21) + (size == PT_SIZE_4K ? rnd_below(512) << 12 : 0);
			pa = DATA_GPA + rnd_below(DATA_SIZE / size) * size;
		}
		if (pt_map(&V, va, pa, size, fl) == PT_OK) {
			map_va[nmap] = va;
			map_gpa[nmap] = pa;
			map_size[nmap++] = size;
		}
	}
}

/* Raw changes a foreign guest OS (VS) or hypervisor (G) might make. */
static void add_hot(uint64_t va)
{
	if (nhot < NHOT)
		hot[nhot++] = va & ~0xfffull;
}

static void perturb_vs(void)
{
	struct walk w;
	const unsigned m = (unsigned)rnd_below(nmap);
	const uint64_t va = map_va[m] + (rnd_below(map_size[m]) & ~0xfffull);
	add_hot(va);
	walk(v_arch, pt_root(&V), v_virt, va, &w);
	if (!w.n)
		return;
	const unsigned i = (unsigned)rnd_below(w.n);
	volatile uint64_t *p = w.e[i];
	const uint64_t e = *p;
	if (!(e & RV_V))
		return;
	if (!w.leaf[i]) {
		static const uint64_t set[] = { RV_G, RV_A, RV_D, RV_U, 0 };
		const unsigned c = (unsigned)rnd_below(5);
		*p = c == 4 ? e & ~RV_V : e | set[c];
		return;
	}
	switch (rnd_below(10)) {
	case 0: *p = e & ~RV_A; break;
	case 1: *p = e & ~RV_D; break;
	case 2: *p = (e & ~(RV_R | RV_W)) | RV_X; break; /* execute-only */
	case 3: *p = (e & ~RV_R) | RV_W; break;          /* reserved */
	case 4: *p = e ^ RV_U; break;
	case 5: *p = e & (e & (RV_R | RV_W) ? ~RV_X : ~0ull); break;
	case 6: *p = e & ~RV_W; break;
	case 7: *p = e & ~RV_V; break;
	case 8: *p = e & ~(RV_A | RV_D); break;
	default: *p = e | RV_X; break;
	}
}

/* A G-stage entry on the way to a data page or to a VS table frame. */
static void perturb_g(void)
{
	struct walk w;
	uint64_t gpa;
	if (rnd_below(3) == 0) {
		/* A table frame of a test VA's VS-stage walk. */
		struct walk vw;
		const unsigned m = (unsigned)rnd_below(nmap);
		walk(v_arch, pt_root(&V), v_virt, map_va[m], &vw);
		if (!vw.n)
			return;
		add_hot(map_va[m]);
		gpa = vw.tpa[rnd_below(vw.n)];
		/* The root alone breaks every probe: only now and then. */
		if (gpa == pt_root(&V) && rnd_below(4))
			return;
	} else {
		/* A page some mapping's VA reaches (the 1G leaf: in the data). */
		const unsigned m = (unsigned)rnd_below(nmap);
		uint64_t off = rnd_below(map_size[m] < DATA_SIZE ? map_size[m] : DATA_SIZE) & ~0xfffull;
		if (map_size[m] == PT_SIZE_1G)
			off += DATA_GPA - map_gpa[m];
		gpa = map_gpa[m] + off;
		add_hot(map_va[m] + off);
	}
	walk(g_arch, pt_root(&G), g_virt, gpa, &w);
	if (!w.n)
		return;
	const unsigned i = rnd_below(4) ? w.n - 1 : (unsigned)rnd_below(w.n);
	volatile uint64_t *p = w.e[i];
	const uint64_t e = *p;
	if (!(e & RV_V))
		return;
	if (!w.leaf[i]) {
		*p = rnd_below(2) ? e & ~RV_V : e | RV_G;
		return;
	}
	switch (rnd_below(9)) {
	case 0: *p = e & ~RV_U; break;
	case 1: *p = e & ~RV_A; break;
	case 2: *p = e & ~RV_D; break;
	case 3: *p = e & ~RV_V; break;
	case 4: *p = e & ~RV_W; break;
	case 5: *p = e & ~RV_X; break;
	case 6: *p = (e & ~(RV_R | RV_W)) | RV_X; break; /* execute-only */
	case 7: *p = (e & ~RV_R) | RV_W; break;          /* reserved */
	default: *p = e & ~(RV_A | RV_D); break;
	}
}

static void tlb_all(void)
{
	__asm__ volatile("hfence.gvma zero, zero\n\thfence.vvma zero, zero\n\tsfence.vma" ::: "memory");
}

/* ---- Probes ------------------------------------------------------------ */

static uint64_t csr_sstatus(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, sstatus" : "=r"(v));
	return v;
}
static uint64_t csr_vsstatus(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, vsstatus" : "=r"(v));
	return v;
}

/* Both regimes with the controls the CPU has now, as the architecture
 * has them: vsstatus.SUM and MXR act on the VS-stage, HS-level
 * sstatus.MXR on both stages. */
static void regimes(struct pt_regime *s1, struct pt_regime *s2)
{
	const uint64_t hs = csr_sstatus(), vs = csr_vsstatus();
	const bool hs_mxr = hs & SSTATUS_MXR;
	*s1 = (struct pt_regime){ v_arch, 0, 0, pt_root(&V), 0, PT_CTL_HA | PT_CTL_HD, 0, 0 };
	*s2 = (struct pt_regime){ g_arch, 0, 0, pt_root(&G), 0, PT_CTL_HA | PT_CTL_HD, 0, 0 };
	if ((vs & SSTATUS_SUM) && QEMU_MUTATE != 3)
		s1->controls |= PT_CTL_SUM;
	if ((vs & SSTATUS_MXR) || hs_mxr)
		s1->controls |= PT_CTL_MXR;
	if (hs_mxr)
		s2->controls |= PT_CTL_MXR;
}

/* QEMU 7.2's regimes where it departs from the architecture. In VS/VU
 * mode it takes MXR for both stages from vsstatus alone; for HLV, HSV and
 * HLVX (from HS) the VS-stage's MXR from HS-level sstatus and the
 * G-stage's from vsstatus, and at SPVP = 1 it translates as if
 * vsstatus.SUM were set. */
static void regimes_qemu(bool real, bool user, struct pt_regime *s1, struct pt_regime *s2)
{
	const uint64_t hs = csr_sstatus(), vs = csr_vsstatus();
	regimes(s1, s2);
	s1->controls &= ~(uint64_t)PT_CTL_MXR;
	s2->controls &= ~(uint64_t)PT_CTL_MXR;
	if ((real ? vs : hs) & SSTATUS_MXR)
		s1->controls |= PT_CTL_MXR;
	if (vs & SSTATUS_MXR)
		s2->controls |= PT_CTL_MXR;
	if (!real && !user)
		s1->controls |= PT_CTL_SUM;
}

/* Counts over the whole run: what the probes covered. */
static unsigned c_ok, c_s1, c_s2_out, c_s2_walk, c_htinst;
static unsigned c_vs, c_emu, c_emu_cause, c_deleg;

/* Whether gpa lies in a table frame of va's VS-stage walk (a stage-2
 * fault there is one of an implicit access). */
static bool vs_table_frame(uint64_t va, uint64_t gpa)
{
	struct walk w;
	walk(v_arch, pt_root(&V), v_virt, va, &w);
	for (unsigned i = 0; i < w.n; i++)
		if (w.tpa[i] == (gpa & ~0xfffull))
			return true;
	return false;
}

/* After a failed check: both stages' entries on va's way, pt_access_nested's
 * fault, the controls. */
static void explain(uint64_t va, const struct pt_fault *f, int rc, unsigned k)
{
	struct walk w;
	uint64_t gpa = 0;
	if (dry || n_shown > 12)
		return;
	pr("  k %u rc %u stage %u kind %u level %u pte %x ipa %x sstatus %x vsstatus %x hstatus %x\n",
	   (uint64_t)k, (uint64_t)(rc + 100), (uint64_t)f->stage, (uint64_t)f->kind,
	   (uint64_t)f->level, f->pte, f->ipa, csr_sstatus(), csr_vsstatus(), f_hstatus);
	walk(v_arch, pt_root(&V), v_virt, va, &w);
	for (unsigned i = 0; i < w.n; i++) {
		pr("  VS[%u] at %x: %x\n", (uint64_t)i, w.tpa[i], *w.e[i]);
		const uint64_t e = *w.e[i];
		gpa = (e >> 10 & ((1ull << 44) - 1)) << 12;
		if (w.leaf[i]) {
			const unsigned sh = 12 + 9 * (w.n - 1 - i) + 9 * (levels_of(v_arch) - w.n);
			gpa = (gpa & ~((1ull << sh) - 1)) | (va & ((1ull << sh) - 1));
		}
		struct walk g;
		walk(g_arch, pt_root(&G), g_virt, i + 1 < w.n ? w.tpa[i + 1] : gpa, &g);
		for (unsigned j = 0; j < g.n; j++)
			pr("    G[%u]: %x\n", (uint64_t)j, *g.e[j]);
	}
}

/* Compare one probe's outcome with pt_access_nested's. `real`: made in
 * VS/VU mode (an execute probe faults as a fetch), else by HLV/HSV/HLVX
 * (execute faults as a load). `val` what the load returned, `stored` what a
 * store wrote. */
static void judge_(const char *what, bool real, enum acc k, uint64_t va, int rc,
		   const struct pt_mapping *m, const struct pt_fault *f, uint64_t val,
		   uint64_t stored)
{
	const bool implicit = rc == PT_ERR_FAULT && f->stage == 2 && vs_table_frame(va, f->ipa);
	static const uint64_t pf[] = { 13, 15, 12 }, gpf[] = { 21, 23, 20 };
	const unsigned ki = real ? (unsigned)k : k == ACC_WRITE ? 1 : 0;
	if (rc == PT_OK) {
		if (!check(!faulted, what, va, f_cause, f_tval))
			return;
		if (!dry)
			c_ok++;
		if (k == ACC_READ)
			check(val == *(volatile uint64_t *)(uintptr_t)m->pa, "load value", va, val, m->pa);
		else if (k == ACC_WRITE) {
			check(*(volatile uint64_t *)(uintptr_t)m->pa == stored, "store landed", va, m->pa,
			      stored);
		} else if (real)
			check(val == 0x5a5a, "fetch ran the stub", va, val, m->pa);
		else
			check(val == *(volatile uint32_t *)(uintptr_t)m->pa, "hlvx value", va, val, m->pa);
		return;
	}
	if (!check(rc == PT_ERR_FAULT, "pt_access_nested rc", va, (uint64_t)(int64_t)rc, 0))
		return;
	if (!check(faulted, what, va, f->stage, f->kind))
		return;
	check(f_tval == va, "stval", va, f_tval, va);
	if (delegated) {
		/* Only VS-stage page faults may reach VS-mode. */
		check(f->stage == 1, "delegated fault at stage 1", va, f->stage, f_cause);
		if (!dry)
			c_deleg++;
	} else
		check(f_hstatus & HSTATUS_GVA, "hstatus.GVA", va, f_hstatus, 0);
	if (f->stage == 1) {
		if (!dry)
			c_s1++;
		check(f_cause == pf[ki], "cause (stage 1)", va, f_cause, pf[ki]);
		check(f_htval == 0, "htval (stage 1)", va, f_htval, 0);
		return;
	}
	if (!dry)
		*(implicit ? &c_s2_walk : &c_s2_out) += 1;
	/* QEMU 7.2 raises a G-stage fault on a VS-stage table read as a load
	 * guest-page fault whatever the access (the architecture: the cause
	 * of the access that started the walk): counted. */
	if (implicit && gpf[ki] != 21 && f_cause == 21) {
		if (!dry)
			c_emu_cause++;
	} else
		check(f_cause == gpf[ki], "cause (stage 2)", va, f_cause, gpf[ki]);
	const unsigned sh = QEMU_MUTATE == 2 ? 1 : 2;
	check(f_htval == f->ipa >> sh, "htval", va, f_htval, f->ipa >> sh);
	/* htinst: 0, or for a VS-stage table read the pseudoinstruction of a
	 * 64-bit implicit load (0x3000). */
	check(f_htinst == 0 || (implicit && f_htinst == 0x3000), "htinst", va, f_htinst, implicit);
	if (f_htinst && !dry)
		c_htinst++;
}

static void judge(const char *what, bool real, enum acc k, uint64_t va, int rc,
		  const struct pt_mapping *m, const struct pt_fault *f, uint64_t val,
		  uint64_t stored)
{
	const unsigned nf = n_fail;
	judge_(what, real, k, va, rc, m, f, val, stored);
	if (n_fail != nf)
		explain(va, f, rc, k);
}

/* A VS-mode or VU-mode access: the trampoline's own fetch comes first. */
static uint64_t tramp_va(bool user)
{
	return user ? TRAMP_U_VA : (uint64_t)(uintptr_t)vs_page;
}

static const unsigned acc_bits[] = { PT_ACCESS_READ, PT_ACCESS_WRITE, PT_ACCESS_EXEC };

/* What one model of the CPU expects of a probe: pt_access_nested's answer,
 * the VA and kind the fault (if any) is for (a VS/VU probe's trampoline
 * fetch comes first), and the word a store would overwrite. */
struct verdict {
	int rc;
	struct pt_mapping m;
	struct pt_fault f;
	uint64_t va, old;
	enum acc k;
};

static void expect(struct verdict *d, const struct pt_regime *s1, const struct pt_regime *s2,
		   bool real, bool user, enum acc k, uint64_t va, bool hlvx_read)
{
	const unsigned u = user ? PT_ACCESS_USER : 0;
	d->va = va, d->k = k, d->old = 0;
	if (real) {
		const uint64_t t = tramp_va(user) + 8 * (unsigned)k;
		d->rc = pt_access_nested(s1, s2, &host_mm, t, PT_ACCESS_EXEC | u, &d->m, &d->f);
		if (d->rc != PT_OK) {
			d->va = t, d->k = ACC_EXEC;
			return;
		}
	}
	d->rc = pt_access_nested(s1, s2, &host_mm, va,
				 (hlvx_read && k == ACC_EXEC ? PT_ACCESS_READ : acc_bits[k]) | u, &d->m,
				 &d->f);
	if (d->rc == PT_OK && k == ACC_WRITE)
		d->old = *(volatile uint64_t *)(uintptr_t)d->m.pa;
}

/* Whether the outcome just recorded matches verdict d (nothing counted). */
static bool matches(const struct verdict *d, bool real, uint64_t val, uint64_t stored)
{
	dry = true, dry_bad = false;
	judge(real ? "VS/VU" : "HLV", real, d->k, d->va, d->rc, &d->m, &d->f, val, stored);
	dry = false;
	return !dry_bad;
}

static void restore(const struct verdict *d)
{
	if (d->rc == PT_OK && d->k == ACC_WRITE)
		*(volatile uint64_t *)(uintptr_t)d->m.pa = d->old;
}

/* One probe, from HS with HLV/HSV/HLVX (real = false) or for real in VS or
 * VU mode. The architecture's verdict must hold; where it does not, QEMU
 * 7.2's known departures (regimes_qemu; HLVX checked as a load) must
 * explain the outcome, and the probe is counted, not passed. */
static void probe_mode(bool real, uint64_t va, enum acc k, bool user)
{
	struct pt_regime s1, s2, q1, q2;
	struct verdict arch, qemu;
	const uint64_t v = rnd();
	uint64_t val = 0;
	regimes(&s1, &s2);
	regimes_qemu(real, user, &q1, &q2);
	expect(&arch, &s1, &s2, real, user, k, va, false);
	expect(&qemu, &q1, &q2, real, user, k, va, !real);
	if (user)
		__asm__ volatile("csrc hstatus, %0" : : "r"(HSTATUS_SPVP));
	else
		__asm__ volatile("csrs hstatus, %0" : : "r"(HSTATUS_SPVP));
	/* Half the VS/VU probes delegate VS-stage page faults to VS-mode. */
	const uint64_t hedeleg = real && rnd_below(2) ? (1u << 12) | (1u << 13) | (1u << 15) : 0;
	__asm__ volatile("csrw hedeleg, %0" : : "r"(hedeleg));
	tlb_all();
	faulted = delegated = 0;
	probing = 1;
	if (real) {
		const bool as_user = QEMU_MUTATE == 4 ? !user : user;
		val = enter_vs(tramp_va(as_user) + 8 * (unsigned)k, va, v, !as_user);
	} else if (k == ACC_READ)
		val = hlv_d(va);
	else if (k == ACC_WRITE)
		hsv_d(va, v);
	else
		val = hlvx_wu(va);
	probing = 0;
	__asm__ volatile("csrw hedeleg, zero");
	if (real)
		c_vs++;
	if (!matches(&arch, real, val, v)) {
		if (matches(&qemu, real, val, v)) {
			c_emu++;
			goto done;
		}
	}
	judge(real ? (user ? "VU verdict" : "VS verdict") : "HLV verdict", real, arch.k, arch.va,
	      arch.rc, &arch.m, &arch.f, val, v);
done:
	restore(&qemu);
	restore(&arch);
}

static void probe_one(uint64_t va, enum acc k, bool user)
{
	probe_mode(false, va, k, user);
	probe_mode(true, va, k, user);
}

/* The VA of one probe: mostly inside a mapping, sometimes anywhere in the
 * window. */
static uint64_t probe_va(enum acc k)
{
	uint64_t va;
	if (nhot && rnd_below(2))
		va = hot[rnd_below(nhot)];
	else if (rnd_below(8) == 0)
		va = win + (rnd_below(1u << 30) & ~0xfffull);
	else {
		const unsigned i = (unsigned)rnd_below(nmap);
		va = map_va[i] + (rnd_below(map_size[i]) & ~0xfffull);
	}
	/* Loads and stores after the stub, fetches at it. */
	return k == ACC_EXEC ? va : va + 16 + 8 * rnd_below(510);
}

/* Fresh tables in hgatp (pt_hgatp) and vsatp (pt_satp); false if the CPU
 * refused the hgatp value. */
static bool load_round(void)
{
	build_round();
	uint64_t hgatp = pt_hgatp(&G, vmid), back;
	if (QEMU_MUTATE == 1)
		hgatp += 1ull << 60;
	__asm__ volatile("csrw hgatp, %1\n\tcsrr %0, hgatp" : "=r"(back) : "r"(hgatp));
	if (!check(back == hgatp, "hgatp accepted", 0, back, hgatp))
		return false;
	__asm__ volatile("csrw vsatp, %0" : : "r"(pt_satp(&V, 0)));
	tlb_all();
	return true;
}

/* One pair of formats: rounds of fresh tables, perturbations, probes,
 * under random sstatus.MXR, vsstatus.SUM and vsstatus.MXR. */
static void run_pair(const struct pairfmt *pf, enum pt_arch va, unsigned rounds)
{
	g_arch = pf->g;
	v_arch = va;
	for (unsigned r = 0; r < rounds; r++) {
		if (!load_round())
			return;
		/* Rounds alternate between clean tables and perturbed ones. */
		const unsigned np = r & 1 ? 4 + (unsigned)rnd_below(12) : 0;
		for (unsigned i = 0; i < np; i++) {
			if (rnd_below(2))
				perturb_vs();
			else
				perturb_g();
		}
		tlb_all();
		for (unsigned i = 0; i < 120; i++) {
			const uint64_t hsm = rnd_below(4) == 0 ? SSTATUS_MXR : 0;
			const uint64_t vsm = (rnd_below(2) ? SSTATUS_SUM : 0) |
					     (rnd_below(4) == 0 ? SSTATUS_MXR : 0);
			__asm__ volatile("csrc sstatus, %0\n\tcsrs sstatus, %1\n\t"
					 "csrc vsstatus, %2\n\tcsrs vsstatus, %3"
					 : : "r"(SSTATUS_MXR), "r"(hsm), "r"(SSTATUS_SUM | SSTATUS_MXR),
					   "r"(vsm));
			const enum acc k = (enum acc)rnd_below(3);
			probe_one(probe_va(k), k, rnd_below(2));
		}
		__asm__ volatile("csrc sstatus, %0" : : "r"(SSTATUS_MXR));
	}
}

/* ---- A/D: QEMU 7.2 sets them in both stages ---------------------------- */

/* A clear A in a VS leaf and in the G leaf below it: a read passes and
 * leaves A set in both; a write leaves D set in both. */
static void check_ad(void)
{
	struct walk vw, gw;
	if (!load_round())
		return;
	/* Past the round's data mappings (the first 64 2M slots). */
	const uint64_t va = win + (64ull << 21);
	if (pt_map(&V, va, DATA_GPA, PT_SIZE_4K, PT_READ | PT_WRITE) != PT_OK)
		return;
	walk(v_arch, pt_root(&V), v_virt, va, &vw);
	walk(g_arch, pt_root(&G), g_virt, DATA_GPA, &gw);
	volatile uint64_t *ve = vw.e[vw.n - 1], *ge = gw.e[gw.n - 1];
	*ge = (*ge | RV_V | RV_R | RV_W | RV_U) & ~(RV_A | RV_D);
	*ve &= ~(RV_A | RV_D);
	tlb_all();
	__asm__ volatile("csrs hstatus, %0" : : "r"(HSTATUS_SPVP));
	faulted = 0;
	probing = 1;
	(void)hlv_d(va + 64);
	probing = 0;
	check(!faulted, "A clear: read passes", va, f_cause, f_htval);
	check((*ve & (RV_A | RV_D)) == RV_A, "A clear: VS leaf A set, D not", va, *ve, 0);
	check((*ge & (RV_A | RV_D)) == RV_A, "A clear: G leaf A set, D not", va, *ge, 0);
	tlb_all();
	faulted = 0;
	probing = 1;
	hsv_d(va + 64, *(volatile uint64_t *)(uintptr_t)(DATA_HPA + 64));
	probing = 0;
	check(!faulted, "D clear: write passes", va, f_cause, f_htval);
	check((*ve & (RV_A | RV_D)) == (RV_A | RV_D), "D clear: VS leaf D set", va, *ve, 0);
	check((*ge & (RV_A | RV_D)) == (RV_A | RV_D), "D clear: G leaf D set", va, *ge, 0);

	/* A and D clear in the G-stage leaf over the VS-stage leaf's table
	 * frame: the walk's read of that table (for a load and for a store
	 * alike) passes and sets A there, never D. */
	struct walk tw;
	walk(g_arch, pt_root(&G), g_virt, vw.tpa[vw.n - 1], &tw);
	volatile uint64_t *te = tw.e[tw.n - 1];
	for (unsigned w = 0; w < 2; w++) {
		*te &= ~(RV_A | RV_D);
		tlb_all();
		faulted = 0;
		probing = 1;
		if (w)
			hsv_d(va + 64, *(volatile uint64_t *)(uintptr_t)(DATA_HPA + 64));
		else
			(void)hlv_d(va + 64);
		probing = 0;
		check(!faulted, "A clear over a VS table: the access passes", va, f_cause, w);
		check((*te & (RV_A | RV_D)) == RV_A, "A clear over a VS table: A set, D not", va,
		      *te, w);
	}
}

static void tag_data(void)
{
	for (uint64_t p = DATA_HPA; p < DATA_HPA + DATA_SIZE; p += 8)
		*(volatile uint64_t *)(uintptr_t)p = p;
	for (uint64_t p = DATA_HPA; p < DATA_HPA + DATA_SIZE; p += 4096)
		memcpy((void *)(uintptr_t)p, stub_start, (size_t)(stub_end - stub_start));
	__asm__ volatile("fence.i" ::: "memory");
}

/* HS-mode runs on an Sv39 identity map of RAM and the devices, not Bare:
 * QEMU 7.2 picks page fault or access fault for a VS-stage fault by the
 * MODE of the HS satp (not vsatp), so under a Bare satp every VS-stage
 * page fault would be raised as an access fault (1/5/7). */
static void hs_paging(void)
{
	static struct pt_table H;
	int r = pt_init(&H, PT_RISCV_SV39, 0, &h_mm);
	r = r ? r : pt_map_region(&H, RAM_BASE, RAM_BASE, RAM_END - RAM_BASE,
				  PT_READ | PT_WRITE | PT_EXECUTE, PT_ALLOW_HUGE);
	r = r ? r : pt_map(&H, UART, UART, PT_SIZE_4K, PT_READ | PT_WRITE | PT_DEVICE);
	r = r ? r : pt_map(&H, FINISHER, FINISHER, PT_SIZE_4K, PT_READ | PT_WRITE | PT_DEVICE);
	if (r)
		panic("HS identity map", (uint64_t)(int64_t)r, 0, 0);
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" : : "r"(pt_satp(&H, 0)) : "memory");
}

__attribute__((noreturn)) void guest_main(void);
__attribute__((noreturn)) void guest_main(void)
{
	bool ok = true;
	tag_data();
	hs_paging();
	__asm__ volatile("csrw hedeleg, zero\n\tcsrw hideleg, zero\n\tcsrw vstvec, %0"
			 : : "r"((uint64_t)(uintptr_t)vs_handler) : "memory");
	for (unsigned i = 0; i < sizeof gfmts / sizeof gfmts[0]; i++) {
		n_pass = n_fail = n_shown = 0;
		c_ok = c_s1 = c_s2_out = c_s2_walk = c_htinst = c_vs = c_emu = c_emu_cause = c_deleg = 0;
		for (unsigned j = 0; j < 3; j++)
			run_pair(&gfmts[i], vfmts[j], 6);
		check_ad();
		/* Every kind of verdict came up, in both kinds of probe. */
		check(c_ok && c_s1 && c_s2_out && c_s2_walk && c_vs && c_deleg, "coverage", 0,
		      (uint64_t)c_ok << 32 | c_s1, (uint64_t)c_s2_out << 32 | c_s2_walk);
		pr("%s: %u allowed, %u stage-1 faults, %u stage-2 faults on the output and %u on "
		   "a VS table read (htinst 0x3000 on %u); %u probes in VS/VU-mode, as many by "
		   "HLV/HSV/HLVX. Counted, not passed (QEMU 7.2 departs from the architecture): "
		   "%u by its MXR/SUM/HLVX rules, %u table-read faults raised as loads; %u VS-stage faults delegated to VS-mode\n",
		   gfmts[i].name, (uint64_t)c_ok, (uint64_t)c_s1, (uint64_t)c_s2_out,
		   (uint64_t)c_s2_walk, (uint64_t)c_htinst, (uint64_t)c_vs, (uint64_t)c_emu,
		   (uint64_t)c_emu_cause, (uint64_t)c_deleg);
		pr("[group] qemu %s: %u passed, %u failed\n", gfmts[i].name, (uint64_t)n_pass,
		   (uint64_t)n_fail);
		ok = ok && !n_fail;
	}
	finish(ok);
}
