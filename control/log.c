/* SPDX-License-Identifier: BSD-3-Clause */
/* The control process's log; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

void
vr_log(int priority, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error", "warning",
		"notice", "info", "debug" };
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "<%d>%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ voxrelay-control %s: ", priority,
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, names[priority & 7]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
