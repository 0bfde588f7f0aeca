/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Redis commands written straight into RESP, and decimal numbers written
 * without printf: what control sends per call (stats, statuses, end-of-call
 * records) costs a pass over its arguments, not hiredis's sds formatting.
 * Pure functions, plus one append to a hiredis context; the control
 * process's thread.
 */
#ifndef VR_CTL_RESP_H
#define VR_CTL_RESP_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

/* Longest decimal uint64_t, and its NUL. */
#define VR_U64_DEC_MAX 21

/* Writes v in decimal and a NUL into out (VR_U64_DEC_MAX bytes); returns its length. */
size_t vr_u64_dec(char *out, uint64_t v);

/*
 * Writes v / 10^decimals with that many decimals (at most 3; v already
 * rounded by the caller) and a NUL into out (VR_U64_DEC_MAX + 1 bytes);
 * returns its length. 1234, 2 -> "12.34".
 */
size_t vr_fixed_dec(char *out, uint64_t v, unsigned int decimals);

/*
 * The command argv[0..argc) (C strings) in RESP into buf when it fits in
 * cap bytes; returns the length it needs either way (as snprintf does,
 * without a NUL).
 */
size_t vr_resp_format(char *buf, size_t cap, int argc, const char *const *argv);

/* Appends the command to c's output buffer, as redisAppendCommandArgv. REDIS_OK or REDIS_ERR. */
int vr_resp_append(redisContext *c, int argc, const char *const *argv);

#endif /* VR_CTL_RESP_H */
