#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Redis connection options of voxrelay-control and voxrelayctl plan: a Unix
# socket, a password from the environment, an ACL user with a password file,
# and clear refusals when the password is missing or wrong. Then
# voxrelay-control under exactly the ACL and server setting that
# docs/operations.md gives (read from it, so that the two cannot drift), with
# a voxrelay-dp on a ring device: it loads the records, writes statuses, the
# error list and stats, publishes, and follows changes. A real redis-server
# on a private Unix socket; nothing leaves the host.
#
# Usage: redis_auth.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: redis_auth.sh BUILD_DIR}" && pwd)
CTL=$BUILD/control/voxrelayctl
CONTROL=$BUILD/control/voxrelay-control
DP=$BUILD/dataplane/voxrelay-dp
DOC=$(cd "$(dirname "$0")/../.." && pwd)/docs/operations.md
WORK=$(mktemp -d /tmp/voxrelay-auth.XXXXXX)
RSOCK=$WORK/redis.sock
P=vrauth$$
REDIS_PID=
DP_PID=
CONTROL_PID=
fail() {
	echo "FAIL: $*"
	echo "--- control log"; tail -20 "$WORK/control.log" 2>/dev/null || true
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
	rm -rf "$WORK"
}
trap cleanup EXIT
# wait_for SECONDS COMMAND...: polls every 0.1 s.
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

# The ACL and the server setting, as the operator would copy them.
acl=$(grep '^ACL SETUSER voxrelay ' "$DOC" || true)
[ -n "$acl" ] && [ "$(echo "$acl" | wc -l)" = 1 ] ||
	fail "$DOC: not one line 'ACL SETUSER voxrelay ...'"
notify=$(sed -n 's/^notify-keyspace-events \([A-Za-z$]*\)$/\1/p' "$DOC")
[ -n "$notify" ] || fail "$DOC: no line 'notify-keyspace-events FLAGS'"

redis-server --port 0 --unixsocket "$RSOCK" --unixsocketperm 700 --dir "$WORK" --save "" \
	--requirepass s3cret --notify-keyspace-events "$notify" --daemonize no \
	>"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
