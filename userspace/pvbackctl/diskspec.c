// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diskspec.h"
#include "util.h"

/* NULL-terminated word lists */
static const char *const formats[] = {
	"raw", "qcow", "qcow2", "vhd", "empty", "qed", NULL
};

static const char *const backendtypes[] = {
	"phy", "tap", "qdisk", "standalone", NULL
};

/* Deprecated prefixes libxl accepts before the target ("phy:/dev/sdb"). */
static const char *const ignored_prefixes[] = {
	"tapdisk", "tap", "tap2", "aio", "ioemu", "file", "phy", NULL
};

static const char *const format_prefixes[] = {
	"raw", "qcow", "qcow2", "vhd", NULL
};

static const char *const script_prefixes[] = {
	"iscsi", "nbd", "enbd", "drbd", NULL
};

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

struct dparse {
	struct diskspec *d;
	char *err;
	bool had_prefix;
	bool format_done;	/* the format position was filled */
};

/* Record the first error; always -1. */
static int __printf(2, 3) fail(struct dparse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&p->err, fmt, ap) < 0)
		p->err = xstrdup("cannot parse the disk");
	va_end(ap);
	return -1;
}

/* Set a string once; an empty earlier value may be overwritten. */
static int set_once(struct dparse *p, char **slot, const char *what,
		    const char *val)
{
	if (*slot && **slot)
		return fail(p,
			    "%s given twice ('%s' and '%s')", what, *slot, val);
	free(*slot);
	*slot = xstrdup(val);
	return 0;
}

static int set_access(struct dparse *p, const char *v)
{
	if (!strcmp(v, "r") || !strcmp(v, "ro"))
		p->d->ro = true;
	else if (!strcmp(v, "w") || !strcmp(v, "rw") || !*v)
		p->d->ro = false;
	else
		return fail(p, "access=%s: use r, ro, w or rw", v);
	p->d->access_set = true;
	return 0;
}

static int set_format(struct dparse *p, const char *v)
{
	const char *f = *v ? v : "raw";

	if (!in(f, formats))
		return fail(p,
			    "unknown format '%s' (raw, qcow, qcow2, vhd, qed, empty)", v);
	if (p->d->format && strcmp(p->d->format, f))
		return fail(p,
			    "format given twice ('%s' and '%s')", p->d->format, f);
	free(p->d->format);
	p->d->format = xstrdup(f);
	p->format_done = true;
	return 0;
}

/* "xvdc:cdrom" / "xvdc:disk" in the vdev position. */
static int set_vdev_positional(struct dparse *p, char *v)
{
	char *colon = strrchr(v, ':');

	if (colon) {
		*colon++ = '\0';
		if (!strcmp(colon, "cdrom"))
			p->d->cdrom = true;
		else if (strcmp(colon, "disk"))
			return fail(p,
				    "unknown device type ':%s' after vdev %s", colon, v);
	}
	return set_once(p, &p->d->vdev, "vdev", v);
}

static int take_positional(struct dparse *p, char *v)
{
	struct diskspec *d = p->d;

	if (!d->target)
		return set_once(p, &d->target, "target", v);
	if (!p->had_prefix && !p->format_done) {
		/* ",xvdc:cdrom" right after an empty target is the vdev */
		if (!*d->target && strchr(v, ':')) {
			p->format_done = true;
			return set_vdev_positional(p, v);
		}
		return set_format(p, v);
	}
	if (!d->vdev)
		return set_vdev_positional(p, v);
	if (!d->access_set)
		return set_access(p, v);
	return fail(p, "too many positional parameters at '%s'", v);
}

/* "word:" prefixes of the old syntax; returns chars consumed (0: none). */
static size_t take_prefix(struct dparse *p, const char *s)
{
	size_t n = 0;
	char *w;

	if (!islower((unsigned char)s[0]))
		return 0;
	while (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]))
		n++;
	if (s[n] != ':')
		return 0;
	w = xstrndup(s, n);
	if (in(w, format_prefixes)) {
		set_format(p, w);
	} else if (in(w, script_prefixes)) {
		char *script = xasprintf("block-%s", w);

		set_once(p, &p->d->script, "script", script);
		free(script);
	} else if (!in(w, ignored_prefixes)) {
		/* "xvda:cdrom" is a positional vdev, not a prefix */
		if (isalnum((unsigned char)s[n + 1])) {
			free(w);
			return 0;
		}
		fail(p, "unknown disk prefix '%s:'", w);
	}
	free(p->d->prefix);
	p->d->prefix = w;
	p->had_prefix = true;
	return n + 1;
}

