/* SPDX-License-Identifier: MIT */
/*
 * <format>/asid: address spaces switched by ASID.
 *
 * Two address spaces as an OS builds them: table K holds the kernel (the
 * guest's identity map and one kernel test page, all PT_GLOBAL), and A
 * (ASID 1) and B (ASID 2) share it through pt_copy_from. The user page U
 * is non-global (the default) and maps a different frame in A and in B;
 * page O is A's alone. The guest switches between A and B with no TLB
 * maintenance at all, as an OS with ASIDs does, after touching every page
 * under ASID 1 so the TLB holds them: under ASID 2, U must reach B's frame
 * and O must fault (a non-global entry of ASID 1 is never used), while the
 * kernel page works. A control shows the TLB keeps entries across a table
 * switch that keeps the ASID (reusing an ASID without a flush is the bug
 * ASIDs exist to avoid), so the probes do see cached entries.
 * The planted variant: page P is mapped PT_GLOBAL in A and B to different
 * frames, so ASID 2 may hit ASID 1's cached entry. Counted when seen;
 * QEMU 7.2 drops its whole TLB whenever the ASID changes (its TLB is not
 * ASID-tagged and ignores nG), so there the result is only printed.
 * QEMU_MUTATE 6: the ASID switch keeps ASID 1.
 */
#include "common.h"

/* VA span of one root entry. */
static uint64_t root_span(enum pt_arch a)
{
	return a == PT_ARMV7 ? PT_SIZE_1M
			     : UINT64_C(1) << (12 + 9 * (pt_arch_info(a)->levels - 1));
}

/* Read the tagged word at va: it must hold want_pa (0: must fault). */
static void asid_read(const char *what, uint64_t va, uint64_t want_pa)
{
	uint64_t v = probe(0, ACC_READ, va, 0);
	if (!want_pa) {
		if (check(g_faulted, what, va, v, 0))
			check(arch_fault_ok(ACC_READ, va), "wrong fault kind", va, g_fault_cause,
			      g_fault_addr);
		return;
	}
	check(!g_faulted && v == want_pa, what, va, g_faulted ? g_fault_cause : v, want_pa);
}

static void switch_asid(const struct pt_table *t, unsigned asid)
{
	arch_switch_asid(pt_root(t), QEMU_MUTATE == 6 ? 1 : asid);
}

void check_asids(void)
{
	static struct pt_table K, A, B;
	const uint32_t U = PT_READ | PT_WRITE | PT_USER;
	uint64_t span = root_span(F->arch);
	/* Shared: every root entry from the lowest guest range up to the
	 * kernel page just above RAM; the user pages lie above that. */
	uint64_t kva = arch_ram_base + arch_ram_size, lo = arch_ram_base;
	for (unsigned i = 0; arch_dev_ranges[i][1]; i++)
		if (arch_dev_ranges[i][0] < lo)
			lo = arch_dev_ranges[i][0];
	lo &= ~(span - 1);
	uint64_t hi = (kva + 4096 + span - 1) & ~(span - 1);
	uint64_t uva = hi, ova = hi + 4096, pva = hi + 8192, o = 0x80;
	uint64_t fa = t_base + 0x11000 + o, fb = t_base + 0x12000 + o, fo = t_base + 0x13000 + o;
	uint64_t fk = t_base + 0x14000 + o, fp1 = t_base + 0x15000 + o, fp2 = t_base + 0x16000 + o;

	g_phase = "asid: build";
	int r = pt_init(&K, F->arch, F->features, &g_mm);
	if (r == PT_OK)
		r = map_identity(&K, PT_GLOBAL);
	if (r == PT_OK)
		r = pt_map(&K, kva, fk - o, 4096, PT_READ | PT_WRITE | PT_GLOBAL);
	check(r == PT_OK, "kernel table", kva, (uint64_t)(int64_t)r, 0);
	struct pt_table *as[2] = { &A, &B };
	for (int i = 0; i < 2 && r == PT_OK; i++) {
		r = pt_init(as[i], F->arch, F->features, &g_mm);
		if (r == PT_OK)
			r = pt_copy_from(as[i], &K, lo, hi - lo);
		if (r == PT_OK)
			r = pt_map(as[i], uva, (i ? fb : fa) - o, 4096, U);
		if (r == PT_OK)
			r = pt_map(as[i], pva, (i ? fp2 : fp1) - o, 4096, U | PT_GLOBAL);
	}
	if (r == PT_OK)
		r = pt_map(&A, ova, fo - o, 4096, U);
	if (check(r == PT_OK, "address spaces", uva, (uint64_t)(int64_t)r, 0)) {
		arch_mmu_on(F, &A);
		switch_asid(&A, 1);
		g_phase = "asid 1";
		asid_read("user page", uva + o, fa);
		asid_read("A-only page", ova + o, fo);
		asid_read("global kernel page", kva + o, fk);
		asid_read("planted global user page", pva + o, fp1);

		g_phase = "asid 2, no TLB flush";
		switch_asid(&B, 2);
		asid_read("user page: not ASID 1's cached frame", uva + o, fb);
		asid_read("ASID 1's page reachable from ASID 2", ova + o, 0);
		asid_read("global kernel page", kva + o, fk);
		uint64_t v = probe(0, ACC_READ, pva + o, 0);
		bool stale = !g_faulted && v == fp1, own = !g_faulted && v == fp2;
		if (stale || !own)
			check(stale, "planted global user page: ASID 1's cached frame expected",
			      pva + o, g_faulted ? g_fault_cause : v, fp1);
		gprintf("  %s: planted PT_GLOBAL user page, read under ASID 2: %s\n", F->name,
			stale ? "ASID 1's frame (the global entry cached under ASID 1 hit)"
			: own ? "ASID 2's own frame (not counted: this MMU dropped its TLB at the "
				"ASID change)"
			      : "neither frame");

		g_phase = "asid 1 again";
		switch_asid(&A, 1);
		asid_read("user page", uva + o, fa);

		g_phase = "asid control";
		arch_switch_asid(pt_root(&B), 1);
		asid_read("B's table under ASID 1, no flush: A's cached entry", uva + o, fa);

		/* Do ASID 1's entries outlive a switch to ASID 2 and back? An
		 * ASID-tagged TLB may keep them (A's frame again); one that
		 * flushes on every ASID change walks B (B's frame). */
		arch_switch_asid(pt_root(&B), 2);
		arch_switch_asid(pt_root(&B), 1);
		v = probe(0, ACC_READ, uva + o, 0);
		gprintf("  %s: ASID 1's cached entry after a switch to ASID 2 and back: %s\n",
			F->name, g_faulted ? "fault" : v == fa ? "kept (TLB tagged by ASID)"
				 : v == fb ? "gone (the TLB was flushed at the ASID change)" : "?");
		arch_mmu_off(F);
	}
	pt_destroy(&A);
	pt_destroy(&B);
	pt_destroy(&K);
	g_phase = "asid: destroy";
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
}

