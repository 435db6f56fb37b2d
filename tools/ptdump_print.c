/* SPDX-License-Identifier: MIT */
/*
 * ptdump: the printers (text and JSON). See ptdump_core.h for the contract and
 * tools/ptdump.1 for the user's view.
 */
#include "ptdump_core.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Printing ------------------------------------------------------------ */

const char *ptd_perm_str(uint32_t flags, char *buf)
{
	buf[0] = (flags & PT_READ) ? 'r' : '-';
	buf[1] = (flags & PT_WRITE) ? 'w' : '-';
	buf[2] = (flags & PT_EXECUTE) ? 'x' : '-';
	buf[3] = (flags & PT_USER) ? 'u' : '-';
	buf[4] = 0;
	return buf;
}

const char *ptd_memtype_str(uint32_t flags)
{
	if (flags & PT_DEVICE)
		return "device";
	if (flags & PT_WC)
		return "wc";
	return (flags & PT_UNCACHED) ? "uncached" : "normal";
}

const char *ptd_size_str(uint64_t size, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	unsigned u = 0;
	if (size == 0 || (size & 1023)) {
		snprintf(buf, len, "%" PRIu64 "B", size);
		return buf;
	}
	size >>= 10;
	while (u + 1 < sizeof(unit) - 1 && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", size, unit[u]);
	return buf;
}

/* The exclusive end of [a, a + size): 2^64 when the range reaches the top. */
static const char *end_str(uint64_t a, uint64_t size, char *buf, size_t len)
{
	if (a + size == 0 && size)
		snprintf(buf, len, "0x10000000000000000");
	else
		snprintf(buf, len, "0x%016" PRIx64, a + size);
	return buf;
}

/* A JSON string body: the attribute names need no escaping, but a prefix
 * might. */
static void json_str(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
}

/* The fields of one range as JSON members, shared by ranges, lint
 * findings and diffs. */
static void json_fields(const struct ptd_printer *p, const struct ptd_range *r)
{
	char perm[5], leaf[32], ve[24], pe[24], attr[256] = "";
	ptd_perm_str(r->flags, perm);
	ptd_size_str(r->leaf_size, leaf, sizeof(leaf));
	end_str(r->va, r->size, ve, sizeof(ve));
	end_str(r->pa, r->size, pe, sizeof(pe));
	fprintf(p->f,
		"\"va\":\"0x%016" PRIx64 "\",\"va_end\":\"%s\","
		"\"pa\":\"0x%016" PRIx64 "\",\"pa_end\":\"%s\",\"size\":\"0x%" PRIx64 "\","
		"\"leaf\":\"%s\",\"perm\":\"%s\",\"memtype\":\"%s\",\"flags\":%" PRIu32,
		r->va, ve, r->pa, pe, r->size, leaf, perm, ptd_memtype_str(r->flags), r->flags);
	if (p->cfg) {
		ptd_attr_str(p->cfg, r->level, r->attr, attr, sizeof(attr));
		fprintf(p->f, ",\"level\":%u,\"attrs\":\"", r->level);
		json_str(p->f, attr);
		fputc('"', p->f);
	}
}

/* One text line, without trailing blanks. */
static void text_range(const struct ptd_printer *p, const struct ptd_range *r)
{
	char perm[5], sz[32], leaf[32], ve[24], pe[24], attr[256] = "", line[512];
	int n;
	ptd_perm_str(r->flags, perm);
	ptd_size_str(r->size, sz, sizeof(sz));
	ptd_size_str(r->leaf_size, leaf, sizeof(leaf));
	end_str(r->va, r->size, ve, sizeof(ve));
	end_str(r->pa, r->size, pe, sizeof(pe));
	if (p->cfg)
		ptd_attr_str(p->cfg, r->level, r->attr, attr, sizeof(attr));
	n = snprintf(line, sizeof(line),
		     "0x%016" PRIx64 "-%-18s -> 0x%016" PRIx64 "-%-18s %6s %4s %s %-8s %s", r->va, ve,
		     r->pa, pe, sz, leaf, perm, ptd_memtype_str(r->flags), attr);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	while (n && line[n - 1] == ' ')
		n--;
	fprintf(p->f, "%s%.*s\n", p->prefix ? p->prefix : "", n, line);
}

void ptd_print_range(void *printer, const struct ptd_range *r)
{
	const struct ptd_printer *p = printer;
	if (!p->json) {
		text_range(p, r);
		return;
	}
	fprintf(p->f, "{\"type\":\"range\",");
	json_fields(p, r);
	fprintf(p->f, "}\n");
}

static void finding_json(const struct ptd_printer *p, const struct ptd_finding *f)
{
	fprintf(p->f, "{\"type\":\"lint\",\"kind\":\"%s\",", ptd_lint_name(f->kind));
	json_fields(p, &f->r);
	if (f->kind == PTD_LINT_W_ALIAS) {
		fprintf(p->f, ",\"exec\":{");
		json_fields(p, &f->other);
		fputc('}', p->f);
	}
	fprintf(p->f, "}\n");
}

void ptd_print_finding(void *printer, const struct ptd_finding *f)
{
	const struct ptd_printer *p = printer;
	struct ptd_printer q = *p;
	char pre[48];
	if (p->json) {
		finding_json(p, f);
		return;
	}
	snprintf(pre, sizeof(pre), "lint %-11s ", ptd_lint_name(f->kind));
	q.prefix = pre;
	text_range(&q, &f->r);
	if (f->kind == PTD_LINT_W_ALIAS) {
		q.prefix = "  executable at   ";
		text_range(&q, &f->other);
	}
}

void ptd_print_change(void *printer, const struct ptd_change *c)
{
	static const char *const kind[] = { "added", "removed", "changed" };
	const struct ptd_printer *p = printer;
	struct ptd_printer q = *p;
	if (p->json) {
		fprintf(p->f, "{\"type\":\"%s\"", kind[c->kind]);
		if (c->kind != PTD_DIFF_ADDED) {
			fprintf(p->f, ",\"old\":{");
			json_fields(p, &c->old_r);
			fputc('}', p->f);
		}
		if (c->kind != PTD_DIFF_REMOVED) {
			fprintf(p->f, ",\"new\":{");
			json_fields(p, &c->new_r);
			fputc('}', p->f);
		}
		fprintf(p->f, "}\n");
		return;
	}
	if (c->kind != PTD_DIFF_ADDED) {
		q.prefix = c->kind == PTD_DIFF_REMOVED ? "- " : "< ";
		text_range(&q, &c->old_r);
	}
	if (c->kind != PTD_DIFF_REMOVED) {
		q.prefix = c->kind == PTD_DIFF_ADDED ? "+ " : "> ";
		text_range(&q, &c->new_r);
	}
}

void ptd_print_corrupt(void *printer, const struct ptd_corrupt *c)
{
	const struct ptd_printer *p = printer;
	if (p->json)
		fprintf(p->f,
			"{\"type\":\"corrupt\",\"level\":%u,\"index\":%zu,\"table\":\"0x%" PRIx64
			"\",\"va\":\"0x%016" PRIx64 "\",\"pte\":\"0x%" PRIx64 "\",\"reason\":\"%s\"}\n",
			c->level, c->index, c->table_pa, c->va, c->pte, c->reason);
	else
		fprintf(p->f,
			"!! level %u index %zu of table 0x%" PRIx64 " (va 0x%016" PRIx64
			", pte 0x%" PRIx64 "): %s\n",
			c->level, c->index, c->table_pa, c->va, c->pte, c->reason);
}

void ptd_print_stats(FILE *f, bool json, const struct ptd_geom *g, const struct ptd_stats *st)
{
	char sz[32];
	bool first = true;
	if (json) {
		fprintf(f, "{\"type\":\"stats\",\"tables\":[");
		for (unsigned l = 0; l < g->levels; l++)
			fprintf(f, "%s%lu", l ? "," : "", st->tables[l]);
		fprintf(f, "],\"leaves\":{");
		for (unsigned b = 0; b < 64; b++)
			if (st->leaves[b]) {
				fprintf(f, "%s\"%s\":%lu", first ? "" : ",",
					ptd_size_str(UINT64_C(1) << b, sz, sizeof(sz)), st->leaves[b]);
				first = false;
			}
		fprintf(f, "},\"corrupt\":%lu,\"revisits\":%lu,\"skipped\":%lu,\"changed\":%lu}\n",
			st->corrupt, st->revisits, st->skipped, st->changed);
		return;
	}
	fprintf(f, "# tables:");
	for (unsigned l = 0; l < g->levels; l++)
		fprintf(f, " L%u=%lu", l, st->tables[l]);
	fprintf(f, "\n# leaves:");
	for (unsigned b = 0; b < 64; b++)
		if (st->leaves[b]) {
			fprintf(f, " %s=%lu", ptd_size_str(UINT64_C(1) << b, sz, sizeof(sz)),
				st->leaves[b]);
			first = false;
		}
	fprintf(f, "%s\n# corrupt entries: %lu\n# tables reached more than once: %lu\n"
		   "# table entries not followed (visit limit): %lu\n",
		first ? " none" : "", st->corrupt, st->revisits, st->skipped);
	if (st->changed)
		fprintf(f, "# entries that changed while being read: %lu\n", st->changed);
}

void ptd_list_range(void *list, const struct ptd_range *r)
{
	struct ptd_list *l = list;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 256;
		struct ptd_range *n = realloc(l->r, ncap * sizeof(*n));
		if (!n) {
			l->nomem = true;
			return;
		}
		l->r = n;
		l->cap = ncap;
	}
	l->r[l->n++] = *r;
}

void ptd_list_free(struct ptd_list *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

