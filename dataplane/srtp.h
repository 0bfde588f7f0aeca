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

/* A fingerprint of key k's suite, master key and salt (FNV-1a, 64 bits; never 0). */
uint64_t vr_srtp_key_print(const struct vr_srtp_key *k);
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
 * A session for one stream: key k with its salt tweaked for (dir, channel,
 * epoch), for receiving (inbound: any SSRC, replay window of 1024 packets
 * per SSRC) or sending (an index already sent under an SSRC is refused).
 * Returns NULL with errno set when libsrtp refuses. libsrtp keeps a stream
 * per SSRC inside the session, for as long as the session lives: the
 * caller bounds how many SSRCs it lets through (vr_srtp_ssrc_admit).
 */
srtp_t vr_srtp_stream_new(const struct vr_srtp_key *k, enum vr_tun_dir dir, uint32_t channel,
	uint64_t epoch, int inbound);

/* How many SSRCs one direction of a tunnel leg may use while its keys live. */
#define VR_SRTP_SSRC_MAX 8

/*
 * The SSRCs one direction of a tunnel leg has used (both engines count
 * them the same way). Its single writer is the lcore that owns the leg.
 */
struct vr_srtp_ssrcs {
	uint32_t ssrc[VR_SRTP_SSRC_MAX];
	uint8_t n;
};

/*
 * Whether ssrc may go through: 1 when it is among set's SSRCs, or there is
 * room for it (it is added when add is set), 0 when the set is full. An
 * SSRC's state is never evicted while its keys live: an evicted SSRC's old
 * packets would pass the replay check again, and its indices could be
 * encrypted again.
 */
static inline int
vr_srtp_ssrc_admit(struct vr_srtp_ssrcs *set, uint32_t ssrc, int add)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->ssrc[i] == ssrc)
			return 1;
	if (set->n == VR_SRTP_SSRC_MAX)
		return 0;
	if (add)
		set->ssrc[set->n++] = ssrc;
	return 1;
}
/* Frees a session made by vr_srtp_stream_new; NULL is fine. */
void vr_srtp_stream_free(srtp_t s);

#endif /* VR_SRTP_H */
