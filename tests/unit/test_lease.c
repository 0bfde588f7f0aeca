/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/lease.c against a real redis-server this test starts on loopback:
 * two hosts' leases on one relay address, taken, renewed, taken over once
 * free for a whole lease, fenced by the later epoch, never taken back by a
 * host that returns, adopted by a restarted control of the same host, and
 * kept under the same epoch when Redis lost the key. The --own list.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>

#include "control/lease.h"

#define LEASE_MS 200

static pid_t redis_pid;
static redisContext *rc;
static char dir[] = "/tmp/vr-lease-XXXXXX";
static uint32_t addr;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
redis_up(void)
{
	char port[16];
	int i, p = 30000 + getpid() % 20000;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(port, sizeof(port), "%d", p);
	redis_pid = fork();
	cr_assert_geq(redis_pid, 0);
	if (redis_pid == 0) {
		freopen("/dev/null", "w", stdout);
		execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		rc = redisConnect("127.0.0.1", p);
		if (rc != NULL && rc->err == 0)
			break;
		if (rc != NULL)
			redisFree(rc);
		rc = NULL;
		usleep(50000);
	}
	cr_assert_not_null(rc, "redis-server did not start on %d", p);
	inet_pton(AF_INET, "198.51.100.10", &addr);
}

static void
redis_down(void)
{
	if (rc != NULL)
		redisFree(rc);
	if (redis_pid > 0) {
		kill(redis_pid, SIGTERM);
		waitpid(redis_pid, NULL, 0);
	}
	rmdir(dir);
}

TestSuite(lease, .init = redis_up, .fini = redis_down);

static void
host(struct vr_leases *l, const char *id, const char *own, int takeover)
{
	char err[128];

	memset(l, 0, sizeof(*l));
	snprintf(l->host, sizeof(l->host), "%s", id);
	cr_assert_eq(vr_leases_own(l, own, err, sizeof(err)), 0, "%s", err);
	l->takeover = takeover;
	l->lease_ms = LEASE_MS;
	vr_leases_addrs(l, &addr, 1);
}

/* One round now (whatever its schedule says); what it gained and lost. */
static void
round_now(struct vr_leases *l, uint64_t *gained, uint64_t *lost)
{
	l->next_ms = 0;
	cr_assert_eq(vr_leases_round(l, rc, "vr:", now_ms(), gained, lost), 1);
}

static char *
lease_value(char *buf, size_t len)
{
	redisReply *r = redisCommand(rc, "GET vr:lease:198.51.100.10");

	snprintf(buf, len, "%s", r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "");
	freeReplyObject(r);
	return buf;
}

Test(lease, taken_over_once_free_for_a_lease_and_the_old_holder_fenced)
{
	struct vr_leases a, b, a2, b2;
	uint64_t g, lo;
	char v[64];

	host(&a, "a", "198.51.100.10", 0);
	host(&b, "b", "none", 1);
	cr_assert_eq(vr_leases_here(&a, addr), -1, "known before a round");
	round_now(&a, &g, &lo);
	cr_assert_eq(g, 1);
	cr_assert_str_eq(lease_value(v, sizeof(v)), "a 1");
	cr_assert_eq(vr_leases_here(&a, addr), 1);
	round_now(&b, &g, &lo);
	cr_assert_eq(g, 0);
	cr_assert_str_eq(b.holder[0], "a 1");
	cr_assert_eq(vr_leases_here(&b, addr), 0);
	/* a renews: the lease outlives its TTL. */
	usleep(LEASE_MS * 600);
	round_now(&a, &g, &lo);
	usleep(LEASE_MS * 600);
	cr_assert_str_eq(lease_value(v, sizeof(v)), "a 1", "a's renewal did not keep its lease");
	/* a stops: the lease lapses; b sees it free, and waits a whole lease. */
	usleep(LEASE_MS * 1200);
	round_now(&b, &g, &lo);
	cr_assert_eq(g, 0);
	cr_assert_str_eq(lease_value(v, sizeof(v)), "");
	usleep(LEASE_MS * 500);
	round_now(&b, &g, &lo);
	cr_assert_eq(g, 0, "b took the address before it was free for a lease");
	usleep(LEASE_MS * 600);
	round_now(&b, &g, &lo);
	cr_assert_eq(g, 1, "b did not take the free address");
	cr_assert_str_eq(lease_value(v, sizeof(v)), "b 2", "not under a later epoch");
	/* a comes back (frozen, not restarted): fenced. */
	round_now(&a, &g, &lo);
	cr_assert_eq(lo, 1, "a was not fenced");
	cr_assert_eq(a.fenced, 1);
	cr_assert_str_eq(a.holder[0], "b 2");
	cr_assert_eq(vr_leases_here(&a, addr), 0);
	/* a restarted: its own address is b's, and stays so. */
	host(&a2, "a", "198.51.100.10", 0);
	round_now(&a2, &g, &lo);
	cr_assert_eq(g, 0, "a took its address back from b");
	cr_assert_str_eq(lease_value(v, sizeof(v)), "b 2");
	/* b's control restarted: it adopts its own lease, same epoch. */
	host(&b2, "b", "none", 1);
	round_now(&b2, &g, &lo);
	cr_assert_eq(g, 1);
	cr_assert_eq(b2.epoch[0], 2);
	/* Redis lost the key (a failover past the TTL): b keeps it under epoch 2. */
	freeReplyObject(redisCommand(rc, "DEL vr:lease:198.51.100.10"));
	round_now(&b2, &g, &lo);
	cr_assert_eq(g | lo, 0);
	cr_assert_str_eq(lease_value(v, sizeof(v)), "b 2");
}

Test(lease, own_lists_are_parsed_and_bad_ones_named)
{
	struct vr_leases l;
	char err[128];

	memset(&l, 0, sizeof(l));
	cr_assert_eq(vr_leases_own(&l, "all", err, sizeof(err)), 0);
	cr_assert(l.own_all);
	cr_assert_eq(vr_leases_own(&l, "198.51.100.10,198.51.100.11", err, sizeof(err)), 0);
	cr_assert_eq(l.n_own, 2);
	cr_assert_not(l.own_all);
	cr_assert_eq(vr_leases_own(&l, "198.51.100.10,", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "--own: '198.51.100.10,' ends with a comma");
	cr_assert_eq(vr_leases_own(&l, "198.51.100.300", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "--own: '198.51.100.300' in '198.51.100.300' is not an IPv4 address");
}
