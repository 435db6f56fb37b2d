/* SPDX-License-Identifier: MIT */
/* Shared by the parts of the ptdump test program, tools/test_ptdump*.c. */
#ifndef PT_TEST_PTDUMP_H
#define PT_TEST_PTDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ptdump_core.h"

extern unsigned g_pass, g_fail;
extern const char *g_ctx;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			g_pass++;                                              \
		} else {                                                       \
			g_fail++;                                              \
			printf("FAIL %s:%d [%s] %s: ", __FILE__, __LINE__, g_ctx, #cond); \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

void group_end(const char *name);
uint64_t rnd(void);

/* test_ptdump_oracle.c: the flat model of every leaf made, the coalescing
 * rule, the collecting sink and pt_walk as a second oracle. */
struct leaf {
	uint64_t va, pa, size;
	uint32_t flags;
	unsigned level; /* filled from pt_walk (raw entries) */
	uint64_t attr;
};

struct model {
	struct leaf *v;
	size_t n, cap;
	const struct ptd_geom *g;
};

void model_add(struct model *m, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags);
bool model_overlaps(const struct model *m, uint64_t va, uint64_t size);
void model_protect(struct model *m, uint64_t va, uint64_t size, uint32_t flags);
void model_unmap(struct model *m, uint64_t va, uint64_t size);
size_t coalesce(struct leaf *v, size_t n, struct ptd_range *out);

struct collect {
	struct ptd_range *r;
	size_t n, cap;
	struct ptd_corrupt c[64];
	size_t nc;
};

void col_range(void *arg, const struct ptd_range *r);
void col_corrupt(void *arg, const struct ptd_corrupt *x);
unsigned translate_mismatches(const struct ptd_image *img, const struct ptd_config *cfg,
			      const struct collect *c);

struct walkacc {
	const struct ptd_config *cfg; /* names the raw attributes */
	struct model leaves;
	unsigned long tables[PT_MAX_LEVELS];
};

int walk_pre(void *arg, const struct pt_entry *e);
/* Give every model leaf the level and raw attributes of the pt_walk leaf
 * at its VA; false if one has none. */
bool model_fill_attrs(struct model *m, const struct model *walked);

/* test_ptdump_roundtrip.c; test_ptdump.c lists the variants. */
struct variant {
	enum pt_arch arch;
	unsigned feat;
	const char *feat_name;
	unsigned va_bits; /* pt_init_config's and ptdump's --va-bits; 0: the default */
};

void roundtrip(const struct variant *v);

/* test_ptdump_hostile.c: hostile images, other harnesses' corpora. */
void put_pte(unsigned char *img, uint64_t off, uint64_t pte, unsigned bytes);
int walk_img(const unsigned char *p, size_t n, uint64_t base, enum pt_arch a, unsigned feat,
	     uint64_t root, unsigned long max, struct collect *c, struct ptd_stats *st);
void hostile(void);
void corpora(void);

/* test_ptdump_regime.c: foreign tables in bits, lint, diff, options. */
void regime(void);
void lint_diff(void);
void options(void);

/* test_ptdump_live.c: an image rewritten by another thread while walked. */
void live(void);

/* test_ptdump_cli.c: the command line in-process, and the binary. */
extern bool g_raw_header; /* run_main keeps the '#' lines */
int run_main(char **argv, char **out, char **errout);
char *write_image(const void *p, size_t n);
void cli(void);

#endif /* PT_TEST_PTDUMP_H */
