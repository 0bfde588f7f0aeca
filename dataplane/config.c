/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parses voxrelay-dp's own options. Runs on the main thread at start-up, before
 * EAL memory is used for anything of ours; writes only the caller's struct.
 * Every error names the option and the offending value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "voxrelay/ctl.h"
#include "voxrelay/shm.h"

#include "config.h"

void
vr_config_defaults(struct vr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->prefix_len = 0;
	cfg->port_lo = 20000;
	cfg->port_hi = 29999;
	snprintf(cfg->ctl_path, sizeof(cfg->ctl_path), "%s", VR_CTL_DEFAULT_PATH);
	snprintf(cfg->shm_name, sizeof(cfg->shm_name), "%s", VR_SHM_DEFAULT_NAME);
	cfg->idle_timeout_ms = 60000;
	cfg->learn_window_ms = 60000;
	cfg->relatch_pkts = 5;
	cfg->max_calls = 16384;
	cfg->arp_timeout_ms = 60000;
	cfg->port_id = 0;
	cfg->dscp = 46;
	cfg->ttl = 64;
	cfg->nb_mbufs = 16384;
	cfg->tunnel_port = VR_TUN_DEFAULT_PORT;
	cfg->max_sbcs = 256;
	cfg->srtp_engine = VR_SRTP_ENGINE_AUTO;
	snprintf(cfg->crypto_dev, sizeof(cfg->crypto_dev), "crypto_aesni_mb");
	cfg->hello_rate = 20;
	cfg->hello_source_rate = 10;
}

void
vr_config_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [EAL options] -- --addr IP[,IP...] --prefix LEN --gateway IP [options]\n"
		"\n"
		"Relays RTP/RTCP between the two legs of each call bound over the control socket.\n"
		"\n"
		"Required:\n"
		"  --addr IP[,IP...]     relay IPv4 address(es) owned on the port; repeatable,\n"
		"                        at most %d, all on one subnet\n"
		"  --prefix LEN          prefix length of that subnet (16-30)\n"
		"  --gateway IP          default gateway, on that subnet\n"
		"Optional:\n"
		"  --ports LO-HI         relay UDP port range, LO even (default 20000-29999)\n"
		"  --ctl PATH            control socket path (default %s)\n"
		"  --shm NAME            stats shared-memory name (default %s)\n"
		"  --idle-timeout SEC    report a leg idle after SEC without packets (default 60)\n"
		"  --learn-window SEC    an unlatched leg learns its peer within SEC of being\n"
		"                        programmed (default 60)\n"
		"  --relatch N           in-sequence packets of the latched SSRC needed to move\n"
		"                        a latch to a new source (default 5, 2-64)\n"
		"  --max-calls N         calls that may be bound at once (default 16384)\n"
		"  --arp-timeout SEC     re-probe a resolved neighbour after SEC (default 60)\n"
		"  --port-id N           DPDK port to use (default 0)\n"
		"  --dscp N              DSCP of relayed packets (default 46, EF)\n"
		"  --ttl N               TTL of relayed packets (default 64)\n"
		"  --mbufs N             mbufs in the pool (default 16384)\n"
		"  --tunnel-port N       UDP port of SBC tunnels on every relay address,\n"
		"                        outside --ports (default %d)\n"
		"  --max-sbcs N          SBCs that may be configured at once (default 256)\n"
		"  --srtp-engine E       who does the tunnels' SRTP: cryptodev, libsrtp, or auto\n"
		"                        (default: the crypto device if it starts, else libsrtp)\n"
		"  --crypto-dev NAME     the cryptodev (a vdev is created by that name if none\n"
		"                        exists); default: the first device the EAL found that\n"
		"                        does both suites (hardware), else crypto_aesni_mb, the\n"
		"                        ipsec-mb software device, where the CPU has AES-NI\n"
		"  --tunnel-checksum on|off\n"
		"                        a UDP checksum on the RTP and RTCP sent into SBC tunnels\n"
		"                        (default off: zero, \"none\" in IPv4; the SRTP tag\n"
		"                        authenticates the packet the tunnel carries)\n"
		"  --hello-rate N        SBC hellos a second each worker passes on per SBC, in\n"
		"                        bursts of as many; the rest are dropped (default 20)\n"
		"  --hello-source-rate N the same per source address (default 10)\n"
		"  --standby             start with every address inactive: no ARP, ICMP or\n"
		"                        relaying for it until control activates it (another\n"
		"                        host may own it; docs/ha.md)\n"
		"  --help                this text\n",
		prog, VR_MAX_ADDRS, VR_CTL_DEFAULT_PATH, VR_SHM_DEFAULT_NAME, VR_TUN_DEFAULT_PORT);
}

