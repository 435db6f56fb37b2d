/* SPDX-License-Identifier: MIT */
/*
 * <format>/napot: RISC-V Svnapot (64 KiB NAPOT leaves) on QEMU's MMU, for
 * the formats with PT_FEAT_RISCV_SVNAPOT (the guest runs on -cpu
 * rv64,svpbmt=on,svnapot=true; the group first checks that the CPU
 * translates a NAPOT leaf at all). Every word of the tagged region T holds
 * its own PA, so a real load tells which page the MMU reached.
 *
 *   runs     pt_map_region with PT_ALLOW_HUGE over 64 KiB-aligned runs
 *            with unaligned heads and tails, a 2M leaf ahead of runs, a
 *            region whose VA and PA differ by 4K mod 64K, 15 pages, two
 *            halves of a run with different flags, a run over T's exec
 *            stub. Raw entries: NAPOT (N, PPN[3:0] = 1000, the run's PA,
 *            all 16 alike) exactly where a 64 KiB VA window lies whole in
 *            the region over an equally aligned PA run and no 2M leaf
 *            fits, plain elsewhere. Real loads and stores on every page,
 *            pt_query, pt_access, pt_walk (every leaf one 4K page with its
 *            own PA, each seen once) and pt_walk_ranges agree.
 *   live     after loads and stores have filled QEMU's TLB with every page
 *            of the runs: pt_protect_region and pt_unmap_region of part of
 *            a run, of whole runs and of a whole run plus part of the next;
 *            pt_protect, pt_unmap and pt_remap of one page; pt_clear_state
 *            of a whole run and the MMU's A/D updates after it; a 2M leaf
 *            split around a run; then pt_flush (the flush_tlb hook records
 *            every call and does the sfence.vma it asks for). A run edited
 *            in part must be broken: each of its pages flushed inside the
 *            call while all 16 entries were invalid, and at no flush a run
 *            half invalid and half NAPOT; afterwards 16 plain leaves. Real
 *            stores to pages made read-only fault (store page fault, stval
 *            = the VA) and the others land in their own page; loads of
 *            unmapped pages fault, the rest read their tag; a run
 *            protected whole stays NAPOT (napot_live.c).
 *   foreign  NAPOT leaves the guest writes itself, good and bad, against
 *            real accesses (napot_foreign.c).
 *
 * What QEMU 7.2 cannot check. Its TLB caches every 4K page on its own
 * whatever N says (tlb_set_page with the target page size), and an
 * sfence.vma with an address drops that page only: so whether a TLB holds
 * a run as one entry, or answers a page from another member's entry
 * (Svnapot allows both), is never seen; a run left partly changed, or a
 * break that skips a flush, shows only in the raw-entry and flush-record
 * checks here, not in the real accesses (a stale page of a run that kept
 * its PA and permissions reads the same). QEMU sets A and D in the entry
 * it walked, the accessed page's own; hardware may set them in any
 * member, which is why the group only asks that the page the MMU touched
 * reads accessed or dirty, and prints whether libpt reports the other
 * members so too. Entries of one run that differ in anything but A and D
 * are UNSPECIFIED in Svnapot (QEMU takes each page's own entry), so the
 * foreign runs never differ so.
 */
#include "napot.h"

static uint64_t g_win; /* the test window: S_COUNT 2M slots */

uint64_t slot(unsigned s)
{
	return g_win + (uint64_t)s * PT_SIZE_2M;
}

unsigned levels(void)
{
	return pt_arch_info(F->arch)->levels;
}

uint32_t norm(uint32_t flags)
{
	return pt_flags_normalize(F->arch, F->features, flags);
}

/* ---- Raw entries --------------------------------------------------------- */

volatile uint64_t *raw_slot(uint64_t va, unsigned *level)
{
	uint64_t tpa = pt_root(&T);
	for (unsigned l = 0;; l++) {
		unsigned sh = 12 + 9 * (levels() - 1 - l);
		volatile uint64_t *s = word(tpa + ((va >> sh) & 511) * 8);
		uint64_t e = *s;
		if (l == levels() - 1 || !(e & RV_V) || (e & (RV_R | RV_W | RV_X))) {
			if (level)
				*level = l;
			return s;
		}
		tpa = ((e & RV_PPN_MASK) >> RV_PPN_SHIFT) << 12;
	}
}

