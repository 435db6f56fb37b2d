/* SPDX-License-Identifier: MIT */
/* The stage-2 guest's EL2 runtime: console, exit, EL2 exceptions, random numbers, frame pools. */
#include "s2.h"

/* ---- Console and exit -------------------------------------------------- */

static void putc_(char c)
{
	volatile uint32_t *u = (volatile uint32_t *)(uintptr_t)UART;
	while (u[0x18 / 4] & (1u << 5))
		;
	u[0] = (uint8_t)c;
}

void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

void putu(uint64_t v)
{
	char b[24];
	int n = 0;
	do {
		b[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_(b[--n]);
}

void putx(uint64_t v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		if ((v >> i) || !i)
			putc_("0123456789abcdef"[v >> i & 15]);
}

void leave(unsigned code)
{
	static volatile uint64_t block[2];
	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = code;
	register uint64_t x0 __asm__("x0") = 0x18;
	register volatile uint64_t *x1 __asm__("x1") = block;
	__asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
	for (;;)
		__asm__ volatile("wfe");
}

void panic(const char *why, uint64_t v)
{
	puts_("s2-guest: ");
	puts_(why);
	puts_(" ");
	putx(v);
	puts_("\n");
	leave(2);
}

void s2_el2_trap(uint64_t esr, uint64_t elr, uint64_t far)
{
	puts_("s2-guest: exception at EL2: esr ");
	putx(esr);
	puts_(" elr ");
	putx(elr);
	puts_(" far ");
	putx(far);
	puts_("\n");
	leave(3);
}

void *memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d;
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

/* ---- Random numbers ---------------------------------------------------- */

uint64_t rng_state = 0x9e3779b97f4a7c15ull;
uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}
unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* ---- Frame pools: bump allocators, reset for every table set ----------- */


static int pool_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	struct pool *p = ctx;
	uint64_t a = (p->base + p->used + align - 1) & ~(uint64_t)(align - 1);
	if (a + count * 4096 > p->base + p->bytes)
		return -1;
	p->used = a + count * 4096 - p->base;
	*pa = a;
	return 0;
}
static void pool_free(void *ctx, uint64_t pa, size_t count)
{
	(void)ctx, (void)pa, (void)count;
}
static void *pool_virt(void *ctx, uint64_t pa)
{
	struct pool *p = ctx;
	if (pa < p->base || pa >= p->base + p->bytes)
		return NULL;
	return (void *)(uintptr_t)(pa + p->to_host);
}

/* What pt_access_nested reads: host-physical RAM, with EL2's MMU off. */
static void *host_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pa >= RAM_BASE && pa < RAM_END ? (void *)(uintptr_t)pa : NULL;
}

struct pool s2pool = { S2_POOL, S2_POOL_BYTES, 0, 0 };
struct pool s1pool = { S1_POOL_IPA, S1_POOL_BYTES, 0, S1_POOL - S1_POOL_IPA };
const struct pt_mm s2mm = { pool_alloc, pool_free, pool_virt, NULL, &s2pool };
const struct pt_mm s1mm = { pool_alloc, pool_free, pool_virt, NULL, &s1pool };
const struct pt_mm hostmm = { NULL, NULL, host_virt, NULL, NULL };

/* ---- Errors ------------------------------------------------------------ */

void must(int r, const char *what)
{
	if (r != PT_OK)
		panic(what, (uint64_t)(int64_t)r);
}
