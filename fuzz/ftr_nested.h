/* SPDX-License-Identifier: MIT */
/*
 * ftr_nested.h: fuzz_translate's nested half (pt_access_nested), part of
 * fuzz_translate.c's translation unit: it uses that file's image, arena,
 * reference and regime reader, and is included after them.
 */
#ifndef PT_FUZZ_FTR_NESTED_H
#define PT_FUZZ_FTR_NESTED_H

/* ---- Nested translation ------------------------------------------------ */

/* pt_access_nested over the same two kinds of image: the stage-1 tables
 * live in guest-physical memory, itself host memory through stage 2, so
 * one host image (or arena) holds both stages. The reference walks stage 1
 * with a reader that takes every table address through the reference
 * stage 2 as a READ, writes the leaf's entry where stage 1's MMU sets its
 * access state, then takes the output through stage 2 with the access. */

/* The MMUs' stage-1/stage-2 pairs. */
static const struct {
	enum pt_arch s1, s2;
} PAIRS[] = {
	{ PT_X86_64, PT_X86_64_EPT },	    { PT_X86_64, PT_X86_64_EPT5 },
	{ PT_X86_64_LA57, PT_X86_64_EPT },  { PT_X86_64_LA57, PT_X86_64_EPT5 },
	{ PT_AARCH64, PT_AARCH64_S2 },	    { PT_RISCV_SV39, PT_RISCV_SV39X4 },
	{ PT_RISCV_SV39, PT_RISCV_SV48X4 }, { PT_RISCV_SV39, PT_RISCV_SV57X4 },
	{ PT_RISCV_SV48, PT_RISCV_SV39X4 }, { PT_RISCV_SV48, PT_RISCV_SV48X4 },
	{ PT_RISCV_SV48, PT_RISCV_SV57X4 }, { PT_RISCV_SV57, PT_RISCV_SV39X4 },
	{ PT_RISCV_SV57, PT_RISCV_SV48X4 }, { PT_RISCV_SV57, PT_RISCV_SV57X4 },
};
#define NPAIRS (sizeof(PAIRS) / sizeof(PAIRS[0]))

/* The reference stage 2 behind the stage-1 reader (the reader has no
 * context argument). */
static struct {
	const struct pt_regime *s2;
	unsigned walk; /* the access a table read makes at stage 2 */
	read_fn host;
	bool refused;	   /* stage 2 refused a stage-1 table read */
	uint64_t gpa;	   /* the entry stage 1 read last (the refused one) */
	struct ref_out o2; /* its answer */
} NR;

/* A stage-1 entry at guest-physical gpa: its frame through stage 2 as a
 * read (a write under EPT with A/D flags: Intel SDM Vol. 3C, "EPT
 * Violations": with EPTP bit 6 set, accesses to guest paging-structure
 * entries are treated as writes), then the host's memory. */
/* Stage 2's answers for the frames stage-1 walks read, kept through one
 * nested_compare (emptied at its start): there the memory and both
 * stages' regimes stay as they are, and every access kind walks the same
 * stage-1 tables. */
struct s2_seen {
	const struct pt_regime *s2;
	unsigned walk;
	uint64_t frame;
	struct ref_out o;
};
static struct s2_seen S2_SEEN[16];
static unsigned s2_seen;

static bool nested_read(uint64_t gpa, unsigned bytes, uint64_t *v)
{
	const uint64_t frame = gpa & ~(uint64_t)0xfff;
	unsigned i;
	NR.gpa = gpa;
	for (i = 0; i < s2_seen; i++)
		if (S2_SEEN[i].s2 == NR.s2 && S2_SEEN[i].walk == NR.walk && S2_SEEN[i].frame == frame)
			break;
	if (i < s2_seen) {
		NR.o2 = S2_SEEN[i].o;
	} else {
		ref_access(NR.s2, frame, NR.walk, NR.host, &NR.o2);
		if (s2_seen < sizeof(S2_SEEN) / sizeof(S2_SEEN[0]))
			S2_SEEN[s2_seen++] = (struct s2_seen){ NR.s2, NR.walk, frame, NR.o2 };
	}
	if (NR.o2.rc != PT_OK) {
		NR.refused = true;
		return false;
	}
	return NR.host(NR.o2.m.pa + (gpa & 0xfff), bytes, v);
}

