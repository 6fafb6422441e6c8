/* SPDX-License-Identifier: GPL-2.0 */
/* VM definitions: xl config files read from disk and their disks parsed. */
#ifndef PVBACKCTL_VMDEFS_H
#define PVBACKCTL_VMDEFS_H

#include <stddef.h>

#include "diskspec.h"

struct vmdisk {
	int line;		/* of the disk's string */
	char *spec;		/* as written */
	struct diskspec ds;
	char *err;		/* the spec does not parse: why */
};

struct vmdef {
	char *path;		/* as given or DIR/NAME */
	char *err;		/* cannot read or parse: why (no location) */
	int err_line;		/* where, or 0 */
	char *name;		/* name = "..."; NULL if missing */
	int name_line;
	char *disk_err;		/* "disk" is not a list of strings: why */
	int disk_line;		/* where */
	struct vmdisk *disks;
	size_t ndisks;
	size_t nvifs;
};

struct vmdefs {
	struct vmdef *v;
	size_t n;
};

/*
 * Every regular file of dir whose name does not start with '.' and does
 * not end with '~' (editor backups), in natural name order, appended to
 * defs.  Returns 0 or -errno when the directory cannot be read.
 */
int vmdefs_load_dir(const char *dir, struct vmdefs *defs);
void vmdefs_add(struct vmdefs *defs, const char *path);
void vmdefs_free(struct vmdefs *defs);
/* The definition named name, or NULL. */
const struct vmdef *vmdefs_find(const struct vmdefs *defs, const char *name);

#endif
