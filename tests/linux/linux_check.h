/* SPDX-License-Identifier: MIT */
/* What linux_check's files share: the capture and its views, lookup(), results, the walk. */
#ifndef LINUX_CHECK_H
#define LINUX_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pt.h"
#include "ptdump_core.h"

/* ---- capture.c ------------------------------------------------------------ */

struct kv {
	char key[32];
	char val[512];
};

struct kvs {
	struct kv v[64];
	int n;
};

struct capture {
	const char *dir;
	char config[64];
	bool x86;
	struct kvs meta, regs;
	unsigned char *ram;
	size_t ram_len;
	struct ptd_image img;
	struct pt_mm mm;
};

/* One view: the registers QEMU's answers were given under. Half 0 is
 * TTBR0 / CR3, half 1 TTBR1 (arm64 only). */
struct view {
	char name[32];
	enum pt_arch arch;
	int halves;
	struct pt_regime half[2];
	unsigned va_bits[2];
	unsigned gva_access;  /* the access QEMU's gva2gpa made in this view */
	bool user_mode;       /* the view's privilege: EL0 / CPL 3 */
	bool walk_only;       /* no QEMU answers (registers QEMU could not be set to) */
};

/* Report a fatal error (exit status 2: not a check's failure). */
__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);
/* Copy a string, cut to fit. */
void copy_str(char *d, size_t n, const char *s);
void path_of(char *buf, size_t len, const struct capture *c, const char *file);
/* A file of the capture, VIEW.EXT (gva2gpa, tlb, mem); NULL if it cannot be opened. */
FILE *open_in(const struct capture *c, const char *view, const char *ext);
/* Load the capture in dir (meta.txt, regs.txt, ram.bin mapped privately); dies on error. */
void load_capture(struct capture *c, const char *dir);
/* Fill a view from the saved registers with the view's overrides (a line
 * of views.txt: "NAME key=value..."). */
int make_view(const struct capture *c, const char *line, struct view *v);
/* The half (0: TTBR0 / CR3, 1: TTBR1) that translates va. */
int half_of(const struct view *v, uint64_t va);
uint64_t ram_u64(const struct capture *c, size_t off);
/* The image offsets of the entries on the walk to va's leaf, root first
 * (see capture.c: plants and the upper-level NX note only). */
int raw_path(const struct capture *c, const struct view *v, uint64_t va, size_t off[]);

/* ---- linux_check.c: the one permission function, results ------------------ */

enum { LK_OK, LK_NOT_MAPPED, LK_CORRUPT, LK_DENIED };
int lookup(const struct capture *c, const struct view *v, uint64_t va, unsigned access,
	   bool ignore_af, struct pt_mapping *out);
/* Print one "[group] linux CONFIG/VIEW CHECK: N passed, N failed" line. */
void group(const struct capture *c, const struct view *v, const char *check,
	   unsigned long pass, unsigned long fail);

/* ---- The walk's accumulator (linux_check.c fills it) ----------------------- */

struct sig {
	uint64_t key;    /* entry with the address bits masked off, and the level */
	unsigned long n;
	struct ptd_corrupt ex;
	char reason[64];
};

struct walk_acc {
	const struct capture *c;
	uint64_t addr_mask;
	struct sig sig[64];
	int nsig;
	unsigned long corrupt;
	uint64_t *leaves; /* leaf VAs (x86: compared with info tlb) */
	size_t nleaves, cap;
	uint64_t mapped_bytes;
	/* --walk-vas: the first and last byte of every every-th range, the
	 * middle of every every_leaf-th leaf */
	FILE *vas;
	unsigned long nranges, every, nleaf_seen, every_leaf;
	/* the first leaf of the walk (plants) */
	bool have_first;
	uint64_t first_va;
};

/* ---- check_x86.c ---------------------------------------------------------- */

/* x86: info tlb's leaves and info mem's effective permissions against
 * libpt, and the set of leaves of libpt's walk a. */
void check_x86_tables(const struct capture *c, const struct view *v, struct walk_acc *a);

#endif
