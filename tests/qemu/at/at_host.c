/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle's host driver: builds random, perturbed AArch64 EL1&0
 * tables with libpt and picks VAs (at_tables.c), runs the guest (guest.c)
 * once per table set under qemu-system-aarch64, two at a time, and
 * compares every PAR_EL1 with libpt (at_compare.c).
 *
 * Prints one [group] line per comparator and CPU (tests/run.sh protocol);
 * each AT answer is one check. --plant N plants a bug that must be
 * caught: 1 the comparison makes EL0 queries as EL1, 2 the guest swaps
 * TTBR0 and TTBR1, 3 the regime leaves out TCR.HA/HD, 4 the guest does not
 * restore the tables between phases (the AT's own AF and dirty updates
 * leak into the next phase), 5 the comparison drops PAN from the *P kinds,
 * 6 the regime drops TCR.HPD (only the access comparison sees HPD).
 * --no-table-bits leaves the table descriptors' APTable/XNTable bits alone.
 * --gran runs the granule sets instead (gran_sets below, make qemu-gran):
 * real EL1 and EL0 accesses as well (their words in guest RAM checked),
 * a phase with a 36-bit IPS, two phases around libpt's edits of
 * contiguous runs (at_runs.c), and every outcome required in every set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "at_host.h"

struct at_opt opt = { NULL, "build/at", "qemu-system-aarch64", 4, 2, 3000, 2, 0, 8, 1, false, true, false };

/*
 * --gran: the granule sets, all on -cpu max, each a TTBR0 and a TTBR1
 * table of its own format and VA width (pt_init_config), switched on with
 * pt_tcr alone: 4K at 39 bits (3 levels, Android's) and 42 and 36 bits,
 * 16K at 48 (a 2-entry root), 47 and 36 bits, 64K at 48 (a 64-entry root)
 * and 42 bits (2 levels), each granule and width in both halves somewhere,
 * and halves of different granules (TG0 and TG1 are separate fields);
 * then EL2 tables of each granule (TCR_EL2 from pt_tcr, AT S1E2R/W); then
 * the same with 52-bit output addresses.
 */
#define PA52 PT_FEAT_AARCH64_PA52
#define VA52 (PT_FEAT_AARCH64_PA52 | PT_FEAT_AARCH64_VA52)
static const struct {
	enum pt_arch a0;
	unsigned b0, f0;
	enum pt_arch a1;
	unsigned b1, f1;
	bool el2; /* one PT_FEAT_AARCH64_EL2 table (a0, b0, f0) for TTBR0_EL2 */
} gran_sets[] = {
	{ PT_AARCH64, 39, 0, PT_AARCH64, 39, 0, false },         { PT_AARCH64, 42, 0, PT_AARCH64, 36, 0, false },
	{ PT_AARCH64_16K, 48, 0, PT_AARCH64_64K, 42, 0, false }, { PT_AARCH64_16K, 47, 0, PT_AARCH64_16K, 48, 0, false },
	{ PT_AARCH64_16K, 36, 0, PT_AARCH64_64K, 48, 0, false }, { PT_AARCH64_64K, 48, 0, PT_AARCH64_16K, 36, 0, false },
	{ PT_AARCH64_64K, 42, 0, PT_AARCH64_16K, 47, 0, false }, { PT_AARCH64_64K, 42, 0, PT_AARCH64, 39, 0, false },
	{ PT_AARCH64, 39, 0, PT_AARCH64, 0, 0, true },           { PT_AARCH64_16K, 36, 0, PT_AARCH64, 0, 0, true },
	{ PT_AARCH64_64K, 48, 0, PT_AARCH64, 0, 0, true },
	/* 52-bit output addresses (TCR.IPS 52 bits and, with 4K or 16K in
	 * either half, TCR.DS from pt_tcr: both halves then take the LPA2
	 * format, so every table of a set has the feature), and 52-bit VAs
	 * (FEAT_LVA on 64K, LPA2 on 16K). */
	{ PT_AARCH64, 48, PA52, PT_AARCH64_16K, 47, PA52, false },
	{ PT_AARCH64_16K, 48, PA52, PT_AARCH64_64K, 48, PA52, false },
	{ PT_AARCH64_64K, 52, VA52, PT_AARCH64_64K, 42, PA52, false },
	{ PT_AARCH64_64K, 48, PA52, PT_AARCH64_16K, 52, VA52, false },
	{ PT_AARCH64, 48, PA52, PT_AARCH64, 0, 0, true },
};
#define GRAN_SETS (sizeof gran_sets / sizeof gran_sets[0])

