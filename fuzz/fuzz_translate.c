/* SPDX-License-Identifier: MIT */
/*
 * fuzz_translate: pt_access and pt_translate over tables nobody vouches for.
 *
 * Every input picks a format, a feature set and a regime (controls, known
 * and unknown; the attribute register; LoongArch's dir_mask; va_bits), then
 * a mode:
 *
 * Mode 0: the input is a memory image. Each 4 KiB frame of it is a separate
 * heap block of exactly 4096 bytes, and phys_to_virt serves only those
 * (NULL elsewhere): ASan reports any read outside a frame the hook
 * returned. A 16K or 64K table spans 4 or 16 such frames, so libpt must
 * ask for the frame holding each entry it reads, never index a table
 * from the frame of its base. Mode 1: libpt builds tables in the test arena from
 * input-chosen map_region calls; pt_translate and pt_access with libpt's
 * own regime must agree with pt_query at sampled VAs; then input-chosen
 * bytes of the tables are flipped.
 *
 * At every VA: pt_translate, pt_access with libpt's own regime (access 0)
 * and pt_access with the input's regime for all 16 access kinds (and now
 * and then an invalid one) must equal the reference MMU of fuzz/ref_*.h,
 * written from the architecture manuals (result, fault kind, level, entry
 * and table; PA, size, effective flags, memory type and state), and no call
 * may ask for more than `levels` frames.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fuzz_common.h"
#include "ftr_fmt.h"
#include "pt.h"
#include "ref_entry.h"

#define MAX_FRAMES 64u

static enum pt_arch g_arch;
static unsigned g_feat, g_mode;
static uint64_t g_va;
static const struct pt_regime *g_reg, *g_reg2; /* g_reg2: a nested check's stage 2 */
static unsigned g_acc;
static struct pt_regime g_rand; /* the input's regime (root set per table) */
static unsigned g_bad_access;   /* 0, or an access with unknown bits */
/* An input of the AArch64 family byte (0xfc), and its feature bits
 * beyond byte 1's. */
static bool g_xfmt;
static unsigned g_xfeat;

static void fz_context(void)
{
	fprintf(stderr, "  mode %u arch %d features %#x va %#llx\n", g_mode, (int)g_arch, g_feat,
		(unsigned long long)g_va);
	if (g_reg)
		fprintf(stderr,
			"  regime: arch %d features %#x va_bits %u root %#llx attrs %#llx controls %#llx "
			"dir_mask %#llx; access %#x\n",
			(int)g_reg->arch, g_reg->features, g_reg->va_bits,
			(unsigned long long)g_reg->root, (unsigned long long)g_reg->attrs,
			(unsigned long long)g_reg->controls, (unsigned long long)g_reg->dir_mask, g_acc);
	if (g_reg2)
		fprintf(stderr,
			"  stage 2: arch %d features %#x va_bits %u root %#llx controls %#llx\n",
			(int)g_reg2->arch, g_reg2->features, g_reg2->va_bits,
			(unsigned long long)g_reg2->root, (unsigned long long)g_reg2->controls);
}

/* ---- The image ------------------------------------------------------------ */

static struct {
	unsigned char *frame[MAX_FRAMES];
	size_t n;
	uint64_t base;
	unsigned calls;
} I;

static void *img_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	I.calls++;
	/* The contract: libpt asks for whole frames only. */
	FZ_CHECK((pa & 0xfff) == 0);
	if (pa < I.base || (pa - I.base) / 4096 >= I.n)
		return NULL;
	return I.frame[(pa - I.base) / 4096];
}

static int no_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	(void)ctx, (void)count, (void)align, (void)pa;
	FZ_CHECK(0); /* pt_translate never allocates */
	return -1;
}

static void no_free(void *ctx, uint64_t pa, size_t count)
{
	(void)ctx, (void)pa, (void)count;
	FZ_CHECK(0);
}

/* ---- Reference walk ------------------------------------------------------ */

/* Format a's default geometry with the input's features (a stage 1's:
 * only AArch64's change it). */
