/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 descriptor bits with the 4 KiB granule and 48-bit OA that
 * stage 1 (arch/aarch64.h) and stage 2 (arch/aarch64_s2.h) share or place
 * alike: valid and type, the output address, the shareability field, the
 * access flag, DBM, and the bits both keep for software. Stage-1-only
 * meanings are named here too where stage 2 gives the bit another one.
 */
#ifndef PT_ARCH_AARCH64_DESC_H
#define PT_ARCH_AARCH64_DESC_H

#include "arch.h"

#define A64_VALID   (UINT64_C(1) << 0)
#define A64_TYPE    (UINT64_C(1) << 1)  /* table (h > 0) or page (h == 0) */
#define A64_ATTR(i) ((uint64_t)(i) << 2)
#define A64_ATTR_MASK (UINT64_C(7) << 2)
#define A64_AP_USER (UINT64_C(1) << 6)  /* AP[1]; RES1 at EL2 */
#define A64_AP_RO   (UINT64_C(1) << 7)  /* AP[2] */
#define A64_SH_MASK (UINT64_C(3) << 8)
#define A64_SH_INNER (UINT64_C(3) << 8)
#define A64_SH_RESERVED (UINT64_C(1) << 8)
#define A64_AF      (UINT64_C(1) << 10)
#define A64_NG      (UINT64_C(1) << 11) /* RES0 at EL2 */
#define A64_DBM     (UINT64_C(1) << 51) /* writable: the CPU (HD) clears AP[2] on write */
#define A64_SW_DIRTY (UINT64_C(1) << 55) /* dirty state of a leaf without WRITE */
#define A64_SW0     (UINT64_C(1) << 56)
#define A64_SW1     (UINT64_C(1) << 57)
#define A64_PXN     (UINT64_C(1) << 53) /* RES0 at EL2 */
#define A64_UXN     (UINT64_C(1) << 54) /* XN at EL2 */
#define A64_ADDR    UINT64_C(0x0000fffffffff000) /* OA bits 12..47 */
#define A64_RES0_OA (UINT64_C(0xf) << 48) /* table: OA[51:48], RES0 with 48-bit OA */
#define A64_RES0_LEAF (UINT64_C(3) << 48) /* leaf: 48, 49 (50 is GP, 51 DBM) */

#endif /* PT_ARCH_AARCH64_DESC_H */
