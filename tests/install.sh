#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A real host's install, into a scratch root: meson install puts the
# programs, the hugepage helper, the systemd units (with the install's
# paths), the alert rules, the dashboard and the docs where docs/install.md
# says; systemd-analyze verify accepts the units as installed; no unit
# writes nr_hugepages on start; and voxrelay-hugepages raises a smaller
# reservation but never lowers a larger one.
#
# Usage: install.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: install.sh BUILD_DIR}" && pwd)
WORK=$(mktemp -d /tmp/voxrelay-install.XXXXXX)
trap 'umount "$WORK/shm" 2>/dev/null || true; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

meson install -C "$BUILD" --destdir "$WORK/root" --no-rebuild --quiet >"$WORK/install.log" 2>&1 ||
	fail "meson install: $(tail -5 "$WORK/install.log")"
R=$WORK/root/usr/local
for f in bin/voxrelay-dp bin/voxrelay-control bin/voxrelayctl bin/voxrelay-hugepages \
		lib/systemd/system/voxrelay-dp.service lib/systemd/system/voxrelay-control.service \
		lib/systemd/system/voxrelay-hugepages.service share/voxrelay/voxrelay.rules.yml \
		share/voxrelay/voxrelay.json share/doc/voxrelay/install.md; do
	[ -e "$R/$f" ] || fail "meson install did not put $f in place"
done
echo "ok: meson install puts every file in place"

command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (Debian's systemd package)"
# The units name /usr/local/bin/...: verified inside the scratch root,
# given systemd's own units (the targets ours are ordered against).
mkdir -p "$WORK/root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$WORK/root/usr/lib/systemd/"
units=$(ls "$R"/lib/systemd/system/voxrelay-*.service)
# shellcheck disable=SC2086
systemd-analyze verify --root="$WORK/root" $units >"$WORK/verify.log" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$WORK/verify.log")"
! grep -i "voxrelay" "$WORK/verify.log" || fail "systemd-analyze verify warns about our units"
echo "ok: systemd-analyze verify accepts the units"
grep -q "^ExecStart=/usr/local/bin/voxrelay-dp " "$R/lib/systemd/system/voxrelay-dp.service" ||
	fail "voxrelay-dp.service does not run the installed binary"
! grep -h "nr_hugepages" "$R"/lib/systemd/system/voxrelay-dp.service || fail "voxrelay-dp.service writes nr_hugepages"

# voxrelay-hugepages on a sysfs of its own.
S=$WORK/sys/node1/hugepages/hugepages-2048kB
mkdir -p "$S"
echo 512 >"$S/nr_hugepages"
VOXRELAY_SYSFS=$WORK/sys VOXRELAY_NUMA_NODE=1 VOXRELAY_HUGEPAGES=1024 "$R/bin/voxrelay-hugepages"
[ "$(cat "$S/nr_hugepages")" = 1024 ] || fail "voxrelay-hugepages did not raise 512 to 1024"
echo 4096 >"$S/nr_hugepages"
VOXRELAY_SYSFS=$WORK/sys VOXRELAY_NUMA_NODE=1 VOXRELAY_HUGEPAGES=1024 "$R/bin/voxrelay-hugepages"
[ "$(cat "$S/nr_hugepages")" = 4096 ] || fail "voxrelay-hugepages shrank 4096 to $(cat "$S/nr_hugepages")"
if VOXRELAY_SYSFS=$WORK/sys VOXRELAY_NUMA_NODE=7 "$R/bin/voxrelay-hugepages" 2>"$WORK/err"; then
	fail "voxrelay-hugepages accepted a node that does not exist"
fi
grep -q "no NUMA node 7" "$WORK/err" || fail "voxrelay-hugepages: '$(cat "$WORK/err")'"
echo "ok: voxrelay-hugepages raises a reservation and never shrinks one"

# Files in a tmpfs (/dev/shm, a test mount here) get transparent huge pages
# where they ask: huge=advise when the mount says nothing; an operator's
# own huge= choice is left alone.
T=$WORK/shm
mkdir -p "$T"
mount -t tmpfs -o size=4m tmpfs "$T"
VOXRELAY_SYSFS=$WORK/sys VOXRELAY_SHM=$T VOXRELAY_NUMA_NODE=1 "$R/bin/voxrelay-hugepages" >/dev/null
opts=$(awk -v m="$T" '$2 == m { print $4 }' /proc/mounts)
umount "$T"
case $opts in *huge=advise*) ;; *) fail "voxrelay-hugepages left $T mounted with '$opts'";; esac
mount -t tmpfs -o size=4m,huge=within_size tmpfs "$T"
VOXRELAY_SYSFS=$WORK/sys VOXRELAY_SHM=$T VOXRELAY_NUMA_NODE=1 "$R/bin/voxrelay-hugepages" >/dev/null
opts=$(awk -v m="$T" '$2 == m { print $4 }' /proc/mounts)
umount "$T"
case $opts in *huge=within_size*) ;; *) fail "voxrelay-hugepages changed an operator's huge=within_size to '$opts'";; esac
echo "ok: voxrelay-hugepages lets /dev/shm give huge pages where asked, leaving an operator's choice"
echo "install: 4 passed, 0 failed"
