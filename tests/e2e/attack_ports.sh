#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end attacker suite on the relay ports (issue 12), in the namespace
# estate (scripts/topology.sh) with one more host: "sat", an attacker inside
# the site, behind its NAT, so that his packets come from the site's public
# address 203.0.113.2 and, from port 14005, from inside phone 101's RTP
# block: what RTP Bleed protection cannot tell from the phone by address.
# Two phones of the site talk through the relay (call c1, 12 s at 50
# packets a second each way) while:
#   1. before the phones' first packets, the attacker at 192.0.2.66 sprays
#      every port of the call with RTP (vr_phone --spray);
#   2. after them, he sprays again, and sends truncated, not-RTP, RTCP to
#      the RTP ports and RTP to the RTCP ports, oversized and fragmented
#      datagrams (vr_junk), and floods ICMP echo at the relay and ARP
#      requests for its address on its LAN (vr_arpflood);
#   3. the attacker inside the site sprays from the site's address and an
#      in-block port, also while phone 101 moves to a new NAT mapping (a
#      new port in its block) and the relay must re-latch.
# Checks: the phones lose nothing and receive nothing but each other's
# media; the attackers receive nothing; the relay counts a drop for every
# datagram they sent; and each
# leg stays latched to its phone.
#
# Usage: attack_ports.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: attack_ports.sh BUILD_DIR}" && pwd)
PHONE=$BUILD/tests/vr_phone
JUNK=$BUILD/tests/vr_junk
ARPFLOOD=$BUILD/tests/vr_arpflood
P=vrk$$
WORK=$(mktemp -d /tmp/voxrelay-attack.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 53) % 20000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT

vr_topo_up
# The attacker inside the site: a third host on the site's LAN.
ip netns add "$P-sat"
VR_TOPO_HOSTS="$VR_TOPO_HOSTS sat"
vr_veth site lan3 sat eth0
vr_x site ip link set lan3 master br0
vr_x sat ip link set lo up
vr_x sat ip addr add 192.168.50.66/24 dev eth0
vr_x sat ip route add default via 192.168.50.1
start_redis
start_dp
start_control

site_phones rcli
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
wait_for 5 listed c1 || fail "call c1 never reached the dataplane"

stats() { ctl --json stats; }
# drops_sum: the drops the dataplane counted under the reasons an attacker's
# datagrams can have, summed (not those of the namespaces' own IPv6 chatter,
# not_ipv4, nor the phones' first packets, peer_unlatched).
drops_sum() {
	stats | grep -o '"drops":{[^}]*}' | tr ',{' '\n\n' |
		grep -E '"(malformed|ip_options|fragment|not_udp|not_relay_port|no_flow|not_rtp|not_rtcp|bad_source|not_latched_source|learn_expired)":' |
		cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }'
}
d0=$(drops_sum)

# 1. Before the phones: RTP sprayed at every port of the call.
x att "$PHONE" --bind 192.0.2.66:40000 --spray $RELAY:20000-20003 --count 100 --pps 400 \
	--linger 300 >"$WORK/spray1.json"
[ "$(ctl --json show c1 | grep -o '"latch":"[a-z]*"' | sort -u)" = '"latch":"learning"' ] ||
	fail "the spray latched a leg: $(ctl --json show c1)"
echo "ok: RTP sprayed before the phones spoke latched nothing"

# 2. The phones talk; after their first packets the attackers go on.
# Phone 101 moves to a new NAT mapping (port 14002, in its block) at 6 s,
# while the attacker inside the site sprays from the same block.
x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
	--tag PH1 --expect-tag PH2 --count 600 --pps 50 --ssrc 0x101 --rebind-at 300 \
	>"$WORK/ph1.json" &
A=$!
x ph2 "$PHONE" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
	--tag PH2 --expect-tag PH1 --count 600 --pps 50 --ssrc 0x102 >"$WORK/ph2.json" &
B=$!
sleep 1
x att "$PHONE" --bind 192.0.2.66:40001 --spray $RELAY:20000-20003 --count 400 --pps 400 \
	--linger 300 >"$WORK/spray2.json" &
C=$!
x att "$JUNK" --bind 192.0.2.66:40002 --relay $RELAY --ports 20000-20003 --count 20 \
	>"$WORK/junk.json" &
D=$!
# 3. From inside the site: the site's address and a port in phone 101's block.
x sat "$PHONE" --bind 192.168.50.66:14005 --spray $RELAY:20000-20003 --count 2400 --pps 400 \
	--linger 300 >"$WORK/spray3.json" &
