#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The fuzz harnesses of tests/fuzz/ (libFuzzer, Debian's clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer), each on the product's
# own parser: fuzz_frame (a worker's frame classification and RTP/RTCP
# checks), fuzz_tunnel (the tunnel header and hello TLVs), fuzz_ctlmsg (the
# control-channel requests the dataplane accepts), fuzz_record (the Redis
# record parsers). Each has a seed corpus in tests/fuzz/corpus/NAME.
#
# Usage: scripts/fuzz.sh NAME SECONDS   build NAME, replay its corpus, fuzz it
#                                        for SECONDS (new inputs go to
#                                        build-fuzz/NAME.corpus; a crash's input
#                                        to build-fuzz/, to be fixed and then
#                                        kept in the corpus)
#        scripts/fuzz.sh --all SECONDS  every harness so (scripts/test.sh);
#                                        prints "fuzz: N passed, N failed"
#        scripts/fuzz.sh --seeds        writes the seed corpora again from
#                                        tests/fuzz/seeds.c (committed)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build-fuzz
HARNESSES="fuzz_frame fuzz_tunnel fuzz_ctlmsg fuzz_record"

usage() { sed -n '12,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# build NAME: the harness and the product sources it calls.
build() {
	local cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
		-Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -I"$ROOT" -I"$ROOT/include")
	local src=() libs=()
	case $1 in
	fuzz_frame)
		# shellcheck disable=SC2207
		cflags+=($(pkg-config --cflags libdpdk) -include rte_config.h -march=corei7) ;;
	fuzz_tunnel) src=("$ROOT/dataplane/tunwire.c") ;;
	fuzz_ctlmsg)
		src=("$ROOT/dataplane/ctlmsg.c" "$ROOT/dataplane/srtp.c")
		# shellcheck disable=SC2207
		cflags+=($(pkg-config --cflags libsrtp2)) libs=($(pkg-config --libs libsrtp2)) ;;
	fuzz_record) src=("$ROOT/control/schema.c") ;;
	*) echo "fuzz.sh: no harness '$1' (one of: $HARNESSES)" >&2; exit 2 ;;
	esac
	mkdir -p "$OUT"
	clang "${cflags[@]}" -o "$OUT/$1" "$ROOT/tests/fuzz/$1.c" "${src[@]}" "${libs[@]}"
}

# run NAME SECONDS: replays the corpus, then fuzzes; 0 if nothing failed.
run() {
	local name=$1 secs=$2 corpus=$ROOT/tests/fuzz/corpus/$1 work=$OUT/$1.corpus
	build "$name" || return 1
	mkdir -p "$work"
	echo "fuzz.sh: $name: replaying $(ls "$corpus" | wc -l) inputs of $corpus"
	"$OUT/$name" -runs=0 -artifact_prefix="$OUT/$name-" "$corpus" >"$OUT/$name.replay.log" 2>&1 ||
		{ tail -30 "$OUT/$name.replay.log"; return 1; }
	echo "fuzz.sh: $name: fuzzing for $secs s"
	"$OUT/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$OUT/$name-" "$work" "$corpus" >"$OUT/$name.log" 2>&1 ||
		{ tail -40 "$OUT/$name.log"; return 1; }
	grep -E "stat::number_of_executed_units|stat::new_units_added" "$OUT/$name.log" |
		sed "s/^/fuzz.sh: $name: /"
}

if [ "${1:-}" = --seeds ] && [ $# = 1 ]; then
	mkdir -p "$OUT"
	cc -Wall -Wextra -Werror -I"$ROOT" -I"$ROOT/include" -o "$OUT/seeds" \
		"$ROOT/tests/fuzz/seeds.c" "$ROOT/dataplane/tunwire.c"
	mkdir -p "$ROOT/tests/fuzz/corpus"
	"$OUT/seeds" "$ROOT/tests/fuzz/corpus"
	exit 0
fi
[ $# = 2 ] || usage
case $2 in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number, got '$2'" >&2; exit 2;; esac
[ "$2" -ge 1 ] && [ "$2" -le 86400 ] || { echo "fuzz.sh: SECONDS must be 1-86400" >&2; exit 2; }
if [ "$1" = --all ]; then
	passed=0 failed=0
	for h in $HARNESSES; do
		if run "$h" "$2"; then passed=$((passed + 1)); else
			failed=$((failed + 1)); echo "fuzz.sh: $h FAILED"; fi
	done
	echo "fuzz: $passed passed, $failed failed"
	[ "$failed" = 0 ]
else
	run "$1" "$2"
fi
