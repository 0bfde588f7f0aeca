/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: the control-channel requests the dataplane accepts on
 * its socket (dataplane/ctlmsg.c: vr_ctl_check_request, then for a call
 * vr_ctl_check_call, for an id vr_ctl_check_id, for an SBC
 * vr_ctl_check_sbc, for a batch vr_ctl_check_batch and then each change
 * as its own request). The input is a whole
 * message, header first. A refused request must say why. The product's own
 * functions, no copies. scripts/fuzz.sh builds and runs it.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/ctlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct vr_config cfg;
	struct vr_ctl_call c;
	struct vr_ctl_call_ref ref;
	struct vr_ctl_sbc sbc;
	char err[VR_CTL_ERR_MAX];
	int type;

	if (cfg.n_addrs == 0) {
		inet_pton(AF_INET, "198.51.100.10", &cfg.addrs[0]);
		inet_pton(AF_INET, "198.51.100.11", &cfg.addrs[1]);
		cfg.n_addrs = 2;
		cfg.port_lo = 20000;
		cfg.port_hi = 30000;
	}
	err[0] = '\0';
	type = vr_ctl_check_request(d, n, err, sizeof(err));
	if (type < 0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	err[0] = '\0';
	if (type == VR_CTL_CALL_ADD || type == VR_CTL_CALL_MOD) {
		memcpy(&c, d + sizeof(struct vr_ctl_hdr), sizeof(c));
		if (vr_ctl_check_call(&cfg, &c, err, sizeof(err)) < 0 && err[0] == '\0')
			abort();
	} else if (type == VR_CTL_CALL_DEL || type == VR_CTL_CALL_GET) {
		memcpy(&ref, d + sizeof(struct vr_ctl_hdr), sizeof(ref));
		if (vr_ctl_check_id(ref.id, err, sizeof(err)) < 0 && err[0] == '\0')
			abort();
	} else if (type == VR_CTL_CALL_BATCH) {
		static struct vr_ctl_batch b;
		uint32_t i;

		memcpy(&b, d + sizeof(struct vr_ctl_hdr), sizeof(b));
		if (vr_ctl_check_batch(&b, err, sizeof(err)) < 0) {
			if (err[0] == '\0')
				abort();
			return 0;
		}
		for (i = 0; i < b.n; i++) {
			err[0] = '\0';
			if (b.op[i].type == VR_CTL_CALL_DEL) {
				char id[VR_CALL_ID_MAX];

				memcpy(id, b.op[i].call.id, sizeof(id));
				if (vr_ctl_check_id(id, err, sizeof(err)) < 0 && err[0] == '\0')
					abort();
			} else if (vr_ctl_check_call(&cfg, &b.op[i].call, err, sizeof(err)) < 0 &&
					err[0] == '\0') {
				abort();
			}
		}
	} else if (type == VR_CTL_SBC_SET) {
		memcpy(&sbc, d + sizeof(struct vr_ctl_hdr), sizeof(sbc));
		if (vr_ctl_check_sbc(&sbc, err, sizeof(err)) < 0 && err[0] == '\0')
			abort();
	} else if (type == VR_CTL_ADDR_SET) {
		struct vr_ctl_addr a;

		memcpy(&a, d + sizeof(struct vr_ctl_hdr), sizeof(a));
		if (vr_ctl_check_addr(&a, err, sizeof(err)) < 0 && err[0] == '\0')
			abort();
	}
	return 0;
}
