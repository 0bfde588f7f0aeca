/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-channel client; see ctl_client.h. Runs in the caller's thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_client.h"

int
vr_ctl_connect(struct vr_ctl_client *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(c->error, sizeof(c->error), "socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		snprintf(c->error, sizeof(c->error), "cannot connect to '%s': %s", path,
			strerror(e));
		close(c->fd);
		c->fd = -1;
		return -e;
	}
	return 0;
}

void
vr_ctl_disconnect(struct vr_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

size_t
vr_ctl_encode(void *buf, size_t cap, uint16_t type, uint32_t seq, const void *body, size_t len)
{
	struct vr_ctl_hdr h = {
		.magic = VR_CTL_MAGIC,
		.version = VR_CTL_VERSION,
		.type = type,
		.len = (uint32_t)(sizeof(h) + len),
		.seq = seq,
	};

	if (sizeof(h) + len > cap)
		return 0;
	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy((char *)buf + sizeof(h), body, len);
	return sizeof(h) + len;
}

int
vr_ctl_decode(const void *reply, size_t len, uint16_t type, uint32_t seq, size_t want,
	int want_max, char *err, size_t errlen)
{
	struct vr_ctl_reply r;

	if (len < sizeof(r)) {
		snprintf(err, errlen, "reply of %zu bytes is shorter than %zu", len, sizeof(r));
		return -EBADMSG;
	}
	memcpy(&r, reply, sizeof(r));
	if (r.hdr.magic != VR_CTL_MAGIC || r.hdr.len != len) {
		snprintf(err, errlen, "reply has bad magic 0x%08x or length %u (got %zu)",
			r.hdr.magic, r.hdr.len, len);
		return -EBADMSG;
	}
	if (r.hdr.version != VR_CTL_VERSION) {
		snprintf(err, errlen, "dataplane speaks control protocol %u, this client %u",
			r.hdr.version, VR_CTL_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (r.hdr.type != (type | VR_CTL_REPLY) || r.hdr.seq != seq) {
		snprintf(err, errlen, "reply type 0x%x seq %u does not answer type %u seq %u",
			r.hdr.type, r.hdr.seq, type, seq);
		return -EBADMSG;
	}
	if (r.status < 0) {
		r.error[sizeof(r.error) - 1] = '\0';
		snprintf(err, errlen, "%s", r.error[0] != '\0' ? r.error : strerror(-r.status));
		return r.status;
	}
	if (want_max ? len - sizeof(r) > want : len - sizeof(r) != want) {
		snprintf(err, errlen, "reply body of %zu bytes, expected %s%zu", len - sizeof(r),
			want_max ? "at most " : "", want);
		return -EBADMSG;
	}
	return 0;
}

int
vr_ctl_request(struct vr_ctl_client *c, uint16_t type, const void *body, size_t len, void *out,
	size_t out_cap, size_t *out_len)
{
	static uint8_t buf[VR_CTL_MSG_MAX];
	size_t n;
	ssize_t got;
	int rc;

	n = vr_ctl_encode(buf, sizeof(buf), type, ++c->seq, body, len);
	if (n == 0) {
		snprintf(c->error, sizeof(c->error), "request body of %zu bytes is too large", len);
		return -EMSGSIZE;
	}
	if (send(c->fd, buf, n, MSG_NOSIGNAL) < 0) {
		snprintf(c->error, sizeof(c->error), "send: %s", strerror(errno));
		return -errno;
	}
	got = recv(c->fd, buf, sizeof(buf), 0);
	if (got <= 0) {
		rc = got == 0 ? -ECONNRESET : -errno;
		snprintf(c->error, sizeof(c->error), "no reply from the dataplane: %s",
			strerror(-rc));
		return rc;
	}
	rc = vr_ctl_decode(buf, (size_t)got, type, c->seq, out_cap, 1, c->error,
		sizeof(c->error));
	if (rc < 0)
		return rc;
	n = (size_t)got - sizeof(struct vr_ctl_reply);
	if (out != NULL)
		memcpy(out, buf + sizeof(struct vr_ctl_reply), n);
	if (out_len != NULL)
		*out_len = n;
	return 0;
}

static int
parse_port(const char *s, uint16_t *p)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
		return -EINVAL;
	*p = (uint16_t)v;
	return 0;
}

int
vr_ctl_parse_leg(const char *spec, struct vr_ctl_leg *l, char *err, size_t errlen)
{
	char buf[128], *peer, *port, *dash;
	struct in_addr a;

	memset(l, 0, sizeof(*l));
	if (strlen(spec) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec);
	peer = strchr(buf, ',');
	if (peer != NULL) {
		*peer++ = '\0';
		if (strncmp(peer, "peer=", 5) != 0)
			goto bad;
		peer += 5;
	}
	port = strchr(buf, ':');
	if (port == NULL)
		goto bad;
	*port++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		snprintf(err, errlen, "leg '%s': '%s' is not an IPv4 address", spec, buf);
		return -EINVAL;
	}
	l->addr = a.s_addr;
	if (parse_port(port, &l->port) < 0) {
		snprintf(err, errlen, "leg '%s': '%s' is not a port", spec, port);
		return -EINVAL;
	}
	if (peer == NULL)
		return 0;
	l->flags = VR_CTL_LEG_F_EXPECT;
	port = strchr(peer, ':');
	if (port != NULL)
		*port++ = '\0';
	if (inet_pton(AF_INET, peer, &a) != 1) {
		snprintf(err, errlen, "leg '%s': peer '%s' is not an IPv4 address", spec, peer);
		return -EINVAL;
	}
	l->expect_ip = a.s_addr;
	if (port == NULL)
		return 0;
	dash = strchr(port, '-');
	if (dash != NULL)
		*dash++ = '\0';
	if (parse_port(port, &l->expect_lo) < 0 ||
			parse_port(dash != NULL ? dash : port, &l->expect_hi) < 0 ||
			l->expect_hi < l->expect_lo) {
		snprintf(err, errlen, "leg '%s': peer ports are not LO[-HI]", spec);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "leg '%s' is not ADDR:PORT[,peer=IP[:LO[-HI]]]", spec);
	return -EINVAL;
}
