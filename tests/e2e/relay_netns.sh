#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: two remote STUN phones behind one NAT (no hairpin) talk through
# voxrelay-dp on a veth it owns with net_af_packet; an attacker sprays the
# relay's ports. Everything runs in network namespaces this script creates and
# removes; traffic stays inside them.
#
#   ph1 192.168.50.11 --+                                 +-- pbx: voxrelay-dp
#   ph2 192.168.50.12 --+-- site (NAT 203.0.113.2) -- inet --  198.51.100.10
#                          RTP 14000-19 -> ph1          +-- att 192.0.2.66
#                          RTP 14020-39 -> ph2
#
# Usage: relay_netns.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: relay_netns.sh BUILD_DIR}" && pwd)
DP=$BUILD/dataplane/voxrelay-dp
CTL=$BUILD/control/voxrelayctl
PHONE=$BUILD/tests/vr_phone
P=vrt$$
WORK=$(mktemp -d /tmp/voxrelay-e2e.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
DP_PID=

fail() { echo "FAIL: $*"; exit 1; }

cleanup() {
	set +e
	[ -n "$DP_PID" ] && kill "$DP_PID" 2>/dev/null && wait "$DP_PID" 2>/dev/null
	for ns in pbx inet site ph1 ph2 att; do ip netns del "$P-$ns" 2>/dev/null; done
	if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

for ns in pbx inet site ph1 ph2 att; do ip netns add "$P-$ns"; done
x() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }
# veth NS1 IF1 NS2 IF2: a link; checksums computed in software on both ends, so
# that packets carry full checksums as they would on a wire.
veth() {
	ip link add "$2" netns "$P-$1" type veth peer name "$4" netns "$P-$3"
	x "$1" ethtool -K "$2" tx off rx off gro off gso off tso off >/dev/null 2>&1 || true
	x "$3" ethtool -K "$4" tx off rx off gro off gso off tso off >/dev/null 2>&1 || true
	x "$1" ip link set "$2" up
	x "$3" ip link set "$4" up
}
veth pbx dp0 inet ipbx
veth inet isite site wan
veth inet iatt att eth0
veth site lan1 ph1 eth0
veth site lan2 ph2 eth0
for ns in pbx inet site ph1 ph2 att; do x $ns ip link set lo up; done

x inet ip addr add 198.51.100.1/24 dev ipbx
x inet ip addr add 203.0.113.1/24 dev isite
x inet ip addr add 192.0.2.1/24 dev iatt
x inet sysctl -qw net.ipv4.ip_forward=1
x att ip addr add 192.0.2.66/24 dev eth0
x att ip route add default via 192.0.2.1

# The site: a NAT router with the 3CX remote-extension port forwards.
x site ip link add br0 type bridge
x site ip link set lan1 master br0
x site ip link set lan2 master br0
x site ip link set br0 up
x site ip addr add 192.168.50.1/24 dev br0
x site ip addr add 203.0.113.2/24 dev wan
x site ip route add default via 203.0.113.1
x site sysctl -qw net.ipv4.ip_forward=1
x site nft -f - <<'EOF'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		iifname "wan" udp dport 5065 dnat to 192.168.50.11:5060
		iifname "wan" udp dport 5066 dnat to 192.168.50.12:5060
		iifname "wan" udp dport 14000-14019 dnat to 192.168.50.11
		iifname "wan" udp dport 14020-14039 dnat to 192.168.50.12
	}
	chain postrouting {
		type nat hook postrouting priority srcnat;
		oifname "wan" masquerade
	}
}
EOF
x ph1 ip addr add 192.168.50.11/24 dev eth0
x ph1 ip route add default via 192.168.50.1
x ph2 ip addr add 192.168.50.12/24 dev eth0
x ph2 ip route add default via 192.168.50.1

# The relay owns 198.51.100.10 on dp0; the kernel has no address there.
# --in-memory needs hugepages; without them, a private --file-prefix.
EAL_MEM=(--in-memory)
if [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -lt 128 ]; then
	EAL_MEM=(--no-huge -m 512 --file-prefix "$P")
fi
# Not through x(): $! must be the dataplane itself, so that cleanup can stop it.
ip netns exec "$P-pbx" "$DP" -l 0,1 "${EAL_MEM[@]}" --no-pci --vdev=net_af_packet0,iface=dp0 \
	--log-level=user.voxrelay.dp:info -- \
	--addr $RELAY --prefix 24 --gateway 198.51.100.1 --ports 20000-20999 \
	--ctl "$SOCK" --shm "/$P" --max-calls 1024 --idle-timeout 5 \
	>"$WORK/dp.log" 2>&1 &
DP_PID=$!
ctl() { "$CTL" -s "$SOCK" "$@"; }

for _ in $(seq 100); do
	if ctl --json health 2>/dev/null | grep -q '"gateway_resolved":true'; then break; fi
	kill -0 "$DP_PID" 2>/dev/null || { cat "$WORK/dp.log"; fail "voxrelay-dp exited"; }
	sleep 0.1
