/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports of what a frontend did wrong, at a rate it cannot raise: each
 * device has its own limit (10 per 5 s), kept across its connections, so
 * a frontend that reconnects in a loop with bad keys or illegal states
 * floods neither dom0's log nor xenstore.
 */
#ifndef PVBACK_REPORT_H
#define PVBACK_REPORT_H

#include <linux/ratelimit.h>
#include <xen/xenbus.h>

static inline void pvback_report_init(struct ratelimit_state *rs)
{
	ratelimit_state_init(rs, 5 * HZ, 10);
}

/* xenbus_dev_fatal(), its message rate-limited; the device closes anyway. */
#define pvback_guest_fatal(rs, xdev, err, fmt, ...)			\
do {									\
	struct xenbus_device *xdev_ = (xdev);				\
									\
	if (__ratelimit(rs))						\
		xenbus_dev_fatal(xdev_, err, fmt, ##__VA_ARGS__);	\
	else								\
		xenbus_switch_state(xdev_, XenbusStateClosing);		\
} while (0)

/* xenbus_dev_error(), rate-limited. */
#define pvback_guest_error(rs, xdev, err, fmt, ...)			\
do {									\
	if (__ratelimit(rs))						\
		xenbus_dev_error(xdev, err, fmt, ##__VA_ARGS__);	\
} while (0)

#endif /* PVBACK_REPORT_H */