static void fmt_of(enum pt_arch a, struct fmt *f)
{
	(void)fmt_of_cfg(a, g_feat, 0, f);
}

/* An entry of `bytes` (4 on ARMv7, else 8) at p, unaligned-safe. */
static uint64_t load_entry(const unsigned char *p, unsigned bytes)
{
	uint64_t v = 0;
	if (bytes == 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		v = w;
	} else {
		memcpy(&v, p, 8);
	}
	return v;
}

static bool img_read(uint64_t pa, unsigned bytes, uint64_t *v)
{
	uint64_t f = pa & ~(uint64_t)0xfff;
	unsigned char *p;
	if (f < I.base || (f - I.base) / 4096 >= I.n)
		return false;
	p = I.frame[(f - I.base) / 4096] + (pa & 0xfff);
	*v = load_entry(p, bytes);
	return true;
}

static struct arena *g_arena;

/* The frames among the first FLIP_FRAMES of the arena that walks read
 * since the caller cleared it, the reference's and libpt's (through
 * built_virt) alike. A walk's answer depends only on what it read, so
 * after a flip only the VAs whose walks read the flipped frame can
 * answer differently, and only they are checked again. */
#define FLIP_FRAMES 64u
static uint64_t g_touched;

static void touch(uint64_t pa)
{
	const uint64_t k = (pa - g_arena->base) / 4096;
	if (pa >= g_arena->base && k < FLIP_FRAMES)
		g_touched |= UINT64_C(1) << k;
}

/* libpt's phys_to_virt over the arena: counted as img_virt counts, and
 * the frame noted. */
static void *built_virt(void *ctx, uint64_t pa)
{
	I.calls++;
	FZ_CHECK((pa & 0xfff) == 0);
	touch(pa);
	return arena_phys_to_virt(ctx, pa);
}

static bool arena_read(uint64_t pa, unsigned bytes, uint64_t *v)
{
	unsigned char *p;
	touch(pa);
	if (!arena_allocated(g_arena, pa))
		return false;
	p = arena_ptr(g_arena, pa);
	*v = load_entry(p, bytes);
	return true;
}

static bool is_riscv(enum pt_arch a)
{
	return a == PT_RISCV_SV39 || a == PT_RISCV_SV48 || a == PT_RISCV_SV57;
}

/* Formats without a memory-attribute register: stage 2 (EPT's types are
 * in its entries, G-stage has none). */
static bool no_attrs(enum pt_arch a)
{
	return fz_is_ept(a) || fz_is_gstage(a);
}

/* Whether pt_access takes regime r and access (argument rules from
 * pt.h); f: r's geometry. */
static bool ref_args(const struct pt_regime *r, unsigned access, struct fmt *f)
{
	if ((unsigned)r->arch >= PT_ARCH_COUNT || !fz_feat_ok(r->arch, r->features) ||
	    (r->controls & ~ctl_of(r->arch)) || (access & ~15u))
		return false;
	/* RISC-V has one Svadu switch (menvcfg.ADUE): HA and HD equal. */
	if ((is_riscv(r->arch) || fz_is_gstage(r->arch)) &&
	    !(r->controls & PT_CTL_HA) != !(r->controls & PT_CTL_HD))
		return false;
	/* Registers the format does not have are bad arguments too. */
	if ((r->dir_mask && r->arch != PT_LOONGARCH64) ||
	    (r->attrs && (is_riscv(r->arch) || r->arch == PT_LOONGARCH64 || no_attrs(r->arch) ||
			  r->arch == PT_AARCH64_S2)))
		return false;
	/* x86: a PAT value WRMSR refuses (a reserved type, bits 7:3 of
	 * an entry set: SDM Vol. 3A §13.12.2) is a bad argument. */
	if (r->arch == PT_X86_64 || r->arch == PT_X86_64_LA57)
		for (unsigned i = 0; i < 8; i++) {
			unsigned t = (unsigned)(r->attrs >> (8 * i)) & 0xff;
			if (t == 2 || t == 3 || t > 7)
				return false;
		}
	/* ARMv7 with TEX remap: a PRRR.TRn of 0b11 (reserved, ARMv7 ARM
	 * B4.1.127) is a bad argument too. */
	if (r->arch == PT_ARMV7 && (r->controls & PT_CTL_TRE))
		for (unsigned n = 0; n < 8; n++)
			if (((r->attrs >> (2 * n)) & 3) == 3)
				return false;
	/* A stage 2 has every IPA size from 32 to 48 bits. */
	if (r->arch == PT_AARCH64_S2 && r->va_bits && (r->va_bits < 32 || r->va_bits > 48))
		return false;
	if (!fmt_of_cfg(r->arch, r->features, r->va_bits, f))
		return false;
	return !((r->root & (f->root_bytes - 1)) || r->root >> f->pa_bits);
}

