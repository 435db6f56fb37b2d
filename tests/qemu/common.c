/* SPDX-License-Identifier: MIT */
/*
 * Hardware conformance guest, architecture-independent part: what every
 * group uses (a tiny libc and printf, random numbers, the physical layout
 * and the frame allocator, checks and probes, VA choice, the guest's own
 * mappings) and the guest's main loop over the architecture's formats.
 *
 * For each format, map.c runs the main group, "[group] qemu <format>":
 * build a table with libpt that identity-maps the guest (RAM + devices) and
 * adds test mappings, all aliasing a small "tagged" region T of RAM whose
 * every 64-bit word holds its own PA (frame 0 of T starts with an exec
 * stub); switch the MMU on with it and check with real accesses that each
 * VA reaches the PA the shadow model says, with the permissions it says;
 * edit the live table, flush, and check again. The hardware's MMU (QEMU's
 * model) is the oracle for libpt's encodings. More checks report as groups
 * of their own: <format>/state (state.c), access state set by the MMU or
 * the trap handler and read back through libpt, <format>/asid (asid.c),
 * address spaces switched by ASID, and <format>/defer (defer.c), table
 * frames freed only after the TLB forgot them.
 */
#include <stdarg.h>

#include "common.h"

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

__attribute__((weak)) bool arch_acc_skip(const struct fmt *f, enum acc k, int rc,
					 const struct pt_fault *pf, const struct pt_mapping *out)
{
	(void)f;
	(void)k;
	(void)rc;
	(void)pf;
	(void)out;
	return false;
}

__attribute__((weak)) bool arch_acc_emu_allows(const struct fmt *f, enum acc k,
					       const struct pt_fault *pf)
{
	(void)f;
	(void)k;
	(void)pf;
	return false;
}

__attribute__((weak)) void arch_more_groups(const struct fmt *f)
{
	(void)f;
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

uint64_t rng_state;

uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- Physical layout and the frame allocator --------------------------- */

extern char __guest_end[]; /* from the linker script */

uint64_t t_base, pool_base;
static uint8_t pool_used[POOL_FRAMES];
uint8_t pool_poisoned[POOL_FRAMES];
size_t pool_inuse;
bool pool_error;

int fa_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
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

void fa_free(void *ctx, uint64_t pa, size_t count)
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

uint64_t poison_broken(size_t i)
{
	const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)(pool_base + i * 4096);
	for (unsigned k = 0; k < 512; k++)
		if (w[k] != POISON)
			return pool_base + i * 4096 + k * 8;
	return 0;
}

void *fa_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < arch_ram_base || pa >= arch_ram_base + arch_ram_size)
		return NULL;
	return (void *)(uintptr_t)pa; /* identity-mapped, MMU on or off */
}

struct pt_mm g_mm = {
	.alloc_frames = fa_alloc,
	.free_frames = fa_free,
	.phys_to_virt = fa_virt,
	.flush_tlb = pt_flush_tlb_native,
	.ctx = 0,
};

static void tag_region(void)
{
	for (uint64_t p = t_base; p < t_base + T_SIZE; p += 8)
		*word(p) = p;
	arch_put_stub((void *)(uintptr_t)t_base);
	arch_sync_icache();
}

/* ---- Checks ------------------------------------------------------------ */

unsigned g_pass, g_fail, g_shown;
const char *g_phase;

bool check(bool ok, const char *what, uint64_t va, uint64_t a, uint64_t b)
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

const struct fmt *F;
struct pt_table T;

/* ---- Probing ----------------------------------------------------------- */

uint64_t probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	g_faulted = 0;
	g_fault_cause = 0;
	g_probing = 1;
	uint64_t v = arch_probe(m, k, va, val);
	g_probing = 0;
	return v;
}

/* ---- VA choice --------------------------------------------------------- */

unsigned va_bits(void)
{
	return pt_arch_info(F->arch)->va_bits;
}

uint64_t rand_va(uint64_t size)
{
	unsigned b = va_bits();
	uint64_t half = F->lo_max ? F->lo_max : UINT64_C(1) << (b - 1);
	uint64_t va = rnd_below(half / size) * size;
	bool high = F->halves == 2 || (F->halves == 3 && (rnd() & 1));
	if (high)
		va |= ~((UINT64_C(1) << (b - 1)) - 1);
	return va;
}

uint64_t gran(void)
{
	return F->granule ? F->granule : 4096;
}

int map_small(uint64_t va, uint64_t pa, uint32_t flags)
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

/* ---- The guest's own mappings ------------------------------------------ */

const struct pt_mm *guest_mm(void)
{
	return &g_mm;
}

int map_identity(struct pt_table *t, uint32_t extra)
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

/* Checks beyond the format's main group: each reports as its own group,
 * "[group] qemu <format>/<what>", which qemu.mk lists as expected. */
static unsigned g_fail_groups;

void run_group(const char *what, void (*fn)(void))
{
	unsigned p = g_pass, f = g_fail;
	g_pass = g_fail = 0;
	fn();
	gprintf("[group] qemu %s/%s: %u passed, %u failed\n", F->name, what, g_pass, g_fail);
	g_fail_groups += g_fail;
	g_pass = p;
	g_fail = f;
}

/* ---- The guest --------------------------------------------------------- */

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
