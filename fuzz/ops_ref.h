/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: every entry the full check's walk reports, judged by the
 * reference MMU (fuzz/ref_entry.h over ref_walk.h and the family files),
 * which was written from the architecture manuals and shares nothing with
 * libpt's encoders and decoders. The rest of the full check compares the
 * walk with the model through libpt's own pt_pte_decode and pt_pte_page, so
 * an encoder and a decoder wrong the same way (a bit at the wrong position
 * in both), or a decoder taking a reserved encoding for a leaf, pass there;
 * here the raw entry itself must mean, to the hardware, what the model
 * says. Included once, by fuzz/fuzz_ops.c, which defines the bounds and
 * globals these sections share.
 */
#ifndef PT_FUZZ_OPS_REF_H
#define PT_FUZZ_OPS_REF_H

#include "ref_entry.h"

/* The last entry reported at each level, by which table, the digest of
 * it and its ancestors, and whether those are its real ancestors (each
 * reported just before, covering it): the path of the next entry when the
 * checker goes in pre-order. */
static struct {
	const struct ctx *c[PT_MAX_LEVELS];
	uint64_t va[PT_MAX_LEVELS], pte[PT_MAX_LEVELS], h[PT_MAX_LEVELS];
	bool real[PT_MAX_LEVELS];
} RP;

/*
 * Entries already judged: the digest of everything a verdict depends on
 * (format, features, width, level, VA, the entry and its ancestors, the
 * model's leaf). A full check walks every entry after every call and most
 * did not change since the last one: those cost a digest and a compare.
 * Direct-mapped, never cleared (a verdict on the same inputs stays true,
 * across inputs too); a wrong skip needs a 64-bit digest collision.
 */
#define REF_SEEN 16384u
static uint64_t ref_seen[REF_SEEN];

static uint64_t ref_mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ h >> 29;
}

/*
 * Runs of leaves: most leaves follow one at the same level under the
 * same ancestors with the same flags and state, a size further in VA and
 * PA. Every format's entry holds the PA in one field, so within a field
 * (no carry out of it: the same 4 GiB of PA, below the 2^48 and 2^50
 * boundaries where AArch64's 52-bit OAs split theirs) such a successor is
 * its predecessor plus a constant power of two. That constant is learned
 * from two successive leaves that passed (each judged by the reference,
 * or found as it was judged before, or so accepted), per level and
 * format; a successor exactly that far from its predecessor is accepted
 * without a walk; anything else, a Svnapot run member too, goes to the
 * reference.
 */
static struct {
	uint64_t seed, parent, va, pa, pte, delta, flags;
	bool valid;
} RL[PT_MAX_LEVELS];

/* Whether leaf x at e follows RL[l] as a run's next (seed: the format's
 * digest, parent: e's ancestors'). */
static bool ref_run_next(unsigned l, uint64_t seed, uint64_t parent, const struct pt_entry *e,
			 const struct leaf *x)
{
	const uint64_t fl = (uint64_t)x->flags << 32 | x->state;
	return RL[l].valid && RL[l].seed == seed && RL[l].parent == parent && !x->run &&
	       RL[l].flags == fl && e->va == RL[l].va + x->size && x->pa == RL[l].pa + x->size &&
	       x->pa >> 32 == RL[l].pa >> 32;
}

/* Leaf x at e is the last at level l now (judged, or about to be). */
static void ref_run_note(unsigned l, uint64_t seed, uint64_t parent, const struct pt_entry *e,
			 const struct leaf *x, bool next)
{
	const uint64_t d = e->pte - RL[l].pte;
	if (next && d && !(d & (d - 1)))
		RL[l].delta = d;
	else if (!next)
		RL[l].delta = RL[l].seed == seed ? RL[l].delta : 0;
	RL[l].valid = !x->run;
	RL[l].seed = seed;
	RL[l].parent = parent;
	RL[l].va = e->va;
	RL[l].pa = x->pa;
	RL[l].pte = e->pte;
	RL[l].flags = (uint64_t)x->flags << 32 | x->state;
}

