/* SPDX-License-Identifier: MIT */
/*
 * pt_access_nested: a guest's stage-1 tables living in guest-physical
 * memory, reached only through a stage-2 table, for every pair of formats
 * the MMUs pair. Guest memory is an arena at guest-physical GPA_BASE; the
 * stage-2 table maps it at host-physical GPA_BASE + SHIFT, and the host's
 * phys_to_virt reaches it only there. Expected addresses, sizes, flags and
 * faults come from how the test built both stages, never from a libpt
 * walk.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "pt.h"

#define GPA_BASE UINT64_C(0x40000000) /* guest memory: 64 MiB of guest frames */
#define GPA_FRAMES 16384u
#define SHIFT UINT64_C(0x100000000)   /* where stage 2 puts it in host memory */
#define HOST_BASE UINT64_C(0x10000000) /* the host's own frames (stage-2 tables) */
#define HOST_FRAMES 1024u
#define RWX (PT_READ | PT_WRITE | PT_EXECUTE)

struct pair {
	const char *name;
	struct pt_config s1, s2;
};

static const struct pair pairs[] = {
	{ "x86_64/ept", { PT_X86_64, 0, 0 }, { PT_X86_64_EPT, 0, 0 } },
	{ "x86_64/ept_ad", { PT_X86_64, 0, 0 }, { PT_X86_64_EPT, PT_FEAT_EPT_AD, 0 } },
	{ "la57/ept5", { PT_X86_64_LA57, 0, 0 }, { PT_X86_64_EPT5, 0, 0 } },
	{ "x86_64/ept5", { PT_X86_64, 0, 0 }, { PT_X86_64_EPT5, 0, 0 } },
	{ "aarch64/s2_40", { PT_AARCH64, 0, 0 }, { PT_AARCH64_S2, 0, 40 } },
	{ "aarch64/s2_32", { PT_AARCH64, 0, 0 }, { PT_AARCH64_S2, 0, 32 } },
	{ "aarch64/s2_48", { PT_AARCH64, 0, 0 }, { PT_AARCH64_S2, 0, 48 } },
	{ "sv39/sv39x4", { PT_RISCV_SV39, 0, 0 }, { PT_RISCV_SV39X4, 0, 0 } },
	{ "sv48/sv48x4", { PT_RISCV_SV48, 0, 0 }, { PT_RISCV_SV48X4, 0, 0 } },
	{ "sv57/sv57x4", { PT_RISCV_SV57, 0, 0 }, { PT_RISCV_SV57X4, 0, 0 } },
	{ "sv39/sv48x4", { PT_RISCV_SV39, 0, 0 }, { PT_RISCV_SV48X4, 0, 0 } },
};

/* The world of one pair: guest memory, host memory, both tables. */
static struct arena guest, host;
static struct pt_table s1, s2;

/* The host's view: its own frames, and guest memory where stage 2 put it. */
static void *host_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa >= GPA_BASE + SHIFT && pa - (GPA_BASE + SHIFT) < (uint64_t)GPA_FRAMES * 4096)
		return arena_phys_to_virt(&guest, pa - SHIFT);
	return arena_phys_to_virt(&host, pa);
}

static const struct pt_mm host_mm = { .phys_to_virt = host_virt };

/* The regime the tables were written for: x86 stage 1 with NXE and WP
 * (libpt's own), the rest with no control. */
static struct pt_regime regime(const struct pt_config *c, const struct pt_table *t)
{
	struct pt_regime r = { c->arch, c->features, c->va_bits, pt_root(t), 0, 0, 0, 0 };
	if (c->arch == PT_X86_64 || c->arch == PT_X86_64_LA57)
		r.controls = PT_CTL_NXE | PT_CTL_WP;
	return r;
}

static int nested(const struct pair *p, uint64_t va, unsigned acc, struct pt_mapping *m,
		  struct pt_fault *f)
{
	const struct pt_regime r1 = regime(&p->s1, &s1), r2 = regime(&p->s2, &s2);
	memset(f, 0x5a, sizeof(*f));
	return pt_access_nested(&r1, &r2, &host_mm, va, acc, m, f);
}

