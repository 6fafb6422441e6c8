// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl top: live rates of every vbd and vif.  Interactive on a
 * terminal (ANSI escapes, keys s and q), plain snapshots with -b or when
 * stdout is not a terminal.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi.h"
#include "devstats.h"
#include "pvbackctl.h"
#include "rates.h"
#include "running.h"
#include "table.h"
#include "term.h"
#include "util.h"

#define ESC_HOME_CLEAR	"\033[H\033[2J"
#define ESC_HIDE_CURSOR	"\033[?25l"
#define ESC_SHOW_CURSOR	"\033[?25h"

struct top {
	struct pvctx *ctx;
	double delay;
	long iterations;	/* 0: forever */
	bool batch;
	bool interactive;
	enum sort_key sort;
	struct tdev *prev;
	size_t nprev;
	struct trow *rows;
	size_t nrows;
	int shown;
};

/* Counters of every device, or -1 when xenstore is gone. */
static int sample(struct pvctx *ctx, struct tdev **out, size_t *n)
{
	struct running run;
	struct tdev *v = NULL;
	size_t i, k, m = 0;

	if (running_load(ctx, &run))
		return -1;
	for (i = 0; i < run.ndoms; i++) {
		const struct rdom *d = &run.doms[i];

		v = xrealloc(v, (m + d->nvbds + d->nvifs + 1) * sizeof(*v));
		for (k = 0; k < d->nvbds; k++) {
			const struct rvbd *b = &d->vbds[k];
			struct tdev *t = &v[m++];
			struct vbd_stats s;

			memset(t, 0, sizeof(*t));
			t->domid = d->domid;
			t->devid = b->devid;
			snprintf(t->vm, sizeof(t->vm), "%s", rdom_name(d));
			if (b->vdev)
				snprintf(t->dev, sizeof(t->dev), "%s", b->vdev);
			else
				snprintf(t->dev, sizeof(t->dev), "vbd %u", b->devid);
			vbd_stats_read(ctx, b->domid, b->devid, &s);
			t->ok = s.present && s.have[VS_RD_REQ] &&
				s.have[VS_WR_REQ] && s.have[VS_RD_SECT] &&
				s.have[VS_WR_SECT] &&
				s.v[VS_RD_SECT] <= UINT64_MAX >> 9 &&
				s.v[VS_WR_SECT] <= UINT64_MAX >> 9;
			t->c[C_ROPS] = s.v[VS_RD_REQ];
			t->c[C_WOPS] = s.v[VS_WR_REQ];
			/* flushes and discards: requests without data */
			t->c[C_OOPS] = (s.have[VS_F_REQ] ? s.v[VS_F_REQ] : 0) +
				       (s.have[VS_DS_REQ] ? s.v[VS_DS_REQ] : 0);
			t->c[C_RBYTES] = s.v[VS_RD_SECT] << PVBLK_SECTOR_SHIFT;
			t->c[C_WBYTES] = s.v[VS_WR_SECT] << PVBLK_SECTOR_SHIFT;
		}
		for (k = 0; k < d->nvifs; k++) {
			const struct rvif *nv = &d->vifs[k];
			struct tdev *t = &v[m++];
			struct vif_stats s;

			memset(t, 0, sizeof(*t));
			t->domid = d->domid;
			t->devid = nv->devid;
			t->vif = true;
			snprintf(t->vm, sizeof(t->vm), "%s", rdom_name(d));
			snprintf(t->dev, sizeof(t->dev), "%s", nv->netdev);
			vif_stats_read(ctx, nv->netdev, &s);
			t->ok = s.present && s.have[NS_RX_PACKETS] &&
				s.have[NS_RX_BYTES] && s.have[NS_TX_PACKETS] &&
				s.have[NS_TX_BYTES];
			/* the guest's view: it receives what dom0 transmits */
			t->c[C_ROPS] = s.v[NS_TX_PACKETS];
			t->c[C_WOPS] = s.v[NS_RX_PACKETS];
			t->c[C_RBYTES] = s.v[NS_TX_BYTES];
			t->c[C_WBYTES] = s.v[NS_RX_BYTES];
		}
	}
	running_free(&run);
	*out = v;
	*n = m;
	return 0;
}

static void rate(struct table *t, bool fresh, double v, int decimals)
{
	if (fresh)
		table_add(t, "-");
	else
		table_add(t, "%.*f", decimals, v);
}

