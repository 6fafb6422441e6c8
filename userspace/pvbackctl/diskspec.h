/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xl disk specifications (xl-disk-configuration(5)): comma-separated
 * key=value items, flags and positional parameters target, format, vdev,
 * access; "target=" eats the rest of the string, commas included.  No I/O.
 */
#ifndef PVBACKCTL_DISKSPEC_H
#define PVBACKCTL_DISKSPEC_H

#include <stdbool.h>

struct diskspec {
	char *target;		/* NULL: none given */
	char *format;		/* NULL: unset (raw) */
	char *vdev;
	char *script;
	char *backendtype;
	char *backend;
	bool ro;		/* access r/ro; cdroms are always read-only */
	bool access_set;
	bool cdrom;
	char *prefix;		/* last deprecated "xxx:" prefix, e.g. "phy" */
};

/* Returns 0, or -1 with *err a malloc'ed message. */
int diskspec_parse(const char *spec, struct diskspec *d, char **err);
void diskspec_free(struct diskspec *d);

/*
 * DISK_OTHER: a file, qcow, cdrom without medium...: no region.
 * DISK_REGION: script=pvback-region: the target is a region.
 * DISK_WHOLE: raw on the phy backend, said explicitly (phy:, backendtype=phy
 *   or script=block): the whole device, if the target is a block device.
 * DISK_MAYBE_WHOLE: the same, but nothing says phy: a region only if the
 *   target turns out to be a block device.
 */
enum disk_kind {
	DISK_OTHER,
	DISK_REGION,
	DISK_WHOLE,
	DISK_MAYBE_WHOLE,
};

enum disk_kind diskspec_kind(const struct diskspec *d);

#endif
