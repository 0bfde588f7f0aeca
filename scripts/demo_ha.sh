#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The HA demo (scripts/demo.sh --ha; docs/ha.md): two relay hosts, a and b,
# on one segment (scripts/topology.sh with vr_topo_relay2), one local
# redis-server. Host a holds relay address 198.51.100.10 under a lease and
# relays a call between two remote STUN phones; host b waits as a standby.
# Host a is then killed (-9, dataplane and control): b takes the lease over,
# binds the call, announces the address, and the phones' audio resumes. The
# demo shows the leases and each host's view in Redis, what the phones lost,
# and host a coming back without taking anything. About 30 seconds. Expects
# scripts/demo.sh to have installed and built (it calls this).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
P=vrdemoha
WORK=$(mktemp -d /tmp/voxrelay-demo-ha.XXXXXX)
RELAY=198.51.100.10
RPORT=6398
LEASE=600
CTL=build/control/voxrelayctl
declare -A DPID CPID
REDIS_PID=
PH=()
# shellcheck source=topology.sh
. scripts/topology.sh
cleanup() {
	set +e
	for p in "${PH[@]}" "${CPID[@]}" "${DPID[@]}" $REDIS_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -f "/dev/shm/${P}a" "/dev/shm/${P}b"
	vr_topo_down
	rm -rf "$WORK"
	echo "demo: cleaned up"
}
trap cleanup EXIT
VR_TOPO_HOSTS="$VR_TOPO_HOSTS pbx2" vr_topo_down
rcli() { redis-cli -p $RPORT "$@"; }
ns_of() { [ "$1" = a ] && echo pbx || echo pbx2; }
host() { # a|b OWN...: its voxrelay-dp (--standby) and voxrelay-control (--host)
	local h=$1 i=0; shift
	[ "$h" = b ] && i=1
	# shellcheck disable=SC2046
	ip netns exec "$P-$(ns_of "$h")" build/dataplane/voxrelay-dp -l 0,1 \
		$(vr_eal_mem | sed "s/--file-prefix $P/--file-prefix $P$h/") --no-pci \
		--vdev=net_af_packet$i,iface=dp0 -- --addr $RELAY --prefix 24 \
		--gateway 198.51.100.1 --ports 20000-20999 --ctl "$WORK/$h.sock" --shm "/$P$h" \
		--standby >>"$WORK/dp-$h.log" 2>&1 &
	DPID[$h]=$!
	for _ in $(seq 150); do
		$CTL -s "$WORK/$h.sock" --json health 2>/dev/null | grep -q '"gateway_resolved":true' && break
		sleep 0.1
	done
	build/control/voxrelay-control --redis 127.0.0.1:$RPORT --ctl "$WORK/$h.sock" --shm "/$P$h" \
		--interval 1000 --metrics off --host "$h" --lease-ms $LEASE "$@" \
		>>"$WORK/control-$h.log" 2>&1 &
	CPID[$h]=$!
}
show() {
	echo "   lease:  voxrelay:lease:$RELAY = '$(rcli GET voxrelay:lease:$RELAY)' (HOST EPOCH)"
	for h in a b; do
		echo "   host $h: $(rcli HGETALL voxrelay:stats:host:$h | paste -d= - - | grep -E '^(addrs|others|calls|leases_)' | tr '\n' ' ')"
	done
}

vr_topo_up
vr_topo_relay2
redis-server --port $RPORT --bind 127.0.0.1 --dir "$WORK" --save "" --daemonize no \
	>"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 rtp_ports 14000-14019 lan_ip 192.168.50.11 >/dev/null
rcli HSET voxrelay:ext:102 mode stun site branch1 public_ip 203.0.113.2 sip_port 5066 rtp_ports 14020-14039 lan_ip 192.168.50.12 >/dev/null
rcli HSET voxrelay:call:demo-1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null

echo "== host a: voxrelay-dp --standby, voxrelay-control --host a --own $RELAY ($LEASE ms leases)"
host a --own $RELAY
echo "== host b: voxrelay-dp --standby, voxrelay-control --host b --own none --takeover"
host b --own none --takeover
sleep 3
show
echo "   host a's dataplane:"
$CTL -s "$WORK/a.sock" health | grep -E "calls|relay ports" | sed 's/^/     /'
echo "   host b's dataplane:"
$CTL -s "$WORK/b.sock" health | grep -E "calls|relay ports" | sed 's/^/     /'

echo
echo "== the phones talk for 16 s through $RELAY; host a is killed (-9) after 6 s"
for s in 1 2; do
	vr_x ph$s build/tests/vr_phone --bind 192.168.50.1$s:$((14000 + 20 * (s - 1))) \
		--to $RELAY:$((20000 + 2 * (s - 1))) --from $RELAY:$((20000 + 2 * (s - 1))) \
		--tag PH$s --expect-tag PH$((3 - s)) --count 800 --ssrc 0x10$s >"$WORK/ph$s.json" 2>/dev/null &
	PH+=($!)
done
sleep 6
t0=$(date +%s%3N)
kill -9 "${DPID[a]}" "${CPID[a]}"
wait "${DPID[a]}" "${CPID[a]}" 2>/dev/null || true
unset 'DPID[a]' 'CPID[a]'
for _ in $(seq 200); do $CTL -s "$WORK/b.sock" list 2>/dev/null | grep -q "^demo-1 " && break; sleep 0.02; done
echo "   demo-1 bound on host b $(($(date +%s%3N) - t0)) ms after the kill; host b's log:"
grep -E "lease taken|bound" "$WORK/control-b.log" | sed 's/^/     /'
sleep 2
show
wait "${PH[@]}" 2>/dev/null || true
PH=()
echo
echo "== what the phones received (gap_loss: packets lost over the takeover, 20 ms of audio each)"
echo "   phone 1: $(cat "$WORK/ph1.json")"
echo "   phone 2: $(cat "$WORK/ph2.json")"

echo
echo "== host a comes back: b holds the lease, so a takes nothing"
host a --own $RELAY
sleep 3
show
echo "   host a's dataplane:"
$CTL -s "$WORK/a.sock" health | grep -E "calls|relay ports" | sed 's/^/     /'
