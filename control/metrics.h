/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics: GET /metrics on an HTTP listener (libmicrohttpd)
 * served from voxrelay-control's own loop, in the OpenMetrics text format
 * when the scraper asks for it (Prometheus does) and in Prometheus's text
 * format 0.0.4 otherwise. Names and labels: docs/metrics.md. Control
 * process's thread only: the listener is polled by the control loop, so a
 * scrape reads control's state without locks.
 */
#ifndef VR_CTL_METRICS_H
#define VR_CTL_METRICS_H

#include <stdio.h>

#include "health.h"
#include "model.h"
#include "publish.h"
#include "shm_reader.h"

/* What a scrape reads. */
struct vr_metrics_src {
	const struct vr_health *health;
	const struct vr_shm_map *shm;   /* hdr NULL while the dataplane's is not mapped */
	const struct vr_model *model;
	const struct vr_publisher *pub;
	int redis_up;
	int per_call;                   /* per-call series (--metrics-calls): one set per call */
};

struct MHD_Daemon;

struct vr_metrics {
	struct MHD_Daemon *d;
	int fd;                         /* to poll for readiness; -1 when off */
	struct vr_metrics_src src;
	uint64_t scrapes;
};

/* Writes every metric to f: OpenMetrics (ending in "# EOF") or text 0.0.4. */
void vr_metrics_write(FILE *f, const struct vr_metrics_src *src, int openmetrics);

/*
 * Listens on spec ("HOST:PORT", an IPv4 address). 0, or -1 with err naming
 * the value or the failure.
 */
int vr_metrics_start(struct vr_metrics *m, const char *spec, char *err, size_t errlen);

/* Serves whatever is ready, without blocking. */
void vr_metrics_run(struct vr_metrics *m);

void vr_metrics_stop(struct vr_metrics *m);

#endif /* VR_CTL_METRICS_H */
