/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of control-channel requests (include/voxrelay/ctl.h), SBC_SET
 * included: pure functions, called by ctl.c and sbc.c on the main lcore
 * before anything is applied, and by the unit tests and fuzz harnesses.
 * Each error text names the field and the bad value.
 */
#ifndef VR_DP_CTLMSG_H
#define VR_DP_CTLMSG_H

#include <stddef.h>

#include "voxrelay/ctl.h"

#include "config.h"

/*
 * Checks the header and body length of the request buf[0..len). Returns its
 * type, or -EBADMSG / -EPROTONOSUPPORT / -EOPNOTSUPP with err filled.
 */
int vr_ctl_check_request(const void *buf, size_t len, char *err, size_t errlen);

/*
 * Checks a call definition against the dataplane's configuration: id, relay
 * addresses, even ports inside the range, distinct ports, expected peers.
 * Returns 0 or -EINVAL with err filled. Port conflicts with other calls are
 * checked where the table is (calls.c).
 */
int vr_ctl_check_call(const struct vr_config *cfg, const struct vr_ctl_call *c, char *err,
	size_t errlen);

/*
 * Checks a batch's frame: 1 to VR_CTL_BATCH_MAX changes, each an add, a mod
 * or a del (each change is then checked as its own request would be).
 * Returns 0 or -EINVAL with err naming the bad value.
 */
int vr_ctl_check_batch(const struct vr_ctl_batch *b, char *err, size_t errlen);

/* Checks that id is a NUL-terminated, printable, non-empty call id. */
int vr_ctl_check_id(const char *id, char *err, size_t errlen);

/*
 * Checks an SBC_SET body on its own: the id, the suite, one or two keys of
 * the suite's length with distinct ids and bytes, and the previous key's
 * time. 0, or -EINVAL with err naming the bad value. (Whether the keys are
 * new against what the dataplane holds is sbc.c's to say.)
 */
int vr_ctl_check_sbc(const struct vr_ctl_sbc *d, char *err, size_t errlen);

/*
 * Checks a VR_CTL_ADDR_SET body on its own: active is 0 or 1 and the
 * padding is zero (whether ip is one of --addr is the dataplane's). 0 or
 * -EINVAL with err naming the bad value.
 */
int vr_ctl_check_addr(const struct vr_ctl_addr *a, char *err, size_t errlen);

#endif /* VR_DP_CTLMSG_H */
