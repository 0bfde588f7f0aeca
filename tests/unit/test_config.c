/* SPDX-License-Identifier: BSD-3-Clause */
/* voxrelay-dp's command line (dataplane/config.c): values, defaults, and errors that name the value. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "dataplane/config.h"

static struct vr_config cfg;
static char errbuf[4096];

/* Parses the NULL-terminated argument list; the error text lands in errbuf. */
static int
parse(const char *first, ...)
{
	char *argv[64];
	int argc = 0, rc;
	const char *a;
	va_list ap;
	FILE *err = fmemopen(errbuf, sizeof(errbuf), "w");
	FILE *out = fopen("/dev/null", "w");

	memset(errbuf, 0, sizeof(errbuf));
	argv[argc++] = (char *)"voxrelay-dp";
	va_start(ap, first);
	for (a = first; a != NULL; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	vr_config_defaults(&cfg);
	rc = vr_config_parse(&cfg, argc, argv, out, err);
	fclose(err);
	fclose(out);
	return rc;
}

#define BASE "--addr", "198.51.100.10", "--prefix", "24", "--gateway", "198.51.100.1"

Test(config, minimal_and_defaults)
{
	struct in_addr a;

	cr_assert_eq(parse(BASE, NULL), 0, "%s", errbuf);
	inet_pton(AF_INET, "198.51.100.10", &a);
	cr_assert_eq(cfg.n_addrs, 1);
	cr_assert_eq(cfg.addrs[0], a.s_addr);
	cr_assert_eq(cfg.prefix_len, 24);
	cr_assert_eq(cfg.port_lo, 20000);
	cr_assert_eq(cfg.port_hi, 29999);
	cr_assert_eq(cfg.idle_timeout_ms, 60000);
	cr_assert_eq(cfg.relatch_pkts, 5);
	cr_assert_eq(cfg.dscp, 46);
	cr_assert_str_eq(cfg.ctl_path, "/run/voxrelay/dp.sock");
	cr_assert_str_eq(cfg.shm_name, "/voxrelay-stats");
	cr_assert_eq(cfg.tunnel_cksum, 0);
	cr_assert_eq(cfg.hello_rate, 20);
	cr_assert_eq(cfg.hello_source_rate, 10);
}

Test(config, several_addresses_and_options)
{
	cr_assert_eq(parse("--addr", "198.51.100.10,198.51.100.11", "--addr", "198.51.100.12",
		"--prefix", "24", "--gateway", "198.51.100.1", "--ports", "30000-39999",
		"--ctl", "/tmp/x.sock", "--shm", "/vr-x", "--idle-timeout", "30",
		"--learn-window", "10", "--relatch", "8", "--max-calls", "1000",
		"--tunnel-checksum", "on", "--hello-rate", "50", "--hello-source-rate", "5", NULL), 0,
		"%s", errbuf);
	cr_assert_eq(cfg.n_addrs, 3);
	cr_assert_eq(cfg.port_lo, 30000);
	cr_assert_eq(cfg.port_hi, 39999);
	cr_assert_str_eq(cfg.ctl_path, "/tmp/x.sock");
	cr_assert_str_eq(cfg.shm_name, "/vr-x");
	cr_assert_eq(cfg.idle_timeout_ms, 30000);
	cr_assert_eq(cfg.learn_window_ms, 10000);
	cr_assert_eq(cfg.relatch_pkts, 8);
	cr_assert_eq(cfg.max_calls, 1000);
	cr_assert_eq(cfg.tunnel_cksum, 1);
	cr_assert_eq(cfg.hello_rate, 50);
	cr_assert_eq(cfg.hello_source_rate, 5);
}

Test(config, tunnel_checksum_on_then_off)
{
	cr_assert_eq(parse(BASE, "--tunnel-checksum", "on", "--tunnel-checksum", "off", NULL), 0,
		"%s", errbuf);
	cr_assert_eq(cfg.tunnel_cksum, 0);
}

Test(config, help)
{
	cr_assert_eq(parse("--help", NULL), 1);
}

/* Each bad value fails and the message names the option and the value. */
static void
bad(const char *opt, const char *val, const char *want)
{
	cr_assert_lt(parse(BASE, opt, val, NULL), 0, "%s %s accepted", opt, val);
	cr_assert(strstr(errbuf, want) != NULL, "for %s %s: '%s' lacks '%s'", opt, val, errbuf,
		want);
}

Test(config, bad_values_are_named)
{
	bad("--addr", "198.51.100.300", "'198.51.100.300'");
	bad("--addr", "224.0.0.5", "'224.0.0.5'");
	bad("--addr", "198.51.100.10", "given twice");
	bad("--addr", "203.0.113.5", "'203.0.113.5' is not on the subnet");
	bad("--prefix", "8", "--prefix: bad value '8'");
	bad("--prefix", "x", "--prefix: bad value 'x'");
	bad("--ports", "20001-20100", "'20001-20100'");
	bad("--ports", "30000-20000", "'30000-20000'");
	bad("--ports", "80-90", "'80-90'");
	bad("--ports", "abc", "'abc'");
	bad("--shm", "noslash", "--shm: bad value 'noslash'");
	bad("--idle-timeout", "0", "--idle-timeout: bad value '0'");
	bad("--relatch", "1", "--relatch: bad value '1'");
	bad("--dscp", "64", "--dscp: bad value '64'");
	bad("--max-calls", "-3", "--max-calls: bad value '-3'");
	bad("--tunnel-checksum", "yes", "--tunnel-checksum: bad value 'yes'");
	bad("--hello-rate", "0", "--hello-rate: bad value '0'");
	bad("--hello-source-rate", "10001", "--hello-source-rate: bad value '10001'");
}

Test(config, missing_and_inconsistent)
{
	cr_assert_lt(parse("--prefix", "24", "--gateway", "198.51.100.1", NULL), 0);
	cr_assert(strstr(errbuf, "--addr is required") != NULL, "%s", errbuf);
	cr_assert_lt(parse("--addr", "198.51.100.10", "--gateway", "198.51.100.1", NULL), 0);
	cr_assert(strstr(errbuf, "--prefix is required") != NULL, "%s", errbuf);
	cr_assert_lt(parse("--addr", "198.51.100.10", "--prefix", "24", NULL), 0);
	cr_assert(strstr(errbuf, "--gateway is required") != NULL, "%s", errbuf);
	cr_assert_lt(parse("--addr", "198.51.100.10", "--prefix", "24", "--gateway",
		"203.0.113.1", NULL), 0);
	cr_assert(strstr(errbuf, "'203.0.113.1' is not on the subnet") != NULL, "%s", errbuf);
	cr_assert_lt(parse("--addr", "198.51.100.10", "--prefix", "24", "--gateway",
		"198.51.100.10", NULL), 0);
	cr_assert(strstr(errbuf, "also a relay address") != NULL, "%s", errbuf);
	cr_assert_lt(parse(BASE, "--bogus", NULL), 0);
	cr_assert(strstr(errbuf, "'--bogus'") != NULL, "%s", errbuf);
	cr_assert_lt(parse(BASE, "--ports", NULL), 0);
	cr_assert(strstr(errbuf, "--ports: missing value") != NULL, "%s", errbuf);
	cr_assert_lt(parse(BASE, "stray", NULL), 0);
	cr_assert(strstr(errbuf, "'stray'") != NULL, "%s", errbuf);
}

Test(config, on_link)
{
	struct in_addr a;

	cr_assert_eq(parse(BASE, NULL), 0);
	inet_pton(AF_INET, "198.51.100.200", &a);
	cr_assert(vr_config_on_link(&cfg, a.s_addr));
	inet_pton(AF_INET, "198.51.101.1", &a);
	cr_assert_not(vr_config_on_link(&cfg, a.s_addr));
}
