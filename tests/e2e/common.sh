# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the end-to-end tests that run the whole product: a redis-server
# on loopback, voxrelay-dp in the "pbx" namespace of scripts/topology.sh and
# voxrelay-control. The test sets BUILD, P, WORK, SOCK, RELAY and RPORT
# first (DP_ARGS: more options for voxrelay-dp); the PIDs of what it started
# are kept for cleanup().

DP=$BUILD/dataplane/voxrelay-dp
CTL=$BUILD/control/voxrelayctl
CONTROL=$BUILD/control/voxrelay-control
# Each test's voxrelay-control serves its metrics on a port of its own.
MPORT=${MPORT:-$((RPORT + 10000))}
DP_PID=
CONTROL_PID=
REDIS_PID=
# shellcheck source=../../scripts/topology.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/topology.sh"

fail() {
	echo "FAIL: $*"
	echo "--- control log"; tail -30 "$WORK/control.log" 2>/dev/null || true
	echo "--- dataplane log"; tail -15 "$WORK/dp.log" 2>/dev/null || true
	exit 1
}
stop() { # PID: TERM, then wait
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	set +e
	stop "$CONTROL_PID"
	stop "$DP_PID"
	stop "$REDIS_PID"
	rm -f "/dev/shm/$P"
	vr_topo_down
	if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}

rcli() { redis-cli -p "$RPORT" "$@"; }
ctl() { "$CTL" -s "$SOCK" "$@"; }
x() { vr_x "$@"; }
# wait_for SECONDS COMMAND...: polls every 0.1 s.
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

start_redis() {
	redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK" --appendonly yes \
		--appendfsync always --save "" --daemonize no >>"$WORK/redis.log" 2>&1 &
	REDIS_PID=$!
	wait_for 10 rcli ping || fail "redis-server did not start"
}
start_dp() {
	# shellcheck disable=SC2046
	ip netns exec "$P-pbx" "$DP" -l 0,1 $(vr_eal_mem) --no-pci --vdev=net_af_packet0,iface=dp0 -- \
		--addr "$RELAY" --prefix 24 --gateway 198.51.100.1 --ports 20000-20999 \
		--ctl "$SOCK" --shm "/$P" --max-calls 1024 --idle-timeout 3 ${DP_ARGS:-} \
		>>"$WORK/dp.log" 2>&1 &
	DP_PID=$!
	wait_for 15 sh -c "'$CTL' -s '$SOCK' --json health | grep -q '\"gateway_resolved\":true'" ||
		fail "voxrelay-dp did not come up"
}
# start_control [OPTIONS...]
start_control() {
	"$CONTROL" --redis 127.0.0.1:"$RPORT" --ctl "$SOCK" --shm "/$P" --interval 500 \
		--metrics 127.0.0.1:"$MPORT" \
		--resync 5 "$@" >>"$WORK/control.log" 2>&1 &
	CONTROL_PID=$!
}
listed() { ctl list | grep -q "^$1 "; }
not_listed() { ! ctl list | grep -q "^$1 "; }
status_is() { [ "$(rcli HGET "voxrelay:status:$1" state)" = "$2" ]; }
# num JSON FIELD [CHANNEL]: a number from a report (of that channel).
num() {
	local j=$1
	[ -n "${3:-}" ] && j=$(grep -o "{\"channel\":$3,[^}]*}" <<<"$1")
	sed -n "s/.*\"$2\":\([0-9-]*\).*/\1/p" <<<"$j" | head -1
}
# A fresh random tunnel leg epoch (12 hex digits), as a PBX gives each call.
epoch() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
