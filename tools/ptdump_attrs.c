/* SPDX-License-Identifier: MIT */
/*
 * ptdump: the raw attribute column and the regime's options.
 *
 * The attribute column names the bits of a leaf as its architecture
 * manual does, read from the raw entry (not from libpt's normalised
 * flags): one small table of named bits per family, plus the fields that
 * need a value (memory type through the regime's register, protection
 * key, software bits). Permissions are not here: the perm column has
 * the effective ones.
 */
#include "ptdump_core.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#define BIT(n) (UINT64_C(1) << (n))

enum where { ANY, SMALL, HUGE, NOT_EL2, EL2 };

struct named_bit {
	unsigned char bit;
	unsigned char where; /* enum where */
	const char *name;
};

/* Intel SDM vol. 3A table 4-19/4-20 (PTE, PDE/PDPTE mapping a page). */
static const struct named_bit x86_bits[] = {
	{ 8, ANY, "G" }, { 5, ANY, "A" }, { 6, ANY, "D" }, { 63, ANY, "XD" },
};
/* Arm ARM D8.3 (stage 1 block and page descriptors). */
static const struct named_bit a64_bits[] = {
	{ 11, NOT_EL2, "nG" }, { 10, ANY, "AF" }, { 51, ANY, "DBM" }, { 52, ANY, "CON" },
	{ 50, ANY, "GP" },     { 5, ANY, "NS" },  { 54, NOT_EL2, "UXN" }, { 54, EL2, "XN" },
	{ 53, NOT_EL2, "PXN" },
};
/* RISC-V privileged ISA §4.4.1, Svnapot. */
static const struct named_bit rv_bits[] = {
	{ 5, ANY, "G" }, { 6, ANY, "A" }, { 7, ANY, "D" },
};
/* LoongArch manual §5.4.5 (V is the TLB's valid bit: the accessed state). */
static const struct named_bit la_bits[] = {
	{ 0, ANY, "V" }, { 1, ANY, "D" }, { 6, SMALL, "G" }, { 12, HUGE, "G" }, { 63, ANY, "RPLV" },
};

/* Intel SDM vol. 3C, EPT paging-structure entries mapping a page: IPAT,
 * the accessed and dirty flags (with EPTP bit 6), execute for user-mode
 * linear addresses (mode-based execute control), verify guest paging,
 * paging-write access, supervisor shadow stack, sub-page write
 * permissions, suppress #VE. */
static const struct named_bit ept_bits[] = {
	{ 6, ANY, "IPAT" }, { 8, ANY, "A" },	{ 9, ANY, "D" },    { 10, ANY, "XU" },
	{ 57, ANY, "VGP" }, { 58, ANY, "PW" }, { 60, ANY, "SSS" }, { 61, ANY, "SPP" },
	{ 63, ANY, "SVE" },
};
/* Arm ARM D8.3 (stage 2 block and page descriptors). */
static const struct named_bit s2_bits[] = {
	{ 10, ANY, "AF" }, { 51, ANY, "DBM" }, { 52, ANY, "CON" },
};
/* RISC-V privileged ISA, G-stage leaves: U must be set (every guest
 * access counts as a user access there); G is ignored. */
static const struct named_bit rvg_bits[] = {
	{ 4, ANY, "U" }, { 5, ANY, "G" }, { 6, ANY, "A" }, { 7, ANY, "D" },
};

/* Software (OS-defined) bits the MMU ignores, per family. */
static const uint64_t x86_sw = BIT(9) | BIT(10) | BIT(11) | (UINT64_C(0x7f) << 52);
static const uint64_t a64_sw = UINT64_C(0xf) << 55;
static const uint64_t rv_sw = BIT(8) | BIT(9);
static const uint64_t la_sw = BIT(9) | BIT(10) | BIT(11);
static const uint64_t ept_sw = BIT(11) | (UINT64_C(0x1f) << 52);

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (o->used >= o->len)
		return;
	if (o->used && o->used + 1 < o->len)
		o->buf[o->used++] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
	if (o->used >= o->len)
		o->used = o->len - 1;
}

static bool is_small(const struct ptd_config *cfg, unsigned level)
{
	return level + 1 == pt_arch_info(cfg->arch)->levels;
}