uint64_t raw(uint64_t va)
{
	return *raw_slot(va, NULL);
}

/* The plain leaf libpt writes for pa with flags at level l. */
uint64_t plain_pte(uint64_t pa, uint32_t flags, unsigned l)
{
	return pt_pte_page(F->arch, F->features & ~PT_FEAT_RISCV_SVNAPOT, l, pa, flags);
}

uint64_t napot_pte(uint64_t run_pa, uint32_t flags)
{
	return plain_pte(run_pa, flags, levels() - 1) | RV_N | NAPOT_BITS;
}

void sfence_all(void)
{
	pt_flush_tlb_native(NULL, 0, true);
}

/* ---- The flush_tlb hook: every call recorded ---------------------------- */

#define FLOG_MAX 1024
static struct {
	uint64_t va;
	bool all, in_call;
	uint16_t valid, napot; /* the watched run's members at that moment */
} flog[FLOG_MAX];
static unsigned nflog;
static bool g_in_call;
static uint64_t g_watch; /* a run (64K-aligned VA) an edit may break; 0: none */

void run_masks(uint64_t va0, uint16_t *valid, uint16_t *napot)
{
	*valid = *napot = 0;
	for (unsigned k = 0; k < RUN; k++) {
		uint64_t e = raw(va0 + k * PG);
		if (e & RV_V)
			*valid |= (uint16_t)(1u << k);
		if ((e & RV_V) && (e & RV_N))
			*napot |= (uint16_t)(1u << k);
	}
}

static void rec_flush(void *ctx, uint64_t va, bool all)
{
	if (nflog < FLOG_MAX) {
		flog[nflog].va = va;
		flog[nflog].all = all;
		flog[nflog].in_call = g_in_call;
		flog[nflog].valid = flog[nflog].napot = 0;
		if (g_watch)
			run_masks(g_watch, &flog[nflog].valid, &flog[nflog].napot);
		nflog++;
	}
	pt_flush_tlb_native(ctx, va, all);
}

static struct pt_mm n_mm;

void edit_begin(uint64_t va0)
{
	nflog = 0;
	g_watch = va0;
	g_in_call = true;
}

void edit_end(void)
{
	g_in_call = false;
}

/* The run at va0 must have been broken by the call just made: every member
 * flushed inside it while all 16 were invalid (or one flush of
 * everything then), and no flush saw it half invalid and half NAPOT. */
void check_break(uint64_t va0)
{
	unsigned seen = 0;
	for (unsigned i = 0; i < nflog; i++) {
		if (!flog[i].in_call)
			continue;
		check(!(flog[i].napot && flog[i].valid != 0xffff), "break: a flush saw the run "
		      "partly invalid and partly NAPOT", va0, flog[i].valid, flog[i].napot);
		if (flog[i].valid)
			continue;
		if (flog[i].all)
			seen = 0xffff;
		else if (flog[i].va - va0 < RUN_SIZE)
			seen |= 1u << ((flog[i].va - va0) >> 12);
	}
	check(seen == 0xffff, "break: members not flushed while the whole run was invalid", va0,
	      seen, nflog);
}

/* pt_flush after an edit of runs. QEMU_MUTATE 13 (make qemu-mutants) drops
 * what libpt recorded (a break's own flushes stay): the pages of runs
 * edited whole keep their old translations in QEMU's TLB, which the real
 * stores and loads after the edits must see. */
void flush_edits(void)
{
	if (QEMU_MUTATE == 13)
		T.nflush = 0;
	pt_flush(&T);
}

/* Every page of [va, va + n pages) flushed since edit_begin. */
void check_flushed(uint64_t va, unsigned n)
{
	for (unsigned p = 0; p < n; p++) {
		bool ok = false;
		for (unsigned i = 0; i < nflog && !ok; i++)
			ok = flog[i].all || flog[i].va == va + p * PG;
		check(ok, "changed page never flushed", va + p * PG, nflog, 0);
	}
}

