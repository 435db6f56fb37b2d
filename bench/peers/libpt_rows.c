/* SPDX-License-Identifier: MIT */
/*
 * libpt's side of the peer comparison (bench/peers/run.sh): the rows of
 * bench/peers/src/main.rs, with its method, through libpt's public API
 * only. One pre-faulted 64 MiB arena, a bump frame allocator reset before
 * every run (frees are no-ops), tables reached at PA + a constant offset
 * (pt_set_direct_map), no flush_tlb hook (no TLB work), frees in batches
 * (pt_set_free_batch, a no-op as free_frames is), mappings at VA
 * 1 GiB -> PA 2 GiB, flags PT_READ | PT_WRITE.
 *
 *   libpt_rows <format> [reps [row]]
 *
 * runs every row (or the one named) reps times (rows interleaved) and
 * prints, per row, the fastest run in ns per unit and the units: "<row>
 * <ns> <units>". Formats: x86_64 la57 aarch64 sv39 sv48 sv57 la64 (not
 * ARMv7, whose 32-bit VA and PA hold neither the arena's PA nor 64 GiB of
 * 1G leaves). run.sh's icount mode
 * counts the instructions of run_row (the measured part) under callgrind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pt.h"

#define ARENA_BYTES (UINT64_C(64) << 20)
/* The PA of the arena's first frame (as main.rs): 1 TiB (above every mapped
 * PA, inside every format's PA width), or the arena's host address where
 * that is lower (under valgrind). */
#define ARENA_PA_MAX (UINT64_C(1) << 40)
#define PAGE        PT_SIZE_4K
#define VA          PT_SIZE_1G
#define PA          (2 * PT_SIZE_1G)
#define PAGES_1G    (PT_SIZE_1G / PAGE)
#define CALLS       4096u
#define RW          (PT_READ | PT_WRITE)

struct bump {
	unsigned char *mem;
	uint64_t pa;   /* the PA of mem */
	uint64_t next; /* index of the next free frame */
};

static int bump_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	struct bump *b = ctx;
	uint64_t a = align > PAGE ? align / PAGE : 1;
	uint64_t i = (b->next + a - 1) & ~(a - 1);

	if ((i + count) * PAGE > ARENA_BYTES)
		return -1;
	b->next = i + count;
	*pa = b->pa + i * PAGE;
	return 0;
}

static void bump_free(void *ctx, uint64_t pa, size_t count)
{
	(void)ctx;
	(void)pa;
	(void)count;
}

static void bump_free_batch(void *ctx, const uint64_t *pa, size_t n, size_t count)
{
	(void)ctx;
	(void)pa;
	(void)n;
	(void)count;
}

/* Only pt_init's root lookup comes here: the direct map serves the rest. */
static void *bump_virt(void *ctx, uint64_t pa)
{
	struct bump *b = ctx;

	if (pa < b->pa || pa - b->pa >= ARENA_BYTES)
		return NULL;
	return b->mem + (pa - b->pa);
}

