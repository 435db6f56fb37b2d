/* SPDX-License-Identifier: MIT */
/*
 * Hardware conformance guest, architecture-independent part.
 *
 * For each format the architecture lists, build a table with libpt that
 * identity-maps the guest (RAM + devices) and adds test mappings: random 4K
 * pages and huge pages of every size the format has, all aliasing a small
 * "tagged" region T of RAM whose every 64-bit word holds its own PA (frame 0
 * of T starts with an exec stub). Switch the MMU on with it and check with
 * real accesses that each VA reaches the PA the shadow model says, with the
 * permissions it says; then edit the live table (unmap, protect, remap,
 * region calls), flush through pt_flush + pt_flush_tlb_native, and check
 * again. The hardware's MMU (QEMU's model) is the oracle for libpt's
 * encodings; libpt's own pt_query is cross-checked against the shadow.
 * More checks report as groups of their own: <format>/state, access
 * state set by the MMU or the trap handler and read back through libpt,
 * <format>/asid, address spaces switched by ASID, and <format>/defer,
 * table frames freed only after the TLB forgot them (sections below).
 */
#include <stdarg.h>

#include "guest.h"

/* Every architecture's exec stub is assembled between these labels. */
extern char stub_start[], stub_end[];

size_t arch_put_stub(void *dst)
{
	size_t n = (size_t)(stub_end - stub_start);
	memcpy(dst, stub_start, n);
	return n;
}

/* Architectures whose modes cannot perform every access override this
 * (AArch64 EL0 and ARMv7 PL0 probes have no unprivileged fetch). */
__attribute__((weak)) bool arch_mode_can(unsigned m, enum acc k)
{
	(void)m;
	(void)k;
	return true;
}

/* Only an emulator with a known defect overrides this (LoongArch). */
__attribute__((weak)) bool arch_skip(const struct fmt *f, unsigned m, uint32_t flags, enum acc k,
				     bool mapped)
{
	(void)f;
	(void)m;
	(void)flags;
	(void)k;
	(void)mapped;
	return false;
}

/* Architectures with no access-state or ASID check keep these. */
__attribute__((weak)) bool arch_state_check(const struct fmt *f, uint32_t *hw)
{
	(void)f;
	*hw = 0;
	return false;
}

__attribute__((weak)) bool arch_asids(const struct fmt *f)
{
	(void)f;
	return false;
}

__attribute__((weak)) void arch_switch_asid(uint64_t root, unsigned asid)
{
	(void)root;
	(void)asid;
}

/* ---- Tiny libc --------------------------------------------------------- */

void *memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d; /* volatile: never turned into memset */
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static void puts_(const char *s)
{
	while (*s)
		arch_putc(*s++);
}

static void putu(uint64_t v, unsigned base, int width)
{
	char b[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		b[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (width-- > n)
		arch_putc('0');
	while (n)
		arch_putc(b[--n]);
}

/* %s, %d (int), %u (unsigned), %x (unsigned), %llx / %llu (uint64_t). */
void gprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (*fmt == '\n')
				arch_putc('\r');
			arch_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == 's') {
			puts_(va_arg(ap, const char *));
		} else if (*fmt == 'd') {
			int v = va_arg(ap, int);
			if (v < 0) {
				arch_putc('-');
				putu((uint64_t)-(int64_t)v, 10, 0);
			} else {
				putu((uint64_t)v, 10, 0);
			}
		} else if (*fmt == 'u') {
			putu(va_arg(ap, unsigned), 10, 0);
		} else if (*fmt == 'x') {
			putu(va_arg(ap, unsigned), 16, 0);
		} else if (fmt[0] == 'l' && fmt[1] == 'l') {
			fmt += 2;
			uint64_t v = va_arg(ap, unsigned long long);
			putu(v, *fmt == 'u' ? 10 : 16, *fmt == 'u' ? 0 : 1);
		} else {
			arch_putc('%');
			arch_putc(*fmt);
		}
	}
	va_end(ap);
}

void guest_panic(const char *what, uint64_t cause, uint64_t pc, uint64_t addr)
{
	gprintf("PANIC: %s cause=%llx pc=%llx addr=%llx\n", what,
		(unsigned long long)cause, (unsigned long long)pc,
		(unsigned long long)addr);
	arch_exit(false);
}

volatile int g_probing, g_faulted;
volatile uint64_t g_fault_cause, g_fault_addr, g_fault_pc;

/* ---- Random numbers (fixed seed: every run is the same run) ------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- Physical layout and the frame allocator --------------------------- */

extern char __guest_end[]; /* from the linker script */

#define T_SIZE (UINT64_C(4) << 20)   /* tagged region: two 2M-aligned halves */
#define STUB_BYTES 64                /* exec stub at the start of T */
#define POOL_FRAMES 4096             /* 16 MiB of table frames */

static uint64_t t_base;              /* PA of T, 2M-aligned */
static uint64_t pool_base;
static uint8_t pool_used[POOL_FRAMES];
/* Given back and filled with POISON since: nothing may write it until it
 * is allocated again (checked by the defer group, pool_poison_check). */
static uint8_t pool_poisoned[POOL_FRAMES];
static size_t pool_inuse;
static bool pool_error;

#define POISON UINT64_C(0xdbdbdbdbdbdbdbdb)

static int fa_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	(void)ctx;
	size_t step = align > 4096 ? align / 4096 : 1;
	for (size_t i = 0; i + count <= POOL_FRAMES; i += step) {
		size_t j = 0;
		while (j < count && !pool_used[i + j])
			j++;
		if (j < count)
			continue;
		for (j = 0; j < count; j++) {
			pool_used[i + j] = 1;
			pool_poisoned[i + j] = 0;
		}
		pool_inuse += count;
		*pa = pool_base + (uint64_t)i * 4096;
		/* Garbage, as the hook contract allows: libpt must zero. */
		memset((void *)(uintptr_t)*pa, 0xa5, count * 4096);
		return 0;
	}
	return -1;
}

static void fa_free(void *ctx, uint64_t pa, size_t count)
{
	(void)ctx;
	uint64_t i = (pa - pool_base) / 4096;
	if (pa < pool_base || (pa & 4095) || i + count > POOL_FRAMES) {
		pool_error = true;
		return;
	}
	for (size_t j = 0; j < count; j++) {
		if (!pool_used[i + j])
			pool_error = true; /* double free */
		pool_used[i + j] = 0;
		/* Poison: a write through a table the TLB still uses (an A/D
		 * update by the walker, a stale store) shows up later. */
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)(pa + j * 4096);
		for (unsigned k = 0; k < 512; k++)
			w[k] = POISON;
		pool_poisoned[i + j] = 1;
	}
	pool_inuse -= count;
}

/* The first word of a poisoned frame that no longer holds POISON (frame
 * index i); 0 if the frame is intact. */
static uint64_t poison_broken(size_t i)
{
	const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)(pool_base + i * 4096);
	for (unsigned k = 0; k < 512; k++)
		if (w[k] != POISON)
			return pool_base + i * 4096 + k * 8;
	return 0;
}

static void *fa_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < arch_ram_base || pa >= arch_ram_base + arch_ram_size)
		return NULL;
	return (void *)(uintptr_t)pa; /* identity-mapped, MMU on or off */
}

static struct pt_mm g_mm = {
	.alloc_frames = fa_alloc,
	.free_frames = fa_free,
	.phys_to_virt = fa_virt,
	.flush_tlb = pt_flush_tlb_native,
	.ctx = 0,
};

static bool in_ram(uint64_t pa)
{
	return pa >= arch_ram_base && pa < arch_ram_base + arch_ram_size;
}

static bool in_tags(uint64_t pa)
{
	return pa >= t_base + STUB_BYTES && pa < t_base + T_SIZE;
}

static volatile uint64_t *word(uint64_t pa)
{
	return (volatile uint64_t *)(uintptr_t)pa;
}

