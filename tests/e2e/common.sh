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
# redis_at PORT [ARGS...]: a redis-server on loopback without persistence;
# its PID in LAST_PID.
redis_at() {
	local port=$1; shift
	mkdir -p "$WORK/r$port"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/r$port" --save "" \
		--appendonly no --daemonize no "$@" >>"$WORK/redis-$port.log" 2>&1 &
	LAST_PID=$!
	wait_for 10 redis-cli -p "$port" ping || fail "redis-server on $port did not start"
}
# sentinel_at PORT: a Sentinel on loopback watching the primary at RPORT
# under the name MASTER (down after 1 s); its PID appended to SIDE_PIDS.
sentinel_at() {
	local port=$1
	mkdir -p "$WORK/s$port"
	printf '%s\n' "port $port" "bind 127.0.0.1" "dir $WORK/s$port" \
		"sentinel monitor $MASTER 127.0.0.1 $RPORT 2" \
		"sentinel down-after-milliseconds $MASTER 1000" \
		"sentinel failover-timeout $MASTER 4000" \
		"sentinel parallel-syncs $MASTER 1" >"$WORK/s$port/sentinel.conf"
	redis-server "$WORK/s$port/sentinel.conf" --sentinel >>"$WORK/sentinel-$port.log" 2>&1 &
	SIDE_PIDS+=($!)
	wait_for 10 redis-cli -p "$port" ping || fail "sentinel on $port did not start"
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

# The estate of faults.sh and redis_mistakes.sh (scripts/topology.sh with one
# SBC site, vr_topo_sbc_site sbc1 1): remote phones 101 and 102 talk on call
# c1 (relay ports 20000 and 20002), and SBC b1's phone on channel 12 of call
# t1 talks to phone 101's second line (port 20004). EST_KEY is the SBC's
# key, EST_EPOCH t1's a_epoch.
EST_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
EST_EPOCH=$(epoch)
# site_phones REDIS_CLI...: remote STUN extensions 101 and 102 of site
# branch1 (public address 203.0.113.2), as the PBX writes them.
site_phones() {
	"$@" HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 \
		rtp_ports 14000-14019 lan_ip 192.168.50.11 >/dev/null
	"$@" HSET voxrelay:ext:102 mode stun site branch1 public_ip 203.0.113.2 sip_port 5066 \
		rtp_ports 14020-14039 lan_ip 192.168.50.12 >/dev/null
}
# estate_records REDIS_CLI...: its records, as the PBX writes them (and writes them back).
estate_records() {
	site_phones "$@"
	"$@" HSET voxrelay:sbc:b1 name "Branch 1" auth_id sbc-b1 tunnel_id 1 \
		suite AES_CM_128_HMAC_SHA1_80 key $EST_KEY >/dev/null
	"$@" HSET voxrelay:ext:301 mode sbc site b1 sbc b1 >/dev/null
	"$@" HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
	"$@" HSET voxrelay:call:t1 a_ext 301 a_channel 12 a_epoch "$EST_EPOCH" b_ext 101 \
		b_port 20004 >/dev/null
}
# estate_talk COUNT PPS: its four streams, COUNT packets each at PPS, in the
# background; their PIDs in EST_PIDS, their reports in $WORK/ph1.json,
# ph2.json, ph1b.json and sbc.json (the SBC's errors in sbc.err).
estate_talk() {
	local phone=$BUILD/tests/vr_phone
	EST_PIDS=()
	x ph1 "$phone" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
		--tag PH1 --expect-tag PH2 --count "$1" --pps "$2" --ssrc 0x101 >"$WORK/ph1.json" &
	EST_PIDS+=($!)
	x ph2 "$phone" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
		--tag PH2 --expect-tag PH1 --count "$1" --pps "$2" --ssrc 0x102 >"$WORK/ph2.json" &
	EST_PIDS+=($!)
	x ph1 "$phone" --bind 192.168.50.11:14002 --to $RELAY:20004 --from $RELAY:20004 \
		--tag PH1B --expect-tag SB12 --count "$1" --pps "$2" --ssrc 0x103 >"$WORK/ph1b.json" &
	EST_PIDS+=($!)
	x sbc1 "$BUILD/tests/vr_sbc" --bind 192.168.61.10:40000 --relay $RELAY:5090 --sbc-id 1 \
		--suite AES_CM_128_HMAC_SHA1_80 --key "0:$EST_KEY" \
		--channel "12:$EST_EPOCH:SB12:PH1B" --count "$1" --pps "$2" \
		>"$WORK/sbc.json" 2>"$WORK/sbc.err" &
	EST_PIDS+=($!)
}
