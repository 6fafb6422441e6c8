// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl stats: the counters of every vbd and vif of the running VMs
 * (or of one).  A counter the driver does not provide shows as "-" (null
 * in JSON): older pvblkback, or the in-tree xen-blkback.  An attribute
 * that says "off" (persistent_grants) shows as off (the string "off" in
 * JSON).
 */
#include <getopt.h>
#include <string.h>

#include "abi.h"
#include "devstats.h"
#include "hist.h"
#include "json.h"
#include "pvbackctl.h"
#include "running.h"
#include "size.h"
#include "util.h"

/* A counter, or "-". */
static const char *num(const struct vbd_stats *s, int i, char *buf, size_t len)
{
	if (!s->have[i])
		return "-";
	snprintf(buf, len, "%llu", (unsigned long long)s->v[i]);
	return buf;
}

/* A vbd attribute (memory_bytes, nr_rings, ...), "off" or "-". */
static const char *anum(const struct vbd_stats *s, int i, char *buf, size_t len)
{
	if (s->attr_off[i])
		return "off";
	if (!s->have_attr[i])
		return "-";
	snprintf(buf, len, "%llu", (unsigned long long)s->attr[i]);
	return buf;
}

/* Sectors as bytes, human-readable, or "-". */
static const char *sect_bytes(const struct vbd_stats *s, int i, char *buf,
			      size_t len)
{
	if (!s->have[i])
		return "-";
	if (s->v[i] > UINT64_MAX >> PVBLK_SECTOR_SHIFT)
		return "huge";
	size_fmt_human(s->v[i] << PVBLK_SECTOR_SHIFT, buf, len);
	return buf;
}

static void print_latency(FILE *f, const struct vbd_stats *s)
{
	char l[32];
	int i, p50, p99;

	fprintf(f, "    latency     ");
	if (!s->have_lat) {
		fputs("-\n", f);
		return;
	}
	p50 = lat_percentile(s->lat, 50);
	p99 = lat_percentile(s->lat, 99);
	if (p50 < 0) {
		fputs("no requests yet\n", f);
		return;
	}
	lat_label(p50, l, sizeof(l));
	fprintf(f, "p50 %s", l);
	lat_label(p99, l, sizeof(l));
	fprintf(f, "  p99 %s  |", l);
	for (i = 0; i < LAT_NB; i++) {
		if (!s->lat[i])
			continue;
		lat_label(i, l, sizeof(l));
		fprintf(f, " %s:%llu", l, (unsigned long long)s->lat[i]);
	}
	fputc('\n', f);
}

/*
 * The dom0 memory the rings hold, what it grows with, and the guest pages
 * kept mapped (persistent grants).
 */
static void print_memory(FILE *f, const struct vbd_stats *s)
{
	char m[32] = "-", r[32], i[32], p[32];

	if (s->have_attr[VA_MEMORY_BYTES])
		size_fmt_human(s->attr[VA_MEMORY_BYTES], m, sizeof(m));
	fprintf(f, "    memory      %s (rings %s, indirect segments %s, persistent grants %s)\n",
		m, anum(s, VA_NR_RINGS, r, sizeof(r)),
		anum(s, VA_MAX_INDIRECT_SEGS, i, sizeof(i)),
		anum(s, VA_PERSISTENT_GRANTS, p, sizeof(p)));
}

static void human_vbd(struct pvctx *ctx, const struct rvbd *b)
{
	struct vbd_stats s;
	char a[32], c[32], d[32], e[32], region[96] = "";
	FILE *f = ctx->out;

	vbd_stats_read(ctx, b->domid, b->devid, &s);
	if (b->have_region) {
		size_fmt_exact(b->rstart << PVBLK_SECTOR_SHIFT, a, sizeof(a));
		size_fmt_exact(b->rsectors << PVBLK_SECTOR_SHIFT, c, sizeof(c));
		snprintf(region, sizeof(region), " start=%s size=%s", a, c);
	} else if (b->have_dev) {
		snprintf(region, sizeof(region), " (whole device)");
	}
	fprintf(f, "  vbd %s (%u)  %s%s %s\n", b->vdev ? b->vdev : "?",
		b->devid, b->devpath[0] ? b->devpath : "-", region,
		!b->mode ? "-" : b->ro ? "ro" : "rw");
	if (!s.present) {
		fprintf(f,
			"    no counters: %s" SYS_BACKENDS
			"/vbd-%u-%u does not exist (backend driver not loaded?)\n",
			ctx->sysfs, b->domid, b->devid);
		return;
	}
	fprintf(f, "    requests    read %s  write %s  flush %s  discard %s\n",
		num(&s, VS_RD_REQ, a, sizeof(a)), num(&s, VS_WR_REQ, c, sizeof(c)),
		num(&s, VS_F_REQ, d, sizeof(d)), num(&s, VS_DS_REQ, e, sizeof(e)));
	fprintf(f, "    bytes       read %s  written %s  discarded %s\n",
		sect_bytes(&s, VS_RD_SECT, a, sizeof(a)),
		sect_bytes(&s, VS_WR_SECT, c, sizeof(c)),
		sect_bytes(&s, VS_DS_SECT, d, sizeof(d)));
	fprintf(f, "    errors      io %s  ring %s\n",
		num(&s, VS_IO_ERR, a, sizeof(a)), num(&s, VS_RING_ERR, c, sizeof(c)));
	fprintf(f, "    rejected    out-of-region %s  malformed %s  unsupported %s  grant-map %s\n",
		num(&s, VS_REGION_ERR, a, sizeof(a)),
		num(&s, VS_BAD_REQ, c, sizeof(c)),
		num(&s, VS_UNSUP_REQ, d, sizeof(d)),
		num(&s, VS_MAP_ERR, e, sizeof(e)));
	fprintf(f, "    slot waits  %s\n", num(&s, VS_OO_REQ, a, sizeof(a)));
	print_latency(f, &s);
	print_memory(f, &s);
	fprintf(f, "    grant copy  %s requests\n", num(&s, VS_COPY_REQ, a, sizeof(a)));
}

