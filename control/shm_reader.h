/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maps voxrelay-dp's stats shared memory read-only (include/voxrelay/shm.h)
 * and checks its layout. Used by the control process's thread.
 */
#ifndef VR_CTL_SHM_READER_H
#define VR_CTL_SHM_READER_H

#include <stddef.h>

#include "voxrelay/shm.h"

/* A mapped stats region. */
struct vr_shm_map {
	const struct vr_shm_hdr *hdr;
	size_t size;
};

/* Maps name and checks magic, version and sizes. 0, or -1 with err. */
int vr_shm_map_open(struct vr_shm_map *m, const char *name, char *err, size_t errlen);

/* Unmaps. */
void vr_shm_map_close(struct vr_shm_map *m);

/* Slot i of the mapped region. */
const struct vr_shm_call *vr_shm_map_call(const struct vr_shm_map *m, unsigned int i);

/*
 * Copies slot i into out if it holds a bound call, consistently (seq even and
 * unchanged across the copy). Returns 1 when copied, 0 when free or busy.
 */
int vr_shm_map_read_call(const struct vr_shm_map *m, unsigned int i, struct vr_shm_call *out);

#endif /* VR_CTL_SHM_READER_H */
