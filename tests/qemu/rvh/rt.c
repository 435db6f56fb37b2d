/* SPDX-License-Identifier: MIT */
/* HS-mode runtime of the hypervisor guest: console, exit, randomness, frame pools, traps, checks. */
#include <stdarg.h>

#include "rvh.h"

/* ---- Output ------------------------------------------------------------ */

static void putc_(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)(uintptr_t)UART;
	while (!(u[5] & 0x20)) /* LSR.THRE */
		;
	u[0] = (uint8_t)c;
}

void pr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (*fmt == '\n')
				putc_('\r');
			putc_(*fmt);
			continue;
		}
		char buf[24];
		int n = 0;
		uint64_t v;
		switch (*++fmt) {
		case 's':
			for (const char *s = va_arg(ap, const char *); *s; s++)
				putc_(*s);
			break;
		case 'u':
			v = va_arg(ap, uint64_t);
			do
				buf[n++] = (char)('0' + v % 10);
			while (v /= 10);
			while (n)
				putc_(buf[--n]);
			break;
		case 'x':
			v = va_arg(ap, uint64_t);
			do
				buf[n++] = "0123456789abcdef"[v & 15];
			while (v >>= 4);
			putc_('0'), putc_('x');
			while (n)
				putc_(buf[--n]);
			break;
		default:
			putc_('%');
		}
	}
	va_end(ap);
}

void finish(bool ok)
{
	pr("guest done: %s\n", ok ? "ok" : "FAILED");
	/* SiFive test finisher: 0x5555 pass, (code << 16) | 0x3333 fail. */
	*(volatile uint32_t *)(uintptr_t)FINISHER = ok ? 0x5555 : (1u << 16) | 0x3333;
	for (;;)
		__asm__ volatile("wfi");
}

void panic(const char *what, uint64_t a, uint64_t b, uint64_t c)
{
	pr("PANIC %s: %x %x %x\n", what, a, b, c);
	finish(false);
}

void *memset(void *d, int c, size_t n)
{
	volatile uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
	volatile uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- Random numbers (fixed seed: every run is the same run) ------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* ---- Frame pools ------------------------------------------------------- */

/* A bump allocator per pool (struct pool in rvh.h), reset each round (the
 * tables of the last round are simply abandoned). */
struct pool gpool = { GPOOL_HPA, GPOOL_HPA, GPOOL_FRAMES, 0 };
struct pool vpool = { VPOOL_GPA, VPOOL_HPA, VPOOL_FRAMES, 0 };
static struct pool hpool = { HPOOL_HPA, HPOOL_HPA, HPOOL_FRAMES, 0 };
uint16_t vmid = 1;

static int pool_alloc(struct pool *p, size_t count, size_t align, uint64_t *pa)
{
	unsigned step = align > 4096 ? (unsigned)(align / 4096) : 1;
	unsigned i = (p->next + step - 1) / step * step;
	if (i + count > p->frames)
		return -1;
	p->next = i + (unsigned)count;
	*pa = p->base + (uint64_t)i * 4096;
	memset((void *)(uintptr_t)(p->hpa + (uint64_t)i * 4096), 0xa5, count * 4096);
	return 0;
}
static void *pool_virt(const struct pool *p, uint64_t pa)
{
	if (pa < p->base || pa >= p->base + (uint64_t)p->frames * 4096)
		return NULL;
	return (void *)(uintptr_t)(pa - p->base + p->hpa);
}

static int g_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	(void)ctx;
	return pool_alloc(&gpool, count, align, pa);
}
static int v_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	(void)ctx;
	return pool_alloc(&vpool, count, align, pa);
}
static int h_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	(void)ctx;
	return pool_alloc(&hpool, count, align, pa);
}
static void *h_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pool_virt(&hpool, pa);
}
static void no_free(void *ctx, uint64_t pa, size_t count)
{
	(void)ctx, (void)pa, (void)count;
}
void *g_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pool_virt(&gpool, pa);
}
void *v_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pool_virt(&vpool, pa);
}
/* The host's view for pt_access_nested: all of RAM, identity. */
static void *host_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pa >= RAM_BASE && pa < RAM_END ? (void *)(uintptr_t)pa : NULL;
}
static void v_flush(void *ctx, uint64_t va, bool all)
{
	(void)ctx, (void)va, (void)all;
	__asm__ volatile("hfence.vvma zero, zero" ::: "memory");
}