/* What pt_access must answer (fuzz/ref_*.h; argument rules from pt.h). */
static bool same_regime(const struct pt_regime *a, const struct pt_regime *b)
{
	return a->arch == b->arch && a->features == b->features && a->va_bits == b->va_bits &&
	       a->root == b->root && a->attrs == b->attrs && a->controls == b->controls &&
	       a->dir_mask == b->dir_mask && a->pa_bits == b->pa_bits;
}

/* ref_args for a defined access, remembered for the last two regimes
 * judged (a nested check alternates its two stages): a check asks one
 * regime 20 times at every VA, and a nested one at every stage-1 read.
 * *bits: the regime's VA (or IPA) size, when it is good. */
static bool ref_regime(const struct pt_regime *r, unsigned *bits)
{
	static struct {
		struct pt_regime r;
		bool ok;
		unsigned bits;
	} seen[2];
	static unsigned n, next;
	struct fmt f;
	unsigned i;
	for (i = 0; i < n; i++)
		if (same_regime(&seen[i].r, r))
			break;
	if (i == n) {
		i = next;
		next ^= 1;
		n += n < 2;
		seen[i].r = *r;
		seen[i].ok = ref_args(r, 0, &f);
		seen[i].bits = seen[i].ok ? f.va_bits : 0;
	}
	*bits = seen[i].bits;
	return seen[i].ok;
}

static void ref_access(const struct pt_regime *r, uint64_t va, unsigned access, read_fn rd,
		       struct ref_out *o)
{
	struct ref_ctx c = { r, va, access, rd, o };
	unsigned bits;
	memset(o, 0, sizeof(*o));
	o->memtype_known = true;
	o->rc = PT_ERR_INVALID;
	if (!(access & ~15u) && ref_regime(r, &bits))
		ref_run(&c, bits);
}

/* FUZZ_TRACE=1: print every answer of libpt's own regime and every nested one (to see what a seed reaches). */
static bool nested_trace(void)
{
	static int on = -1;
	if (on < 0)
		on = getenv("FUZZ_TRACE") != NULL;
	return on != 0;
}

/* pt_translate's codes for pt_access's faults. */
static int translate_rc(const struct ref_out *o)
{
	if (o->rc != PT_ERR_FAULT)
		return o->rc;
	switch (o->f.kind) {
	case PT_FAULT_NOT_PRESENT: return PT_ERR_NOT_MAPPED;
	case PT_FAULT_ADDRESS: return PT_ERR_INVALID;
	default: return PT_ERR_CORRUPT;
	}
}

static void print_path(const struct ref_out *o)
{
	for (unsigned i = 0; i < o->reads && i < PT_MAX_LEVELS; i++)
		fprintf(stderr, "    read %u: [%#llx] = %#llx\n", i, (unsigned long long)o->path[i][0],
			(unsigned long long)o->path[i][1]);
}

static void print_answer(const char *who, int rc, const struct pt_mapping *m,
			 const struct pt_fault *f)
{
	fprintf(stderr, "  %s: rc %d", who, rc);
	if (rc == PT_OK)
		fprintf(stderr, " pa %#llx size %#llx flags %#x state %#x\n",
			(unsigned long long)m->pa, (unsigned long long)m->size, m->flags, m->state);
	else if (rc == PT_ERR_FAULT)
		fprintf(stderr, " fault kind %d stage %u level %u pte %#llx table %#llx\n", (int)f->kind,
			f->stage, f->level, (unsigned long long)f->pte, (unsigned long long)f->table_pa);
	else
		fprintf(stderr, "\n");
}

