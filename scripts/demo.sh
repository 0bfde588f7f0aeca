#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo: installs, builds, and runs voxrelay-dp on a veth it owns
# (net_af_packet) in a simulated estate of network namespaces
# (scripts/topology.sh): two remote STUN phones behind one NAT site with no
# hairpin, so their audio must go through the relay, and an attacker spraying
# the relay's ports. Programs the call, shows the live counters while the
# phones talk, then removes everything it made. About 40 seconds.
#
# Usage: scripts/demo.sh [SECONDS]   (talk time, default 20)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECS=${1:-20}
case $SECS in ''|*[!0-9]*) echo "demo.sh: SECONDS must be a number, got '$SECS'" >&2; exit 2;; esac
[ "$SECS" -ge 5 ] && [ "$SECS" -le 600 ] || { echo "demo.sh: SECONDS must be 5-600" >&2; exit 2; }

scripts/setup.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

P=vrdemo
WORK=$(mktemp -d /tmp/voxrelay-demo.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
DP_PID=
PIDS=()
# shellcheck source=topology.sh
. scripts/topology.sh

cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$DP_PID" ] && kill "$DP_PID" 2>/dev/null && wait "$DP_PID" 2>/dev/null
	vr_topo_down
	rm -rf "$WORK"
	echo "demo: cleaned up"
}
trap cleanup EXIT
vr_topo_down
vr_topo_up
ctl() { build/control/voxrelayctl -s "$SOCK" "$@"; }

echo "== starting voxrelay-dp on dp0 in the pbx namespace ($RELAY/24, gateway 198.51.100.1)"
# shellcheck disable=SC2046
ip netns exec "$P-pbx" build/dataplane/voxrelay-dp -l 0,1 $(vr_eal_mem) --no-pci \
	--vdev=net_af_packet0,iface=dp0 -- \
	--addr $RELAY --prefix 24 --gateway 198.51.100.1 --ports 20000-29999 \
	--ctl "$SOCK" --shm /vrdemo-stats --idle-timeout 5 >"$WORK/dp.log" 2>&1 &
DP_PID=$!
for _ in $(seq 100); do
	ctl --json health 2>/dev/null | grep -q '"gateway_resolved":true' && break
	kill -0 "$DP_PID" 2>/dev/null || { cat "$WORK/dp.log"; exit 1; }
	sleep 0.1
done
ctl health

echo
echo "== binding call 'demo-1': phone 1 (ext 101) <-> phone 2 (ext 102), both at site 203.0.113.2"
echo "   voxrelayctl add demo-1 $RELAY:20000,peer=203.0.113.2:14000-14019 $RELAY:20002,peer=203.0.113.2:14020-14039"
ctl add demo-1 "$RELAY:20000,peer=203.0.113.2:14000-14019" "$RELAY:20002,peer=203.0.113.2:14020-14039"

N=$((SECS * 50))
vr_x ph1 build/tests/vr_phone --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
	--tag PHONE1 --expect-tag PHONE2 --count $N --ssrc 0x101 >"$WORK/ph1.json" 2>/dev/null &
PIDS+=($!)
vr_x ph2 build/tests/vr_phone --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
	--tag PHONE2 --expect-tag PHONE1 --count $N --ssrc 0x102 >"$WORK/ph2.json" 2>/dev/null &
PIDS+=($!)
vr_x att build/tests/vr_phone --bind 192.0.2.66:40000 --spray $RELAY:20000-20003 \
	--count $((SECS * 20)) --pps 20 >"$WORK/att.json" 2>/dev/null &
PIDS+=($!)

echo "== the phones talk for $SECS s at 50 packets/s each way; an attacker at 192.0.2.66 sprays the call's ports"
for ((t = 2; t <= SECS; t += 2)); do
	sleep 2
	echo
	echo "---- t=${t}s ----"
	ctl show demo-1
	ctl --json stats | sed 's/,"drops".*//; s/[{}"]//g; s/,/  /g'
done
wait "${PIDS[@]}" 2>/dev/null || true
PIDS=()

echo
echo "== what the phones received (gap_loss: holes at steady state; foreign: from anyone but the relay)"
echo "phone 1:  $(cat "$WORK/ph1.json")"
echo "phone 2:  $(cat "$WORK/ph2.json")"
echo "attacker: $(cat "$WORK/att.json")"
echo
echo "== global counters"
ctl stats
sleep 6
echo
echo "== after 5 s of silence the legs are reported idle (the call stays bound)"
ctl list
ctl del demo-1
echo "== call deleted"