const struct pt_mm g_mm = { g_alloc, no_free, g_virt, pt_flush_tlb_native_s2, &vmid };
const struct pt_mm v_mm = { v_alloc, no_free, v_virt, v_flush, 0 };
const struct pt_mm host_mm = { 0, 0, host_virt, 0, 0 };
const struct pt_mm h_mm = { h_alloc, no_free, h_virt, pt_flush_tlb_native, 0 };

/* ---- Traps ------------------------------------------------------------- */

uint64_t vs_ret; /* HS resume address while in VS or VU mode */

volatile int probing, faulted, delegated;
volatile uint64_t f_cause, f_tval, f_htval, f_htinst, f_hstatus;

struct frame {
	uint64_t x[32];
};

void s_trap_c(struct frame *fr);
void s_trap_c(struct frame *fr)
{
	uint64_t cause, epc, tval, hs, htval, htinst;
	__asm__ volatile("csrr %0, scause\n\tcsrr %1, sepc\n\tcsrr %2, stval\n\t"
			 "csrr %3, hstatus\n\tcsrr %4, htval\n\tcsrr %5, htinst"
			 : "=r"(cause), "=r"(epc), "=r"(tval), "=r"(hs), "=r"(htval),
			   "=r"(htinst));
	const bool from_v = hs & HSTATUS_SPV;
	const bool ecall = cause == 8 || cause == 10;
	const bool fault = cause == 1 || cause == 5 || cause == 7 || cause == 12 || cause == 13 || cause == 15 || cause == 20 ||
			   cause == 21 || cause == 23;
	if (!probing || !(fault || (from_v && ecall)))
		panic("unexpected HS trap (cause, sepc, stval)", cause, epc, tval);
	if (fault) {
		faulted = 1;
		f_cause = cause;
		f_tval = tval;
		f_htval = htval;
		f_htinst = htinst;
		f_hstatus = hs;
	} else if (cause == 10 && fr->x[12] == 0x7d) {
		/* A fault delegated to VS-mode, handed on by vs_handler. */
		faulted = delegated = 1;
		f_cause = fr->x[10];
		f_tval = fr->x[11] + (QEMU_MUTATE == 5 ? 8 : 0);
		f_htval = f_htinst = 0;
		f_hstatus = hs;
	}
	uint64_t resume = fr->x[1]; /* an HLV probe's return address */
	if (from_v) {
		resume = vs_ret;
		__asm__ volatile("csrc hstatus, %0\n\tcsrs sstatus, %1"
				 : : "r"(HSTATUS_SPV), "r"(SSTATUS_SPP));
	}
	__asm__ volatile("csrw sepc, %0" : : "r"(resume));
}

void m_trap_c(uint64_t cause, uint64_t epc, uint64_t tval);
void m_trap_c(uint64_t cause, uint64_t epc, uint64_t tval)
{
	panic("M-mode trap (mcause, mepc, mtval)", cause, epc, tval);
}

/* ---- Checks ------------------------------------------------------------ */

unsigned n_pass, n_fail, n_shown;

/* While dry, check() only notes a mismatch in dry_bad: a verdict is being
 * compared with a second model first. */
bool dry, dry_bad;

bool check(bool ok, const char *what, uint64_t va, uint64_t a, uint64_t b)
{
	if (dry) {
		dry_bad |= !ok;
		return ok;
	}
	if (ok) {
		n_pass++;
		return true;
	}
	n_fail++;
	if (n_shown++ < 12)
		pr("FAIL %s: va %x: %x vs %x\n", what, va, a, b);
	return false;
}
