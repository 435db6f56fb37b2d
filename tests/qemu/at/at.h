/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle's blob: what the host driver (at_host.c) loads into the
 * guest's RAM and what the guest (guest.c) writes back. One layout, shared
 * by both sides; every field is a little-endian uint64_t.
 *
 * Guest physical memory (qemu-system-aarch64 -M virt -m 1G: RAM at
 * 0x40000000..0x80000000; the guest image at 0x40080000):
 *   AT_PROBE_PA   the guest's probe code, copied there at start (hdr.probe):
 *                 one 64K page of EL1 vectors and stubs, then one 64K page
 *                 of EL0 stubs; the host maps both at VA = PA in TTBR0
 *   AT_HDR_PA     the header (struct at_hdr, under 8 KiB)
 *   AT_QUERY_PA   the queries (struct at_query), up to AT_MAX_QUERIES
 *   AT_TABLE_PA   the table frames, at the PAs the descriptors hold
 *   AT_SAVE_PA    the guest's pristine copy of the table frames: restored
 *                 before every phase, so hardware access-flag / dirty
 *                 updates made by one phase's AT instructions never reach
 *                 the next
 *   AT_OUT_PA     the results (struct at_result per phase and query),
 *                 written to the host file hdr.path by semihosting
 *   hdr.after_pa  (after the table frames) the table frames as libpt
 *                 left them after each stage of its edits of contiguous
 *                 runs: what a phase with at_phase.after = n loads
 *                 (after_pa[n - 1]) instead of the pristine copy
 *   AT_DATA_PA    guest RAM that leaves map (hdr.data): the guest fills it
 *                 with at_data_word(pa) at start, so a real load through
 *                 a VA tells the PA it reached
 * The blob file is [AT_HDR_PA, AT_TABLE_PA + hdr.table_bytes), or with
 * after images [AT_HDR_PA, hdr.after_pa[AT_STAGES - 1] + table_bytes).
 */
#ifndef AT_ORACLE_H
#define AT_ORACLE_H

#include <stdint.h>

#define AT_MAGIC 0x31454c4341524f54ull /* "TORACLE1" */
#define AT_PROBE_PA 0x47000000ull
#define AT_PROBE_EL0_PA (AT_PROBE_PA + 0x10000)
#define AT_PROBE_EL1_STUB 0x800 /* offset of the EL1 stub (after the vectors) */
#define AT_HDR_PA   0x48000000ull
#define AT_QUERY_PA 0x48100000ull
#define AT_TABLE_PA 0x48400000ull
#define AT_SAVE_PA  0x50000000ull
#define AT_OUT_PA   0x58000000ull
#define AT_DATA_PA  0x60000000ull
#define AT_DATA_BYTES 0x800000ull
#define AT_MAX_QUERIES ((AT_TABLE_PA - AT_QUERY_PA) / sizeof(struct at_query))
#define AT_MAX_TABLE_BYTES (AT_SAVE_PA - AT_TABLE_PA)
#define AT_MAX_PHASES 12
#define AT_STAGES 2     /* edit stages, each with its after image and phase */
#define AT_MAX_FLUSH 256 /* per stage */
/* The word at data PA pa (8-byte aligned), and what a real store writes
 * at va. */
#define at_data_word(pa) ((pa) ^ 0x5a17c0de00000000ull)
#define at_store_word(va) ((va) ^ 0x0000a5a5a5a5a5a5ull)

/* The AT kinds, in the order of struct at_result. S1E1RP/S1E1WP (FEAT_PAN2)
 * check PAN as PSTATE.PAN is (the guest sets it; S1E1R/W ignore it);
 * without FEAT_PAN2 the guest skips them and stores AT_NOT_RUN. */