static void check(int r, const char *what)
{
	if (r != PT_OK) {
		fprintf(stderr, "libpt_rows: %s: %s\n", what, pt_strerror(r));
		exit(1);
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The rows, in main.rs's order and with its names and units, then one of
 * libpt's own. The walks: walk_4k counts the leaves and walk_sum_4k adds up
 * their PAs, in the caller's own loop over the cursor's batches (the peers,
 * in the closure their walk calls per leaf); walk_callback_4k counts them
 * through pt_walk's callback, an indirect call per entry. */
enum {
	MAP_REGION_4K, PROTECT_REGION_4K, UNMAP_REGION_4K, MAP_4K, QUERY,
	MAP_REGION_2M, MAP_REGION_1G, UNMAP_4K, PROTECT_4K, WALK_4K,
	WALK_SUM_4K, WALK_CALLBACK_4K, NROWS
};
static const struct {
	const char *name;
	uint64_t units;
} rows[NROWS] = {
	{ "map_region_4k_1g", PAGES_1G },
	{ "protect_region_4k_1g", PAGES_1G },
	{ "unmap_region_4k_1g", PAGES_1G },
	{ "map_4k_x4096", CALLS },
	{ "query_x4096", CALLS },
	{ "map_region_2m_1g", 512 },
	{ "map_region_1g_64g", 64 },
	{ "unmap_4k_x4096", CALLS },
	{ "protect_4k_x4096", CALLS },
	{ "walk_4k_1g", PAGES_1G },
	{ "walk_sum_4k_1g", PAGES_1G },
	{ "walk_callback_4k_1g", PAGES_1G },
};

struct run {
	struct pt_table t;
	struct bump b;
	struct pt_mm mm;
	enum pt_arch arch;
	uint64_t offset;
	uint64_t vas[CALLS];
	uint64_t leaves;
	uint64_t sum; /* the last run's sum of PAs (the query row's is checked) */
	volatile uint64_t sink;
};

static void fresh(struct run *r)
{
	r->b.next = 0;
	check(pt_init(&r->t, r->arch, 0, &r->mm), "pt_init");
	check(pt_set_direct_map(&r->t, r->offset), "pt_set_direct_map");
	check(pt_set_free_batch(&r->t, bump_free_batch), "pt_set_free_batch");
}

static int count_leaf(void *arg, const struct pt_entry *e)
{
	struct run *r = arg;

	r->leaves += e->leaf;
	return 0;
}

/* Leaves of 4K, 2M and 1G in [VA, VA + window), and how many of them are
 * read-only: what a run left in the table, read back by pt_walk. */
struct census {
	uint64_t k4, m2, g1, ro;
	uint64_t window;
};

static int census_leaf(void *arg, const struct pt_entry *e)
{
	struct census *c = arg;

	if (!e->leaf || e->va < VA || e->va >= VA + c->window)
		return 0;
	switch (e->size) {
	case PT_SIZE_4K: c->k4++; break;
	case PT_SIZE_2M: c->m2++; break;
	case PT_SIZE_1G: c->g1++; break;
	default: return PT_ERR_CORRUPT;
	}
	c->ro += !(e->flags & PT_WRITE);
	return 0;
}

/* What each row leaves in the table (as main.rs's expected()): a run that
 * did less, or other, than its row says fails the program. */
static void verify(struct run *r, int row)
{
	static const struct census want[NROWS] = {
		[MAP_REGION_4K] = { PAGES_1G, 0, 0, 0, PT_SIZE_1G },
		[PROTECT_REGION_4K] = { PAGES_1G, 0, 0, PAGES_1G, PT_SIZE_1G },
		[UNMAP_REGION_4K] = { 0, 0, 0, 0, PT_SIZE_1G },
		[MAP_4K] = { CALLS, 0, 0, 0, PT_SIZE_1G },
		[QUERY] = { PAGES_1G, 0, 0, 0, PT_SIZE_1G },
		[MAP_REGION_2M] = { 0, 512, 0, 0, PT_SIZE_1G },
		[MAP_REGION_1G] = { 0, 0, 64, 0, 64 * PT_SIZE_1G },
		[UNMAP_4K] = { 0, 0, 0, 0, PT_SIZE_1G },
		[PROTECT_4K] = { CALLS, 0, 0, CALLS, PT_SIZE_1G },
		[WALK_4K] = { PAGES_1G, 0, 0, 0, PT_SIZE_1G },
		[WALK_SUM_4K] = { PAGES_1G, 0, 0, 0, PT_SIZE_1G },
		[WALK_CALLBACK_4K] = { PAGES_1G, 0, 0, 0, PT_SIZE_1G },
	};
	struct census c = { .window = want[row].window };
	struct pt_walk_ops ops = { .pre = census_leaf };

	check(pt_walk(&r->t, &ops, &c), "census");
	if (memcmp(&c, &want[row], sizeof(c)) != 0) {
		fprintf(stderr, "libpt_rows: %s: the table after the run holds %llu 4K, "
			"%llu 2M, %llu 1G leaves, %llu read-only\n", rows[row].name,
			(unsigned long long)c.k4, (unsigned long long)c.m2,
			(unsigned long long)c.g1, (unsigned long long)c.ro);
		exit(1);
	}
	if (row == QUERY) {
		uint64_t sum = 0;

		for (unsigned i = 0; i < CALLS; i++)
			sum += r->vas[i] - VA + PA;
		if (sum != r->sum)
			check(PT_ERR_CORRUPT, "query's PAs");
	}
	if (row == WALK_SUM_4K && r->sum != PAGES_1G * PA + PAGE * (PAGES_1G * (PAGES_1G - 1) / 2))
		check(PT_ERR_CORRUPT, "the walk's sum of PAs");
}

static void setup(struct run *r, int row)
{
	switch (row) {
	case PROTECT_REGION_4K: case UNMAP_REGION_4K: case QUERY:
	case WALK_4K: case WALK_SUM_4K: case WALK_CALLBACK_4K:
		check(pt_map_region(&r->t, VA, PA, PT_SIZE_1G, RW, 0), "setup");
		break;
	case UNMAP_4K: case PROTECT_4K:
		check(pt_map_region(&r->t, VA, PA, CALLS * PAGE, RW, 0), "setup");
		break;
	default:
		break;
	}
}

/* Out of line so that callgrind can count it alone (--toggle-collect). */
__attribute__((noinline)) static void run_row(struct run *r, int row)
{
	struct pt_table *t = &r->t;
	struct pt_mapping m;
	uint64_t sum = 0;

	switch (row) {
	case MAP_REGION_4K:
		check(pt_map_region(t, VA, PA, PT_SIZE_1G, RW, 0), "map_region");
		break;
	case PROTECT_REGION_4K:
		check(pt_protect_region(t, VA, PT_SIZE_1G, PT_READ), "protect_region");
		break;
	case UNMAP_REGION_4K:
		check(pt_unmap_region(t, VA, PT_SIZE_1G), "unmap_region");
		break;
	case MAP_4K:
		for (uint64_t i = 0; i < CALLS; i++)
			check(pt_map(t, VA + i * PAGE, PA + i * PAGE, PAGE, RW), "map");
		break;
	case QUERY:
		for (unsigned i = 0; i < CALLS; i++) {
			check(pt_query(t, r->vas[i], &m), "query");
			sum += m.pa;
		}
		break;
	case MAP_REGION_2M:
		/* PA 2 MiB past a 1G boundary: 2M leaves only. */
		check(pt_map_region(t, VA, PA + PT_SIZE_2M, PT_SIZE_1G, RW, PT_ALLOW_HUGE),
		      "map_region 2M");
		break;
	case MAP_REGION_1G:
		check(pt_map_region(t, VA, PA, 64 * PT_SIZE_1G, RW, PT_ALLOW_HUGE),
		      "map_region 1G");
		break;
	case UNMAP_4K:
		for (uint64_t i = 0; i < CALLS; i++)
			check(pt_unmap(t, VA + i * PAGE, NULL), "unmap");
		break;
	case PROTECT_4K:
		for (uint64_t i = 0; i < CALLS; i++)
			check(pt_protect(t, VA + i * PAGE, PT_READ, NULL), "protect");
		break;
	case WALK_4K: {
		struct pt_cursor c;
		struct pt_batch b;
		uint64_t n = 0;
		int err;

		PT_FOR_EACH_BATCH(&c, t, VA, PT_SIZE_1G, &b, err)
			for (size_t i = 0; i < b.n; i++)
				n++;
		check(err, "cursor");
		if (n != PAGES_1G)
			check(PT_ERR_CORRUPT, "cursor's leaf count");
		break;
	}
	case WALK_CALLBACK_4K: {
		struct pt_walk_ops ops = { .pre = count_leaf };

		r->leaves = 0;
		check(pt_walk(t, &ops, r), "walk");
		if (r->leaves != PAGES_1G)
			check(PT_ERR_CORRUPT, "walk's leaf count");
		break;
	}
	case WALK_SUM_4K: {
		struct pt_cursor c;
		struct pt_batch b;
		uint64_t n = 0;
		int err;

		PT_FOR_EACH_BATCH(&c, t, VA, PT_SIZE_1G, &b, err) {
			for (size_t i = 0; i < b.n; i++)
				sum += PT_BATCH_PA(&b, i);
			n += b.n;
		}
		check(err, "cursor");
		if (n != PAGES_1G)
			check(PT_ERR_CORRUPT, "cursor's leaf count");
		break;
	}
	default:
		break;
	}
	r->sum = sum;
	r->sink += sum;
}

static struct run the_run;

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum pt_arch arch;
	} formats[] = {
		{ "x86_64", PT_X86_64 }, { "aarch64", PT_AARCH64 },
		{ "sv39", PT_RISCV_SV39 }, { "sv48", PT_RISCV_SV48 },
		{ "la57", PT_X86_64_LA57 }, { "sv57", PT_RISCV_SV57 },
		{ "la64", PT_LOONGARCH64 },
	};
	struct run *r = &the_run;
	unsigned reps = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1;
	const char *only = argc > 3 ? argv[3] : NULL;
	double best[NROWS];
	size_t f;
	int row;

	for (f = 0; argc > 1 && f < sizeof(formats) / sizeof(formats[0]); f++)
		if (strcmp(argv[1], formats[f].name) == 0)
			break;
	for (row = 0; only && row < NROWS; row++)
		if (strcmp(only, rows[row].name) == 0)
			break;
	if (argc < 2 || f == sizeof(formats) / sizeof(formats[0]) || reps == 0 ||
	    row == NROWS) {
		fprintf(stderr, "usage: libpt_rows x86_64|la57|aarch64|sv39|sv48|sv57|la64 [reps [row]]\n");
		return 2;
	}
	r->arch = formats[f].arch;
	r->b.mem = aligned_alloc(PT_SIZE_2M, ARENA_BYTES);
	if (!r->b.mem)
		return 1;
	memset(r->b.mem, 0, ARENA_BYTES); /* pre-fault every page */
	r->b.pa = (uint64_t)(uintptr_t)r->b.mem;
	if (r->b.pa > ARENA_PA_MAX)
		r->b.pa = ARENA_PA_MAX;
	r->offset = (uint64_t)(uintptr_t)r->b.mem - r->b.pa;
	r->mm = (struct pt_mm){ .alloc_frames = bump_alloc, .free_frames = bump_free,
				.phys_to_virt = bump_virt, .ctx = &r->b };
	/* The random query addresses: the xorshift64 sequence main.rs uses. */
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
	for (unsigned i = 0; i < CALLS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r->vas[i] = VA + ((x >> 12) % PAGES_1G) * PAGE + (x & (PAGE - 1));
	}

	for (row = 0; row < NROWS; row++)
		best[row] = 1e300;
	for (unsigned k = 0; k < reps; k++) {
		for (row = 0; row < NROWS; row++) {
			if (only && strcmp(only, rows[row].name) != 0)
				continue;
			fresh(r);
			setup(r, row);
			double t0 = now_ns();
			run_row(r, row);
			double ns = (now_ns() - t0) / (double)rows[row].units;
			if (ns < best[row])
				best[row] = ns;
			if (k == 0)
				verify(r, row);
		}
	}
	for (row = 0; row < NROWS; row++)
		if (!only || strcmp(only, rows[row].name) == 0)
			printf("%s %.4f %llu\n", rows[row].name, best[row],
			       (unsigned long long)rows[row].units);
	return 0;
}
