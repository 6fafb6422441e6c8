// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl list: running VMs with their vbds and vifs, then the defined
 * VMs that are not running (from the VM directory; skipped quietly when
 * it does not exist).
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "abi.h"
#include "json.h"
#include "pvbackctl.h"
#include "running.h"
#include "size.h"
#include "table.h"
#include "util.h"
#include "vmdefs.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *defined_at(const struct vmdefs *defs, const char *name)
{
	const struct vmdef *d = name ? vmdefs_find(defs, name) : NULL;

	return d ? d->path : NULL;
}

static void vbd_region(const struct rvbd *b, char *start, char *size,
		       size_t len)
{
	if (!b->have_region) {
		snprintf(start, len, "-");
		snprintf(size, len, b->have_dev ? "whole" : "-");
		return;
	}
	size_fmt_human(b->rstart << PVBLK_SECTOR_SHIFT, start, len);
	size_fmt_human(b->rsectors << PVBLK_SECTOR_SHIFT, size, len);
}

static const char *mode_str(const struct rvbd *b)
{
	return !b->mode ? "-" : b->ro ? "ro" : "rw";
}

static void print_human(struct pvctx *ctx, const struct running *r,
			const struct vmdefs *defs)
{
	struct table vms, vbds, vifs;
	size_t i, j, nvbd = 0, nvif = 0;

	table_init(&vms, 6, 0);
	table_add_all(&vms, "DOMID", "NAME", "STATE", "VBDS", "VIFS",
		      "DEFINITION", NULL);
	table_init(&vbds, 10, 0);
	table_add_all(&vbds, "DOMID", "NAME", "VBD", "DEVICE", "START", "SIZE",
		      "MODE", "STATE", "RINGS", "REGION", NULL);
	table_init(&vifs, 8, 0);
	table_add_all(&vifs, "DOMID", "NAME", "VIF", "BRIDGE", "MAC", "STATE",
		      "LINK", "SCRIPT", NULL);

	for (i = 0; i < r->ndoms; i++) {
		const struct rdom *d = &r->doms[i];
		const char *name = rdom_name(d);

		table_add(&vms, "%u", d->domid);
		table_add(&vms, "%s", name);
		table_add(&vms, "running");
		table_add(&vms, "%zu", d->nvbds);
		table_add(&vms, "%zu", d->nvifs);
		table_add(&vms, "%s", or_dash(defined_at(defs, d->name)));
		for (j = 0; j < d->nvbds; j++) {
			const struct rvbd *b = &d->vbds[j];
			char start[32], size[32];

			vbd_region(b, start, size, sizeof(start));
			table_add(&vbds, "%u", d->domid);
			table_add(&vbds, "%s", rdom_name(d));
			table_add(&vbds, "%s", or_dash(b->vdev));
			table_add(&vbds, "%s", or_dash(b->devpath));
			table_add(&vbds, "%s", start);
			table_add(&vbds, "%s", size);
			table_add(&vbds, "%s", mode_str(b));
			table_add(&vbds, "%s", xenbus_state_name(b->state));
			if (b->nr_rings >= 0)
				table_add(&vbds, "%d", b->nr_rings);
			else
				table_add(&vbds, "-");
			table_add(&vbds, "%s", or_dash(b->region_status));
			nvbd++;
		}
		for (j = 0; j < d->nvifs; j++) {
			const struct rvif *v = &d->vifs[j];

			table_add(&vifs, "%u", d->domid);
			table_add(&vifs, "%s", rdom_name(d));
			table_add(&vifs, "%s", v->netdev);
			table_add(&vifs, "%s", v->master[0] ? v->master :
				  or_dash(v->bridge));
			table_add(&vifs, "%s", or_dash(v->mac));
			table_add(&vifs, "%s", xenbus_state_name(v->state));
			table_add(&vifs, "%s", or_dash(v->operstate));
			table_add(&vifs, "%s", or_dash(v->script));
			nvif++;
		}
	}
	for (i = 0; i < defs->n; i++) {
		const struct vmdef *d = &defs->v[i];

		if (!d->name || running_find(r, d->name))
			continue;
		table_add(&vms, "-");
		table_add(&vms, "%s", d->name);
		table_add(&vms, "(not running)");
		table_add(&vms, "%zu", d->ndisks);
		table_add(&vms, "%zu", d->nvifs);
		table_add(&vms, "%s", d->path);
	}
	if (vms.n == 6)
		fputs("no running or defined VMs\n", ctx->out);
	else
		table_print(&vms, ctx->out);
	if (nvbd) {
		fputc('\n', ctx->out);
		table_print(&vbds, ctx->out);
	}
	if (nvif) {
		fputc('\n', ctx->out);
		table_print(&vifs, ctx->out);
	}
	table_free(&vms);
	table_free(&vbds);
	table_free(&vifs);
}

