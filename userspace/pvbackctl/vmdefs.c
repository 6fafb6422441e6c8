// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vmdefs.h"
#include "xlcfg.h"

#define MAX_CONFIG_SIZE (4 << 20)

static char *read_file(const char *path, size_t *len, int *err)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;
			break;
		}
		if (r == 0)
			break;
		n += r;
		if (n > MAX_CONFIG_SIZE) {
			*err = EFBIG;
			break;
		}
	}
	close(fd);
	if (*err) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void load_disks(struct vmdef *def, const struct xlval *v, int line)
{
	size_t i;

	(void)line;
	if (v->type != XLV_LIST) {
		def->disk_err = xstrdup("disk must be a list: disk = [ '...', '...' ]");
		def->disk_line = v->line;
		return;
	}
	def->disks = xcalloc(v->nitems, sizeof(*def->disks));
	for (i = 0; i < v->nitems; i++) {
		const struct xlval *it = &v->items[i];
		struct vmdisk *d = &def->disks[def->ndisks];

		if (it->type != XLV_STRING || strlen(it->str) != it->len) {
			free(def->disk_err);
			def->disk_err = xasprintf("each disk must be a string such as %s",
						  "'vdev=xvda, access=rw, target=...'");
			def->disk_line = it->line;
			continue;
		}
		d->line = it->line;
		d->spec = xstrdup(it->str);
		diskspec_parse(d->spec, &d->ds, &d->err);
		def->ndisks++;
	}
}

/* "PATH:LINE: msg" from the parser into err_line and err. */
static void split_location(struct vmdef *def, const char *err)
{
	size_t n = strlen(def->path);
	char *end;
	long line;

	if (!strncmp(err, def->path, n) && err[n] == ':') {
		line = strtol(err + n + 1, &end, 10);
		if (end[0] == ':' && end[1] == ' ' && line > 0 && line < INT_MAX) {
			def->err = xstrdup(end + 2);
			def->err_line = line;
			return;
		}
	}
	def->err = xstrdup(err);
}

/* Read and parse one file (never fails: problems land in def->err). */
static void vmdef_load(const char *path, struct vmdef *def)
{
	const struct xlval *v;
	struct xlcfg cfg;
	size_t len = 0;
	char *buf, *err;
	int e;
	size_t i;

	memset(def, 0, sizeof(*def));
	def->path = xstrdup(path);
	buf = read_file(path, &len, &e);
	if (!buf) {
		def->err = xasprintf("cannot read: %s", strerror(e));
		return;
	}
	if (xlcfg_parse(path, buf, len, &cfg, &err)) {
		split_location(def, err);
		free(err);
		free(buf);
		return;
	}
	free(buf);
	v = xlcfg_get(&cfg, "name");
	for (i = 0; i < cfg.nset; i++) {
		struct xlsetting *s = &cfg.set[i];

		if (!strcmp(s->key, "name") && s->val.type == XLV_STRING) {
			def->name = xstrdup(s->val.str);
			def->name_line = s->line;
		} else if (!strcmp(s->key, "disk")) {
			load_disks(def, &s->val, s->line);
		} else if (!strcmp(s->key, "vif") && s->val.type == XLV_LIST) {
			def->nvifs = s->val.nitems;
		}
	}
	if (v && v->type != XLV_STRING) {
		def->err = xstrdup("name must be a string: name = \"vm1\"");
		def->err_line = v->line;
	}
	xlcfg_free(&cfg);
}

void vmdefs_add(struct vmdefs *defs, const char *path)
{
	defs->v = xrealloc(defs->v, (defs->n + 1) * sizeof(*defs->v));
	vmdef_load(path, &defs->v[defs->n++]);
}

static int cmp_names(const void *a, const void *b)
{
	return cmp_natural(*(char *const *)a, *(char *const *)b);
}

int vmdefs_load_dir(const char *dir, struct vmdefs *defs)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct stat st;
		char *p;

		if (de->d_name[0] == '.' || de->d_name[l - 1] == '~')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			grow(&names, &cap, n, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
		free(p);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s%s%s", dir,
				    dir[strlen(dir) - 1] == '/' ? "" : "/",
				    names[i]);

		vmdefs_add(defs, p);
		free(p);
		free(names[i]);
	}
	free(names);
	return 0;
}

void vmdefs_free(struct vmdefs *defs)
{
	size_t i, j;

	for (i = 0; i < defs->n; i++) {
		struct vmdef *v = &defs->v[i];

		for (j = 0; j < v->ndisks; j++) {
			free(v->disks[j].spec);
			free(v->disks[j].err);
			diskspec_free(&v->disks[j].ds);
		}
		free(v->disks);
		free(v->path);
		free(v->err);
		free(v->name);
		free(v->disk_err);
	}
	free(defs->v);
	defs->v = NULL;
	defs->n = 0;
}

const struct vmdef *vmdefs_find(const struct vmdefs *defs, const char *name)
{
	size_t i;

	for (i = 0; i < defs->n; i++)
		if (streq(defs->v[i].name, name))
			return &defs->v[i];
	return NULL;
}
