#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set-up, build, and every test: the unit suite, the EAL suite, the
# end-to-end suite in network namespaces, then the unit suite again built
# with AddressSanitizer and UndefinedBehaviorSanitizer, the fuzz harnesses
# (scripts/fuzz.sh: every corpus replayed, each harness for 20 s), and a
# release build (-O3, where GCC warns of things -O2 does not see). Warnings
# are errors.
# Ends with one line "N passed, N failed".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/setup.sh

build() { # DIR [meson options]
	local dir=$1; shift
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
}

passed=0
failed=0
suite() { # DIR SUITE...
	local dir=$1; shift
	local args=() s log
	for s in "$@"; do args+=(--suite "$s"); done
	if meson test -C "$dir" --print-errorlogs "${args[@]}"; then :; fi
	log=$dir/meson-logs/testlog.json
	passed=$((passed + $(grep -c '"result": "OK"' "$log" || true)))
	failed=$((failed + $(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\)"' "$log" || true)))
}

build build
suite build unit eal e2e

# The unit suite under ASan and UBSan (EAL is not run under ASan: DPDK maps
# memory in ways the sanitizer's shadow does not follow).
build build-san -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Db_lto=false
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	suite build-san unit

# Every parser of outside input under libFuzzer (tests/fuzz/): each seed
# corpus replayed, then each harness fuzzed for 20 s (about 1.5 minutes).
if out=$(scripts/fuzz.sh --all 20 2>&1); then :; fi
echo "$out"
line=$(grep '^fuzz: ' <<<"$out" || echo "fuzz: 0 passed, 1 failed")
passed=$((passed + $(sed -n 's/^fuzz: \([0-9]*\) passed.*/\1/p' <<<"$line")))
failed=$((failed + $(sed -n 's/.* \([0-9]*\) failed$/\1/p' <<<"$line")))

# What an operator building for production gets: it must build too.
build build-rel -Dbuildtype=release

echo "voxrelay: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