/* Build both stages: all of guest memory mapped at stage 2 in 4K pages,
 * RWX; the guest tables made with libpt in guest memory. */
static bool setup(const struct pair *p)
{
	struct pt_mm gmm, hmm;
	if (arena_init(&guest, GPA_BASE, GPA_FRAMES) || arena_init(&host, HOST_BASE, HOST_FRAMES))
		return false;
	arena_mm(&guest, &gmm);
	arena_mm(&host, &hmm);
	gmm.flush_tlb = hmm.flush_tlb = NULL;
	if (pt_init_config(&s1, &p->s1, &gmm) != PT_OK || pt_init_config(&s2, &p->s2, &hmm) != PT_OK)
		return false;
	return pt_map_region(&s2, GPA_BASE, GPA_BASE + SHIFT, (uint64_t)GPA_FRAMES * 4096, RWX, 0) ==
	       PT_OK;
}

static void teardown(void)
{
	pt_destroy(&s1);
	pt_destroy(&s2);
	arena_fini(&guest);
	arena_fini(&host);
}

/* A guest data frame (guest-physical), outside every table. */
static uint64_t data_gpa(unsigned i)
{
	return GPA_BASE + (uint64_t)(GPA_FRAMES - 64 + i) * 4096;
}

/* A lower-half VA with bits set at every level, so that its root index is
 * not 0 in any stage-1 format. */
static uint64_t far_va(const struct pair *p)
{
	const unsigned bits = pt_arch_info(p->s1.arch)->va_bits;
	return UINT64_C(0x5a5a5a5a5a5a5000) & ((UINT64_C(1) << (bits - 1)) - 1);
}

/* Its index in the stage-1 root (every stage-1 format here: 4 KiB tables
 * of 512 entries, 9 bits a level above a 12-bit page offset). */
static uint64_t root_index(const struct pair *p, uint64_t va)
{
	const unsigned levels = pt_arch_info(p->s1.arch)->levels;
	return (va >> (12 + 9 * (levels - 1))) & 511;
}