/* ID_AA64MMFR0_EL1: does the CPU have the granule of g? (TGran4 31:28 and
 * TGran64 27:24: 0xf none; TGran16 23:20: 0 none.) */
static bool has_granule(uint64_t mmfr0, const struct geo *g)
{
	unsigned t4 = mmfr0 >> 28 & 15, t64 = mmfr0 >> 24 & 15, t16 = mmfr0 >> 20 & 15;
	return g->page == 12 ? t4 != 15 : g->page == 14 ? t16 != 0 : t64 != 15;
}

/* ... and its 52-bit OA (PARange 0b0110; FEAT_LPA2: TGran4 0b0001,
 * TGran16 0b0010) and VA (ID_AA64MMFR2_EL1.VARange 0b0001: FEAT_LVA on
 * 64K; LPA2 covers 4K and 16K)? */
static bool has_width(uint64_t mmfr0, uint64_t mmfr2, const struct geo *g)
{
	unsigned t4 = mmfr0 >> 28 & 15, t16 = mmfr0 >> 20 & 15;
	bool lpa2 = g->page == 12 ? t4 == 1 : g->page == 14 ? t16 == 2 : true;
	if (g->pa52 && ((mmfr0 & 15) != 6 || !lpa2))
		return false;
	return g->va_bits <= 48 || (g->page == 16 ? (mmfr2 >> 16 & 15) >= 1 : lpa2);
}
const char *const kind_name[AT_KINDS] = { "S1E1R", "S1E1W", "S1E0R", "S1E0W", "S1E1RP", "S1E1WP" };
const char *const probe_name[AT_PROBES] = { "EL1-load", "EL1-store", "EL0-load", "EL0-store" };

/* ---- running the guests --------------------------------------------------- */

