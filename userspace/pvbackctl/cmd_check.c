// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl check: validate definitions and find overlapping regions.
 *
 * Every claim (a definition's region disk, a running vbd) is compared with
 * every other on the same whole disk, by the kernel's rule: overlap is an
 * error unless both are read-only.  A VM that is defined and running is
 * not compared with itself: its definition's disks only apply once the
 * running instance is gone.  Its definition's disk and the running vbd of
 * the same vdev form one group, so a collision with them is reported once.
 * The old and the new domain of a VM that moves (restored from a
 * checkpoint, migrated here: the same UUID) may hold the very same region,
 * as pvblkback allows, and are not compared either.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "claims.h"
#include "pvbackctl.h"
#include "running.h"
#include "size.h"
#include "util.h"
#include "vmdefs.h"

struct checker {
	struct pvctx *ctx;
	struct claims cl;
	int *group;		/* per claim */
	bool *subject;		/* per claim: part of what we were asked */
	struct diag dg;
};

/* Defined VM x and running VM x are never live together. */
static bool self_pair(const struct claim *a, const struct claim *b)
{
	bool a_def = a->domid < 0, b_def = b->domid < 0;

	if (a_def == b_def)
		return false;
	return a->vm && b->vm && !strcmp(a->vm, b->vm);
}

/*
 * The old and the new domain of one VM (restored from a checkpoint, migrated
 * here) with exactly the same region: pvblkback lets them both hold it.
 */
static bool moving_pair(const struct claim *a, const struct claim *b)
{
	return a->domid >= 0 && b->domid >= 0 && a->domid != b->domid &&
	       a->uuid && b->uuid && streq(a->uuid, b->uuid) &&
	       a->ext.start == b->ext.start && a->ext.len == b->ext.len &&
	       a->ro == b->ro;
}

static void assign_groups(struct checker *ck)
{
	size_t i, j;
	int next = 0;

	ck->group = xcalloc(ck->cl.n, sizeof(*ck->group));
	for (i = 0; i < ck->cl.n; i++)
		ck->group[i] = -1;
	for (i = 0; i < ck->cl.n; i++) {
		const struct claim *c = &ck->cl.c[i];

		if (c->domid < 0 && ck->group[i] < 0) {
			for (j = 0; j < ck->cl.n; j++) {
				const struct claim *r = &ck->cl.c[j];

				if (r->domid >= 0 && r->vm && streq(r->vm, c->vm) &&
				    c->vdev && streq(r->vdev, c->vdev)) {
					if (ck->group[j] < 0)
						ck->group[j] = next++;
					ck->group[i] = ck->group[j];
					break;
				}
			}
		}
		if (ck->group[i] < 0)
			ck->group[i] = next++;
	}
}

/* The definition claim of group g, else any claim of it. */
static const struct claim *group_def(struct checker *ck, int g)
{
	size_t i;

	for (i = 0; i < ck->cl.n; i++)
		if (ck->group[i] == g && ck->cl.c[i].domid < 0)
			return &ck->cl.c[i];
	return NULL;
}

static const struct claim *group_run(struct checker *ck, int g)
{
	size_t i;

	for (i = 0; i < ck->cl.n; i++)
		if (ck->group[i] == g && ck->cl.c[i].domid >= 0)
			return &ck->cl.c[i];
	return NULL;
}

static bool group_subject(struct checker *ck, int g)
{
	size_t i;

	for (i = 0; i < ck->cl.n; i++)
		if (ck->group[i] == g && ck->subject[i])
			return true;
	return false;
}

/* "running as domain 1, defined at vm/vm1:9" */
static void where(struct checker *ck, int g, char *buf, size_t len)
{
	const struct claim *d = group_def(ck, g), *r = group_run(ck, g);

	if (r && d)
		snprintf(buf, len, "running as domain %d, defined at %s:%d",
			 r->domid, d->file, d->line);
	else if (r)
		snprintf(buf, len, "running as domain %d, vbd %d/%u", r->domid,
			 r->domid, r->devid);
	else
		snprintf(buf, len, "%s:%d", d->file, d->line);
}

static void report(struct checker *ck, const struct claim *a,
		   const struct claim *b)
{
	char who_a[160], who_b[160], what_a[200], what_b[200], wh[200];
	char size[32], advice[300], run[64] = "";
	const struct claim *def = group_def(ck, ck->group[a - ck->cl.c]);
	int ga = ck->group[a - ck->cl.c], gb = ck->group[b - ck->cl.c];
	const struct claim *ra = group_run(ck, ga);

	claim_who(a, who_a, sizeof(who_a));
	claim_who(b, who_b, sizeof(who_b));
	claim_what(a, what_a, sizeof(what_a));
	claim_what(b, what_b, sizeof(what_b));
	where(ck, gb, wh, sizeof(wh));
	size_fmt_exact(a->len, size, sizeof(size));
	if (ra)
		snprintf(run, sizeof(run), " (running as domain %d)", ra->domid);
	if (!a->ro && !b->ro)
		snprintf(advice, sizeof(advice),
			 "give each writable vbd its own region (pvbackctl carve --size %s %s finds a free one)",
			 size, a->device);
	else
		snprintf(advice, sizeof(advice),
			 "a read-only region may not overlap a writable one: give each its own region (pvbackctl carve --size %s %s), or make both access=ro",
			 size, a->device);
	diag_error(&ck->dg, def ? def->file : NULL, def ? def->line : 0,
		   "%s%s: region %s overlaps region %s of %s (%s); %s",
		   who_a, run, what_a, what_b, who_b, wh, advice);
}

/* The first colliding pair between groups ga and gb, or false. */
static bool groups_collide(struct checker *ck, int ga, int gb,
			   const struct claim **pa, const struct claim **pb)
{
	size_t i, j;

	for (i = 0; i < ck->cl.n; i++) {
		const struct claim *a = &ck->cl.c[i];

		if (ck->group[i] != ga)
			continue;
		for (j = 0; j < ck->cl.n; j++) {
			const struct claim *b = &ck->cl.c[j];

			if (ck->group[j] != gb || self_pair(a, b) ||
			    moving_pair(a, b) || a->disk_maj != b->disk_maj ||
			    a->disk_min != b->disk_min)
				continue;
			if (claims_collide(&a->ext, a->ro, &b->ext, b->ro)) {
				*pa = a;
				*pb = b;
				return true;
			}
		}
	}
	return false;
}

/*
 * Which side of a collision a message starts with (its FILE:LINE): a
 * definition we check, preferably of a VM that is not running (the one xl
 * create would refuse).
 */
static int subject_rank(struct checker *ck, int g)
{
	if (!group_subject(ck, g) || !group_def(ck, g))
		return 0;
	return group_run(ck, g) ? 1 : 2;
}

static void find_collisions(struct checker *ck)
{
	int ngroups = 0, ga, gb;
	size_t i;

	for (i = 0; i < ck->cl.n; i++)
		if (ck->group[i] + 1 > ngroups)
			ngroups = ck->group[i] + 1;
	for (ga = 0; ga < ngroups; ga++) {
		for (gb = ga + 1; gb < ngroups; gb++) {
			const struct claim *a, *b;
			bool sa = group_subject(ck, ga);
			bool sb = group_subject(ck, gb);

			if (!sa && !sb)
				continue;
			if (!groups_collide(ck, ga, gb, &a, &b))
				continue;
			if (subject_rank(ck, gb) > subject_rank(ck, ga))
				report(ck, b, a);
			else
				report(ck, a, b);
		}
	}
}

static void running_warnings(struct checker *ck, const struct running *r)
{
	size_t i, j;

	for (i = 0; i < r->ndoms; i++) {
		const struct rdom *d = &r->doms[i];

		for (j = 0; j < d->nvbds; j++) {
			const struct rvbd *b = &d->vbds[j];
			const char *vdev = b->vdev ? b->vdev : "VDEV";

			if (!streq(b->region_status, PVBLK_REGION_REFUSED) &&
			    !b->hotplug_error)
				continue;
			diag_warn(&ck->dg, NULL, 0,
				  "running vbd %u/%u (%s %s) was refused: %s; remove it with xl block-detach %s %s",
				  b->domid, b->devid, rdom_name(d), vdev,
				  b->hotplug_error ? b->hotplug_error :
				  "see dmesg", rdom_name(d), vdev);
		}
	}
}

static bool same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!realpath(a, ra) || !realpath(b, rb))
		return !strcmp(a, b);
	return !strcmp(ra, rb);
}

