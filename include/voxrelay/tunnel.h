/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SBC media tunnel's wire format, version 2: what a remote site's SBC and
 * voxrelay-dp send each other over UDP, to and from the relay's tunnel port
 * (default 5090). voxrelay-dp terminates it (dataplane/tunnel.c); the SBC
 * emulator plays the other end. docs/tunnel.md says why each field is there
 * and how the format evolves.
 *
 * A datagram is a 20-byte header followed by one SRTP packet (RFC 3711; RFC
 * 7714 for AEAD_AES_128_GCM):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------+-------+---------------+---------------+---------------+
 *   | 0xE   |version|     type      |    key id     |     flags     |
 *   +-------+-------+---------------+---------------+---------------+
 *   |                            SBC id                             |
 *   +---------------------------------------------------------------+
 *   |                            channel                            |
 *   +-------------------------------+-------------------------------+
 *   |        0 (reserved)           |                               |
 *   +-------------------------------+            epoch              |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |          SRTP packet (media, hello) or SRTCP packet           |
 *
 * All fields are in network byte order. The header is not itself
 * authenticated; every field of it that changes how the payload is handled
 * is bound to the payload's SRTP keys instead: each (SBC, channel,
 * direction, epoch) has its own keys, derived from the SBC's master key by
 * vr_tun_salt_tweak(), so a packet whose SBC id, channel, key id or epoch
 * was changed on the way fails SRTP authentication. The epoch makes every
 * call leg and every dataplane boot use keys of its own (docs/tunnel.md,
 * "Epochs"): media of a leg uses the leg's epoch (provisioned per call) XOR
 * the relay's boot epoch, which the relay tells the SBC in hello answers.
 *
 * Everything here is plain C with no DPDK, so that programs other than the
 * dataplane can build and parse tunnel packets; the hello codec is in
 * dataplane/tunwire.c, in the DPDK-free library vrtun.
 */
#ifndef VOXRELAY_TUNNEL_H
#define VOXRELAY_TUNNEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The relay's UDP port for tunnels when --tunnel-port is not given. */
#define VR_TUN_DEFAULT_PORT 5090
/* First byte: 0xE in the high nibble, outside the ranges RFC 7983 gives
 * STUN, ZRTP, DTLS, TURN channels and RTP/RTCP; the version below it. */
#define VR_TUN_MARK 0xE0
#define VR_TUN_VERSION 2
#define VR_TUN_HDR_LEN 20
/* Epochs are 48 bits: what the SRTP key derivation leaves free in the salt. */
#define VR_TUN_EPOCH_MASK ((1ull << 48) - 1)
/* Channel 0 is the SBC itself: its hellos and the relay's answers. */
#define VR_TUN_CHANNEL_SBC 0u
/* SBC ids are 1-65535 (the dataplane indexes them directly). */
#define VR_TUN_SBC_ID_MAX 65535u

/* The SRTP suites a tunnel may use (Redis voxrelay:sbc:ID suite). */
enum vr_srtp_suite {
	VR_SRTP_AES_CM_128_HMAC_SHA1_80 = 1, /* 16-byte key, 14-byte salt, 10-byte tag */
	VR_SRTP_AEAD_AES_128_GCM = 2,        /* 16-byte key, 12-byte salt, 16-byte tag */
};

/* Longest master key and salt (AES_CM_128_HMAC_SHA1_80: 16 + 14). */
#define VR_SRTP_MASTER_MAX 30

/* Message types (header byte 1). */
enum vr_tun_type {
	VR_TUN_RTP = 1,       /* an SRTP packet of the channel's stream */
	VR_TUN_RTCP = 2,      /* an SRTCP packet of the channel's stream */
	VR_TUN_HELLO = 3,     /* SBC to relay, channel 0: TLVs in an SRTP payload */
	VR_TUN_HELLO_ACK = 4, /* relay to SBC, channel 0: the answer to a hello */
	VR_TUN_TYPE_MAX
};

