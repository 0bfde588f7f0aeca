#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Redis failovers under voxrelay-control (--sentinel), repeated: a primary,
# a replica and three Sentinels on loopback (down-after-milliseconds 1000,
# quorum 2), voxrelay-dp on a net_null port (no traffic leaves it) with N
# calls (default 10,000) bound through control. Each round kills the
# primary with -9, waits for the Sentinels to promote the replica and for
# control to publish on it, then brings the killed server back as the new
# replica. Throughout, the dataplane's bound calls are sampled 20 times a
# second: none may go. (That no RTP packet is lost over a failover is
# tests/e2e/sentinel.sh's, with phones talking.) Prints name=value lines:
#   failover_promote_ms_p50/_max    kill to the Sentinels naming the replica
#   failover_control_ms_p50/_max    control's loss of the old primary to its
#                                   reconnection to the new one (its own
#                                   redis_reached_ms in stats:health)
#   failover_after_promote_ms_max   control on the new primary after the
#                                   promotion was seen (the part that is control's)
#   failover_calls_min              the fewest calls bound in any sample (N expected)
#
# Usage: bench/redis_failover.sh [N] [ROUNDS] [BUILD_DIR]
set -euo pipefail

N=${1:-10000}
ROUNDS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${3:-$ROOT/build}" && pwd)
case $N in ''|*[!0-9]*) echo "N must be a number, got '$N'" >&2; exit 2;; esac
case $ROUNDS in ''|*[!0-9]*) echo "ROUNDS must be a number, got '$ROUNDS'" >&2; exit 2;; esac
[ "$N" -ge 1 ] && [ "$N" -le 100000 ] || { echo "N must be 1-100000" >&2; exit 2; }
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || { echo "ROUNDS must be 1-50" >&2; exit 2; }
P=vrfo$$
WORK=$(mktemp -d /tmp/voxrelay-failover.XXXXXX)
SOCK=$WORK/dp.sock
BASE=$((30000 + $$ % 20000))
PORTS=($BASE $((BASE + 1)))   # the two Redis servers; which is primary changes
SPORT=$((BASE + 2))           # three Sentinels from here
MASTER=vrbench
PIDS=()
declare -A RPID
cleanup() {
	for p in "${PIDS[@]}" "${RPID[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$WORK" "/dev/shm/$P"
}
trap cleanup EXIT
ms() { date +%s%3N; }
ctl() { "$BUILD/control/voxrelayctl" -s "$SOCK" "$@"; }
bound() { ctl --json health | sed -n 's/.*"calls":\([0-9]*\).*/\1/p'; }
primary() { redis-cli -p "$SPORT" SENTINEL get-master-addr-by-name $MASTER 2>/dev/null | tail -1; }
redis_at() { # PORT [ARGS...]
	local port=$1; shift
	mkdir -p "$WORK/r$port"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/r$port" --save "" \
		--appendonly no --daemonize no "$@" >>"$WORK/redis-$port.log" 2>&1 &
	RPID[$port]=$!
	for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
	echo "redis-server on $port did not start" >&2; exit 1
}
pctl() { # P LIST...: the P-th percentile (nearest rank) of the numbers
	local p=$1; shift
	printf '%s\n' "$@" | sort -n | awk -v p="$p" '{ v[NR] = $1 } END {
		i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'
}

redis_at "${PORTS[0]}"
redis_at "${PORTS[1]}" --replicaof 127.0.0.1 "${PORTS[0]}"
for i in 0 1 2; do
	s=$((SPORT + i))
	mkdir -p "$WORK/s$s"
	printf '%s\n' "port $s" "bind 127.0.0.1" "dir $WORK/s$s" \
		"sentinel monitor $MASTER 127.0.0.1 ${PORTS[0]} 2" \
		"sentinel down-after-milliseconds $MASTER 1000" \
		"sentinel failover-timeout $MASTER 4000" >"$WORK/s$s/sentinel.conf"
	redis-server "$WORK/s$s/sentinel.conf" --sentinel >"$WORK/sentinel-$s.log" 2>&1 &
	PIDS+=($!)
done
for _ in $(seq 200); do
	[ "$(redis-cli -p "$SPORT" SENTINEL replicas $MASTER 2>/dev/null | grep -c "${PORTS[1]}")" -ge 1 ] && break
	sleep 0.05