done
ctl --json health | grep -q '"gateway_resolved":true' || { cat "$WORK/dp.log"; fail "gateway never resolved"; }
echo "ok: voxrelay-dp up, gateway resolved by ARP"

# ARP and ICMP for its own address, from the router.
x inet ping -c 3 -i 0.2 -W 2 $RELAY >/dev/null || fail "relay address does not answer ping"
echo "ok: relay answers ARP and ICMP echo"

# Bad calls are refused with the value named; nothing gets bound.
out=$(ctl add bad $RELAY:20001 $RELAY:20002 2>&1) && fail "odd port accepted"
echo "$out" | grep -q "port 20001" || fail "odd port error does not name it: $out"
out=$(ctl add bad 198.51.100.99:20000 $RELAY:20002 2>&1) && fail "foreign address accepted"
echo "$out" | grep -q "198.51.100.99" || fail "address error does not name it: $out"

# The call: each leg expects its phone's public address and RTP block.
ctl add call1 "$RELAY:20000,peer=203.0.113.2:14000-14019" \
	"$RELAY:20002,peer=203.0.113.2:14020-14039"
out=$(ctl add clash $RELAY:20002 $RELAY:20010 2>&1) && fail "port clash accepted"
echo "$out" | grep -q "bound to call 'call1'" || fail "clash error: $out"
ctl list

# 5 s of audio each way at 50 packets/s, while the attacker sprays.
x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
	--tag PHONE1 --expect-tag PHONE2 --count 250 --pps 50 --ssrc 0x1111 >"$WORK/ph1.json" &
A=$!
x ph2 "$PHONE" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
	--tag PHONE2 --expect-tag PHONE1 --count 250 --pps 50 --ssrc 0x2222 >"$WORK/ph2.json" &
B=$!
sleep 1
x att "$PHONE" --bind 192.0.2.66:40000 --spray $RELAY:20000-20003 --count 200 --pps 100 \
	--linger 500 >"$WORK/att1.json" &
C=$!
x att "$PHONE" --bind 192.0.2.66:40010 --spray $RELAY:20100-20109 --count 100 --pps 100 \
	--linger 500 >"$WORK/att2.json" &
D=$!
wait $A $B $C $D
for f in ph1 ph2 att1 att2; do echo "$f: $(cat "$WORK/$f.json")"; done

num() { sed -n "s/.*\"$2\":\\([0-9-]*\\).*/\\1/p" "$WORK/$1.json"; }
for ph in ph1 ph2; do
	[ "$(num $ph foreign)" = 0 ] || fail "$ph received packets from a source other than the relay"
	[ "$(num $ph bad_tag)" = 0 ] || fail "$ph received a packet that is not the other phone's"
	[ "$(num $ph gap_loss)" = 0 ] || fail "$ph lost packets at steady state"
	[ "$(num $ph last_seq)" = 249 ] || fail "$ph did not receive the stream's end"
	[ "$(num $ph first_seq)" -le 50 ] || fail "$ph started receiving only at packet $(num $ph first_seq)"
	[ "$(num $ph rtcp_rx)" -ge 8 ] || fail "$ph received $(num $ph rtcp_rx) RTCP packets, want >= 8"
done
echo "ok: both phones received the other's stream from the relay, no loss at steady state"
for a in att1 att2; do
	[ "$(num $a foreign)" = 0 ] || fail "attacker $a received $(num $a foreign) packets"
done
echo "ok: the attacker received nothing"

stats=$(ctl --json stats)
echo "$stats"
bad=$(echo "$stats" | sed -n 's/.*"bad_source":\([0-9]*\).*/\1/p')
noflow=$(echo "$stats" | sed -n 's/.*"no_flow":\([0-9]*\).*/\1/p')
[ "$bad" = 200 ] || fail "bad_source is $bad, want the attacker's 200"
[ "$noflow" = 100 ] || fail "no_flow is $noflow, want the attacker's 100"
echo "ok: attacker's packets counted: bad_source=$bad no_flow=$noflow"

show=$(ctl --json show call1)
echo "$show" | grep -q '"a.rtp":{"latch":"latched","peer":"203.0.113.2:14000"' ||
	fail "leg a not latched to ph1's public address: $show"
echo "$show" | grep -q '"b.rtp":{"latch":"latched","peer":"203.0.113.2:14020"' ||
	fail "leg b not latched to ph2's public address: $show"
ctl show call1

# Idle reporting: no packets for the idle timeout (5 s here).
sleep 6
ctl --json list | grep -q '"idle":\[true,true\]' || fail "legs not reported idle: $(ctl --json list)"
echo "ok: idle legs reported idle, call kept"

ctl del call1
[ "$(ctl --json list)" = "[]" ] || fail "call still listed after del"
echo "ok: call deleted"
echo "e2e relay_netns: 1 passed, 0 failed"
