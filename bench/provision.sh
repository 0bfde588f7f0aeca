#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Writes calls FROM..TO-1 of the benchmark's layout to Redis, pipelined, the
# way a PBX's provisioning writes them (docs/redis-schema.md). The layout is
# the one bench/gen_stream.h plays and bench/pktgen/ sends:
#   call i   relay address 198.51.100.(10 + i / 10000),
#            leg a on port 20000 + 4 (i % 10000), leg b on that port + 2;
#   stream s = 2i (leg a) and 2i + 1 (leg b): its phone at
#            198.18.0.(s / 50000 + 1), port 10000 + s % 50000, which is the
#            leg's expected peer (one address and port: RTP Bleed protected).
# So the first 10,000 calls are on one relay address, streams s to port
# 20000 + 2s from port 10000 + s: two ranges that advance in lockstep, which
# is what pktgen's range mode can send.
#
# With --tunnel, leg a of call i is instead channel i + 1 of the tunnel of
# SBC "bench" (tunnel id 1, key id 0), through its extension 9001, with
# epoch i + 1 (a real PBX gives each call a fresh random epoch; these are
# fresh for each start of the dataplane, whose own epoch vr-gen is told
# with --tunnel-epoch): the layout vr-gen --tunnel plays.
#
# Usage: provision.sh [--name N] [--key-prefix K] [--tunnel SUITE:BASE64] [--delete]
#                     FROM TO [redis-cli options]
#   --name N        call ids are N0, N1, ... (default b)
#   --delete        deletes calls FROM..TO-1 instead (one pipeline, as a PBX
#                   ending a bulk of calls would)
#   --key-prefix K  the control process's key prefix (default voxrelay:)
#   --tunnel S:K    leg a through SBC 1's tunnel, SRTP suite S and master key K
# Example: bench/provision.sh 0 1000 -h 10.0.0.5 -p 6379
set -euo pipefail

NAME=b
KP=voxrelay:
TUNNEL=
DELETE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--name) NAME=${2:?--name needs a value}; shift 2 ;;
	--key-prefix) KP=${2:?--key-prefix needs a value}; shift 2 ;;
	--tunnel) TUNNEL=${2:?--tunnel needs SUITE:BASE64}; shift 2 ;;
	--delete) DELETE=1; shift ;;
	-h | --help) sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
FROM=${1:?usage: provision.sh [--name N] [--key-prefix K] FROM TO [redis-cli options]}
TO=${2:?usage: provision.sh [--name N] [--key-prefix K] FROM TO [redis-cli options]}
shift 2
for v in "$FROM" "$TO"; do
	[[ "$v" =~ ^[0-9]+$ ]] || { echo "provision.sh: bad call number '$v'" >&2; exit 2; }
done
[ "$TO" -le 2450000 ] || { echo "provision.sh: TO $TO is past the layout's 2,450,000 calls" >&2; exit 2; }

if [ $DELETE = 1 ]; then
	awk -v a="$FROM" -v b="$TO" -v kp="$KP" -v name="$NAME" 'BEGIN {
		for (i = a; i < b; i++)
			printf "DEL %scall:%s%d\r\n", kp, name, i
	}' | redis-cli "$@" --pipe >/dev/null
	exit 0
fi
if [ -n "$TUNNEL" ]; then
	[[ "$TUNNEL" =~ ^[A-Z0-9_]+:[A-Za-z0-9+/=]+$ ]] ||
		{ echo "provision.sh: --tunnel: '$TUNNEL' is not SUITE:BASE64" >&2; exit 2; }
	redis-cli "$@" HSET "${KP}sbc:bench" name Bench auth_id bench tunnel_id 1 \
		suite "${TUNNEL%%:*}" key "${TUNNEL#*:}" >/dev/null
	redis-cli "$@" HSET "${KP}ext:9001" mode sbc site bench sbc bench >/dev/null
fi
awk -v a="$FROM" -v b="$TO" -v kp="$KP" -v name="$NAME" -v tun="$TUNNEL" 'BEGIN {
	for (i = a; i < b; i++) {
		s = 2 * i
		if (tun != "")
			printf "HSET %scall:%s%d a_ext 9001 a_channel %d a_epoch %x a_addr 198.51.100.%d ",
				kp, name, i, i + 1, i + 1, 10 + int(i / 10000)
		else
			printf "HSET %scall:%s%d a_endpoint 198.18.0.%d:%d-%d a_port %d " \
				"a_addr 198.51.100.%d ", kp, name, i, int(s / 50000) + 1, 10000 + s % 50000,
				10000 + s % 50000, 20000 + 4 * (i % 10000), 10 + int(i / 10000)
		printf "b_endpoint 198.18.0.%d:%d-%d b_port %d b_addr 198.51.100.%d\r\n",
			int((s + 1) / 50000) + 1, 10000 + (s + 1) % 50000,
			10000 + (s + 1) % 50000, 20002 + 4 * (i % 10000), 10 + int(i / 10000)
	}
}' | redis-cli "$@" --pipe >/dev/null
