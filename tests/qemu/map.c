/* SPDX-License-Identifier: MIT */
/*
 * The format's main group, "[group] qemu <format>", and the run of one
 * format (run_fmt), which ends with the format's other groups.
 *
 * Build a table with libpt that identity-maps the guest (RAM + devices) and
 * adds test mappings: random 4K pages and huge pages of every size the
 * format has, all aliasing the tagged region T. Switch the MMU on with it
 * and check with real accesses that each VA reaches the PA the shadow model
 * says, with the permissions it says; then edit the live table (unmap,
 * protect, remap, region calls), flush through pt_flush +
 * pt_flush_tlb_native, and check again. libpt's own pt_query is
 * cross-checked against the shadow.
 */
#include "common.h"

static unsigned g_skipped;
/* Outcomes seen per mode and access kind: [..][..][0] worked, [1] faulted. */
static unsigned g_seen[4][ACC_COUNT][2];

static bool in_ram(uint64_t pa)
{
	return pa >= arch_ram_base && pa < arch_ram_base + arch_ram_size;
}

static bool in_tags(uint64_t pa)
{
	return pa >= t_base + STUB_BYTES && pa < t_base + T_SIZE;
}

/* ---- Shadow model: what every test VA must translate to ---------------- */

struct ext {
	uint64_t va, pa, len;
	uint32_t flags;
	bool live;
	uint64_t leaf;      /* leaf size it was mapped with (0: region call) */
	uint64_t seed;      /* picks the extent's probe word */
};

#define MAX_EXT 1024
static struct ext ext[MAX_EXT];
static unsigned next;
/* Every range ever mapped, for the final unmap_region sweep. */
static struct { uint64_t va, len; } ever[MAX_EXT];
static unsigned never;

void shadow_clear(void)
{
	next = never = 0;
}

static struct ext *add_ext(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags,
			   uint64_t leaf)
{
	if (next >= MAX_EXT)
		return NULL;
	struct ext *e = &ext[next++];
	*e = (struct ext){ va, pa, len, flags, true, leaf, rnd() };
	if (never < MAX_EXT) {
		ever[never].va = va;
		ever[never++].len = len;
	}
	return e;
}

static const struct ext *lookup(uint64_t va)
{
	for (unsigned i = 0; i < next; i++)
		if (ext[i].live && va - ext[i].va < ext[i].len)
			return &ext[i];
	return NULL;
}

/* Cut [va, va+len) out of every live extent; protect gives the cut part new
 * flags instead of removing it. */
static void shadow_cut(uint64_t va, uint64_t len, bool protect, uint32_t flags)
{
	unsigned n = next;
	for (unsigned i = 0; i < n; i++) {
		struct ext e = ext[i];
		if (!e.live)
			continue;
		uint64_t lo = va > e.va ? va : e.va;
		uint64_t ehi = e.va + e.len - 1, hi = va + len - 1 < ehi ? va + len - 1 : ehi;
		if (lo > hi)
			continue;
		ext[i].live = false;
		if (lo > e.va)
			add_ext(e.va, e.pa, lo - e.va, e.flags, 0);
		if (protect)
			add_ext(lo, e.pa + (lo - e.va), hi - lo + 1, flags, 0);
		if (hi < ehi)
			add_ext(hi + 1, e.pa + (hi + 1 - e.va), ehi - hi, e.flags, 0);
	}
}

/* QEMU_MUTATE (build-time, for proving the checks can fail; see qemu.mk
 * target qemu-mutants): 1 = never flush the TLB after edits, 2 = the shadow
 * forgets WRITE on every other mapping, 3 = the shadow's PAs are off by 4K
 * (the other values: common.h). */

static void flush(void)
{
	if (QEMU_MUTATE == 1)
		T.nflush = 0; /* drop the records: stale translations stay */
	else
		pt_flush(&T);
}

static uint32_t norm(uint32_t flags)
{
	return pt_flags_normalize(F->arch, F->features, flags);
}

/* ---- Probing ----------------------------------------------------------- */

/* One access to va, which the shadow says maps pa with flags (or nothing
 * when e is NULL). Checks the outcome and, for writes, where it landed. */
