/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket (ctl.c), served by the main lcore: the requests of
 * include/voxrelay/ctl.h, checked by ctlmsg.c, carried out by calls.c and
 * sbc.c.
 */
#ifndef VR_DP_CTL_H
#define VR_DP_CTL_H

#include <stddef.h>

struct vr_dp;

/* ctl.c: main lcore. */
int vr_ctl_open(struct vr_dp *dp);
void vr_ctl_close(struct vr_dp *dp);
/* Serves the control socket, waiting up to wait_ms for it when nothing is ready. */
void vr_ctl_poll(struct vr_dp *dp, int wait_ms);
size_t vr_ctl_handle(struct vr_dp *dp, const void *req, size_t len, void *reply, size_t cap);

#endif /* VR_DP_CTL_H */
