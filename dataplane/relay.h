/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore's loop (relay.c): what main.c launches on each worker
 * and the EAL tests and benchmarks drive one iteration at a time.
 */
#ifndef VR_DP_RELAY_H
#define VR_DP_RELAY_H

struct vr_lcore;

/* relay.c: one worker loop iteration; the loop itself. */
void vr_worker_poll(struct vr_lcore *lc);
void vr_worker_flush(struct vr_lcore *lc);
/* Reports lc quiescent (RCU) unless its crypto device holds some of its
 * packets, which point into flows: 1 when it did. After each poll. */
int vr_worker_quiesce(struct vr_lcore *lc);
int vr_worker_main(void *arg);

#endif /* VR_DP_RELAY_H */
