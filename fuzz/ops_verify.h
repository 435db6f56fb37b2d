/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: what every call must do: its result, no change on failure,
 * the TLB records, break-before-make; the range checks of region calls.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_VERIFY_H
#define PT_FUZZ_OPS_VERIFY_H

/* ---- Checking one call ------------------------------------------------ */

/* What one call did, for the TLB and failure checks. */
struct effect {
	bool changed;
	uint64_t rec[PT_FLUSH_MAX + 1]; /* VAs the call must record, in order */
	size_t nrec;                    /* > PT_FLUSH_MAX: unknown / too many */
	bool record_all;                /* a table entry went or was replaced */
	bool bbm;                       /* Arm break-before-make flush expected */
	bool loose;                     /* which VAs get recorded is open */
};

static void eff_rec(struct effect *ef, uint64_t va)
{
	if (ef->nrec < PT_FLUSH_MAX)
		ef->rec[ef->nrec] = va;
	if (ef->nrec <= PT_FLUSH_MAX)
		ef->nrec++;
}

static bool arm_family(void)
{
	return S.a64 || S.s2 || S.arch == PT_ARMV7;
}

/* Common pre-call bookkeeping. */
struct snap {
	unsigned n0;
	unsigned long failed0, fl0;
	size_t inuse0;
};

static void snap_take(struct ctx *c, struct snap *s)
{
	s->n0 = c->t.nflush;
	s->failed0 = A.failed;
	s->fl0 = A.flush_calls;
	s->inuse0 = A.in_use;
}

/*
 * What the check after a successful call walks: the call's range, widened
 * to the leaves at its ends and their contiguous groups (which a split or
 * a break rewrites whole); set from the model before the call changes it.
 * A call that sets no scope (copy, plant, init) is followed by a full
 * check, and every input ends with one.
 */
static struct {
	struct ctx *c;
	uint64_t lo, hi;
} scope;

static void scope_set(struct ctx *c, uint64_t va, uint64_t last)
{
	const uint64_t ends[2] = { va, last };
	scope.c = c;
	scope.lo = va;
	scope.hi = last;
	for (unsigned k = 0; k < 2; k++) {
		const struct leaf *x = m_find(&c->m, ends[k]);
		uint64_t a, b;
		if (!x)
			continue;
		a = x->va;
		b = llast(x);
		if (x->run) {
			const uint64_t gs = x->size << run_order(level_of(x->size));
			a = x->va & ~(gs - 1);
			b = a + (gs - 1);
		}
		if (a < scope.lo)
			scope.lo = a;
		if (b > scope.hi)
			scope.hi = b;
	}
}

/*
 * Verify a mutating call: result, unchanged table on failure, TLB records.
 * n0/fl0: t->nflush and flush calls before; failed0: injected failures
 * before; want: model result; need: frames the model needed.
 */
static void verify_call(struct ctx *c, int got, int want, size_t need, const struct snap *sn,
			const struct effect *ef)
{
	const unsigned n0 = sn->n0;
	const unsigned long fl0 = sn->fl0;
	bool injected = A.failed != sn->failed0;
	if (trace > 0)
		fprintf(stderr, "#%u %s%s: got %d model %d need %zu injected %d changed %d\n", cur_opno,
			cur_op, c == &C[1] ? " (second table)" : "", got, want, need, injected,
			ef->changed);
	if (injected && want == PT_OK && got == PT_ERR_NO_MEMORY) {
		/* Fine, if the table is as before. */
	} else {
		if (got != want)
			fprintf(stderr, "got %d (%s), model %d (%s), need %zu, injected %d\n", got,
				pt_strerror(got), want, pt_strerror(want), need, injected);
		FZ_CHECK(got == want);
		/* The plan allocates nothing before its checks pass. */
		FZ_CHECK(!(injected && want != PT_OK));
		/* A call that needed frames and was refused one must fail. */
		FZ_CHECK(!(injected && need > 0 && got == PT_OK));
	}
	need_check = got == PT_OK;
	if (got != PT_OK) {
		FZ_CHECK(c->t.nflush == n0);
		FZ_CHECK(A.in_use == sn->inuse0);
		FZ_CHECK(A.flush_calls == fl0);
		/* Atomic: every frame in use holds what it held. */
		frames_same();
		return;
	}
	if (!ef->changed) {
		FZ_CHECK(c->t.nflush == n0);
		return;
	}
	FZ_CHECK(c->t.nflush > n0 || c->t.nflush > PT_FLUSH_MAX);
	if (ef->record_all) {
		FZ_CHECK(c->t.nflush > PT_FLUSH_MAX);
	} else if (ef->loose) {
		/* At least recorded something (checked above). */
	} else if (c->t.nflush <= PT_FLUSH_MAX) {
		FZ_CHECK(ef->nrec <= PT_FLUSH_MAX);
		FZ_CHECK(c->t.nflush == n0 + ef->nrec);
		for (size_t i = 0; i < ef->nrec; i++)
			FZ_CHECK(c->t.flush_va[n0 + i] == ef->rec[i]);
	} else {
		FZ_CHECK(n0 + ef->nrec > PT_FLUSH_MAX);
	}
	if (ef->bbm && arm_family() && c->t.mm.flush_tlb)
		FZ_CHECK(A.flush_calls > fl0);
}

/* Range checks of region calls (BRIEF order). 0 if fine. */
static int model_range(uint64_t va, uint64_t size, uint64_t *last)
{
	if ((va | size) & (PG - 1))
		return PT_ERR_NOT_ALIGNED;
	if (size == 0 || va + (size - 1) < va)
		return PT_ERR_INVALID;
	*last = va + (size - 1);
	if (!va_ok(va) || !va_ok(*last))
		return PT_ERR_INVALID;
	/* Halves exist only where VAs are sign-extended; an AArch64 or ARMv7
	 * table serves one contiguous range. */
	if (S.sext && (va >> 63) != (*last >> 63))
		return PT_ERR_INVALID;
	return PT_OK;
}

#endif