static bool applies(const struct ptd_config *cfg, unsigned level, unsigned char where)
{
	bool el2 = cfg->features & PT_FEAT_AARCH64_EL2;
	switch (where) {
	case SMALL: return is_small(cfg, level);
	case HUGE: return !is_small(cfg, level);
	case NOT_EL2: return !el2;
	case EL2: return el2;
	default: return true;
	}
}

static uint64_t table_mask(const struct ptd_config *cfg, unsigned level, const struct named_bit *t,
			   size_t n)
{
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (applies(cfg, level, t[i].where))
			m |= BIT(t[i].bit);
	return m;
}

static void table_names(const struct ptd_config *cfg, unsigned level, uint64_t attr,
			const struct named_bit *t, size_t n, struct out *o)
{
	for (size_t i = 0; i < n; i++)
		if (applies(cfg, level, t[i].where) && (attr & BIT(t[i].bit)))
			put(o, "%s", t[i].name);
}

static void sw_names(uint64_t attr, uint64_t sw, struct out *o)
{
	for (unsigned b = 0; b < 64; b++)
		if (attr & sw & BIT(b))
			put(o, "SW%u", b);
}

/* ARMv7 field positions: small page, section/supersection, large page. */
struct v7_fields {
	unsigned char xn, b, c, ap, tex, ap2, s, ng;
};
static const struct v7_fields v7_at[3] = {
	{ 0, 2, 3, 4, 6, 9, 10, 11 },
	{ 4, 2, 3, 10, 12, 15, 16, 17 },
	{ 15, 2, 3, 4, 12, 9, 10, 11 },
};

static const struct v7_fields *v7_fields(const struct ptd_config *cfg, unsigned level, uint64_t e)
{
	return &v7_at[!is_small(cfg, level) ? 1 : (e & 2) ? 0 : 2];
}

static uint64_t ctl(const struct ptd_config *cfg)
{
	return cfg->controls_set ? cfg->controls : ptd_default_controls(cfg->arch);
}

uint64_t ptd_attr_bits(const struct ptd_config *cfg, unsigned level, uint64_t e)
{
#define N(t) (sizeof(t) / sizeof((t)[0]))
	switch (cfg->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		/* PWT, PCD and PAT (bit 7 in a PTE, 12 in a huge leaf), PK 59..62. */
		return e & (table_mask(cfg, level, x86_bits, N(x86_bits)) | x86_sw | BIT(3) | BIT(4) |
			    BIT(is_small(cfg, level) ? 7 : 12) | (UINT64_C(0xf) << 59));
	case PT_AARCH64:
		/* AttrIndx 2..4, SH 8..9, PBHA 59..62. */
		return e & (table_mask(cfg, level, a64_bits, N(a64_bits)) | a64_sw | (UINT64_C(7) << 2) |
			    (UINT64_C(3) << 8) | (UINT64_C(0xf) << 59));
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		/* N (Svnapot) 63, PBMT 61..62 or the XuanTie bits 59..63. */
		return e & (table_mask(cfg, level, rv_bits, N(rv_bits)) | rv_sw | (UINT64_C(0x1f) << 59));
	case PT_LOONGARCH64:
		/* PLV 2..3, MAT 4..5. */
		return e & (table_mask(cfg, level, la_bits, N(la_bits)) | la_sw | (UINT64_C(0xf) << 2));
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5:
		/* The memory type 3..5. */
		return e & (table_mask(cfg, level, ept_bits, N(ept_bits)) | ept_sw | (UINT64_C(7) << 3));
	case PT_AARCH64_S2:
		/* MemAttr 2..5, SH 8..9, XN 53..54, PBHA 59..62. */
		return e & (table_mask(cfg, level, s2_bits, N(s2_bits)) | a64_sw | (UINT64_C(0xf) << 2) |
			    (UINT64_C(3) << 8) | (UINT64_C(3) << 53) | (UINT64_C(0xf) << 59));
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4:
		return e & (table_mask(cfg, level, rvg_bits, N(rvg_bits)) | rv_sw);
	case PT_ARMV7: {
		const struct v7_fields *f = v7_fields(cfg, level, e);
		uint64_t m = BIT(f->b) | BIT(f->c) | (UINT64_C(7) << f->tex) | BIT(f->s) | BIT(f->ng);
		if (!is_small(cfg, level))
			m |= BIT(18) | BIT(19) | BIT(9) | ((e & BIT(18)) ? 0 : UINT64_C(0xf) << 5);
		else
			m |= 3; /* small or large page */
		if (ctl(cfg) & PT_CTL_AFE)
			m |= BIT(f->ap); /* AP[0] is the access flag */
		return e & m;
	}
	default:
		return 0;
	}
}