static void tag_region(void)
{
	for (uint64_t p = t_base; p < t_base + T_SIZE; p += 8)
		*word(p) = p;
	arch_put_stub((void *)(uintptr_t)t_base);
	arch_sync_icache();
}

/* ---- Checks ------------------------------------------------------------ */

static unsigned g_pass, g_fail, g_shown, g_skipped;
/* Outcomes seen per mode and access kind: [..][..][0] worked, [1] faulted. */
static unsigned g_seen[4][ACC_COUNT][2];
static const char *g_phase;

static bool check(bool ok, const char *what, uint64_t va, uint64_t a, uint64_t b)
{
	if (ok) {
		g_pass++;
		return true;
	}
	g_fail++;
	if (g_shown++ < 40)
		gprintf("  FAIL [%s] %s va=%llx %llx %llx\n", g_phase, what,
			(unsigned long long)va, (unsigned long long)a,
			(unsigned long long)b);
	return false;
}

/* ---- Shadow model: what every test VA must translate to ---------------- */

struct ext {
	uint64_t va, pa, len;
	uint32_t flags;
	bool live;
	uint64_t leaf;      /* leaf size it was mapped with (0: region call) */
	uint64_t seed;      /* picks the extent's probe word */
};

#define MAX_EXT 1024
static struct ext ext[MAX_EXT];
static unsigned next;
/* Every range ever mapped, for the final unmap_region sweep. */
static struct { uint64_t va, len; } ever[MAX_EXT];
static unsigned never;

static const struct fmt *F;
static struct pt_table T;

static struct ext *add_ext(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags,
			   uint64_t leaf)
{
	if (next >= MAX_EXT)
		return NULL;
	struct ext *e = &ext[next++];
	*e = (struct ext){ va, pa, len, flags, true, leaf, rnd() };
	if (never < MAX_EXT) {
		ever[never].va = va;
		ever[never++].len = len;
	}
	return e;
}

static const struct ext *lookup(uint64_t va)
{
	for (unsigned i = 0; i < next; i++)
		if (ext[i].live && va - ext[i].va < ext[i].len)
			return &ext[i];
	return NULL;
}

/* Cut [va, va+len) out of every live extent; protect gives the cut part new
 * flags instead of removing it. */
static void shadow_cut(uint64_t va, uint64_t len, bool protect, uint32_t flags)
{
	unsigned n = next;
	for (unsigned i = 0; i < n; i++) {
		struct ext e = ext[i];
		if (!e.live)
			continue;
		uint64_t lo = va > e.va ? va : e.va;
		uint64_t ehi = e.va + e.len - 1, hi = va + len - 1 < ehi ? va + len - 1 : ehi;
		if (lo > hi)
			continue;
		ext[i].live = false;
		if (lo > e.va)
			add_ext(e.va, e.pa, lo - e.va, e.flags, 0);
		if (protect)
			add_ext(lo, e.pa + (lo - e.va), hi - lo + 1, flags, 0);
		if (hi < ehi)
			add_ext(hi + 1, e.pa + (hi + 1 - e.va), ehi - hi, e.flags, 0);
	}
}

/* QEMU_MUTATE (build-time, for proving the checks can fail; see qemu.mk
 * target qemu-mutants): 1 = never flush the TLB after edits, 2 = the shadow
 * forgets WRITE on every other mapping, 3 = the shadow's PAs are off by 4K,
 * 4 = the trap handler's access-state fix skips pt_set_state, 5 = no TLB
 * flush after pt_clear_state, 6 = the ASID switch keeps ASID 1 (7: see
 * aarch64/arch.c; 8 and 9: see the section on table frames leaving the
 * tree). */

static void flush(void)
{
	if (QEMU_MUTATE == 1)
		T.nflush = 0; /* drop the records: stale translations stay */
	else
		pt_flush(&T);
}

static uint32_t norm(uint32_t flags)
{
	return pt_flags_normalize(F->arch, F->features, flags);
}

/* ---- Probing ----------------------------------------------------------- */

static uint64_t probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	g_faulted = 0;
	g_fault_cause = 0;
	g_probing = 1;
	uint64_t v = arch_probe(m, k, va, val);
	g_probing = 0;
	return v;
}

/* One access to va, which the shadow says maps pa with flags (or nothing
 * when e is NULL). Checks the outcome and, for writes, where it landed. */
static void probe_one(unsigned m, enum acc k, uint64_t va, const struct ext *e)
{
	uint64_t pa = e ? e->pa + (va - e->va) : 0;
	bool want = e && arch_allowed(F, m, e->flags, k);
	uint64_t before = 0, val = 0;
	static const char *const kname[] = { "read", "write", "exec" };
	char what[48];
	const char *mn = arch_mode_name(m);
	size_t n = 0;

	for (const char *s = mn; *s && n < 20; s++)
		what[n++] = *s;
	what[n++] = ' ';
	for (const char *s = kname[k]; *s; s++)
		what[n++] = *s;
	what[n] = 0;

	if (arch_skip(F, m, e ? e->flags : 0, k, e != NULL)) {
		g_skipped++;
		return;
	}
	if (k == ACC_WRITE) {
		if (e && !in_tags(pa))
			return; /* never write outside T */
		if (e) {
			before = *word(pa);
			val = ~pa ^ (rnd() & 0xff00);
		}
	}
	uint64_t v = probe(m, k, va, val);
	if (m < 4)
		g_seen[m][k][g_faulted ? 1 : 0]++;
	if (!want) {
		if (check(g_faulted, e ? "no fault on forbidden access" : "no fault on unmapped VA",
			  va, e ? e->flags : 0, v))
			check(arch_fault_ok(k, va), "wrong fault kind", va, g_fault_cause,
			      g_fault_addr);
		if (k == ACC_WRITE && e) {
			check(*word(pa) == before, "faulting write changed memory", va, pa, *word(pa));
			*word(pa) = before;
		}
		return;
	}
	if (!check(!g_faulted, "fault on allowed access", va, g_fault_cause, e->flags)) {
		(void)what;
		gprintf("    (%s: pa=%llx fault addr=%llx pc=%llx)\n", what,
			(unsigned long long)pa, (unsigned long long)g_fault_addr,
			(unsigned long long)g_fault_pc);
		return;
	}
	if (k == ACC_READ) {
		uint64_t want_v = in_tags(pa) ? pa : *word(pa);
		check(v == want_v, "read wrong frame", va, v, want_v);
	} else if (k == ACC_WRITE) {
		check(*word(pa) == val, "write landed elsewhere", va, pa, *word(pa));
		*word(pa) = before;
	} else {
		check(v == PROBE_MAGIC, "exec returned wrong value", va, v, pa);
	}
}

/* Cross-check libpt's own view against the shadow at va. */
static void query_one(uint64_t va, const struct ext *e)
{
	struct pt_mapping mp;
	int r = pt_query(&T, va, &mp);
	if (!e) {
		check(r == PT_ERR_NOT_MAPPED, "pt_query maps a VA the shadow does not", va,
		      (uint64_t)(int64_t)r, mp.pa);
		return;
	}
	if (check(r == PT_OK, "pt_query fails on a mapped VA", va, (uint64_t)(int64_t)r, 0)) {
		check(mp.pa == e->pa + (va - e->va), "pt_query pa", va, mp.pa,
		      e->pa + (va - e->va));
		check(mp.flags == norm(e->flags), "pt_query flags", va, mp.flags, norm(e->flags));
	}
}

/* Probe every live extent in mode m: a read where T (or RAM) is reachable,
 * a write into T, an exec of the stub when it is inside; plus the first and
 * last word of the extent when they are RAM. The probe word of an extent is
 * fixed at creation, so the page the TLB cached is the one probed again. */
