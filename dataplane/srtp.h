/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP for the SBC tunnel, on libsrtp: the suites, an SBC's keys, and one
 * libsrtp session per stream (SBC, channel, direction) with that stream's own
 * keys (include/voxrelay/tunnel.h, vr_tun_salt_tweak). A session is created
 * and freed by the thread that programs the tunnel and used by one thread at
 * a time. No DPDK here: the SBC emulator uses the same code for its end.
 */
#ifndef VR_SRTP_H
#define VR_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include "voxrelay/tunnel.h"

/* One of an SBC's keys. */
struct vr_srtp_key {
	uint8_t suite;  /* enum vr_srtp_suite */
	uint8_t id;     /* the tunnel header's key id */
	uint8_t master[VR_SRTP_MASTER_MAX]; /* master key, then master salt */
};

/* Suite by its SDES name (RFC 4568, RFC 7714); 0 when unknown. */
enum vr_srtp_suite vr_srtp_suite_parse(const char *name);
/* SDES name of a suite; NULL when unknown. */
const char *vr_srtp_suite_name(enum vr_srtp_suite s);
/* Master key plus salt length of a suite in bytes (30 or 28); 0 when unknown. */
size_t vr_srtp_master_len(enum vr_srtp_suite s);
/* Authentication tag length of a suite in bytes (10 or 16). */
size_t vr_srtp_tag_len(enum vr_srtp_suite s);

/* Initialises libsrtp once per process; 0 or a negative errno. */
int vr_srtp_init(void);

/*
 * A session for one stream: key k with its salt tweaked for (dir, channel),
 * for receiving (inbound: any SSRC, replay window of 1024 packets) or
 * sending. Returns NULL with errno set when libsrtp refuses.
 */
srtp_t vr_srtp_stream_new(const struct vr_srtp_key *k, enum vr_tun_dir dir, uint32_t channel,
	int inbound);
/* Frees a session made by vr_srtp_stream_new; NULL is fine. */
void vr_srtp_stream_free(srtp_t s);

#endif /* VR_SRTP_H */