enum at_kind { AT_S1E1R, AT_S1E1W, AT_S1E0R, AT_S1E0W, AT_S1E1RP, AT_S1E1WP, AT_KINDS };
#define AT_NOT_RUN 0xffffffffffffffffull
/* In at_result.esr: not run, as the phase's tables do not map the probe
 * code at VA = PA (AT S1E1R and S1E0R say so): entering it would fault
 * on its own vectors for ever. */
#define AT_PROBE_UNMAPPED 0xfffffffffffffffeull

/* One register setting of the EL1&0 regime; the guest runs every query
 * under every phase. */
struct at_phase {
	uint64_t tcr, mair, ttbr0, ttbr1;
	uint64_t sctlr_wxn;   /* 1: SCTLR_EL1.WXN set */
	uint64_t after;       /* n > 0: the tables from hdr.after_pa[n - 1];
			       * the registers (the same as the phase
			       * before) not written and no TLBI VMALLE1:
			       * only libpt's own flushes of stage n
			       * (hdr.flush[n - 1]), so a translation libpt
			       * changed without flushing it stays in the
			       * TLB */
};

struct at_hdr {
	uint64_t magic;
	uint64_t nphases, nqueries;
	uint64_t table_bytes;  /* table frames at AT_TABLE_PA */
	uint64_t plant;        /* guest-side planted bug (at_host.c --plant) */
	uint64_t probe;        /* 1: real accesses too (struct at_query.probe) */
	uint64_t el2;          /* 1: the EL2 regime instead (TCR_EL2, TTBR0_EL2,
				* MAIR_EL2; tcr and ttbr0 of each phase): AT
				* S1E2R and S1E2W in the S1E1R and S1E1W slots,
				* with the guest's own MMU on, so the tables map
				* the guest, the blob and the results at VA = PA */
	uint64_t data;         /* 1: fill [AT_DATA_PA, + AT_DATA_BYTES) */
	uint64_t after_pa[AT_STAGES]; /* the after images (0: none) */
	uint64_t flush_all[AT_STAGES]; /* each stage's TLB maintenance: all, */
	uint64_t nflush[AT_STAGES];    /* or TLBI VAAE1 of each VA in flush[] */
	uint64_t flush[AT_STAGES][AT_MAX_FLUSH];
	struct at_phase phase[AT_MAX_PHASES];
	char path[512];        /* host file for the results (semihosting) */
};

struct at_query {
	uint64_t va;
	uint64_t watch_pa;     /* a descriptor to read after each AT (0: none) */
	uint64_t probe;        /* 1: also load and store at EL1 and EL0 */
	uint64_t ram_pa;       /* libpt's PA of va & ~7 when in the data
				* region (else 0): after a store, the guest
				* reads the word there and restores it */
};

/* The real accesses, in the order of struct at_result.esr: each the same
 * check as one AT kind (at_probe_kind). */
enum at_probe { AT_P_EL1_LOAD, AT_P_EL1_STORE, AT_P_EL0_LOAD, AT_P_EL0_STORE, AT_PROBES };

/* Per phase and query: PAR_EL1 after each kind, and the watched
 * descriptor right after it; after every AT of the phase, one load and
 * one store (of at_store_word(va)) at EL1 and at EL0 to the query's VA
 * (rounded down to 8 bytes): ESR_EL1 of its fault (0: none) and FAR_EL1,
 * or AT_NOT_RUN. */
struct at_result {
	uint64_t par[AT_KINDS];
	uint64_t watch[AT_KINDS];
	uint64_t esr[AT_PROBES], far[AT_PROBES];
	uint64_t data[AT_PROBES]; /* after a load without fault the word it
				   * read; after such a store with ram_pa the
				   * word at ram_pa */
};

/* The result file: this record, then nphases * nqueries struct at_result
 * (phase-major). */
struct at_out_hdr {
	uint64_t magic;
	uint64_t mmfr0, mmfr1, currentel;
	uint64_t nresults;
	uint64_t mmfr2;
	uint64_t pad[6];
};

#endif /* AT_ORACLE_H */