static void probe_one(unsigned m, enum acc k, uint64_t va, const struct ext *e)
{
	uint64_t pa = e ? e->pa + (va - e->va) : 0;
	bool want = e && arch_allowed(F, m, e->flags, k);
	uint64_t before = 0, val = 0;
	static const char *const kname[] = { "read", "write", "exec" };
	char what[48];
	const char *mn = arch_mode_name(m);
	size_t n = 0;

	for (const char *s = mn; *s && n < 20; s++)
		what[n++] = *s;
	what[n++] = ' ';
	for (const char *s = kname[k]; *s; s++)
		what[n++] = *s;
	what[n] = 0;

	if (arch_skip(F, m, e ? e->flags : 0, k, e != NULL)) {
		g_skipped++;
		return;
	}
	if (k == ACC_WRITE) {
		if (e && !in_tags(pa))
			return; /* never write outside T */
		if (e) {
			before = *word(pa);
			val = ~pa ^ (rnd() & 0xff00);
		}
	}
	uint64_t v = probe(m, k, va, val);
	if (m < 4)
		g_seen[m][k][g_faulted ? 1 : 0]++;
	if (!want) {
		if (check(g_faulted, e ? "no fault on forbidden access" : "no fault on unmapped VA",
			  va, e ? e->flags : 0, v))
			check(arch_fault_ok(k, va), "wrong fault kind", va, g_fault_cause,
			      g_fault_addr);
		if (k == ACC_WRITE && e) {
			check(*word(pa) == before, "faulting write changed memory", va, pa, *word(pa));
			*word(pa) = before;
		}
		return;
	}
	if (!check(!g_faulted, "fault on allowed access", va, g_fault_cause, e->flags)) {
		(void)what;
		gprintf("    (%s: pa=%llx fault addr=%llx pc=%llx)\n", what,
			(unsigned long long)pa, (unsigned long long)g_fault_addr,
			(unsigned long long)g_fault_pc);
		return;
	}
	if (k == ACC_READ) {
		uint64_t want_v = in_tags(pa) ? pa : *word(pa);
		check(v == want_v, "read wrong frame", va, v, want_v);
	} else if (k == ACC_WRITE) {
		check(*word(pa) == val, "write landed elsewhere", va, pa, *word(pa));
		*word(pa) = before;
	} else {
		check(v == PROBE_MAGIC, "exec returned wrong value", va, v, pa);
	}
}

/* Cross-check libpt's own view against the shadow at va. */
static void query_one(uint64_t va, const struct ext *e)
{
	struct pt_mapping mp;
	int r = pt_query(&T, va, &mp);
	if (!e) {
		check(r == PT_ERR_NOT_MAPPED, "pt_query maps a VA the shadow does not", va,
		      (uint64_t)(int64_t)r, mp.pa);
		return;
	}
	if (check(r == PT_OK, "pt_query fails on a mapped VA", va, (uint64_t)(int64_t)r, 0)) {
		check(mp.pa == e->pa + (va - e->va), "pt_query pa", va, mp.pa,
		      e->pa + (va - e->va));
		check(mp.flags == norm(e->flags), "pt_query flags", va, mp.flags, norm(e->flags));
	}
}

/* Probe every live extent in mode m: a read where T (or RAM) is reachable,
 * a write into T, an exec of the stub when it is inside; plus the first and
 * last word of the extent when they are RAM. The probe word of an extent is
 * fixed at creation, so the page the TLB cached is the one probed again. */
static void check_ext(const struct ext *e, unsigned m, bool reads_only)
{
	uint64_t lo = e->pa > t_base + STUB_BYTES ? e->pa : t_base + STUB_BYTES;
	uint64_t hi = e->pa + e->len < t_base + T_SIZE ? e->pa + e->len : t_base + T_SIZE;
	uint64_t probes[3];
	unsigned np = 0;
	if (lo < hi)
		probes[np++] = e->va + (lo - e->pa) + (e->seed % ((hi - lo) / 8)) * 8;
	if (in_ram(e->pa))
		probes[np++] = e->va;
	if (in_ram(e->pa + e->len - 8))
		probes[np++] = e->va + e->len - 8;
	bool stub = t_base - e->pa < e->len;
	if (m == 0 && !reads_only)
		for (unsigned p = 0; p < np; p++)
			query_one(probes[p], e);
	for (unsigned p = 0; p < np; p++)
		if (arch_mode_can(m, ACC_READ))
			probe_one(m, ACC_READ, probes[p], e);
	if (reads_only)
		return;
	if (np && lo < hi && arch_mode_can(m, ACC_WRITE))
		probe_one(m, ACC_WRITE, probes[0], e);
	if (stub && arch_mode_can(m, ACC_EXEC))
		probe_one(m, ACC_EXEC, e->va + (t_base - e->pa), e);
}