/* Directions, which key a packet's stream by who sent it. */
enum vr_tun_dir {
	VR_TUN_UP = 1,   /* SBC to relay */
	VR_TUN_DOWN = 2, /* relay to SBC */
};

/* A parsed header; the payload is the SRTP packet that follows it. */
struct vr_tun_hdr {
	uint8_t version;
	uint8_t type;     /* enum vr_tun_type */
	uint8_t key_id;   /* which of the SBC's keys protects the payload */
	uint8_t flags;    /* none in version 2: sent as 0, ignored on receipt */
	uint32_t sbc_id;  /* the SBC's tunnel id (Redis voxrelay:sbc:ID tunnel_id) */
	uint32_t channel; /* the call leg's channel; VR_TUN_CHANNEL_SBC for hellos */
	uint64_t epoch;   /* 48 bits: which keys of the stream (vr_tun_salt_tweak) */
};

/* Why a datagram is not a tunnel message (vr_tun_parse). */
enum vr_tun_parse_err {
	VR_TUN_OK = 0,
	VR_TUN_ERR_SHORT,   /* shorter than the header and a minimal SRTP packet */
	VR_TUN_ERR_MARK,    /* first byte's high nibble is not 0xE */
	VR_TUN_ERR_VERSION, /* a version this relay does not speak */
	VR_TUN_ERR_TYPE,    /* an unknown message type */
	VR_TUN_ERR_SBC_ID,  /* SBC id 0 or above VR_TUN_SBC_ID_MAX */
	VR_TUN_ERR_CHANNEL, /* hello off channel 0, or media on it */
	VR_TUN_ERR_EPOCH,   /* the reserved top 16 bits of the epoch are not 0 */
};

/* Smallest payload: an RTP header (12) and the shortest tag (10) or an
 * RTCP header (8), the SRTCP index (4) and a tag. */
#define VR_TUN_MIN_PAYLOAD 22

static inline uint32_t
vr_tun_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
vr_tun_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint64_t
vr_tun_get64(const uint8_t *p)
{
	return (uint64_t)vr_tun_get32(p) << 32 | vr_tun_get32(p + 4);
}

static inline void
vr_tun_put64(uint8_t *p, uint64_t v)
{
	vr_tun_put32(p, (uint32_t)(v >> 32));
	vr_tun_put32(p + 4, (uint32_t)v);
}

/*
 * Parses the header of a datagram of len bytes into h. Returns VR_TUN_OK, or
 * the reason it is not a well-formed version 2 message; the payload starts
 * at buf + VR_TUN_HDR_LEN.
 */
static inline enum vr_tun_parse_err
vr_tun_parse(const uint8_t *buf, size_t len, struct vr_tun_hdr *h)
{
	if (len < VR_TUN_HDR_LEN + VR_TUN_MIN_PAYLOAD)
		return VR_TUN_ERR_SHORT;
	if ((buf[0] & 0xF0) != VR_TUN_MARK)
		return VR_TUN_ERR_MARK;
	h->version = buf[0] & 0x0F;
	h->type = buf[1];
	h->key_id = buf[2];
	h->flags = buf[3];
	h->sbc_id = vr_tun_get32(buf + 4);
	h->channel = vr_tun_get32(buf + 8);
	h->epoch = vr_tun_get64(buf + 12);
	if (h->version != VR_TUN_VERSION)
		return VR_TUN_ERR_VERSION;
	if (h->type == 0 || h->type >= VR_TUN_TYPE_MAX)
		return VR_TUN_ERR_TYPE;
	if (h->sbc_id == 0 || h->sbc_id > VR_TUN_SBC_ID_MAX)
		return VR_TUN_ERR_SBC_ID;
	if ((h->type == VR_TUN_HELLO || h->type == VR_TUN_HELLO_ACK) !=
			(h->channel == VR_TUN_CHANNEL_SBC))
		return VR_TUN_ERR_CHANNEL;
	if (h->epoch & ~VR_TUN_EPOCH_MASK)
		return VR_TUN_ERR_EPOCH;
	return VR_TUN_OK;
}

