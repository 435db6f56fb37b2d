/* SPDX-License-Identifier: MIT */
/*
 * What every libpt harness shares: the libFuzzer entry point declaration,
 * a byte reader that never runs past the input (it yields zeros once the
 * input is used up, so every input is a complete program), and the check
 * macro that turns an oracle mismatch into a crash libFuzzer reports.
 */
#ifndef PT_FUZZ_COMMON_H
#define PT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rd {
	const uint8_t *p;
	size_t n, i;
};

static inline int rd_more(const struct rd *r)
{
	return r->i < r->n;
}

static inline uint8_t rd_u8(struct rd *r)
{
	return r->i < r->n ? r->p[r->i++] : 0;
}

static inline uint16_t rd_u16(struct rd *r)
{
	uint16_t v = rd_u8(r);
	return (uint16_t)(v | (uint16_t)rd_u8(r) << 8);
}

static inline uint32_t rd_u32(struct rd *r)
{
	uint32_t v = rd_u16(r);
	return v | (uint32_t)rd_u16(r) << 16;
}

static inline uint64_t rd_u64(struct rd *r)
{
	uint64_t v = rd_u32(r);
	return v | (uint64_t)rd_u32(r) << 32;
}

/* A mismatch is a finding: say where, then trap so the fuzzer keeps the
 * input (abort() can be intercepted; a trap cannot). */
#define FZ_CHECK(c)                                                                   \
	do {                                                                          \
		if (!(c)) {                                                           \
			fprintf(stderr, "%s:%d: oracle mismatch: %s\n", __FILE__, __LINE__, \
				#c);                                                  \
			fz_context();                                                 \
			__builtin_trap();                                             \
		}                                                                     \
	} while (0)

/* The formats fuzz_pte and fuzz_translate pick from an input byte: the
 * 4 KiB-page ones, the first FZ_NARCH of enum pt_arch, so that a corpus
 * keeps its meaning when formats are added after them. */
#define FZ_NARCH ((unsigned)PT_AARCH64_16K)

/* Feature sets pt_init accepts, restated from the format table (not asked of the
 * library): only the format's own bits, never EL2 with HIGH, never Svpbmt
 * with XuanTie. */
static inline bool fz_is_ept(enum pt_arch a)
{
	return a == PT_X86_64_EPT || a == PT_X86_64_EPT5;
}

static inline bool fz_is_gstage(enum pt_arch a)
{
	return a == PT_RISCV_SV39X4 || a == PT_RISCV_SV48X4 || a == PT_RISCV_SV57X4;
}

static inline bool fz_feat_ok(enum pt_arch a, unsigned f)
{
	unsigned allowed = 0;
	if (fz_is_ept(a))
		allowed = PT_FEAT_EPT_AD;
	/* 52-bit PAs on every granule; 52-bit VAs on 64K (FEAT_LVA) and on
	 * 16K with LPA2 only, never on 4K. */
	if (a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K)
		allowed = PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH | PT_FEAT_AARCH64_PA52 |
			  (a != PT_AARCH64 ? PT_FEAT_AARCH64_VA52 : 0);
	if (a == PT_AARCH64_16K && (f & PT_FEAT_AARCH64_VA52) && !(f & PT_FEAT_AARCH64_PA52))
		return false;
	if (a == PT_RISCV_SV39 || a == PT_RISCV_SV48 || a == PT_RISCV_SV57)
		allowed = PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE | PT_FEAT_RISCV_SVNAPOT;
	if (f & ~allowed)
		return false;
	if ((f & PT_FEAT_AARCH64_EL2) && (f & PT_FEAT_AARCH64_HIGH))
		return false;
	return !((f & PT_FEAT_RISCV_XUANTIE) && (f & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_SVNAPOT)));
}

/* Each harness prints what it was doing when a check fails. */
#ifndef FZ_NO_CONTEXT
static void fz_context(void);
#endif

#endif /* PT_FUZZ_COMMON_H */