static void run_pair(const struct pair *p)
{
	struct pt_mapping m;
	struct pt_fault f;
	const uint64_t va = UINT64_C(0x12345000), huge_va = UINT64_C(0x200000) * 9;
	snprintf(check_ctx, sizeof(check_ctx), "%s", p->name);
	if (!CHECK(setup(p)))
		return;

	/* A 4K guest page: host address = its guest address + SHIFT. */
	CHECK_EQ(pt_map(&s1, va, data_gpa(3), PT_SIZE_4K, PT_READ | PT_WRITE), PT_OK);
	CHECK_EQ(nested(p, va + 0x123, PT_ACCESS_READ | PT_ACCESS_WRITE, &m, &f), PT_OK);
	CHECK_EQ(m.pa, data_gpa(3) + SHIFT + 0x123);
	CHECK_EQ(m.size, PT_SIZE_4K);
	CHECK_EQ(m.flags & RWX, PT_READ | PT_WRITE);

	/* A stage-1 fault stays stage 1. */
	CHECK_EQ(nested(p, va + 0x1000, PT_ACCESS_READ, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.stage, 1);
	CHECK_EQ(f.kind, PT_FAULT_NOT_PRESENT);
	CHECK_EQ(f.ipa, 0);

	/* Stage 2 read-only on the output: reads pass, writes fault at stage
	 * 2 with the output's guest-physical address. */
	CHECK_EQ(pt_protect(&s2, data_gpa(3), PT_READ | PT_EXECUTE, NULL), PT_OK);
	CHECK_EQ(nested(p, va + 8, PT_ACCESS_READ, &m, &f), PT_OK);
	CHECK_EQ(m.flags & RWX, PT_READ);
	CHECK_EQ(nested(p, va + 8, PT_ACCESS_WRITE, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.stage, 2);
	CHECK_EQ(f.kind, PT_FAULT_PERMISSION);
	CHECK_EQ(f.ipa, data_gpa(3) + 8);

	/* The output unmapped at stage 2. */
	CHECK_EQ(pt_unmap(&s2, data_gpa(3), NULL), PT_OK);
	CHECK_EQ(nested(p, va, PT_ACCESS_READ, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.stage, 2);
	CHECK_EQ(f.kind, PT_FAULT_NOT_PRESENT);
	CHECK_EQ(f.ipa, data_gpa(3));
	/* The stage-2 leaf level: an AArch64 stage 2 has (bits - 8) / 9. */
	CHECK_EQ(f.level + 1, p->s2.va_bits ? (p->s2.va_bits - 8) / 9
					    : pt_arch_info(p->s2.arch)->levels);

	/* A stage-1 table frame unmapped at stage 2: the walk faults at
	 * stage 2 on the guest-physical address of the entry it was reading
	 * (what htval and the VMCS report), here in the root: a VA whose
	 * root index is not 0 tells the entry from its table. */
	{
		const uint64_t root = pt_root(&s1);
		CHECK_EQ(pt_unmap(&s2, root, NULL), PT_OK);
		CHECK_EQ(nested(p, va, 0, &m, &f), PT_ERR_FAULT);
		CHECK_EQ(f.stage, 2);
		CHECK_EQ(f.kind, PT_FAULT_NOT_PRESENT);
		CHECK_EQ(f.ipa, root);
		CHECK_EQ(nested(p, far_va(p), PT_ACCESS_READ, &m, &f), PT_ERR_FAULT);
		CHECK_EQ(f.stage, 2);
		CHECK_EQ(f.ipa, root + root_index(p, far_va(p)) * 8);
		CHECK_EQ(pt_map(&s2, root, root + SHIFT, PT_SIZE_4K, PT_READ), PT_OK);
		CHECK_EQ(pt_map(&s2, data_gpa(3), data_gpa(3) + SHIFT, PT_SIZE_4K, RWX), PT_OK);
		if (p->s2.features & PT_FEAT_EPT_AD) {
			/* EPT with A/D flags: the CPU treats every access to a
			 * guest paging structure as a write (Intel SDM, EPT
			 * violations), so a read-only table frame faults. */
			CHECK_EQ(nested(p, va, 0, &m, &f), PT_ERR_FAULT);
			CHECK_EQ(f.stage, 2);
			CHECK_EQ(f.kind, PT_FAULT_PERMISSION);
			CHECK_EQ(f.ipa, root);
			CHECK_EQ(pt_protect(&s2, root, RWX, NULL), PT_OK);
		}
		/* Otherwise read-only at stage 2 is enough for the walk's reads. */
		CHECK_EQ(nested(p, va, PT_ACCESS_READ | PT_ACCESS_WRITE, &m, &f), PT_OK);
	}

	/* A 2M guest leaf over 4K stage-2 pages: the smaller size. */
	CHECK_EQ(pt_map_region(&s1, huge_va, GPA_BASE + UINT64_C(0x400000), PT_SIZE_2M,
			       PT_READ | PT_EXECUTE, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_unmap(&s2, GPA_BASE + UINT64_C(0x400000) + 0x5000, NULL), PT_OK);
	CHECK_EQ(pt_map(&s2, GPA_BASE + UINT64_C(0x400000) + 0x5000,
			GPA_BASE + UINT64_C(0x400000) + 0x5000 + SHIFT, PT_SIZE_4K, PT_READ | PT_DEVICE), PT_OK);
	CHECK_EQ(nested(p, huge_va + 0x5010, PT_ACCESS_READ, &m, &f), PT_OK);
	CHECK_EQ(m.pa, GPA_BASE + UINT64_C(0x400000) + 0x5010 + SHIFT);
	CHECK_EQ(m.size, PT_SIZE_4K);
	/* Device memory at stage 2 wins over normal memory at stage 1. */
	if (pt_flags_normalize(p->s2.arch, p->s2.features, PT_READ | PT_DEVICE) & PT_DEVICE)
		CHECK(m.flags & PT_DEVICE);
	CHECK_EQ(m.flags & (PT_WRITE | PT_EXECUTE), 0);
	CHECK_EQ(nested(p, huge_va + 0x5010, PT_ACCESS_EXEC, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.stage, 2);
	CHECK_EQ(f.kind, PT_FAULT_PERMISSION);

	/* A guest table pointing outside guest memory: stage 2 faults, nothing
	 * outside what the host gave is read. */
	{
		const uint64_t wild = UINT64_C(0x7ff000000);
		struct pt_regime r1 = regime(&p->s1, &s1), r2 = regime(&p->s2, &s2);
		r1.root = wild & ~(uint64_t)0xffff;
		CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ, &m, &f), PT_ERR_FAULT);
		CHECK_EQ(f.stage, 2);
		/* Beyond a 32-bit IPA, the address itself faults. */
		CHECK_EQ(f.kind, p->s2.va_bits == 32 ? PT_FAULT_ADDRESS : PT_FAULT_NOT_PRESENT);
		CHECK_EQ(f.ipa, r1.root);
		CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, far_va(p), PT_ACCESS_READ, &m, &f),
			 PT_ERR_FAULT);
		CHECK_EQ(f.ipa, r1.root + root_index(p, far_va(p)) * 8);
	}
	teardown();
}

/*
 * A stage-1 leaf whose access state the MMU sets itself (x86 always;
 * AArch64 with TCR.HA/HD, RISC-V with Svadu) is written by the walk: that
 * write goes through stage 2 as a write to the leaf's table, so a guest
 * table stage 2 maps read-only faults at stage 2 (Arm: S1PTW permission
 * fault; x86: EPT violation; RISC-V: store guest-page fault) where a plain
 * read would pass.
 */
static void hw_state_pair(const struct pair *p)
{
	const bool x86 = p->s1.arch == PT_X86_64 || p->s1.arch == PT_X86_64_LA57;
	const uint64_t va = UINT64_C(0x7654000), tables = data_gpa(0) - GPA_BASE;
	uint64_t leaf_table_of_va = 0;
	struct pt_regime r1, r2;
	struct pt_mapping m;
	struct pt_fault f;
	snprintf(check_ctx, sizeof(check_ctx), "%s hardware state", p->name);
	if (p->s2.features & PT_FEAT_EPT_AD)
		return; /* every table access a write there (the EPT A/D group) */
	if (!CHECK(setup(p)))
		return;
	r1 = regime(&p->s1, &s1);
	r2 = regime(&p->s2, &s2);
	if (!x86)
		r1.controls = PT_CTL_HA | PT_CTL_HD;
	CHECK_EQ(pt_map(&s1, va, data_gpa(5), PT_SIZE_4K, PT_READ | PT_WRITE), PT_OK);
	r1.root = pt_root(&s1);
	/* Every guest table frame read-only at stage 2. */
	CHECK_EQ(pt_protect_region(&s2, GPA_BASE, tables, PT_READ), PT_OK);
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ | PT_ACCESS_WRITE, &m, &f),
		 PT_OK); /* accessed and dirty: nothing to write */

	/* Not accessed: a read sets it, a write to the table. */
	CHECK_EQ(pt_clear_state(&s1, va, PT_SIZE_4K, PT_ACCESSED, NULL), PT_OK);
	memset(&f, 0x5a, sizeof(f));
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.stage, 2);
	CHECK_EQ(f.kind, PT_FAULT_PERMISSION);
	/* The guest-physical address of the leaf's entry: its table alone
	 * read-only still faults there, writable it passes. */
	CHECK(f.ipa >= GPA_BASE && f.ipa < GPA_BASE + tables &&
	      f.ipa % 4096 == ((va >> 12) & 511) * 8);
	leaf_table_of_va = f.ipa & ~UINT64_C(0xfff);
	{
		const uint64_t leaf_table = f.ipa & ~UINT64_C(0xfff);
		CHECK_EQ(pt_protect_region(&s2, GPA_BASE, tables, RWX), PT_OK);
		CHECK_EQ(pt_protect(&s2, leaf_table, PT_READ, NULL), PT_OK);
		CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ, &m, &f), PT_ERR_FAULT);
		CHECK_EQ(f.stage, 2);
		CHECK_EQ(f.ipa & ~UINT64_C(0xfff), leaf_table);
		CHECK_EQ(pt_protect(&s2, leaf_table, RWX, NULL), PT_OK);
		CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ, &m, &f), PT_OK);
		CHECK_EQ(pt_protect_region(&s2, GPA_BASE, tables, PT_READ), PT_OK);
	}
	/* Nothing asked: nothing written. */
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, 0, &m, &f), PT_OK);
	/* Stage 2 writable again: the access passes, reporting the state
	 * stage 1 had. */
	CHECK_EQ(pt_protect_region(&s2, GPA_BASE, tables, RWX), PT_OK);
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ, &m, &f), PT_OK);
	CHECK_EQ(m.state & PT_ACCESSED, 0);

	/* Accessed but clean: reads need no write, writes dirty the leaf. */
	CHECK_EQ(pt_set_state(&s1, va, PT_ACCESSED), PT_OK);
	CHECK_EQ(pt_clear_state(&s1, va, PT_SIZE_4K, PT_DIRTY, NULL), PT_OK);
	CHECK_EQ(pt_protect_region(&s2, GPA_BASE, tables, PT_READ), PT_OK);
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_READ, &m, &f), PT_OK);
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_WRITE, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.stage, 2);
	CHECK_EQ(f.kind, PT_FAULT_PERMISSION);
	if (p->s1.arch == PT_AARCH64) {
		/* Clean to the MMU (DBM, AP[2] set) but dirty in the software
		 * bit 55 another OS may leave set: the MMU still writes. */
		uint64_t *e = NULL;
		for (unsigned i = 0; i < 512 && !e; i++) {
			uint64_t *c = (uint64_t *)host_virt(NULL, leaf_table_of_va + SHIFT) + i;
			if ((*c & 1) && (*c & UINT64_C(0x0000fffffffff000)) == data_gpa(5))
				e = c;
		}
		if (CHECK(e)) {
			*e |= UINT64_C(1) << 55;
			CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_WRITE, &m, &f),
				 PT_ERR_FAULT);
			CHECK_EQ(f.stage, 2);
			CHECK_EQ(f.ipa & ~UINT64_C(0xfff), leaf_table_of_va);
			*e &= ~(UINT64_C(1) << 55);
		}
		/* TCR.HA without HD: stage 1 itself refuses the write. */
		r1.controls = PT_CTL_HA;
		CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, va, PT_ACCESS_WRITE, &m, &f),
			 PT_ERR_FAULT);
		CHECK_EQ(f.stage, 1);
		CHECK_EQ(f.kind, PT_FAULT_DIRTY);
	}
	teardown();
}