/* pt_access(r, va, access) against the reference. */
static void check_access(const struct pt_regime *r, const struct pt_mm *mm, uint64_t va,
			 unsigned access, read_fn rd, unsigned max_reads)
{
	struct pt_mapping got;
	struct pt_fault fault;
	struct ref_out want;
	bool same;
	int rc;
	g_reg = r;
	g_acc = access;
	g_va = va;
	memset(&got, 0x5a, sizeof(got));
	memset(&fault, 0x5a, sizeof(fault));
	I.calls = 0;
	rc = pt_access(r, mm, va, access, &got, &fault);
	ref_access(r, va, access, rd, &want);
	FZ_CHECK(I.calls <= max_reads);
	same = rc == want.rc;
	if (same && rc == PT_OK) {
		uint32_t mask = want.memtype_known ? ~0u : ~(uint32_t)REF_MEMTYPES;
		same = got.pa == want.m.pa && got.size == want.m.size &&
		       (got.flags & mask) == (want.m.flags & mask) && got.state == want.m.state;
		if (!want.memtype_known) {
			/* At most one memory type, whichever libpt picks. */
			uint32_t t = got.flags & REF_MEMTYPES;
			same = same && (t & (t - 1)) == 0;
		}
	} else if (same && rc == PT_ERR_FAULT) {
		same = fault.kind == want.f.kind && fault.stage == 1 && fault.level == want.f.level &&
		       fault.pte == want.f.pte &&
		       (want.f.kind == PT_FAULT_ADDRESS || fault.table_pa == want.f.table_pa);
	}
	if (!same) {
		print_answer("pt_access", rc, &got, &fault);
		print_answer("reference", want.rc, &want.m, &want.f);
		print_path(&want);
	}
	FZ_CHECK(same);
	/* A NULL fault pointer changes nothing else. */
	if ((access & 3) == 1) {
		struct pt_mapping g2;
		FZ_CHECK(pt_access(r, mm, va, access, &g2, NULL) == rc);
	}
}

static void compare(enum pt_arch a, unsigned feat, uint64_t root, const struct pt_mm *mm,
		    uint64_t va, read_fn rd)
{
	struct pt_mapping got;
	struct pt_regime own = own_regime(a, feat, root);
	struct ref_out want;
	int rg, rw;
	struct fmt f;
	fmt_of(a, &f);
	g_va = va;
	g_reg = &own;
	g_acc = 0;
	I.calls = 0;
	memset(&got, 0, sizeof(got));
	rg = pt_translate(a, feat, root, mm, va, &got);
	ref_access(&own, va, 0, rd, &want);
	rw = translate_rc(&want);
	if (nested_trace()) {
		fprintf(stderr, "va %#llx\n", (unsigned long long)va);
		print_answer("reference", want.rc, &want.m, &want.f);
	}
	if (rg != rw) {
		fprintf(stderr, "translate %d, reference %d\n", rg, rw);
		print_answer("reference", want.rc, &want.m, &want.f);
		print_path(&want);
	}
	FZ_CHECK(rg == rw);
	/* At most one entry per level, so at most `levels` frames asked for. */
	FZ_CHECK(I.calls <= f.levels);
	if (rg == PT_OK) {
		uint32_t mask = want.memtype_known ? ~0u : ~(uint32_t)REF_MEMTYPES;
		if (!(got.pa == want.m.pa && (got.flags & mask) == (want.m.flags & mask) &&
		      got.size == want.m.size && got.state == want.m.state))
		{
			print_answer("pt_translate", rg, &got, NULL);
			print_answer("reference", want.rc, &want.m, &want.f);
			print_path(&want);
		}
		FZ_CHECK(got.pa == want.m.pa && (got.flags & mask) == (want.m.flags & mask) &&
			 got.size == want.m.size && got.state == want.m.state);
	}
	FZ_CHECK(pt_translate(a, feat, root, mm, va, NULL) == PT_ERR_INVALID);
	/* The same through pt_access, with its fault details. */
	check_access(&own, mm, va, 0, rd, f.levels);
	/* The input's regime, every access kind. */
	if (g_rand.arch == a) {
		struct pt_regime rr = g_rand;
		rr.root = root;
		struct fmt fr;
		/* a stage 2 of another IPA size, a stage 1 of another VA size */
		(void)fmt_of_cfg(a, rr.features, rr.va_bits, &fr);
		for (unsigned acc = 0; acc < 16; acc++)
			check_access(&rr, mm, va, acc, rd, fr.levels);
		if (g_bad_access)
			check_access(&rr, mm, va, g_bad_access, rd, fr.levels);
	}
	{
		struct pt_mapping m;
		struct pt_fault ft;
		FZ_CHECK(pt_access(NULL, mm, va, 0, &m, &ft) == PT_ERR_INVALID);
		FZ_CHECK(pt_access(&own, NULL, va, 0, &m, &ft) == PT_ERR_INVALID);
		FZ_CHECK(pt_access(&own, mm, va, 0, NULL, &ft) == PT_ERR_INVALID);
	}
}