static void launch(struct set *s)
{
	char cmd[2048];
	unlink(s->out);
	snprintf(cmd, sizeof cmd,
		 "exec timeout %u %s -M virt,virtualization=on -cpu %s -m 1G -nographic -monitor none "
		 "-nic none -semihosting -kernel '%s' -device loader,file='%s',addr=%#llx,force-raw=on >'%s' 2>&1",
		 opt.gran ? 30 : 120, opt.qemu, s->max ? "max" : "cortex-a57", opt.guest, s->blob,
		 (unsigned long long)AT_HDR_PA, s->log);
	s->pid = fork();
	if (s->pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (s->pid < 0) {
		perror("fork");
		exit(2);
	}
}

static void run_all(struct set *sets, unsigned n)
{
	unsigned next = 0, running = 0;
	while (next < n || running) {
		if (next < n && running < opt.jobs) {
			launch(&sets[next++]);
			running++;
			continue;
		}
		int st;
		pid_t p = wait(&st);
		if (p < 0)
			break;
		for (unsigned i = 0; i < n; i++)
			if (sets[i].pid == p)
				sets[i].status = st;
		running--;
	}
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: at_host --guest guest.elf [--dir DIR] [--sets-max N] [--sets-a57 N]\n"
			"       [--queries N] [--seed S] [--jobs N] [--plant 1-6] [--show N] [--qemu CMD]\n"
			"       [--no-table-bits] [--verbose] [--gran]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && (i++, 1))
		if (ARG("--guest"))
			opt.guest = v;
		else if (ARG("--dir"))
			opt.dir = v;
		else if (ARG("--qemu"))
			opt.qemu = v;
		else if (ARG("--sets-max"))
			opt.sets_max = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--sets-a57"))
			opt.sets_a57 = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--queries"))
			opt.queries = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--seed"))
			opt.seed = strtoull(v, NULL, 0);
		else if (ARG("--jobs"))
			opt.jobs = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--plant"))
			opt.plant = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--show"))
			opt.show = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(a, "--gran"))
			opt.gran = true;
		else if (!strcmp(a, "--no-table-bits"))
			opt.table_bits = false;
		else if (!strcmp(a, "--verbose"))
			opt.verbose = true;
		else
			usage();
#undef ARG
	}
	if (!opt.guest || !opt.jobs || opt.queries == 0 || opt.queries > AT_MAX_QUERIES)
		usage();
	mkdir(opt.dir, 0777);
	seed_rng(opt.seed);

	if (opt.gran) {
		opt.sets_max = GRAN_SETS;
		opt.sets_a57 = 0;
	}
	unsigned n = opt.sets_max + opt.sets_a57;
	struct set *sets = calloc(n, sizeof *sets);
	if (!sets)
		return 2;
	for (unsigned i = 0; i < n; i++)
		if (opt.gran)
			build_gran_set(&sets[i], i, gran_sets[i].a0, gran_sets[i].b0, gran_sets[i].f0,
				       gran_sets[i].a1, gran_sets[i].b1 ? gran_sets[i].b1 : 48, gran_sets[i].f1,
				       gran_sets[i].el2);
		else
			build_set(&sets[i], i, i < opt.sets_max);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_all(sets, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	struct tally tt[2][4];
	memset(tt, 0, sizeof tt);
	for (unsigned c = 0; c < 2; c++) {
		tt[c][0].name = "translate";
		tt[c][1].name = "access";
		tt[c][2].name = "real";
		tt[c][3].name = "ram";
	}
	unsigned long runs_pass = 0, runs_fail = 0;
	bool broken = false;
	for (unsigned i = 0; i < n; i++) {
		struct set *s = &sets[i];
		if (!WIFEXITED(s->status) || WEXITSTATUS(s->status)) {
			printf("  at-oracle: set %u: QEMU exited with status %d (log %s)\n", i,
			       WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1, s->log);
			broken = true;
			continue;
		}
		FILE *f = fopen(s->out, "rb");
		struct at_out_hdr oh;
		size_t nres = (size_t)s->nphases * s->nq;
		struct at_result *res = calloc(nres, sizeof *res);
		if (!f || !res || fread(&oh, sizeof oh, 1, f) != 1 || oh.magic != AT_MAGIC ||
		    oh.nresults != nres || fread(res, sizeof *res, nres, f) != nres) {
			printf("  at-oracle: set %u: no complete result file %s\n", i, s->out);
			broken = true;
			if (f)
				fclose(f);
			free(res);
			continue;
		}
		fclose(f);
		if (opt.gran && i == 0)
			printf("  -cpu max: ID_AA64MMFR0_EL1 %#" PRIx64 ": TGran4 %#x TGran16 %#x TGran64 %#x "
			       "PARange %u (TGran4/64 0xf and TGran16 0: none; TGran4 1 and TGran16 2: FEAT_LPA2; "
			       "PARange 6: 52 bits); ID_AA64MMFR2_EL1 %#" PRIx64 ": VARange %u (1: FEAT_LVA)\n",
			       oh.mmfr0, (unsigned)(oh.mmfr0 >> 28 & 15), (unsigned)(oh.mmfr0 >> 20 & 15),
			       (unsigned)(oh.mmfr0 >> 24 & 15), (unsigned)(oh.mmfr0 & 15), oh.mmfr2,
			       (unsigned)(oh.mmfr2 >> 16 & 15));
		if (opt.gran && (!has_width(oh.mmfr0, oh.mmfr2, &s->g[0]) ||
				 (!s->el2 && !has_width(oh.mmfr0, oh.mmfr2, &s->g[1])))) {
			printf("  at-oracle: set %u: the CPU lacks the 52-bit OA or VA of %s or %s\n", i,
			       geo_name(&s->g[0]), geo_name(&s->g[1]));
			broken = true;
			free(res);
			continue;
		}
		if (opt.gran && (!has_granule(oh.mmfr0, &s->g[0]) || !has_granule(oh.mmfr0, &s->g[1]))) {
			printf("  at-oracle: set %u: the CPU lacks the %s or %s granule\n", i, geo_name(&s->g[0]),
			       geo_name(&s->g[1]));
			broken = true;
			free(res);
			continue;
		}
		if (!opt.gran && (opt.verbose || i == 0 || i == opt.sets_max))
			printf("  set %u (-cpu %s): ID_AA64MMFR0_EL1 %#" PRIx64 " MMFR1 %#" PRIx64
			       " (HAFDBS %u, PAN %u, HPDS %u), %zu table frames, %zu leaves, %u queries x %u phases\n",
			       i, s->max ? "max" : "cortex-a57", oh.mmfr0, oh.mmfr1, (unsigned)(oh.mmfr1 & 15),
			       (unsigned)(oh.mmfr1 >> 20 & 15), (unsigned)(oh.mmfr1 >> 12 & 15),
			       (size_t)(s->table_bytes / 4096), s->nleaves, s->nq, s->nphases);
		compare_set(s, res, tt[s->max ? 0 : 1]);
		free(res);
		runs_pass += s->runs_pass;
		runs_fail += s->runs_fail;
		broken |= s->wild != 0;
		if (opt.gran) {
			if (s->el2)
				printf("  set %u: TTBR0_EL2 %s (%u levels), TCR_EL2 %#" PRIx64, i,
				       geo_name(&s->g[0]), s->g[0].levels, pt_tcr(&s->t[0]));
			else
				printf("  set %u: TTBR0 %s (%u levels), TTBR1 %s (%u levels), TCR_EL1 %#" PRIx64, i,
				       geo_name(&s->g[0]), s->g[0].levels, geo_name(&s->g[1]), s->g[1].levels,
				       pt_tcr(&s->t[0]) | pt_tcr(&s->t[1]));
			printf(", %zu table bytes, %zu leaves; compared PARs:", (size_t)s->table_bytes, s->nleaves);
			for (unsigned c = 0; c < 6; c++)
				printf(" %s %lu", cls_name[c], s->outcome[c]);
			if (s->g[0].pa52 || s->g[1].pa52)
				printf("; ok at PA >= 2^48 %lu, ok through a 52-bit-only block %lu, ok at a VA "
				       "beyond 48 bits %lu", s->ok_pa52, s->ok_big, s->ok_va52);
			printf("; real accesses:");
			for (unsigned c = 0; c < 6; c++)
				printf(" %s %lu", cls_name[c], s->probe_outcome[c]);
			if (s->probe)
				printf("; RAM words checked: %lu loads, %lu stores", s->ram_loads, s->ram_stores);
			if (s->nruns)
				printf("; runs (%u+%u members): %lu raw-entry and flush checks, flushes replayed %u%s "
				       "then %u%s, real accesses after the edits %lu ok %lu fault",
				       s->runs[0].groups * s->runs[0].members, s->runs[1].groups * s->runs[1].members,
				       s->runs_pass + s->runs_fail, s->nflush[0], s->flush_all[0] ? " and a full one" : "",
				       s->nflush[1], s->flush_all[1] ? " and a full one" : "", s->run_probes[0],
				       s->run_probes[1]);
			printf("\n");
		}
	}
	/* Every set must see every outcome (a table the MMU could not read
	 * would show as translation faults alone); address size faults come
	 * from the phase with a 36-bit IPS. */
	unsigned long missing = 0;
	for (unsigned i = 0; opt.gran && i < n; i++) {
		/* Words checked in guest RAM, and after libpt's edits of the
		 * runs both accesses that go through and ones that fault. */
		if (sets[i].probe && (!sets[i].ram_loads || !sets[i].ram_stores)) {
			printf("  at-oracle: set %u: no load or no store checked in guest RAM\n", i);
			missing++;
		}
		if (sets[i].nruns && (!sets[i].run_probes[0] || !sets[i].run_probes[1])) {
			printf("  at-oracle: set %u: no ok or no faulting real access to the edited runs\n", i);
			missing++;
		}
		for (unsigned c = 0; c < 5; c++) {
			if (!sets[i].outcome[c]) {
				printf("  at-oracle: set %u (%s, %s): no %s AT answer\n", i, geo_name(&sets[i].g[0]),
				       geo_name(&sets[i].g[1]), cls_name[c]);
				missing++;
			}
			if (c == 0 && (sets[i].g[0].pa52 || sets[i].g[1].pa52) &&
			    (!sets[i].ok_pa52 || !sets[i].ok_big ||
			     (!sets[i].ok_va52 && (sets[i].g[0].va_bits > 48 || sets[i].g[1].va_bits > 48)))) {
				printf("  at-oracle: set %u (%s, %s): no ok AT answer at a PA from 2^48 up, through "
				       "a 52-bit-only block or at a 52-bit VA\n", i, geo_name(&sets[i].g[0]),
				       geo_name(&sets[i].g[1]));
				missing++;
			}
			if (sets[i].probe && !sets[i].probe_outcome[c]) {
				printf("  at-oracle: set %u (%s, %s): no %s real access\n", i, geo_name(&sets[i].g[0]),
				       geo_name(&sets[i].g[1]), cls_name[c]);
				missing++;
			}
		}
	}

	printf("  QEMU: %u runs in %.1f s wall (%u at once)\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, opt.jobs);
	print_observations();

	unsigned long total_fail = 0;
	for (unsigned c = 0; c < 2; c++)
		for (unsigned m = 0; m < 4; m++) {
			struct tally *t = &tt[c][m];
			if ((m >= 2 && !opt.gran) || (c && opt.gran))
				continue;
			printf("  %s -cpu %s: per kind (agree/disagree):", t->name, c ? "cortex-a57" : "max");
			for (unsigned k = 0; k < (m >= 2 ? AT_PROBES : AT_KINDS); k++)
				printf(" %s %lu/%lu", m >= 2 ? probe_name[k] : kind_name[k], t->by_kind[k][0],
				       t->by_kind[k][1]);
			printf("; HPD (and IPS 36) phases not compared %lu; memory type disagreements tolerated on Normal "
			       "bytes with one of inner/outer non-cacheable: %lu\n", t->skipped, t->mixed);
			printf("[group] at-oracle %s%s %s: %lu passed, %lu failed\n", opt.gran ? "gran " : "",
			       t->name, c ? "cortex-a57" : "max", t->pass, t->fail);
			total_fail += t->fail;
		}
	if (opt.gran) {
		printf("[group] at-oracle gran contiguous runs: %lu passed, %lu failed\n", runs_pass, runs_fail);
		total_fail += runs_fail;
	}
	if (broken)
		printf("[group] at-oracle runs: 0 passed, 1 failed\n");
	if (opt.gran)
		printf("[group] at-oracle gran outcomes: %lu passed, %lu failed\n", missing ? 0 : 1ul, missing);
	broken |= missing != 0;
	for (unsigned i = 0; i < n; i++) {
		arena_fini(&sets[i].a);
		free(sets[i].q);
		for (unsigned m = 0; m < 1 + AT_STAGES; m++)
			free(sets[i].img[m]);
		for (unsigned r = 0; r < sets[i].nruns; r++) {
			free(sets[i].runs[r].desc);
			free(sets[i].runs[r].before);
			free(sets[i].runs[r].flushed);
			free(sets[i].runs[r].bbm);
		}
		free(sets[i].tables);
		free(sets[i].leaves);
	}
	free(sets);
	return total_fail || broken ? 1 : 0;
}