/* ---- The model: what each page must be ---------------------------------- */

#define MAX_PG 1200
static struct pg pgs[MAX_PG];
static unsigned npg;

struct pg *add_pg(uint64_t va, uint64_t pa, uint64_t size, uint32_t flags, enum kind k)
{
	if (npg >= MAX_PG) {
		check(false, "model full", va, npg, 0);
		return &pgs[MAX_PG - 1];
	}
	struct pg *p = &pgs[npg++];
	p->va = va;
	p->pa = pa;
	p->size = size;
	p->flags = flags;
	p->kind = (uint8_t)k;
	p->visits = 0;
	return p;
}

void model_drop_last(void)
{
	npg--;
}

/* The model's page at va (binary search: pages are added in VA order). */
struct pg *find_pg(uint64_t va)
{
	unsigned lo = 0, hi = npg;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (va < pgs[mid].va)
			hi = mid;
		else if (va - pgs[mid].va >= pgs[mid].size)
			lo = mid + 1;
		else
			return &pgs[mid];
	}
	return NULL;
}

/* The leaves pt_map_region(va, pa, n pages, flags, PT_ALLOW_HUGE) must
 * write: 2M where VA and PA are 2M-aligned and the region holds the whole
 * leaf, else a NAPOT run where the same holds at 64K, else a 4K page. */
int map_run_region(uint64_t va, uint64_t pa, unsigned n, uint32_t flags)
{
	uint64_t len = (uint64_t)n * PG;
	int r = pt_map_region(&T, va, pa, len, flags, PT_ALLOW_HUGE);
	if (!check(r == PT_OK, "pt_map_region", va, (uint64_t)(int64_t)r, len))
		return r;
	for (uint64_t o = 0; o < len;) {
		uint64_t v = va + o, p = pa + o;
		if (!((v | p) & (PT_SIZE_2M - 1)) && len - o >= PT_SIZE_2M) {
			add_pg(v, p, PT_SIZE_2M, flags, K_HUGE);
			o += PT_SIZE_2M;
		} else if (!((v | p) & (RUN_SIZE - 1)) && len - o >= RUN_SIZE) {
			for (unsigned k = 0; k < RUN; k++)
				add_pg(v + k * PG, p + k * PG, PG, flags, K_NAPOT);
			o += RUN_SIZE;
		} else {
			add_pg(v, p, PG, flags, K_PLAIN);
			o += PG;
		}
	}
	return PT_OK;
}

/* Set pages [va, va + n pages) of the model to kind k (flags, and pa unless
 * 0, too). */
void set_pgs(uint64_t va, unsigned n, enum kind k, uint32_t flags, uint64_t pa)
{
	for (unsigned i = 0; i < n; i++) {
		struct pg *p = find_pg(va + i * PG);
		if (!check(p && p->size == PG, "model: no such page", va + i * PG, 0, 0))
			continue;
		p->kind = (uint8_t)k;
		if (k != K_EMPTY)
			p->flags = flags;
		if (pa)
			p->pa = pa + i * PG;
	}
}

/* ---- Checks of one page -------------------------------------------------- */

unsigned g_napot_seen;
static unsigned g_plain_seen, g_loads, g_stores, g_faults;

/* The raw entry of a model page: a NAPOT member must equal its run's NAPOT
 * encoding (A and D aside: the MMU may set those per member), a plain leaf
 * libpt's leaf for its own PA. */
