/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control process's log: one line per event to stderr (journald takes it
 * from there), with a syslog priority prefix systemd understands.
 */
#ifndef VR_CTL_LOG_H
#define VR_CTL_LOG_H

#include <syslog.h>

/* Logs one line at priority (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
void vr_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* VR_CTL_LOG_H */
