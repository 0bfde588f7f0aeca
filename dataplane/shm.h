/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats region (shm.c): created at start, its clock refreshed by the
 * main lcore; its layout is include/voxrelay/shm.h.
 */
#ifndef VR_DP_SHM_H
#define VR_DP_SHM_H

#include <stdint.h>

struct vr_dp;

/* shm.c: main lcore. */
int vr_shm_create(struct vr_dp *dp, unsigned int n_workers);
void vr_shm_destroy(struct vr_dp *dp);
void vr_shm_tick(struct vr_dp *dp, uint64_t now);

#endif /* VR_DP_SHM_H */
