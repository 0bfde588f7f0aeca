#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Relay host takeover, repeated (docs/ha.md): two relay hosts on one
# segment in network namespaces (scripts/topology.sh, vr_topo_relay2), one
# Redis, relay address 198.51.100.10 with N calls (default 10,000: two
# remote STUN phones talking on call c1, 50 packets a second each way, and
# N - 1 idle calls of bench/provision.sh's layout). Both hosts run
# --own none --takeover; each round kills the host holding the address
# (voxrelay-dp and voxrelay-control, -9) while the phones talk, and the
# other takes it over; then the killed host is started again, as the
# standby of the next round. Prints name=value lines:
#   takeover_ms_p50/_max     the audio the phones lost: the packets missing
#                            around the takeover x 20 ms (the longer of the
#                            two directions): the failed host's last packet
#                            to the new one's first
#   bound_ms_p50/_max        the kill to all N calls bound on the new host
#   audio_lost_pkts_max      the packets one phone lost in a round
#
# Needs root (network namespaces). Usage:
#   bench/ha_takeover.sh [N] [ROUNDS] [LEASE_MS] [BUILD_DIR]
set -euo pipefail

N=${1:-10000}
ROUNDS=${2:-3}
LEASE=${3:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${4:-$ROOT/build}" && pwd)
for v in "$N" "$ROUNDS" "$LEASE"; do
	case $v in ''|*[!0-9]*) echo "N, ROUNDS and LEASE_MS are numbers, got '$v'" >&2; exit 2;; esac
done
[ "$N" -ge 1 ] && [ "$N" -le 10000 ] || { echo "N must be 1-10000 (one relay address)" >&2; exit 2; }
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "ROUNDS must be 1-20" >&2; exit 2; }
P=vrho$$
WORK=$(mktemp -d /tmp/voxrelay-takeover.XXXXXX)
RPORT=$((30000 + $$ % 20000))
RELAY=198.51.100.10
PPS=50
DP=$BUILD/dataplane/voxrelay-dp
CTL=$BUILD/control/voxrelayctl
declare -A DPID CPID
REDIS_PID=
# shellcheck source=../scripts/topology.sh
. "$ROOT/scripts/topology.sh"
cleanup() {
	set +e
	for p in "${CPID[@]}" "${DPID[@]}" $REDIS_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -f "/dev/shm/${P}h1" "/dev/shm/${P}h2"
	vr_topo_down
	rm -rf "$WORK"
}
trap cleanup EXIT
ms() { date +%s%3N; }
rcli() { redis-cli -p "$RPORT" "$@"; }
ns_of() { [ "$1" = h1 ] && echo pbx || echo pbx2; }
calls_on() { "$CTL" -s "$WORK/$1.sock" --json health 2>/dev/null | sed -n 's/.*"calls":\([0-9]*\).*/\1/p'; }
holder() { rcli GET voxrelay:lease:$RELAY | cut -d' ' -f1; }
pctl() { # P LIST...: the P-th percentile (nearest rank)
	local p=$1; shift
	printf '%s\n' "$@" | sort -n | awk -v p="$p" '{ v[NR] = $1 } END {
		i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'
}
start_host() { # h1|h2
	local h=$1 i=0
	[ "$h" = h2 ] && i=1
	# shellcheck disable=SC2046
	ip netns exec "$P-$(ns_of "$h")" "$DP" -l 0,1 $(vr_eal_mem | sed "s/--file-prefix $P/--file-prefix $P$h/") \
		--no-pci --vdev=net_af_packet$i,iface=dp0 -- --addr $RELAY --prefix 24 \
		--gateway 198.51.100.1 --ports 20000-59999 --ctl "$WORK/$h.sock" --shm "/$P$h" \
		--max-calls $((N + 16)) --standby >>"$WORK/dp-$h.log" 2>&1 &
	DPID[$h]=$!
	for _ in $(seq 300); do
		"$CTL" -s "$WORK/$h.sock" --json health 2>/dev/null | grep -q '"gateway_resolved":true' && break
		sleep 0.05
	done
	"$BUILD/control/voxrelay-control" --redis 127.0.0.1:"$RPORT" --ctl "$WORK/$h.sock" \
		--shm "/$P$h" --interval 1000 --metrics off --host "$h" --own none --takeover \
		--lease-ms "$LEASE" --idle-timeout 0 --final-timeout 0 >>"$WORK/control-$h.log" 2>&1 &
	CPID[$h]=$!
}
kill_host() {
	kill -9 "${DPID[$1]}" "${CPID[$1]}" 2>/dev/null || true
	wait "${DPID[$1]}" "${CPID[$1]}" 2>/dev/null || true
	rm -f "/dev/shm/$P$1"
}