/* Mode 0 first: it is the mode whose TLB entries the previous check left
 * warm (switching mode may flush QEMU's TLB, e.g. RISC-V SUM writes), so
 * stale translations after an edit are seen. Then the other modes, then
 * mode 0 reads again to warm the TLB for the next edit. */
static void check_all(const char *phase)
{
	g_phase = phase;
	unsigned nm = arch_nmodes(F);
	for (unsigned m = 0; m <= nm; m++) {
		for (unsigned i = 0; i < next; i++) {
			const struct ext *e = &ext[i];
			if (!e->live)
				continue;
			check_ext(e, m == nm ? 0 : m, m == nm);
			if (m)
				continue;
			/* Just outside the extent: unmapped unless something else is. */
			uint64_t out = e->va + e->len;
			if (pt_va_valid(F->arch, out) && block_unmapped(out))
				probe_one(0, ACC_READ, out, NULL);
		}
	}
}

/* ---- Holes and test mappings ------------------------------------------- */

/* Nothing mapped in va's whole granule, by the shadow and by libpt. */
bool block_unmapped(uint64_t va)
{
	uint64_t g = gran();
	va &= ~(g - 1);
	for (uint64_t o = 0; o < g; o += 4096) {
		struct pt_mapping mp;
		if (lookup(va + o) || pt_query(&T, va + o, &mp) != PT_ERR_NOT_MAPPED)
			return false;
	}
	return true;
}

/* Random VAs inside pt_query-unmapped holes must fault. */
static void check_unmapped(unsigned n)
{
	g_phase = "unmapped";
	for (unsigned i = 0; i < n; i++) {
		uint64_t va = rand_va(8) ;
		if (i & 1) /* near the test clusters: tables exist there */
			va = (ext[rnd_below(next)].va & ~(uint64_t)0x3fffff) + rnd_below(1024) * 4096;
		if (!pt_va_valid(F->arch, va) || !block_unmapped(va))
			continue;
		for (unsigned m = 0; m < arch_nmodes(F); m++)
			for (int k = 0; k < ACC_COUNT; k++)
				if (arch_mode_can(m, (enum acc)k))
					probe_one(m, (enum acc)k, va, NULL);
	}
}

static uint32_t rand_flags(void)
{
	return PT_READ | ((uint32_t)rnd() & F->flag_mask);
}

/* A random T frame (frame 0, the stub, a quarter of the time). */
static uint64_t rand_frame(void)
{
	if ((rnd() & 3) == 0)
		return t_base;
	return t_base + rnd_below(T_SIZE / gran()) * gran();
}

static bool map_one(uint64_t size, uint64_t pa, uint32_t flags)
{
	for (int tries = 0; tries < 64; tries++) {
		uint64_t va = rand_va(size == 4096 ? gran() : size);
		if (size == 4096 && (tries & 1) == 0 && next)
			/* cluster: share tables with an earlier 4K mapping */
			va = (ext[rnd_below(next)].va & ~(uint64_t)0x1fffff) +
			     rnd_below(PT_SIZE_2M / gran()) * gran();
		int r = size == 4096 ? map_small(va, pa, flags) : pt_map(&T, va, pa, size, flags);
		if (r == PT_ERR_ALREADY_MAPPED || r == PT_ERR_MAPPED_TO_HUGE_PAGE)
			continue;
		if (!check(r == PT_OK, "pt_map", va, (uint64_t)(int64_t)r, size))
			return false;
		if (QEMU_MUTATE == 2 && (next & 1))
			flags &= ~PT_WRITE;
		if (QEMU_MUTATE == 3 && size == 4096)
			pa ^= 4096;
		add_ext(va, pa, size == 4096 ? gran() : size, flags, size);
		return true;
	}
	check(false, "no free VA found", size, 0, 0);
	return false;
}

