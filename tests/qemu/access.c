/* SPDX-License-Identifier: MIT */
/*
 * <format>/access: pt_access against the MMU, on tables other OSes would
 * write.
 *
 * The group builds its own table with libpt (4K pages in clusters that
 * share their upper tables, and huge pages, random flags, all aliasing the
 * tagged region T), switches it on, then perturbs it as a foreign OS does:
 * raw writes of the bits libpt never writes (upper-level permissions,
 * cleared access flags and dirty bits, execute-only leaves, reserved
 * encodings: arch_acc_perturb says which per format), each round followed
 * by a full TLB flush. For random (VA, access mode, access kind) probes it
 * asks pt_access what the MMU will do under the regime the guest really
 * runs with (the controls read from the CPU's registers in that mode,
 * arch_acc_controls), does the access for real with probe() and compares:
 * allowed or faulted; for an allowed access, the frame it reached; for a
 * fault, what the trap handler can tell (arch_acc_fault_ok: error code,
 * cause, fault status and level, fault address). Perturbations only touch
 * entries whose span holds no page the guest itself runs on; they are all
 * undone before pt_destroy.
 *
 * Not failed, but counted and printed: where QEMU 7.2 is known to differ
 * from the architecture manual that pt_access follows, the arch hooks
 * accept QEMU's answer (arch_acc_fault_ok, arch_acc_emu_allows; g_acc_emu),
 * and walks through an entry changed in a way struct pt_regime cannot
 * describe (address bits above the CPU's physical address width:
 * ACC_UNMODELLED) are libpt's known limit (g_known).
 *
 * QEMU_MUTATE 10: pt_access is asked with the table (non-leaf) entries
 * restored, i.e. the expectation ignores upper-level bits; 11: the regime's
 * controls are read once, in the first mode, not in each mode; 12: a write
 * is asked of pt_access as a read.
 */
#include "common.h"

#define ACC_MAPS 56
#define ACC_HOLES 16
#define ACC_ROUNDS 16
#define ACC_PROBES 180     /* per round, shared by the modes */
#define ACC_MAX_LEVELS 5
#define ACC_LOG 64

struct amap {
	uint64_t va, pa, len;
	unsigned n;                      /* entries on the walk (last: leaf or empty) */
	uint64_t slot[ACC_MAX_LEVELS];   /* PA of each entry on the walk */
	bool mapped;
};

static struct amap maps[ACC_MAPS + ACC_HOLES];
static unsigned nmaps, nholes;

static struct {
	uint64_t slot, old, now;
	bool leaf, unmodelled;
} plog[ACC_LOG];
static unsigned nlog;

static unsigned pte_bytes(void)
{
	return F->arch == PT_ARMV7 ? 4 : 8;
}

static uint64_t rd_pte(uint64_t pa)
{
	if (pte_bytes() == 4)
		return *(volatile uint32_t *)(uintptr_t)pa;
	return *word(pa);
}

static void wr_pte(uint64_t pa, uint64_t v)
{
	if (pte_bytes() == 4)
		*(volatile uint32_t *)(uintptr_t)pa = (uint32_t)v;
	else
		*word(pa) = v;
}

/* Shift of the span of one entry at level l (0 = root). */
static unsigned lvl_shift(unsigned l)
{
	unsigned levels = pt_arch_info(F->arch)->levels;
	if (F->arch == PT_ARMV7)
		return l ? 12 : 20;
	return 12 + 9 * (levels - 1 - l);
}

static uint64_t lvl_index(unsigned l, uint64_t va)
{
	uint64_t n = F->arch == PT_ARMV7 ? (l ? 256 : 4096) : 512;
	return (va >> lvl_shift(l)) & (n - 1);
}

/* The walk to va as libpt left it (before any perturbation). */
static unsigned walk_slots(uint64_t va, uint64_t *slot)
{
	unsigned levels = pt_arch_info(F->arch)->levels;
	uint64_t tpa = pt_root(&T);
	for (unsigned l = 0; l < levels; l++) {
		slot[l] = tpa + lvl_index(l, va) * pte_bytes();
		uint64_t e = rd_pte(slot[l]);
		struct pt_entry d;
		if (!e || pt_pte_decode(F->arch, F->features, l, e, &d) != PT_OK || d.leaf)
			return l + 1;
		tpa = d.pa;
	}
	return levels;
}