static const char *pat_type(unsigned t)
{
	static const char *const n[8] = { "UC", "WC", "?2", "?3", "WT", "WP", "WB", "UC-" };
	return n[t & 7];
}

static void v7_names(const struct ptd_config *cfg, unsigned level, uint64_t a, struct out *o)
{
	const struct v7_fields *f = v7_fields(cfg, level, a);
	const unsigned tex = (unsigned)(a >> f->tex) & 7, c = (a >> f->c) & 1, b = (a >> f->b) & 1;
	if (a & BIT(f->ng))
		put(o, "nG");
	if (a & BIT(f->s))
		put(o, "S");
	if ((ctl(cfg) & PT_CTL_AFE) && (a & BIT(f->ap)))
		put(o, "AF");
	if (!is_small(cfg, level)) {
		if (a & BIT(18))
			put(o, "SUPER");
		else
			put(o, "DOM=%u", (unsigned)(a >> 5) & 0xf);
		if (a & BIT(19))
			put(o, "NS");
		if (a & BIT(9))
			put(o, "IMP");
	} else if (!(a & 2)) {
		put(o, "LARGE");
	}
	put(o, "TEX=%u%u%u", tex >> 2, (tex >> 1) & 1, tex & 1);
	if (c)
		put(o, "C");
	if (b)
		put(o, "B");
	if (ctl(cfg) & PT_CTL_TRE) {
		/* TEX remap: PRRR's TRn for n = TEX[0]:C:B, NMRR's IRn/ORn. */
		static const char *const tr[4] = { "SO", "DEV", "NORM", "?" };
		static const char *const rn[4] = { "NC", "WBWA", "WT", "WB" };
		unsigned n = (tex & 1) << 2 | c << 1 | b, t = (unsigned)(cfg->attrs >> (2 * n)) & 3;
		if (t == 2)
			put(o, "TR%u=NORM/%s/%s", n, rn[(cfg->attrs >> (32 + 2 * n)) & 3],
			    rn[(cfg->attrs >> (48 + 2 * n)) & 3]);
		else
			put(o, "TR%u=%s", n, tr[t]);
	}
}

