/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests: an image that changes while it is walked, as a running
 * guest's RAM in a QEMU memory-backend-file does.
 *
 * libpt builds x86-64 tables (4K and 2M leaves, several tables per level)
 * in an arena that is written to a file. A second thread maps the same
 * file MAP_SHARED and keeps rewriting random entries of its table frames
 * (random bytes, random table pointers, pointers back at the root, the
 * original values) while this thread maps the file as ptdump does
 * (ptd_load_image: read-only, shared, between guard pages) and walks,
 * lints and dumps it over and over for about a second. What is proved:
 *   - no crash: a read outside the image hits a guard page and kills the
 *     test (ASan and UBSan watch the rest: `make check` also runs this
 *     group built with them, and `make ptdump-asan` the whole program);
 *   - no loop: every walk visits at most max_tables tables and finishes
 *     within a bound (a hang is also caught by the alarm); the walker
 *     reads each entry once, so no decision rests on two reads;
 *   - every answer is well-formed: ranges in VA order, never overlapping,
 *     exit codes 0 or 1.
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "arena.h"
#include "test_ptdump.h"

#define LBASE UINT64_C(0x40000000)
#define LFRAMES 256

struct writer {
	unsigned char *map;     /* the file, shared and writable */
	const unsigned char *orig;
	size_t table_bytes;     /* the frames holding tables */
	volatile int stop;
	unsigned long writes;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* This thread's CPU time: a walk's cost on a loaded machine. */
static double cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static void *rewrite(void *arg)
{
	struct writer *w = arg;
	uint64_t s = 0x2545f4914f6cdd1dull;
	while (!w->stop) {
		uint64_t v, off;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		off = (s >> 8) % (w->table_bytes / 8) * 8;
		switch (s & 7) {
		case 0: /* one random byte */
			w->map[off + (s >> 3 & 7)] = (unsigned char)(s >> 40);
			continue;
		case 1: /* a table pointer to any frame of the image, or past it */
			v = (LBASE + ((s >> 20) % (LFRAMES + 4)) * 4096) | 7;
			break;
		case 2: /* back at the root: loops between tables */
			v = LBASE | 7;
			break;
		case 3:
		case 4: /* random bits */
			v = s * 0x9e3779b97f4a7c15ull;
			break;
		default: /* what libpt wrote */
			memcpy(&v, w->orig + off, 8);
		}
		__atomic_store_n((uint64_t *)(void *)(w->map + off), v, __ATOMIC_RELAXED);
		/* Bursts, so that the walker gets a CPU on a loaded machine. */
		if (++w->writes % 512 == 0) {
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

struct order {
	uint64_t next;
	bool any, bad;
	unsigned long ranges;
};

static void on_range(void *arg, const struct ptd_range *r)
{
	struct order *o = arg;
	if (r->size == 0 || (o->any && r->va < o->next) || r->va + (r->size - 1) < r->va)
		o->bad = true;
	o->next = r->va + r->size;
	o->any = true;
	o->ranges++;
}

static void on_alarm(int sig)
{
	static const char msg[] = "ptdump live: a walk did not finish (loop?)\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

void live(void)
{
	struct arena ar;
	struct pt_mm mm;
	struct pt_table t;
	struct writer w;
	pthread_t th;
	char *path;
	FILE *devnull = fopen("/dev/null", "w");
	unsigned long walks = 0, ranges = 0, bad_rc = 0, bad_order = 0, over = 0;
	double t0, worst = 0;
	int fd;
	g_ctx = "live";
	memset(&w, 0, sizeof(w));
	if (arena_init(&ar, LBASE, LFRAMES)) {
		CHECK(0, "arena_init");
		return;
	}
	ar.strict_virt = false;
	ar.dirty = false;
	arena_mm(&ar, &mm);
	CHECK(pt_init(&t, PT_X86_64, 0, &mm) == PT_OK, "pt_init");
	for (int i = 0; i < 24; i++)
		pt_map_region(&t, UINT64_C(0xffff800000000000) + (uint64_t)i * PT_SIZE_1G / 8,
			      0x80000000 + (uint64_t)i * PT_SIZE_2M, PT_SIZE_2M + 40 * PT_SIZE_4K,
			      PT_READ | PT_WRITE | (i & 1 ? PT_EXECUTE : 0), PT_ALLOW_HUGE);
	pt_map_region(&t, 0x400000, 0x100000, 300 * PT_SIZE_4K, PT_READ | PT_EXECUTE | PT_USER, 0);
	w.table_bytes = (ar.in_use + 2) * 4096; /* the arena hands out frames from its start */
	if (w.table_bytes < 4096 || w.table_bytes > (size_t)LFRAMES * 4096)
		w.table_bytes = (size_t)LFRAMES * 4096;
	path = write_image(ar.mem, (size_t)LFRAMES * 4096);
	w.orig = ar.mem;
	fd = open(path, O_RDWR);
	w.map = mmap(NULL, (size_t)LFRAMES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(w.map != MAP_FAILED, "writer mmap");
	if (w.map == MAP_FAILED)
		goto out;
	signal(SIGALRM, on_alarm);
	alarm(120); /* a walk that loops never returns: fail the run */
	pthread_create(&th, NULL, rewrite, &w);
	t0 = now();
	while (now() - t0 < 1.0 || walks < 3) {
		struct ptd_image img;
		struct ptd_config cfg = { .arch = PT_X86_64, .root = pt_root(&t),
					  .va_hi = UINT64_MAX, .max_tables = 150 };
		struct order o = { 0, false, false, 0 };
		struct ptd_sink sink = { on_range, NULL, &o };
		struct ptd_stats st;
		struct ptd_list list = { 0 };
		struct ptd_sink ls = { ptd_list_range, NULL, &list };
		struct ptd_printer pr = { devnull, (walks & 1) != 0, &cfg, NULL };
		struct ptd_sink ps = { ptd_print_range, ptd_print_corrupt, &pr };
		unsigned long tables = 0;
		double t1 = cpu(), dt;
		int rc;
		if (ptd_load_image(path, LBASE, &img, stderr)) {
			CHECK(0, "load");
			break;
		}
		rc = ptd_walk(&img, &cfg, &sink, &st);
		for (unsigned l = 0; l < PT_MAX_LEVELS; l++)
			tables += st.tables[l];
		/* The table count includes the root; the cap bounds the rest. */
		over += tables > cfg.max_tables;
		bad_rc += rc != PTD_EXIT_CLEAN && rc != PTD_EXIT_CORRUPT;
		bad_order += o.bad;
		ranges += o.ranges;
		/* The same live image through the list, lint, diff and printers. */
		ptd_walk(&img, &cfg, &ls, NULL);
		ptd_lint(list.r, list.n, NULL, NULL);
		ptd_diff(list.r, list.n, list.r, list.n, NULL, NULL);
		ptd_walk(&img, &cfg, &ps, NULL);
		ptd_list_free(&list);
		ptd_unload_image(&img);
		dt = cpu() - t1;
		worst = dt > worst ? dt : worst;
		walks++;
	}
	w.stop = 1;
	pthread_join(th, NULL);
	alarm(0);
	CHECK(walks >= 3 && w.writes > 1000, "%lu walks, %lu writes", walks, w.writes);
	CHECK(bad_rc == 0, "%lu walks with another exit code", bad_rc);
	CHECK(bad_order == 0, "%lu walks with ranges out of order", bad_order);
	CHECK(over == 0, "%lu walks over the table cap", over);
	/* Natively a walk costs tens of ms: a generous bound, for Valgrind. */
	CHECK(worst < 20, "slowest walk %.3f s of CPU", worst);
	printf("  live: %lu walks (x3) of an image rewritten %lu times meanwhile, %lu ranges, "
	       "slowest %.1f ms of CPU\n", walks, w.writes, ranges, worst * 1e3);
	munmap(w.map, (size_t)LFRAMES * 4096);
out:
	unlink(path);
	free(path);
	fclose(devnull);
	pt_destroy(&t);
	arena_fini(&ar);
#ifdef PTDUMP_LIVE_ONLY
	group_end("live image under ASan+UBSan");
#else
	group_end("live image (rewritten by another thread while walked)");
#endif
}
