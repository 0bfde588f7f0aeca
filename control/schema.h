/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Redis schema's records (docs/redis-schema.md), parsed from a hash's
 * field/value pairs into structs. Pure functions, used by the control
 * process's thread and by voxrelayctl plan. Every error names the key, the
 * field and the value, as "voxrelay:ext:101: field 'rtp_ports': '14000' is
 * not a range LO-HI".
 */
#ifndef VR_CTL_SCHEMA_H
#define VR_CTL_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "voxrelay/tunnel.h"

#define VR_SCHEMA_VERSION 1
#define VR_ID_MAX 64
#define VR_ERR_MAX 512

/* How an extension reaches the PBX. */
enum vr_ext_mode {
	VR_EXT_STUN = 1, /* remote STUN phone behind its site's NAT, port-forwarded */
	VR_EXT_SBC,      /* behind a site SBC, through its tunnel */
	VR_EXT_LAN,      /* on the PBX's LAN */
};

/* An extension (key PREFIX "ext:" NUMBER). */
struct vr_ext {
	char number[32];
	enum vr_ext_mode mode;
	char site[VR_ID_MAX];     /* stun, sbc: the site's name */
	char sbc[VR_ID_MAX];      /* sbc: the SBC's id */
	char name[VR_ID_MAX];     /* optional display name */
	uint32_t public_ip;       /* stun: the site's public address, network order */
	uint32_t lan_ip;          /* lan: the phone; stun: its address inside the site (optional) */
	uint16_t sip_port;        /* stun: the site's forwarded SIP port */
	uint16_t rtp_lo, rtp_hi;  /* stun (required), lan (optional): RTP port block */
	int deliver_audio;        /* the PBX relays its media (default 1) */
};

/* An SBC (key PREFIX "sbc:" ID). */
struct vr_sbc {
	char id[VR_ID_MAX];
	char name[VR_ID_MAX];
	char auth_id[VR_ID_MAX];
	enum vr_srtp_suite suite;
	uint8_t key[46];          /* master key and salt, decoded */
	size_t key_len;
	uint32_t tunnel_id;       /* the id in its tunnel packets' header, 1-65535 */
	uint8_t key_id;           /* the key's id in the tunnel header (default 0) */
};

/* One leg of a call record. */
struct vr_call_leg {
	char ext[32];             /* extension number, or "" for an endpoint */
	uint32_t endpoint_ip;     /* PBX-local media endpoint (when ext is ""), network order */
	uint16_t endpoint_lo, endpoint_hi;
	uint32_t addr;            /* relay address, network order; 0: the dataplane's first */
	uint16_t port;            /* relay RTP port; 0 for a tunnel leg */
	uint32_t channel;         /* tunnel leg (an extension behind an SBC): its channel; else 0 */
	uint64_t epoch;           /* tunnel leg: its key epoch (48 bits, not 0); else 0 */
};

/* A call (key PREFIX "call:" ID). */
struct vr_call_rec {
	char id[VR_ID_MAX];
	struct vr_call_leg leg[2];
	uint32_t learn_window_ms; /* 0: the dataplane's default */
	uint32_t clock_rate;      /* 0: 8000 */
};

/*
 * Parsers: key is the record's full Redis key, id the part after the type
 * prefix; f[i]/v[i] are the hash's n fields and values. Return 0, or -1 with
 * err filled.
 */
int vr_schema_ext(const char *key, const char *id, const char *const *f, const char *const *v,
	size_t n, struct vr_ext *e, char *err, size_t errlen);
int vr_schema_sbc(const char *key, const char *id, const char *const *f, const char *const *v,
	size_t n, struct vr_sbc *s, char *err, size_t errlen);
int vr_schema_call(const char *key, const char *id, const char *const *f, const char *const *v,
	size_t n, struct vr_call_rec *c, char *err, size_t errlen);

/* Is id a valid record id (1-63 of [A-Za-z0-9._-])? */
int vr_schema_id_ok(const char *id);

struct vr_ctl_leg;

/*
 * A leg's latch as another host's control published it in the call's stats
 * (a_peer "IP:PORT", a_ssrc, a_seq, a_rtcp_peer "IP:PORT" or "", docs/
 * redis-schema.md), to be restored on a takeover: sets leg's latch fields
 * and VR_CTL_LEG_F_LATCHED when the values are whole and the peer is one
 * the leg's rule allows (a tunnel leg has none). 0, or -1 with err saying
 * why (the leg then learns, as at any bind).
 */
int vr_schema_latch(const char *peer, const char *ssrc, const char *seq, const char *rtcp_peer,
	struct vr_ctl_leg *leg, char *err, size_t errlen);

/* Names for the enums. */
const char *vr_ext_mode_name(enum vr_ext_mode m);
const char *vr_suite_name(enum vr_srtp_suite s);

#endif /* VR_CTL_SCHEMA_H */
