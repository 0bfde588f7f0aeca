/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of control-channel requests (include/voxrelay/ctl.h): pure
 * functions, called by ctl.c on the main lcore before anything is applied,
 * and by the unit tests. Each error text names the field and the bad value.
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

/* Checks that id is a NUL-terminated, printable, non-empty call id. */
int vr_ctl_check_id(const char *id, char *err, size_t errlen);

#endif /* VR_DP_CTLMSG_H */