done

MEM=(--in-memory)
[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ] || MEM=(--no-huge -m 1024 --file-prefix "$P")
"$BUILD/dataplane/voxrelay-dp" -l 0,1 "${MEM[@]}" --no-pci --vdev=net_null0 -- \
	--addr "$(seq -s, -f "198.51.100.%g" 10 $((10 + (N + 9999) / 10000)))" --prefix 24 \
	--gateway 198.51.100.1 --ports 20000-59999 --ctl "$SOCK" --shm "/$P" \
	--max-calls "$N" --mbufs 4096 >"$WORK/dp.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do ctl health >/dev/null 2>&1 && break; sleep 0.1; done
"$ROOT/bench/provision.sh" 0 "$N" -p "${PORTS[0]}" >/dev/null
"$BUILD/control/voxrelay-control" --sentinel "127.0.0.1:$SPORT,127.0.0.1:$((SPORT + 1)),127.0.0.1:$((SPORT + 2))" \
	--master $MASTER --ctl "$SOCK" --shm "/$P" --interval 1000 --metrics off \
	--idle-timeout 0 --final-timeout 0 >"$WORK/control.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do [ "$(bound)" = "$N" ] && break; sleep 0.05; done
[ "$(bound)" = "$N" ] || { tail "$WORK/control.log"; echo "only $(bound) of $N calls bound" >&2; exit 1; }
echo "$N calls bound; $ROUNDS failovers"

(
	while :; do bound; sleep 0.05; done
) >"$WORK/calls.txt" 2>/dev/null &
SAMPLER=$!
PIDS+=($SAMPLER)

promote=() control=() after=()
cur=${PORTS[0]} other=${PORTS[1]}
for r in $(seq "$ROUNDS"); do
	# The replica must hold every record before its primary goes.
	for _ in $(seq 200); do
		[ "$(redis-cli -p "$other" EXISTS "voxrelay:call:b$((N - 1))")" = 1 ] && break
		sleep 0.05
	done
	t0=$(ms)
	kill -9 "${RPID[$cur]}"; wait "${RPID[$cur]}" 2>/dev/null || true
	for _ in $(seq 400); do [ "$(primary)" = "$other" ] && break; sleep 0.05; done
	[ "$(primary)" = "$other" ] || { echo "round $r: no promotion" >&2; exit 1; }
	t1=$(ms)
	for _ in $(seq 400); do
		[ "$(redis-cli -p "$other" HGET voxrelay:stats:health redis_primary)" = "127.0.0.1:$other" ] && break
		sleep 0.02
	done
	t2=$(ms)
	reached=$(redis-cli -p "$other" HGET voxrelay:stats:health redis_reached_ms)
	[ -n "$reached" ] || { tail "$WORK/control.log"; echo "round $r: control did not follow" >&2; exit 1; }
	promote+=($((t1 - t0))) control+=("$reached") after+=($((t2 - t1)))
	printf 'round %d: promoted %d ms after the kill; control reached it %d ms after the loss, published %d ms after the promotion\n' \
		"$r" $((t1 - t0)) "$reached" $((t2 - t1))
	# The killed server comes back empty; the Sentinels make it the replica.
	redis_at "$cur"
	for _ in $(seq 300); do
		redis-cli -p "$cur" ROLE 2>/dev/null | head -1 | grep -q slave && break
		sleep 0.05
	done
	tmp=$cur cur=$other other=$tmp
done
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
cmin=$(grep -E '^[0-9]+$' "$WORK/calls.txt" | sort -n | head -1)
echo "failover_promote_ms_p50=$(pctl 50 "${promote[@]}")"
echo "failover_promote_ms_max=$(pctl 100 "${promote[@]}")"
echo "failover_control_ms_p50=$(pctl 50 "${control[@]}")"
echo "failover_control_ms_max=$(pctl 100 "${control[@]}")"
echo "failover_after_promote_ms_max=$(pctl 100 "${after[@]}")"
echo "failover_calls_min=$cmin"
[ "$cmin" = "$N" ] || { echo "calls were unbound over a failover ($cmin of $N left)" >&2; exit 1; }