/* Whether stage 1's MMU writes the leaf for an access it allowed: it sets
 * the accessed (and for a write the dirty) state itself, on x86 always,
 * elsewhere with HA/HD, where the leaf lacks it. Under HA/HD the leaf as
 * the MMU sees it decides: the walk without them faults on it. */
static bool ref_nested_s1_writes(const struct pt_regime *s1, uint64_t va, unsigned access,
				 const struct ref_out *o1)
{
	struct pt_regime plain;
	struct ref_out p;
	if (!(access & (PT_ACCESS_READ | PT_ACCESS_WRITE | PT_ACCESS_EXEC)))
		return false;
	if (!(o1->m.state & PT_ACCESSED) || ((access & PT_ACCESS_WRITE) && !(o1->m.state & PT_DIRTY)))
		return true;
	if (!(access & PT_ACCESS_WRITE) || !(s1->controls & (PT_CTL_HA | PT_CTL_HD)))
		return false;
	plain = *s1;
	plain.controls &= ~(uint64_t)(PT_CTL_HA | PT_CTL_HD);
	ref_access(&plain, va, access, nested_read, &p);
	return p.rc == PT_ERR_FAULT &&
	       (p.f.kind == PT_FAULT_ACCESS_FLAG || p.f.kind == PT_FAULT_DIRTY);
}

/* What pt_access_nested must answer, from pt.h's contract. */
static void ref_nested(const struct pt_regime *s1, const struct pt_regime *s2, uint64_t va,
		       unsigned access, read_fn host, struct ref_out *o)
{
	struct ref_out o1, o2;
	unsigned bits;
	const uint32_t rwx = PT_READ | PT_WRITE | PT_EXECUTE;
	memset(o, 0, sizeof(*o));
	o->memtype_known = true;
	o->rc = PT_ERR_INVALID;
	if ((access & ~15u) || !ref_regime(s1, &bits) || !ref_regime(s2, &bits))
		return;
	NR.s2 = s2;
	NR.walk = fz_is_ept(s2->arch) && (s2->features & PT_FEAT_EPT_AD)
			  ? PT_ACCESS_READ | PT_ACCESS_WRITE
			  : PT_ACCESS_READ;
	NR.host = host;
	NR.refused = false;
	ref_access(s1, va, access, nested_read, &o1);
	if (o1.rc == PT_ERR_FAULT && NR.refused) {
		/* Stage 2's fault, on the guest-physical address of the entry
		 * read (what htval and the VMCS report; HPFAR_EL2 has its page). */
		*o = NR.o2;
		o->f.stage = 2;
		o->f.ipa = NR.gpa;
		return;
	}
	if (o1.rc != PT_OK) {
		*o = o1;
		return;
	}
	if (ref_nested_s1_writes(s1, va, access, &o1)) {
		/* The MMU writes the leaf's entry: a write at stage 2. */
		const uint64_t leaf = NR.gpa;
		ref_access(s2, leaf & ~(uint64_t)0xfff, PT_ACCESS_WRITE, host, &o2);
		if (o2.rc != PT_OK) {
			*o = o2;
			o->f.stage = 2;
			o->f.ipa = leaf;
			return;
		}
	}
	ref_access(s2, o1.m.pa, access, host, &o2);
	if (o2.rc != PT_OK) {
		*o = o2;
		o->f.stage = 2;
		o->f.ipa = o1.m.pa;
		return;
	}
	*o = o2;
	o->m.size = o1.m.size < o2.m.size ? o1.m.size : o2.m.size;
	/* Both stages' permissions; USER, GLOBAL and the OS's bits from
	 * stage 1; the stronger memory type: DEVICE, then UNCACHED, then WC. */
	{
		const uint32_t t = (o1.m.flags | o2.m.flags) & REF_MEMTYPES;
		o->m.flags = (o1.m.flags & o2.m.flags & rwx) | (o1.m.flags & ~(rwx | REF_MEMTYPES)) |
			     (t & PT_DEVICE ? PT_DEVICE : t & PT_UNCACHED ? PT_UNCACHED : t);
	}
	o->m.state = o1.m.state;
	o->memtype_known = o1.memtype_known && o2.memtype_known;
}