static const char *vnum(const struct vif_stats *s, int i, char *buf, size_t len,
			bool bytes)
{
	if (!s->have[i])
		return "-";
	if (bytes)
		size_fmt_human(s->v[i], buf, len);
	else
		snprintf(buf, len, "%llu", (unsigned long long)s->v[i]);
	return buf;
}

static void human_vif(struct pvctx *ctx, const struct rvif *v)
{
	char a[32], b[32], c[32], d[32];
	struct vif_stats s;
	FILE *f = ctx->out;
	int dir, base;

	vif_stats_read(ctx, v->netdev, &s);
	fprintf(f, "  vif %s  bridge %s  mac %s\n", v->netdev,
		v->master[0] ? v->master : v->bridge ? v->bridge : "-",
		v->mac ? v->mac : "-");
	if (!s.present) {
		fprintf(f, "    no counters: %s" SYS_NET "/%s does not exist\n",
			ctx->sysfs, v->netdev);
		return;
	}
	/* the guest's view: dom0's rx is what the guest sent */
	for (dir = 0; dir < 2; dir++) {
		base = dir == 0 ? NS_RX_PACKETS : NS_TX_PACKETS;
		fprintf(f, "    %s  packets %s  bytes %s  dropped %s  errors %s\n",
			dir == 0 ? "from guest (dom0 rx)" : "to guest (dom0 tx)  ",
			vnum(&s, base, a, sizeof(a), false),
			vnum(&s, base + 1, b, sizeof(b), true),
			vnum(&s, base + 2, c, sizeof(c), false),
			vnum(&s, base + 3, d, sizeof(d), false));
	}
}

static void json_counter(struct json *j, const char *key, bool have,
			 u64 v)
{
	json_key(j, key);
	if (have)
		json_u64(j, v);
	else
		json_null(j);
}

/* A vbd attribute: a number, "off", or null if unknown. */
static void json_attr(struct json *j, const char *key,
		      const struct vbd_stats *s, int i)
{
	if (s->attr_off[i])
		json_kstr(j, key, "off");
	else
		json_counter(j, key, s->have_attr[i], s->attr[i]);
}

/* Sectors as bytes; null if unknown or too many for 64 bits. */
static void json_sect_bytes(struct json *j, const char *key,
			    const struct vbd_stats *s, int i)
{
	json_counter(j, key, s->have[i] &&
		     s->v[i] <= UINT64_MAX >> PVBLK_SECTOR_SHIFT,
		     s->v[i] << PVBLK_SECTOR_SHIFT);
}

