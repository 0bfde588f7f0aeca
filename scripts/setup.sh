#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Installs what voxrelay needs from Debian 12's archive and reserves
# hugepages. Idempotent: safe to run again; installs only what is missing.
# Run as root. Without hugepages (a container, a locked-down VM) it says so,
# and the scripts fall back to DPDK's --no-huge.
set -euo pipefail

PKGS=(build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev libsrtp2-dev libhiredis-dev libcriterion-dev libnuma-dev
	redis-server redis-tools
	iproute2 nftables ethtool iputils-ping procps gawk gnuplot-nox
	clang libclang-rt-14-dev
	libmicrohttpd-dev libjansson-dev prometheus jq)
HUGEPAGES=${VR_HUGEPAGES:-512}   # 2 MiB pages: 1 GiB

if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: run as root (it installs packages and reserves hugepages)" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "setup.sh: packages present"
fi

# Hugepages: raise the reservation if it is lower, mount hugetlbfs if needed.
cur=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "$cur" -lt "$HUGEPAGES" ]; then
	echo "$HUGEPAGES" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
fi
if ! grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
fi
# The dataplane's stats region in /dev/shm asks for transparent huge pages
# (dataplane/shm.c): a tmpfs gives them only with huge=advise or more.
if awk '$2 == "/dev/shm" && $3 == "tmpfs" && $4 !~ /huge=/ { f = 1 } END { exit !f }' /proc/mounts; then
	mount -o remount,huge=advise /dev/shm 2>/dev/null || true
fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${free:-0}" -ge 128 ]; then
	echo "setup.sh: $free hugepages free"
else
	echo "setup.sh: only ${free:-0} hugepages free: voxrelay-dp will run with --no-huge"
fi
