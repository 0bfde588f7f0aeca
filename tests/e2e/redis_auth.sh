#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Redis connection options of voxrelay-control and voxrelayctl plan: a Unix
# socket, a password from the environment, an ACL user with a password file,
# and clear refusals when the password is missing or wrong. A real
# redis-server on a private Unix socket; nothing leaves the host.
#
# Usage: redis_auth.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: redis_auth.sh BUILD_DIR}" && pwd)
CTL=$BUILD/control/voxrelayctl
WORK=$(mktemp -d /tmp/voxrelay-auth.XXXXXX)
RSOCK=$WORK/redis.sock
REDIS_PID=
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
	[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port 0 --unixsocket "$RSOCK" --unixsocketperm 700 --dir "$WORK" --save "" \
	--requirepass s3cret --daemonize no >"$WORK/redis.log" 2>&1 &
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
echo "e2e redis_auth: 1 passed, 0 failed"