/* pt_access_nested(s1, s2, va, access) against the reference; at most
 * max_calls frames asked of the host. */
static void check_nested(const struct pt_regime *s1, const struct pt_regime *s2,
			 const struct pt_mm *mm, uint64_t va, unsigned access, read_fn rd,
			 unsigned max_calls)
{
	struct pt_mapping got;
	struct pt_fault fault;
	struct ref_out want;
	bool same;
	int rc;
	g_reg = s1;
	g_reg2 = s2;
	g_acc = access;
	g_va = va;
	memset(&got, 0x5a, sizeof(got));
	memset(&fault, 0x5a, sizeof(fault));
	I.calls = 0;
	rc = pt_access_nested(s1, s2, mm, va, access, &got, &fault);
	FZ_CHECK(I.calls <= max_calls);
	ref_nested(s1, s2, va, access, rd, &want);
	same = rc == want.rc;
	if (same && rc == PT_OK) {
		uint32_t mask = want.memtype_known ? ~0u : ~(uint32_t)REF_MEMTYPES;
		same = got.pa == want.m.pa && got.size == want.m.size &&
		       (got.flags & mask) == (want.m.flags & mask) && got.state == want.m.state;
		if (!want.memtype_known) {
			uint32_t t = got.flags & REF_MEMTYPES;
			same = same && (t & (t - 1)) == 0;
		}
	} else if (same && rc == PT_ERR_FAULT) {
		same = fault.kind == want.f.kind && fault.stage == want.f.stage &&
		       fault.level == want.f.level && fault.pte == want.f.pte &&
		       (want.f.kind == PT_FAULT_ADDRESS || fault.table_pa == want.f.table_pa) &&
		       fault.ipa == want.f.ipa;
	}
	if (!same || nested_trace()) {
		fprintf(stderr, "va %#llx access %#x%s\n", (unsigned long long)va, access,
			same ? "" : ": MISMATCH");
		print_answer("pt_access_nested", rc, &got, &fault);
		if (rc == PT_ERR_FAULT)
			fprintf(stderr, "    ipa %#llx\n", (unsigned long long)fault.ipa);
		print_answer("reference", want.rc, &want.m, &want.f);
		if (want.rc == PT_ERR_FAULT)
			fprintf(stderr, "    ipa %#llx\n", (unsigned long long)want.f.ipa);
	}
	FZ_CHECK(same);
	if ((access & 3) == 1) {
		struct pt_mapping g2;
		FZ_CHECK(pt_access_nested(s1, s2, mm, va, access, &g2, NULL) == rc);
	}
}

static struct pt_regime g_rand2; /* the input's stage-2 regime */
static unsigned g_pair, g_feat2, g_ipa;

/* Every check at one VA: libpt's own regimes of both stages, then the
 * input's with every access kind; pairs the MMUs do not have. */
static void nested_compare(uint64_t root1, uint64_t root2, const struct pt_mm *mm, uint64_t va,
			   read_fn rd)
{
	const enum pt_arch a1 = PAIRS[g_pair].s1, a2 = PAIRS[g_pair].s2;
	struct pt_regime o1 = own_regime(a1, g_feat, root1), o2 = own_regime(a2, g_feat2, root2);
	struct pt_regime r1 = g_rand, r2 = g_rand2;
	struct fmt f1, f2;
	unsigned most;
	struct pt_mapping m;
	s2_seen = 0;
	o2.va_bits = g_ipa;
	r1.root = root1;
	r2.root = root2;
	fmt_of(a1, &f1);
	fmt_of_bits(a2, g_ipa, &f2);
	/* Stage 1 with every table through stage 2, stage 1 again where
	 * HA/HD need the walk without them, the leaf's entry written through
	 * stage 2, the output through stage 2. */
	most = 2 * f1.levels * (f2.levels + 1) + 2 * f2.levels;
	check_nested(&o1, &o2, mm, va, 0, rd, most);
	check_nested(&o1, &o2, mm, va, PT_ACCESS_READ | PT_ACCESS_WRITE, rd, most);
	check_nested(&o1, &o2, mm, va, PT_ACCESS_EXEC | PT_ACCESS_USER, rd, most);
	fmt_of_bits(a2, r2.va_bits, &f2);
	/* Stage 1 with every table through stage 2, stage 1 again where
	 * HA/HD need the walk without them, the leaf's entry written through
	 * stage 2, the output through stage 2. */
	most = 2 * f1.levels * (f2.levels + 1) + 2 * f2.levels;
	for (unsigned acc = 0; acc < 16; acc++)
		check_nested(&r1, &r2, mm, va, acc, rd, most);
	if (g_bad_access)
		check_nested(&r1, &r2, mm, va, g_bad_access, rd, most);
	FZ_CHECK(pt_access_nested(&o2, &o1, mm, va, 0, &m, NULL) == PT_ERR_INVALID);
	FZ_CHECK(pt_access_nested(&o1, &o1, mm, va, 0, &m, NULL) == PT_ERR_INVALID);
	FZ_CHECK(pt_access_nested(&o1, &o2, NULL, va, 0, &m, NULL) == PT_ERR_INVALID);
	FZ_CHECK(pt_access_nested(&o1, &o2, mm, va, 0, NULL, NULL) == PT_ERR_INVALID);
}

