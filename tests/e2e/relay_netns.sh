#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: two remote STUN phones behind one NAT (no hairpin) talk through
# voxrelay-dp on a veth it owns with net_af_packet; an attacker sprays the
# relay's ports. Everything runs in network namespaces this script creates and
# removes; traffic stays inside them.
#
# The topology is in scripts/topology.sh.
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

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/topology.sh
. "$HERE/../../scripts/topology.sh"

fail() { echo "FAIL: $*"; exit 1; }
x() { vr_x "$@"; }

cleanup() {
	set +e
	[ -n "$DP_PID" ] && kill "$DP_PID" 2>/dev/null && wait "$DP_PID" 2>/dev/null
	vr_topo_down
	rm -f "/dev/shm/$P" # the dataplane removes it at a clean exit; not after a crash
	if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

vr_topo_up

# The relay owns 198.51.100.10 on dp0; the kernel has no address there.
# shellcheck disable=SC2207
EAL_MEM=($(vr_eal_mem))
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