static const struct {
	const char *key;
	int what;
} keys[] = {
	{ "format", 1 }, { "vdev", 2 }, { "access", 3 }, { "script", 4 },
	{ "backendtype", 5 }, { "backend", 6 }, { "devtype", 7 },
	{ "specification", 0 }, { "colo-host", 0 }, { "colo-port", 0 },
	{ "colo-export", 0 }, { "active-disk", 0 }, { "hidden-disk", 0 },
	{ "grant_usage", 0 },
};

static const char *const flags[] = {
	"cdrom", "direct-io-safe", "discard", "no-discard", "colo", "no-colo",
	"trusted", "untrusted", NULL
};

static bool valid_key(const char *k)
{
	if (!islower((unsigned char)*k))
		return false;
	for (; *k; k++)
		if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) &&
		    *k != '-' && *k != '_')
			return false;
	return true;
}

static int keyval(struct dparse *p, const char *key, const char *v)
{
	struct diskspec *d = p->d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].key, key))
			break;
	if (i == ARRAY_SIZE(keys))
		return fail(p, "unknown parameter '%s='", key);
	switch (keys[i].what) {
	case 1:
		return set_format(p, v);
	case 2:
		return set_once(p, &d->vdev, "vdev", v);
	case 3:
		return set_access(p, v);
	case 4:
		return set_once(p, &d->script, "script", v);
	case 5:
		if (!in(v, backendtypes))
			return fail(p,
				    "unknown backendtype '%s' (phy, tap, qdisk, standalone)",
				    v);
		return set_once(p, &d->backendtype, "backendtype", v);
	case 6:
		return set_once(p, &d->backend, "backend", v);
	case 7:
		if (!strcmp(v, "cdrom"))
			d->cdrom = true;
		else if (!strcmp(v, "disk"))
			d->cdrom = false;
		else
			return fail(p,
				    "unknown devtype '%s' (disk or cdrom)", v);
		return 0;
	}
	return 0;
}

int diskspec_parse(const char *spec, struct diskspec *d, char **err)
{
	struct dparse p = { .d = d };
	const char *s = spec;

	memset(d, 0, sizeof(*d));
	while (*s && !p.err) {
		const char *end, *eq;
		char *item, *v;
		size_t n;

		while (is_blank((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (!strncmp(s, "target=", 7)) {
			/*
			 * eats the rest, commas included; one trailing comma
			 * is dropped as xl does
			 */
			item = xstrdup(s + 7);
			n = strlen(item);
			if (n && item[n - 1] == ',')
				item[n - 1] = '\0';
			set_once(&p, &d->target, "target", item);
			free(item);
			break;
		}
		n = take_prefix(&p, s);
		if (n) {
			s += n;
			continue;
		}
		end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		item = xstrndup(s, end - s);
		s = *end ? end + 1 : end;
		eq = strchr(item, '=');
		if (eq) {
			char *key = xstrndup(item, eq - item);

			v = trim((char *)eq + 1);
			if (valid_key(key))
				keyval(&p, key, v);
			else
				fail(&p,
				     "'%s' is not key=value (no spaces around '=')",
				     trim(item));
			free(key);
		} else if (in(trim(item), flags)) {
			if (!strcmp(trim(item), "cdrom"))
				d->cdrom = true;
		} else {
			/* trailing blanks are not part of a positional value */
			v = item;
			n = strlen(v);
			while (n && is_blank((unsigned char)v[n - 1]))
				v[--n] = '\0';
			take_positional(&p, v);
		}
		free(item);
	}
	if (p.err) {
		*err = p.err;
		diskspec_free(d);
		return -1;
	}
	if (d->cdrom)
		d->ro = true;
	*err = NULL;
	return 0;
}

void diskspec_free(struct diskspec *d)
{
	free(d->target);
	free(d->format);
	free(d->vdev);
	free(d->script);
	free(d->backendtype);
	free(d->backend);
	free(d->prefix);
	memset(d, 0, sizeof(*d));
}

enum disk_kind diskspec_kind(const struct diskspec *d)
{
	bool explicit_phy;

	if (streq(d->script, "pvback-region"))
		return d->target && *d->target ? DISK_REGION : DISK_OTHER;
	if (!d->target || !*d->target)
		return DISK_OTHER;
	if (d->format && strcmp(d->format, "raw"))
		return DISK_OTHER;
	if (d->backendtype && strcmp(d->backendtype, "phy"))
		return DISK_OTHER;
	if (d->script && strcmp(d->script, "block"))
		return DISK_OTHER;
	if (d->target[0] != '/')
		return DISK_OTHER;
	explicit_phy = streq(d->prefix, "phy") ||
		       streq(d->backendtype, "phy") || streq(d->script, "block");
	return explicit_phy ? DISK_WHOLE : DISK_MAYBE_WHOLE;
}