/* Whether the span of the entry at level l on va's walk holds nothing the
 * guest runs on (its RAM, its devices, the RISC-V user trampoline). */
static bool span_free(unsigned l, uint64_t va)
{
	uint64_t s = UINT64_C(1) << lvl_shift(l), lo = va & ~(s - 1), hi = lo + s - 1;
	uint64_t b = va_bits() >= 64 ? ~0ull : (UINT64_C(1) << va_bits()) - 1;
	lo &= b;
	hi &= b;
	if (lo <= arch_ram_base + arch_ram_size - 1 && arch_ram_base <= hi)
		return false;
	if (lo <= 0x40000fffull && 0x40000000ull <= hi)
		return false;
	for (unsigned i = 0; arch_dev_ranges[i][1]; i++)
		if (lo <= arch_dev_ranges[i][0] + arch_dev_ranges[i][1] - 1 &&
		    arch_dev_ranges[i][0] <= hi)
			return false;
	return true;
}

static void restore_all(void)
{
	while (nlog) {
		nlog--;
		wr_pte(plog[nlog].slot, plog[nlog].old);
	}
}

static unsigned g_perturbs, g_by_level[ACC_MAX_LEVELS][2];
/* The walks that cross a perturbed entry this round: most probes go there. */
static unsigned affected[ACC_MAPS + ACC_HOLES], naffected;

/* Whether m's walk crosses an entry changed in a way pt_regime cannot
 * describe. */
static bool unmodelled(const struct amap *m)
{
	for (unsigned l = 0; l < m->n; l++)
		for (unsigned j = 0; j < nlog; j++)
			if (plog[j].unmodelled && plog[j].slot == m->slot[l])
				return true;
	return false;
}

static void find_affected(void)
{
	naffected = 0;
	for (unsigned i = 0; i < nmaps + nholes; i++) {
		bool hit = false;
		for (unsigned l = 0; l < maps[i].n && !hit; l++)
			for (unsigned j = 0; j < nlog && !hit; j++)
				hit = plog[j].slot == maps[i].slot[l];
		if (hit)
			affected[naffected++] = i;
	}
}

static const struct amap *pick_map(void)
{
	if (naffected && rnd_below(4))
		return &maps[affected[rnd_below(naffected)]];
	return &maps[rnd_below(nmaps + nholes)];
}

/* One raw change to one entry on a mapping's walk. For a 4K leaf of a
 * granule of several, every leaf of the granule changes alike (the
 * emulator translates the granule as one). */
static void perturb_one(void)
{
	for (int tries = 0; tries < 16; tries++) {
		const struct amap *m = &maps[rnd_below(nmaps + nholes)];
		/* Half the time the leaf, else an upper entry on the walk. */
		unsigned l = (unsigned)rnd_below(m->n);
		if (m->mapped && (rnd() & 1))
			l = m->n - 1;
		bool leaf = m->mapped && l == m->n - 1;
		if (!m->n || !(leaf || span_free(l, m->va)) || (!m->mapped && l == m->n - 1))
			continue;
		uint64_t e = rd_pte(m->slot[l]), set = 0, clr = 0;
		int how = arch_acc_perturb(F, l, leaf, e, &set, &clr);
		if (!how)
			continue;
		unsigned copies = leaf && l == pt_arch_info(F->arch)->levels - 1 ? gran() / 4096 : 1;
		for (unsigned c = 0; c < copies && nlog < ACC_LOG; c++) {
			uint64_t at = m->slot[l] + c * pte_bytes(), old = rd_pte(at);
			plog[nlog].slot = at;
			plog[nlog].old = old;
			plog[nlog].now = (old | set) & ~clr;
			plog[nlog].leaf = leaf;
			plog[nlog].unmodelled = how == ACC_UNMODELLED;
			wr_pte(at, plog[nlog].now);
			nlog++;
		}
		g_perturbs++;
		g_by_level[l][leaf]++;
		return;
	}
}

/* ---- One probe ---------------------------------------------------------- */

unsigned g_acc_emu;
static unsigned g_known, g_agree, g_disagree, g_allowed, g_kind_checked, g_skipped;
static unsigned g_mode_n[8][2];
static unsigned g_kinds[PT_FAULT_BUS + 1]; /* pt_access's verdicts, PT_FAULT_NONE: allowed */
static uint64_t g_ctl0;

