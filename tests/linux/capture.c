/* SPDX-License-Identifier: MIT */
/* Reading a capture: key=value files, the RAM image, each view's regimes, raw entries. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux_check.h"

void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "linux_check: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Copy a string, cut to fit. */
void copy_str(char *d, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (l >= n)
		l = n - 1;
	memcpy(d, s, l);
	d[l] = 0;
}

/* ---- key=value files ------------------------------------------------------ */

static int kv_load(const char *path, struct kvs *k)
{
	FILE *f = fopen(path, "r");
	char line[600];
	k->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && k->n < 64) {
		char *eq = strchr(line, '=');
		size_t l = strcspn(line, "\n");
		line[l] = 0;
		if (!eq || line[0] == '#')
			continue;
		*eq = 0;
		copy_str(k->v[k->n].key, sizeof(k->v[0].key), line);
		copy_str(k->v[k->n].val, sizeof(k->v[0].val), eq + 1);
		k->n++;
	}
	fclose(f);
	return 0;
}

static const char *kv_str(const struct kvs *k, const char *key)
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].key, key))
			return k->v[i].val;
	return NULL;
}

static bool kv_u64(const struct kvs *k, const char *key, uint64_t *v)
{
	const char *s = kv_str(k, key);
	char *end;
	if (!s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end;
}

void path_of(char *buf, size_t len, const struct capture *c, const char *file)
{
	snprintf(buf, len, "%s/%s", c->dir, file);
}

void load_capture(struct capture *c, const char *dir)
{
	char p[4096];
	uint64_t base = 0, size = 0;
	struct stat st;
	int fd;
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	path_of(p, sizeof(p), c, "meta.txt");
	if (kv_load(p, &c->meta))
		die("%s: cannot read", p);
	path_of(p, sizeof(p), c, "regs.txt");
	if (kv_load(p, &c->regs))
		die("%s: cannot read", p);
	snprintf(c->config, sizeof(c->config), "%s",
		 kv_str(&c->meta, "config") ? kv_str(&c->meta, "config") : dir);
	c->x86 = kv_str(&c->meta, "arch") && !strcmp(kv_str(&c->meta, "arch"), "x86_64");
	if (!kv_u64(&c->meta, "ram_base", &base) || !kv_u64(&c->meta, "ram_size", &size))
		die("%s: meta.txt lacks ram_base or ram_size", dir);
	path_of(p, sizeof(p), c, "ram.bin");
	fd = open(p, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size != size)
		die("%s: missing, or not ram_size bytes", p);
	/* Private and writable: a plant (LINUX_CHECK_PLANT) edits this copy only. */
	c->ram = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (c->ram == MAP_FAILED)
		die("%s: mmap failed", p);
	c->ram_len = (size_t)size;
	c->img.data = c->ram;
	c->img.len = c->ram_len;
	c->img.base = base;
	/* phys_to_virt: a pointer only for whole 4 KiB frames inside the image. */
	ptd_mm(&c->img, &c->mm);
}

static uint64_t reg(const struct kvs *k, const char *name)
{
	uint64_t v;
	if (!kv_u64(k, name, &v))
		die("regs.txt lacks %s", name);
	return v;
}

/*
 * Fill a view from the saved registers with the view's overrides (a line
 * of views.txt: "NAME key=value...").
 */
int make_view(const struct capture *c, const char *line, struct view *v)
{
	struct kvs r = c->regs;
	char buf[512], *save = NULL, *tok;
	memset(v, 0, sizeof(*v));
	copy_str(buf, sizeof(buf), line);
	buf[strcspn(buf, "\n")] = 0;
	tok = strtok_r(buf, " ", &save);
	if (!tok)
		return -1;
	copy_str(v->name, sizeof(v->name), tok);
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');
		int i;
		if (!eq)
			continue;
		*eq = 0;
		for (i = 0; i < r.n && strcmp(r.v[i].key, tok); i++)
			;
		if (i == r.n && r.n < 64)
			r.n++;
		copy_str(r.v[i].key, sizeof(r.v[i].key), tok);
		copy_str(r.v[i].val, sizeof(r.v[i].val), eq + 1);
	}
	{
		uint64_t wo = 0;
		v->walk_only = kv_u64(&r, "walkonly", &wo) && wo;
	}
	if (c->x86) {
		uint64_t cr0 = reg(&r, "cr0"), cr3 = reg(&r, "cr3"), cr4 = reg(&r, "cr4");
		uint64_t efer = reg(&r, "efer"), efl = 0, ctl = 0;
		kv_u64(&r, "eflags", &efl);
		v->arch = (cr4 >> 12 & 1) ? PT_X86_64_LA57 : PT_X86_64;
		v->halves = 1;
		v->va_bits[0] = v->arch == PT_X86_64_LA57 ? 57 : 48;
		if (efer >> 11 & 1)
			ctl |= PT_CTL_NXE;
		if (cr0 >> 16 & 1)
			ctl |= PT_CTL_WP;
		if (cr4 >> 20 & 1)
			ctl |= PT_CTL_SMEP;
		if (cr4 >> 21 & 1)
			ctl |= PT_CTL_SMAP;
		if (efl >> 18 & 1)
			ctl |= PT_CTL_AC;
		v->half[0].arch = v->arch;
		/* CR3: PCID in bits 11:0, bit 63 is "no flush" on a write. */
		v->half[0].root = cr3 & UINT64_C(0x000ffffffffff000);
		/* IA32_PAT is not readable through QEMU's monitor or gdbstub;
		 * Linux programs this value (SPEC §4, PT_X86_PAT). */
		v->half[0].attrs = UINT64_C(0x0407050600070106);
		v->half[0].controls = ctl;
		v->gva_access = 0; /* x86 gva2gpa checks no permission */
		v->user_mode = reg(&r, "cpl") == 3;
	} else {
		uint64_t tcr = reg(&r, "tcr_el1"), cpsr = reg(&r, "cpsr");
		uint64_t sctlr = reg(&r, "sctlr_el1"), mair = reg(&r, "mair_el1");
		uint64_t ttbr[2] = { reg(&r, "ttbr0_el1"), reg(&r, "ttbr1_el1") };
		uint64_t ctl = 0;
		v->arch = PT_AARCH64;
		v->halves = 2;
		if (cpsr >> 22 & 1)
			ctl |= PT_CTL_PAN;
		if (sctlr >> 19 & 1)
			ctl |= PT_CTL_WXN;
		if (tcr >> 39 & 1)
			ctl |= PT_CTL_HA;
		if (tcr >> 40 & 1)
			ctl |= PT_CTL_HD;
		for (int h = 0; h < 2; h++) {
			struct pt_regime *g = &v->half[h];
			unsigned tsz = (unsigned)(tcr >> (h ? 16 : 0) & 0x3f);
			g->arch = PT_AARCH64;
			g->features = h ? PT_FEAT_AARCH64_HIGH : 0;
			g->va_bits = 64 - tsz;
			v->va_bits[h] = 64 - tsz;
			/* BADDR[47:12] with the 4K granule; ASID in 63:48, CnP bit 0. */
			g->root = ttbr[h] & UINT64_C(0x0000fffffffff000);
			g->attrs = mair;
			g->controls = ctl | ((tcr >> (h ? 42 : 41) & 1) ? PT_CTL_HPD : 0);
		}
		v->user_mode = (cpsr >> 2 & 3) == 0;
		/* QEMU's arm64 gva2gpa translates as a read at the current EL. */
		v->gva_access = PT_ACCESS_READ | (v->user_mode ? PT_ACCESS_USER : 0);
	}
	return 0;
}