static void json_vbd(struct pvctx *ctx, struct json *j, const struct rvbd *b)
{
	struct vbd_stats s;
	int i;

	vbd_stats_read(ctx, b->domid, b->devid, &s);
	json_obj_begin(j);
	json_ku64(j, "devid", b->devid);
	json_kstr(j, "vdev", b->vdev);
	json_kstr(j, "device", b->devpath[0] ? b->devpath : NULL);
	json_kbool(j, "counters_present", s.present);
	json_key(j, "counters");
	json_obj_begin(j);
	for (i = 0; i < VS_NR; i++)
		json_counter(j, vbd_stat_names[i], s.have[i], s.v[i]);
	json_obj_end(j);
	json_sect_bytes(j, "read_bytes", &s, VS_RD_SECT);
	json_sect_bytes(j, "write_bytes", &s, VS_WR_SECT);
	json_sect_bytes(j, "discard_bytes", &s, VS_DS_SECT);
	json_attr(j, "memory_bytes", &s, VA_MEMORY_BYTES);
	json_attr(j, "rings", &s, VA_NR_RINGS);
	json_attr(j, "max_indirect_segments", &s, VA_MAX_INDIRECT_SEGS);
	json_attr(j, "persistent_grants", &s, VA_PERSISTENT_GRANTS);
	json_key(j, "latency_us");
	if (!s.have_lat) {
		json_null(j);
	} else {
		int p50 = lat_percentile(s.lat, 50), p99 = lat_percentile(s.lat, 99);
		u64 lo, hi;

		json_obj_begin(j);
		json_key(j, "buckets");
		json_arr_begin(j);
		for (i = 0; i < LAT_NB; i++) {
			lat_bounds(i, &lo, &hi);
			json_obj_begin(j);
			json_ku64(j, "ge_us", lo);
			json_key(j, "lt_us");
			if (hi)
				json_u64(j, hi);
			else
				json_null(j);
			json_ku64(j, "count", s.lat[i]);
			json_obj_end(j);
		}
		json_arr_end(j);
		/* upper bounds: p% of requests took less than this */
		lat_bounds(p50 < 0 ? 0 : p50, &lo, &hi);
		json_key(j, "p50_lt_us");
		if (p50 >= 0 && hi)
			json_u64(j, hi);
		else
			json_null(j);
		lat_bounds(p99 < 0 ? 0 : p99, &lo, &hi);
		json_key(j, "p99_lt_us");
		if (p99 >= 0 && hi)
			json_u64(j, hi);
		else
			json_null(j);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void json_vif(struct pvctx *ctx, struct json *j, const struct rvif *v)
{
	struct vif_stats s;
	int dir, base;

	vif_stats_read(ctx, v->netdev, &s);
	json_obj_begin(j);
	json_ku64(j, "devid", v->devid);
	json_kstr(j, "netdev", v->netdev);
	json_kbool(j, "counters_present", s.present);
	for (dir = 0; dir < 2; dir++) {
		base = dir == 0 ? NS_RX_PACKETS : NS_TX_PACKETS;
		json_key(j, dir == 0 ? "from_guest" : "to_guest");
		json_obj_begin(j);
		json_counter(j, "packets", s.have[base], s.v[base]);
		json_counter(j, "bytes", s.have[base + 1], s.v[base + 1]);
		json_counter(j, "dropped", s.have[base + 2], s.v[base + 2]);
		json_counter(j, "errors", s.have[base + 3], s.v[base + 3]);
		json_obj_end(j);
	}
	json_obj_end(j);
}

int cmd_stats(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rdom *only = NULL;
	struct running run;
	struct json j;
	size_t i, k;
	int c, r, shown = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		r = common_opt(ctx, "stats", c, argv);
		if (r >= 0)
			return r;
		if (r == -1)
			return EXIT_USAGE;
	}
	if (argc - optind > 1) {
		errmsg(ctx, "stats: give at most one VM (a name or a domid)");
		return EXIT_USAGE;
	}
	if (running_load(ctx, &run)) {
		errmsg(ctx,
		       "stats: %s; stats reads running VMs and needs xenstore (run it in dom0, as root)",
		       ctx->xs_err);
		return EXIT_PROBLEM;
	}
	if (optind < argc) {
		only = running_find(&run, argv[optind]);
		if (!only) {
			errmsg(ctx, "stats: no running VM '%s'; see pvbackctl list",
			       argv[optind]);
			running_free(&run);
			return EXIT_PROBLEM;
		}
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_obj_begin(&j);
		json_key(&j, "domains");
		json_arr_begin(&j);
	}
	for (i = 0; i < run.ndoms; i++) {
		const struct rdom *d = &run.doms[i];

		if (only && d != only)
			continue;
		if (!only && !d->nvbds && !d->nvifs)
			continue;
		shown++;
		if (ctx->json) {
			json_obj_begin(&j);
			json_ku64(&j, "domid", d->domid);
			json_kstr(&j, "name", d->name);
			json_key(&j, "vbds");
			json_arr_begin(&j);
			for (k = 0; k < d->nvbds; k++)
				json_vbd(ctx, &j, &d->vbds[k]);
			json_arr_end(&j);
			json_key(&j, "vifs");
			json_arr_begin(&j);
			for (k = 0; k < d->nvifs; k++)
				json_vif(ctx, &j, &d->vifs[k]);
			json_arr_end(&j);
			json_obj_end(&j);
			continue;
		}
		fprintf(ctx->out, "%s%s (domain %u)\n", shown > 1 ? "\n" : "",
			rdom_name(d), d->domid);
		for (k = 0; k < d->nvbds; k++)
			human_vbd(ctx, &d->vbds[k]);
		for (k = 0; k < d->nvifs; k++)
			human_vif(ctx, &d->vifs[k]);
		if (!d->nvbds && !d->nvifs)
			fputs("  no vbds or vifs\n", ctx->out);
	}
	if (ctx->json) {
		json_arr_end(&j);
		json_obj_end(&j);
	} else if (!shown) {
		fputs("no running VM has vbds or vifs\n", ctx->out);
	}
	running_free(&run);
	return EXIT_OK;
}
