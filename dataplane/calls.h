/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call registry and the flow table's only writer (calls.c), on the
 * main lcore: binds, rebinds and unbinds calls for the control socket.
 */
#ifndef VR_DP_CALLS_H
#define VR_DP_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "voxrelay/ctl.h"

struct vr_dp;
struct vr_flow;
struct vr_tun_leg;

/* The call registry: main lcore only. */
struct vr_call {
	struct vr_ctl_call def;
	struct vr_flow *flows[4];
	struct vr_tun_leg *tun[2];     /* per leg: its tunnel state when it is a tunnel leg */
	uint32_t slot;
	uint32_t gen;
	uint16_t owner;
};

/* calls.c: main lcore, the only writer of the flow table. */
int vr_calls_init(struct vr_dp *dp);
void vr_calls_fini(struct vr_dp *dp);
/* Frees what unbinds and rebinds left on the defer queue once its grace period passed. */
void vr_calls_reclaim(struct vr_dp *dp);
int vr_calls_add(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen);
int vr_calls_mod(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen);
int vr_calls_del(struct vr_dp *dp, const char *id, char *err, size_t errlen);
struct vr_call *vr_calls_find(struct vr_dp *dp, const char *id);

#endif /* VR_DP_CALLS_H */
