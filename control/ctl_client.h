/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of the control channel (include/voxrelay/ctl.h), used by
 * voxrelayctl and voxrelay-control. Blocking, one request in flight; no DPDK.
 */
#ifndef VR_CTL_CLIENT_H
#define VR_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "voxrelay/ctl.h"

/* A connection to voxrelay-dp. */
struct vr_ctl_client {
	int fd;
	uint32_t seq;
	char error[VR_CTL_ERR_MAX]; /* the last failure, local or from the dataplane */
};

/* Connects to the socket at path; 0 or -errno (error filled). */
int vr_ctl_connect(struct vr_ctl_client *c, const char *path, int timeout_ms);

/* Closes the connection. */
void vr_ctl_disconnect(struct vr_ctl_client *c);

/*
 * Builds a request of type with body[0..len) into buf (cap bytes); returns its
 * length, or 0 when it does not fit.
 */
size_t vr_ctl_encode(void *buf, size_t cap, uint16_t type, uint32_t seq, const void *body,
	size_t len);

/*
 * Checks that reply[0..len) answers a request of type with seq and carries
 * exactly want body bytes on success (any size up to want when want_max is
 * set). Returns the reply's status (0 or the dataplane's -errno), or -EBADMSG
 * with err filled when the reply is malformed.
 */
int vr_ctl_decode(const void *reply, size_t len, uint16_t type, uint32_t seq, size_t want,
	int want_max, char *err, size_t errlen);

/*
 * Sends a request and waits for its reply. On success copies the reply body
 * (at most out_cap bytes) to out and stores its size in *out_len (may be NULL).
 * Returns 0 or a negative errno, with c->error saying what went wrong.
 */
int vr_ctl_request(struct vr_ctl_client *c, uint16_t type, const void *body, size_t len,
	void *out, size_t out_cap, size_t *out_len);

/*
 * Parses a leg spec "ADDR:PORT[,peer=IP[:LO[-HI]]]" into l. Returns 0 or
 * -EINVAL with err naming the bad part.
 */
int vr_ctl_parse_leg(const char *spec, struct vr_ctl_leg *l, char *err, size_t errlen);

#endif /* VR_CTL_CLIENT_H */
