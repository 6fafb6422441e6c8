// SPDX-License-Identifier: GPL-2.0
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

static void mkdirs(const char *path)
{
	char buf[512], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
}

int world_create(struct world *w)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(w->root, sizeof(w->root), "%s/pvbackctl-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(w->root))
		return -1;
	snprintf(w->sys, sizeof(w->sys), "%s/sys", w->root);
	snprintf(w->dev, sizeof(w->dev), "%s/devfs", w->root);
	mkdir(w->sys, 0755);
	mkdir(w->dev, 0755);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void world_destroy(struct world *w)
{
	if (w->root[0])
		nftw(w->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	w->root[0] = '\0';
}

void w_file(const struct world *w, const char *rel, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", w->root, rel);
	mkdirs(path);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		abort();
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

void w_link(const struct world *w, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", w->root, rel);
	mkdirs(path);
	unlink(path);
	if (symlink(target, path)) {
		perror(path);
		abort();
	}
}

void w_disk(const struct world *w, const char *name, unsigned int maj,
	    unsigned int min, u64 sectors, unsigned int lbs)
{
	char d[256], l[128], t[256];

	snprintf(d, sizeof(d), "sys/devices/virtual/block/%s", name);
	w_file(w, strcat(strcpy(t, d), "/dev"), "%u:%u\n", maj, min);
	w_file(w, strcat(strcpy(t, d), "/size"), "%llu\n",
	       (unsigned long long)sectors);
	w_file(w, strcat(strcpy(t, d), "/uevent"),
	       "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=disk\n", maj, min, name);
	w_file(w, strcat(strcpy(t, d), "/queue/logical_block_size"), "%u\n",
	       lbs);
	snprintf(l, sizeof(l), "sys/dev/block/%u:%u", maj, min);
	snprintf(t, sizeof(t), "../../devices/virtual/block/%s", name);
	w_link(w, l, t);
}

void w_part(const struct world *w, const char *disk, const char *name,
	    unsigned int maj, unsigned int min, u64 start,
	    u64 sectors)
{
	char d[256], l[128], t[256];

	snprintf(d, sizeof(d), "sys/devices/virtual/block/%s/%s", disk, name);
	w_file(w, strcat(strcpy(t, d), "/dev"), "%u:%u\n", maj, min);
	w_file(w, strcat(strcpy(t, d), "/size"), "%llu\n",
	       (unsigned long long)sectors);
	w_file(w, strcat(strcpy(t, d), "/start"), "%llu\n",
	       (unsigned long long)start);
	w_file(w, strcat(strcpy(t, d), "/partition"), "%s\n",
	       name + strlen(disk));
	w_file(w, strcat(strcpy(t, d), "/uevent"),
	       "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=partition\n", maj, min,
	       name);
	snprintf(l, sizeof(l), "sys/dev/block/%u:%u", maj, min);
	snprintf(t, sizeof(t), "../../devices/virtual/block/%s/%s", disk, name);
	w_link(w, l, t);
}

void w_node(const struct world *w, const char *path, unsigned int maj,
	    unsigned int min)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "devfs%s", path);
	w_file(w, rel, "b %u:%u\n", maj, min);
}
