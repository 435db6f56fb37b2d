/* SPDX-License-Identifier: MIT */
/* pt_translate over real tables (agrees with pt_query), refused frames and guard-paged garbage. */
#include <sys/mman.h>

#include "engine_env.h"

/* ---- pt_translate -------------------------------------------------------- */

/* phys_to_virt that refuses [frame, frame + size). */
struct deny {
	struct arena *a;
	uint64_t frame, size;
};
/* Leaf sizes a foreign table may hold: the format's own, and the ones
 * libpt never writes but decodes (ARMv7 64K large pages and 16M
 * supersections, RISC-V 64K Svnapot runs). */
static uint64_t foreign_sizes(const struct fmt *f)
{
	uint64_t s = pt_arch_info(f->arch)->leaf_sizes;
	if (f->arch == PT_ARMV7)
		s |= UINT64_C(1) << 16 | UINT64_C(1) << 24;
	if (f->arch >= PT_RISCV_SV39 && f->arch <= PT_RISCV_SV57)
		s |= UINT64_C(1) << 16;
	/* The blocks 52-bit output addresses add: 4K at Arm level 0, 16K
	 * at level 1, 64K at level 1. */
	if (f->feat & PT_FEAT_AARCH64_PA52)
		s |= f->arch == PT_AARCH64 ? PT_SIZE_512G : f->arch == PT_AARCH64_16K ? PT_SIZE_64G
									   : PT_SIZE_4T;
	return s;
}

static void *deny_virt(void *ctx, uint64_t pa)
{
	struct deny *d = ctx;
	if (pa - d->frame < d->size)
		return NULL;
	return arena_phys_to_virt(d->a, pa);
}

/* Garbage memory: NG frames at PA GB.., each a read-write page between
 * PROT_NONE guard pages, so a read outside a frame faults. */
#define NG 8
#define GB UINT64_C(0x200000)
struct garbage {
	unsigned char *map;
	unsigned long asked, outside;
};
static unsigned char *g_frame(struct garbage *g, size_t i)
{
	return g->map + (2 * i + 1) * 4096;
}
static void *garbage_virt(void *ctx, uint64_t pa)
{
	struct garbage *g = ctx;
	g->asked++;
	if (pa < GB || pa >= GB + NG * 4096) {
		g->outside++;
		return NULL;
	}
	return g_frame(g, (size_t)((pa - GB) / 4096)) + (pa & 0xfff);
}