static void json_state(struct json *j, int state)
{
	json_key(j, "state");
	if (state >= 0)
		json_i64(j, state);
	else
		json_null(j);
	json_kstr(j, "state_name", state >= 0 ? xenbus_state_name(state) : NULL);
}

static void json_vbd(struct json *j, const struct rvbd *b)
{
	char pd[32];

	json_obj_begin(j);
	json_ku64(j, "devid", b->devid);
	json_kstr(j, "vdev", b->vdev);
	json_kstr(j, "device", b->devpath[0] ? b->devpath : NULL);
	snprintf(pd, sizeof(pd), "%x:%x", b->maj, b->min);
	json_kstr(j, "physical_device", b->have_dev ? pd : NULL);
	json_kstr(j, "params", b->params);
	json_kstr(j, "script", b->script);
	json_key(j, "region");
	if (b->have_region) {
		json_obj_begin(j);
		json_ku64(j, "start_bytes", b->rstart << PVBLK_SECTOR_SHIFT);
		json_ku64(j, "size_bytes", b->rsectors << PVBLK_SECTOR_SHIFT);
		json_ku64(j, "start_sectors", b->rstart);
		json_ku64(j, "sectors", b->rsectors);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_kbool(j, "whole_device", b->have_dev && !b->have_region);
	json_kstr(j, "mode", b->mode ? (b->ro ? "ro" : "rw") : NULL);
	json_state(j, b->state);
	json_key(j, "rings");
	if (b->nr_rings >= 0)
		json_i64(j, b->nr_rings);
	else
		json_null(j);
	json_kstr(j, "region_status", b->region_status);
	json_kstr(j, "hotplug_error", b->hotplug_error);
	json_obj_end(j);
}

static void json_vif(struct json *j, const struct rvif *v)
{
	json_obj_begin(j);
	json_ku64(j, "devid", v->devid);
	json_kstr(j, "netdev", v->netdev);
	json_kstr(j, "bridge", v->master[0] ? v->master : v->bridge);
	json_kstr(j, "mac", v->mac);
	json_kstr(j, "script", v->script);
	json_state(j, v->state);
	json_kstr(j, "operstate", v->operstate[0] ? v->operstate : NULL);
	json_obj_end(j);
}

static void print_json(struct pvctx *ctx, const struct running *r,
		       const struct vmdefs *defs)
{
	struct json j;
	size_t i, k;

	json_init(&j, ctx->out);
	json_obj_begin(&j);
	json_key(&j, "domains");
	json_arr_begin(&j);
	for (i = 0; i < r->ndoms; i++) {
		const struct rdom *d = &r->doms[i];

		json_obj_begin(&j);
		json_ku64(&j, "domid", d->domid);
		json_kstr(&j, "name", d->name);
		json_kbool(&j, "running", true);
		json_kstr(&j, "definition", defined_at(defs, d->name));
		json_key(&j, "vbds");
		json_arr_begin(&j);
		for (k = 0; k < d->nvbds; k++)
			json_vbd(&j, &d->vbds[k]);
		json_arr_end(&j);
		json_key(&j, "vifs");
		json_arr_begin(&j);
		for (k = 0; k < d->nvifs; k++)
			json_vif(&j, &d->vifs[k]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	for (i = 0; i < defs->n; i++) {
		const struct vmdef *d = &defs->v[i];

		if (!d->name || running_find(r, d->name))
			continue;
		json_obj_begin(&j);
		json_key(&j, "domid");
		json_null(&j);
		json_kstr(&j, "name", d->name);
		json_kbool(&j, "running", false);
		json_kstr(&j, "definition", d->path);
		json_key(&j, "vbds");
		json_arr_begin(&j);
		json_arr_end(&j);
		json_key(&j, "vifs");
		json_arr_begin(&j);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
}

int cmd_list(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmdefs defs = { 0 };
	struct running run;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		r = common_opt(ctx, "list", c, argv);
		if (r >= 0)
			return r;
		if (r == -1)
			return EXIT_USAGE;
	}
	if (optind != argc) {
		errmsg(ctx, "list: takes no arguments (see pvbackctl help list)");
		return EXIT_USAGE;
	}
	if (running_load(ctx, &run)) {
		errmsg(ctx,
		       "list: %s; list shows running VMs and needs xenstore (run it in dom0, as root)",
		       ctx->xs_err);
		return EXIT_PROBLEM;
	}
	r = vmdefs_load_dir(ctx->vm_dir, &defs);
	if (r && r != -ENOENT)
		warnmsg(ctx,
			"cannot read the VM directory %s (%s): VMs that are not running are not listed",
			ctx->vm_dir, strerror(-r));
	if (ctx->json)
		print_json(ctx, &run, &defs);
	else
		print_human(ctx, &run, &defs);
	running_free(&run);
	vmdefs_free(&defs);
	return EXIT_OK;
}