static void check_ext(const struct ext *e, unsigned m, bool reads_only)
{
	uint64_t lo = e->pa > t_base + STUB_BYTES ? e->pa : t_base + STUB_BYTES;
	uint64_t hi = e->pa + e->len < t_base + T_SIZE ? e->pa + e->len : t_base + T_SIZE;
	uint64_t probes[3];
	unsigned np = 0;
	if (lo < hi)
		probes[np++] = e->va + (lo - e->pa) + (e->seed % ((hi - lo) / 8)) * 8;
	if (in_ram(e->pa))
		probes[np++] = e->va;
	if (in_ram(e->pa + e->len - 8))
		probes[np++] = e->va + e->len - 8;
	bool stub = t_base - e->pa < e->len;
	if (m == 0 && !reads_only)
		for (unsigned p = 0; p < np; p++)
			query_one(probes[p], e);
	for (unsigned p = 0; p < np; p++)
		if (arch_mode_can(m, ACC_READ))
			probe_one(m, ACC_READ, probes[p], e);
	if (reads_only)
		return;
	if (np && lo < hi && arch_mode_can(m, ACC_WRITE))
		probe_one(m, ACC_WRITE, probes[0], e);
	if (stub && arch_mode_can(m, ACC_EXEC))
		probe_one(m, ACC_EXEC, e->va + (t_base - e->pa), e);
}

static bool block_unmapped(uint64_t va);

/* Mode 0 first: it is the mode whose TLB entries the previous check left
 * warm (switching mode may flush QEMU's TLB, e.g. RISC-V SUM writes), so
 * stale translations after an edit are seen. Then the other modes, then
 * mode 0 reads again to warm the TLB for the next edit. */
static void check_all(const char *phase)
{
	g_phase = phase;
	unsigned nm = arch_nmodes(F);
	for (unsigned m = 0; m <= nm; m++) {
		for (unsigned i = 0; i < next; i++) {
			const struct ext *e = &ext[i];
			if (!e->live)
				continue;
			check_ext(e, m == nm ? 0 : m, m == nm);
			if (m)
				continue;
			/* Just outside the extent: unmapped unless something else is. */
			uint64_t out = e->va + e->len;
			if (pt_va_valid(F->arch, out) && block_unmapped(out))
				probe_one(0, ACC_READ, out, NULL);
		}
	}
}

/* ---- VA choice --------------------------------------------------------- */

static unsigned va_bits(void)
{
	return pt_arch_info(F->arch)->va_bits;
}

/* A random size-aligned canonical VA in the test area. */
static uint64_t rand_va(uint64_t size)
{
	unsigned b = va_bits();
	uint64_t half = F->lo_max ? F->lo_max : UINT64_C(1) << (b - 1);
	uint64_t va = rnd_below(half / size) * size;
	bool high = F->halves == 2 || (F->halves == 3 && (rnd() & 1));
	if (high)
		va |= ~((UINT64_C(1) << (b - 1)) - 1);
	return va;
}

/* The granule: 4K, or what the emulator cannot split (fmt.granule). */
static uint64_t gran(void)
{
	return F->granule ? F->granule : 4096;
}

/* Nothing mapped in va's whole granule, by the shadow and by libpt. */
static bool block_unmapped(uint64_t va)
{
	uint64_t g = gran();
	va &= ~(g - 1);
	for (uint64_t o = 0; o < g; o += 4096) {
		struct pt_mapping mp;
		if (lookup(va + o) || pt_query(&T, va + o, &mp) != PT_ERR_NOT_MAPPED)
			return false;
	}
	return true;
}

/* Random VAs inside pt_query-unmapped holes must fault. */
static void check_unmapped(unsigned n)
{
	g_phase = "unmapped";
	for (unsigned i = 0; i < n; i++) {
		uint64_t va = rand_va(8) ;
		if (i & 1) /* near the test clusters: tables exist there */
			va = (ext[rnd_below(next)].va & ~(uint64_t)0x3fffff) + rnd_below(1024) * 4096;
		if (!pt_va_valid(F->arch, va) || !block_unmapped(va))
			continue;
		for (unsigned m = 0; m < arch_nmodes(F); m++)
			for (int k = 0; k < ACC_COUNT; k++)
				if (arch_mode_can(m, (enum acc)k))
					probe_one(m, (enum acc)k, va, NULL);
	}
}

static uint32_t rand_flags(void)
{
	return PT_READ | ((uint32_t)rnd() & F->flag_mask);
}

/* A random T frame (frame 0, the stub, a quarter of the time). */
static uint64_t rand_frame(void)
{
	if ((rnd() & 3) == 0)
		return t_base;
	return t_base + rnd_below(T_SIZE / gran()) * gran();
}

/* Map the 4K pages of one granule; on a clash undo and report it. */
static int map_small(uint64_t va, uint64_t pa, uint32_t flags)
{
	for (uint64_t o = 0; o < gran(); o += 4096) {
		int r = pt_map(&T, va + o, pa + o, 4096, flags);
		if (r != PT_OK) {
			while (o) {
				o -= 4096;
				check(pt_unmap(&T, va + o, NULL) == PT_OK, "undo pt_unmap", va + o, 0, 0);
			}
			return r;
		}
	}
	return PT_OK;
}

static bool map_one(uint64_t size, uint64_t pa, uint32_t flags)
{
	for (int tries = 0; tries < 64; tries++) {
		uint64_t va = rand_va(size == 4096 ? gran() : size);
		if (size == 4096 && (tries & 1) == 0 && next)
			/* cluster: share tables with an earlier 4K mapping */
			va = (ext[rnd_below(next)].va & ~(uint64_t)0x1fffff) +
			     rnd_below(PT_SIZE_2M / gran()) * gran();
		int r = size == 4096 ? map_small(va, pa, flags) : pt_map(&T, va, pa, size, flags);
		if (r == PT_ERR_ALREADY_MAPPED || r == PT_ERR_MAPPED_TO_HUGE_PAGE)
			continue;
		if (!check(r == PT_OK, "pt_map", va, (uint64_t)(int64_t)r, size))
			return false;
		if (QEMU_MUTATE == 2 && (next & 1))
			flags &= ~PT_WRITE;
		if (QEMU_MUTATE == 3 && size == 4096)
			pa ^= 4096;
		add_ext(va, pa, size == 4096 ? gran() : size, flags, size);
		return true;
	}
	check(false, "no free VA found", size, 0, 0);
	return false;
}

/* ---- Live edits -------------------------------------------------------- */

static uint64_t new_pa(const struct ext *e)
{
	if (e->leaf == 4096)
		return rand_frame();
	if (e->leaf == PT_SIZE_1M || e->leaf == PT_SIZE_2M) /* the other half of T */
		return e->pa == t_base ? t_base + e->leaf : t_base;
	return e->pa; /* one aligned PA covers T: keep it */
}

/* Apply a random edit (unmap, protect or remap) to extent i, leaf by leaf;
 * extents cut by region calls are left alone. */
static void edit_one(unsigned i)
{
	struct ext *e = &ext[i];
	if (!e->live || !e->leaf)
		return;
	unsigned op = (unsigned)rnd_below(3);
	uint32_t fl = rand_flags();
	uint64_t pa = op == 2 ? new_pa(e) : e->pa;
	/* A 4K extent may be a granule of several 4K leaves: edit each. */
	uint64_t step = e->leaf == 4096 ? 4096 : e->len;
	for (uint64_t o = 0; o < e->len; o += step) {
		uint64_t size = 0;
		int r;
		if (op == 0) {
			struct pt_mapping old;
			uint64_t at = e->va + o + rnd_below(step / 4096) * 4096;
			r = pt_unmap(&T, at, &old);
			if (check(r == PT_OK, "pt_unmap", at, (uint64_t)(int64_t)r, 0))
				check(old.pa == e->pa + o && old.size == step, "pt_unmap old", at,
				      old.pa, old.size);
		} else if (op == 1) {
			r = pt_protect(&T, e->va + o, fl, &size);
			check(r == PT_OK && size == step, "pt_protect", e->va + o,
			      (uint64_t)(int64_t)r, size);
		} else {
			r = pt_remap(&T, e->va + o, pa + o, fl, &size);
			check(r == PT_OK && size == step, "pt_remap", e->va + o,
			      (uint64_t)(int64_t)r, size);
		}
	}
	if (op == 0)
		e->live = false;
	else
		e->flags = fl;
	e->pa = pa;
}

