#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo: installs, builds, and runs voxrelay-dp on a veth it owns
# (net_af_packet) in a simulated estate of network namespaces
# (scripts/topology.sh): two remote STUN phones behind one NAT site with no
# hairpin, so their audio must go through the relay, and an attacker spraying
# the relay's ports. A local redis-server holds the configuration:
# voxrelay-control programs the relay from it and publishes the stats back.
# A second site runs an SBC (tests/e2e/vr_sbc.c, behind its own NAT with no
# port forward) whose phone 301 calls phone 101 through the SBC's encrypted
# tunnel, which the relay terminates. The demo writes the phones, the SBC and
# the calls with redis-cli, shows the stats as Redis has them while the
# phones talk, then removes everything it made. About 40 seconds.
#
# Usage: scripts/demo.sh [SECONDS]   (talk time, default 20)
#        scripts/demo.sh --ha        two relay hosts, one killed, the other
#                                    takes over (scripts/demo_ha.sh, docs/ha.md)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "${1:-}" = --ha ]; then
	scripts/setup.sh
	[ -d build ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	exec scripts/demo_ha.sh
fi
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
CONTROL_PID=
REDIS_PID=
RPORT=6399
PIDS=()
# shellcheck source=topology.sh
. scripts/topology.sh

cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "$CONTROL_PID" "$DP_PID" "$REDIS_PID"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	vr_topo_down
	rm -rf "$WORK"
	echo "demo: cleaned up"
}
trap cleanup EXIT
VR_TOPO_HOSTS="$VR_TOPO_HOSTS rsbc1 sbc1" vr_topo_down
vr_topo_up
vr_topo_sbc_site sbc1 1
ctl() { build/control/voxrelayctl -s "$SOCK" "$@"; }
rcli() { redis-cli -p $RPORT "$@"; }

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
echo "== starting redis-server on 127.0.0.1:$RPORT and voxrelay-control"
redis-server --port $RPORT --bind 127.0.0.1 --dir "$WORK" --save "" --daemonize no \
	>"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
MPORT=9479
build/control/voxrelay-control --redis 127.0.0.1:$RPORT --ctl "$SOCK" --shm /vrdemo-stats \
	--interval 1000 --metrics 127.0.0.1:$MPORT >"$WORK/control.log" 2>&1 &
CONTROL_PID=$!

echo
echo "== provisioning with redis-cli: extensions 101 and 102 at site branch1 (203.0.113.2), and a call"
set -x
rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 rtp_ports 14000-14019 lan_ip 192.168.50.11 name Reception
rcli HSET voxrelay:ext:102 mode stun site branch1 public_ip 203.0.113.2 sip_port 5066 rtp_ports 14020-14039 lan_ip 192.168.50.12 name Warehouse
rcli HSET voxrelay:call:demo-1 a_ext 101 a_port 20000 b_ext 102 b_port 20002
rcli HSET voxrelay:call:demo-bad a_ext 999 a_port 20010 b_ext 102 b_port 20012
# Site branch7 has an SBC (tunnel id 7); its phone 301 calls 101 through the tunnel.
rcli HSET voxrelay:sbc:branch7 name "Branch 7" auth_id sbc-b7 tunnel_id 7 suite AES_CM_128_HMAC_SHA1_80 key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
rcli HSET voxrelay:ext:301 mode sbc site branch7 sbc branch7 name "Branch 7 desk"
# The tunnel leg's epoch: fresh for every call, told to the SBC with the channel.
E12=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
rcli HSET voxrelay:call:demo-2 a_ext 301 a_channel 12 a_epoch "$E12" b_ext 101 b_port 20004
{ set +x; } 2>/dev/null
for _ in $(seq 50); do ctl list | grep -q "^demo-2 " && break; sleep 0.1; done
echo
echo "== the site's firewall plan (voxrelayctl plan branch1)"
build/control/voxrelayctl plan branch1 --redis 127.0.0.1:$RPORT
echo
echo "== a bad record is rejected and reported, the valid call is bound"
echo "voxrelay:status:call:demo-bad: $(rcli HGET voxrelay:status:call:demo-bad error)"
ctl list

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
# Phone 101's second line (RTP port 14002) talks to 301 behind the SBC.
vr_x ph1 build/tests/vr_phone --bind 192.168.50.11:14002 --to $RELAY:20004 --from $RELAY:20004 \
	--tag PHONE1B --expect-tag SBC301 --count $N --ssrc 0x103 >"$WORK/ph1b.json" 2>/dev/null &