rcli() { redis-cli -s "$RSOCK" -a s3cret --no-auth-warning "$@"; }
for _ in $(seq 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
rcli HSET voxrelay:ext:101 mode stun site s1 public_ip 203.0.113.2 sip_port 5065 \
	rtp_ports 14000-14019 >/dev/null
rcli ACL SETUSER vr on '>vr-pass' '~voxrelay:*' '+@all' >/dev/null

out=$("$CTL" plan s1 --redis "unix:$RSOCK" 2>&1) && fail "no password accepted"
echo "$out" | grep -q "NOAUTH\|Authentication required" || fail "no clear refusal: $out"
out=$(VOXRELAY_REDIS_PASSWORD=wrong "$CTL" plan s1 --redis "unix:$RSOCK" 2>&1) &&
	fail "wrong password accepted"
echo "$out" | grep -q "AUTH failed" || fail "wrong password not reported: $out"
echo "$out" | grep -q "wrong" && fail "the password was echoed: $out"
VOXRELAY_REDIS_PASSWORD=s3cret "$CTL" plan s1 --redis "unix:$RSOCK" | grep -q "^101 " ||
	fail "password from the environment over a Unix socket"
echo "ok: Unix socket, password from the environment, refusals named"
printf 'vr-pass\n' >"$WORK/pw"
VOXRELAY_REDIS_USER=vr "$CTL" plan s1 --redis "unix:$RSOCK" --password-file "$WORK/pw" |
	grep -q "^101 " || fail "ACL user with a password file"
out=$("$CTL" plan s1 --redis "unix:$RSOCK" --password-file "$WORK/none" 2>&1) &&
	fail "missing password file accepted"
echo "$out" | grep -q "cannot read '$WORK/none'" || fail "missing file not named: $out"
echo "ok: ACL user and password file"

# voxrelay-control as the documented user; --resync 60, so that whatever it
# picks up within this test came by keyspace notifications.
read -ra words <<<"${acl/>PASSWORD/>acl-pass}"
out=$(rcli "${words[@]}") && [ "$out" = OK ] || fail "the documented ACL: $out"
rcli ACL LOG RESET >/dev/null # the refusals above
printf 'acl-pass\n' >"$WORK/acl-pw"
"$DP" -l 0,1 --no-huge -m 256 --no-pci --file-prefix "$P" --vdev=net_ring0 -- \
	--addr 198.51.100.10 --prefix 24 --gateway 198.51.100.1 --ports 20000-20099 \
	--ctl "$WORK/dp.sock" --shm "/$P" --max-calls 64 --mbufs 2048 --srtp-engine libsrtp \
	>"$WORK/dp.log" 2>&1 &
DP_PID=$!
wait_for 15 "$CTL" -s "$WORK/dp.sock" health || fail "voxrelay-dp did not come up: $(tail -3 "$WORK/dp.log")"
"$CONTROL" --redis "unix:$RSOCK" --user voxrelay --password-file "$WORK/acl-pw" \
	--ctl "$WORK/dp.sock" --shm "/$P" --interval 500 --resync 60 \
	--metrics 127.0.0.1:$((30000 + $$ % 20000)) >"$WORK/control.log" 2>&1 &
CONTROL_PID=$!
status_is() { [ "$(rcli HGET "voxrelay:status:$1" state)" = "$2" ]; }
listed() { "$CTL" -s "$WORK/dp.sock" list | grep -q "^$1 "; }
wait_for 10 status_is ext:101 ok || fail "ext 101 not loaded, or its status not written"
grep -q "loaded 1 extensions" "$WORK/control.log" || fail "control did not log its load"
echo "ok: voxrelay-control logs in with the documented ACL, loads the records, writes statuses"
rcli HSET voxrelay:ext:102 mode stun site s1 public_ip 203.0.113.2 sip_port 5066 \
	rtp_ports 14020-14039 >/dev/null
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
rcli HSET voxrelay:call:bad1 a_ext 999 a_port 20010 b_ext 102 b_port 20012 >/dev/null
wait_for 5 status_is call:c1 ok || fail "call c1: $(rcli HGETALL voxrelay:status:call:c1)"
listed c1 || fail "call c1 not bound"
wait_for 3 status_is call:bad1 rejected || fail "call bad1 not rejected"
[ "$(rcli LLEN voxrelay:errors)" -ge 1 ] || fail "nothing in the error list"
wait_for 3 sh -c "[ \"\$(redis-cli -s '$RSOCK' -a s3cret --no-auth-warning HGET voxrelay:stats:summary calls)\" = 1 ]" ||
	fail "stats summary: $(rcli HGETALL voxrelay:stats:summary)"
[ "$(rcli TTL voxrelay:stats:call:c1)" -gt 0 ] || fail "call stats without a TTL"
msg=$(timeout 3 redis-cli -s "$RSOCK" -a s3cret --no-auth-warning SUBSCRIBE voxrelay:stats || true)
echo "$msg" | grep -q '"active_calls"' || fail "nothing published on voxrelay:stats: $msg"
rcli DEL voxrelay:call:c1 >/dev/null
wait_for 3 sh -c "! '$CTL' -s '$WORK/dp.sock' list | grep -q '^c1 '" || fail "deleted call c1 still bound"
wait_for 3 sh -c "[ \"\$(redis-cli -s '$RSOCK' -a s3cret --no-auth-warning EXISTS voxrelay:status:call:c1)\" = 0 ]" ||
	fail "the status of deleted call c1 kept"
# Whatever the server refused the user, bar CONFIG (the server's
# configuration enables notifications), is a command the ACL lacks.
denied=$(rcli ACL LOG 100 | sed -n '/^object$/{n;p}' | grep -v '^config|' || true)
[ -z "$denied" ] || fail "the documented ACL refused: $denied"
grep -q "redis lost" "$WORK/control.log" && fail "control lost redis under the documented ACL"
echo "ok: as the documented user it follows changes by keyspace notifications, writes errors and stats, publishes"
echo "e2e redis_auth: 1 passed, 0 failed"