E=$!
x att ping -f -c 2000 -W 1 $RELAY >"$WORK/ping.log" 2>&1 || true
wait $C $D $E || fail "an attacker tool failed"
# ARP requests for the relay's address from made-up hosts of its LAN (the
# flood comes from the router's side of the relay's link), 50,000 a second
# for 2 s, while the phones talk on (as fast as they go, about 180,000 a
# second, the flood's generator and the kernel's veths take this two-core
# host's CPU from the relay's port now and then, and a phone loses a packet
# or three in the kernel, not in the relay); after the sprays, so that
# none of the sprayed datagrams, which must each be counted, is lost to the
# flood on this host's veths before the relay sees it. (The relay logged every neighbour change it
# learnt: such a flood kept its main lcore writing, and both phones lost
# audio; now at most 10 lines a second.)
arp0=$(num "$(stats)" arp_in)
x inet "$ARPFLOOD" --ifname ipbx --target $RELAY --count 100000 --pps 50000 --secs 3 \
	>"$WORK/arp.json"
wait $A $B || fail "a phone failed"
sleep 0.5

ph1=$(cat "$WORK/ph1.json") ph2=$(cat "$WORK/ph2.json")
s1=$(cat "$WORK/spray1.json") s2=$(cat "$WORK/spray2.json") s3=$(cat "$WORK/spray3.json")
junk=$(cat "$WORK/junk.json")
echo "ph1: $ph1"
echo "ph2: $ph2"
echo "spray before: $s1"
echo "spray after: $s2"
echo "spray from inside the site: $s3"
echo "junk: $junk"
# No loss but at phone 101's NAT rebinding (packet 300): the relay takes
# its new address after 5 packets in sequence (rule 4), and sends it the
# other phone's until then to the old one.
for j in "$ph1" "$ph2"; do
	[ "$(num "$j" last_seq)" = 599 ] && [ "$(num "$j" gap_loss)" -le 10 ] ||
		fail "a phone lost audio: $j"
	for h in $(grep -o '"holes":\[[^]]*\]' <<<"$j" | grep -o '[0-9]*-[0-9]*'); do
		[ "${h%-*}" -ge 295 ] && [ "${h#*-}" -le 315 ] || fail "a phone lost audio at $h: $j"
	done
	[ "$(num "$j" foreign)" = 0 ] && [ "$(num "$j" bad_tag)" = 0 ] && [ "$(num "$j" dup)" = 0 ] ||
		fail "a phone got packets that were not its peer's: $j"
done
echo "ok: the phones lost nothing but at the NAT rebinding ($(num "$ph1" gap_loss) and $(num "$ph2" gap_loss) packets) and got nothing but each other's media"
for j in "$s1" "$s2" "$s3"; do
	[ "$(num "$j" rtp_rx)" = 0 ] && [ "$(num "$j" foreign)" = 0 ] ||
		fail "an attacker received media: $j"
done
[ "$(num "$junk" back)" = 0 ] || fail "the junk sender received something: $junk"
echo "ok: the attackers received nothing"

# Every datagram the attackers sent is a drop. A fragmented one counts
# once at least: over these veths its fragments reach the relay's
# af_packet port as one frame shorter than its IP length (malformed); a
# NIC hands over each fragment (fragment).
sent=$(( $(num "$s1" sent) + $(num "$s2" sent) + $(num "$s3" sent) +
	$(num "$junk" short) + $(num "$junk" not_rtp) + $(num "$junk" rtcp_to_rtp) +
	$(num "$junk" rtp_to_rtcp) + $(num "$junk" big) + $(num "$junk" frag) ))
dropped=$(( $(drops_sum) - d0 ))
st=$(stats)
echo "attackers sent $sent datagrams, the relay counted $dropped drops under their reasons"
echo "drops: $(grep -o '"drops":{[^}]*}' <<<"$st")"
# Beyond them, the few packets of phone 101 from its new address before
# the relay took it (rule 4's proof).
[ "$dropped" -ge "$sent" ] && [ "$dropped" -le $((sent + 10)) ] ||
	fail "$sent sent, $dropped counted as drops"
[ "$(num "$st" icmp_echo)" -ge 1 ] || fail "the relay answered no ICMP echo during the flood"
arp=$(cat "$WORK/arp.json")
echo "ARP flood: $arp, the relay took $(( $(num "$st" arp_in) - arp0 )) to its slow path"
[ "$(num "$arp" sent)" -ge 1000 ] || fail "the ARP flood sent little: $arp"
ctl --json health | grep -q '"gateway_resolved":true' || fail "the gateway is unresolved after the ARP flood"
show=$(ctl --json show c1)
grep -q '"latch":"latched","peer":"203.0.113.2:14002"' <<<"$show" &&
	grep -q '"latch":"latched","peer":"203.0.113.2:14020"' <<<"$show" ||
	fail "a leg moved off its phone: $show"
echo "ok: every attacker datagram counted as a drop; the legs stay latched to the phones"
echo "e2e attack_ports: 4 passed, 0 failed"