/* Mode 0: one host image holding both stages' tables. */
static void nested_image(struct rd *r)
{
	struct pt_mm mm = { no_alloc, no_free, img_virt, NULL, NULL };
	struct fmt f2;
	uint64_t root1, root2, vas[4];
	size_t nva = 1 + rd_u8(r) % 4;
	fmt_of_bits(PAIRS[g_pair].s2, g_ipa, &f2);
	/* 64 KiB aligned, so every stage-2 root fits some frame of it. */
	I.base = (uint64_t)rd_u16(r) << 16;
	root2 = I.base + (((uint64_t)(rd_u8(r) % 16) * 4096) & ~(f2.root_bytes - 1));
	/* Stage 1's root is guest-physical: anywhere stage 2 may map. */
	root1 = (uint64_t)rd_u32(r) << 12;
	if (rd_u8(r) == 0xff) {
		root1 += rd_u8(r); /* misaligned */
		root2 += rd_u8(r);
	}
	for (size_t i = 0; i < nva; i++)
		vas[i] = rd_u64(r);
	img_load(r);
	for (size_t i = 0; i < nva; i++)
		nested_compare(root1, root2, &mm, vas[i], img_read);
	for (size_t i = 0; i < I.n; i++)
		free(I.frame[i]);
	I.n = 0;
}

/* Mode 1: libpt builds both tables in the arena. Stage 2 maps the arena
 * onto itself (so stage 1's tables, at arena addresses, are where their
 * guest-physical addresses say) and input-chosen ranges; stage 1 maps
 * input-chosen guest-physical ranges; then input-chosen bytes of either
 * are flipped. */