static void t_translate(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m1, m2;
	const uint64_t K4 = fmt_page(f);
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	uint64_t vas[64];
	size_t nv = 0;
	uint64_t s = 0x1234567 + f->arch * 77 + f->feat;
	CTX("%s translate", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map_region(&e.t, V(f, 0x40000000 - 8 * K4), 0x800000 - 8 * K4, 2 * hs + 16 * K4,
			       RWX, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_map(&e.t, top_page(f), 4 * K4, K4, R_ | PT_USER), PT_OK);
	vas[nv++] = top_page(f) + 0xabc;
	vas[nv++] = top_page(f) - 1;
	vas[nv++] = V(f, 0);
	for (int i = -9; i < 10; i++)
		vas[nv++] = V(f, 0x40000000) + (uint64_t)(int64_t)i * (int64_t)K4 + 0x10;
	vas[nv++] = V(f, 0x40000000) + hs + 0x777;
	vas[nv++] = V(f, 0x40000000) + 2 * hs + 0x777;
	vas[nv++] = V(f, 0x40000000) + 2 * hs + 8 * K4;
	while (nv < 64)
		vas[nv++] = V(f, 0x40000000 - 16 * K4) + rng_next(&s) % (2 * hs + 32 * K4);
	for (size_t i = 0; i < nv; i++) {
		int r1 = pt_query(&e.t, vas[i], &m1);
		int r2 = fmt_translate(f, pt_root(&e.t), &e.mm, vas[i], &m2);
		CTX("%s translate va %#llx", f->name, (unsigned long long)vas[i]);
		CHECK_EQ(r2, r1);
		if (r1 == PT_OK && r2 == PT_OK) {
			CHECK_EQ(m2.pa, m1.pa);
			CHECK_EQ(m2.size, m1.size);
			CHECK_EQ(m2.flags, m1.flags);
		}
	}
	CTX("%s translate", f->name);
	/* Bad arguments. */
	{
		uint64_t va = V(f, 0x40000000 - 4 * K4), root = pt_root(&e.t);
		struct pt_mm nov = e.mm;
		nov.phys_to_virt = NULL;
		/* (a stage-2 root of 64 entries is aligned to its 512 bytes) */
		CHECK_EQ(fmt_translate(f, root + (fmt_entries(f, 0) * fmt_pte_bytes(f) < 4096 ? 8 : 0x800),
				       &e.mm, va, &m2),
			 PT_ERR_INVALID);
		if (fmt_root_frames(f) > 1) /* a root of several frames is aligned to its size */
			CHECK_EQ(fmt_translate(f, root + PT_SIZE_4K, &e.mm, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(fmt_translate(f, root, NULL, va, &m2), PT_ERR_INVALID);
		/* A VA outside the half the table serves. */
		{
			uint64_t nc = f->arch == PT_ARMV7     ? UINT64_C(1) << 32
				      : fmt_is_a64(f->arch) ? (f->lo ? UINT64_C(0x1000) : fmt_lower_end(f))
							      : fmt_lower_end(f);
			CHECK_EQ(fmt_translate(f, root, &e.mm, nc, &m2), PT_ERR_INVALID);
		}
		CHECK_EQ(fmt_translate(f, root, &e.mm, va, NULL), PT_ERR_INVALID);
		CHECK_EQ(fmt_translate(f, root, &nov, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(ARCH_UNKNOWN, 0, root, &e.mm, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(f->arch, 1u << 20, root, &e.mm, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(fmt_translate(f, UINT64_C(1) << f->pa_bits, &e.mm, va, &m2),
			 PT_ERR_INVALID);
		/* A table phys_to_virt cannot reach is corrupt. */
		{
			/* The whole last-level table: one granule. */
			struct deny d = { &e.a, table_at(&e, va, f->levels - 1) & ~(K4 - 1), K4 };
			struct pt_mm dm = { NULL, NULL, deny_virt, NULL, &d };
			if (CHECK(d.frame != 0)) {
				CHECK_EQ(fmt_translate(f, root, &dm, va, &m2), PT_ERR_CORRUPT);
				CHECK_EQ(fmt_translate(f, root, &dm, top_page(f), &m2), PT_OK);
			}
			/* The top page's root entry is in the root's last frame. */
			d.frame = root;
			d.size = PT_SIZE_4K;
			/* The top's root entry is in the root's last frame. */
			CHECK_EQ(fmt_translate(f, root, &dm, top_page(f), &m2),
				 fmt_root_frames(f) > 1 ? PT_OK : PT_ERR_CORRUPT);
		}
	}
	env_fini(&e);

	/* Garbage tables: never crash, never read outside a served frame. */
	{
		struct garbage g = { 0, 0, 0 };
		struct pt_mm gm = { NULL, NULL, garbage_virt, NULL, &g };
		unsigned long res[8] = { 0 }, bad = 0;
		g.map = mmap(NULL, (2 * NG + 1) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!CHECK(g.map != MAP_FAILED))
			return;
		for (size_t i = 0; i < NG; i++)
			mprotect(g_frame(&g, i), 4096, PROT_READ | PROT_WRITE);
		for (int round = 0; round < 200; round++) {
			for (size_t i = 0; i < NG; i++) {
				unsigned char *p = g_frame(&g, i);
				for (size_t k = 0; k < 4096; k += 8) {
					uint64_t v = rng_next(&s);
					memcpy(p + k, &v, 8);
				}
			}
			/* Plant plausible entries so walks go deep. */
			for (int k = 0; k < 3000; k++) {
				size_t fi = (size_t)(rng_next(&s) % NG);
				unsigned pb = fmt_pte_bytes(f);
				size_t slot = (size_t)(rng_next(&s) % (4096 / pb));
				unsigned lvl = (unsigned)(rng_next(&s) % f->levels);
				uint64_t tgt = GB + (rng_next(&s) % (NG * 4)) * 1024;
				uint64_t v;
				switch (rng_next(&s) % 4) {
				case 0: v = pt_pte_table(f->arch, fmt_plevel(f, lvl), f->arch == PT_ARMV7 ? tgt : tgt & ~UINT64_C(0xfff)); break;
				case 1: v = pt_pte_page(f->arch, f->feat, fmt_plevel(f, lvl), fmt_span(f, lvl) * (rng_next(&s) % 4), RW); break;
				case 2: v = pt_pte_table(f->arch, fmt_plevel(f, lvl), UINT64_C(0x7000000)); break; /* unreachable */
				default: v = 0; break;
				}
				if (pb == 4) {
					uint32_t w = (uint32_t)v;
					memcpy(g_frame(&g, fi) + slot * 4, &w, 4);
				} else {
					memcpy(g_frame(&g, fi) + slot * 8, &v, 8);
				}
			}
			for (int q = 0; q < 100; q++) {
				uint64_t va = fmt_canon(f, rng_next(&s)) & ~UINT64_C(0x3);
				int r;
				if (f->arch == PT_ARMV7)
					va &= 0xffffffffu;
				else if (fmt_is_a64(f->arch))
					va = f->lo | (va & (fmt_lower_end(f) - 1));
				else if (fmt_stage2(f))
					va &= fmt_lower_end(f) - 1;
				r = fmt_translate(f, GB, &gm, va, &m2);
				if (r == PT_OK) {
					res[0]++;
					if (m2.size == 0 || (m2.size & (m2.size - 1)) ||
					    !(foreign_sizes(f) & m2.size) ||
					    ((m2.pa ^ va) & (m2.size - 1)) || (m2.flags & ~PT_FLAGS_ALL))
						bad++;
				} else if (r == PT_ERR_NOT_MAPPED) {
					res[1]++;
				} else if (r == PT_ERR_CORRUPT) {
					res[2]++;
				} else {
					bad++;
				}
			}
		}
		/* A table pointing at itself at every level cannot loop. */
		for (size_t k = 0; k < 4096 / fmt_pte_bytes(f); k++) {
			uint64_t v = pt_pte_table(f->arch, fmt_plevel(f, 0), GB);
			if (fmt_pte_bytes(f) == 4) {
				uint32_t w = (uint32_t)v;
				for (size_t i = 0; i < 4; i++)
					memcpy(g_frame(&g, i) + k * 4, &w, 4);
			} else {
				memcpy(g_frame(&g, 0) + k * 8, &v, 8);
			}
		}
		{
			int r = fmt_translate(f, GB, &gm, V(f, 0x12345000), &m2);
			CHECK(r == PT_ERR_CORRUPT || r == PT_ERR_NOT_MAPPED || r == PT_OK);
		}
		CHECK_EQ(bad, 0);
		CHECK(res[0] > 0); /* the planted entries produced translations */
		CHECK(res[2] > 0);
		CHECK(g.outside > 0);
		munmap(g.map, (2 * NG + 1) * 4096);
	}
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		if (!fmt_in_valgrind_runs(f))
			continue;
		snprintf(name, sizeof(name), "translate %s", f->name);
		group_begin(name);
		t_translate(f);
		group_end();
	}
	return check_status();
}