/* ---- Live edits -------------------------------------------------------- */

static uint64_t new_pa(const struct ext *e)
{
	if (e->leaf == 4096)
		return rand_frame();
	if (e->leaf == PT_SIZE_1M || e->leaf == PT_SIZE_2M) /* the other half of T */
		return e->pa == t_base ? t_base + e->leaf : t_base;
	return e->pa; /* one aligned PA covers T: keep it */
}

/* Apply a random edit (unmap, protect or remap) to extent i, leaf by leaf;
 * extents cut by region calls are left alone. */
static void edit_one(unsigned i)
{
	struct ext *e = &ext[i];
	if (!e->live || !e->leaf)
		return;
	unsigned op = (unsigned)rnd_below(3);
	uint32_t fl = rand_flags();
	uint64_t pa = op == 2 ? new_pa(e) : e->pa;
	/* A 4K extent may be a granule of several 4K leaves: edit each. */
	uint64_t step = e->leaf == 4096 ? 4096 : e->len;
	for (uint64_t o = 0; o < e->len; o += step) {
		uint64_t size = 0;
		int r;
		if (op == 0) {
			struct pt_mapping old;
			uint64_t at = e->va + o + rnd_below(step / 4096) * 4096;
			r = pt_unmap(&T, at, &old);
			if (check(r == PT_OK, "pt_unmap", at, (uint64_t)(int64_t)r, 0))
				check(old.pa == e->pa + o && old.size == step, "pt_unmap old", at,
				      old.pa, old.size);
		} else if (op == 1) {
			r = pt_protect(&T, e->va + o, fl, &size);
			check(r == PT_OK && size == step, "pt_protect", e->va + o,
			      (uint64_t)(int64_t)r, size);
		} else {
			r = pt_remap(&T, e->va + o, pa + o, fl, &size);
			check(r == PT_OK && size == step, "pt_remap", e->va + o,
			      (uint64_t)(int64_t)r, size);
		}
	}
	if (op == 0)
		e->live = false;
	else
		e->flags = fl;
	e->pa = pa;
}

/* ---- One format --------------------------------------------------------- */