/* Parses an unsigned decimal in [lo, hi]; 0 or -EINVAL. */
static int
parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < lo || *v > hi)
		return -EINVAL;
	return 0;
}

static int
parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

static int
parse_addrs(struct vr_config *cfg, const char *arg, FILE *err)
{
	char buf[1024];
	char *tok, *save = NULL;
	uint32_t ip;
	unsigned int i;

	if (strlen(arg) >= sizeof(buf)) {
		fprintf(err, "--addr: list too long: '%.40s...'\n", arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (parse_ip(tok, &ip) < 0 || ip == 0 || ip == 0xffffffff ||
				(ntohl(ip) >> 28) == 0xe) {
			fprintf(err, "--addr: '%s' is not a unicast IPv4 address\n", tok);
			return -EINVAL;
		}
		for (i = 0; i < cfg->n_addrs; i++) {
			if (cfg->addrs[i] == ip) {
				fprintf(err, "--addr: '%s' is given twice\n", tok);
				return -EINVAL;
			}
		}
		if (cfg->n_addrs == VR_MAX_ADDRS) {
			fprintf(err, "--addr: '%s' is one too many (at most %d addresses)\n",
				tok, VR_MAX_ADDRS);
			return -EINVAL;
		}
		cfg->addrs[cfg->n_addrs++] = ip;
	}
	if (cfg->n_addrs == 0) {
		fprintf(err, "--addr: '%s' holds no address\n", arg);
		return -EINVAL;
	}
	return 0;
}

static int
parse_ports(struct vr_config *cfg, const char *arg, FILE *err)
{
	unsigned long lo, hi;
	char buf[32];
	char *dash;

	if (strlen(arg) >= sizeof(buf) || (dash = strchr(strcpy(buf, arg), '-')) == NULL)
		goto bad;
	*dash = '\0';
	if (parse_uint(buf, 1024, 65534, &lo) < 0 || parse_uint(dash + 1, 1025, 65535, &hi) < 0)
		goto bad;
	if (lo % 2 != 0 || hi <= lo) {
		fprintf(err, "--ports: '%s' must be LO-HI with LO even and HI > LO\n", arg);
		return -EINVAL;
	}
	cfg->port_lo = lo;
	cfg->port_hi = hi;
	return 0;
bad:
	fprintf(err, "--ports: '%s' is not a range LO-HI within 1024-65535\n", arg);
	return -EINVAL;
}

int
vr_config_on_link(const struct vr_config *cfg, uint32_t ip)
{
	uint32_t mask = cfg->prefix_len == 0 ? 0 : htonl(~0u << (32 - cfg->prefix_len));

	return (ip & mask) == (cfg->addrs[0] & mask);
}

enum {
	OPT_ADDR = 256, OPT_PREFIX, OPT_GATEWAY, OPT_PORTS, OPT_CTL, OPT_SHM, OPT_IDLE,
	OPT_LEARN, OPT_RELATCH, OPT_MAX_CALLS, OPT_ARP_TIMEOUT, OPT_PORT_ID, OPT_DSCP,
	OPT_TTL, OPT_MBUFS, OPT_TUNNEL_PORT, OPT_MAX_SBCS, OPT_SRTP_ENGINE, OPT_CRYPTO_DEV,
	OPT_TUNNEL_CKSUM, OPT_HELLO_RATE, OPT_HELLO_SOURCE_RATE, OPT_STANDBY, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "ctl", required_argument, NULL, OPT_CTL },
	{ "shm", required_argument, NULL, OPT_SHM },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "learn-window", required_argument, NULL, OPT_LEARN },
	{ "relatch", required_argument, NULL, OPT_RELATCH },
	{ "max-calls", required_argument, NULL, OPT_MAX_CALLS },
	{ "arp-timeout", required_argument, NULL, OPT_ARP_TIMEOUT },
	{ "port-id", required_argument, NULL, OPT_PORT_ID },
	{ "dscp", required_argument, NULL, OPT_DSCP },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "tunnel-port", required_argument, NULL, OPT_TUNNEL_PORT },
	{ "max-sbcs", required_argument, NULL, OPT_MAX_SBCS },
	{ "srtp-engine", required_argument, NULL, OPT_SRTP_ENGINE },
	{ "crypto-dev", required_argument, NULL, OPT_CRYPTO_DEV },
	{ "tunnel-checksum", required_argument, NULL, OPT_TUNNEL_CKSUM },
	{ "hello-rate", required_argument, NULL, OPT_HELLO_RATE },
	{ "hello-source-rate", required_argument, NULL, OPT_HELLO_SOURCE_RATE },
	{ "standby", no_argument, NULL, OPT_STANDBY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Checks what no single option can: presence and consistency. */
static int
check_config(const struct vr_config *cfg, FILE *err)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	unsigned int i;

	if (cfg->n_addrs == 0) {
		fprintf(err, "--addr is required\n");
		return -EINVAL;
	}
	if (cfg->prefix_len == 0) {
		fprintf(err, "--prefix is required\n");
		return -EINVAL;
	}
	if (cfg->gateway == 0) {
		fprintf(err, "--gateway is required\n");
		return -EINVAL;
	}
	inet_ntop(AF_INET, &cfg->addrs[0], a, sizeof(a));
	for (i = 1; i < cfg->n_addrs; i++) {
		if (!vr_config_on_link(cfg, cfg->addrs[i])) {
			inet_ntop(AF_INET, &cfg->addrs[i], b, sizeof(b));
			fprintf(err, "--addr: '%s' is not on the subnet of '%s'/%u\n",
				b, a, cfg->prefix_len);
			return -EINVAL;
		}
	}
	inet_ntop(AF_INET, &cfg->gateway, b, sizeof(b));
	if (!vr_config_on_link(cfg, cfg->gateway)) {
		fprintf(err, "--gateway: '%s' is not on the subnet of '%s'/%u\n",
			b, a, cfg->prefix_len);
		return -EINVAL;
	}
	if (cfg->tunnel_port >= cfg->port_lo && cfg->tunnel_port <= cfg->port_hi) {
		fprintf(err, "--tunnel-port: %u is inside the relay ports %u-%u\n", cfg->tunnel_port,
			cfg->port_lo, cfg->port_hi);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_addrs; i++) {
		if (cfg->addrs[i] == cfg->gateway) {
			fprintf(err, "--gateway: '%s' is also a relay address\n", b);
			return -EINVAL;
		}
	}
	return 0;
}