int half_of(const struct view *v, uint64_t va)
{
	return v->halves == 2 && (va >> 55 & 1) ? 1 : 0;
}

/* ---- Raw entries: plants and the upper-level NX note only ---------------- */

uint64_t ram_u64(const struct capture *c, size_t off)
{
	uint64_t v;
	memcpy(&v, c->ram + off, sizeof(v));
	return v;
}

/*
 * The image offsets of the entries on the walk to va's leaf (root first,
 * leaf last), read as the architecture defines them; the count, or 0 if
 * the walk finds no leaf inside the image. Used only to plant faults and
 * for the note on x86 upper-level NX, never to judge libpt.
 */
int raw_path(const struct capture *c, const struct view *v, uint64_t va, size_t off[])
{
	int h = half_of(v, va);
	unsigned levels = v->arch == PT_X86_64_LA57 ? 5 : 4;
	uint64_t amask = c->x86 ? UINT64_C(0x000ffffffffff000) : UINT64_C(0x0000fffffffff000);
	uint64_t t = v->half[h].root;
	for (unsigned l = 0; l < levels; l++) {
		unsigned shift = 12 + 9 * (levels - 1 - l);
		uint64_t pa = t + (va >> shift & 511) * 8, e;
		bool leaf;
		if (pa < c->img.base || pa + 8 > c->img.base + c->img.len)
			return 0;
		off[l] = (size_t)(pa - c->img.base);
		e = ram_u64(c, off[l]);
		if (!(e & 1))
			return 0;
		leaf = l == levels - 1 ||
		       (c->x86 ? (l + 3 >= levels && (e & 0x80)) : (l >= 1 && !(e & 2)));
		if (leaf)
			return (int)l + 1;
		t = e & amask;
	}
	return 0;
}

FILE *open_in(const struct capture *c, const char *view, const char *ext)
{
	char name[128], p[4096];
	snprintf(name, sizeof(name), "%s.%s", view, ext);
	path_of(p, sizeof(p), c, name);
	return fopen(p, "r");
}