/* The rest of the input as the image: one heap block of exactly 4096
 * bytes per frame (zero-filled past the input), up to MAX_FRAMES. */
static void img_load(struct rd *r)
{
	size_t left = r->n - r->i;
	I.n = (left + 4095) / 4096;
	if (I.n > MAX_FRAMES)
		I.n = MAX_FRAMES;
	for (size_t i = 0; i < I.n; i++) {
		size_t take = left > 4096 ? 4096 : left;
		I.frame[i] = malloc(4096);
		FZ_CHECK(I.frame[i] != NULL);
		memset(I.frame[i], 0, 4096);
		memcpy(I.frame[i], r->p + r->i, take);
		r->i += take;
		left -= take;
	}
}

/* ---- Mode 0: a raw image --------------------------------------------------- */

static void mode_image(struct rd *r, enum pt_arch a, unsigned feat)
{
	struct pt_mm mm = { no_alloc, no_free, img_virt, NULL, NULL };
	struct fmt f;
	uint64_t root, vas[4];
	size_t nva = 1 + rd_u8(r) % 4;
	fmt_of(a, &f);
	/* Frames at a PA the input picks (maybe above pa_bits); with a larger
	 * granule 64 KiB aligned, so frame boundaries fall on its tables'. */
	I.base = (uint64_t)rd_u16(r) << (f.gran > 4096 ? 16 : 12);
	if (rd_u8(r) & 1)
		I.base = (UINT64_C(1) << f.pa_bits) - 0x10000;
	root = I.base + (uint64_t)(rd_u8(r) % 8) * 4096;
	if (rd_u8(r) == 0xff)
		root += rd_u8(r); /* misaligned */
	for (size_t i = 0; i < nva; i++)
		vas[i] = rd_u64(r);
	img_load(r);
	for (size_t i = 0; i < nva; i++) {
		/* Point the VA at the image's first entries now and then. */
		compare(a, feat, root, &mm, vas[i], img_read);
	}
	for (size_t i = 0; i < I.n; i++)
		free(I.frame[i]);
	I.n = 0;
}

/* ---- Mode 1: tables libpt built -------------------------------------- */

static struct arena A;
static bool arena_ready;

/* One flip of the damage loops: an input-chosen byte of one of the first
 * FLIP_FRAMES frames of the arena XORed with an input-chosen value. Its
 * frame in *k; false if nothing changed (a zero value, or a byte no table
 * holds). */
static bool flip(struct rd *r, unsigned *k)
{
	uint64_t pa;
	uint8_t x;
	*k = rd_u16(r) % FLIP_FRAMES;
	pa = A.base + (uint64_t)*k * 4096 + (rd_u16(r) & 0xfff);
	x = rd_u8(r);
	if (!x || !arena_allocated(&A, pa))
		return false;
	*(unsigned char *)arena_ptr(&A, pa) ^= x;
	return true;
}

