/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's loop body (slowpath.c).
 */
#ifndef VR_DP_SLOWPATH_H
#define VR_DP_SLOWPATH_H

struct vr_dp;

/* slowpath.c: one pass of the main lcore's duties (never blocks; sleeps up to
 * 1 ms only when none of its rings holds anything). */
void vr_slow_poll(struct vr_dp *dp);

#endif /* VR_DP_SLOWPATH_H */