static void bad_arguments(void)
{
	struct pt_regime r1 = { PT_X86_64, 0, 0, 0x1000, 0, 0, 0, 0 };
	struct pt_regime r2 = { PT_X86_64_EPT, 0, 0, 0x2000, 0, 0, 0, 0 };
	struct pt_mapping m;
	struct pt_fault f;
	group_begin("nested bad arguments");
	CHECK_EQ(pt_access_nested(NULL, &r2, &host_mm, 0, 0, &m, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access_nested(&r1, NULL, &host_mm, 0, 0, &m, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access_nested(&r1, &r2, NULL, 0, 0, &m, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, 0, 0, NULL, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, 0, 0x10, &m, &f), PT_ERR_INVALID);
	/* Pairs no MMU has. */
	r2.arch = PT_AARCH64_S2;
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, 0, 0, &m, &f), PT_ERR_INVALID);
	r2.arch = PT_X86_64;
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, 0, 0, &m, &f), PT_ERR_INVALID);
	r1.arch = PT_X86_64_EPT, r2.arch = PT_X86_64_EPT;
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, 0, 0, &m, &f), PT_ERR_INVALID);
	/* A stage 2 pt_access refuses, even where stage 1 faults first. */
	r1.arch = PT_X86_64, r2.arch = PT_X86_64_EPT, r2.root = 0x2008;
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, UINT64_C(0x800000000000), 0, &m, &f),
		 PT_ERR_INVALID);
	r2.root = 0x2000, r2.controls = PT_CTL_SMEP;
	CHECK_EQ(pt_access_nested(&r1, &r2, &host_mm, 0, 0, &m, &f), PT_ERR_INVALID);
	group_end();
}

int main(void)
{
	group_begin("nested (both stages built by the test)");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		run_pair(&pairs[i]);
	group_end();
	group_begin("nested: hardware state updates write through stage 2");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		hw_state_pair(&pairs[i]);
	group_end();
	bad_arguments();
	return check_status();
}
