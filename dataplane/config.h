/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * voxrelay-dp's own command line (the part after EAL's "--"). Parsed once by
 * main.c before anything else starts; the result is read-only afterwards.
 */
#ifndef VR_DP_CONFIG_H
#define VR_DP_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#define VR_MAX_ADDRS 64
#define VR_PATH_MAX 108

/* Compile-time limits of the workers' loop. */
#define VR_BURST 32          /* RX burst and TX flush threshold */
#define VR_TX_BUF (VR_BURST * 2)
#define VR_TX_DRAIN_US 100   /* buffered packets wait at most this long */
#define VR_MAX_WORKERS 64

/* The dataplane's settings. Addresses are in network order. */
struct vr_config {
	uint32_t addrs[VR_MAX_ADDRS]; /* relay addresses, all in one subnet */
	unsigned int n_addrs;
	unsigned int prefix_len;      /* of the subnet the addresses are on */
	uint32_t gateway;             /* default gateway, on that subnet */
	uint16_t port_lo;             /* relay UDP ports, host order, both even/odd inclusive */
	uint16_t port_hi;
	char ctl_path[VR_PATH_MAX];   /* control socket */
	char shm_name[64];            /* stats shared memory object */
	uint32_t idle_timeout_ms;
	uint32_t learn_window_ms;     /* default learning window for an unlatched leg */
	uint32_t relatch_pkts;        /* in-sequence packets needed to re-latch */
	uint32_t max_calls;
	uint32_t arp_timeout_ms;      /* a resolved neighbour is re-probed after this */
	uint16_t port_id;             /* ethdev port */
	uint8_t dscp;                 /* DSCP of relayed packets */
	uint8_t ttl;                  /* TTL of relayed packets */
	uint32_t nb_mbufs;
	uint16_t tunnel_port;         /* SBC tunnels' UDP port, host order */
	uint32_t max_sbcs;            /* SBCs that may be configured at once */
	uint8_t srtp_engine;          /* enum vr_srtp_engine */
	char crypto_dev[64];          /* the cryptodev for VR_SRTP_ENGINE_CRYPTODEV */
	uint8_t crypto_dev_given;     /* --crypto-dev was given: no other device is picked */
	uint8_t tunnel_cksum;         /* a UDP checksum into tunnels (--tunnel-checksum) */
	uint32_t hello_rate;          /* SBC hellos a second (and burst) per SBC, per worker */
	uint32_t hello_source_rate;   /* the same per source address */
	uint8_t standby;              /* every address starts inactive (--standby) */
};

/* Who does the tunnel's SRTP (--srtp-engine). */
enum vr_srtp_engine {
	VR_SRTP_ENGINE_AUTO = 0,      /* the crypto device if it works, else libsrtp */
	VR_SRTP_ENGINE_LIBSRTP,
	VR_SRTP_ENGINE_CRYPTODEV,
};

/* Fills cfg with the defaults. */
void vr_config_defaults(struct vr_config *cfg);

/*
 * Parses argv (argv[0] is the program name) into cfg, which holds the
 * defaults. Returns 0, 1 when --help was given (usage already printed to
 * out), or -EINVAL after writing one line naming the bad option and value to
 * err.
 */
int vr_config_parse(struct vr_config *cfg, int argc, char **argv, FILE *out, FILE *err);

/* Writes the usage text. */
void vr_config_usage(FILE *out, const char *prog);

/* Is ip (network order) on the configured subnet? */
int vr_config_on_link(const struct vr_config *cfg, uint32_t ip);

#endif /* VR_DP_CONFIG_H */
