/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: value generators biased toward what breaks page tables.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_GEN_H
#define PT_FUZZ_OPS_GEN_H

/* ---- Value generators: biased toward what breaks page tables ---------- */

static uint64_t last_va, last_pa;

static uint64_t va_anchor(unsigned k)
{
	uint64_t lo_end, up_start;
	if (S.armv7) {
		lo_end = UINT64_C(1) << 31;
		up_start = UINT64_C(1) << 32;
	} else if (S.s2 || S.ept || S.gstage) {
		/* Guest-physical: one range, no upper half. */
		lo_end = UINT64_C(1) << (S.va_bits - 1);
		up_start = UINT64_C(1) << S.va_bits;
	} else if (!S.sext) {
		lo_end = UINT64_C(1) << (S.va_bits - 1);
		up_start = (S.feat & PT_FEAT_AARCH64_HIGH) ? UINT64_MAX << S.va_bits : UINT64_C(1) << S.va_bits;
	} else {
		lo_end = UINT64_C(1) << (S.va_bits - 1);
		up_start = UINT64_MAX << (S.va_bits - 1);
	}
	switch (k % 6) {
	case 0: return (S.feat & PT_FEAT_AARCH64_HIGH) ? UINT64_MAX << S.va_bits : 0;
	case 1: return lo_end;
	case 2: return up_start;
	case 3: return 0; /* minus something: the very top, wrap-around */
	case 4: return lo_end >> 1;
	default: return (S.feat & PT_FEAT_AARCH64_HIGH) ? 0 : UINT64_C(1) << 30;
	}
}

static uint64_t gen_va(struct rd *r, struct model *m)
{
	uint8_t sel = rd_u8(r);
	uint64_t va;
	switch (sel >> 5) {
	case 5:
		va = last_va + (uint64_t)(int64_t)(int8_t)rd_u8(r) * PG;
		break;
	case 6:
		if (m->n) {
			va = m->lv[rd_u16(r) % m->n].va + (uint64_t)(int64_t)(int8_t)rd_u8(r) * PG;
			break;
		}
		/* fall through */
	default: {
		uint8_t lv = rd_u8(r);
		unsigned l1 = (lv & 15) % S.levels, l2 = (unsigned)(lv >> 4) % S.levels;
		va = va_anchor(sel) + (uint64_t)(int64_t)(int8_t)rd_u8(r) * span(l1) +
		     (uint64_t)(int64_t)(int8_t)rd_u8(r) * span(l2);
		break;
	}
	case 7:
		va = rd_u64(r);
		break;
	}
	if (sel & 16) /* an unaligned VA now and then */
		va += rd_u8(r);
	last_va = va;
	return va;
}

static uint64_t gen_pa(struct rd *r, uint64_t va)
{
	uint8_t sel = rd_u8(r);
	uint64_t top = UINT64_C(1) << S.pa_bits, pa;
	unsigned l = (unsigned)(sel >> 4) % S.levels;
	switch (sel & 7) {
	case 0: pa = va & (top - 1); break;
	case 1: pa = top + (uint64_t)(int64_t)(int8_t)rd_u8(r) * span(l); break;
	case 2: pa = (uint64_t)rd_u16(r) * span(l) & (top - 1); break;
	case 3: pa = last_pa + (uint64_t)(int64_t)(int8_t)rd_u8(r) * PG; break;
	case 4: pa = rd_u64(r); break;
	default: pa = (uint64_t)rd_u16(r) * PT_SIZE_4K; break;
	}
	if ((sel & 15) == 15)
		pa += rd_u8(r);
	last_pa = pa;
	return pa;
}

static uint64_t gen_leaf_size(struct rd *r)
{
	uint8_t sel = rd_u8(r);
	unsigned k = sel % (S.levels + 1);
	if (k == S.levels)
		return (sel & 0x80) ? rd_u64(r) : PT_SIZE_1M << (sel & 1);
	return span(S.levels - 1 - k);
}

static uint64_t gen_region_size(struct rd *r)
{
	uint8_t sel = rd_u8(r);
	unsigned l = (unsigned)(sel >> 3) % S.levels;
	switch (sel & 7) {
	case 0:
	case 1: return (uint64_t)(rd_u8(r) + 1) * PG;
	case 2: return span(l) * (rd_u8(r) % 4 + 1);
	case 3: return span(l) + (uint64_t)(int64_t)(int8_t)rd_u8(r) * PG;
	case 4: return span(l) * (rd_u8(r) % 3 + 1) + span(l ? l - 1 : 0);
	case 5: return 0;
	case 6: return rd_u64(r);
	default: return (uint64_t)rd_u16(r) * PT_SIZE_4K + (rd_u8(r) & 1 ? 1 : 0);
	}
}