/* ---- The guest's own mappings ------------------------------------------ */

const struct pt_mm *guest_mm(void)
{
	return &g_mm;
}

static int map_identity(struct pt_table *t, uint32_t extra)
{
	int r = pt_map_region(t, arch_ram_base, arch_ram_base, arch_ram_size,
			      PT_READ | PT_WRITE | PT_EXECUTE | extra, PT_ALLOW_HUGE);
	for (unsigned i = 0; r == PT_OK && arch_dev_ranges[i][1]; i++)
		r = pt_map_region(t, arch_dev_ranges[i][0], arch_dev_ranges[i][0],
				  arch_dev_ranges[i][1], PT_READ | PT_WRITE | PT_DEVICE | extra,
				  PT_ALLOW_HUGE);
	return r;
}

int guest_map_identity(struct pt_table *t)
{
	return map_identity(t, 0);
}

/* ---- Access state against the MMU -----------------------------------------
 *
 * A writable page is mapped in the live table, its state cleared with
 * pt_clear_state, and the guest reads and writes it: pt_query must then
 * report what the hardware did. A read makes the page accessed, never
 * dirty; a write makes it dirty; pt_clear_state's bitmap reports exactly
 * the pages that had the bits. Where the MMU sets a bit itself (x86,
 * RISC-V, AArch64 with TCR.HA/HD) the access takes no fault; where it does
 * not (AArch64 without FEAT_HAFDBS: access-flag and permission faults on
 * DBM pages; LoongArch: V and D in the TLB), the access faults once and
 * the trap handler does what an OS does: pt_set_state, pt_flush, return to
 * the access (guest_state_fault). Every clear is followed by a TLB flush,
 * as the caller of pt_clear_state must: an entry cached accessed or
 * writable lets the next access through without marking the page. */

static uint64_t g_armed;           /* the granule guest_state_fault may fix (0: none) */
static volatile unsigned g_fixes;  /* faults it fixed during the current access */
static volatile uint32_t g_fixed;  /* the state bits it set */
static unsigned g_fix_total;
static uint32_t g_hw;              /* state bits the MMU sets on this format */

bool guest_state_fault(uint64_t va, uint32_t state)
{
	/* Only the armed page, and a few times per access: an access the fix
	 * does not help is then recorded as the fault it is. */
	if (!g_armed || (va & ~(gran() - 1)) != g_armed || g_fixes >= 3)
		return false;
	g_fixes++;
	g_fix_total++;
	g_fixed |= state;
	if (QEMU_MUTATE != 4 && pt_set_state(&T, va, state) != PT_OK)
		return false;
	pt_flush(&T);
	return true;
}

/* One access to the page: it must work, with one fault fixed by the trap
 * handler exactly when it needs a bit (`need`) the MMU leaves to the OS,
 * the fault being the kind that asks for those bits and no others (a
 * write to an accessed clean page: DIRTY alone, i.e. an AArch64 permission
 * fault or a LoongArch PME, not an access-flag or page-invalid fault), and
 * leave pt_query reporting `want`. */
static void state_access(const char *step, uint64_t va, uint64_t pa, enum acc k, uint32_t need,
			 uint32_t want)
{
	g_phase = step;
	uint64_t val = ~pa;
	uint32_t os = need & ~g_hw;
	g_fixes = 0;
	g_fixed = 0;
	uint64_t v = probe(0, k, va, val);
	if (!check(!g_faulted, "access faulted", va, g_fault_cause, g_fixes))
		return;
	if (k == ACC_READ)
		check(v == pa, "read wrong frame", va, v, pa);
	else
		check(*word(pa) == val, "write landed elsewhere", va, pa, *word(pa));
	*word(pa) = pa;
	check(g_fixes == (os ? 1u : 0u) && g_fixed == os,
	      "faults fixed by pt_set_state in the trap handler (count, bits)", va, g_fixes,
	      g_fixed);
	struct pt_mapping m;
	int r = pt_query(&T, va, &m);
	check(r == PT_OK && m.state == want, "pt_query state", va, (uint64_t)(int64_t)r, m.state);
}

/* pt_clear_state on the granule: the bitmap must name the pages that had
 * `bits` (want_map), and pt_query at va then report want. */
static void state_clear(const char *step, uint64_t va, uint32_t bits, uint64_t want_map,
			uint32_t want)
{
	g_phase = step;
	uint64_t map = 0;
	struct pt_mapping m;
	int r = pt_clear_state(&T, va & ~(gran() - 1), gran(), bits, &map);
	check(r == PT_OK && map == want_map, "pt_clear_state (result, bitmap)", va,
	      (uint64_t)(int64_t)r, map);
	r = pt_query(&T, va, &m);
	check(r == PT_OK && m.state == want, "pt_query state after the clear", va,
	      (uint64_t)(int64_t)r, m.state);
	if (QEMU_MUTATE != 5)
		pt_flush(&T);
}

static void check_state(void)
{
	const uint32_t A = PT_ACCESSED, D = PT_DIRTY;
	uint64_t g = gran(), va = 0;
	bool found = false;
	g_phase = "state: map";
	for (int tries = 0; tries < 64 && !found; tries++) {
		va = rand_va(g);
		found = pt_va_valid(F->arch, va) && block_unmapped(va);
	}
	if (!check(found, "no free VA found", g, 0, 0))
		return;
	/* A granule in T's upper half; the probe word in its first page. */
	uint64_t pa = t_base + T_SIZE / 2 + g * rnd_below(T_SIZE / 2 / g);
	uint64_t off = 8 * (1 + rnd_below(4096 / 8 - 1));
	uint64_t pages = g / 4096, all = (UINT64_C(1) << pages) - 1;
	int r = map_small(va, pa, PT_READ | PT_WRITE);
	if (!check(r == PT_OK, "pt_map", va, (uint64_t)(int64_t)r, 0))
		return;
	pt_flush(&T);
	struct pt_mapping m;
	r = pt_query(&T, va + off, &m);
	check(r == PT_OK && m.state == (A | D), "new writable leaf: accessed and dirty", va,
	      (uint64_t)(int64_t)r, m.state);

	g_armed = va;
	g_fix_total = 0;
	uint64_t pv = va + off, pp = pa + off;
	state_clear("state: clear accessed+dirty", pv, A | D, all, 0);
	state_access("state: read after the clear", pv, pp, ACC_READ, A, A);
	state_access("state: write", pv, pp, ACC_WRITE, D, A | D);
	state_clear("state: clear dirty", pv, D, 1, A);
	state_clear("state: clear dirty again", pv, D, 0, A);
	state_access("state: read of a clean page", pv, pp, ACC_READ, 0, A);
	state_access("state: write after clear dirty", pv, pp, ACC_WRITE, D, A | D);
	/* The granule's other pages were never touched since the first clear. */
	state_clear("state: clear accessed", pv, A, 1, D);
	state_access("state: read after clear accessed", pv, pp, ACC_READ, A, A | D);
	g_armed = 0;

	g_phase = "state: unmap";
	r = pt_unmap_region(&T, va, g);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, g);
	pt_flush(&T);
	static const char *const by_mmu[] = { "neither", "accessed", "dirty", "accessed and dirty" };
	gprintf("  %s: access state: the MMU sets %s; the trap handler fixed %u faults with "
		"pt_set_state\n", F->name, by_mmu[(g_hw & A ? 1 : 0) | (g_hw & D ? 2 : 0)],
		g_fix_total);
}