vr_topo_up
vr_topo_relay2
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no \
	--daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 \
	rtp_ports 14000-14019 lan_ip 192.168.50.11 >/dev/null
rcli HSET voxrelay:ext:102 mode stun site branch1 public_ip 203.0.113.2 sip_port 5066 \
	rtp_ports 14020-14039 lan_ip 192.168.50.12 >/dev/null
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
[ "$N" -gt 1 ] && "$ROOT/bench/provision.sh" 1 "$N" -p "$RPORT" >/dev/null
start_host h1
start_host h2
for _ in $(seq 300); do
	h=$(holder)
	[ -n "$h" ] && [ "$(calls_on "$h")" = "$N" ] && break
	sleep 0.1
done
[ -n "$h" ] && [ "$(calls_on "$h")" = "$N" ] || { echo "no host bound the $N calls" >&2; exit 1; }
echo "$h holds $RELAY with $N calls bound; $ROUNDS takeovers, $LEASE ms leases"

gaps=() bounds=() lostmax=0
for r in $(seq "$ROUNDS"); do
	cur=$(holder)
	other=$([ "$cur" = h1 ] && echo h2 || echo h1)
	for s in 1 2; do
		port=$((14000 + 20 * (s - 1))) relay=$((20000 + 2 * (s - 1)))
		vr_x ph$s "$BUILD/tests/vr_phone" --bind 192.168.50.1$s:$port --to $RELAY:$relay \
			--from $RELAY:$relay --tag PH$s --expect-tag PH$((3 - s)) --count 400 --pps $PPS \
			--ssrc 0x10$s >"$WORK/r$r-ph$s.json" &
		eval "PH$s=\$!"
	done
	sleep 3
	t0=$(ms)
	kill_host "$cur"
	for _ in $(seq 400); do [ "$(calls_on "$other")" = "$N" ] && [ "$(holder)" = "$other" ] && break; sleep 0.02; done
	t1=$(ms)
	[ "$(calls_on "$other")" = "$N" ] || { tail "$WORK/control-$other.log"; echo "round $r: $other did not take over" >&2; exit 1; }
	wait "$PH1" "$PH2" || { echo "round $r: a phone failed" >&2; exit 1; }
	gap=0
	for s in 1 2; do
		j=$(cat "$WORK/r$r-ph$s.json")
		lost=$(sed -n 's/.*"gap_loss":\([0-9]*\).*/\1/p' <<<"$j")
		last=$(sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p' <<<"$j")
		[ "$last" = 399 ] || { echo "round $r: phone $s's audio did not resume: $j" >&2; exit 1; }
		[ "$lost" -gt "$gap" ] && gap=$lost
	done
	[ "$gap" -gt "$lostmax" ] && lostmax=$gap
	gaps+=($((gap * 1000 / PPS))) bounds+=($((t1 - t0)))
	echo "round $r: $cur killed, $other took over: $gap packets lost ($((gap * 1000 / PPS)) ms of audio), $N calls bound $((t1 - t0)) ms after the kill"
	start_host "$cur"
	sleep 1
done
echo "takeover_ms_p50=$(pctl 50 "${gaps[@]}")"
echo "takeover_ms_max=$(pctl 100 "${gaps[@]}")"
echo "bound_ms_p50=$(pctl 50 "${bounds[@]}")"
echo "bound_ms_max=$(pctl 100 "${bounds[@]}")"
echo "audio_lost_pkts_max=$lostmax"
