/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one list of voxrelay's counters and drop reasons. The dataplane
 * increments them (each row has a single writing lcore), the shared-memory
 * layout (shm.h) and the control channel (ctl.h) carry them, and voxrelayctl
 * and voxrelay-control print them by the names given here. Appending to a list
 * is a compatible change (readers locate each list with the writer's counts:
 * shm.h's n_global, n_drop, n_flow); reordering or removing an entry bumps
 * VR_SHM_VERSION and VR_CTL_VERSION.
 */
#ifndef VOXRELAY_COUNTERS_H
#define VOXRELAY_COUNTERS_H

/* Global counters, one row per worker lcore: X(ENUM, name, description). */
#define VR_GLOBAL_COUNTERS(X)                                                  \
	X(RX_PKTS, rx_pkts, "packets received from the port")                  \
	X(RX_BYTES, rx_bytes, "bytes received from the port")                  \
	X(TX_PKTS, tx_pkts, "packets accepted by the port for sending")        \
	X(TX_BYTES, tx_bytes, "bytes accepted by the port for sending")        \
	X(FWD_PKTS, fwd_pkts, "RTP and RTCP packets relayed")                  \
	X(FWD_BYTES, fwd_bytes, "RTP and RTCP bytes relayed")                  \
	X(ARP_IN, arp_in, "ARP packets passed to the slow path")               \
	X(ARP_OUT, arp_out, "ARP requests and replies sent")                   \
	X(ICMP_ECHO, icmp_echo, "ICMP echo requests answered")                 \
	X(HANDOFF, handoff, "packets passed to the lcore that owns their call") \
	X(RELATCH, relatch, "peers re-latched after a NAT rebinding")          \
	X(BUSY_TSC, busy_tsc, "TSC cycles spent in loops that had packets")   \
	X(TUN_RX, tun_rx, "tunnel packets authenticated and decrypted")       \
	X(TUN_TX, tun_tx, "packets encrypted into an SBC tunnel")

/*
 * Drop reasons: X(ENUM, name, description). Every dropped packet is counted
 * under exactly one reason, globally (per lcore) and, once its flow is known,
 * also in the flow's own row when the dropping lcore owns the flow (not
 * HANDOFF_FULL: only the owner writes a flow's row).
 */
#define VR_DROP_REASONS(X)                                                     \
	X(NOT_IPV4, not_ipv4, "neither IPv4 nor ARP")                          \
	X(NOT_OURS, not_ours, "not addressed to one of the relay's addresses, or to one another host owns (inactive here)") \
	X(MALFORMED, malformed, "truncated or inconsistent Ethernet/IPv4/UDP header") \
	X(BAD_CKSUM, bad_cksum, "checksum reported bad by the port")           \
	X(IP_OPTIONS, ip_options, "IPv4 header with options")                  \
	X(FRAGMENT, fragment, "IPv4 fragment")                                 \
	X(NOT_UDP, not_udp, "IPv4 protocol other than UDP or ICMP")            \
	X(ICMP_OTHER, icmp_other, "ICMP other than an echo request")           \
	X(NOT_RELAY_PORT, not_relay_port, "UDP port outside the relay range")  \
	X(NO_FLOW, no_flow, "relay port with no call bound")                   \
	X(NOT_RTP, not_rtp, "not a well-formed RTP v2 packet on an RTP port")  \
	X(NOT_RTCP, not_rtcp, "not a well-formed RTCP packet on an RTCP port") \
	X(BAD_SOURCE, bad_source, "source outside the leg's expected peer")    \
	X(NOT_LATCHED_SOURCE, not_latched_source,                              \
		"source differs from the latched peer")                        \
	X(LEARN_EXPIRED, learn_expired, "unlatched leg past its learning window") \
	X(PEER_UNLATCHED, peer_unlatched, "the other leg has no peer address yet") \
	X(NO_NEIGH, no_neigh, "next hop's MAC address not resolved")           \
	X(TX_FULL, tx_full, "the port refused the packet")                     \
	X(HANDOFF_FULL, handoff_full, "the owning lcore's handoff ring was full") \
	X(SLOWPATH_FULL, slowpath_full, "the slow-path ring was full")         \
	X(TUN_MALFORMED, tun_malformed, "not a well-formed tunnel message")      \
	X(TUN_UNKNOWN_SBC, tun_unknown_sbc, "tunnel message from an SBC id not configured") \
	X(TUN_UNKNOWN_CHANNEL, tun_unknown_channel, "tunnel channel with no call bound") \
	X(TUN_UNKNOWN_KEY, tun_unknown_key, "tunnel key id not among the SBC's keys") \
	X(SRTP_AUTH, srtp_auth, "SRTP authentication failed: tampered, wrong key or forged") \
	X(SRTP_REPLAY, srtp_replay, "SRTP packet replayed or too old")           \
	X(SRTP_ERROR, srtp_error, "SRTP processing failed otherwise (no room, bad packet)") \
	X(TUN_STALE_EPOCH, tun_stale_epoch,                                    \
		"tunnel packet under another call's or boot's keys (replayed, or the SBC is behind)") \
	X(SRTP_SSRC_LIMIT, srtp_ssrc_limit,                                    \
		"a new SSRC on a tunnel leg that has carried its limit of SSRCs")  \
	X(TUN_HELLO_STALE, tun_hello_stale,                                    \
		"hello that echoes no open challenge: answered, not believed") \
	X(TUN_HELLO_RATE, tun_hello_rate, "SBC hello over the rate limit for its SBC or source")

/* Per-flow counters besides the drops: X(ENUM, name, description). */
#define VR_FLOW_COUNTERS(X)                                                    \
	X(PKTS, pkts, "packets relayed")                                       \
	X(BYTES, bytes, "bytes relayed (IP length)")                           \
	X(RTP_RECEIVED, rtp_received, "RTP packets accepted, duplicates excluded") \
	X(RTP_DUP, rtp_dup, "RTP packets with an already seen sequence number") \
	X(RTP_REORDERED, rtp_reordered, "RTP packets that arrived late")       \
	X(SSRC_CHANGES, ssrc_changes, "changes of SSRC from the latched peer") \
	X(RELATCHES, relatches, "re-latches to a new peer address")

#define VR_ENUM_(e, n, d) VR_GC_##e,
/* Index of a global counter in a vr_shm_lcore row. */
enum vr_global_counter { VR_GLOBAL_COUNTERS(VR_ENUM_) VR_GC_MAX };
#undef VR_ENUM_

#define VR_ENUM_(e, n, d) VR_DROP_##e,
/* Index of a drop reason in a drops[] array. */
enum vr_drop_reason { VR_DROP_REASONS(VR_ENUM_) VR_DROP_MAX };
#undef VR_ENUM_

#define VR_ENUM_(e, n, d) VR_FC_##e,
/* Index of a per-flow counter in vr_shm_flow.c[]. */
enum vr_flow_counter { VR_FLOW_COUNTERS(VR_ENUM_) VR_FC_MAX };
#undef VR_ENUM_

#define VR_NAME_(e, n, d) #n,
/* Name of global counter i, or NULL when out of range. */
static inline const char *
vr_global_counter_name(unsigned int i)
{
	static const char *const names[] = { VR_GLOBAL_COUNTERS(VR_NAME_) };

	return i < VR_GC_MAX ? names[i] : NULL;
}

/* Name of drop reason i, or NULL when out of range. */
static inline const char *
vr_drop_name(unsigned int i)
{
	static const char *const names[] = { VR_DROP_REASONS(VR_NAME_) };

	return i < VR_DROP_MAX ? names[i] : NULL;
}

/* Name of flow counter i, or NULL when out of range. */
static inline const char *
vr_flow_counter_name(unsigned int i)
{
	static const char *const names[] = { VR_FLOW_COUNTERS(VR_NAME_) };

	return i < VR_FC_MAX ? names[i] : NULL;
}
#undef VR_NAME_

#endif /* VOXRELAY_COUNTERS_H */
