/* SPDX-License-Identifier: MIT */
/*
 * ptdump core: walk page tables inside a raw physical-memory image that
 * nobody vouches for, and report every mapping coalesced into ranges.
 *
 * Only libpt's pure API is used (pt_arch_info, pt_pte_decode per entry,
 * pt_translate): the image is never handed to the editing engine. The walk
 * is bounded three ways: every table must lie inside the image and be
 * aligned, the depth is at most the format's levels, and the number of
 * tables visited is capped (an image can point every entry of every table
 * at one table; without the cap that is 512^levels visits).
 *
 * Split from tools/ptdump.c so tests and the fuzzer drive the same code.
 */
#ifndef PTDUMP_CORE_H
#define PTDUMP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pt.h"

/* Exit codes of ptdump (and results of ptd_walk / ptd_main). */
enum {
	PTD_EXIT_CLEAN = 0,   /* every entry reached decoded cleanly */
	PTD_EXIT_CORRUPT = 1, /* corrupt entries found, or the visit cap hit */
	PTD_EXIT_USAGE = 2,   /* bad arguments, or the image cannot be read */
};

#define PTD_DEFAULT_MAX_TABLES 65536ul

/* The image: physical bytes [base, base + len). */
struct ptd_image {
	const unsigned char *data;
	size_t len;
	uint64_t base;
};

struct ptd_config {
	enum pt_arch arch;
	unsigned features;
	uint64_t root;          /* PA of the root table */
	uint64_t va_lo, va_hi;  /* inclusive canonical VA window; 0, UINT64_MAX: all */
	unsigned long max_tables; /* tables visited before giving up; 0: default */
};

/* One coalesced run of leaves: same leaf size and flags, contiguous VA and PA. */
struct ptd_range {
	uint64_t va;        /* canonical */
	uint64_t pa;
	uint64_t size;      /* bytes; never 0 */
	uint64_t leaf_size; /* size class of every leaf in the range */
	uint32_t flags;     /* normalised PT_* flags */
};

/* An entry that was not followed, and why. */
struct ptd_corrupt {
	unsigned level;
	size_t index;
	uint64_t table_pa;  /* the table holding the entry */
	uint64_t va;        /* canonical VA of the entry's span */
	uint64_t pte;
	const char *reason; /* static string */
};

struct ptd_sink {
	void (*range)(void *arg, const struct ptd_range *r);
	void (*corrupt)(void *arg, const struct ptd_corrupt *c);
	void *arg;
};

struct ptd_stats {
	unsigned long tables[PT_MAX_LEVELS]; /* tables walked per level */
	unsigned long leaves[64];            /* leaves per log2(size) */
	unsigned long corrupt;               /* entries reported corrupt */
	unsigned long revisits;              /* tables reached more than once */
	unsigned long skipped;               /* table entries not followed: cap hit */
};

/* The format's geometry, derived from pt_arch_info. */
struct ptd_geom {
	unsigned levels;
	unsigned pte_bytes;
	unsigned shift[PT_MAX_LEVELS];
	size_t entries[PT_MAX_LEVELS];
	uint64_t table_bytes[PT_MAX_LEVELS];
	bool sign_extend;
};

/* Fill g for arch a; -1 if a is unknown. */
int ptd_geom(enum pt_arch a, struct ptd_geom *g);

/* "x86_64", "riscv_sv39", ... (pt_arch_info names, plus short aliases). */
int ptd_parse_arch(const char *s, enum pt_arch *a);
/* Comma-separated: el2, high, svpbmt, xuantie. -1 on an unknown name. */
int ptd_parse_features(const char *s, unsigned *features);

/*
 * Check cfg against img: known arch, features of that arch, root aligned to
 * the root table size and wholly inside the image, a sane VA window. Writes
 * a message to err and returns PTD_EXIT_USAGE, or returns PTD_EXIT_CLEAN.
 */
int ptd_check(const struct ptd_image *img, const struct ptd_config *cfg, char *err,
	      size_t errlen);

/*
 * Walk the tables and send every coalesced range and every corrupt entry to
 * sink, in VA order. stats may be NULL. Returns PTD_EXIT_CLEAN,
 * PTD_EXIT_CORRUPT, or PTD_EXIT_USAGE (cfg fails ptd_check, or no memory).
 */
int ptd_walk(const struct ptd_image *img, const struct ptd_config *cfg,
	     const struct ptd_sink *sink, struct ptd_stats *stats);

/* Hooks through which pt_translate reads the image (only whole 4 KiB frames). */
void ptd_mm(const struct ptd_image *img, struct pt_mm *mm);

/* pt_translate over the image: a PT_OK or PT_ERR_* result. */
int ptd_translate(const struct ptd_image *img, const struct ptd_config *cfg, uint64_t va,
		  struct pt_mapping *out);

/* "rwxu" with '-' for a missing permission. buf holds at least 5 bytes. */
const char *ptd_perm_str(uint32_t flags, char *buf);
/* "normal", "device" or "uncached". */
const char *ptd_memtype_str(uint32_t flags);
/* "4K", "2M", "12K", ... of an exact power-of-1024 multiple where possible. */
const char *ptd_size_str(uint64_t size, char *buf, size_t len);

/* Printers: a sink writing text lines, or one JSON object per line. */
struct ptd_printer {
	FILE *f;
	bool json;
};
void ptd_print_range(void *printer, const struct ptd_range *r);
void ptd_print_corrupt(void *printer, const struct ptd_corrupt *c);

/* The whole command line: ptdump's main with its streams. Returns the exit code. */
int ptd_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* PTDUMP_CORE_H */