static void show_walk(const struct amap *m)
{
	for (unsigned l = 0; l < m->n; l++)
		gprintf("      level %u entry at %llx: %llx\n", l, (unsigned long long)m->slot[l],
			(unsigned long long)rd_pte(m->slot[l]));
}

static int expect(const struct pt_regime *r, uint64_t va, unsigned acc, struct pt_mapping *out,
		  struct pt_fault *pf)
{
	int rc;
	if (QEMU_MUTATE == 10)
		for (unsigned i = 0; i < nlog; i++)
			if (!plog[i].leaf)
				wr_pte(plog[i].slot, plog[i].old);
	rc = pt_access(r, &g_mm, va, acc, out, pf);
	if (QEMU_MUTATE == 10)
		for (unsigned i = 0; i < nlog; i++)
			if (!plog[i].leaf)
				wr_pte(plog[i].slot, plog[i].now);
	return rc;
}

static void probe_acc(unsigned am, const struct amap *m, enum acc k)
{
	static const char *const kname[] = { "read", "write", "exec" };
	static const unsigned kacc[] = { PT_ACCESS_READ, PT_ACCESS_WRITE, PT_ACCESS_EXEC };
	uint64_t va, pa = 0;
	bool user = false;

	if (k == ACC_EXEC) {
		if (!m->mapped)
			va = m->va;
		else if (t_base - m->pa < m->len)
			va = m->va + (t_base - m->pa);
		else
			return;
	} else if (!m->mapped) {
		va = m->va + 8 * rnd_below(512);
	} else {
		uint64_t lo = m->pa > t_base + STUB_BYTES ? m->pa : t_base + STUB_BYTES;
		uint64_t hi = m->pa + m->len < t_base + T_SIZE ? m->pa + m->len : t_base + T_SIZE;
		if (lo >= hi)
			return;
		pa = lo + 8 * rnd_below((hi - lo) / 8);
		va = m->va + (pa - m->pa);
	}
	if (m->mapped && k == ACC_EXEC)
		pa = t_base;

	unsigned pm = arch_acc_enter(F, am, &user);
	if (!arch_mode_can(pm, k)) {
		arch_acc_leave(F, am);
		return;
	}
	struct pt_regime rg = { F->arch, F->features, 0, pt_root(&T), 0, 0, 0, 0 };
	rg.controls = QEMU_MUTATE == 11 ? g_ctl0 : arch_acc_controls(F);
	rg.attrs = arch_acc_attrs(F);
	unsigned acc = kacc[k] | (user ? PT_ACCESS_USER : 0);
	if (QEMU_MUTATE == 12 && k == ACC_WRITE)
		acc = PT_ACCESS_READ | (user ? PT_ACCESS_USER : 0);
	struct pt_mapping out = { 0, 0, 0, 0 };
	struct pt_fault pf = { PT_FAULT_NONE, 0, 0, 0, 0, 0 };
	int rc = expect(&rg, va, acc, &out, &pf);
	bool want = rc == PT_OK;
	if (rc != PT_OK && rc != PT_ERR_FAULT) {
		arch_acc_leave(F, am);
		check(false, "pt_access error", va, (uint64_t)(int64_t)rc, rg.controls);
		return;
	}
	if (arch_acc_skip(F, k, rc, &pf, &out)) {
		arch_acc_leave(F, am);
		g_skipped++;
		return;
	}
	if ((unsigned)pf.kind <= PT_FAULT_BUS)
		g_kinds[want ? PT_FAULT_NONE : pf.kind]++;
	uint64_t before = pa ? *word(pa) : 0, val = ~pa ^ (rnd() & 0xff00);
	uint64_t v = probe(pm, k, va, val);
	bool faulted = g_faulted;
	arch_acc_leave(F, am);
	if (am < 8)
		g_mode_n[am][faulted]++;

	bool ok = want == !faulted;
	const char *what = "allowed/faulted";
	if (!want && !faulted && arch_acc_emu_allows(F, k, &pf)) {
		g_acc_emu++;
		ok = true;
	} else if (ok && !faulted) {
		if (k == ACC_READ)
			ok = v == pa && out.pa == pa, what = "read: frame";
		else if (k == ACC_WRITE)
			ok = *word(pa) == val && out.pa == pa, what = "write: frame";
		else
			ok = v == PROBE_MAGIC, what = "exec: stub";
	} else if (ok) {
		ok = arch_acc_fault_ok(F, k, va, &pf), what = "fault kind";
	}
	if (k == ACC_WRITE && pa) {
		if (faulted && *word(pa) != before)
			ok = false, what = "faulting write changed memory";
		*word(pa) = before;
	}
	if (ok) {
		g_agree++;
		g_pass++;
		if (faulted)
			g_kind_checked++;
		else if (want)
			g_allowed++;
		return;
	}
	bool known = unmodelled(m);
	if (known) {
		g_known++;
	} else {
		g_disagree++;
		check(false, what, va, (uint64_t)(int64_t)rc, faulted);
	}
	if ((known && g_known <= 3) || (!known && g_shown <= 40)) {
		if (known)
			gprintf("  %s: access: libpt's known limit (%s):\n", F->name, what);
		gprintf("    %s %s %s va=%llx: pt_access %s kind %u level %u pte %llx (pa %llx "
			"flags %x); CPU %s cause %llx addr %llx; controls %llx\n",
			F->name, arch_acc_mode_name(F, am), kname[k], (unsigned long long)va,
			rc == PT_OK ? "allows" : "faults", (unsigned)pf.kind, pf.level,
			(unsigned long long)pf.pte, (unsigned long long)out.pa, out.flags,
			faulted ? "faulted" : "allowed", (unsigned long long)g_fault_cause,
			(unsigned long long)g_fault_addr, (unsigned long long)rg.controls);
		show_walk(m);
	}
}