static void check_raw(const struct pg *p)
{
	unsigned l;
	uint64_t e = *raw_slot(p->va, &l);
	unsigned last = levels() - 1;
	if (p->kind == K_EMPTY) {
		check(!(e & RV_V), "raw: entry valid where nothing is mapped", p->va, e, l);
		return;
	}
	if (p->kind == K_HUGE) {
		check(l == last - 1 && (e & ~RV_AD) == (plain_pte(p->pa, p->flags, l) & ~RV_AD),
		      "raw: 2M leaf", p->va, e, plain_pte(p->pa, p->flags, last - 1));
		return;
	}
	if (!check(l == last, "raw: no last-level leaf", p->va, e, l))
		return;
	bool napot = p->kind == K_NAPOT || (p->kind == K_ANY && (e & RV_N));
	if (!napot) {
		g_plain_seen++;
		check((e & ~RV_AD) == (plain_pte(p->pa, p->flags, last) & ~RV_AD),
		      p->kind == K_ANY ? "raw: plain leaf (or NAPOT expected)" : "raw: plain leaf",
		      p->va, e, plain_pte(p->pa, p->flags, last));
		return;
	}
	g_napot_seen++;
	uint64_t run_pa = p->pa & ~(RUN_SIZE - 1), want = napot_pte(run_pa, p->flags);
	check(((p->va ^ p->pa) & (RUN_SIZE - 1)) == 0 && (e & ~RV_AD) == (want & ~RV_AD),
	      p->kind == K_ANY ? "raw: NAPOT member (libpt made a run)" : "raw: NAPOT member", p->va,
	      e, want);
	/* All 16 alike but for A and D. */
	uint64_t va0 = p->va & ~(RUN_SIZE - 1);
	for (unsigned k = 0; k < RUN; k++) {
		uint64_t m = raw(va0 + k * PG);
		if (!check((m & ~RV_AD) == (e & ~RV_AD), "raw: run members differ", va0 + k * PG, m, e))
			break;
	}
}

struct pt_regime regime(unsigned features, bool sum)
{
	struct pt_regime rg = { F->arch, features, 0, pt_root(&T), 0, 0, 0, 0 };
	rg.controls = PT_CTL_HA | PT_CTL_HD | (sum ? PT_CTL_SUM : 0);
	return rg;
}

uint64_t word_off(uint64_t va)
{
	return 64 + 8 * ((va >> 12) % 480);
}

/* A real load and store at va (must reach pa, or fault as expected), with
 * pt_access asked the same. m: probe mode (0 S, 1 S with SUM, 2 U). */
static void probe_rw(unsigned m, uint64_t va, uint64_t pa, const struct pg *p)
{
	bool mapped = p && p->kind != K_EMPTY;
	static const enum acc ks[] = { ACC_READ, ACC_WRITE };
	static const unsigned kacc[] = { PT_ACCESS_READ, PT_ACCESS_WRITE };
	for (unsigned i = 0; i < 2; i++) {
		enum acc k = ks[i];
		bool want = mapped && arch_allowed(F, m, p->flags, k);
		struct pt_regime rg = regime(F->features, m == 1);
		struct pt_mapping out;
		struct pt_fault pf;
		int rc = pt_access(&rg, &g_mm, va, kacc[i] | (m == 2 ? PT_ACCESS_USER : 0), &out, &pf);
		if (check(rc == (want ? PT_OK : PT_ERR_FAULT), "pt_access verdict", va,
			  (uint64_t)(int64_t)rc, want) && want)
			check(out.pa == pa, "pt_access pa", va, out.pa, pa);
		uint64_t before = *word(pa), val = ~pa ^ 0x5a00;
		uint64_t v = probe(m, k, va, val);
		if (!want) {
			g_faults++;
			if (check(g_faulted, k ? "store did not fault" : "load did not fault", va, v,
				  p ? p->flags : 0))
				check(arch_fault_ok(k, va), "fault cause or stval", va, g_fault_cause,
				      g_fault_addr);
			check(*word(pa) == before, "faulting store changed memory", va, pa, *word(pa));
		} else if (check(!g_faulted, k ? "store faulted" : "load faulted", va, g_fault_cause,
				 p->flags)) {
			if (k == ACC_READ) {
				g_loads++;
				check(v == pa, "load read another page", va, v, pa);
			} else {
				g_stores++;
				check(*word(pa) == val, "store landed elsewhere", va, pa, *word(pa));
			}
		}
		*word(pa) = before;
	}
}

/* pt_query, pt_access, a load and a store on one model page (every 64th
 * page of a 2M leaf), and its raw entry. */
