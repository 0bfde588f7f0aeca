/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP for the relay's addresses and the neighbour cache. Runs on the main
 * lcore only, which is the only writer of the neighbour words that workers
 * read (dp.h) and of which relay addresses are active on this host.
 * Answers ARP requests for each active relay address, and announces one
 * made active with gratuitous ARP; learns a
 * neighbour's MAC from a reply to one of its requests or from a request aimed
 * at one of our addresses (as Linux does), never from unsolicited chatter;
 * resolves next hops that workers ask for (one request a second at most per
 * address, three tries), re-probes resolved neighbours after --arp-timeout and
 * forgets them after three unanswered probes. The gateway is kept resolved.
 * Packets go out through worker 0's slow_tx ring.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "neigh.h"

#define PROBES 3

int
vr_neigh_init(struct vr_dp *dp)
{
	struct vr_neigh *n = &dp->neigh;

	n->size = 1u << (32 - dp->cfg.prefix_len);
	n->net = ntohl(dp->cfg.addrs[0]) & ~(n->size - 1);
	n->gw_idx = ntohl(dp->cfg.gateway) - n->net;
	n->word = rte_zmalloc("vr_neigh", sizeof(uint64_t) * n->size, RTE_CACHE_LINE_SIZE);
	n->stamp = rte_zmalloc("vr_neigh_stamp", sizeof(uint64_t) * n->size, 0);
	n->tries = rte_zmalloc("vr_neigh_tries", n->size, 0);
	n->active = rte_zmalloc("vr_neigh_active", sizeof(uint32_t) * n->size, 0);
	if (n->word == NULL || n->stamp == NULL || n->tries == NULL || n->active == NULL)
		return -ENOMEM;
	return 0;
}

void
vr_neigh_fini(struct vr_dp *dp)
{
	rte_free(dp->neigh.word);
	rte_free(dp->neigh.stamp);
	rte_free(dp->neigh.tries);
	rte_free(dp->neigh.active);
	memset(&dp->neigh, 0, sizeof(dp->neigh));
}

