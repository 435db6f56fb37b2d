/* SPDX-License-Identifier: MIT */
/*
 * ptdump core: walk page tables inside a raw physical-memory image that
 * nobody vouches for, and report every mapping coalesced into ranges.
 *
 * Only libpt's pure API is used (pt_arch_info, pt_regime_decode per entry,
 * pt_access per leaf for the effective permissions): the image is never
 * handed to the editing engine. Entries are decoded under a regime (struct
 * pt_regime: the attribute register and the controls the tables run
 * under), so foreign encodings (ARMv7 large pages and supersections, RISC-V
 * Svnapot, LoongArch directory entries holding VAs) decode as their MMU
 * reads them. The walk is bounded three ways: every table must lie inside
 * the image and be aligned, the depth is at most the format's levels, and
 * the number of tables visited is capped (an image can point every entry of
 * every table at one table; without the cap that is 512^levels visits).
 * Each entry is read once, so an image that changes under the walk (a
 * running guest's RAM) cannot make it loop or read outside the image.
 *
 * Files: ptdump_core.c (geometry, image, walker), ptdump_attrs.c (raw
 * attribute names per architecture, regime options), ptdump_print.c,
 * ptdump_lint.c, ptdump_diff.c, ptdump_cli.c (the command line).
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
	PTD_EXIT_LINT = 3,    /* --lint found something */
};

#define PTD_DEFAULT_MAX_TABLES 65536ul
/* The formats ptdump reads: the 4 KiB-page ones, first in enum pt_arch. */
#define PTD_NARCH ((unsigned)PT_AARCH64_16K)

/* The image: physical bytes [base, base + len). */
struct ptd_image {
	const unsigned char *data;
	size_t len;
	uint64_t base;
};

struct ptd_config {
	enum pt_arch arch;
	unsigned features;
	unsigned va_bits;       /* the table's VA (IPA) width; 0: the format's default */
	uint64_t root;          /* PA of the root table */
	uint64_t va_lo, va_hi;  /* inclusive canonical VA window; 0, UINT64_MAX: all */
	unsigned long max_tables; /* tables visited before giving up; 0: default */
	/* The regime (struct pt_regime) the tables run under. */
	uint64_t attrs;         /* MAIR, PAT, PRRR | NMRR << 32; 0: libpt's own */
	uint64_t controls;      /* PT_CTL_*, used when controls_set */
	uint64_t dir_mask;      /* LoongArch directory entries: table PA = entry & mask */
	bool controls_set;      /* false: libpt's own controls (ptd_default_controls) */
};

/* The controls pt_translate assumes (libpt's own regime): x86 NXE and WP,
 * AArch64 and RISC-V (stage 2 and G-stage too) hardware A/D. */
uint64_t ptd_default_controls(enum pt_arch a);
/* The struct pt_regime cfg describes. */
void ptd_regime(const struct ptd_config *cfg, struct pt_regime *r);