static void check_pg(const struct pg *p)
{
	check_raw(p);
	for (uint64_t o = 0; o < p->size; o += p->kind == K_HUGE ? 64 * PG : PG) {
		uint64_t va = p->va + o + word_off(p->va + o), pa = p->pa + o + word_off(p->va + o);
		bool mapped = p->kind != K_EMPTY;
		struct pt_mapping mp;
		int r = pt_query(&T, va, &mp);
		if (!mapped) {
			check(r == PT_ERR_NOT_MAPPED, "pt_query: unmapped page mapped", va,
			      (uint64_t)(int64_t)r, mp.pa);
		} else if (check(r == PT_OK, "pt_query", va, (uint64_t)(int64_t)r, 0)) {
			check(mp.pa == pa, "pt_query pa", va, mp.pa, pa);
			check(mp.flags == norm(p->flags), "pt_query flags", va, mp.flags, norm(p->flags));
			check(mp.size == (p->kind == K_HUGE ? p->size : PG), "pt_query size", va, mp.size,
			      p->kind);
		}
		probe_rw(mapped && (p->flags & PT_USER) ? 1 : 0, va, pa, p);
		/* T's exec stub, where a page maps it. */
		if (mapped && p->pa + o == t_base) {
			unsigned m = p->flags & PT_USER ? 2 : 0;
			uint64_t v = probe(m, ACC_EXEC, p->va + o, 0);
			if (arch_allowed(F, m, p->flags, ACC_EXEC))
				check(!g_faulted && v == PROBE_MAGIC, "exec of the stub", p->va + o, v,
				      g_fault_cause);
			else
				check(g_faulted, "exec did not fault", p->va + o, v, p->flags);
		}
	}
}

void check_pgs(uint64_t va, uint64_t end)
{
	for (unsigned i = 0; i < npg; i++)
		if (pgs[i].va >= va && pgs[i].va < end)
			check_pg(&pgs[i]);
}

/* Loads and stores (the tag written back) on every page, right before an
 * edit: QEMU's TLB then holds each of them, writable where the page is, so
 * a page the edit changes and libpt does not flush keeps its old
 * translation. (Earlier would not do: QEMU's TLB is direct-mapped, and the
 * probes in between evict pages.) */
void warm(uint64_t va, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct pg *p = find_pg(va + i * PG);
		if (!p || p->kind == K_EMPTY)
			continue;
		unsigned m = p->flags & PT_USER ? 1 : 0;
		uint64_t a = va + i * PG + word_off(va + i * PG);
		uint64_t pa = p->pa + (a - p->va);
		(void)probe(m, ACC_READ, a, 0);
		if (p->flags & PT_WRITE)
			(void)probe(m, ACC_WRITE, a, pa);
		check(!g_faulted, "warm-up access faulted", a, g_fault_cause, p->flags);
	}
}

/* ---- runs: pt_map_region's NAPOT leaves ---------------------------------- */

static int walk_pre(void *arg, const struct pt_entry *e)
{
	uint64_t lo = slot(0), hi = slot(S_PART1_END);
	(void)arg;
	if (!e->leaf || e->va < lo || e->va >= hi)
		return 0;
	struct pg *p = find_pg(e->va);
	if (!check(p && p->va == e->va, "pt_walk: a leaf the model lacks", e->va, e->pa, e->size))
		return 0;
	p->visits++;
	check(e->pa == p->pa, "pt_walk pa", e->va, e->pa, p->pa);
	check(e->size == p->size, "pt_walk size", e->va, e->size, p->size);
	check(e->flags == norm(p->flags), "pt_walk flags", e->va, e->flags, norm(p->flags));
	check(e->level == (p->kind == K_HUGE ? levels() - 2 : levels() - 1), "pt_walk level",
	      e->va, e->level, p->kind);
	check(p->kind == K_ANY || ((e->pte & RV_N) != 0) == (p->kind == K_NAPOT), "pt_walk pte",
	      e->va, e->pte, p->kind);
	return 0;
}

static uint64_t g_rng_bytes;