/* ---- ASIDs ---------------------------------------------------------------
 *
 * Two address spaces as an OS builds them: table K holds the kernel (the
 * guest's identity map and one kernel test page, all PT_GLOBAL), and A
 * (ASID 1) and B (ASID 2) share it through pt_copy_from. The user page U
 * is non-global (the default) and maps a different frame in A and in B;
 * page O is A's alone. The guest switches between A and B with no TLB
 * maintenance at all, as an OS with ASIDs does, after touching every page
 * under ASID 1 so the TLB holds them: under ASID 2, U must reach B's frame
 * and O must fault (a non-global entry of ASID 1 is never used), while the
 * kernel page works. A control shows the TLB keeps entries across a table
 * switch that keeps the ASID (reusing an ASID without a flush is the bug
 * ASIDs exist to avoid), so the probes do see cached entries.
 * The planted variant: page P is mapped PT_GLOBAL in A and B to different
 * frames, so ASID 2 may hit ASID 1's cached entry. Counted when seen;
 * QEMU 7.2 drops its whole TLB whenever the ASID changes (its TLB is not
 * ASID-tagged and ignores nG), so there the result is only printed. */

/* VA span of one root entry. */
static uint64_t root_span(enum pt_arch a)
{
	return a == PT_ARMV7 ? PT_SIZE_1M
			     : UINT64_C(1) << (12 + 9 * (pt_arch_info(a)->levels - 1));
}

/* Read the tagged word at va: it must hold want_pa (0: must fault). */
static void asid_read(const char *what, uint64_t va, uint64_t want_pa)
{
	uint64_t v = probe(0, ACC_READ, va, 0);
	if (!want_pa) {
		if (check(g_faulted, what, va, v, 0))
			check(arch_fault_ok(ACC_READ, va), "wrong fault kind", va, g_fault_cause,
			      g_fault_addr);
		return;
	}
	check(!g_faulted && v == want_pa, what, va, g_faulted ? g_fault_cause : v, want_pa);
}

static void switch_asid(const struct pt_table *t, unsigned asid)
{
	arch_switch_asid(pt_root(t), QEMU_MUTATE == 6 ? 1 : asid);
}

static void check_asids(void)
{
	static struct pt_table K, A, B;
	const uint32_t U = PT_READ | PT_WRITE | PT_USER;
	uint64_t span = root_span(F->arch);
	/* Shared: every root entry from the lowest guest range up to the
	 * kernel page just above RAM; the user pages lie above that. */
	uint64_t kva = arch_ram_base + arch_ram_size, lo = arch_ram_base;
	for (unsigned i = 0; arch_dev_ranges[i][1]; i++)
		if (arch_dev_ranges[i][0] < lo)
			lo = arch_dev_ranges[i][0];
	lo &= ~(span - 1);
	uint64_t hi = (kva + 4096 + span - 1) & ~(span - 1);
	uint64_t uva = hi, ova = hi + 4096, pva = hi + 8192, o = 0x80;
	uint64_t fa = t_base + 0x11000 + o, fb = t_base + 0x12000 + o, fo = t_base + 0x13000 + o;
	uint64_t fk = t_base + 0x14000 + o, fp1 = t_base + 0x15000 + o, fp2 = t_base + 0x16000 + o;

	g_phase = "asid: build";
	int r = pt_init(&K, F->arch, F->features, &g_mm);
	if (r == PT_OK)
		r = map_identity(&K, PT_GLOBAL);
	if (r == PT_OK)
		r = pt_map(&K, kva, fk - o, 4096, PT_READ | PT_WRITE | PT_GLOBAL);
	check(r == PT_OK, "kernel table", kva, (uint64_t)(int64_t)r, 0);
	struct pt_table *as[2] = { &A, &B };
	for (int i = 0; i < 2 && r == PT_OK; i++) {
		r = pt_init(as[i], F->arch, F->features, &g_mm);
		if (r == PT_OK)
			r = pt_copy_from(as[i], &K, lo, hi - lo);
		if (r == PT_OK)
			r = pt_map(as[i], uva, (i ? fb : fa) - o, 4096, U);
		if (r == PT_OK)
			r = pt_map(as[i], pva, (i ? fp2 : fp1) - o, 4096, U | PT_GLOBAL);
	}
	if (r == PT_OK)
		r = pt_map(&A, ova, fo - o, 4096, U);
	if (check(r == PT_OK, "address spaces", uva, (uint64_t)(int64_t)r, 0)) {
		arch_mmu_on(F, &A);
		switch_asid(&A, 1);
		g_phase = "asid 1";
		asid_read("user page", uva + o, fa);
		asid_read("A-only page", ova + o, fo);
		asid_read("global kernel page", kva + o, fk);
		asid_read("planted global user page", pva + o, fp1);

		g_phase = "asid 2, no TLB flush";
		switch_asid(&B, 2);
		asid_read("user page: not ASID 1's cached frame", uva + o, fb);
		asid_read("ASID 1's page reachable from ASID 2", ova + o, 0);
		asid_read("global kernel page", kva + o, fk);
		uint64_t v = probe(0, ACC_READ, pva + o, 0);
		bool stale = !g_faulted && v == fp1, own = !g_faulted && v == fp2;
		if (stale || !own)
			check(stale, "planted global user page: ASID 1's cached frame expected",
			      pva + o, g_faulted ? g_fault_cause : v, fp1);
		gprintf("  %s: planted PT_GLOBAL user page, read under ASID 2: %s\n", F->name,
			stale ? "ASID 1's frame (the global entry cached under ASID 1 hit)"
			: own ? "ASID 2's own frame (not counted: this MMU dropped its TLB at the "
				"ASID change)"
			      : "neither frame");

		g_phase = "asid 1 again";
		switch_asid(&A, 1);
		asid_read("user page", uva + o, fa);

		g_phase = "asid control";
		arch_switch_asid(pt_root(&B), 1);
		asid_read("B's table under ASID 1, no flush: A's cached entry", uva + o, fa);

		/* Do ASID 1's entries outlive a switch to ASID 2 and back? An
		 * ASID-tagged TLB may keep them (A's frame again); one that
		 * flushes on every ASID change walks B (B's frame). */
		arch_switch_asid(pt_root(&B), 2);
		arch_switch_asid(pt_root(&B), 1);
		v = probe(0, ACC_READ, uva + o, 0);
		gprintf("  %s: ASID 1's cached entry after a switch to ASID 2 and back: %s\n",
			F->name, g_faulted ? "fault" : v == fa ? "kept (TLB tagged by ASID)"
				 : v == fb ? "gone (the TLB was flushed at the ASID change)" : "?");
		arch_mmu_off(F);
	}
	pt_destroy(&A);
	pt_destroy(&B);
	pt_destroy(&K);
	g_phase = "asid: destroy";
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
}

/* ---- Table frames leaving the tree ----------------------------------------
 *
 * A table frame an edit takes out of the tree may still be read (and, on
 * x86 and RISC-V, have accessed bits written) by the MMU or a walk cache
 * until the TLB forgot it, so it may reach free_frames only after a
 * flush_tlb(all = true) made after it left the tree, and libpt never
 * writes it once it left. The group runs its own table with hooks that
 * watch that (W): at every allocation, every free, every full flush and
 * after every libpt call the guest makes, the frames reachable from the
 * root are found by reading the table as the walker does (pt_pte_decode),
 * and each frame the table allocated is followed: new (not yet seen in the
 * tree), in the tree, out of it (its bytes summed when first seen out),
 * freed.
 *  - free_frames accepts a frame only if it was out of the tree before a
 *    full flush that ran the CPU's TLB maintenance, or never was in the
 *    tree (a reserve given back), and never one it did not allocate;
 *  - a frame out of the tree keeps its bytes (the scenarios make no
 *    access through a detached table, so the MMU writes none either) and
 *    never comes back;
 *  - every frame the pool got back holds the allocator's poison until it
 *    is allocated again (all tables of the format, checked at the end).
 * The scenarios use the real MMU: pages are read through the tables before
 * they are detached, and after the flush the CPU must fault on them, still
 * translate the rest, and translate a new mapping built in the reused
 * frames. QEMU_MUTATE 8: the flush hook counts a full flush but skips the
 * CPU's TLB maintenance (stale translations survive pt_flush); 9: the table
 * gets no flush_tlb hook, so libpt frees frames as it detaches them (the
 * guest flushes the TLB itself after pt_flush). */