static void mode_built(struct rd *r, enum pt_arch a, unsigned feat)
{
	struct pt_mm mm;
	struct pt_table t;
	struct fmt f;
	uint64_t vas[16], read[16];
	size_t nva = 0;
	unsigned nmap = 1 + rd_u8(r) % 6;
	fmt_of(a, &f);
	if (!arena_ready) {
		FZ_CHECK(arena_init(&A, 0x10000000, 4096) == 0);
		arena_ready = true;
	}
	A.hint = 0;
	g_arena = &A;
	arena_mm(&A, &mm);
	mm.phys_to_virt = built_virt;
	FZ_CHECK(pt_init(&t, a, feat, &mm) == PT_OK);
	for (unsigned k = 0; k < nmap; k++) {
		/* VAs near the canonical edges and a few table boundaries. */
		uint64_t va, pa, size;
		uint8_t s = rd_u8(r);
		unsigned l = (unsigned)(s >> 4) % f.levels;
		/* Guest-physical: no upper half. */
		const bool gpa = fz_is_ept(a) || fz_is_gstage(a) || a == PT_AARCH64_S2;
		const bool a64 = fz_is_a64s1(a);
		uint64_t top = a == PT_ARMV7 ? UINT64_C(1) << 32
			       : a64 || gpa  ? UINT64_C(1) << f.va_bits
					     : UINT64_C(1) << (f.va_bits - 1);
		/* Region units: 4K and 2M, or a granule and its level-2
		 * block (16K: 32M, 64K: 512M). */
		const unsigned ps = f.gran > 4096 ? f.shift[f.levels - 1] : 12;
		const unsigned bs = f.gran > 4096 ? f.shift[f.levels - 2] : 21;
		va = (uint64_t)rd_u16(r) << f.shift[l];
		if (s & 1)
			va = top - ((uint64_t)(rd_u8(r) + 1) << f.shift[f.levels - 1 - (s >> 1) % 2]);
		if (a64 && (feat & PT_FEAT_AARCH64_HIGH))
			va |= ~(top - 1);
		else if (a != PT_ARMV7 && !a64 && !gpa && (s & 2))
			va = (uint64_t)-(int64_t)top + (va & (top - 1)); /* upper half */
		va &= ~(f.gran - 1);
		pa = (uint64_t)rd_u16(r) << (f.gran > 4096 && !(s & 8) ? ps : bs);
		/* A 52-bit PA: OA[51:48] from s too, where the encodings
		 * move them (bits 15:12, or 9:8 and 49:48). */
		if (feat & PT_FEAT_AARCH64_PA52)
			pa |= (uint64_t)(s >> 4) << 48;
		pa &= (UINT64_C(1) << f.pa_bits) - 1;
		size = (uint64_t)(rd_u8(r) % 8 + 1) << (s & 8 ? bs : ps);
		(void)pt_map_region(&t, va, pa, size, (rd_u8(r) & 0x3f) | PT_READ,
				    (s & 4) ? PT_ALLOW_HUGE : 0);
		if (nva < 16)
			vas[nva++] = va + (size >> 1);
		if (nva < 16)
			vas[nva++] = va + size - 1;
	}
	for (size_t i = 0; i < nva; i++) {
		struct pt_mapping q, tr;
		int rq;
		g_touched = 0;
		rq = pt_query(&t, vas[i], &q);
		g_va = vas[i];
		I.calls = 0;
		int rt = pt_translate(a, feat, pt_root(&t), &mm, vas[i], &tr);
		FZ_CHECK(rq == rt);
		if (rq == PT_OK)
			FZ_CHECK(q.pa == tr.pa && q.flags == tr.flags && q.size == tr.size &&
				 q.state == tr.state);
		{
			/* libpt's own regime through pt_access: the same answer. */
			struct pt_regime own = own_regime(a, feat, pt_root(&t));
			struct pt_mapping ac;
			struct pt_fault ft;
			int ra = pt_access(&own, &mm, vas[i], 0, &ac, &ft);
			g_reg = &own;
			g_acc = 0;
			bool agree = rq == PT_OK ? ra == PT_OK
					 : ra == PT_ERR_FAULT &&
						   ft.kind == (rq == PT_ERR_INVALID ? PT_FAULT_ADDRESS
										    : PT_FAULT_NOT_PRESENT);
			if (!agree)
				fprintf(stderr, "  query %d, pt_access %d (fault %d)\n", rq, ra, (int)ft.kind);
			FZ_CHECK(agree);
			if (rq == PT_OK)
				FZ_CHECK(q.pa == ac.pa && q.flags == ac.flags && q.size == ac.size &&
					 q.state == ac.state);
		}
		compare(a, feat, pt_root(&t), &mm, vas[i], arena_read);
		read[i] = g_touched;
	}
	/* Damage: flip input-chosen bytes of the root and of table frames,
	 * then translate must still match the reference walk at every VA
	 * whose walks read the frame. */
	while (rd_more(r)) {
		unsigned k;
		if (!flip(r, &k))
			continue;
		for (size_t i = 0; i < nva; i++)
			if (read[i] >> k & 1) {
				g_touched = 0;
				compare(a, feat, pt_root(&t), &mm, vas[i], arena_read);
				read[i] = g_touched;
			}
	}
	/* Damaged tables are not destroyed through libpt (it would follow the
	 * garbage): free every frame directly. */
	for (size_t i = 0; i < A.nframes; i++)
		if (A.run[i] && A.run[i] != UINT32_MAX)
			arena_free_frames(&A, A.base + i * 4096, A.run[i]);
	FZ_CHECK(A.in_use == 0);
	A.errors = 0;
}