/*
 * Entry e of c's table, as the walk reported it (after the walk's own
 * checks against the model), and x its leaf in the model (NULL: e is a
 * table entry). The reference walks to e->va under libpt's own regime
 * (pt_translate's) with e's ancestors as the walk reported them,
 * so the hierarchy (x86 R/W and U/S, Arm APTable and XNTable) counts too:
 * - a table entry is a valid table descriptor at that level, pointing at
 *   the walked PA;
 * - a leaf is a valid leaf (no reserved encoding at that level, for
 *   that format and feature set) with the model's PA, size (a Svnapot
 *   member: its 64 KiB run), flags and access state. The model's flags
 *   are libpt's normalised ones, which the reference reports as they are
 *   (its flags are the effective permissions under libpt's regime, the
 *   memory type from the default attribute register); a memory type the
 *   manuals leave undefined is not compared.
 * When the caller did not report e's ancestors just before (a skipped
 * subtree), each is taken to be a table descriptor that restricts nothing.
 */
static void ref_check_entry(struct ctx *c, const struct pt_entry *e, const struct leaf *x)
{
	uint64_t path[PT_MAX_LEVELS], h, seed, parent;
	struct pt_regime r;
	struct ref_out o;
	enum ref_kind k;
	const unsigned l = e->level;
	bool real, ok;
	FZ_CHECK(l < PT_MAX_LEVELS);
	real = l == 0 || (RP.c[l - 1] == c && RP.real[l - 1] && e->va >= RP.va[l - 1] &&
			  e->va - RP.va[l - 1] < span(l - 1));
	seed = (uint64_t)S.arch << 40 | (uint64_t)S.feat << 16 | S.cfg_bits << 4 | l;
	h = parent = real && l ? RP.h[l - 1] : seed;
	RP.c[l] = c;
	RP.va[l] = e->va;
	RP.pte[l] = e->pte;
	RP.h[l] = h = ref_mix(h, e->pte);
	RP.real[l] = real;
	if (x) {
		const bool next = ref_run_next(l, seed, parent, e, x);
		const bool step = next && RL[l].delta && e->pte - RL[l].pte == RL[l].delta;
		ref_run_note(l, seed, parent, e, x, next);
		if (step)
			return;
	}
	h = ref_mix(ref_mix(h, e->va), x ? x->pa : e->pa);
	if (x)
		h = ref_mix(ref_mix(h, x->size), (uint64_t)x->flags << 32 | x->state << 1 | x->run);
	if (ref_seen[h % REF_SEEN] == h)
		return;
	for (unsigned i = 0; i < l; i++)
		path[i] = real ? RP.pte[i] : ref_table_entry(S.arch, ARENA_BASE);
	path[l] = e->pte;
	r = own_regime(S.arch, S.feat, pt_root(&c->t));
	r.va_bits = S.cfg_bits;
	k = ref_entry(&r, e->va, path, l + 1, &o);
	if (x) {
		const uint64_t size = S.napot && x->run ? UINT64_C(0x10000) : x->size;
		const uint32_t mask = o.memtype_known ? ~0u : ~(uint32_t)REF_MEMTYPES;
		ok = k == REF_LEAF && o.m.pa == x->pa && o.m.size == size &&
		     (o.m.flags & mask) == (x->flags & mask) && o.m.state == x->state;
		if (!ok)
			fprintf(stderr,
				"reference: level %u va %#llx pte %#llx: kind %d (leaf %d) pa %#llx size "
				"%#llx flags %#x state %#x; model pa %#llx size %#llx flags %#x state %#x\n",
				l, (unsigned long long)e->va, (unsigned long long)e->pte, (int)k, REF_LEAF,
				(unsigned long long)o.m.pa, (unsigned long long)o.m.size, o.m.flags,
				o.m.state, (unsigned long long)x->pa, (unsigned long long)size, x->flags,
				x->state);
	} else {
		ok = k == REF_TABLE && o.f.table_pa == e->pa;
		if (!ok)
			fprintf(stderr,
				"reference: level %u va %#llx pte %#llx: kind %d (table %d) next %#llx; "
				"walked %#llx\n",
				l, (unsigned long long)e->va, (unsigned long long)e->pte, (int)k, REF_TABLE,
				(unsigned long long)o.f.table_pa, (unsigned long long)e->pa);
	}
	FZ_CHECK(ok);
	ref_seen[h % REF_SEEN] = h;
}

#endif