enum life { FR_NONE, FR_NEW, FR_IN, FR_OUT, FR_FREED };

static struct {
	bool live;                     /* T is the watched table and not being destroyed */
	bool busy;                     /* inside an audit */
	unsigned epoch;
	uint8_t life[POOL_FRAMES];     /* enum life */
	bool flushed[POOL_FRAMES];     /* FR_OUT: a full flush came since it was seen out */
	unsigned seen[POOL_FRAMES];    /* the last audit that reached the frame */
	uint64_t sum[POOL_FRAMES];     /* FR_OUT: its bytes' digest when first seen out */
	unsigned outs, frees, full_flushes;
} W;

static bool in_pool(uint64_t pa)
{
	return pa >= pool_base && pa < pool_base + POOL_FRAMES * UINT64_C(4096);
}

static size_t frame_ix(uint64_t pa)
{
	return (size_t)((pa - pool_base) / 4096);
}

static uint64_t frame_sum(uint64_t pa)
{
	uint64_t h = 0;
	for (unsigned k = 0; k < 512; k++)
		h = (h ^ *word(pa + k * 8)) * UINT64_C(0x100000001b3) + k;
	return h;
}

/* Mark every table frame below the level-l table at pa. Last-level
 * tables hold no table entries: they are marked, not read. */
static void w_reach(uint64_t pa, unsigned l)
{
	bool v7 = F->arch == PT_ARMV7;
	unsigned n = v7 ? (l ? 256 : 4096) : 512, levels = pt_arch_info(F->arch)->levels;
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = v7 ? *(volatile uint32_t *)(uintptr_t)(pa + 4 * i) : *word(pa + 8 * i);
		struct pt_entry d;
		if (!e || pt_pte_decode(F->arch, F->features, l, e, &d) != PT_OK || d.leaf)
			continue;
		if (in_pool(d.pa)) /* an ARMv7 L2 table is a quarter of its frame */
			W.seen[frame_ix(d.pa)] = W.epoch;
		if (l + 2 < levels)
			w_reach(d.pa, l + 1);
	}
}

/* What the MMU can reach now, against what it could before. */
static void w_audit(void)
{
	if (!W.live || W.busy)
		return;
	W.busy = true;
	W.epoch++;
	uint64_t root = pt_root(&T);
	for (unsigned k = 0; k < (F->arch == PT_ARMV7 ? 4u : 1u); k++)
		if (in_pool(root + k * 4096))
			W.seen[frame_ix(root + k * 4096)] = W.epoch;
	w_reach(root, 0);
	for (size_t i = 0; i < POOL_FRAMES; i++) {
		uint64_t pa = pool_base + i * 4096;
		bool now = W.seen[i] == W.epoch;
		if (W.life[i] == FR_NEW && now) {
			W.life[i] = FR_IN;
		} else if (W.life[i] == FR_IN && !now) {
			W.life[i] = FR_OUT;
			W.flushed[i] = false;
			W.sum[i] = frame_sum(pa);
			W.outs++;
		} else if (W.life[i] == FR_OUT) {
			if (now)
				check(false, "a table frame out of the tree came back before it was freed",
				      pa, W.epoch, 0);
			else if (frame_sum(pa) != W.sum[i])
				check(false, "a table frame out of the tree was written", pa, W.sum[i],
				      frame_sum(pa));
		}
	}
	W.busy = false;
}

static int w_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	w_audit();
	int r = fa_alloc(ctx, count, align, pa);
	if (r == 0)
		for (size_t k = 0; k < count; k++)
			W.life[frame_ix(*pa) + k] = FR_NEW;
	return r;
}

static void w_free(void *ctx, uint64_t pa, size_t count)
{
	w_audit();
	for (size_t k = 0; k < count && in_pool(pa + k * 4096); k++) {
		uint64_t f = pa + k * 4096;
		size_t i = frame_ix(f);
		if (W.live) {
			unsigned lf = W.life[i];
			check(lf == FR_NEW || lf == FR_IN || lf == FR_OUT,
			      "free_frames got a frame the table does not hold", f, lf, 0);
			check(lf != FR_IN, "free_frames got a frame still in the tree", f, lf, 0);
			check(lf != FR_OUT || W.flushed[i],
			      "free_frames got a frame before a full TLB flush after it left the tree",
			      f, W.full_flushes, W.outs);
		}
		W.life[i] = FR_FREED;
		W.frees++;
	}
	fa_free(ctx, pa, count);
}

static void w_flush(void *ctx, uint64_t va, bool all)
{
	if (all)
		w_audit(); /* frames that left the tree before this flush are seen out */
	if (!(QEMU_MUTATE == 8 && all))
		pt_flush_tlb_native(ctx, va, all);
	if (!all)
		return;
	W.full_flushes++;
	for (size_t i = 0; i < POOL_FRAMES; i++)
		if (W.life[i] == FR_OUT)
			W.flushed[i] = true;
}

static struct pt_mm g_wmm = {
	.alloc_frames = w_alloc,
	.free_frames = w_free,
	.phys_to_virt = fa_virt,
	.flush_tlb = QEMU_MUTATE == 9 ? NULL : w_flush,
	.ctx = 0,
};

static void w_pt_flush(void)
{
	pt_flush(&T);
	if (QEMU_MUTATE == 9)
		w_flush(0, 0, true);
}

/* After each libpt call: the audit, and the frames the table gave back
 * still hold their poison. */
static void w_settle(void)
{
	w_audit();
	for (size_t i = 0; i < POOL_FRAMES; i++)
		if (W.life[i] == FR_FREED && pool_poisoned[i]) {
			uint64_t at = poison_broken(i);
			check(!at, "a freed table frame was written", at, at ? *word(at) : 0, POISON);
		}
}

/* Every frame the pool holds poisoned: intact. */
static void pool_poison_check(const char *phase)
{
	g_phase = phase;
	unsigned n = 0;
	for (size_t i = 0; i < POOL_FRAMES; i++) {
		if (!pool_poisoned[i])
			continue;
		n++;
		uint64_t at = poison_broken(i);
		check(!at, "a frame given back to the pool was written", at, at ? *word(at) : 0,
		      POISON);
	}
	check(n > 0, "no frame was given back to the pool", 0, 0, 0);
}

/* VA one last-level table frame serves (ARMv7: four 1 KiB L2 tables). */
static uint64_t frame_span(void)
{
	return F->arch == PT_ARMV7 ? 4 * PT_SIZE_1M : PT_SIZE_2M;
}

static int any_range(void *arg, const struct pt_range *r)
{
	(void)arg;
	(void)r;
	return 1;
}

/* A VA for len bytes in the test area, nothing mapped there; 0 if none. */
static uint64_t free_va(uint64_t len)
{
	uint64_t align = F->arch == PT_ARMV7 ? UINT64_C(256) << 20 : PT_SIZE_1G;
	for (int tries = 0; tries < 64; tries++) {
		uint64_t va = rand_va(align);
		if (va && pt_va_valid(F->arch, va) && pt_va_valid(F->arch, va + len - 1) &&
		    (va + len - 1) >> (va_bits() - 1) == va >> (va_bits() - 1) &&
		    pt_walk_ranges(&T, va, len, any_range, 0) == PT_OK)
			return va;
	}
	return 0;
}

/* Read the tagged word at va: it must hold pa (0: the read must fault). */
static bool w_read(const char *what, uint64_t va, uint64_t pa)
{
	uint64_t v = probe(0, ACC_READ, va, 0);
	if (!pa)
		return check(g_faulted && arch_fault_ok(ACC_READ, va), what, va,
			     g_faulted ? g_fault_cause : v, g_fault_addr);
	return check(!g_faulted && v == pa, what, va, g_faulted ? g_fault_cause : v, pa);
}