static int ranges_fn(void *arg, const struct pt_range *r)
{
	(void)arg;
	g_rng_bytes += r->size;
	for (uint64_t o = 0; o < r->size; o += PG) {
		const struct pg *p = find_pg(r->va + o);
		if (!check(p != NULL, "pt_walk_ranges: range over an unmapped page", r->va + o, r->pa,
			   r->size))
			return 0;
		if (!check(r->pa + o == p->pa + (r->va + o - p->va) && r->flags == norm(p->flags) &&
			   r->leaf_size == p->size, "pt_walk_ranges: range disagrees", r->va + o,
			   r->pa + o, r->leaf_size))
			return 0;
	}
	return 0;
}

static uint32_t run_flags(void)
{
	static const uint32_t extra[] = { 0, PT_USER, PT_GLOBAL, PT_EXECUTE, PT_DEVICE, PT_UNCACHED };
	uint32_t f = PT_READ | PT_WRITE | extra[rnd_below(6)];
	return f & (F->flag_mask | PT_READ | PT_GLOBAL);
}

static void part_runs(void)
{
	g_phase = "napot runs";
	uint64_t T64 = RUN_SIZE;
	/* Head of 13 pages, 3 runs, tail of 5. */
	map_run_region(slot(S_HEAD) + 3 * PG, t_base + 5 * T64 + 3 * PG, 13 + 3 * RUN + 5,
		       run_flags());
	/* Two regions with the same flags that meet inside a window: a run,
	 * 9 pages; 7 pages, a run. The shared window is libpt's choice (a
	 * map writes runs whole inside its own range; completing one with
	 * the pages already there would be sound too). */
	uint32_t fl = run_flags();
	map_run_region(slot(S_HEAD) + 1 * PT_SIZE_1M, t_base + 16 * T64, RUN + 9, fl);
	map_run_region(slot(S_HEAD) + 1 * PT_SIZE_1M + (RUN + 9) * PG,
		       t_base + 16 * T64 + (RUN + 9) * PG, 7 + RUN, fl);
	set_pgs(slot(S_HEAD) + 1 * PT_SIZE_1M + T64, RUN, K_ANY, fl, 0);
	/* A 2M leaf, 2 runs and 7 pages. */
	map_run_region(slot(S_HUGE), t_base, 512 + 2 * RUN + 7, run_flags());
	/* VA and PA 4K apart mod 64K: no run anywhere. */
	map_run_region(slot(S_SKEW) + 2 * T64, t_base + 9 * T64 + PG, 3 * RUN, run_flags());
	/* Exactly one run; 15 pages; two halves of a run with other flags. */
	map_run_region(slot(S_MISC) + 7 * T64, t_base + 20 * T64, RUN, run_flags());
	map_run_region(slot(S_MISC) + 9 * T64, t_base + 22 * T64, RUN - 1, run_flags());
	fl = run_flags();
	map_run_region(slot(S_MISC) + 11 * T64, t_base + 24 * T64, RUN / 2, fl);
	map_run_region(slot(S_MISC) + 11 * T64 + RUN / 2 * PG, t_base + 24 * T64 + RUN / 2 * PG,
		       RUN / 2, fl ^ PT_WRITE);
	/* Two runs over T's first 128K, the first over the exec stub: kernel
	 * executable, then user executable. */
	map_run_region(slot(S_STUB), t_base, RUN, PT_READ | PT_EXECUTE);
	map_run_region(slot(S_STUB) + 4 * T64, t_base, RUN,
		       (PT_READ | PT_EXECUTE | PT_USER) & (F->flag_mask | PT_READ));
	unsigned nmodel = npg;
	unsigned runs = 0;
	for (unsigned i = 0; i < npg; i++)
		runs += pgs[i].kind == K_NAPOT;
	pt_flush(&T);

	g_napot_seen = g_plain_seen = 0;
	check_pgs(slot(0), slot(S_PART1_END));
	check(g_napot_seen >= runs, "NAPOT leaves seen", slot(0), g_napot_seen, runs);

	/* pt_walk: every leaf once, a run's members as 4K pages. */
	struct pt_walk_ops ops = { 0, walk_pre, NULL };
	int r = pt_walk(&T, &ops, NULL);
	check(r == PT_OK, "pt_walk", 0, (uint64_t)(int64_t)r, 0);
	for (unsigned i = 0; i < nmodel; i++)
		check(pgs[i].visits == 1, "pt_walk: leaf not seen once", pgs[i].va, pgs[i].visits, 0);

	/* pt_walk_ranges over the window: ranges only over model pages, agreeing
	 * with them, and covering them all. */
	uint64_t bytes = 0;
	for (unsigned i = 0; i < nmodel; i++)
		bytes += pgs[i].size;
	g_rng_bytes = 0;
	r = pt_walk_ranges(&T, slot(0), slot(S_PART1_END) - slot(0), ranges_fn, NULL);
	check(r == PT_OK && g_rng_bytes == bytes, "pt_walk_ranges total", slot(0), g_rng_bytes,
	      bytes);
	gprintf("  %s: napot runs: %u model leaves, %u NAPOT and %u plain raw entries checked\n",
		F->name, nmodel, g_napot_seen, g_plain_seen);
}