/* One coalesced run of leaves: same leaf size and flags, contiguous VA and PA. */
struct ptd_range {
	uint64_t va;        /* canonical */
	uint64_t pa;
	uint64_t size;      /* bytes; never 0 */
	uint64_t leaf_size; /* size class of every leaf in the range */
	uint32_t flags;     /* effective PT_* flags (pt_access over every level) */
	unsigned level;     /* level of the leaf entries */
	uint64_t attr;      /* the leaves' raw attribute bits (ptd_attr_bits) */
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
	unsigned long changed;               /* leaves pt_access read differently */
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
/* The same for a table `va_bits` wide (0: the default; a stage 2 of 32..48
 * bits); -1 where the format has no such width. */
int ptd_geom_bits(enum pt_arch a, unsigned va_bits, struct ptd_geom *g);

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
 * sink, in VA order. A leaf whose second read (pt_access, for the effective
 * permissions) disagrees with the first is sent to sink->corrupt too, with
 * its own reason, counted in stats->changed and not as corrupt: it keeps its
 * leaf-only permissions (only an image changing under the walk does this).
 * stats may be NULL. Returns PTD_EXIT_CLEAN,
 * PTD_EXIT_CORRUPT, or PTD_EXIT_USAGE (cfg fails ptd_check, or no memory).
 */
int ptd_walk(const struct ptd_image *img, const struct ptd_config *cfg,
	     const struct ptd_sink *sink, struct ptd_stats *stats);

/* Hooks through which pt_translate reads the image (only whole 4 KiB frames). */
void ptd_mm(const struct ptd_image *img, struct pt_mm *mm);

/* pt_access (no access check) over the image under cfg's regime: PT_OK,
 * PT_ERR_NOT_MAPPED, PT_ERR_CORRUPT (malformed, or a table outside the
 * image) or PT_ERR_INVALID. */
int ptd_translate(const struct ptd_image *img, const struct ptd_config *cfg, uint64_t va,
		  struct pt_mapping *out);

/*
 * Map an image file read-only and shared (a running guest's RAM in a QEMU
 * memory-backend-file is seen as it changes), between two inaccessible
 * guard pages, so that a read past either end faults instead of reading
 * other memory. Writes a message to err; PTD_EXIT_USAGE on failure.
 */
int ptd_load_image(const char *path, uint64_t base, struct ptd_image *img, FILE *err);
void ptd_unload_image(struct ptd_image *img);

/* ---- Raw attributes (ptdump_attrs.c) ---- */

/* The bits of leaf pte (at level, under cfg's regime) the attribute column
 * names: everything but the address and the permission bits. */
uint64_t ptd_attr_bits(const struct ptd_config *cfg, unsigned level, uint64_t pte);
/* "nG AF DBM CON SW55 Attr1=0xff" etc. for attribute bits attr. */
const char *ptd_attr_str(const struct ptd_config *cfg, unsigned level, uint64_t attr, char *buf,
			 size_t len);
/* Comma-separated control names (nxe, wp, ..., hpd; "none"): -1 on an
 * unknown name, its start in *bad. */
int ptd_parse_controls(const char *s, uint64_t *controls, const char **bad);
/* "nxe,wp" for controls. */
const char *ptd_controls_str(uint64_t controls, char *buf, size_t len);
/* cfg's regime makes sense for its format: controls, attribute register
 * (reserved encodings named), dir_mask. A message in err and -1, or 0. */
int ptd_check_regime(const struct ptd_config *cfg, char *err, size_t errlen);
/* Register-shaped options: the controls `reg` (cr0, cr4, efer, sctlr, tcr,
 * sstatus, menvcfg) owns in format a, and what value v sets among them.
 * -1 when reg does not apply to a. */
int ptd_register_controls(enum pt_arch a, unsigned features, const char *reg, uint64_t v,
			  uint64_t *owned, uint64_t *set);

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
	const struct ptd_config *cfg; /* names the attributes; NULL: no attribute column */
	const char *prefix;           /* before each text line ("+ ", "- "); NULL: none */
};
void ptd_print_range(void *printer, const struct ptd_range *r);
void ptd_print_corrupt(void *printer, const struct ptd_corrupt *c);

/* Print st (text or JSON). */
void ptd_print_stats(FILE *f, bool json, const struct ptd_geom *g, const struct ptd_stats *st);

/* Ranges and corrupt entries collected in memory (lint, diff). */
struct ptd_list {
	struct ptd_range *r;
	size_t n, cap;
	unsigned long corrupt;
	bool nomem;
};
void ptd_list_range(void *list, const struct ptd_range *r);
void ptd_list_free(struct ptd_list *l);

/* ---- Lint (ptdump_lint.c) ---- */

enum ptd_lint_kind {
	PTD_LINT_WX,          /* writable and executable */
	PTD_LINT_USER_GLOBAL, /* user page not tagged by ASID */
	PTD_LINT_EXEC_DEVICE, /* executable device memory */
	PTD_LINT_W_ALIAS,     /* writable alias of an executable frame */
};
struct ptd_finding {
	enum ptd_lint_kind kind;
	struct ptd_range r;     /* the offending VA range (clipped to the alias) */
	struct ptd_range other; /* PTD_LINT_W_ALIAS: the executable range */
};
/* Every finding in ranges (VA order, as ptd_walk gives them), sent to fn
 * in VA order of r; the number of findings. */
unsigned long ptd_lint(const struct ptd_range *r, size_t n,
		       void (*fn)(void *arg, const struct ptd_finding *f), void *arg);
const char *ptd_lint_name(enum ptd_lint_kind k);
void ptd_print_finding(void *printer, const struct ptd_finding *f);

/* ---- Diff (ptdump_diff.c) ---- */

enum ptd_diff_kind { PTD_DIFF_ADDED, PTD_DIFF_REMOVED, PTD_DIFF_CHANGED };
struct ptd_change {
	enum ptd_diff_kind kind;
	struct ptd_range old_r, new_r; /* the one that exists; both when changed */
};
/* Compare two VA-ordered range lists over the same VAs: every VA whose
 * mapping (PA, leaf size, flags, attributes) differs, coalesced; the number
 * of changes sent to fn. */
unsigned long ptd_diff(const struct ptd_range *a, size_t na, const struct ptd_range *b, size_t nb,
		       void (*fn)(void *arg, const struct ptd_change *c), void *arg);
void ptd_print_change(void *printer, const struct ptd_change *c);

/* The whole command line: ptdump's main with its streams. Returns the exit code. */
int ptd_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* PTDUMP_CORE_H */