/* Map [va, va + len) in 4K pages onto T from pa_off on (wrapping in T),
 * granule by granule. */
static bool w_map(uint64_t va, uint64_t len, uint64_t pa_off)
{
	for (uint64_t o = 0; o < len; o += gran()) {
		int r = map_small(va + o, t_base + (pa_off + o) % T_SIZE, PT_READ | PT_WRITE);
		if (!check(r == PT_OK, "pt_map", va + o, (uint64_t)(int64_t)r, 0))
			return false;
	}
	w_settle();
	return true;
}

/* Read every page (every `step` bytes) of a region mapped by w_map. */
static void w_touch(const char *what, uint64_t va, uint64_t len, uint64_t pa_off, uint64_t step,
		    bool mapped)
{
	uint64_t in = 0x100 + 8 * rnd_below(32);
	for (uint64_t o = 0; o < len; o += step) {
		uint64_t pa = t_base + (pa_off + o) % T_SIZE + in;
		if (!w_read(what, va + o + in, mapped ? pa : 0))
			break;
	}
}

/* Reclaim under a live MMU: 4K pages across several last-level tables
 * (one granule into the first, one into the last), read through the MMU,
 * unmapped; an anchor page under the same upper tables stays. */
static void defer_reclaim(void)
{
	uint64_t fs = frame_span(), g = gran();
	g_phase = "defer: reclaim: map";
	uint64_t base = free_va(8 * fs);
	if (!check(base != 0, "no free VA found", 8 * fs, 0, 0))
		return;
	uint64_t va = base + fs - g, len = 3 * fs + 2 * g, anchor = base + 6 * fs + 5 * g;
	uint64_t apa = t_base + T_SIZE / 2 + 3 * g;
	if (!check(map_small(anchor, apa, PT_READ | PT_WRITE) == PT_OK, "pt_map anchor", anchor,
		   0, 0) ||
	    !w_map(va, len, 0))
		return;
	w_pt_flush();
	w_settle();
	g_phase = "defer: reclaim: touch";
	w_touch("page reads its frame", va, len, 0, 4096, true);
	w_read("anchor page", anchor + 0x88, apa + 0x88);

	g_phase = "defer: reclaim: unmap";
	size_t inuse = pool_inuse;
	unsigned frees = W.frees, outs = W.outs;
	int r = pt_unmap_region(&T, va, len);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, len);
	w_settle();
	unsigned out = W.outs - outs;
	check(out >= 3, "pt_unmap_region took fewer table frames out of the tree than it covers",
	      va, out, 3);
	check(W.frees == frees && pool_inuse == inuse,
	      "table frames freed before pt_flush (at most PT_FREE_MAX were detached)", va,
	      W.frees - frees, out);
	/* The MMU goes on: an unrelated page, through the same upper tables. */
	w_read("anchor page after the unmap", anchor + 0x88, apa + 0x88);
	w_settle();
	check(W.frees == frees, "table frames freed before pt_flush", va, W.frees - frees, out);

	g_phase = "defer: reclaim: pt_flush";
	unsigned alls = W.full_flushes;
	w_pt_flush();
	w_settle();
	check(W.full_flushes == alls + 1, "pt_flush made one full flush", va,
	      W.full_flushes - alls, 1);
	check(W.frees - frees == out && pool_inuse == inuse - out,
	      "pt_flush gave back every frame that left the tree", va, W.frees - frees, out);
	w_touch("unmapped page still translated", va, len, 0, 4096, false);
	w_read("anchor page after pt_flush", anchor + 0x88, apa + 0x88);

	/* The same VAs again onto other frames: the tables come from the
	 * frames just freed (the pool hands out its lowest free frames), so
	 * a walk cache still holding the old ones would show. */
	g_phase = "defer: reclaim: remap in the reused frames";
	uint64_t off = T_SIZE / 2 + 7 * g;
	if (!w_map(va, len, off))
		return;
	w_pt_flush();
	w_settle();
	w_touch("page in a reused table reads its new frame", va, len, off, 4096, true);
	frees = W.frees;
	inuse = pool_inuse;
	r = pt_unmap_region(&T, va, len);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, len);
	r = pt_unmap_region(&T, anchor, g);
	check(r == PT_OK, "pt_unmap_region anchor", anchor, (uint64_t)(int64_t)r, g);
	w_settle();
	check(W.frees == frees, "table frames freed before pt_flush", va, W.frees - frees, 0);
	w_pt_flush();
	w_settle();
	check(W.frees > frees && pool_inuse < inuse, "pt_flush gave back no frame", va,
	      W.frees - frees, inuse - pool_inuse);
	w_touch("unmapped page still translated", va, len, off, 4096, false);
	w_read("unmapped anchor page still translated", anchor + 0x88, 0);
}

/* More than PT_FREE_MAX frames out of the tree in one pt_unmap_region:
 * the call makes the full flush and frees them itself. */
static void defer_overflow(void)
{
	const unsigned nframes = PT_FREE_MAX + 8;
	uint64_t fs = frame_span(), len = nframes * fs;
	g_phase = "defer: overflow: map";
	uint64_t va = free_va(len);
	if (!check(va != 0, "no free VA found", len, 0, 0))
		return;
	size_t before = pool_inuse;
	if (!w_map(va, len, 0))
		return;
	w_pt_flush();
	w_settle();
	size_t tables = pool_inuse - before;
	check(tables > PT_FREE_MAX, "fewer tables than PT_FREE_MAX + 1 to detach", va, tables,
	      PT_FREE_MAX);
	g_phase = "defer: overflow: touch";
	w_touch("page reads its frame", va, len, 0, fs / 2 + 4096, true);

	g_phase = "defer: overflow: unmap";
	unsigned frees = W.frees, alls = W.full_flushes;
	int r = pt_unmap_region(&T, va, len);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, len);
	w_settle();
	unsigned in_call = W.frees - frees;
	check(W.full_flushes > alls, "pt_unmap_region with more than PT_FREE_MAX frames out "
	      "made no full flush", va, W.full_flushes - alls, tables);
	check(in_call > 0 && tables - in_call <= PT_FREE_MAX,
	      "pt_unmap_region left more than PT_FREE_MAX frames waiting", va, in_call, tables);
	g_phase = "defer: overflow: pt_flush";
	w_pt_flush();
	w_settle();
	check(pool_inuse == before, "pt_flush gave back the rest", va, pool_inuse, before);
	w_touch("unmapped page still translated", va, len, 0, fs / 2 + 4096, false);
	gprintf("  %s: defer: %u of %u table frames freed inside pt_unmap_region, the rest at "
		"pt_flush\n", F->name, in_call, (unsigned)tables);
}

static void check_defer(void)
{
	next = never = 0;
	memset(&W, 0, sizeof W);
	g_phase = "defer: build";
	int r = pt_init(&T, F->arch, F->features, &g_wmm);
	if (!check(r == PT_OK, "pt_init", 0, (uint64_t)(int64_t)r, 0))
		return;
	W.live = true;
	if (!F->identity_elsewhere) {
		r = guest_map_identity(&T);
		check(r == PT_OK, "identity map", arch_ram_base, (uint64_t)(int64_t)r, 0);
	}
	arch_table_setup(F, &T);
	w_pt_flush();
	w_settle();
	arch_mmu_on(F, &T);
	defer_reclaim();
	defer_overflow();
	g_phase = "defer: end";
	w_settle();
	pool_poison_check("defer: pool poison, MMU on");
	arch_mmu_off(F);
	/* pt_destroy frees every frame at once: nothing walks the table. */
	W.live = false;
	pt_destroy(&T);
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
	pool_poison_check("defer: pool poison after pt_destroy");
	gprintf("  %s: defer: %u table frames left the tree, %u full flushes, %u frames freed\n",
		F->name, W.outs, W.full_flushes, W.frees);
}