/* ---- The group ------------------------------------------------------------ */

/* Whether the CPU translates a NAPOT leaf (-cpu ...,svnapot=true): page 11
 * of a run written by hand, and a load from it. */
static bool cpu_has_svnapot(void)
{
	uint64_t va = slot(S_FOREIGN), pa = t_base + 30 * RUN_SIZE;
	int r = pt_map_region(&T, va, pa, RUN_SIZE, PT_READ, 0);
	if (r != PT_OK)
		return false;
	for (unsigned k = 0; k < RUN; k++)
		*raw_slot(va + k * PG, NULL) = napot_pte(pa, PT_READ);
	sfence_all();
	uint64_t v = probe(0, ACC_READ, va + 11 * PG + 64, 0);
	bool ok = !g_faulted && v == pa + 11 * PG + 64;
	for (unsigned k = 0; k < RUN; k++)
		*raw_slot(va + k * PG, NULL) = plain_pte(pa + k * PG, PT_READ, levels() - 1);
	r = pt_unmap_region(&T, va, RUN_SIZE);
	pt_flush(&T);
	return ok && r == PT_OK;
}

static void check_napot(void)
{
	g_phase = "napot: build";
	npg = 0;
	g_loads = g_stores = g_faults = 0;
	g_watch = 0;
	shadow_clear();
	n_mm = g_mm;
	n_mm.flush_tlb = rec_flush;
	int r = pt_init(&T, F->arch, F->features, &n_mm);
	if (!check(r == PT_OK, "pt_init", 0, (uint64_t)(int64_t)r, F->features))
		return;
	r = guest_map_identity(&T);
	check(r == PT_OK, "identity map", arch_ram_base, (uint64_t)(int64_t)r, 0);
	arch_table_setup(F, &T);
	/* The window: 1G-aligned, above the guest's 4G in the lower half (Sv39)
	 * or in the upper half (Sv48 and up). */
	uint64_t half = UINT64_C(1) << (va_bits() - 1);
	g_win = (4 + rnd_below(half / PT_SIZE_1G - 8)) * PT_SIZE_1G;
	if (F->arch != PT_RISCV_SV39)
		g_win |= ~(half - 1);
	size_t frames = pool_inuse;
	arch_mmu_on(F, &T);

	if (check(cpu_has_svnapot(), "the CPU does not translate NAPOT leaves (svnapot=true?)",
		  slot(S_FOREIGN), 0, 0)) {
		part_runs();
		napot_live();
		napot_foreign();
	}
	gprintf("  %s: napot: %u loads and %u stores reached their page, %u faulted as they "
		"must\n", F->name, g_loads, g_stores, g_faults);

	g_phase = "napot: teardown";
	r = pt_unmap_region(&T, g_win, S_COUNT * PT_SIZE_2M);
	check(r == PT_OK, "pt_unmap_region (window)", g_win, (uint64_t)(int64_t)r, 0);
	pt_flush(&T);
	check(pool_inuse == frames, "tables not reclaimed", g_win, pool_inuse, frames);
	arch_mmu_off(F);
	pt_destroy(&T);
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
}

void arch_more_groups(const struct fmt *f)
{
	if (f->features & PT_FEAT_RISCV_SVNAPOT)
		run_group("napot", check_napot);
}