int
vr_config_parse(struct vr_config *cfg, int argc, char **argv, FILE *out, FILE *err)
{
	unsigned long v;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		rc = 0;
		switch (opt) {
		case OPT_ADDR:
			rc = parse_addrs(cfg, optarg, err);
			break;
		case OPT_PREFIX:
			if (parse_uint(optarg, 16, 30, &v) < 0)
				goto bad_value;
			cfg->prefix_len = v;
			break;
		case OPT_GATEWAY:
			if (parse_ip(optarg, &cfg->gateway) < 0 || cfg->gateway == 0)
				goto bad_value;
			break;
		case OPT_PORTS:
			rc = parse_ports(cfg, optarg, err);
			break;
		case OPT_CTL:
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(cfg->ctl_path))
				goto bad_value;
			strcpy(cfg->ctl_path, optarg);
			break;
		case OPT_SHM:
			if (optarg[0] != '/' || strlen(optarg) < 2 ||
					strlen(optarg) >= sizeof(cfg->shm_name) ||
					strchr(optarg + 1, '/') != NULL)
				goto bad_value;
			strcpy(cfg->shm_name, optarg);
			break;
		case OPT_IDLE:
			if (parse_uint(optarg, 1, 86400, &v) < 0)
				goto bad_value;
			cfg->idle_timeout_ms = v * 1000;
			break;
		case OPT_LEARN:
			if (parse_uint(optarg, 1, 86400, &v) < 0)
				goto bad_value;
			cfg->learn_window_ms = v * 1000;
			break;
		case OPT_RELATCH:
			if (parse_uint(optarg, 2, 64, &v) < 0)
				goto bad_value;
			cfg->relatch_pkts = v;
			break;
		case OPT_MAX_CALLS:
			if (parse_uint(optarg, 1, 4194304, &v) < 0)
				goto bad_value;
			cfg->max_calls = v;
			break;
		case OPT_ARP_TIMEOUT:
			if (parse_uint(optarg, 5, 86400, &v) < 0)
				goto bad_value;
			cfg->arp_timeout_ms = v * 1000;
			break;
		case OPT_PORT_ID:
			if (parse_uint(optarg, 0, 1023, &v) < 0)
				goto bad_value;
			cfg->port_id = v;
			break;
		case OPT_DSCP:
			if (parse_uint(optarg, 0, 63, &v) < 0)
				goto bad_value;
			cfg->dscp = v;
			break;
		case OPT_TTL:
			if (parse_uint(optarg, 1, 255, &v) < 0)
				goto bad_value;
			cfg->ttl = v;
			break;
		case OPT_MBUFS:
			if (parse_uint(optarg, 1024, 16777216, &v) < 0)
				goto bad_value;
			cfg->nb_mbufs = v;
			break;
		case OPT_STANDBY:
			cfg->standby = 1;
			break;
		case OPT_TUNNEL_PORT:
			if (parse_uint(optarg, 1, 65535, &v) < 0)
				goto bad_value;
			cfg->tunnel_port = v;
			break;
		case OPT_MAX_SBCS:
			if (parse_uint(optarg, 1, VR_TUN_SBC_ID_MAX, &v) < 0)
				goto bad_value;
			cfg->max_sbcs = v;
			break;
		case OPT_SRTP_ENGINE:
			if (strcmp(optarg, "auto") == 0)
				cfg->srtp_engine = VR_SRTP_ENGINE_AUTO;
			else if (strcmp(optarg, "libsrtp") == 0)
				cfg->srtp_engine = VR_SRTP_ENGINE_LIBSRTP;
			else if (strcmp(optarg, "cryptodev") == 0)
				cfg->srtp_engine = VR_SRTP_ENGINE_CRYPTODEV;
			else
				goto bad_value;
			break;
		case OPT_CRYPTO_DEV:
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(cfg->crypto_dev))
				goto bad_value;
			strcpy(cfg->crypto_dev, optarg);
			cfg->crypto_dev_given = 1;
			break;
		case OPT_TUNNEL_CKSUM:
			if (strcmp(optarg, "on") == 0)
				cfg->tunnel_cksum = 1;
			else if (strcmp(optarg, "off") == 0)
				cfg->tunnel_cksum = 0;
			else
				goto bad_value;
			break;
		case OPT_HELLO_RATE:
			if (parse_uint(optarg, 1, 10000, &v) < 0)
				goto bad_value;
			cfg->hello_rate = v;
			break;
		case OPT_HELLO_SOURCE_RATE:
			if (parse_uint(optarg, 1, 10000, &v) < 0)
				goto bad_value;
			cfg->hello_source_rate = v;
			break;
		case OPT_HELP:
			vr_config_usage(out, argv[0]);
			return 1;
		case ':':
			fprintf(err, "%s: missing value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(err, "unknown option '%s' (see --help)\n", argv[optind - 1]);
			return -EINVAL;
		}
		if (rc < 0)
			return rc;
		continue;
bad_value:
		fprintf(err, "--%s: bad value '%s' (see --help for the allowed range)\n",
			long_opts[opt - OPT_ADDR].name, optarg);
		return -EINVAL;
	}
	if (optind < argc) {
		fprintf(err, "unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	return check_config(cfg, err);
}