/* Checks beyond the format's main group: each reports as its own group,
 * "[group] qemu <format>/<what>", which qemu.mk lists as expected. */
static unsigned g_fail_groups;

static void run_group(const char *what, void (*fn)(void))
{
	unsigned p = g_pass, f = g_fail;
	g_pass = g_fail = 0;
	fn();
	gprintf("[group] qemu %s/%s: %u passed, %u failed\n", F->name, what, g_pass, g_fail);
	g_fail_groups += g_fail;
	g_pass = p;
	g_fail = f;
}

/* ---- One format --------------------------------------------------------- */

static void run_fmt(const struct fmt *f)
{
	F = f;
	g_pass = g_fail = g_shown = g_skipped = 0;
	memset(g_seen, 0, sizeof g_seen);
	next = never = 0;
	rng_state = 0x9e3779b97f4a7c15ull ^ ((uint64_t)f->arch << 32) ^ f->features;
	g_phase = "build";

	int r = pt_init(&T, f->arch, f->features, &g_mm);
	if (!check(r == PT_OK, "pt_init", 0, (uint64_t)(int64_t)r, 0))
		goto out;
	if (!f->identity_elsewhere) {
		r = guest_map_identity(&T);
		check(r == PT_OK, "identity map", arch_ram_base, (uint64_t)(int64_t)r, 0);
	}
	arch_table_setup(f, &T);
	size_t base_frames = pool_inuse;

	/* Huge pages of every size: each covers T (the largest alias PA 0 up). */
	uint64_t sizes = pt_arch_info(f->arch)->leaf_sizes;
	for (uint64_t s = PT_SIZE_4K << 1; s; s <<= 1) {
		if (!(sizes & s))
			continue;
		for (int j = 0; j < 4; j++) {
			uint64_t pa = t_base & ~(s - 1);
			if (s <= PT_SIZE_2M && (j & 1))
				pa = t_base + s; /* the other half of T */
			map_one(s, pa, rand_flags());
		}
	}
	for (int j = 0; j < 192; j++)
		map_one(4096, rand_frame(), rand_flags());
	gprintf("  %s: %u test mappings, %u table frames (%u for the identity map)\n",
		f->name, next, (unsigned)pool_inuse, (unsigned)base_frames);

	arch_mmu_on(f, &T);
	check_unmapped(200);
	check_all("initial");

	/* Small batches: each pt_flush flushes VA by VA. */
	for (int b = 0; b < 6; b++) {
		for (int j = 0; j < 8; j++)
			edit_one((unsigned)rnd_below(next));
		flush();
		check_all("edit batch");
	}
	/* One big batch: more than PT_FLUSH_MAX records -> flush all. */
	for (unsigned i = 0; i < next; i++)
		if (rnd() & 1)
			edit_one(i);
	flush();
	check_all("big edit batch");

	/* Region calls on huge pages: punch a 4K hole where T is reachable,
	 * protect 8K next to it (both split the huge page). */
	g_phase = "regions";
	unsigned n0 = next;
	for (unsigned i = 0; i < n0; i++) {
		struct ext e = ext[i];
		if (!e.live || e.len <= 4096 || t_base + 2 * STUB_BYTES - e.pa >= e.len)
			continue;
		uint64_t g = gran();
		uint64_t off = (t_base - e.pa) + g * (1 + rnd_below(32));
		if (off + 3 * g > e.len)
			continue;
		r = pt_unmap_region(&T, e.va + off, g);
		check(r == PT_OK, "pt_unmap_region (split)", e.va + off, (uint64_t)(int64_t)r, e.len);
		shadow_cut(e.va + off, g, false, 0);
		uint32_t fl = rand_flags();
		r = pt_protect_region(&T, e.va + off + g, 2 * g, fl);
		check(r == PT_OK, "pt_protect_region (split)", e.va + off + g,
		      (uint64_t)(int64_t)r, fl);
		shadow_cut(e.va + off + g, 2 * g, true, fl);
	}
	/* map_region with huge pages allowed (VA and PA 2M-congruent) and
	 * without (VA off by 4K: all 4K pages). */
	for (int j = 0; j < 2; j++) {
		uint64_t step = (sizes & PT_SIZE_2M) ? PT_SIZE_2M : PT_SIZE_1M;
		for (int tries = 0; tries < 64; tries++) {
			uint64_t va = rand_va(step) + (j ? gran() : 0);
			uint64_t len = T_SIZE - (j ? gran() : 0);
			uint32_t fl = rand_flags();
			r = pt_map_region(&T, va, t_base, len, fl, PT_ALLOW_HUGE);
			if (r == PT_ERR_ALREADY_MAPPED || r == PT_ERR_MAPPED_TO_HUGE_PAGE)
				continue;
			if (check(r == PT_OK, "pt_map_region", va, (uint64_t)(int64_t)r, len))
				add_ext(va, t_base, len, fl, 0);
			break;
		}
	}
	flush();
	check_unmapped(100);
	check_all("after region calls");

	/* Unmap everything ever mapped: every VA must fault, and every table
	 * but the identity map's must be back in the pool. */
	g_phase = "unmap all";
	for (unsigned i = 0; i < never; i++) {
		r = pt_unmap_region(&T, ever[i].va, ever[i].len);
		check(r == PT_OK, "pt_unmap_region", ever[i].va, (uint64_t)(int64_t)r, ever[i].len);
		shadow_cut(ever[i].va, ever[i].len, false, 0);
	}
	flush();
	for (unsigned i = 0; i < next; i++) /* dead extents: probe them again */
		if (!ext[i].live)
			probe_one(0, ACC_READ, ext[i].va, NULL);
	check(pool_inuse == base_frames, "tables not reclaimed", 0, pool_inuse, base_frames);

	/* Last on the live table: its TLB flushes (a table freed is a full
	 * flush) would hide the stale entries the phases above look for. */
	uint32_t hw;
	if (arch_state_check(f, &hw)) {
		g_hw = hw;
		run_group("state", check_state);
	}

	arch_mmu_off(f);
	pt_destroy(&T);
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
	if (arch_asids(f))
		run_group("asid", check_asids);
	run_group("defer", check_defer);
	for (unsigned m = 0; m < arch_nmodes(f) && m < 4; m++)
		gprintf("  %s: %s read %u ok %u faulted, write %u ok %u faulted, exec %u ok %u faulted\n",
			f->name, arch_mode_name(m), g_seen[m][0][0], g_seen[m][0][1],
			g_seen[m][1][0], g_seen[m][1][1], g_seen[m][2][0], g_seen[m][2][1]);
	if (g_skipped)
		gprintf("  %s: %u probes skipped (emulator cannot perform them)\n", f->name,
			g_skipped);
out:
	gprintf("[group] qemu %s: %u passed, %u failed\n", f->name, g_pass, g_fail);
}

void guest_main(void)
{
	uint64_t end = (uint64_t)(uintptr_t)__guest_end;
	t_base = (end + PT_SIZE_2M - 1) & ~(PT_SIZE_2M - 1);
	pool_base = t_base + T_SIZE;
	if (pool_base + POOL_FRAMES * 4096ull > arch_ram_base + arch_ram_size)
		guest_panic("RAM too small", 0, 0, pool_base);
	gprintf("libpt qemu guest: RAM %llx+%llx, T at %llx, pool at %llx\n",
		(unsigned long long)arch_ram_base, (unsigned long long)arch_ram_size,
		(unsigned long long)t_base, (unsigned long long)pool_base);
	tag_region();
	unsigned fails = 0;
	unsigned nf = 0;
	const struct fmt *fmts = arch_formats(&nf);
	for (unsigned i = 0; i < nf; i++) {
		run_fmt(&fmts[i]);
		fails += g_fail;
	}
	fails += g_fail_groups;
	gprintf("guest done: %s\n", fails ? "FAILED" : "ok");
	arch_exit(fails == 0);
}
