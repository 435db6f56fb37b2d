/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness over ptdump's image walker (tools/ptdump_core.c).
 *
 * Input: an 8-byte header, then the image itself.
 *   [0] format (mod PTD_NARCH)  [1] feature bits (any, invalid ones too)
 *   [2..3] root table index in the image (LE)  [4] bit 0: VA window,
 *   bit 1: JSON printer, bits 2..7: window shift  [5] window start,
 *   [6] window length, both in units of 2^shift  [7] regime: bit 0 the
 *   controls in bits 1..5 (spread over PT_CTL_*), bit 6 the image's first
 *   8 bytes as the attribute register, bit 7 LoongArch's Linux dir-mask
 *   (refused regimes are usage errors)
 *
 * Besides ASan/UBSan, three oracles abort on a wrong answer: ranges come in
 * strictly increasing, non-overlapping VA order; they stay inside the VA
 * window; and pt_access under the same regime, walking the same image
 * independently, agrees with every range at its first and last byte (PA,
 * effective flags, leaf size). Lint and diff run over the ranges too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdump_core.h"

#define BASE UINT64_C(0x100000) /* 16 KiB aligned: any format's root fits */

struct state {
	const struct ptd_image *img;
	const struct ptd_config *cfg;
	struct ptd_printer pr;
	uint64_t next_va; /* first VA a range may start at */
	bool any;
};

static volatile uint64_t sink_v;

static void on_range(void *arg, const struct ptd_range *r)
{
	struct state *s = arg;
	uint64_t off[2] = { 0, r->size - 1 };
	if (r->size == 0 || (s->any && r->va < s->next_va) || r->va < s->cfg->va_lo ||
	    r->va + (r->size - 1) > s->cfg->va_hi || r->va + (r->size - 1) < r->va)
		abort();
	s->next_va = r->va + r->size;
	s->any = true;
	for (int i = 0; i < 2; i++) {
		struct pt_mapping m;
		if (ptd_translate(s->img, s->cfg, r->va + off[i], &m) != PT_OK ||
		    m.pa != r->pa + off[i] || m.flags != r->flags || m.size != r->leaf_size)
			abort();
	}
	ptd_print_range(&s->pr, r);
}

static void on_corrupt(void *arg, const struct ptd_corrupt *c)
{
	struct state *s = arg;
	sink_v += c->pte ^ c->table_pa;
	ptd_print_corrupt(&s->pr, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct ptd_image img;
	struct ptd_config cfg;
	struct ptd_geom g;
	struct ptd_stats st;
	struct state s;
	struct ptd_sink sink = { on_range, on_corrupt, &s };
	int rc;
	if (size < 9)
		return 0;
	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.arch = (enum pt_arch)(data[0] % PTD_NARCH);
	cfg.features = data[1] & PT_FEAT_ALL;
	cfg.va_hi = UINT64_MAX;
	cfg.max_tables = 64; /* a self-referencing image stays cheap */
	img.data = data + 8;
	img.len = size - 8;
	img.base = BASE;
	if (ptd_geom(cfg.arch, &g))
		abort();
	cfg.root = BASE + (uint64_t)(data[2] | data[3] << 8) % (img.len / g.table_bytes[0] + 1) *
				  g.table_bytes[0];
	if (data[4] & 1) {
		unsigned sh = (data[4] >> 2) % 58 + 6;
		cfg.va_lo = (uint64_t)data[5] << sh;
		cfg.va_hi = cfg.va_lo + (((uint64_t)data[6] + 1) << sh) - 1;
		if (cfg.va_hi < cfg.va_lo)
			cfg.va_hi = UINT64_MAX;
		if (data[5] & 0x80) /* reach the upper half too */
			cfg.va_lo |= UINT64_C(0xffff000000000000), cfg.va_hi = UINT64_MAX;
	}
	if (data[7] & 1) {
		cfg.controls_set = true;
		cfg.controls = ((uint64_t)(data[7] >> 1) * 0x2f5u) & PT_CTL_ALL;
	}
	if ((data[7] & 0x40) && img.len >= 8)
		memcpy(&cfg.attrs, img.data, 8);
	if (data[7] & 0x80)
		cfg.dir_mask = UINT64_C(0x0000fffffffff000);
	memset(&s, 0, sizeof(s));
	s.img = &img;
	s.cfg = &cfg;
	s.pr.f = null;
	s.pr.json = data[4] & 2;
	s.pr.cfg = &cfg;
	rc = ptd_walk(&img, &cfg, &sink, &st);
	{
		struct ptd_list l = { 0 };
		struct ptd_sink ls = { ptd_list_range, NULL, &l };
		if (ptd_walk(&img, &cfg, &ls, NULL) != rc)
			abort();
		sink_v += ptd_lint(l.r, l.n, NULL, NULL);
		if (ptd_diff(l.r, l.n, l.r, l.n, NULL, NULL) != 0)
			abort();
		sink_v += ptd_diff(l.r, l.n, NULL, 0, NULL, NULL);
		ptd_list_free(&l);
	}
	if (rc != PTD_EXIT_CLEAN && rc != PTD_EXIT_CORRUPT && rc != PTD_EXIT_USAGE)
		abort();
	if (rc == PTD_EXIT_CLEAN && (st.corrupt || st.skipped))
		abort();
	if (rc == PTD_EXIT_CORRUPT && !st.corrupt && !st.skipped)
		abort();
	for (unsigned l = 0; l < PT_MAX_LEVELS; l++)
		sink_v += st.tables[l];
	return 0;
}