/* Writes a version 2 header for (type, key_id, sbc_id, channel, epoch) at buf. */
static inline void
vr_tun_write(uint8_t *buf, enum vr_tun_type type, uint8_t key_id, uint32_t sbc_id,
	uint32_t channel, uint64_t epoch)
{
	buf[0] = VR_TUN_MARK | VR_TUN_VERSION;
	buf[1] = (uint8_t)type;
	buf[2] = key_id;
	buf[3] = 0;
	vr_tun_put32(buf + 4, sbc_id);
	vr_tun_put32(buf + 8, channel);
	vr_tun_put64(buf + 12, epoch & VR_TUN_EPOCH_MASK);
}

/*
 * The master salt of one stream: the SBC's master salt with the direction,
 * the channel and the epoch XORed in: the direction into byte 0, the channel
 * into bytes 1-4, the epoch's 48 bits into bytes 5-6 and 8-11 (high to low).
 * SRTP's key derivation (RFC 3711 4.3.1; RFC 7714 11) XORs its label into
 * byte 7 and the packet index (always 0 here: key derivation rate 0) into
 * bytes 8-13, so distinct (direction, channel, epoch) give every label a
 * distinct input and every stream its own session keys and salt: no two
 * streams of an SBC share a keystream even if two phones pick the same SSRC,
 * no two call legs on one channel and no two boots of the relay do, and no
 * packet can be moved to another channel, direction, call or boot. salt_len
 * is 14 (AES-CM) or 12 (AES-GCM).
 */
static inline void
vr_tun_salt_tweak(uint8_t *salt, size_t salt_len, enum vr_tun_dir dir, uint32_t channel,
	uint64_t epoch)
{
	uint8_t t[12];

	if (salt_len < sizeof(t))
		return;
	t[0] = (uint8_t)dir;
	vr_tun_put32(t + 1, channel);
	t[5] = (uint8_t)(epoch >> 40);
	t[6] = (uint8_t)(epoch >> 32);
	t[7] = 0;
	vr_tun_put32(t + 8, (uint32_t)epoch);
	for (size_t i = 0; i < sizeof(t); i++)
		salt[i] ^= t[i];
}

/* Hello TLVs: type (1 byte), length (1 byte), value. Unknown types are skipped. */
enum vr_tun_tlv {
	VR_TUN_TLV_LOCAL_IP = 1, /* 4 bytes: the SBC's own LAN address, network order */
	VR_TUN_TLV_VERSION = 2,  /* 1-63 bytes of printable ASCII: the software version */
	VR_TUN_TLV_INTERVAL = 3, /* 2 bytes: seconds between hellos */
	VR_TUN_TLV_NONCE = 4,    /* 8 bytes: the sender's fresh challenge, to be echoed */
	VR_TUN_TLV_ECHO = 5,     /* 8 bytes: the peer's last challenge, echoed back */
};

#define VR_TUN_VERSION_STR_MAX 64 /* with the NUL */

/* What a hello (or a hello answer) says. */
struct vr_tun_hello {
	uint32_t local_ip;  /* network order; 0: not sent */
	uint16_t interval_s;
	uint8_t has_nonce;  /* nonce was sent */
	uint8_t has_echo;   /* echo was sent */
	uint64_t nonce;     /* a fresh random challenge the answer (or next hello) echoes */
	uint64_t echo;      /* the challenge being answered */
	char version[VR_TUN_VERSION_STR_MAX];
};

/*
 * Parses hello TLVs (the RTP payload of an authenticated hello). Returns 0,
 * or -1 when a TLV runs past the end, a known TLV has the wrong length, or
 * the version string is not printable ASCII. (dataplane/tunwire.c)
 */
int vr_tun_hello_parse(const uint8_t *p, size_t len, struct vr_tun_hello *h);

/* Writes h's TLVs (those set) at p, at most cap bytes; returns the length or -1. */
int vr_tun_hello_build(const struct vr_tun_hello *h, uint8_t *p, size_t cap);

#endif /* VOXRELAY_TUNNEL_H */