/* The input's regime: controls (now and then a bit pt.h does not know),
 * the attribute register (0, libpt's own spelled out, raw, or built from
 * defined values), dir_mask (0, Linux's 48-bit mask, raw), va_bits (0, the
 * format's, raw), and a regime with an unknown arch or features. */
static void read_regime(struct rd *r, enum pt_arch a, unsigned feat, uint8_t fb)
{
	uint8_t sel = rd_u8(r);
	struct fmt f;
	fmt_of(a, &f);
	memset(&g_rand, 0, sizeof(g_rand));
	g_rand.arch = a;
	g_rand.features = (fb & 0x20) ? (fb & 15u) | g_xfeat : feat;
	g_rand.controls = rd_u16(r) & ctl_of(a);
	if ((is_riscv(a) || fz_is_gstage(a)) && (g_rand.controls & (PT_CTL_HA | PT_CTL_HD)))
		g_rand.controls |= PT_CTL_HA | PT_CTL_HD;
	if (sel & 0x40) /* another format's control, or one pt.h does not know */
		g_rand.controls |= UINT64_C(1) << (rd_u8(r) % 64);
	switch (sel & 3) {
	case 1: g_rand.attrs = rd_u64(r); break;
	case 2: {
		/* Defined values per byte: x86 PAT types, MAIR attributes
		 * (FEAT_XS's non-cacheable 0x40 and MTE's tagged 0xf0 among
		 * them), ARMv7 PRRR/NMRR as they come. */
		static const uint8_t pat[] = { 0, 1, 4, 5, 6, 7, 6, 7 };
		static const uint8_t mair[] = { 0x00, 0x04, 0x08, 0x0c, 0x44, 0xff, 0xbb, 0xee,
						0x40, 0xa0, 0xf0, 0x4f, 0xf4, 0x48, 0x84, 0x4c };
		for (unsigned i = 0; i < 8; i++) {
			uint8_t v = rd_u8(r);
			uint64_t byte = a == PT_X86_64 || a == PT_X86_64_LA57 ? pat[v & 7]
					: fz_is_a64s1(a)			 ? mair[v & 15]
										 : v;
			g_rand.attrs |= byte << (8 * i);
		}
		break;
	}
	case 3:
		g_rand.attrs = fz_is_a64s1(a) ? PT_AARCH64_MAIR
			       : a == PT_X86_64 || a == PT_X86_64_LA57 ? PT_X86_PAT : 0;
		break;
	default: break;
	}
	switch ((sel >> 2) & 3) {
	case 1: g_rand.dir_mask = (UINT64_C(1) << 48) - 1; break;
	case 2: g_rand.dir_mask = rd_u64(r); break;
	default: break;
	}
	/* Registers the format does not have, only now and then. */
	if (a != PT_LOONGARCH64 && !(sel & 0x80))
		g_rand.dir_mask = 0;
	if ((is_riscv(a) || a == PT_LOONGARCH64 || no_attrs(a)) && !(sel & 0x80))
		g_rand.attrs = 0;
	switch ((sel >> 4) & 3) {
	case 1: g_rand.va_bits = f.va_bits; break;
	case 2: g_rand.va_bits = rd_u8(r); break;
	case 3: /* every IPA size of a stage 2 */
		if (a == PT_AARCH64_S2)
			g_rand.va_bits = 32 + rd_u8(r) % 17;
		else if (g_xfmt) /* and of an AArch64 stage 1, 25..52 */
			g_rand.va_bits = 25 + rd_u8(r) % 28;
		break;
	default: break;
	}
	g_bad_access = (fb & 0x40) ? 16u << rd_u8(r) % 28 : 0;
	if (fb & 0x10)
		g_rand.arch = (enum pt_arch)(PT_ARCH_COUNT + (fb >> 7));
}