const char *ptd_attr_str(const struct ptd_config *cfg, unsigned level, uint64_t a, char *buf,
			 size_t len)
{
	struct out o = { buf, len, 0 };
	if (len)
		buf[0] = 0;
	switch (cfg->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57: {
		unsigned idx = (unsigned)((a >> 3) & 3) | ((a & BIT(is_small(cfg, level) ? 7 : 12)) ? 4 : 0);
		uint64_t pat = cfg->attrs ? cfg->attrs : PT_X86_PAT;
		table_names(cfg, level, a, x86_bits, N(x86_bits), &o);
		if ((a >> 59) & 0xf)
			put(&o, "PK=%u", (unsigned)(a >> 59) & 0xf);
		sw_names(a, x86_sw, &o);
		put(&o, "PAT%u=%s", idx, pat_type((unsigned)(pat >> (8 * idx))));
		break;
	}
	case PT_AARCH64: {
		unsigned idx = (unsigned)(a >> 2) & 7;
		uint64_t mair = cfg->attrs ? cfg->attrs : PT_AARCH64_MAIR;
		static const char *const sh[4] = { "NSH", "SH?", "OSH", "ISH" };
		table_names(cfg, level, a, a64_bits, N(a64_bits), &o);
		if ((a >> 8) & 3)
			put(&o, "%s", sh[(a >> 8) & 3]);
		sw_names(a, a64_sw, &o);
		if ((a >> 59) & 0xf)
			put(&o, "PBHA=%u", (unsigned)(a >> 59) & 0xf);
		put(&o, "Attr%u=0x%02x", idx, (unsigned)(mair >> (8 * idx)) & 0xff);
		break;
	}
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		table_names(cfg, level, a, rv_bits, N(rv_bits), &o);
		sw_names(a, rv_sw, &o);
		if (cfg->features & PT_FEAT_RISCV_XUANTIE) {
			static const char *const xt[5] = { "SEC", "SH", "B", "C", "SO" };
			for (unsigned b = 0; b < 5; b++)
				if (a & BIT(59 + b))
					put(&o, "%s", xt[b]);
		} else {
			static const char *const pbmt[4] = { "PMA", "NC", "IO", "?" };
			if (a & BIT(63))
				put(&o, "N");
			if ((a >> 61) & 3)
				put(&o, "PBMT=%s", pbmt[(a >> 61) & 3]);
		}
		break;
	case PT_LOONGARCH64: {
		static const char *const mat[4] = { "SUC", "CC", "WUC", "?" };
		table_names(cfg, level, a, la_bits, N(la_bits), &o);
		sw_names(a, la_sw, &o);
		put(&o, "PLV%u", (unsigned)(a >> 2) & 3);
		put(&o, "MAT=%s", mat[(a >> 4) & 3]);
		break;
	}
	case PT_ARMV7:
		v7_names(cfg, level, a, &o);
		break;
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5: {
		table_names(cfg, level, a, ept_bits, N(ept_bits), &o);
		sw_names(a, ept_sw, &o);
		put(&o, "MT=%s", pat_type((unsigned)(a >> 3) & 7));
		break;
	}
	case PT_AARCH64_S2: {
		/* MemAttr with FEAT_S2FWB off: 0b00dd Device, else Normal with
		 * outer [3:2] and inner [1:0] cacheability (0b00 reserved). */
		static const char *const dev[4] = { "nGnRnE", "nGnRE", "nGRE", "GRE" };
		static const char *const cache[4] = { "?", "NC", "WT", "WB" };
		static const char *const sh[4] = { "NSH", "SH?", "OSH", "ISH" };
		const unsigned m = (unsigned)(a >> 2) & 0xf;
		table_names(cfg, level, a, s2_bits, N(s2_bits), &o);
		if ((a >> 8) & 3)
			put(&o, "%s", sh[(a >> 8) & 3]);
		if ((a >> 53) & 3)
			put(&o, "XN=%u", (unsigned)(a >> 53) & 3);
		sw_names(a, a64_sw, &o);
		if ((a >> 59) & 0xf)
			put(&o, "PBHA=%u", (unsigned)(a >> 59) & 0xf);
		if (m >> 2)
			put(&o, "MemAttr=Normal-O%s-I%s", cache[m >> 2], cache[m & 3]);
		else
			put(&o, "MemAttr=Device-%s", dev[m & 3]);
		break;
	}
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4:
		/* No Svpbmt or Svnapot at G-stage here: their bits are reserved. */
		table_names(cfg, level, a, rvg_bits, N(rvg_bits), &o);
		sw_names(a, rv_sw, &o);
		break;
	default:
		break;
	}
	return buf;
#undef N
}

/* ---- Controls and registers --------------------------------------------- */

static const struct {
	const char *name;
	uint64_t bit;
} ctl_names[] = {
	{ "nxe", PT_CTL_NXE }, { "wp", PT_CTL_WP },   { "smep", PT_CTL_SMEP }, { "smap", PT_CTL_SMAP },
	{ "ac", PT_CTL_AC },   { "pan", PT_CTL_PAN }, { "wxn", PT_CTL_WXN },   { "ha", PT_CTL_HA },
	{ "hd", PT_CTL_HD },   { "sum", PT_CTL_SUM }, { "mxr", PT_CTL_MXR },   { "tre", PT_CTL_TRE },
	{ "afe", PT_CTL_AFE }, { "hpd", PT_CTL_HPD },
};
#define NCTL (sizeof(ctl_names) / sizeof(ctl_names[0]))

int ptd_parse_controls(const char *s, uint64_t *controls, const char **bad)
{
	uint64_t c = 0;
	if (strcmp(s, "none") == 0) {
		*controls = 0;
		return 0;
	}
	while (*s) {
		size_t n = strcspn(s, ","), i;
		for (i = 0; i < NCTL; i++)
			if (strlen(ctl_names[i].name) == n && strncmp(ctl_names[i].name, s, n) == 0)
				break;
		if (n == 0 || i == NCTL) {
			*bad = s;
			return -1;
		}
		c |= ctl_names[i].bit;
		s += n;
		if (*s == ',' && !*++s) {
			*bad = s - 1;
			return -1;
		}
	}
	*controls = c;
	return 0;
}

