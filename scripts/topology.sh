# SPDX-License-Identifier: BSD-3-Clause
# Sourced by tests/e2e/relay_netns.sh and scripts/demo.sh: builds and removes
# the simulated estate in network namespaces named "$P-<host>".
#
#   ph1 192.168.50.11 --+                                  +-- pbx: voxrelay-dp
#   ph2 192.168.50.12 --+-- site (NAT 203.0.113.2) -- inet --  198.51.100.10
#                          SIP 5065 -> ph1, 5066 -> ph2     +-- att 192.0.2.66
#                          RTP 14000-14019 -> ph1
#                          RTP 14020-14039 -> ph2
#
# The site router forwards the 3CX remote-extension ports to each phone and
# masquerades everything else; it has no hairpin rule, so the phones can reach
# each other only through the relay. The pbx namespace holds dp0 with no
# kernel address: voxrelay-dp owns 198.51.100.10 there (ARP included).

VR_TOPO_HOSTS="pbx inet site ph1 ph2 att"

vr_x() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }

# A veth link with checksums computed in software on both ends, so that
# frames carry full checksums as they would on a wire (net_af_packet sees
# what the kernel hands it).
vr_veth() {
	ip link add "$2" netns "$P-$1" type veth peer name "$4" netns "$P-$3"
	vr_x "$1" ethtool -K "$2" tx off rx off gro off gso off tso off >/dev/null 2>&1 || true
	vr_x "$3" ethtool -K "$4" tx off rx off gro off gso off tso off >/dev/null 2>&1 || true
	vr_x "$1" ip link set "$2" up
	vr_x "$3" ip link set "$4" up
}

vr_topo_up() {
	local ns
	for ns in $VR_TOPO_HOSTS; do ip netns add "$P-$ns"; done
	vr_veth pbx dp0 inet ipbx
	vr_veth inet isite site wan
	vr_veth inet iatt att eth0
	vr_veth site lan1 ph1 eth0
	vr_veth site lan2 ph2 eth0
	for ns in $VR_TOPO_HOSTS; do vr_x "$ns" ip link set lo up; done

	vr_x inet ip addr add 198.51.100.1/24 dev ipbx
	vr_x inet ip addr add 203.0.113.1/24 dev isite
	vr_x inet ip addr add 192.0.2.1/24 dev iatt
	vr_x inet sysctl -qw net.ipv4.ip_forward=1
	vr_x att ip addr add 192.0.2.66/24 dev eth0
	vr_x att ip route add default via 192.0.2.1

	vr_x site ip link add br0 type bridge
	vr_x site ip link set lan1 master br0
	vr_x site ip link set lan2 master br0
	vr_x site ip link set br0 up
	vr_x site ip addr add 192.168.50.1/24 dev br0
	vr_x site ip addr add 203.0.113.2/24 dev wan
	vr_x site ip route add default via 203.0.113.1
	vr_x site sysctl -qw net.ipv4.ip_forward=1
	vr_x site nft -f - <<'NFT'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		iifname "wan" udp dport 5065 dnat to 192.168.50.11:5060
		iifname "wan" udp dport 5066 dnat to 192.168.50.12:5060
		iifname "wan" udp dport 14000-14019 dnat to 192.168.50.11
		iifname "wan" udp dport 14020-14039 dnat to 192.168.50.12
	}
	chain postrouting {
		type nat hook postrouting priority srcnat;
		oifname "wan" masquerade
	}
}
NFT
	vr_x ph1 ip addr add 192.168.50.11/24 dev eth0
	vr_x ph1 ip route add default via 192.168.50.1
	vr_x ph2 ip addr add 192.168.50.12/24 dev eth0
	vr_x ph2 ip route add default via 192.168.50.1
}

# vr_topo_sbc_site NAME N: a site whose phones sit behind an SBC. Router
# r$NAME: WAN 198.18.N.2/24 (RFC 2544 space; .3 is spare, for a new lease)
# behind inet's 198.18.N.1, masquerading its LAN 192.168.(60+N).0/24 as
# 198.18.N.2, with no port forward: the SBC always opens the tunnel. The SBC,
# NAME, is 192.168.(60+N).10.
vr_topo_sbc_site() {
	local name=$1 n=$2 r=r$1 lan=192.168.$((60 + $2))
	ip netns add "$P-$r"
	ip netns add "$P-$name"
	VR_TOPO_HOSTS="$VR_TOPO_HOSTS $r $name"
	vr_veth inet "i$name" "$r" wan
	vr_veth "$r" lan "$name" eth0
	vr_x "$r" ip link set lo up
	vr_x "$name" ip link set lo up
	vr_x inet ip addr add "198.18.$n.1/24" dev "i$name"
	vr_x "$r" ip addr add "198.18.$n.2/24" dev wan
	vr_x "$r" ip addr add "198.18.$n.3/24" dev wan
	vr_x "$r" ip route add default via "198.18.$n.1"
	vr_x "$r" ip addr add "$lan.1/24" dev lan
	vr_x "$r" sysctl -qw net.ipv4.ip_forward=1
	vr_x "$r" nft -f - <<NFT
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat;
		oifname "wan" snat to 198.18.$n.2
	}
}
NFT
	vr_x "$name" ip addr add "$lan.10/24" dev eth0
	vr_x "$name" ip route add default via "$lan.1"
}

# vr_topo_sbc_move NAME N: the SBC site's public address becomes 198.18.N.3,
# as after a new DHCP lease: new connections are mapped to it (a rule ahead
# of the old one), existing NAT mappings keep the old one.
vr_topo_sbc_move() {
	vr_x "r$1" nft insert rule ip nat postrouting oifname "wan" snat to "198.18.$2.3"
}

# vr_topo_relay2: a second relay host, namespace pbx2 with its own dp0, on
# the same segment as pbx (198.51.100.0/24, inet's side bridged): the two
# hosts of docs/ha.md, each answering for the relay addresses it holds.
vr_topo_relay2() {
	ip netns add "$P-pbx2"
	VR_TOPO_HOSTS="$VR_TOPO_HOSTS pbx2"
	vr_veth pbx2 dp0 inet ipbx2
	vr_x pbx2 ip link set lo up
	vr_x inet ip addr del 198.51.100.1/24 dev ipbx
	vr_x inet ip link add brr type bridge
	vr_x inet ip link set ipbx master brr
	vr_x inet ip link set ipbx2 master brr
	vr_x inet ip link set brr up
	vr_x inet ip addr add 198.51.100.1/24 dev brr
}

vr_topo_down() {
	local ns
	for ns in $VR_TOPO_HOSTS; do ip netns del "$P-$ns" 2>/dev/null || true; done
}

# EAL memory options: hugepages when enough are free, else --no-huge.
vr_eal_mem() {
	if [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 128 ]; then
		echo "--in-memory"
	else
		echo "--no-huge -m 512 --file-prefix $P"
	fi
}