int
vr_slow_send(struct vr_dp *dp, struct rte_mbuf *m)
{
	if (rte_ring_sp_enqueue(dp->lc[0]->slow_tx, m) != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static void
set_word(struct vr_neigh *n, uint32_t host, uint64_t w)
{
	if (n->word[host] == 0 && w != 0)
		n->active[n->n_active++] = host;
	__atomic_store_n(&n->word[host], w, __ATOMIC_RELEASE);
}

/*
 * A broadcast ARP frame from us: op, sender ip sip, target ip tip (network
 * order). Sent from the main lcore's queue.
 */
static void
send_arp(struct vr_dp *dp, uint16_t op, uint32_t sip, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&dp->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&dp->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = sip;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = tip;
	vr_slow_send(dp, m);
}

/*
 * Asks for host from our first active address; with none active (a
 * standby), from 0.0.0.0 (an ARP probe, RFC 5227), so that no neighbour
 * learns another host's address at our MAC.
 */
static void
send_request(struct vr_dp *dp, uint32_t host)
{
	uint64_t act = __atomic_load_n(&dp->addrs_active, __ATOMIC_RELAXED);

	send_arp(dp, RTE_ARP_OP_REQUEST, act != 0 ? dp->cfg.addrs[__builtin_ctzll(act)] : 0,
		htonl(dp->neigh.net + host));
}

/* Gratuitous ARP for the addresses in mask: a request and a reply each. */
static void
announce(struct vr_dp *dp, uint64_t mask)
{
	unsigned int i;

	for (i = 0; i < dp->cfg.n_addrs; i++) {
		if (!(mask >> i & 1))
			continue;
		send_arp(dp, RTE_ARP_OP_REQUEST, dp->cfg.addrs[i], dp->cfg.addrs[i]);
		send_arp(dp, RTE_ARP_OP_REPLY, dp->cfg.addrs[i], dp->cfg.addrs[i]);
	}
}

/*
 * Makes the addresses in bit active (announced now, and once more a second
 * later for a switch or router that missed it) or inactive.
 */
static void
addr_switch(struct vr_dp *dp, uint64_t bit, int active)
{
	uint64_t act = dp->addrs_active;

	__atomic_store_n(&dp->addrs_active, active ? act | bit : act & ~bit, __ATOMIC_RELAXED);
	if (active) {
		announce(dp, bit);
		dp->announce_again |= bit;
		dp->announce_tsc = rte_rdtsc() + dp->tsc_hz;
	} else {
		dp->announce_again &= ~bit;
	}
}

/*
 * Another host (mac) announces relay address a, active here: it took the
 * address over (its control holds the lease now, docs/ha.md), and this host
 * yields at once instead of answering for it against that host. Our control
 * sees the address inactive, asks Redis, and makes it active again only if
 * it still holds the lease (so a forged announcement costs a blip and a
 * lease round, not the address).
 */
static void
yield(struct vr_dp *dp, unsigned int a, const struct rte_ether_addr *mac)
{
	char s[INET_ADDRSTRLEN], m[RTE_ETHER_ADDR_FMT_SIZE];

	addr_switch(dp, 1ull << a, 0);
	inet_ntop(AF_INET, &dp->cfg.addrs[a], s, sizeof(s));
	rte_ether_format_addr(m, sizeof(m), mac);
	VR_LOG(WARNING, "relay address %s: %s says it has it: inactive here", s, m);
}

int
vr_neigh_addr_set(struct vr_dp *dp, uint32_t ip, int active, char *err, size_t errlen)
{
	int a = vr_addr_index(dp, ip);
	uint64_t bit;
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &ip, s, sizeof(s));
	if (a < 0) {
		snprintf(err, errlen, "%s is not one of this dataplane's relay addresses (--addr)", s);
		return -EINVAL;
	}
	bit = 1ull << a;
	if (!!(dp->addrs_active & bit) == !!active)
		return 0;
	addr_switch(dp, bit, active);
	VR_LOG(INFO, "relay address %s %s", s, active ? "active: announced with gratuitous ARP" :
		"inactive: another host owns it");
	return 0;
}

void
vr_neigh_resolve(struct vr_dp *dp, uint32_t host, uint64_t now)
{
	struct vr_neigh *n = &dp->neigh;

	if (host >= n->size || n->word[host] != 0)
		return;
	set_word(n, host, VR_NEIGH_PENDING);
	n->stamp[host] = now;
	n->tries[host] = 1;
	send_request(dp, host);
}

static void
learn(struct vr_dp *dp, uint32_t host, const struct rte_ether_addr *mac, int create, uint64_t now)
{
	struct vr_neigh *n = &dp->neigh;
	uint64_t w = 0;

	if (host >= n->size || host == 0 || host == n->size - 1)
		return;
	if (n->word[host] == 0 && !create)
		return;
	memcpy(&w, mac, RTE_ETHER_ADDR_LEN);
	if ((n->word[host] & VR_NEIGH_VALID) == 0 ||
			(n->word[host] & VR_NEIGH_MAC_MASK) != w) {
		char ip[INET_ADDRSTRLEN];
		uint32_t a = htonl(n->net + host);

		/* One line per change, but at most 10 a second: an ARP flood from
		 * made-up senders would otherwise keep the main lcore writing. */
		if (now - n->log_tsc >= dp->tsc_hz) {
			if (n->log_quiet > 0)
				VR_LOG(INFO, "%u more neighbour changes not logged", n->log_quiet);
			n->log_tsc = now;
			n->log_n = 0;
			n->log_quiet = 0;
		}
		if (n->log_n++ < 10) {
			inet_ntop(AF_INET, &a, ip, sizeof(ip));
			VR_LOG(INFO, "neighbour %s is at %02x:%02x:%02x:%02x:%02x:%02x", ip,
				mac->addr_bytes[0], mac->addr_bytes[1], mac->addr_bytes[2],
				mac->addr_bytes[3], mac->addr_bytes[4], mac->addr_bytes[5]);
		} else {
			n->log_quiet++;
		}
	}
	set_word(n, host, VR_NEIGH_VALID | w);
	n->stamp[host] = now;
	n->tries[host] = 0;
}

void
vr_neigh_input(struct vr_dp *dp, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	uint32_t sip, tip;
	int ours, a;

	if (m->data_len < sizeof(*eth) + sizeof(*arp) ||
			arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
			!rte_is_unicast_ether_addr(&arp->arp_data.arp_sha))
		goto out;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	/* Only between hosts that hand addresses over (--standby), and only to
	 * an announcement: an ARP packet that merely names our address as its
	 * sender (a flood, a misconfigured host) is ignored, as without HA. */
	a = vr_addr_active_index(dp, sip);
	if (a >= 0 && dp->cfg.standby && sip == tip &&
			!rte_is_same_ether_addr(&arp->arp_data.arp_sha, &dp->mac))
		yield(dp, (unsigned int)a, &arp->arp_data.arp_sha);
	ours = vr_addr_active_index(dp, tip) >= 0;
	if (vr_addr_index(dp, sip) >= 0)
		goto out; /* someone else claims our address, or our own echo */
	learn(dp, ntohl(sip) - dp->neigh.net, &arp->arp_data.arp_sha, ours, now);
	if (!ours || arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		goto out;
	/* Answer in place. */
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &eth->dst_addr);
	rte_ether_addr_copy(&dp->mac, &eth->src_addr);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = sip;
	rte_ether_addr_copy(&dp->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = tip;
	rte_pktmbuf_trim(m, m->pkt_len - (sizeof(*eth) + sizeof(*arp)));
	m->ol_flags = 0;
	vr_slow_send(dp, m);
	return;
out:
	rte_pktmbuf_free(m);
}

void
vr_neigh_timers(struct vr_dp *dp, uint64_t now)
{
	struct vr_neigh *n = &dp->neigh;
	uint64_t retry = dp->tsc_hz;
	uint64_t reach = dp->tsc_hz / 1000 * dp->cfg.arp_timeout_ms;
	uint32_t i = 0, host;

	if (dp->announce_again != 0 && now >= dp->announce_tsc) {
		announce(dp, dp->announce_again & __atomic_load_n(&dp->addrs_active,
			__ATOMIC_RELAXED));
		dp->announce_again = 0;
	}
	if (n->word[n->gw_idx] == 0)
		vr_neigh_resolve(dp, n->gw_idx, now);
	while (i < n->n_active) {
		uint64_t w;

		host = n->active[i];
		w = n->word[host];
		if (w & VR_NEIGH_VALID) {
			/* Probe after the reachable time, then once a second. */
			if ((int64_t)(now - n->stamp[host]) >
					(int64_t)(reach + (uint64_t)n->tries[host] * retry)) {
				if (n->tries[host] >= PROBES) {
					w = 0;
				} else {
					n->tries[host]++;
					send_request(dp, host);
				}
			}
		} else if ((int64_t)(now - n->stamp[host]) > (int64_t)retry) {
			if (n->tries[host] >= PROBES) {
				w = 0;
			} else {
				n->tries[host]++;
				n->stamp[host] = now;
				send_request(dp, host);
			}
		}
		if (w == 0) {
			__atomic_store_n(&n->word[host], 0, __ATOMIC_RELEASE);
			n->tries[host] = 0;
			n->active[i] = n->active[--n->n_active];
			continue;
		}
		i++;
	}
}