const char *ptd_controls_str(uint64_t controls, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < NCTL; i++)
		if (controls & ctl_names[i].bit)
			put(&o, "%s", ctl_names[i].name);
	for (char *p = buf; *p; p++)
		if (*p == ' ')
			*p = ',';
	if (!*buf)
		snprintf(buf, len, "none");
	return buf;
}

static uint64_t arch_controls(enum pt_arch a)
{
	switch (a) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return PT_CTL_NXE | PT_CTL_WP | PT_CTL_SMEP | PT_CTL_SMAP | PT_CTL_AC;
	case PT_AARCH64:
		return PT_CTL_PAN | PT_CTL_WXN | PT_CTL_HA | PT_CTL_HD | PT_CTL_HPD;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		return PT_CTL_HA | PT_CTL_HD | PT_CTL_SUM | PT_CTL_MXR;
	case PT_ARMV7:
		return PT_CTL_TRE | PT_CTL_AFE;
	case PT_AARCH64_S2: /* VTCR_EL2.HA/HD */
		return PT_CTL_HA | PT_CTL_HD;
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4: /* henvcfg.ADUE, HS-level sstatus.MXR */
		return PT_CTL_HA | PT_CTL_HD | PT_CTL_MXR;
	default: /* EPT: none (its A/D flags are a feature, EPTP bit 6) */
		return 0;
	}
}

/* A MAIR attribute byte the Arm ARM leaves UNPREDICTABLE or reserved:
 * Device 0b0000ddxx with xx != 00, Normal with a zero inner nibble other
 * than 0x40, 0xa0 (FEAT_XS) and 0xf0 (FEAT_MTE2). */
static bool mair_reserved(unsigned m)
{
	if (!(m >> 4))
		return (m & 3) != 0;
	return !(m & 0xf) && m != 0x40 && m != 0xa0 && m != 0xf0;
}

int ptd_check_regime(const struct ptd_config *cfg, char *err, size_t errlen)
{
	const char *name = pt_arch_info(cfg->arch)->name;
	uint64_t c = ctl(cfg), bad = c & ~arch_controls(cfg->arch);
	struct pt_regime r;
	struct pt_entry e;
	char cs[128];
	if (bad) {
		snprintf(err, errlen, "control %s does not apply to %s",
			 ptd_controls_str(bad, cs, sizeof(cs)), name);
		return -1;
	}
	if (cfg->dir_mask && cfg->arch != PT_LOONGARCH64) {
		snprintf(err, errlen, "--dir-mask applies to loongarch64 only");
		return -1;
	}
	switch (cfg->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		for (unsigned i = 0; i < 8; i++) {
			unsigned t = (unsigned)(cfg->attrs >> (8 * i)) & 0xff;
			if (t > 7 || t == 2 || t == 3) {
				snprintf(err, errlen,
					 "--attrs 0x%" PRIx64 ": PAT entry %u is 0x%02x, a reserved memory type",
					 cfg->attrs, i, t);
				return -1;
			}
		}
		break;
	case PT_AARCH64:
		for (unsigned i = 0; i < 8; i++) {
			unsigned m = (unsigned)(cfg->attrs >> (8 * i)) & 0xff;
			if (mair_reserved(m)) {
				snprintf(err, errlen,
					 "--attrs 0x%" PRIx64 ": MAIR Attr%u is 0x%02x, a reserved encoding",
					 cfg->attrs, i, m);
				return -1;
			}
		}
		break;
	case PT_ARMV7:
		if (cfg->attrs && !(c & PT_CTL_TRE)) {
			snprintf(err, errlen, "--attrs (PRRR | NMRR << 32) is read only with TEX remap "
					      "(--ctl tre, or --sctlr with TRE)");
			return -1;
		}
		for (unsigned n = 0; (c & PT_CTL_TRE) && n < 8; n++)
			if (((cfg->attrs >> (2 * n)) & 3) == 3) {
				snprintf(err, errlen,
					 "--attrs 0x%" PRIx64 ": PRRR TR%u is 0b11, a reserved memory type",
					 cfg->attrs, n);
				return -1;
			}
		break;
	default:
		if (cfg->attrs) {
			snprintf(err, errlen, "--attrs: %s has no memory-attribute register", name);
			return -1;
		}
	}
	if ((c & PT_CTL_HA) != (c & PT_CTL_HD) >> 1 &&
	    ((cfg->arch >= PT_RISCV_SV39 && cfg->arch <= PT_RISCV_SV57) ||
	     (cfg->arch >= PT_RISCV_SV39X4 && cfg->arch <= PT_RISCV_SV57X4))) {
		snprintf(err, errlen, "Svadu sets both ha and hd, or neither");
		return -1;
	}
	/* Whatever else the library refuses. */
	ptd_regime(cfg, &r);
	if (pt_regime_decode(&r, 0, 0, &e) == PT_ERR_INVALID) {
		snprintf(err, errlen, "the regime (controls %s, attrs 0x%" PRIx64
				      ", dir-mask 0x%" PRIx64 ") is not valid for %s",
			 ptd_controls_str(c, cs, sizeof(cs)), cfg->attrs, cfg->dir_mask, name);
		return -1;
	}
	return 0;
}

