/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configures the ethdev the relay runs on. Main lcore, at start-up only.
 */
#ifndef VR_DP_PORT_H
#define VR_DP_PORT_H

#include "dp.h"

/*
 * Configures and starts dp->port_id with one RX and one TX queue per worker,
 * RSS over UDP when there are several workers and the port can, IPv4 checksum
 * offload when the port has it (dp->tx_ip_cksum), and RX checksum flags when
 * it can report them (dp->rx_cksum). Needs dp->pool. Returns 0 or -errno.
 */
int vr_port_init(struct vr_dp *dp);

#endif /* VR_DP_PORT_H */