void run_fmt(const struct fmt *f)
{
	F = f;
	g_pass = g_fail = g_shown = g_skipped = 0;
	memset(g_seen, 0, sizeof g_seen);
	shadow_clear();
	rng_state = 0x9e3779b97f4a7c15ull ^ ((uint64_t)f->arch << 32) ^ f->features;
	g_phase = "build";

	int r = pt_init(&T, f->arch, f->features, &g_mm);
	if (!check(r == PT_OK, "pt_init", 0, (uint64_t)(int64_t)r, 0))
		goto out;
	if (!f->identity_elsewhere) {
		r = guest_map_identity(&T);
		check(r == PT_OK, "identity map", arch_ram_base, (uint64_t)(int64_t)r, 0);
	}
	arch_table_setup(f, &T);
	size_t base_frames = pool_inuse;

	/* Huge pages of every size: each covers T (the largest alias PA 0 up). */
	uint64_t sizes = pt_arch_info(f->arch)->leaf_sizes;
	for (uint64_t s = PT_SIZE_4K << 1; s; s <<= 1) {
		if (!(sizes & s))
			continue;
		for (int j = 0; j < 4; j++) {
			uint64_t pa = t_base & ~(s - 1);
			if (s <= PT_SIZE_2M && (j & 1))
				pa = t_base + s; /* the other half of T */
			map_one(s, pa, rand_flags());
		}
	}
	for (int j = 0; j < 192; j++)
		map_one(4096, rand_frame(), rand_flags());
	gprintf("  %s: %u test mappings, %u table frames (%u for the identity map)\n",
		f->name, next, (unsigned)pool_inuse, (unsigned)base_frames);

	arch_mmu_on(f, &T);
	check_unmapped(200);
	check_all("initial");

	/* Small batches: each pt_flush flushes VA by VA. */
	for (int b = 0; b < 6; b++) {
		for (int j = 0; j < 8; j++)
			edit_one((unsigned)rnd_below(next));
		flush();
		check_all("edit batch");
	}
	/* One big batch: more than PT_FLUSH_MAX records -> flush all. */
	for (unsigned i = 0; i < next; i++)
		if (rnd() & 1)
			edit_one(i);
	flush();
	check_all("big edit batch");

	/* Region calls on huge pages: punch a 4K hole where T is reachable,
	 * protect 8K next to it (both split the huge page). */
	g_phase = "regions";
	unsigned n0 = next;
	for (unsigned i = 0; i < n0; i++) {
		struct ext e = ext[i];
		if (!e.live || e.len <= 4096 || t_base + 2 * STUB_BYTES - e.pa >= e.len)
			continue;
		uint64_t g = gran();
		uint64_t off = (t_base - e.pa) + g * (1 + rnd_below(32));
		if (off + 3 * g > e.len)
			continue;
		r = pt_unmap_region(&T, e.va + off, g);
		check(r == PT_OK, "pt_unmap_region (split)", e.va + off, (uint64_t)(int64_t)r, e.len);
		shadow_cut(e.va + off, g, false, 0);
		uint32_t fl = rand_flags();
		r = pt_protect_region(&T, e.va + off + g, 2 * g, fl);
		check(r == PT_OK, "pt_protect_region (split)", e.va + off + g,
		      (uint64_t)(int64_t)r, fl);
		shadow_cut(e.va + off + g, 2 * g, true, fl);
	}
	/* map_region with huge pages allowed (VA and PA 2M-congruent) and
	 * without (VA off by 4K: all 4K pages). */
	for (int j = 0; j < 2; j++) {
		uint64_t step = (sizes & PT_SIZE_2M) ? PT_SIZE_2M : PT_SIZE_1M;
		for (int tries = 0; tries < 64; tries++) {
			uint64_t va = rand_va(step) + (j ? gran() : 0);
			uint64_t len = T_SIZE - (j ? gran() : 0);
			uint32_t fl = rand_flags();
			r = pt_map_region(&T, va, t_base, len, fl, PT_ALLOW_HUGE);
			if (r == PT_ERR_ALREADY_MAPPED || r == PT_ERR_MAPPED_TO_HUGE_PAGE)
				continue;
			if (check(r == PT_OK, "pt_map_region", va, (uint64_t)(int64_t)r, len))
				add_ext(va, t_base, len, fl, 0);
			break;
		}
	}
	flush();
	check_unmapped(100);
	check_all("after region calls");

	/* Unmap everything ever mapped: every VA must fault, and every table
	 * but the identity map's must be back in the pool. */
	g_phase = "unmap all";
	for (unsigned i = 0; i < never; i++) {
		r = pt_unmap_region(&T, ever[i].va, ever[i].len);
		check(r == PT_OK, "pt_unmap_region", ever[i].va, (uint64_t)(int64_t)r, ever[i].len);
		shadow_cut(ever[i].va, ever[i].len, false, 0);
	}
	flush();
	for (unsigned i = 0; i < next; i++) /* dead extents: probe them again */
		if (!ext[i].live)
			probe_one(0, ACC_READ, ext[i].va, NULL);
	check(pool_inuse == base_frames, "tables not reclaimed", 0, pool_inuse, base_frames);

	/* Last on the live table: its TLB flushes (a table freed is a full
	 * flush) would hide the stale entries the phases above look for. */
	uint32_t hw;
	if (arch_state_check(f, &hw)) {
		g_hw = hw;
		run_group("state", check_state);
	}

	arch_mmu_off(f);
	pt_destroy(&T);
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
	if (arch_asids(f))
		run_group("asid", check_asids);
	run_group("defer", check_defer);
	run_group("access", check_access);
	arch_more_groups(f);
	for (unsigned m = 0; m < arch_nmodes(f) && m < 4; m++)
		gprintf("  %s: %s read %u ok %u faulted, write %u ok %u faulted, exec %u ok %u faulted\n",
			f->name, arch_mode_name(m), g_seen[m][0][0], g_seen[m][0][1],
			g_seen[m][1][0], g_seen[m][1][1], g_seen[m][2][0], g_seen[m][2][1]);
	if (g_skipped)
		gprintf("  %s: %u probes skipped (emulator cannot perform them)\n", f->name,
			g_skipped);
out:
	gprintf("[group] qemu %s: %u passed, %u failed\n", f->name, g_pass, g_fail);
}