/* ---- The group ---------------------------------------------------------- */

static uint32_t rand_flags(void)
{
	return PT_READ | ((uint32_t)rnd() & F->flag_mask);
}

/* Field by field: a struct copy would call the ARM EABI's memclr. */
static void set_map(struct amap *m, uint64_t va, uint64_t pa, uint64_t len, bool mapped)
{
	m->va = va;
	m->pa = pa;
	m->len = len;
	m->n = 0;
	m->mapped = mapped;
}

static bool add_map(uint64_t va, uint64_t pa, uint64_t size)
{
	int r = size == 4096 ? map_small(va, pa, rand_flags()) : pt_map(&T, va, pa, size, rand_flags());
	if (r == PT_ERR_ALREADY_MAPPED || r == PT_ERR_MAPPED_TO_HUGE_PAGE)
		return false;
	if (!check(r == PT_OK, "access: pt_map", va, (uint64_t)(int64_t)r, size))
		return false;
	set_map(&maps[nmaps++], va, pa, size == 4096 ? gran() : size, true);
	return true;
}

void check_access(void)
{
	g_phase = "access: build";
	g_acc_emu = 0;
	g_known = g_agree = g_disagree = g_allowed = g_kind_checked = g_skipped = 0;
	g_perturbs = 0;
	memset(g_by_level, 0, sizeof g_by_level);
	memset(g_mode_n, 0, sizeof g_mode_n);
	memset(g_kinds, 0, sizeof g_kinds);
	nmaps = nholes = nlog = 0;
	shadow_clear();
	int r = pt_init(&T, F->arch, F->features, &g_mm);
	if (!check(r == PT_OK, "pt_init", 0, (uint64_t)(int64_t)r, 0))
		return;
	if (!F->identity_elsewhere) {
		r = guest_map_identity(&T);
		check(r == PT_OK, "identity map", arch_ram_base, (uint64_t)(int64_t)r, 0);
	}
	arch_table_setup(F, &T);

	/* Huge pages: one or two of each size (each aliases T). */
	uint64_t sizes = pt_arch_info(F->arch)->leaf_sizes;
	for (uint64_t s = PT_SIZE_4K << 1; s && s <= PT_SIZE_1G; s <<= 1) {
		if (!(sizes & s))
			continue;
		for (int j = 0; j < (s <= PT_SIZE_2M ? 4 : 2); j++)
			for (int tries = 0; tries < 32; tries++) {
				uint64_t pa = t_base & ~(s - 1);
				if (s <= PT_SIZE_2M && (j & 1))
					pa = t_base + s;
				if (add_map(rand_va(s), pa, s))
					break;
			}
	}
	/* 4K pages in a few clusters: their upper tables are shared, so one
	 * perturbed upper entry governs several leaves. */
	uint64_t base[4];
	for (int c = 0; c < 4; c++)
		base[c] = rand_va(PT_SIZE_2M);
	for (int tries = 0; nmaps < ACC_MAPS && tries < 4 * ACC_MAPS; tries++) {
		uint64_t va = base[rnd_below(4)] + rnd_below(PT_SIZE_2M / gran()) * gran();
		if ((rnd() & 3) == 0)
			va = rand_va(gran());
		uint64_t pa = (rnd() & 3) == 0 ? t_base : t_base + rnd_below(T_SIZE / gran()) * gran();
		if (pt_va_valid(F->arch, va))
			add_map(va, pa, 4096);
	}
	/* Holes next to the clusters: walks that end at an empty entry. */
	for (int tries = 0; nholes < ACC_HOLES && tries < 8 * ACC_HOLES; tries++) {
		uint64_t va = base[rnd_below(4)] + rnd_below(PT_SIZE_2M / gran()) * gran();
		if (tries & 1)
			va = rand_va(gran());
		struct pt_mapping mp;
		bool free = pt_va_valid(F->arch, va);
		for (uint64_t o = 0; free && o < gran(); o += 4096)
			free = pt_query(&T, va + o, &mp) == PT_ERR_NOT_MAPPED;
		if (free)
			set_map(&maps[nmaps + nholes++], va, 0, gran(), false);
	}
	for (unsigned i = 0; i < nmaps + nholes; i++)
		maps[i].n = walk_slots(maps[i].va, maps[i].slot);
	size_t frames = pool_inuse;

	arch_mmu_on(F, &T);
	unsigned nm = arch_acc_nmodes(F);
	bool u0;
	(void)arch_acc_enter(F, 0, &u0);
	g_ctl0 = arch_acc_controls(F);
	arch_acc_leave(F, 0);

	for (unsigned round = 0; round < ACC_ROUNDS; round++) {
		g_phase = "access: probes";
		restore_all();
		/* Round 0: the table as libpt wrote it. */
		unsigned np = round ? 2 + (unsigned)rnd_below(8) : 0;
		for (unsigned i = 0; i < np; i++)
			perturb_one();
		find_affected();
		pt_flush_tlb_native(NULL, 0, true);
		for (unsigned am = 0; am < nm; am++)
			for (unsigned i = 0; i < ACC_PROBES / nm; i++)
				probe_acc(am, pick_map(), (enum acc)rnd_below(ACC_COUNT));
	}
	restore_all();
	pt_flush_tlb_native(NULL, 0, true);
	arch_mmu_off(F);

	gprintf("  %s: access: %u mappings, %u holes, %u table frames; %u perturbations "
		"(leaf/table by level:", F->name, nmaps, nholes, (unsigned)frames, g_perturbs);
	for (unsigned l = 0; l < pt_arch_info(F->arch)->levels; l++)
		gprintf(" %u/%u", g_by_level[l][1], g_by_level[l][0]);
	gprintf(")\n  %s: access: %u probes agree with pt_access (%u allowed, %u faults with "
		"the kind checked; %u of all as the emulator, not the manual, has it), "
		"%u disagree, %u skipped\n", F->name, g_agree, g_allowed, g_kind_checked, g_acc_emu,
		g_disagree, g_skipped);
	if (g_known)
		gprintf("  %s: access: %u probes disagree where the walk crosses an entry "
			"struct pt_regime cannot describe (counted, not failed)\n", F->name, g_known);
	gprintf("  %s: access: pt_access said: allowed %u, not present %u, permission %u, "
		"access flag %u, dirty %u, reserved %u\n", F->name, g_kinds[PT_FAULT_NONE],
		g_kinds[PT_FAULT_NOT_PRESENT], g_kinds[PT_FAULT_PERMISSION],
		g_kinds[PT_FAULT_ACCESS_FLAG], g_kinds[PT_FAULT_DIRTY], g_kinds[PT_FAULT_RESERVED]);
	for (unsigned am = 0; am < nm && am < 8; am++)
		gprintf("  %s: access: mode %s: %u worked, %u faulted\n", F->name,
			arch_acc_mode_name(F, am), g_mode_n[am][0], g_mode_n[am][1]);
	pt_destroy(&T);
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
}