/* Nested translation: pt_access_nested over the same two kinds of
 * image (byte 0 from 0xe0). */
#include "ftr_nested.h"

/* Byte 0 0xfc (a nested pair's alias before) picks the AArch64 stage-1
 * family: byte 2 bit 0 the mode, bits 2:1 the granule (4K, 16K, 64K,
 * 16K), bits 5 and 6 PT_FEAT_AARCH64_PA52 and _VA52 beside byte 1's
 * features. The formats after the 4 KiB ones are reached only here, so
 * older inputs keep their meaning. */
static const enum pt_arch XFMT[4] = { PT_AARCH64, PT_AARCH64_16K, PT_AARCH64_64K,
				      PT_AARCH64_16K };
#define XFMT_BYTE 0xfc

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size, 0 };
	uint8_t b = rd_u8(&r), fb = rd_u8(&r);
	enum pt_arch a = (enum pt_arch)((b >> 1) % FZ_NARCH);
	unsigned feat = fb & 15;
	g_xfmt = b == XFMT_BYTE;
	g_xfeat = 0;
	if (g_xfmt) {
		const uint8_t x = rd_u8(&r);
		a = XFMT[(x >> 1) & 3];
		g_xfeat = x & (PT_FEAT_AARCH64_PA52 | PT_FEAT_AARCH64_VA52);
		feat |= g_xfeat;
		b = x & 1;
	} else if (b >= 0xe0) {
		nested(&r, b, fb);
		return 0;
	}
	/* EPT's one feature (A/D flags) from the bit EL2 has elsewhere. */
	if (fz_is_ept(a))
		feat = fb & 1 ? PT_FEAT_EPT_AD : 0;
	g_mode = b & 1;
	g_arch = a;
	g_reg = NULL;
	if (!fz_feat_ok(a, feat))
		feat = 0;
	g_feat = feat;
	read_regime(&r, a, feat, fb);
	if (g_rand.arch != a) {
		/* An unknown format is a bad argument, before anything is read. */
		struct pt_mapping m;
		struct pt_mm mm = { NULL, NULL, NULL, NULL, NULL };
		FZ_CHECK(pt_access(&g_rand, &mm, 0, 1, &m, NULL) == PT_ERR_INVALID);
		g_rand.arch = a;
	}
	if (g_mode == 0)
		mode_image(&r, a, feat);
	else
		mode_built(&r, a, feat);
	return 0;
}
