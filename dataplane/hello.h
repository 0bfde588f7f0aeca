/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SBC hello answers (hello.c), on the main lcore.
 */
#ifndef VR_DP_HELLO_H
#define VR_DP_HELLO_H

struct rte_mbuf;
struct vr_dp;

/* Answers (or drops, counted) one hello a worker passed up; takes m. */
void vr_sbc_hello_input(struct vr_dp *dp, struct rte_mbuf *m);

#endif /* VR_DP_HELLO_H */
