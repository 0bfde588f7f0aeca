/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side's clocks, in milliseconds: the wall clock for what Redis,
 * Prometheus and operators read (statuses, records, health, end-of-call
 * records), a monotonic clock for control's own timers.
 */
#ifndef VR_CTL_CLOCK_H
#define VR_CTL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
vr_clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Unix time in ms. */
static inline uint64_t
vr_unix_ms(void)
{
	return vr_clock_ms(CLOCK_REALTIME);
}

/* Monotonic ms, for intervals and timers. */
static inline uint64_t
vr_mono_ms(void)
{
	return vr_clock_ms(CLOCK_MONOTONIC);
}

#endif /* VR_CTL_CLOCK_H */