static void show(struct top *tp)
{
	struct pvctx *ctx = tp->ctx;
	FILE *f = ctx->out;
	struct table t;
	char when[16] = "";
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (tp->interactive)
		fputs(ESC_HOME_CLEAR, f);
	else if (tp->shown)
		fputc('\n', f);
	tp->shown++;
	fprintf(f, "pvbackctl top - %s - every %gs - sort %s - %zu device%s\n",
		when, tp->delay, sort_names[tp->sort], tp->nrows,
		tp->nrows == 1 ? "" : "s");
	table_init(&t, 7, 0x78);
	table_add_all(&t, "DOMID", "NAME", "DEVICE", "rMB/s", "wMB/s", "r/s",
		      "w/s", NULL);
	for (i = 0; i < tp->nrows; i++) {
		const struct trow *r = &tp->rows[i];

		table_add(&t, "%u", r->domid);
		table_add(&t, "%s", r->vm);
		table_add(&t, "%s", r->dev);
		rate(&t, r->fresh, r->rmbps, 2);
		rate(&t, r->fresh, r->wmbps, 2);
		rate(&t, r->fresh, r->rops, 1);
		rate(&t, r->fresh, r->wops, 1);
	}
	table_print(&t, f);
	table_free(&t);
	fputs("r = to the guest (disk reads, packets it receives), ", f);
	fputs("w = from it (writes, flushes and discards, packets it sends)\n", f);
	if (tp->interactive)
		fputs("keys: s sort (iops, mbps, name)  q quit\n", f);
	fflush(f);
}

/* Wait for the next refresh, handling keys; false to quit. */
static bool wait_next(struct top *tp, double deadline)
{
	struct pvctx *ctx = tp->ctx;

	for (;;) {
		double left = deadline - ctx->now(ctx);
		int key;

		if (left <= 0)
			return true;
		key = ctx->wait(ctx, (int)ceil(left * 1000));
		if (key == 'q' || key == 'Q')
			return false;
		if ((key == 's' || key == 'S') && tp->interactive) {
			tp->sort = (tp->sort + 1) % SORT_NR;
			if (tp->shown) {
				rates_sort(tp->rows, tp->nrows, tp->sort);
				show(tp);
			}
		}
	}
}

static int top_loop(struct top *tp)
{
	struct pvctx *ctx = tp->ctx;
	double t_prev, t;
	struct tdev *cur;
	size_t ncur;
	long iter;

	if (sample(ctx, &tp->prev, &tp->nprev)) {
		errmsg(ctx,
		       "top: %s; top watches running VMs and needs xenstore (run it in dom0, as root)",
		       ctx->xs_err);
		return EXIT_PROBLEM;
	}
	t_prev = ctx->now(ctx);
	if (tp->interactive) {
		/* something to look at until the first rates come */
		tp->rows = xrealloc(tp->rows, (tp->nprev + 1) * sizeof(*tp->rows));
		tp->nrows = rates_compute(NULL, 0, tp->prev, tp->nprev, 0,
					  tp->rows);
		rates_sort(tp->rows, tp->nrows, tp->sort);
		show(tp);
	}
	for (iter = 0; !tp->iterations || iter < tp->iterations; iter++) {
		if (!wait_next(tp, t_prev + tp->delay))
			break;
		if (sample(ctx, &cur, &ncur)) {
			errmsg(ctx, "top: %s", ctx->xs_err);
			return EXIT_PROBLEM;
		}
		t = ctx->now(ctx);
		tp->rows = xrealloc(tp->rows, (ncur + 1) * sizeof(*tp->rows));
		tp->nrows = rates_compute(tp->prev, tp->nprev, cur, ncur,
					  t - t_prev, tp->rows);
		rates_sort(tp->rows, tp->nrows, tp->sort);
		show(tp);
		free(tp->prev);
		tp->prev = cur;
		tp->nprev = ncur;
		t_prev = t;
	}
	return EXIT_OK;
}

int cmd_top(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top tp = { .ctx = ctx, .delay = 2, .sort = SORT_IOPS };
	char *end;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:d:n:bs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			tp.delay = strtod(optarg, &end);
			if (*end || end == optarg || !(tp.delay >= 0.1) ||
			    tp.delay > 86400) {
				errmsg(ctx, "top: -d %s: give seconds between 0.1 and 86400",
				       optarg);
				return EXIT_USAGE;
			}
			continue;
		case 'n':
			tp.iterations = strtol(optarg, &end, 10);
			if (*end || end == optarg || tp.iterations < 1) {
				errmsg(ctx, "top: -n %s: give a number of refreshes, 1 or more",
				       optarg);
				return EXIT_USAGE;
			}
			continue;
		case 'b':
			tp.batch = true;
			continue;
		case 's':
			r = sort_parse(optarg);
			if (r < 0) {
				errmsg(ctx, "top: -s %s: sort by iops, mbps or name",
				       optarg);
				return EXIT_USAGE;
			}
			tp.sort = r;
			continue;
		}
		r = common_opt(ctx, "top", c, argv);
		if (r >= 0)
			return r;
		if (r == -1)
			return EXIT_USAGE;
	}
	if (optind != argc) {
		errmsg(ctx, "top: takes no arguments (see pvbackctl help top)");
		return EXIT_USAGE;
	}
	if (ctx->json) {
		errmsg(ctx, "top: --json is for list and stats; use stats --json for counters");
		return EXIT_USAGE;
	}
	tp.interactive = !tp.batch && ctx->out_tty;
	if (tp.interactive) {
		term_begin(ctx->in_tty);
		fputs(ESC_HIDE_CURSOR, ctx->out);
	}
	r = top_loop(&tp);
	if (tp.interactive) {
		fputs(ESC_SHOW_CURSOR, ctx->out);
		fflush(ctx->out);
		term_end();
	}
	free(tp.prev);
	free(tp.rows);
	return r;
}