PIDS+=($!)
vr_x sbc1 build/tests/vr_sbc --bind 192.168.61.10:40000 --relay $RELAY:5090 --sbc-id 7 \
	--suite AES_CM_128_HMAC_SHA1_80 --key 0:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd \
	--local-ip 192.168.61.10 --version "demo-sbc 1.0" --channel "12:$E12:SBC301:PHONE1B" \
	--count $N >"$WORK/sbc1.json" 2>/dev/null &
PIDS+=($!)

echo "== the phones talk for $SECS s at 50 packets/s each way; an attacker at 192.0.2.66 sprays the call's ports"
for ((t = 2; t <= SECS; t += 2)); do
	sleep 2
	echo
	echo "---- t=${t}s: redis-cli HGETALL voxrelay:stats:call:demo-1 (published by voxrelay-control) ----"
	rcli HGETALL voxrelay:stats:call:demo-1 | paste -d= - - | tr '\n' ' ' | fold -s -w 110
	echo
	echo "summary: $(rcli HGETALL voxrelay:stats:summary | paste -d= - - | grep -Ev '=0$|drop_.*=0' | tr '\n' ' ')"
	echo "site branch1: $(rcli HGETALL voxrelay:stats:site:branch1 | paste -d= - - | tr '\n' ' ')"
	echo "SBC branch7: $(rcli HGETALL voxrelay:stats:sbc:branch7 | paste -d= - - | tr '\n' ' ' | fold -s -w 110)"
done
wait "${PIDS[@]}" 2>/dev/null || true
PIDS=()

echo
echo "== what the phones received (gap_loss: holes at steady state; foreign: from anyone but the relay)"
echo "phone 1:  $(cat "$WORK/ph1.json")"
echo "phone 2:  $(cat "$WORK/ph2.json")"
echo "phone 1 (second line, to 301 behind the SBC): $(cat "$WORK/ph1b.json")"
echo "SBC branch7 (phone 301 on channel 12): $(cat "$WORK/sbc1.json")"
echo "attacker: $(cat "$WORK/att.json")"
echo
echo "== global counters"
ctl stats
echo
echo "== health, as an alert reads it: redis-cli HGETALL voxrelay:stats:health"
rcli HGETALL voxrelay:stats:health | paste -d= - - | grep -v '^worker_[0-9]' | tr '\n' ' ' | fold -s -w 110
echo
echo
echo "== Prometheus metrics (http://127.0.0.1:$MPORT/metrics, docs/metrics.md), a few of them"
exec 3<>"/dev/tcp/127.0.0.1/$MPORT"
printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
grep -E '^voxrelay_(dataplane_up|calls|relayed_packets_total|dropped_packets_total\{reason="bad_source"\}|sbc_online|site_calls|worker_busy_seconds_total)' <&3 || true
exec 3<&-
sleep 6
echo
echo "== after 5 s of silence the legs are reported idle (the call stays bound)"
ctl list
echo "redis: state=$(rcli HGET voxrelay:stats:call:demo-1 state)"
echo
echo "== hanging up: redis-cli DEL voxrelay:call:demo-1"
rcli DEL voxrelay:call:demo-1 >/dev/null
sleep 1
ctl list
echo
echo "== what remains of the call: its end-of-call record (redis-cli XREVRANGE voxrelay:cdr + - COUNT 1)"
rcli XREVRANGE voxrelay:cdr + - COUNT 1 | tail -n +2 | paste -d= - - | tr '\n' ' ' | fold -s -w 110
echo
echo "== control log"
cat "$WORK/control.log"
