/* SPDX-License-Identifier: MIT */
/*
 * <format>/state: access state against the MMU.
 *
 * A writable page is mapped in the live table, its state cleared with
 * pt_clear_state, and the guest reads and writes it: pt_query must then
 * report what the hardware did. A read makes the page accessed, never
 * dirty; a write makes it dirty; pt_clear_state's bitmap reports exactly
 * the pages that had the bits. Where the MMU sets a bit itself (x86,
 * RISC-V, AArch64 with TCR.HA/HD) the access takes no fault; where it does
 * not (AArch64 without FEAT_HAFDBS: access-flag and permission faults on
 * DBM pages; LoongArch: V and D in the TLB), the access faults once and
 * the trap handler does what an OS does: pt_set_state, pt_flush, return to
 * the access (guest_state_fault). Every clear is followed by a TLB flush,
 * as the caller of pt_clear_state must: an entry cached accessed or
 * writable lets the next access through without marking the page.
 * QEMU_MUTATE 4: the trap handler's fix skips pt_set_state; 5: no TLB
 * flush after pt_clear_state.
 */
#include "common.h"

static uint64_t g_armed;           /* the granule guest_state_fault may fix (0: none) */
static volatile unsigned g_fixes;  /* faults it fixed during the current access */
static volatile uint32_t g_fixed;  /* the state bits it set */
static unsigned g_fix_total;
uint32_t g_hw;

bool guest_state_fault(uint64_t va, uint32_t state)
{
	/* Only the armed page, and a few times per access: an access the fix
	 * does not help is then recorded as the fault it is. */
	if (!g_armed || (va & ~(gran() - 1)) != g_armed || g_fixes >= 3)
		return false;
	g_fixes++;
	g_fix_total++;
	g_fixed |= state;
	if (QEMU_MUTATE != 4 && pt_set_state(&T, va, state) != PT_OK)
		return false;
	pt_flush(&T);
	return true;
}

/* One access to the page: it must work, with one fault fixed by the trap
 * handler exactly when it needs a bit (`need`) the MMU leaves to the OS,
 * the fault being the kind that asks for those bits and no others (a
 * write to an accessed clean page: DIRTY alone, i.e. an AArch64 permission
 * fault or a LoongArch PME, not an access-flag or page-invalid fault), and
 * leave pt_query reporting `want`. */
static void state_access(const char *step, uint64_t va, uint64_t pa, enum acc k, uint32_t need,
			 uint32_t want)
{
	g_phase = step;
	uint64_t val = ~pa;
	uint32_t os = need & ~g_hw;
	g_fixes = 0;
	g_fixed = 0;
	uint64_t v = probe(0, k, va, val);
	if (!check(!g_faulted, "access faulted", va, g_fault_cause, g_fixes))
		return;
	if (k == ACC_READ)
		check(v == pa, "read wrong frame", va, v, pa);
	else
		check(*word(pa) == val, "write landed elsewhere", va, pa, *word(pa));
	*word(pa) = pa;
	check(g_fixes == (os ? 1u : 0u) && g_fixed == os,
	      "faults fixed by pt_set_state in the trap handler (count, bits)", va, g_fixes,
	      g_fixed);
	struct pt_mapping m;
	int r = pt_query(&T, va, &m);
	check(r == PT_OK && m.state == want, "pt_query state", va, (uint64_t)(int64_t)r, m.state);
}

/* pt_clear_state on the granule: the bitmap must name the pages that had
 * `bits` (want_map), and pt_query at va then report want. */
static void state_clear(const char *step, uint64_t va, uint32_t bits, uint64_t want_map,
			uint32_t want)
{
	g_phase = step;
	uint64_t map = 0;
	struct pt_mapping m;
	int r = pt_clear_state(&T, va & ~(gran() - 1), gran(), bits, &map);
	check(r == PT_OK && map == want_map, "pt_clear_state (result, bitmap)", va,
	      (uint64_t)(int64_t)r, map);
	r = pt_query(&T, va, &m);
	check(r == PT_OK && m.state == want, "pt_query state after the clear", va,
	      (uint64_t)(int64_t)r, m.state);
	if (QEMU_MUTATE != 5)
		pt_flush(&T);
}

void check_state(void)
{
	const uint32_t A = PT_ACCESSED, D = PT_DIRTY;
	uint64_t g = gran(), va = 0;
	bool found = false;
	g_phase = "state: map";
	for (int tries = 0; tries < 64 && !found; tries++) {
		va = rand_va(g);
		found = pt_va_valid(F->arch, va) && block_unmapped(va);
	}
	if (!check(found, "no free VA found", g, 0, 0))
		return;
	/* A granule in T's upper half; the probe word in its first page. */
	uint64_t pa = t_base + T_SIZE / 2 + g * rnd_below(T_SIZE / 2 / g);
	uint64_t off = 8 * (1 + rnd_below(4096 / 8 - 1));
	uint64_t pages = g / 4096, all = (UINT64_C(1) << pages) - 1;
	int r = map_small(va, pa, PT_READ | PT_WRITE);
	if (!check(r == PT_OK, "pt_map", va, (uint64_t)(int64_t)r, 0))
		return;
	pt_flush(&T);
	struct pt_mapping m;
	r = pt_query(&T, va + off, &m);
	check(r == PT_OK && m.state == (A | D), "new writable leaf: accessed and dirty", va,
	      (uint64_t)(int64_t)r, m.state);

	g_armed = va;
	g_fix_total = 0;
	uint64_t pv = va + off, pp = pa + off;
	state_clear("state: clear accessed+dirty", pv, A | D, all, 0);
	state_access("state: read after the clear", pv, pp, ACC_READ, A, A);
	state_access("state: write", pv, pp, ACC_WRITE, D, A | D);
	state_clear("state: clear dirty", pv, D, 1, A);
	state_clear("state: clear dirty again", pv, D, 0, A);
	state_access("state: read of a clean page", pv, pp, ACC_READ, 0, A);
	state_access("state: write after clear dirty", pv, pp, ACC_WRITE, D, A | D);
	/* The granule's other pages were never touched since the first clear. */
	state_clear("state: clear accessed", pv, A, 1, D);
	state_access("state: read after clear accessed", pv, pp, ACC_READ, A, A | D);
	g_armed = 0;

	g_phase = "state: unmap";
	r = pt_unmap_region(&T, va, g);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, g);
	pt_flush(&T);
	static const char *const by_mmu[] = { "neither", "accessed", "dirty", "accessed and dirty" };
	gprintf("  %s: access state: the MMU sets %s; the trap handler fixed %u faults with "
		"pt_set_state\n", F->name, by_mmu[(g_hw & A ? 1 : 0) | (g_hw & D ? 2 : 0)],
		g_fix_total);
}