/*
 * A region made for the region calls' all-or-nothing rule: in one call it
 * covers a whole table (which the call frees or rewrites entry by entry)
 * and cuts a huge leaf at one edge (a split: a new table, so an
 * allocation), and the caller injects an allocation failure besides, so
 * the split can fail after the plan has decided on the table. Huge leaf H
 * is the model's hk-th leaf larger than a page, T the tk-th table; the
 * range runs from a cut inside H to `extra` pages past T's end when H lies
 * below T, else from `extra` pages before T's start (T's start when H is
 * inside T's span) to a cut inside H. Without a huge leaf or a table: the
 * plain generators.
 */
static void gen_shaped_range(struct rd *r, struct model *m, uint64_t *va, uint64_t *size)
{
	const uint16_t hk = rd_u16(r), tk = rd_u16(r);
	const uint8_t cut = rd_u8(r), extra = rd_u8(r);
	const struct leaf *h = NULL;
	size_t nh = 0;
	for (size_t i = 0; i < m->n; i++)
		nh += m->lv[i].size > PG;
	for (size_t i = 0, k = 0; nh && i < m->n; i++)
		if (m->lv[i].size > PG && k++ == hk % nh) {
			h = &m->lv[i];
			break;
		}
	if (!h || !m->nt) {
		*va = gen_va(r, m);
		*size = gen_region_size(r);
		return;
	}
	{
		const struct tbl *t = &m->tv[tk % m->nt];
		const uint64_t tend = t->va + span(t->level - 1); /* 0: the very top */
		const uint64_t c = h->va + PG * (1 + cut % (h->size / PG - 1));
		const uint64_t more = (uint64_t)(extra & 15) * PG;
		if (h->va < t->va && llast(h) < t->va) {
			*va = c;
			*size = tend + more - c;
		} else {
			*va = h->va > t->va + (span(t->level - 1) - 1) ? t->va - more : t->va;
			*size = c - *va;
		}
	}
	last_va = *va;
}

/*
 * Mapping flags. One byte below 0xf0 is itself the flags (READ forced), so
 * GLOBAL and WC come half the time each; 0xf0 is flags without READ. 0xf1
 * to 0xfe take a second byte x for bits 0-7 and add PT_SW0/1 from the low
 * two bits of the first; 0xf4-0xf7 and 0xfc-0xfe leave READ to x, and
 * 0xfc-0xfe add a bit no call takes (bit 10, PT_ACCESSED or PT_DIRTY passed
 * as flags); 0xff is every flag and bit 10. (Bytes from 0xf0 up took no
 * second byte before PT_SW0/1 existed; 0xf0 still means what it did.)
 */
static uint32_t gen_flags(struct rd *r)
{
	static const uint32_t unknown[] = { UINT32_C(1) << 10, PT_ACCESSED, PT_DIRTY };
	uint8_t b = rd_u8(r);
	uint32_t f;
	if (b < 0xf0)
		return b | PT_READ;
	if (b == 0xf0)
		return 0x70;
	if (b == 0xff)
		return PT_FLAGS_ALL | UINT32_C(1) << 10;
	f = rd_u8(r) | (uint32_t)(b & 3) << 8;
	if (!(b & 4))
		f |= PT_READ;
	if ((b & 15) >= 12)
		f |= unknown[(b & 15) - 12];
	return f;
}

/* State bits for pt_clear_state / pt_set_state: bits 0-3 of the byte are
 * ACCESSED, DIRTY, SW0, SW1 (0: none, an error); from 0xf0 up, bits 0-1
 * with one bit those calls never take (READ, WRITE, bit 18, bit 31). */
static uint32_t gen_state(struct rd *r)
{
	static const uint32_t map[4] = { PT_ACCESSED, PT_DIRTY, PT_SW0, PT_SW1 };
	static const uint32_t bad[4] = { PT_READ, PT_WRITE, UINT32_C(1) << 18, UINT32_C(1) << 31 };
	uint8_t b = rd_u8(r);
	uint32_t s = 0;
	for (unsigned k = 0; k < 4; k++)
		if (b >> k & 1)
			s |= map[k];
	if (b >= 0xf0)
		s = (s & (PT_ACCESSED | PT_DIRTY)) | bad[(b >> 2) & 3];
	return s;
}

#endif