static void nested_built(struct rd *r)
{
	const enum pt_arch a1 = PAIRS[g_pair].s1, a2 = PAIRS[g_pair].s2;
	const struct pt_config cfg = { a2, g_feat2, g_ipa };
	struct pt_mm mm;
	struct pt_table t1, t2;
	struct fmt f1;
	uint64_t vas[12], read[12];
	size_t nva = 0;
	unsigned n2 = rd_u8(r), n1;
	fmt_of(a1, &f1);
	if (!arena_ready) {
		FZ_CHECK(arena_init(&A, 0x10000000, 4096) == 0);
		arena_ready = true;
	}
	A.hint = 0;
	g_arena = &A;
	arena_mm(&A, &mm);
	mm.phys_to_virt = built_virt;
	FZ_CHECK(pt_init_config(&t2, &cfg, &mm) == PT_OK);
	FZ_CHECK(pt_init(&t1, a1, g_feat, &mm) == PT_OK);
	(void)pt_map_region(&t2, A.base, A.base, A.nframes * 4096,
			    (n2 & 0x80 ? PT_WRITE | PT_EXECUTE : (n2 >> 4) & 7) | PT_READ,
			    PT_ALLOW_HUGE);
	for (unsigned k = 0; k < n2 % 4; k++) {
		uint8_t s = rd_u8(r);
		const uint64_t gpa = (uint64_t)rd_u16(r) << (s & 1 ? 21 : 12);
		const uint64_t hpa = (uint64_t)rd_u16(r) << 21;
		const uint64_t size = (uint64_t)(rd_u8(r) % 8 + 1) << (s & 2 ? 21 : 12);
		(void)pt_map_region(&t2, gpa, hpa, size, (rd_u8(r) & 0x3f) | PT_READ,
				    s & 4 ? PT_ALLOW_HUGE : 0);
	}
	n1 = 1 + rd_u8(r) % 4;
	for (unsigned k = 0; k < n1; k++) {
		uint8_t s = rd_u8(r);
		unsigned l = (unsigned)(s >> 4) % f1.levels;
		uint64_t va = (uint64_t)rd_u16(r) << f1.shift[l], size;
		const uint64_t gpa = (uint64_t)rd_u16(r) << (s & 1 ? 21 : 12);
		if (s & 2)
			va = (uint64_t)-(int64_t)(va + 0x1000); /* the upper half */
		if (a1 == PT_AARCH64 && (g_feat & PT_FEAT_AARCH64_HIGH))
			va |= UINT64_C(0xffff) << 48;
		va &= ~(uint64_t)0xfff;
		size = (uint64_t)(rd_u8(r) % 8 + 1) << (s & 8 ? 21 : 12);
		(void)pt_map_region(&t1, va, gpa, size, (rd_u8(r) & 0x3f) | PT_READ,
				    (s & 4) ? PT_ALLOW_HUGE : 0);
		vas[nva++] = va + (size >> 1) + (s & 0xf0);
		vas[nva++] = va + size - 1;
		vas[nva++] = va;
	}
	for (size_t i = 0; i < nva; i++) {
		g_touched = 0;
		nested_compare(pt_root(&t1), pt_root(&t2), &mm, vas[i], arena_read);
		read[i] = g_touched;
	}
	/* Flips as in mode_built: checked again where the walks read. */
	while (rd_more(r)) {
		unsigned k;
		if (!flip(r, &k))
			continue;
		for (size_t i = 0; i < nva; i++)
			if (read[i] >> k & 1) {
				g_touched = 0;
				nested_compare(pt_root(&t1), pt_root(&t2), &mm, vas[i], arena_read);
				read[i] = g_touched;
			}
	}
	for (size_t i = 0; i < A.nframes; i++)
		if (A.run[i] && A.run[i] != UINT32_MAX)
			arena_free_frames(&A, A.base + i * 4096, A.run[i]);
	FZ_CHECK(A.in_use == 0);
	A.errors = 0;
}

/* Byte 0 from 0xe0: a nested input. Byte 0 bit 0 the mode, bits 4:1 the
 * pair; byte 1 as for one format (stage 1's features, the regime
 * switches); byte 2 stage 2's: bit 0 EPT's A/D flags, bits 7:1 the
 * AArch64 IPA size (0: the default, else 31 + n up to 48); then both
 * regime blocks, stage 1's first. */
static void nested(struct rd *r, uint8_t b, uint8_t fb)
{
	const uint8_t sb = rd_u8(r);
	enum pt_arch a1, a2;
	unsigned bits;
	g_pair = ((unsigned)b >> 1 & 15) % NPAIRS;
	a1 = PAIRS[g_pair].s1;
	a2 = PAIRS[g_pair].s2;
	g_mode = b & 1;
	g_arch = a1;
	g_reg = g_reg2 = NULL;
	g_feat = fz_feat_ok(a1, fb & 15u) ? fb & 15u : 0;
	g_feat2 = fz_is_ept(a2) && (sb & 1) ? PT_FEAT_EPT_AD : 0;
	bits = (sb >> 1) % 18;
	g_ipa = a2 == PT_AARCH64_S2 && bits ? 31 + bits : 0;
	read_regime(r, a2, g_feat2, fb & 0x20);
	g_rand2 = g_rand;
	read_regime(r, a1, g_feat, fb);
	if (g_rand.arch != a1) {
		struct pt_mapping m;
		struct pt_mm mm = { NULL, NULL, NULL, NULL, NULL };
		FZ_CHECK(pt_access_nested(&g_rand, &g_rand2, &mm, 0, 1, &m, NULL) ==
			 PT_ERR_INVALID);
		g_rand.arch = a1;
	}
	if (g_mode == 0)
		nested_image(r);
	else
		nested_built(r);
	g_reg2 = NULL;
}

#endif /* PT_FUZZ_FTR_NESTED_H */