int ptd_register_controls(enum pt_arch a, unsigned features, const char *reg, uint64_t v,
			  uint64_t *owned, uint64_t *set)
{
	static const struct {
		const char *reg;
		int family; /* 0 x86, 1 aarch64 EL1, 2 aarch64 EL2, 3 riscv, 4 armv7,
			     * 5 aarch64 stage 2, 6 riscv G-stage */
		unsigned bit;
		uint64_t ctl;
	} map[] = {
		{ "cr0", 0, 16, PT_CTL_WP },	  { "cr4", 0, 20, PT_CTL_SMEP },
		{ "cr4", 0, 21, PT_CTL_SMAP },	  { "efer", 0, 11, PT_CTL_NXE },
		{ "rflags", 0, 18, PT_CTL_AC },	  { "sctlr", 1, 19, PT_CTL_WXN },
		{ "sctlr", 2, 19, PT_CTL_WXN },	  { "tcr", 1, 39, PT_CTL_HA },
		{ "tcr", 1, 40, PT_CTL_HD },	  { "tcr", 2, 21, PT_CTL_HA },
		{ "tcr", 2, 22, PT_CTL_HD },	  { "tcr", 2, 24, PT_CTL_HPD },
		{ "sstatus", 3, 18, PT_CTL_SUM }, { "sstatus", 3, 19, PT_CTL_MXR },
		{ "menvcfg", 3, 61, PT_CTL_HA | PT_CTL_HD }, { "sctlr", 4, 28, PT_CTL_TRE },
		{ "sctlr", 4, 29, PT_CTL_AFE },	  { "vtcr", 5, 21, PT_CTL_HA },
		{ "vtcr", 5, 22, PT_CTL_HD },	  { "henvcfg", 6, 61, PT_CTL_HA | PT_CTL_HD },
		{ "sstatus", 6, 19, PT_CTL_MXR },
	};
	int fam;
	bool any = false;
	switch (a) {
	case PT_X86_64:
	case PT_X86_64_LA57: fam = 0; break;
	case PT_AARCH64: fam = (features & PT_FEAT_AARCH64_EL2) ? 2 : 1; break;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57: fam = 3; break;
	case PT_ARMV7: fam = 4; break;
	case PT_AARCH64_S2: fam = 5; break;
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4: fam = 6; break;
	default: return -1;
	}
	*owned = *set = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].family == fam && strcmp(map[i].reg, reg) == 0) {
			any = true;
			*owned |= map[i].ctl;
			if ((v >> map[i].bit) & 1)
				*set |= map[i].ctl;
		}
	/* TCR_EL1: HPD0 (41) for the lower half, HPD1 (42) for TTBR1's. */
	if (fam == 1 && strcmp(reg, "tcr") == 0) {
		*owned |= PT_CTL_HPD;
		if ((v >> ((features & PT_FEAT_AARCH64_HIGH) ? 42 : 41)) & 1)
			*set |= PT_CTL_HPD;
	}
	return any ? 0 : -1;
}
