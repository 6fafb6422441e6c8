/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake world under a temporary directory: ROOT/sys (PVBACK_SYSFS) with
 * block devices, vbds and vifs, ROOT/devfs (PVBACK_DEVFS) with device
 * nodes as "b MAJ:MIN" files.
 */
#ifndef PVBACKCTL_FIXTURE_H
#define PVBACKCTL_FIXTURE_H

#include "kint.h"

struct world {
	char root[128];
	char sys[160];
	char dev[160];
};

int world_create(struct world *w);
void world_destroy(struct world *w);

/* Write a file under root (printf-style content), creating directories. */
void w_file(const struct world *w, const char *rel, const char *fmt, ...)
	__printf(3, 4);
void w_link(const struct world *w, const char *rel, const char *target);

/* A whole disk: sys/devices/virtual/block/NAME and sys/dev/block/M:m. */
void w_disk(const struct world *w, const char *name, unsigned int maj,
	    unsigned int min, u64 sectors, unsigned int lbs);
void w_part(const struct world *w, const char *disk, const char *name,
	    unsigned int maj, unsigned int min, u64 start,
	    u64 sectors);
/* devfs/PATH holding "b MAJ:MIN". */
void w_node(const struct world *w, const char *path, unsigned int maj,
	    unsigned int min);

#endif
