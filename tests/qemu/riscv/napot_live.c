/* SPDX-License-Identifier: MIT */
/*
 * <format>/napot, live: libpt's edits of runs whose every page QEMU's TLB
 * holds (napot.c's warm, right before each edit), one 2M slot of the
 * window each: part of a run protected, part unmapped (and filled
 * again), whole runs protected, a whole run and part of the next, a
 * whole run unmapped, pt_protect, pt_unmap and pt_remap of one member,
 * pt_clear_state of a run and the MMU's A and D after it, a 2M leaf split
 * around a run. Each edit is followed by the checks napot.c makes of
 * every page (raw entry, pt_query, pt_access, a real load and store) and
 * of libpt's flush_tlb calls (check_break, check_flushed).
 */
#include "napot.h"

void napot_live(void)
{
	const uint32_t RW = PT_READ | PT_WRITE, RO = PT_READ;
	uint64_t va;
	int r;

	g_phase = "napot live: setup";
	map_run_region(slot(S_PROT), t_base + 40 * RUN_SIZE, 2 * RUN, RW);
	map_run_region(slot(S_UNMAP), t_base + 44 * RUN_SIZE, 2 * RUN, RW | PT_GLOBAL);
	map_run_region(slot(S_WHOLE), t_base + 48 * RUN_SIZE, 3 * RUN, RW);
	map_run_region(slot(S_UNWHOLE), t_base + 52 * RUN_SIZE, 2 * RUN, RW);
	map_run_region(slot(S_SINGLE), t_base + 56 * RUN_SIZE, 3 * RUN, RW);
	map_run_region(slot(S_STATE), t_base + 60 * RUN_SIZE, RUN, RW);
	r = pt_map(&T, slot(S_SPLIT), t_base, PT_SIZE_2M, RW);
	if (check(r == PT_OK, "pt_map 2M", slot(S_SPLIT), (uint64_t)(int64_t)r, 0))
		add_pg(slot(S_SPLIT), t_base, PT_SIZE_2M, RW, K_HUGE);
	pt_flush(&T);
	check_pgs(slot(S_PROT), slot(S_SPLIT + 1));

	/* Part of a run read-only: pages 3..5 of run 0. */
	g_phase = "napot live: protect part";
	va = slot(S_PROT);
	warm(va, 2 * RUN);
	edit_begin(va);
	r = pt_protect_region(&T, va + 3 * PG, 3 * PG, RO);
	edit_end();
	check(r == PT_OK, "pt_protect_region", va + 3 * PG, (uint64_t)(int64_t)r, 0);
	check_break(va);
	flush_edits();
	check_flushed(va + 3 * PG, 3);
	set_pgs(va, RUN, K_PLAIN, RW, 0);
	set_pgs(va + 3 * PG, 3, K_PLAIN, RO, 0);
	check_pgs(va, va + 2 * RUN_SIZE);

	/* Part of a run unmapped: pages 7 and 8 (the flags carry G). */
	g_phase = "napot live: unmap part";
	va = slot(S_UNMAP);
	warm(va, 2 * RUN);
	edit_begin(va + RUN_SIZE);
	r = pt_unmap_region(&T, va + RUN_SIZE + 7 * PG, 2 * PG);
	edit_end();
	check(r == PT_OK, "pt_unmap_region", va + RUN_SIZE + 7 * PG, (uint64_t)(int64_t)r, 0);
	check_break(va + RUN_SIZE);
	flush_edits();
	check_flushed(va + RUN_SIZE + 7 * PG, 2);
	set_pgs(va + RUN_SIZE, RUN, K_PLAIN, RW | PT_GLOBAL, 0);
	set_pgs(va + RUN_SIZE + 7 * PG, 2, K_EMPTY, 0, 0);
	check_pgs(va, va + 2 * RUN_SIZE);
	/* The hole filled again with PT_ALLOW_HUGE: plain, or libpt may make the
	 * run whole again. */
	r = pt_map_region(&T, va + RUN_SIZE + 7 * PG, t_base + 45 * RUN_SIZE + 7 * PG, 2 * PG,
			  RW | PT_GLOBAL, PT_ALLOW_HUGE);
	check(r == PT_OK, "pt_map_region (refill)", va + RUN_SIZE + 7 * PG, (uint64_t)(int64_t)r, 0);
	flush_edits();
	set_pgs(va + RUN_SIZE, RUN, K_ANY, RW | PT_GLOBAL, 0);
	check_pgs(va, va + 2 * RUN_SIZE);

	/* Whole runs: run 1 read-only (stays NAPOT), then run 0 and the first
	 * four pages of run 2 executable and read-only (run 0 stays NAPOT,
	 * run 2 breaks). */
	g_phase = "napot live: protect whole";
	va = slot(S_WHOLE);
	warm(va, 3 * RUN);
	edit_begin(0);
	r = pt_protect_region(&T, va + RUN_SIZE, RUN_SIZE, RO);
	edit_end();
	check(r == PT_OK, "pt_protect_region", va + RUN_SIZE, (uint64_t)(int64_t)r, 0);
	flush_edits();
	check_flushed(va + RUN_SIZE, RUN);
	set_pgs(va + RUN_SIZE, RUN, K_NAPOT, RO, 0);
	check_pgs(va, va + 3 * RUN_SIZE);
	warm(va, 3 * RUN);
	g_phase = "napot live: protect whole + part";
	edit_begin(va + 2 * RUN_SIZE);
	r = pt_protect_region(&T, va, RUN_SIZE + RUN_SIZE + 4 * PG, RO | PT_EXECUTE);
	edit_end();
	check(r == PT_OK, "pt_protect_region", va, (uint64_t)(int64_t)r, 0);
	check_break(va + 2 * RUN_SIZE);
	flush_edits();
	check_flushed(va, 2 * RUN + 4);
	set_pgs(va, 2 * RUN, K_NAPOT, RO | PT_EXECUTE, 0);
	set_pgs(va + 2 * RUN_SIZE, RUN, K_PLAIN, RW, 0);
	set_pgs(va + 2 * RUN_SIZE, 4, K_PLAIN, RO | PT_EXECUTE, 0);
	check_pgs(va, va + 3 * RUN_SIZE);

	/* A whole run unmapped; the next one stays. */
	g_phase = "napot live: unmap whole";
	va = slot(S_UNWHOLE);
	warm(va, 2 * RUN);
	edit_begin(0);
	r = pt_unmap_region(&T, va, RUN_SIZE);
	edit_end();
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, 0);
	flush_edits();
	check_flushed(va, RUN);
	set_pgs(va, RUN, K_EMPTY, 0, 0);
	check_pgs(va, va + 2 * RUN_SIZE);

	/* One page of a run each: pt_protect, pt_unmap, pt_remap (to another
	 * page of T). */
	g_phase = "napot live: one page";
	va = slot(S_SINGLE);
	uint64_t size = 0;
	warm(va, RUN);
	edit_begin(va);
	r = pt_protect(&T, va + 2 * PG, RO, &size);
	edit_end();
	check(r == PT_OK && size == PG, "pt_protect of a member", va + 2 * PG, (uint64_t)(int64_t)r,
	      size);
	check_break(va);
	flush_edits();
	check_flushed(va + 2 * PG, 1);
	set_pgs(va, RUN, K_PLAIN, RW, 0);
	set_pgs(va + 2 * PG, 1, K_PLAIN, RO, 0);

	struct pt_mapping old;
	warm(va + RUN_SIZE, RUN);
	edit_begin(va + RUN_SIZE);
	r = pt_unmap(&T, va + RUN_SIZE + 9 * PG, &old);
	edit_end();
	if (check(r == PT_OK, "pt_unmap of a member", va + RUN_SIZE + 9 * PG, (uint64_t)(int64_t)r, 0))
		check(old.pa == t_base + 57 * RUN_SIZE + 9 * PG && old.size == PG, "pt_unmap old",
		      va + RUN_SIZE + 9 * PG, old.pa, old.size);
	check_break(va + RUN_SIZE);
	flush_edits();
	check_flushed(va + RUN_SIZE + 9 * PG, 1);
	set_pgs(va + RUN_SIZE, RUN, K_PLAIN, RW, 0);
	set_pgs(va + RUN_SIZE + 9 * PG, 1, K_EMPTY, 0, 0);

	uint64_t to = t_base + 3 * RUN_SIZE + 5 * PG;
	warm(va + 2 * RUN_SIZE, RUN);
	edit_begin(va + 2 * RUN_SIZE);
	r = pt_remap(&T, va + 2 * RUN_SIZE + 12 * PG, to, RW, &size);
	edit_end();
	check(r == PT_OK && size == PG, "pt_remap of a member", va + 2 * RUN_SIZE + 12 * PG,
	      (uint64_t)(int64_t)r, size);
	check_break(va + 2 * RUN_SIZE);
	flush_edits();
	check_flushed(va + 2 * RUN_SIZE + 12 * PG, 1);
	set_pgs(va + 2 * RUN_SIZE, RUN, K_PLAIN, RW, 0);
	set_pgs(va + 2 * RUN_SIZE + 12 * PG, 1, K_PLAIN, RW, to);
	check_pgs(va, va + 3 * RUN_SIZE);

	/* Access state of a run. */
	g_phase = "napot live: state";
	va = slot(S_STATE);
	warm(va, RUN);
	edit_begin(0);
	r = pt_clear_state(&T, va, RUN_SIZE, PT_ACCESSED | PT_DIRTY, NULL);
	edit_end();
	check(r == PT_OK, "pt_clear_state", va, (uint64_t)(int64_t)r, 0);
	flush_edits();
	check_flushed(va, RUN);
	uint16_t valid, napot;
	run_masks(va, &valid, &napot);
	bool kept = napot == 0xffff;
	unsigned clean = 0;
	for (unsigned k = 0; k < RUN; k++)
		clean += !(raw(va + k * PG) & RV_AD);
	check(clean == RUN, "pt_clear_state left A or D set", va, clean, 0);
	/* The MMU sets A on a load of page 5, A and D on a store to page 9. */
	(void)probe(0, ACC_READ, va + 5 * PG + 64, 0);
	check(!g_faulted, "load after pt_clear_state", va + 5 * PG, g_fault_cause, 0);
	uint64_t w = t_base + 60 * RUN_SIZE + 9 * PG + 64;
	(void)probe(0, ACC_WRITE, va + 9 * PG + 64, w);
	check(!g_faulted, "store after pt_clear_state", va + 9 * PG, g_fault_cause, 0);
	struct pt_mapping mp;
	r = pt_query(&T, va + 5 * PG, &mp);
	check(r == PT_OK && (mp.state & PT_ACCESSED), "page the MMU read not accessed in pt_query",
	      va + 5 * PG, (uint64_t)(int64_t)r, mp.state);
	r = pt_query(&T, va + 9 * PG, &mp);
	check(r == PT_OK && mp.state == (PT_ACCESSED | PT_DIRTY),
	      "page the MMU wrote not dirty in pt_query", va + 9 * PG, (uint64_t)(int64_t)r, mp.state);
	/* One walk may serve every page of a run, so each page reports the
	 * run's state: the union of the members' A and D. */
	unsigned others = 0;
	for (unsigned k = 0; k < RUN; k++)
		if (k != 5 && k != 9 && pt_query(&T, va + k * PG, &mp) == PT_OK &&
		    mp.state == (PT_ACCESSED | PT_DIRTY))
			others++;
	check(!kept || others == RUN - 2, "a NAPOT page's state is not its run's in pt_query", va,
	      others, 0);
	gprintf("  %s: napot live: pt_clear_state of a whole run %s it NAPOT; after the MMU set A "
		"in member 5 and A, D in member 9 (QEMU: their own entries %llx, %llx), pt_query "
		"reports %u other members accessed\n", F->name, kept ? "kept" : "broke",
		(unsigned long long)(raw(va + 5 * PG) & RV_AD), (unsigned long long)(raw(va + 9 * PG) & RV_AD),
		others);
	/* A run whose members differ in A and D, protected whole: it stays
	 * NAPOT if it was, each member keeping its state. */
	warm(va, RUN);
	edit_begin(0);
	r = pt_protect_region(&T, va, RUN_SIZE, RO);
	edit_end();
	check(r == PT_OK, "pt_protect_region (members' A/D differ)", va, (uint64_t)(int64_t)r, 0);
	flush_edits();
	check_flushed(va, RUN);
	set_pgs(va, RUN, kept ? K_NAPOT : K_PLAIN, RO, 0);
	check_pgs(va, va + RUN_SIZE);
	check(raw(va + 9 * PG) & RV_D, "protect dropped the dirty bit the MMU set", va + 9 * PG,
	      raw(va + 9 * PG), 0);

	/* A 2M leaf split around a 64K-aligned 64K: the rest may come back as
	 * runs or plain pages; the middle read-only. */
	g_phase = "napot live: split";
	va = slot(S_SPLIT);
	warm(va, 512);
	r = pt_protect_region(&T, va + 5 * RUN_SIZE, RUN_SIZE, RO);
	check(r == PT_OK, "pt_protect_region (split 2M)", va, (uint64_t)(int64_t)r, 0);
	flush_edits();
	struct pg *h = find_pg(va);
	if (h) {
		model_drop_last(); /* the 2M leaf */
		for (unsigned k = 0; k < 512; k++)
			add_pg(va + k * PG, t_base + k * PG, PG, RW, K_ANY);
		set_pgs(va + 5 * RUN_SIZE, RUN, K_ANY, RO, 0);
	}
	g_napot_seen = 0;
	check_pgs(va, va + PT_SIZE_2M);
	gprintf("  %s: napot live: a 2M leaf split around a read-only 64K left %u of its 512 pages "
		"in NAPOT runs\n", F->name, g_napot_seen);
}