int cmd_check(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct checker ck = { .ctx = ctx, .dg = { .ctx = ctx } };
	struct diag quiet = { .ctx = ctx, .quiet = true };
	struct vmdefs defs = { 0 }, dir = { 0 };
	struct running run;
	size_t nsubject, i, j, nrun = 0;
	int c, r, regions = 0;
	bool have_run;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		r = common_opt(ctx, "check", c, argv);
		if (r >= 0)
			return r;
		if (r == -1)
			return EXIT_USAGE;
	}

	for (i = optind; i < (size_t)argc; i++)
		vmdefs_add(&defs, argv[i]);
	nsubject = defs.n;
	r = vmdefs_load_dir(ctx->vm_dir, &dir);
	if (r && !nsubject) {
		errmsg(ctx, "cannot read the VM directory %s: %s; give FILES or --vm-dir DIR",
		       ctx->vm_dir, strerror(-r));
		vmdefs_free(&dir);
		vmdefs_free(&defs);
		return EXIT_PROBLEM;
	}
	if (!nsubject) {
		defs = dir;
		nsubject = defs.n;
	} else {
		/* the others of the directory are what FILES must not hit */
		for (i = 0; i < dir.n; i++) {
			for (j = 0; j < nsubject; j++)
				if (same_file(dir.v[i].path, defs.v[j].path))
					break;
			if (j < nsubject)
				continue;
			defs.v = xrealloc(defs.v, (defs.n + 1) * sizeof(*defs.v));
			defs.v[defs.n++] = dir.v[i];
			memset(&dir.v[i], 0, sizeof(dir.v[i]));
		}
		vmdefs_free(&dir);
	}

	for (i = 0; i < defs.n; i++) {
		size_t before = ck.cl.n;

		if (i < nsubject)
			regions += claims_add_def(ctx, &defs.v[i], &ck.cl, &ck.dg);
		else
			claims_add_def(ctx, &defs.v[i], &ck.cl, &quiet);
		ck.subject = xrealloc(ck.subject, (ck.cl.n + 1) * sizeof(bool));
		for (j = before; j < ck.cl.n; j++)
			ck.subject[j] = i < nsubject;
	}

	have_run = running_load(ctx, &run) == 0;
	if (!have_run) {
		warnmsg(ctx, "%s; running VMs are not compared, only the definitions",
			ctx->xs_err);
	} else {
		size_t before = ck.cl.n;

		running_warnings(&ck, &run);
		claims_add_running(ctx, &run, &ck.cl, &ck.dg);
		nrun = ck.cl.n - before;
		ck.subject = xrealloc(ck.subject, (ck.cl.n + 1) * sizeof(bool));
		/* without FILES, running vbds are checked too */
		for (j = before; j < ck.cl.n; j++)
			ck.subject[j] = optind >= argc;
	}

	assign_groups(&ck);
	find_collisions(&ck);

	if (ck.dg.errors) {
		fprintf(ctx->out, "%d problem%s found in %zu definition%s (%d region%s checked)\n",
			ck.dg.errors, ck.dg.errors == 1 ? "" : "s", nsubject,
			nsubject == 1 ? "" : "s", regions,
			regions == 1 ? "" : "s");
	} else {
		if (have_run)
			fprintf(ctx->out, "compared with %zu vbd%s of running VMs\n",
				nrun, nrun == 1 ? "" : "s");
		fprintf(ctx->out, "OK: %zu definitions, %d regions checked\n",
			nsubject, regions);
	}
	if (have_run)
		running_free(&run);
	free(ck.group);
	free(ck.subject);
	claims_free(&ck.cl);
	vmdefs_free(&defs);
	return ck.dg.errors ? EXIT_PROBLEM : EXIT_OK;
}
