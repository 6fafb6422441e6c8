// SPDX-License-Identifier: GPL-2.0
/*
 * pvhostile - a hostile Xen frontend, run inside a lab guest that has no
 * xen-blkfront/xen-netfront loaded.  It plays the frontend of one of the
 * guest's vbd or vif devices itself: it shares pages through the guest's
 * grant-alloc device (/dev/xen/gntalloc), binds an event channel
 * (/dev/xen/evtchn) and writes the frontend's xenstore nodes, then sends
 * what a broken or malicious frontend would send.
 *
 *   pvhostile blk CASE DEVID [OPTION=VALUE...]
 *   pvhostile net CASE DEVID [OPTION=VALUE...]
 *   pvhostile list                  every case, one line each
 *
 * Each case checks what the guest can see (responses, their status, the
 * backend's xenbus state) and prints "pvhostile: PASS ..." or
 * "pvhostile: FAIL ..." last; exit status 0 on pass, 1 on fail, 2 on bad
 * usage, 3 when the harness itself could not set up (no grant device...).
 * What dom0 must see (no oops, counters, memory, the neighbour's data) is
 * checked by the lab scenario tools/testing/selftests/hostile.sh.
 * Options: ip=A.B.C.D (net: our address), peer=A.B.C.D (net: who answers
 * ARP), secs=N (how long floods and holds last).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <stddef.h>
#include <stdint.h>

/* <xen/evtchn.h> uses it without defining it. */
typedef uint16_t domid_t;

#include <xen/evtchn.h>
#include <xen/gntalloc.h>

#include "pvxsc.h"

#define GPAGE		4096U
#define SRING_HDR	64U
#define BAD_GREF	0xfffffff0U
/* A domain that never maps anything: grants to it are foreign to dom0. */
#define OTHER_DOMID	32000

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Shared ring indexes: the other end changes them under our feet. */
#define RD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WR(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/* Barriers, as the kernel's virt_*mb(); callers say what they order. */
#define mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
/* Stores before later stores. */
#define wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
/* Loads before later loads. */
#define rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)

/* xenbus states */
enum { XB_INITIALISING = 1, XB_INITWAIT, XB_INITIALISED, XB_CONNECTED, XB_CLOSING, XB_CLOSED };

static const char *opt_ip = "10.0.0.99";
static const char *opt_peer = "10.0.0.1";
static int opt_secs = 5;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("pvhostile: ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

/* Record a failed expectation; the case goes on to say everything wrong. */
static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("pvhostile: unexpected: ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	failures++;
}

static void setup_fail(const char *what)
{
	say("SETUP FAILED: %s: %s", what, strerror(errno));
	exit(3);
}

/* ------------------------------------------------------------------ grants and events */

struct gbuf {
	uint8_t *mem;
	uint32_t ref[512];
	unsigned int n;
	uint64_t index;		/* the gntalloc offset, for gfree() */
};

static int gfd = -1, efd = -1;

/* Share N fresh zeroed pages with DOMID, writable or read-only for it. */
static void galloc(struct gbuf *g, unsigned int n, uint16_t domid, int writable)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + n * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *a = calloc(1, sz);

	if (!a || n > 512)
		setup_fail("galloc");
	if (gfd < 0)
		gfd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (gfd < 0)
		setup_fail("/dev/xen/gntalloc");
	a->domid = domid;
	a->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
	a->count = n;
	if (ioctl(gfd, IOCTL_GNTALLOC_ALLOC_GREF, a))
		setup_fail("IOCTL_GNTALLOC_ALLOC_GREF");
	g->mem = mmap(NULL, (size_t)n * GPAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gfd,
		      a->index);
	if (g->mem == MAP_FAILED)
		setup_fail("mmap of granted pages");
	memcpy(g->ref, a->gref_ids, n * sizeof(uint32_t));
	g->n = n;
	g->index = a->index;
	free(a);
}

/*
 * Stop sharing G's pages: unmap them here and end their grants.  A grant
 * the backend still has mapped stays in use (the guest's kernel ends it
 * once the backend unmaps it), so its reference is not handed out again
 * meanwhile.
 */
static void gfree(struct gbuf *g)
{
	struct ioctl_gntalloc_dealloc_gref d = { .index = g->index, .count = g->n };

	if (munmap(g->mem, (size_t)g->n * GPAGE))
		setup_fail("munmap of granted pages");
	if (ioctl(gfd, IOCTL_GNTALLOC_DEALLOC_GREF, &d))
		setup_fail("IOCTL_GNTALLOC_DEALLOC_GREF");
	g->mem = NULL;
	g->n = 0;
}

/* A fresh unbound port the backend domain may bind to. */
static unsigned int ev_alloc(unsigned int remote)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = remote };
	int port;

	if (efd < 0)
		efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
	if (efd < 0)
		setup_fail("/dev/xen/evtchn");
	port = ioctl(efd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (port < 0)
		setup_fail("IOCTL_EVTCHN_BIND_UNBOUND_PORT");
	return port;
}

static void ev_free(unsigned int port)
{
	struct ioctl_evtchn_unbind u = { .port = port };

	ioctl(efd, IOCTL_EVTCHN_UNBIND, &u);
}

static void ev_notify(unsigned int port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	ioctl(efd, IOCTL_EVTCHN_NOTIFY, &n);
}

/* Wait up to MS for an event on any of our ports and unmask it again. */
static int ev_wait(int ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint32_t port;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	if (read(efd, &port, sizeof(port)) != sizeof(port))
		return 0;
	if (write(efd, &port, sizeof(port)) != sizeof(port))
		return 0;
	return 1;
}

/* ------------------------------------------------------------------ xenstore, xenbus */

static char fe[96], be[160];
static unsigned int be_domid;

static void fe_path(char *buf, size_t len, const char *key)
{
	snprintf(buf, len, "%s/%s", fe, key);
}

static void fe_write(const char *key, const char *val)
{
	char p[160];
	char *w[2] = { p, (char *)val };

	fe_path(p, sizeof(p), key);
	write_all(1, w, w + 1, 2);
}

static void fe_writef(const char *key, const char *fmt, ...)
{
	char v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	fe_write(key, v);
}

static void fe_rm(const char *key)
{
	char p[160];
	char *w[1] = { p };

	fe_path(p, sizeof(p), key);
	write_all(1, w, NULL, 1);
}

static void fe_state(int s)
{
	fe_writef("state", "%d", s);
}

/* A backend key as a number, or DEF when missing. */
static long long be_num(const char *key, long long def)
{
	char p[220];

	snprintf(p, sizeof(p), "%s/%s", be, key);
	if (xs_read(0, p))
		return def;
	return strtoll(reply, NULL, 10);
}

static int be_state(void)
{
	return (int)be_num("state", -1);
}

/* Wait until the backend's state is one of MASK (bits by state); its state, or -1. */
static int be_wait(unsigned int mask, double secs)
{
	char p[220];
	double end = now() + secs;
	int s;

	snprintf(p, sizeof(p), "%s/state", be);
	xs_watch(p, 1);
	for (;;) {
		s = be_state();
		if (s >= 0 && (mask & (1U << s)))
			break;
		if (now() >= end) {
			s = -1;
			break;
		}
		wait_event(200);
	}
	xs_watch(p, 0);
	return s;
}

#define BIT(s)	(1U << (s))

static void fe_find(const char *kind, const char *devid)
{
	snprintf(fe, sizeof(fe), "device/%s/%s", kind, devid);
	char p[160];

	fe_path(p, sizeof(p), "backend");
	if (xs_read(0, p)) {
		say("SETUP FAILED: no %s (%s)", p, errname);
		exit(3);
	}
	snprintf(be, sizeof(be), "%.150s", reply);
	fe_path(p, sizeof(p), "backend-id");
	be_domid = xs_read(0, p) ? 0 : atoi(reply);
}

/*
 * Bring the backend back to InitWait whatever it is in, the way a rebooted
 * frontend does: Closing, Closed, then Initialising.
 */
static int fe_reset_once(void)
{
	int s = be_state();

	if (s != XB_CLOSED) {
		fe_state(XB_CLOSING);
		be_wait(BIT(XB_CLOSING) | BIT(XB_CLOSED), 30);
	}
	fe_state(XB_CLOSED);
	if (be_wait(BIT(XB_CLOSED), 30) < 0)
		return -1;
	fe_state(XB_INITIALISING);
	return be_wait(BIT(XB_INITWAIT), 15) < 0 ? -1 : 0;
}

/*
 * The backend handles our state changes one watch event at a time, maybe
 * long after we wrote them; after a burst of them the state we see may be
 * an old one.  Like a real frontend, start over when it does not follow.
 */
static int fe_reset(void)
{
	for (int i = 0; i < 4; i++) {
		if (fe_reset_once() == 0) {
			if (i)
				say("back in InitWait after %d more Closing/Closed/Initialising",
				    i);
			return 0;
		}
	}
	fail("backend did not come back to InitWait (state %d)", be_state());
	return -1;
}

/* One frontend key for a connection: NULL value = do not write it. */
struct kv {
	char key[40];
	char val[48];
};

/* Keys of one connection at most: a ring of 32 pages has 32 ring-refN. */
#define FE_KEYS		40

/*
 * Write KEYS in one transaction (after removing stale ones), then STATE.
 * fe_connect() then waits for the backend to answer: Connected, or
 * Closing/Closed when it refuses; it returns the backend's state (-1: no
 * answer).
 */
static void fe_publish(struct kv *keys, int n, int state, const char *const *stale)
{
	char paths[FE_KEYS][160];
	char *w[2 * FE_KEYS];
	int i, m = 0;

	for (i = 0; stale && stale[i]; i++)
		fe_rm(stale[i]);
	for (i = 0; i < n && m < FE_KEYS; i++) {
		if (!keys[i].val[0])
			continue;
		fe_path(paths[m], sizeof(paths[m]), keys[i].key);
		w[2 * m] = paths[m];
		w[2 * m + 1] = keys[i].val;
		m++;
	}
	if (m)
		write_all(m, w, w + 1, 2);
	fe_state(state);
}

/* Set: the state fe_connect() writes instead of the caller's (paths case). */
static int fe_connect_state;

static int fe_connect(struct kv *keys, int n, int state, const char *const *stale)
{
	fe_publish(keys, n, fe_connect_state ? fe_connect_state : state, stale);
	return be_wait(BIT(XB_CONNECTED) | BIT(XB_CLOSING) | BIT(XB_CLOSED), 30);
}

static void kv_set(struct kv *kv, const char *key, const char *fmt, ...)
{
	va_list ap;

	snprintf(kv->key, sizeof(kv->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(kv->val, sizeof(kv->val), fmt, ap);
	va_end(ap);
}

/*
 * Apply OVR ("key=value" strings, NULL-terminated) to the N keys of KV
 * (room for MAX): a known key gets the value ("" drops it), a new one is
 * added.  Returns the new count.
 */
static int kv_apply(struct kv *kv, int n, int max, const char *const *ovr)
{
	for (int i = 0; ovr && ovr[i]; i++) {
		const char *eq = strchr(ovr[i], '=');
		char key[40];
		int j;

		if (!eq || eq - ovr[i] >= (long)sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - ovr[i]), ovr[i]);
		for (j = 0; j < n && strcmp(kv[j].key, key); j++)
			;
		if (j == n) {
			if (n == max)
				continue;
			n++;
		}
		kv_set(&kv[j], key, "%s", eq + 1);
	}
	return n;
}

/* ------------------------------------------------------------------ control-plane floods */

/* Notifications on PORT for secs=, with no request behind them. */
static void event_storm(unsigned int port)
{
	unsigned long n = 0;
	double end = now() + opt_secs;

	while (now() < end) {
		for (int i = 0; i < 100; i++)
			ev_notify(port);
		n += 100;
	}
	say("event storm: %lu notifications without a request in %d s", n, opt_secs);
}

/* Writes to the state node (which the backend watches), KEY1 and KEY2 for secs=. */
static void xs_flood(const char *key1, const char *key2)
{
	unsigned long n = 0;
	double end = now() + opt_secs;

	while (now() < end) {
		fe_state(XB_CONNECTED);
		fe_state(XB_INITIALISED);
		fe_writef(key1, "%lu", n);
		fe_writef(key2, "%lu", n);
		n += 4;
	}
	say("xenstore flood: %lu writes to the frontend's nodes in %d s", n, opt_secs);
}

/* Twelve state changes without waiting for the backend, starting at ROUND. */
static void state_burst(int round)
{
	static const int seq[] = {
		XB_INITIALISED, XB_CLOSING, XB_CONNECTED, XB_CLOSED, XB_INITIALISING,
		XB_INITIALISED, XB_CLOSED, XB_CONNECTED, XB_CLOSING, XB_INITIALISING,
		XB_CONNECTED, XB_CLOSED,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(seq); i++)
		fe_state(seq[(i + round) % ARRAY_SIZE(seq)]);
}

/* ------------------------------------------------------------------ shared rings */

struct sring {
	uint32_t req_prod, req_event, rsp_prod, rsp_event;
	uint8_t pad[48];
	uint8_t ents[];
};

struct fring {
	struct sring *s;
	unsigned int ent_size, nr;
	uint32_t req_prod_pvt, rsp_cons;
};

/* A ring of NPAGES pages at MEM, contiguous here as in the backend's mapping. */
static void fring_init_pages(struct fring *r, void *mem, unsigned int npages,
			     unsigned int ent_size)
{
	size_t bytes = (size_t)npages * GPAGE;
	unsigned int n = (bytes - SRING_HDR) / ent_size, p = 1;

	/* The backend's slot count too: rounddown_pow_of_two() of what fits. */
	while (p * 2 <= n)
		p *= 2;
	memset(mem, 0, bytes);
	r->s = mem;
	r->ent_size = ent_size;
	r->nr = p;
	r->req_prod_pvt = 0;
	r->rsp_cons = 0;
	WR(r->s->req_event, 1);
	WR(r->s->rsp_event, 1);
}

static void fring_init(struct fring *r, void *page, unsigned int ent_size)
{
	fring_init_pages(r, page, 1, ent_size);
}

static void *fring_slot(struct fring *r, uint32_t idx)
{
	return r->s->ents + (size_t)(idx & (r->nr - 1)) * r->ent_size;
}

/* The ring page slot IDX starts on: a response is written at its start. */
static unsigned int fring_page(const struct fring *r, uint32_t idx)
{
	return (SRING_HDR + (size_t)(idx & (r->nr - 1)) * r->ent_size) / GPAGE;
}

static void fring_push(struct fring *r)
{
	/* Requests before the index that publishes them. */
	wmb();
	WR(r->s->req_prod, r->req_prod_pvt);
	/* Publish before the caller's notification. */
	mb();
}

/* Responses published and not yet taken. */
static uint32_t fring_ready(struct fring *r)
{
	uint32_t n = RD(r->s->rsp_prod) - r->rsp_cons;

	/* The index before the responses it covers. */
	rmb();
	return n;
}

/* Wait until COUNT responses are there, or SECS pass; returns how many are. */
static uint32_t fring_wait(struct fring *r, uint32_t count, double secs)
{
	double end = now() + secs;

	for (;;) {
		uint32_t n = fring_ready(r);

		if (n >= count || now() >= end)
			return n;
		WR(r->s->rsp_event, r->rsp_cons + count);
		/* Ask for the event before looking again. */
		mb();
		if (fring_ready(r) >= count)
			continue;
		ev_wait(50);
	}
}

/* ------------------------------------------------------------------ blkif */

enum {
	BLK_READ = 0, BLK_WRITE = 1, BLK_BARRIER = 2, BLK_FLUSH = 3, BLK_DISCARD = 5,
	BLK_INDIRECT = 6,
};

#define BLK_OKAY	0
#define BLK_ERROR	(-1)
#define BLK_EOPNOTSUPP	(-2)
#define BLK_SEGS	11
/* The flag of a discard: the data must become unreadable (discard-secure). */
#define BLK_DISCARD_SECURE	1
/* indirect_grefs[] of an indirect request */
#define BLK_IND_PAGES	8

struct blk_seg {
	uint32_t gref;
	uint8_t first, last;
	uint16_t pad;
};

struct blk_req64 {
	uint8_t op, nr;
	uint16_t handle;
	uint32_t pad;
	uint64_t id, sector;
	struct blk_seg seg[BLK_SEGS];
};

struct blk_rsp64 {
	uint64_t id;
	uint8_t op, pad1;
	int16_t status;
	uint32_t pad2;
};

/* i386 aligns 64-bit fields to 4 bytes: split them. */
struct blk_req32 {
	uint8_t op, nr;
	uint16_t handle;
	uint32_t id[2], sector[2];
	struct blk_seg seg[BLK_SEGS];
};

struct blk_rsp32 {
	uint32_t id[2];
	uint8_t op, pad1;
	int16_t status;
};

/*
 * BLKIF_OP_INDIRECT (struct blkif_request_indirect): the segments are
 * descriptors (struct blk_seg) in the pages of gref[].
 */
struct blk_ind64 {
	uint8_t op, ind_op;
	uint16_t nr;
	uint32_t pad;
	uint64_t id, sector;
	uint16_t handle, pad2;
	uint32_t gref[BLK_IND_PAGES];
	uint32_t pad3;
};

struct blk_ind32 {
	uint8_t op, ind_op;
	uint16_t nr;
	uint32_t id[2], sector[2];
	uint16_t handle, pad2;
	uint32_t gref[BLK_IND_PAGES];
	uint32_t pad3[2];
};

/* Descriptors in one indirect page. */
#define BLK_SEGS_PER_IND	(GPAGE / sizeof(struct blk_seg))

/*
 * BLKIF_OP_DISCARD (struct blkif_request_discard): a sector count where a
 * request's segments start, and a flag where their count is.
 */
struct blk_dis64 {
	uint8_t op, flag;
	uint16_t handle;
	uint32_t pad;
	uint64_t id, sector, nr_sectors;
};

struct blk_dis32 {
	uint8_t op, flag;
	uint16_t handle;
	uint32_t id[2], sector[2], nr_sectors[2];
};

_Static_assert(sizeof(struct blk_req64) == 112, "x86_64 blkif request");
_Static_assert(sizeof(struct blk_rsp64) == 16, "x86_64 blkif response");
_Static_assert(sizeof(struct blk_req32) == 108, "x86_32 blkif request");
_Static_assert(sizeof(struct blk_rsp32) == 12, "x86_32 blkif response");
_Static_assert(sizeof(struct blk_seg) == 8, "blkif segment descriptor");
_Static_assert(sizeof(struct blk_ind64) == 64 && offsetof(struct blk_ind64, id) == 8 &&
	       offsetof(struct blk_ind64, sector) == 16 &&
	       offsetof(struct blk_ind64, handle) == 24 &&
	       offsetof(struct blk_ind64, gref) == 28, "x86_64 indirect request");
_Static_assert(sizeof(struct blk_ind32) == 64 && offsetof(struct blk_ind32, id) == 4 &&
	       offsetof(struct blk_ind32, sector) == 12 &&
	       offsetof(struct blk_ind32, handle) == 20 &&
	       offsetof(struct blk_ind32, gref) == 24, "x86_32 indirect request");
_Static_assert(offsetof(struct blk_dis64, id) == 8 && offsetof(struct blk_dis64, sector) == 16 &&
	       offsetof(struct blk_dis64, nr_sectors) == 24, "x86_64 discard request");
_Static_assert(offsetof(struct blk_dis32, id) == 4 && offsetof(struct blk_dis32, sector) == 12 &&
	       offsetof(struct blk_dis32, nr_sectors) == 20, "x86_32 discard request");

/* A request as the cases think of it; put into a slot per ABI. */
struct breq {
	uint8_t op, nr;
	uint64_t id, sector;
	struct blk_seg seg[BLK_SEGS];
	/* op BLK_INDIRECT: the inner op, nr_segments, the descriptor pages */
	uint8_t ind_op;
	uint16_t ind_nr;
	uint32_t ind_gref[BLK_IND_PAGES];
	/* op BLK_DISCARD: the sector count and the flag */
	uint64_t ds_nr;
	uint8_t ds_flag;
};

struct brsp {
	uint64_t id;
	uint8_t op;
	int16_t status;
	int dirty_pad;		/* a padding byte was not zero */
};

/* Queues of a multi-queue connection at most, and ring pages of a multi-page one. */
#define BLK_MQ		2
#define BLK_RING_PAGES	4

/* A queue's ring and event channel while the request helpers use another. */
struct bqueue {
	struct fring r;
	unsigned int port;
};

struct blk {
	struct gbuf ringpg, data, rodata, foreign;
	/*
	 * The indirect cases' pages, granted by them only (blk_ind_alloc()):
	 * descriptor pages, one of them read-only for the backend, and the
	 * data pages their requests point to.
	 */
	struct gbuf ind, roind, idata;
	/*
	 * The persistent case's pages: those it reuses, fresh ones for grants
	 * named twice, and the chunk of distinct ones it grants at a time.
	 */
	struct gbuf pgset, pgfresh, pgmany;
	struct fring r;
	unsigned int port;
	int abi32, connected;
	uint64_t sectors;
	int readonly;
	/*
	 * The geometry of the next connection (blk_geom()): queues rings of
	 * ring_pages pages each, queue i's in pages i * ring_pages.. of
	 * ringx; 0 for either is the usual single ring of ringpg.  The
	 * request helpers know r and port only: the queue they work on is
	 * swapped in there (blk_queue()), the others wait in mq[].
	 */
	unsigned int queues, ring_pages, cur_q;
	struct gbuf ringx;
	struct bqueue mq[BLK_MQ];
	/* data pages of the multi-page and multi-queue cases' batches */
	struct gbuf gdata;
};

static struct blk B;

/* The slot of an indirect request: same size, another layout. */
static void blk_put_ind(struct blk *b, void *slot, const struct breq *q)
{
	memset(slot, 0, b->r.ent_size);
	if (b->abi32) {
		struct blk_ind32 w = { .op = q->op, .ind_op = q->ind_op, .nr = q->ind_nr,
				       .id = { q->id, q->id >> 32 },
				       .sector = { q->sector, q->sector >> 32 } };

		memcpy(w.gref, q->ind_gref, sizeof(w.gref));
		memcpy(slot, &w, sizeof(w));
	} else {
		struct blk_ind64 w = { .op = q->op, .ind_op = q->ind_op, .nr = q->ind_nr,
				       .id = q->id, .sector = q->sector };

		memcpy(w.gref, q->ind_gref, sizeof(w.gref));
		memcpy(slot, &w, sizeof(w));
	}
}

/* The slot of a discard: no segments. */
static void blk_put_dis(struct blk *b, void *slot, const struct breq *q)
{
	memset(slot, 0, b->r.ent_size);
	if (b->abi32) {
		struct blk_dis32 w = { .op = q->op, .flag = q->ds_flag,
				       .id = { q->id, q->id >> 32 },
				       .sector = { q->sector, q->sector >> 32 },
				       .nr_sectors = { q->ds_nr, q->ds_nr >> 32 } };

		memcpy(slot, &w, sizeof(w));
	} else {
		struct blk_dis64 w = { .op = q->op, .flag = q->ds_flag, .id = q->id,
				       .sector = q->sector, .nr_sectors = q->ds_nr };

		memcpy(slot, &w, sizeof(w));
	}
}

static void blk_put(struct blk *b, const struct breq *q)
{
	void *slot = fring_slot(&b->r, b->r.req_prod_pvt++);

	if (q->op == BLK_INDIRECT) {
		blk_put_ind(b, slot, q);
		return;
	}
	if (q->op == BLK_DISCARD) {
		blk_put_dis(b, slot, q);
		return;
	}
	if (b->abi32) {
		struct blk_req32 w = { .op = q->op, .nr = q->nr,
				       .id = { q->id, q->id >> 32 },
				       .sector = { q->sector, q->sector >> 32 } };

		memcpy(w.seg, q->seg, sizeof(w.seg));
		memcpy(slot, &w, sizeof(w));
	} else {
		struct blk_req64 w = { .op = q->op, .nr = q->nr, .id = q->id,
				       .sector = q->sector };

		memcpy(w.seg, q->seg, sizeof(w.seg));
		memcpy(slot, &w, sizeof(w));
	}
}

static void blk_get(struct blk *b, struct brsp *o)
{
	const uint8_t *slot = fring_slot(&b->r, b->r.rsp_cons++);

	memset(o, 0, sizeof(*o));
	if (b->abi32) {
		struct blk_rsp32 w;

		memcpy(&w, slot, sizeof(w));
		o->id = w.id[0] | (uint64_t)w.id[1] << 32;
		o->op = w.op;
		o->status = w.status;
		o->dirty_pad = w.pad1 != 0;
	} else {
		struct blk_rsp64 w;

		memcpy(&w, slot, sizeof(w));
		o->id = w.id;
		o->op = w.op;
		o->status = w.status;
		o->dirty_pad = w.pad1 || w.pad2;
	}
}

static void blk_kick(struct blk *b)
{
	fring_push(&b->r);
	ev_notify(b->port);
}

/* Segments covering NSECT sectors of data pages from page 0, full pages first. */
static uint8_t blk_segs(struct breq *q, const struct gbuf *g, unsigned int nsect)
{
	uint8_t n = 0;

	while (nsect && n < BLK_SEGS) {
		unsigned int s = nsect > 8 ? 8 : nsect;

		q->seg[n].gref = g->ref[n];
		q->seg[n].first = 0;
		q->seg[n].last = s - 1;
		nsect -= s;
		n++;
	}
	return n;
}

static const char *const blk_stale[] = {
	"ring-ref", "ring-ref0", "ring-ref1", "event-channel", "protocol", "ring-page-order",
	"multi-queue-num-queues", "feature-persistent", NULL
};

/* Queues and ring pages of the next connection (blk_geom()). */
static unsigned int blk_nq(const struct blk *b)
{
	return b->queues ? b->queues : 1;
}

static unsigned int blk_np(const struct blk *b)
{
	return b->ring_pages ? b->ring_pages : 1;
}

/*
 * Make queue I the one the request helpers (blk_put(), blk_one(),
 * blk_check_io(), blk_expect_stopped()...) work on: they use b->r and
 * b->port, so the queue in use is swapped in there.
 */
static void blk_queue(struct blk *b, unsigned int i)
{
	if (i == b->cur_q)
		return;
	b->mq[b->cur_q].r = b->r;
	b->mq[b->cur_q].port = b->port;
	b->r = b->mq[i].r;
	b->port = b->mq[i].port;
	b->cur_q = i;
}

/*
 * Connect with NQ queues of NP ring pages each from now on; 1 and 1 is the
 * usual single ring.  Ring pages for the largest geometry are granted once.
 */
static void blk_geom(struct blk *b, unsigned int nq, unsigned int np)
{
	if (!nq || !np || nq > BLK_MQ || np > BLK_RING_PAGES || (np & (np - 1))) {
		errno = EINVAL;
		setup_fail("ring geometry");
	}
	if (nq * np > 1 && !b->ringx.n)
		galloc(&b->ringx, BLK_MQ * BLK_RING_PAGES, be_domid, 1);
	b->queues = nq;
	b->ring_pages = np;
}

/*
 * The keys of the geometry blk_geom() set, in place of ring-ref (KEYS[0])
 * and, with several queues, of event-channel (KEYS[1]): ring-page-order
 * and ring-ref0.. for a ring of several pages; multi-queue-num-queues and
 * each queue's ring-ref(s) and event-channel under queue-N/ for several
 * queues.  Returns the new count of KEYS.
 */
static int blk_geom_keys(struct blk *b, struct kv *keys, int n)
{
	unsigned int nq = blk_nq(b), np = blk_np(b), order = 0;
	char dir[24] = "", key[48];

	if (nq == 1 && np == 1)
		return n;
	keys[0].val[0] = '\0';
	if (np > 1) {
		while (1U << order < np)
			order++;
		kv_set(&keys[n++], "ring-page-order", "%u", order);
	}
	if (nq > 1) {
		keys[1].val[0] = '\0';
		kv_set(&keys[n++], "multi-queue-num-queues", "%u", nq);
	}
	for (unsigned int i = 0; i < nq; i++) {
		if (nq > 1) {
			snprintf(dir, sizeof(dir), "queue-%u/", i);
			snprintf(key, sizeof(key), "%sevent-channel", dir);
			kv_set(&keys[n++], key, "%u", i ? b->mq[i].port : b->port);
		}
		for (unsigned int p = 0; p < np; p++) {
			if (np == 1)
				snprintf(key, sizeof(key), "%sring-ref", dir);
			else
				snprintf(key, sizeof(key), "%sring-ref%u", dir, p);
			kv_set(&keys[n++], key, "%u", b->ringx.ref[i * np + p]);
		}
	}
	return n;
}

/* Fresh rings for the connection's queues, with slots of its ABI's size. */
static void blk_rings_init(struct blk *b)
{
	unsigned int ent = b->abi32 ? sizeof(struct blk_req32) : sizeof(struct blk_req64);
	unsigned int nq = blk_nq(b), np = blk_np(b);

	if (nq == 1 && np == 1) {
		fring_init(&b->r, b->ringpg.mem, ent);
		return;
	}
	fring_init_pages(&b->r, b->ringx.mem, np, ent);
	for (unsigned int i = 1; i < nq; i++)
		fring_init_pages(&b->mq[i].r, b->ringx.mem + (size_t)i * np * GPAGE, np, ent);
}

/*
 * Connect with the usual keys (for the geometry blk_geom() set), changed
 * by OVR ("key=value" strings; an empty value drops the key).  Returns the
 * backend's state.
 */
static int blk_connect_ovr(struct blk *b, const char *const *ovr)
{
	struct kv keys[FE_KEYS];
	int n = 0, s;

	/* Queue 0's ring and port are in b->r and b->port from here on. */
	blk_queue(b, 0);
	if (fe_reset())
		return -1;
	if (b->port)
		ev_free(b->port);
	b->port = ev_alloc(be_domid);
	for (unsigned int i = 1; i < BLK_MQ; i++) {
		if (b->mq[i].port)
			ev_free(b->mq[i].port);
		b->mq[i].port = i < blk_nq(b) ? ev_alloc(be_domid) : 0;
	}
	kv_set(&keys[n++], "ring-ref", "%u", b->ringpg.ref[0]);
	kv_set(&keys[n++], "event-channel", "%u", b->port);
	kv_set(&keys[n++], "protocol", "x86_64-abi");
	n = blk_geom_keys(b, keys, n);
	n = kv_apply(keys, n, ARRAY_SIZE(keys), ovr);
	/* keys[2] is still "protocol": the two above only append. */
	b->abi32 = !strcmp(keys[2].val, "x86_32-abi");
	blk_rings_init(b);
	s = fe_connect(keys, n, XB_INITIALISED, blk_stale);
	b->connected = s == XB_CONNECTED;
	if (b->connected) {
		b->sectors = be_num("sectors", 0);
		b->readonly = be_num("info", 0) & 4;	/* VDISK_READONLY */
	}
	return s;
}

static int blk_connect(struct blk *b)
{
	int s = blk_connect_ovr(b, NULL);

	/* A late event of an earlier connection may close this one: once more. */
	if (s == XB_CLOSING || s == XB_CLOSED) {
		say("backend closed the new connection (state %d); connecting again", s);
		s = blk_connect_ovr(b, NULL);
	}

	if (s != XB_CONNECTED) {
		fail("backend did not connect (state %d)", s);
		return -1;
	}
	return 0;
}

/*
 * Connect with the keys changed by OVR (blk_connect_ovr()), once more when
 * a late event of the earlier connection closes this one; WHAT names the
 * change when the backend does not connect.
 */
static int blk_connect_with(struct blk *b, const char *const *ovr, const char *what)
{
	int s = blk_connect_ovr(b, ovr);

	if (s == XB_CLOSING || s == XB_CLOSED)
		s = blk_connect_ovr(b, ovr);
	if (s != XB_CONNECTED) {
		fail("no connection with %s", what);
		return -1;
	}
	return 0;
}

/* Reconnect in the 32-bit layout: id, sector and what follows sit elsewhere. */
static int blk_connect_abi32(struct blk *b)
{
	static const char *const abi32[] = { "protocol=x86_32-abi", NULL };

	return blk_connect_with(b, abi32, "protocol x86_32-abi");
}

/* The op a response must carry: blkfront wants an indirect one's inner op. */
static uint8_t blk_rsp_op(const struct breq *q)
{
	return q->op == BLK_INDIRECT ? q->ind_op : q->op;
}

/* Send one request and wait for its answer; the status, or 99 on no answer. */
static int blk_one(struct blk *b, const struct breq *q)
{
	struct brsp o;

	blk_put(b, q);
	blk_kick(b);
	if (fring_wait(&b->r, 1, 20) < 1)
		return 99;
	blk_get(b, &o);
	if (o.id != q->id)
		fail("response id %llu for request %llu", (unsigned long long)o.id,
		     (unsigned long long)q->id);
	if (o.op != blk_rsp_op(q))
		fail("response op %u for op %u (expected %u)", o.op, q->op, blk_rsp_op(q));
	if (o.dirty_pad)
		fail("response to request %llu has non-zero padding (XSA-216)",
		     (unsigned long long)q->id);
	return o.status;
}

static uint64_t next_id = 1;

/* A plain read or write of NSECT sectors at SECTOR through the data pages. */
static int blk_rw(struct blk *b, uint8_t op, uint64_t sector, unsigned int nsect)
{
	struct breq q = { .op = op, .id = next_id++, .sector = sector };

	q.nr = blk_segs(&q, &b->data, nsect);
	return blk_one(b, &q);
}

/* A flush with no data. */
static int blk_flush(struct blk *b)
{
	struct breq q = { .op = BLK_FLUSH, .id = next_id++ };

	return blk_one(b, &q);
}

/*
 * A discard of NR sectors at SECTOR; its id has bits above 32 set, which
 * the x86_32 layout splits.
 */
static int blk_discard(struct blk *b, uint64_t sector, uint64_t nr, uint8_t flag)
{
	struct breq q = { .op = BLK_DISCARD, .id = next_id++ | 0xd15cULL << 40,
			  .sector = sector, .ds_nr = nr, .ds_flag = flag };

	return blk_one(b, &q);
}

/*
 * Fill the ring's free slots (at most MAX) with OP requests for NSECT
 * sectors at SECTOR, ids next_id << ID_SHIFT, and kick; how many were put.
 */
static unsigned int blk_fill(struct blk *b, uint8_t op, uint64_t sector, unsigned int nsect,
			     unsigned int max, unsigned int id_shift)
{
	unsigned int n = 0;

	while (n < max && b->r.req_prod_pvt - b->r.rsp_cons < b->r.nr) {
		struct breq q = { .op = op, .id = next_id++ << id_shift, .sector = sector };

		q.nr = blk_segs(&q, &b->data, nsect);
		blk_put(b, &q);
		n++;
	}
	blk_kick(b);
	return n;
}

/* Wait up to a second for answers, then take at most MAX of them into O. */
static uint32_t blk_take(struct blk *b, struct brsp *o, uint32_t max)
{
	uint32_t n;

	fring_wait(&b->r, 1, 1);
	n = fring_ready(&b->r);
	if (n > max)
		n = max;
	for (uint32_t i = 0; i < n; i++)
		blk_get(b, &o[i]);
	return n;
}

static void expect_status(const char *what, int got, int want)
{
	if (got == want) {
		say("%s: status %d as expected", what, got);
		return;
	}
	if (got == 99)
		fail("%s: no response within 20 s (expected status %d)", what, want);
	else
		fail("%s: status %d, expected %d", what, got, want);
}

/* Write a pattern through the ring, read it back, compare: the harness works. */
static void blk_check_io(struct blk *b, uint64_t sector, const char *what)
{
	unsigned int len = 8 * 512 * 4;
	uint8_t *m = b->data.mem;

	for (unsigned int i = 0; i < len; i++)
		m[i] = (uint8_t)(i * 7 + sector + 13);
	expect_status(what, blk_rw(b, BLK_WRITE, sector, 32), BLK_OKAY);
	memset(m, 0, len);
	expect_status(what, blk_rw(b, BLK_READ, sector, 32), BLK_OKAY);
	for (unsigned int i = 0; i < len; i++) {
		if (m[i] != (uint8_t)(i * 7 + sector + 13)) {
			fail("%s: byte %u read back wrong", what, i);
			return;
		}
	}
	say("%s: 16 KiB written at sector %llu and read back intact", what,
	    (unsigned long long)sector);
}

/* After an attack on a connection: reconnect and show the vbd still works. */
static void blk_recover(struct blk *b)
{
	if (blk_connect(b))
		return;
	blk_check_io(b, 64, "after reconnecting");
}

/* ---- blk cases ---- */

/*
 * The vbd was just attached and dom0's hotplug script is held back
 * (hostile.sh), so the backend has no disk yet: publish a ring, a write
 * and Initialised before it does.  Nothing may be served then (pvblkback
 * divided by a zero block size there).  Then tell dom0 (data/pvtest/early
 * in our xenstore home) to let the script go on: with REFUSED, the region
 * overlaps another VM's and the claim is refused: the request must never
 * be served and the backend closes; otherwise the backend connects, and
 * the request, notified again, is served.
 */
static void blk_early(struct blk *b, int refused)
{
	struct breq q = { .op = BLK_WRITE, .id = next_id++, .sector = 8 };
	char *w[2] = { "data/pvtest/early", "1" };
	struct kv keys[3];
	int s;

	s = be_state();
	if (s != XB_INITWAIT) {
		fail("the fresh vbd is in state %d, not InitWait", s);
		return;
	}
	b->port = ev_alloc(be_domid);
	kv_set(&keys[0], "ring-ref", "%u", b->ringpg.ref[0]);
	kv_set(&keys[1], "event-channel", "%u", b->port);
	kv_set(&keys[2], "protocol", "x86_64-abi");
	b->abi32 = 0;
	fring_init(&b->r, b->ringpg.mem, sizeof(struct blk_req64));
	memset(b->data.mem, 0x5a, GPAGE);
	q.nr = blk_segs(&q, &b->data, 8);
	blk_put(b, &q);
	fring_push(&b->r);
	fe_publish(keys, 3, XB_INITIALISED, blk_stale);
	s = be_wait(BIT(XB_CONNECTED) | BIT(XB_CLOSING) | BIT(XB_CLOSED), 3);
	if (s >= 0)
		fail("backend went to state %d before it had its disk", s);
	ev_notify(b->port);
	if (fring_wait(&b->r, 1, 3) > 0)
		fail("a request was answered before the vbd had its disk");
	else
		say("no request served before the vbd had its disk (state %d)", be_state());
	write_all(1, w, w + 1, 2);
	s = be_wait(BIT(XB_CONNECTED) | BIT(XB_CLOSING) | BIT(XB_CLOSED), 180);
	if (refused) {
		if (s != XB_CLOSED && s != XB_CLOSING)
			fail("backend state %d, expected Closed: its claim should be refused", s);
		ev_notify(b->port);
		if (fring_wait(&b->r, 1, 3) > 0)
			fail("the refused vbd served a request");
		else
			say("refused (state %d), and the request was never served", s);
		return;
	}
	if (s != XB_CONNECTED) {
		fail("backend state %d once it had its disk, expected Connected", s);
		return;
	}
	b->connected = 1;
	ev_notify(b->port);
	if (fring_wait(&b->r, 1, 20) < 1) {
		fail("the early request was not served after connecting");
		return;
	}
	{
		struct brsp o;

		blk_get(b, &o);
		if (o.id != q.id || o.status != BLK_OKAY)
			fail("early request: id %llu status %d", (unsigned long long)o.id,
			     o.status);
		else
			say("the early request was served once the vbd was connected");
	}
	blk_check_io(b, 0, "I/O after the late connect");
}

/*
 * A full ring of writes on a disk dom0 made slow (hostile.sh: dm-delay),
 * then Closing at once.  Tell dom0 (data/pvtest/slow), which attaches a
 * disk to another guest meanwhile: that must not wait for our I/O.  The
 * backend may switch to Closing only once every request is answered.
 */
static void bc_slow_close(struct blk *b)
{
	char *w[2] = { "data/pvtest/slow", "1" };
	unsigned int n, got;
	double t0;
	int s;

	if (blk_connect(b))
		return;
	memset(b->data.mem, 0x5a, GPAGE);
	n = blk_fill(b, BLK_WRITE, 0, 8, b->r.nr, 0);
	fe_state(XB_CLOSING);
	t0 = now();
	write_all(1, w, w + 1, 2);
	say("slow-close: %u writes in flight, frontend Closing", n);
	s = be_wait(BIT(XB_CLOSING) | BIT(XB_CLOSED), 300);
	got = fring_ready(&b->r);
	if (s < 0) {
		fail("backend still in state %d 300 s after Closing", be_state());
		return;
	}
	say("slow-close: backend in state %d after %.0f s, %u of %u writes answered", s,
	    now() - t0, got, n);
	if (got != n)
		fail("backend closed with %u of %u requests unanswered", n - got, n);
}

static void bc_early(struct blk *b)
{
	blk_early(b, 0);
}

static void bc_early_refused(struct blk *b)
{
	blk_early(b, 1);
}

static void bc_ok(struct blk *b)
{
	if (blk_connect(b))
		return;
	blk_check_io(b, 0, "plain write and read");
	expect_status("bare flush", blk_flush(b), b->readonly ? BLK_EOPNOTSUPP : BLK_OKAY);
}

static void bc_abi32(struct blk *b)
{
	static const char *const ovr[] = { "protocol=x86_32-abi", NULL };

	if (blk_connect_ovr(b, ovr) != XB_CONNECTED) {
		fail("no connection with protocol x86_32-abi");
		return;
	}
	blk_check_io(b, 8, "x86_32 ABI write and read");
	struct breq q = { .op = BLK_READ, .nr = 0, .id = next_id++ };

	expect_status("x86_32 ABI read with no segment", blk_one(b, &q), BLK_ERROR);
}

static void bc_segs(struct blk *b)
{
	static const uint8_t counts[] = { 0, 12, 100, 255 };

	if (blk_connect(b))
		return;
	for (unsigned int i = 0; i < sizeof(counts); i++) {
		struct breq q = { .op = BLK_READ, .id = next_id++ };
		char what[64];

		blk_segs(&q, &b->data, 88);
		q.nr = counts[i];
		snprintf(what, sizeof(what), "read with nr_segments %u", counts[i]);
		expect_status(what, blk_one(b, &q), BLK_ERROR);
	}
	struct breq w = { .op = BLK_WRITE, .id = next_id++ };

	expect_status("write with nr_segments 0", blk_one(b, &w), BLK_ERROR);
	blk_check_io(b, 0, "ring still serves");
}

static void bc_sectors(struct blk *b)
{
	static const struct { uint8_t first, last; const char *what; } bad[] = {
		{ 5, 4, "first_sect > last_sect" },
		{ 0, 8, "last_sect 8" },
		{ 7, 255, "last_sect 255" },
		{ 255, 255, "first_sect 255" },
	};

	if (blk_connect(b))
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct breq q = { .op = BLK_READ, .id = next_id++, .nr = 2 };

		blk_segs(&q, &b->data, 16);
		q.seg[1].first = bad[i].first;
		q.seg[1].last = bad[i].last;
		expect_status(bad[i].what, blk_one(b, &q), BLK_ERROR);
	}
	blk_check_io(b, 0, "ring still serves");
}

static void bc_region(struct blk *b)
{
	uint64_t end;

	if (blk_connect(b))
		return;
	end = b->sectors;
	say("the vbd has %llu sectors", (unsigned long long)end);
	expect_status("read of the last 8 sectors", blk_rw(b, BLK_READ, end - 8, 8), BLK_OKAY);
	expect_status("read crossing the end", blk_rw(b, BLK_READ, end - 4, 8), BLK_ERROR);
	expect_status("write crossing the end", blk_rw(b, BLK_WRITE, end - 1, 88), BLK_ERROR);
	expect_status("write just past the end", blk_rw(b, BLK_WRITE, end, 8), BLK_ERROR);
	expect_status("write at sector 2^63", blk_rw(b, BLK_WRITE, 1ULL << 63, 8), BLK_ERROR);
	expect_status("write wrapping 2^64", blk_rw(b, BLK_WRITE, ~0ULL - 3, 88), BLK_ERROR);
	expect_status("write at 2^64 - region + 8", blk_rw(b, BLK_WRITE, 0 - end + 8, 8),
		      BLK_ERROR);
	blk_check_io(b, 0, "ring still serves");
}

static void bc_ops(struct blk *b)
{
	static const struct { uint8_t op; const char *what; } ops[] = {
		{ BLK_BARRIER, "write barrier (not offered)" },
		{ 4, "op 4 (unassigned)" },
		{ 99, "op 99" },
		{ 255, "op 255" },
	};

	if (blk_connect(b))
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		struct breq q = { .op = ops[i].op, .id = next_id++ };

		q.nr = blk_segs(&q, &b->data, 8);
		expect_status(ops[i].what, blk_one(b, &q), BLK_EOPNOTSUPP);
	}
	blk_check_io(b, 0, "ring still serves");
}

static void bc_grants(struct blk *b)
{
	struct breq q;

	if (blk_connect(b))
		return;
	q = (struct breq){ .op = BLK_WRITE, .id = next_id++ };
	q.nr = blk_segs(&q, &b->data, 88);
	q.seg[5].gref = BAD_GREF;
	expect_status("write with an invalid grant in segment 5", blk_one(b, &q), BLK_ERROR);

	q = (struct breq){ .op = BLK_READ, .id = next_id++ };
	q.nr = blk_segs(&q, &b->data, 88);
	q.seg[10].gref = b->foreign.ref[0];
	expect_status("read into a grant meant for another domain", blk_one(b, &q), BLK_ERROR);

	q = (struct breq){ .op = BLK_READ, .id = next_id++ };
	q.nr = blk_segs(&q, &b->rodata, 16);
	expect_status("read into a read-only grant", blk_one(b, &q), BLK_ERROR);

	q = (struct breq){ .op = BLK_READ, .id = next_id++, .nr = 11 };
	for (int i = 0; i < 11; i++)
		q.seg[i] = (struct blk_seg){ .gref = b->data.ref[0], .first = 0, .last = 7 };
	expect_status("read with the same grant in all 11 segments", blk_one(b, &q), BLK_OKAY);

	q = (struct breq){ .op = BLK_WRITE, .id = next_id++ };
	q.nr = blk_segs(&q, &b->rodata, 16);
	expect_status("write from a read-only grant", blk_one(b, &q),
		      b->readonly ? BLK_ERROR : BLK_OKAY);

	for (int i = 0; i < 32; i++) {
		q = (struct breq){ .op = BLK_WRITE, .id = next_id++ };
		q.nr = blk_segs(&q, &b->data, 88);
		q.seg[i % 11].gref = BAD_GREF - i;
		blk_put(b, &q);
	}
	blk_kick(b);
	if (fring_wait(&b->r, 32, 30) < 32)
		fail("32 requests with bad grants: only %u answers", fring_ready(&b->r));
	for (uint32_t n = fring_ready(&b->r); n; n--) {
		struct brsp o;

		blk_get(b, &o);
		if (o.status != BLK_ERROR)
			fail("bad-grant request %llu: status %d", (unsigned long long)o.id,
			     o.status);
	}
	say("a full ring of requests with one bad grant each: all refused");
	blk_check_io(b, 0, "ring still serves");
}

static void bc_readonly(struct blk *b)
{
	if (blk_connect(b))
		return;
	if (!b->readonly) {
		fail("this case needs a read-only vbd (info has no VDISK_READONLY)");
		return;
	}
	expect_status("read of a read-only vbd", blk_rw(b, BLK_READ, 0, 8), BLK_OKAY);
	expect_status("write to a read-only vbd", blk_rw(b, BLK_WRITE, 0, 8), BLK_ERROR);
	expect_status("flush of a read-only vbd", blk_flush(b), BLK_EOPNOTSUPP);
	/*
	 * pvblkback offers discard on writable vbds only; were it offered here,
	 * a discard would still have to be refused as a write.
	 */
	if (be_num("feature-discard", 0))
		expect_status("discard on a read-only vbd offering discard",
			      blk_discard(b, 0, 8, 0), BLK_ERROR);
	else
		expect_status("discard on a read-only vbd (not offered there)",
			      blk_discard(b, 0, 8, 0), BLK_EOPNOTSUPP);
}

/* Requests the ring stopped on must stay unanswered; then reconnect. */
static void blk_expect_stopped(struct blk *b, const char *what)
{
	uint32_t before = RD(b->r.s->rsp_prod);

	ev_notify(b->port);
	fring_wait(&b->r, 1000, 3);
	if (RD(b->r.s->rsp_prod) != before)
		fail("%s: the backend went on answering (rsp_prod %u -> %u)", what, before,
		     RD(b->r.s->rsp_prod));
	else
		say("%s: the backend stopped answering", what);
}

static void bc_prod_overflow(struct blk *b)
{
	if (blk_connect(b))
		return;
	b->r.req_prod_pvt = b->r.nr + 1;	/* one more than the ring holds */
	blk_kick(b);
	blk_expect_stopped(b, "req_prod one ring ahead");
	b->r.req_prod_pvt = 0x80000000U;
	blk_kick(b);
	blk_expect_stopped(b, "req_prod 2^31 ahead");
	blk_recover(b);
}

static void bc_prod_backwards(struct blk *b)
{
	if (blk_connect(b))
		return;
	for (int i = 0; i < 4; i++)
		expect_status("read", blk_rw(b, BLK_READ, i * 8, 8), BLK_OKAY);
	b->r.req_prod_pvt -= 8;
	blk_kick(b);
	blk_expect_stopped(b, "req_prod moved back by 8");
	blk_recover(b);
}

static void bc_ring_garbage(struct blk *b)
{
	if (fe_reset())
		return;
	/* A ring whose indexes say 5000 requests are waiting. */
	if (b->port)
		ev_free(b->port);
	b->port = ev_alloc(be_domid);
	fring_init(&b->r, b->ringpg.mem, sizeof(struct blk_req64));
	memset(b->r.s->ents, 0xa5, GPAGE - SRING_HDR);
	WR(b->r.s->req_prod, 5000);
	struct kv keys[3];

	kv_set(&keys[0], "ring-ref", "%u", b->ringpg.ref[0]);
	kv_set(&keys[1], "event-channel", "%u", b->port);
	kv_set(&keys[2], "protocol", "x86_64-abi");
	int s = fe_connect(keys, 3, XB_INITIALISED, blk_stale);

	if (s == XB_CONNECTED && RD(b->r.s->rsp_prod) == 0)
		blk_expect_stopped(b, "ring with req_prod 5000 at connect");
	else if (s == XB_CLOSING || s == XB_CLOSED)
		say("ring with req_prod 5000 at connect: refused (state %d)", s);
	else
		fail("ring with req_prod 5000 at connect: state %d, rsp_prod %u", s,
		     RD(b->r.s->rsp_prod));
	blk_recover(b);
}

/* Control-plane cases: keys the backend must refuse, then recovery. */
static void blk_refused(struct blk *b, const char *what, const char *const *ovr)
{
	int s = blk_connect_ovr(b, ovr);

	if (s == XB_CLOSING || s == XB_CLOSED)
		say("%s: refused, backend state %d", what, s);
	else
		fail("%s: backend state %d, expected Closing or Closed", what, s);
}

/*
 * ring-page-order 5 with all 32 ring-refN it needs (the ring page each
 * time) and no ring-ref: nothing is missing, so the order alone is refused.
 */
static void blk_refused_order5(struct blk *b)
{
	char refs[32][32], key[16];
	const char *ovr[32 + 3];
	int n = 0;

	ovr[n++] = "ring-page-order=5";
	ovr[n++] = "ring-ref=";
	for (int i = 0; i < 32; i++) {
		snprintf(refs[i], sizeof(refs[i]), "ring-ref%d=%u", i, b->ringpg.ref[0]);
		ovr[n++] = refs[i];
	}
	ovr[n] = NULL;
	blk_refused(b, "ring-page-order 5 (over the maximum 4) with ring-ref0..31", ovr);
	/* blk_stale removes only ring-ref0/1: the others would outlive the case. */
	for (int i = 0; i < 32; i++) {
		snprintf(key, sizeof(key), "ring-ref%d", i);
		fe_rm(key);
	}
}

static void bc_keys(struct blk *b)
{
	static const char *const proto[] = { "protocol=x86_16-abi", NULL };
	static const char *const proto_long[] = {
		"protocol=x86_64-abi-and-then-some-more-characters", NULL };
	static const char *const order[] = { "ring-page-order=20", NULL };
	static const char *const order1[] = { "ring-page-order=1", NULL };
	static const char *const queues[] = { "multi-queue-num-queues=4096", NULL };
	static const char *const queues0[] = { "multi-queue-num-queues=0", NULL };
	static const char *const ref_bad[] = { "ring-ref=4294967280", NULL };
	static const char *const ref_text[] = { "ring-ref=abc", NULL };
	static const char *const ref_none[] = { "ring-ref=", NULL };
	static const char *const ev_bad[] = { "event-channel=4000", NULL };
	static const char *const ev_none[] = { "event-channel=", NULL };
	static const char *const ev_neg[] = { "event-channel=-1", NULL };
	static const char *const pers_text[] = { "feature-persistent=junk", NULL };
	static const char *const pers_neg[] = { "feature-persistent=-1", NULL };

	blk_refused(b, "protocol x86_16-abi", proto);
	blk_refused(b, "protocol with a long unknown name", proto_long);
	blk_refused(b, "ring-page-order 20", order);
	/* A ring of 2 pages is given by ring-ref0 and ring-ref1, never by ring-ref. */
	blk_refused(b, "ring-page-order 1 without ring-ref0/1", order1);
	blk_refused_order5(b);
	blk_refused(b, "multi-queue-num-queues 4096", queues);
	blk_refused(b, "multi-queue-num-queues 0", queues0);
	blk_refused(b, "ring-ref of no grant", ref_bad);
	blk_refused(b, "ring-ref not a number", ref_text);
	blk_refused(b, "no ring-ref", ref_none);
	blk_refused(b, "event-channel not bound for dom0", ev_bad);
	blk_refused(b, "no event-channel", ev_none);
	blk_refused(b, "event-channel -1", ev_neg);
	/* Absent means 0; anything but a number is as bad as any other key's. */
	blk_refused(b, "feature-persistent not a number", pers_text);
	blk_refused(b, "feature-persistent -1", pers_neg);
	{
		char ro[48], fo[48];
		const char *ovr_ro[2], *ovr_fo[2];

		snprintf(ro, sizeof(ro), "ring-ref=%u", b->rodata.ref[0]);
		snprintf(fo, sizeof(fo), "ring-ref=%u", b->foreign.ref[0]);
		ovr_ro[0] = ro;
		ovr_fo[0] = fo;
		ovr_ro[1] = NULL;
		ovr_fo[1] = NULL;
		blk_refused(b, "ring-ref of a read-only grant", ovr_ro);
		blk_refused(b, "ring-ref of a grant for another domain", ovr_fo);
	}
	blk_recover(b);
}

/* ---- double fetch: a thread rewrites the slots while the backend reads them ---- */

/*
 * The flipper thread rewrites every slot of a ring, over and over, with
 * flip(slot, k) for k = 0, 1, 2...; what it may touch is the caller's choice.
 */
struct flipper {
	struct fring *r;
	void (*flip)(uint8_t *slot, unsigned int k, void *ctx);
	void *ctx;
	int stop;		/* RD/WR: the main thread stops the flipper */
	pthread_t t;
};

static void *flipper_run(void *arg)
{
	struct flipper *f = arg;
	unsigned int k = 0;

	while (!RD(f->stop))
		for (unsigned int i = 0; i < f->r->nr; i++)
			f->flip(fring_slot(f->r, i), k++, f->ctx);
	return NULL;
}

static void flipper_start(struct flipper *f)
{
	WR(f->stop, 0);
	if (pthread_create(&f->t, NULL, flipper_run, f))
		setup_fail("pthread_create");
}

static void flipper_end(struct flipper *f)
{
	WR(f->stop, 1);
	pthread_join(f->t, NULL);
}

static void blk_flip(uint8_t *slot, unsigned int k, void *ctx)
{
	struct blk_req64 *w = (void *)slot;
	struct blk *b = ctx;
	unsigned int idx = (slot - b->r.s->ents) / b->r.ent_size;
	/*
	 * k visits each slot once a round, so its low bits are the slot's
	 * own: the round number changes the values, as in blk_ind_flip().
	 */
	unsigned int v = k / b->r.nr + idx;

	/*
	 * Everything but the id swings between sane and hostile.  op and nr
	 * share their bytes with the low 16 bits of a response's id, so ids
	 * are told apart by their upper bits.
	 */
	w->nr = (v & 1) ? 255 : 1;
	w->sector = (v & 2) ? (1ULL << 63) + 8 : 0;
	w->op = (v & 4) ? BLK_WRITE : BLK_READ;
	w->seg[0].gref = (v & 8) ? BAD_GREF : b->data.ref[0];
	w->seg[0].last = (v & 16) ? 200 : 7;
}

static void bc_double_fetch(struct blk *b)
{
	enum { TOTAL = 3000 };
	static uint8_t answered[TOTAL];
	uint32_t sent = 0, got = 0, ok = 0, err = 0, k;
	struct flipper f = { .r = &b->r, .flip = blk_flip, .ctx = b };
	struct brsp o[64];
	uint64_t id0;
	double end;

	if (blk_connect(b))
		return;
	flipper_start(&f);
	end = now() + 120;
	id0 = next_id;
	while (got < TOTAL && now() < end) {
		sent += blk_fill(b, BLK_READ, 0, 8, TOTAL - sent, 16);
		k = blk_take(b, o, ARRAY_SIZE(o));
		for (uint32_t i = 0; i < k; i++) {
			uint64_t id = (o[i].id >> 16) - id0;

			got++;
			if (id >= TOTAL || answered[id]++) {
				fail("response with id %llu: unknown or answered twice",
				     (unsigned long long)o[i].id);
				continue;
			}
			if (o[i].status == BLK_OKAY)
				ok++;
			else if (o[i].status == BLK_ERROR || o[i].status == BLK_EOPNOTSUPP)
				err++;
			else
				fail("response status %d", o[i].status);
		}
	}
	flipper_end(&f);
	if (got != TOTAL)
		fail("%u of %u requests answered", got, TOTAL);
	say("%u requests rewritten while in the ring: %u answered OKAY, %u refused", TOTAL,
	    ok, err);
	blk_recover(b);
}

/* ---- indirect requests: descriptors in a granted page ---- */

/* Segments of the indirect cases' full requests at most: pvblkback's limit. */
#define BLK_IND_DATA	256
/* Where the indirect cases write: clear of the other cases' sectors. */
#define BLK_IND_SECTOR	8192ULL

/*
 * What the refusals a case provokes must add to the vbd's statistics/;
 * hostile.sh checks the same numbers, this is for whoever reads the log.
 */
static struct {
	unsigned int bad_req, map_err, region_err, unsup_req;
	/* discards served (answered OKAY), and their sectors */
	unsigned int ds_req, ds_sect;
} want_stats;

static void say_want_stats(void)
{
	say("statistics this case adds: bad_req=%u map_err=%u region_err=%u unsup_req=%u",
	    want_stats.bad_req, want_stats.map_err, want_stats.region_err,
	    want_stats.unsup_req);
	if (want_stats.ds_req)
		say("statistics of the discards it has served: ds_req=%u ds_sect=%u",
		    want_stats.ds_req, want_stats.ds_sect);
}

/* Grant NDESC descriptor pages, a read-only one and NDATA data pages, once. */
static void blk_ind_alloc(struct blk *b, unsigned int ndesc, unsigned int ndata)
{
	if (b->ind.n)
		return;
	galloc(&b->ind, ndesc, be_domid, 1);
	galloc(&b->roind, 1, be_domid, 0);
	galloc(&b->idata, ndata, be_domid, 1);
}

/*
 * Fill every descriptor of PAGE, not only those a request uses: descriptor
 * i is data page i (modulo their count), all 8 sectors.  A backend that
 * reads more descriptors than nr_segments says, or the page of a request
 * it must refuse, finds valid ones and answers OKAY, which the case sees.
 */
static void blk_ind_descs(const struct blk *b, uint8_t *page)
{
	struct blk_seg *d = (void *)page;

	for (unsigned int i = 0; i < BLK_SEGS_PER_IND; i++)
		d[i] = (struct blk_seg){ .gref = b->idata.ref[i % b->idata.n], .last = 7 };
}

/* An indirect request; its id has bits above 32 set, which the x86_32 layout splits. */
static struct breq blk_ind_req(uint8_t op, uint16_t nr, uint64_t sector, uint32_t gref)
{
	struct breq q = { .op = BLK_INDIRECT, .id = next_id++ | 0xbeefULL << 40,
			  .sector = sector, .ind_op = op, .ind_nr = nr };

	q.ind_gref[0] = gref;
	return q;
}

/* Send Q, which the backend must refuse with WANT, and count it in *STAT. */
static void blk_ind_refused(struct blk *b, const char *what, const struct breq *q, int want,
			    unsigned int *stat)
{
	expect_status(what, blk_one(b, q), want);
	(*stat)++;
}

/* Byte I of the pattern SEED: no period a misplaced sector would hide in. */
static uint8_t blk_ind_byte(size_t i, uint32_t seed)
{
	return (uint32_t)(i * 2654435761U + seed) >> 24;
}

/* The first byte of LEN at M that is not the pattern SEED, or -1. */
static long blk_ind_cmp(const uint8_t *m, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		if (m[i] != blk_ind_byte(i, seed))
			return (long)i;
	return -1;
}

/*
 * Write a pattern with one indirect request of N segments at SECTOR
 * (descriptors in the page granted as GREF), read its first pages back with
 * a direct request, which shows the backend took the sector from the right
 * place, then all of it with an indirect read into zeroed pages.
 */
static void blk_ind_check_io(struct blk *b, unsigned int n, uint64_t sector, uint32_t gref,
			     const char *what)
{
	size_t len = (size_t)n * GPAGE;
	unsigned int nd = n < BLK_SEGS ? n : BLK_SEGS;
	uint32_t seed = next_id * 77 + sector;
	struct breq q;
	char w[128];
	long bad;

	for (size_t i = 0; i < len; i++)
		b->idata.mem[i] = blk_ind_byte(i, seed);
	q = blk_ind_req(BLK_WRITE, n, sector, gref);
	snprintf(w, sizeof(w), "%s: indirect write of %u segments at sector %llu", what, n,
		 (unsigned long long)sector);
	expect_status(w, blk_one(b, &q), BLK_OKAY);

	memset(b->data.mem, 0, (size_t)BLK_SEGS * GPAGE);
	snprintf(w, sizeof(w), "%s: direct read of its first %u pages", what, nd);
	expect_status(w, blk_rw(b, BLK_READ, sector, nd * 8), BLK_OKAY);
	bad = blk_ind_cmp(b->data.mem, (size_t)nd * GPAGE, seed);
	if (bad >= 0)
		fail("%s: byte %ld of the indirect write read back wrong by a direct read", what,
		     bad);

	memset(b->idata.mem, 0, len);
	q = blk_ind_req(BLK_READ, n, sector, gref);
	snprintf(w, sizeof(w), "%s: indirect read of %u segments", what, n);
	expect_status(w, blk_one(b, &q), BLK_OKAY);
	bad = blk_ind_cmp(b->idata.mem, len, seed);
	if (bad >= 0)
		fail("%s: byte %ld read back wrong by an indirect read", what, bad);
	else
		say("%s: %zu KiB written and read back intact through indirect requests", what,
		    len >> 10);
}

/* The backend's feature-max-indirect-segments; 0 when it offers none. */
static long long blk_ind_max(void)
{
	long long max = be_num("feature-max-indirect-segments", 0);

	if (max < 0 || max > 65534) {
		fail("feature-max-indirect-segments %lld: not what nr_segments can say", max);
		return 0;
	}
	return max;
}

/* Not offered: an indirect request, valid otherwise, is refused as unsupported. */
static void blk_ind_not_offered(struct blk *b)
{
	struct breq q;

	blk_ind_alloc(b, 1, 8);
	blk_ind_descs(b, b->ind.mem);
	q = blk_ind_req(BLK_READ, 8, BLK_IND_SECTOR, b->ind.ref[0]);
	blk_ind_refused(b, "indirect read (not offered)", &q, BLK_EOPNOTSUPP,
			&want_stats.unsup_req);
	say("note: no feature-max-indirect-segments: only the refusal was checked");
}

/* A bad descriptor in the last segment of a full request: every one is checked. */
static void blk_ind_bad_seg(struct blk *b, unsigned int n, uint8_t op, struct blk_seg seg,
			    const char *what, unsigned int *stat)
{
	struct blk_seg *d = (struct blk_seg *)b->ind.mem + n - 1;
	struct blk_seg keep = *d;
	struct breq q = blk_ind_req(op, n, BLK_IND_SECTOR, b->ind.ref[0]);

	*d = seg;
	blk_ind_refused(b, what, &q, BLK_ERROR, stat);
	*d = keep;
}

static void bc_indirect(struct blk *b)
{
	static const uint8_t ops[] = { BLK_FLUSH, BLK_DISCARD, BLK_INDIRECT, 99 };
	unsigned int n, nr[3];
	uint64_t last;
	long long max;
	struct breq q;
	char what[96];

	if (blk_connect(b))
		return;
	max = blk_ind_max();
	if (!max) {
		blk_ind_not_offered(b);
		blk_check_io(b, 0, "ring still serves");
		say_want_stats();
		return;
	}
	/* More segments than a direct request can have, if the backend allows. */
	n = max < BLK_IND_DATA ? max : BLK_IND_DATA;
	say("the backend offers indirect requests of up to %lld segments; full ones here have %u",
	    max, n);
	if (b->sectors < (uint64_t)n * 8 + BLK_IND_SECTOR + 4096) {
		fail("the vbd has %llu sectors: too small for this case",
		     (unsigned long long)b->sectors);
		return;
	}
	last = b->sectors - (uint64_t)n * 8;
	blk_ind_alloc(b, 1, n);
	blk_ind_descs(b, b->ind.mem);
	blk_ind_descs(b, b->roind.mem);
	blk_ind_descs(b, b->foreign.mem);

	/* I/O through them; the response ops are the inner ones (blk_one). */
	blk_ind_check_io(b, n, BLK_IND_SECTOR, b->ind.ref[0], "x86_64");
	q = blk_ind_req(BLK_READ, n, BLK_IND_SECTOR, b->roind.ref[0]);
	expect_status("indirect read, descriptors in a read-only grant", blk_one(b, &q),
		      BLK_OKAY);
	q = blk_ind_req(BLK_READ, n, last, b->ind.ref[0]);
	snprintf(what, sizeof(what), "indirect read of the last %u sectors", n * 8);
	expect_status(what, blk_one(b, &q), BLK_OKAY);

	/* The header: checked before the indirect page is read. */
	nr[0] = 0;
	nr[1] = max + 1;
	nr[2] = 65535;
	for (unsigned int i = 0; i < ARRAY_SIZE(nr); i++) {
		q = blk_ind_req(BLK_READ, nr[i], BLK_IND_SECTOR, b->ind.ref[0]);
		snprintf(what, sizeof(what), "indirect read with nr_segments %u", nr[i]);
		blk_ind_refused(b, what, &q, BLK_ERROR, &want_stats.bad_req);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		q = blk_ind_req(ops[i], 1, BLK_IND_SECTOR, b->ind.ref[0]);
		snprintf(what, sizeof(what), "indirect request with indirect_op %u", ops[i]);
		blk_ind_refused(b, what, &q, BLK_ERROR, &want_stats.bad_req);
	}

	/* The indirect page itself. */
	q = blk_ind_req(BLK_READ, n, BLK_IND_SECTOR, BAD_GREF);
	blk_ind_refused(b, "indirect page of an invalid grant", &q, BLK_ERROR,
			&want_stats.map_err);
	q = blk_ind_req(BLK_READ, n, BLK_IND_SECTOR, b->foreign.ref[0]);
	blk_ind_refused(b, "indirect page granted to another domain", &q, BLK_ERROR,
			&want_stats.map_err);

	/* The descriptors, each as a direct request's segment. */
	blk_ind_bad_seg(b, n, BLK_READ,
			(struct blk_seg){ .gref = b->idata.ref[0], .first = 5, .last = 4 },
			"first_sect > last_sect in the last descriptor", &want_stats.bad_req);
	blk_ind_bad_seg(b, n, BLK_READ,
			(struct blk_seg){ .gref = b->idata.ref[0], .first = 0, .last = 8 },
			"last_sect 8 in the last descriptor", &want_stats.bad_req);
	blk_ind_bad_seg(b, n, BLK_WRITE, (struct blk_seg){ .gref = BAD_GREF, .last = 7 },
			"invalid data grant in the last descriptor", &want_stats.map_err);
	blk_ind_bad_seg(b, n, BLK_READ,
			(struct blk_seg){ .gref = b->foreign.ref[0], .last = 7 },
			"data grant for another domain in the last descriptor",
			&want_stats.map_err);
	blk_ind_bad_seg(b, n, BLK_READ,
			(struct blk_seg){ .gref = b->rodata.ref[0], .last = 7 },
			"read into a read-only grant in the last descriptor",
			&want_stats.map_err);
	/* Into the neighbour's region, if it were not refused. */
	q = blk_ind_req(BLK_WRITE, n, last + 8, b->ind.ref[0]);
	snprintf(what, sizeof(what), "indirect write of %u sectors, 8 past the end", n * 8);
	blk_ind_refused(b, what, &q, BLK_ERROR, &want_stats.region_err);
	blk_check_io(b, 0, "ring still serves");

	/* The 32-bit layout: id, sector and indirect_grefs sit elsewhere. */
	if (blk_connect_abi32(b)) {
		say_want_stats();
		return;
	}
	blk_ind_check_io(b, n, BLK_IND_SECTOR + 4096, b->ind.ref[0], "x86_32");
	q = blk_ind_req(BLK_READ, max + 1, BLK_IND_SECTOR, b->ind.ref[0]);
	snprintf(what, sizeof(what), "x86_32: indirect read with nr_segments %u",
		 (unsigned int)max + 1);
	blk_ind_refused(b, what, &q, BLK_ERROR, &want_stats.bad_req);
	q = blk_ind_req(BLK_WRITE, n, last + 8, b->ind.ref[0]);
	blk_ind_refused(b, "x86_32: indirect write 8 sectors past the end", &q, BLK_ERROR,
			&want_stats.region_err);
	blk_check_io(b, 8, "x86_32: ring still serves");
	say_want_stats();
}

/* ---- double fetch of indirect requests: headers and descriptors rewritten ---- */

/* Descriptors the flipper rewrites; the valid requests have this many segments. */
#define BLK_IND_DF_SEGS	12

struct ind_flip {
	struct blk *b;
	uint16_t nr[8];		/* nr_segments the headers swing between */
};

/*
 * Slot i's requests have their descriptors in indirect page i.  Besides the
 * header's nr_segments and indirect page, the first BLK_IND_DF_SEGS
 * descriptors of that page are rewritten: all valid, or one of them with an
 * invalid grant, first_sect > last_sect or last_sect 200.  The op, the
 * inner op and the id are left alone: they must come back in the response.
 */
static void blk_ind_flip(uint8_t *slot, unsigned int k, void *ctx)
{
	struct ind_flip *f = ctx;
	struct blk *b = f->b;
	unsigned int idx = (slot - b->r.s->ents) / b->r.ent_size;
	/* k visits each slot once a round: the round number changes its values. */
	unsigned int v = k / b->r.nr + idx;
	struct blk_seg *d = (struct blk_seg *)(b->ind.mem + (size_t)idx * GPAGE);
	unsigned int bad = (v >> 5) % BLK_IND_DF_SEGS;
	struct blk_ind64 *w = (void *)slot;

	for (unsigned int i = 0; i < BLK_IND_DF_SEGS; i++)
		d[i] = (struct blk_seg){ .gref = b->idata.ref[i], .last = 7 };
	switch ((v >> 3) & 3) {
	case 1:
		d[bad].gref = BAD_GREF;
		break;
	case 2:
		d[bad].first = 5;
		d[bad].last = 4;
		break;
	case 3:
		d[bad].last = 200;
		break;
	}
	/* nr_segments shares its bytes with bits 16-31 of a response's id. */
	w->nr = f->nr[v & 7];
	w->gref[0] = ((v >> 7) & 3) == 3 ? BAD_GREF : b->ind.ref[idx];
}

static void bc_indirect_double_fetch(struct blk *b)
{
	enum { TOTAL = 3000 };
	static const uint16_t nrs[8] = { 1, BLK_IND_DF_SEGS, 0, 0, 0, 512, 65535, BLK_SEGS };
	static uint8_t answered[TOTAL];
	uint32_t sent = 0, got = 0, ok = 0, err = 0, k;
	struct ind_flip ctx = { .b = b };
	struct flipper f = { .r = &b->r, .flip = blk_ind_flip, .ctx = &ctx };
	struct brsp o[64];
	long long max;
	unsigned int n;
	uint64_t id0;
	double end;

	if (blk_connect(b))
		return;
	max = blk_ind_max();
	if (!max) {
		say("note: no feature-max-indirect-segments: nothing to race");
		return;
	}
	n = max < BLK_IND_DATA ? max : BLK_IND_DATA;
	/* The flipper points the first BLK_IND_DF_SEGS descriptors at their own pages. */
	blk_ind_alloc(b, b->r.nr, n > BLK_IND_DF_SEGS ? n : BLK_IND_DF_SEGS);
	for (unsigned int i = 0; i < b->r.nr; i++)
		blk_ind_descs(b, b->ind.mem + (size_t)i * GPAGE);
	/*
	 * Valid counts, the limit and one past it, and 512: as many
	 * descriptors as the page holds, more than pvblkback copies.
	 */
	memcpy(ctx.nr, nrs, sizeof(nrs));
	ctx.nr[3] = max;
	ctx.nr[4] = max + 1;
	flipper_start(&f);
	end = now() + 120;
	id0 = next_id;
	while (got < TOTAL && now() < end) {
		while (sent < TOTAL && b->r.req_prod_pvt - b->r.rsp_cons < b->r.nr) {
			unsigned int idx = b->r.req_prod_pvt & (b->r.nr - 1);
			struct breq q = blk_ind_req(BLK_READ, BLK_IND_DF_SEGS, 0, b->ind.ref[idx]);

			/* The flipper changes bits 16-31 of the responses' ids. */
			q.id = (id0 + sent) << 32;
			blk_put(b, &q);
			sent++;
		}
		blk_kick(b);
		k = blk_take(b, o, ARRAY_SIZE(o));
		for (uint32_t i = 0; i < k; i++) {
			uint64_t id = (o[i].id >> 32) - id0;

			got++;
			if (id >= TOTAL || answered[id]++) {
				fail("response with id %llu: unknown or answered twice",
				     (unsigned long long)o[i].id);
				continue;
			}
			if (o[i].op != BLK_READ)
				fail("response %llu: op %u, expected the inner op %u",
				     (unsigned long long)id, o[i].op, BLK_READ);
			if (o[i].dirty_pad)
				fail("response %llu has non-zero padding", (unsigned long long)id);
			if (o[i].status == BLK_OKAY)
				ok++;
			else if (o[i].status == BLK_ERROR)
				err++;
			else
				fail("response %llu: status %d", (unsigned long long)id,
				     o[i].status);
		}
	}
	flipper_end(&f);
	say("%u indirect requests rewritten while in the ring: %u answered OKAY, %u refused",
	    got, ok, err);
	if (got != TOTAL) {
		fail("%u of %u requests answered", got, TOTAL);
		blk_recover(b);
		return;
	}
	/* Nothing stopped: the same ring serves direct and indirect requests. */
	blk_check_io(b, 0, "ring still serves");
	blk_ind_descs(b, b->ind.mem);
	blk_ind_check_io(b, n, BLK_IND_SECTOR, b->ind.ref[0], "ring still serves");
}

/* ---- discard: a sector range, no data ---- */

/* Where the discard case writes: clear of the other cases' sectors. */
#define BLK_DS_SECTOR	16384ULL
/*
 * A third of its pattern, in sectors: 64 KiB, a multiple of the usual
 * discard granularities (what a disk may discard in one piece).
 */
#define BLK_DS_UNIT	128U

/*
 * NSECT sectors at SECTOR between BUF and the vbd, 88 sectors a request
 * through the data pages.  Returns OKAY, or the status of the first request
 * not answered OKAY (none is sent after it).
 */
static int blk_ds_io(struct blk *b, uint8_t op, uint64_t sector, unsigned int nsect,
		     uint8_t *buf)
{
	unsigned int done, k;
	int st;

	for (done = 0; done < nsect; done += k) {
		k = nsect - done < BLK_SEGS * 8 ? nsect - done : BLK_SEGS * 8;
		if (op == BLK_WRITE)
			memcpy(b->data.mem, buf + (size_t)done * 512, (size_t)k * 512);
		else
			memset(b->data.mem, 0xa5, (size_t)k * 512);
		st = blk_rw(b, op, sector + done, k);
		if (st != BLK_OKAY)
			return st;
		if (op == BLK_READ)
			memcpy(buf + (size_t)done * 512, b->data.mem, (size_t)k * 512);
	}
	return BLK_OKAY;
}

/*
 * Write a pattern over three units at SECTOR, discard the middle one, read
 * all three back.  The units on either side must keep the pattern.  The
 * discarded one should read zeros (the lab's disk punches a hole), but a
 * discard may legally leave the data: only a note if it does.
 */
static void blk_ds_check(struct blk *b, uint64_t sector, const char *what)
{
	size_t len = 3 * BLK_DS_UNIT * 512, lo = BLK_DS_UNIT * 512, hi = 2 * lo, nonzero = 0;
	uint32_t seed = next_id * 77 + sector;
	uint8_t *buf = malloc(len);
	char w[128];
	long bad = -1;
	int st;

	if (!buf)
		setup_fail("malloc");
	for (size_t i = 0; i < len; i++)
		buf[i] = blk_ind_byte(i, seed);
	st = blk_ds_io(b, BLK_WRITE, sector, 3 * BLK_DS_UNIT, buf);
	if (st != BLK_OKAY) {
		fail("%s: writing the pattern at sector %llu: status %d", what,
		     (unsigned long long)sector, st);
		free(buf);
		return;
	}
	snprintf(w, sizeof(w), "%s: discard of sectors %llu..%llu, the middle of a pattern", what,
		 (unsigned long long)sector + BLK_DS_UNIT,
		 (unsigned long long)sector + 2 * BLK_DS_UNIT - 1);
	st = blk_discard(b, sector + BLK_DS_UNIT, BLK_DS_UNIT, 0);
	expect_status(w, st, BLK_OKAY);
	want_stats.ds_req++;
	want_stats.ds_sect += BLK_DS_UNIT;
	st = blk_ds_io(b, BLK_READ, sector, 3 * BLK_DS_UNIT, buf);
	if (st != BLK_OKAY) {
		fail("%s: reading the pattern back: status %d", what, st);
		free(buf);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (i >= lo && i < hi)
			nonzero += buf[i] != 0;
		else if (bad < 0 && buf[i] != blk_ind_byte(i, seed))
			bad = (long)i;
	}
	if (bad >= 0)
		fail("%s: sector %llu, outside the discarded range, lost its data (byte %ld)",
		     what, (unsigned long long)sector + bad / 512, bad % 512);
	else
		say("%s: the %u KiB on either side of the discarded range keep their data", what,
		    BLK_DS_UNIT / 2);
	if (nonzero)
		say("note: %s: %zu bytes of the discarded range not zero (discard may leave data)",
		    what, nonzero);
	else
		say("%s: the discarded %u KiB read zeros", what, BLK_DS_UNIT / 2);
	free(buf);
}

/* Send a discard the backend must refuse with an error, and count it in *STAT. */
static void blk_ds_refused(struct blk *b, const char *what, uint64_t sector, uint64_t nr,
			   unsigned int *stat)
{
	expect_status(what, blk_discard(b, sector, nr, 0), BLK_ERROR);
	(*stat)++;
}

static void bc_discard(struct blk *b)
{
	long long secure;
	uint64_t end;

	if (blk_connect(b))
		return;
	if (!be_num("feature-discard", 0)) {
		expect_status("discard (not offered)", blk_discard(b, BLK_DS_SECTOR, 8, 0),
			      BLK_EOPNOTSUPP);
		want_stats.unsup_req++;
		say("note: no feature-discard: only the refusal was checked");
		blk_check_io(b, 0, "ring still serves");
		say_want_stats();
		return;
	}
	secure = be_num("discard-secure", 0);
	say("the backend offers discard: discard-granularity %lld, -alignment %lld, -secure %lld",
	    be_num("discard-granularity", -1), be_num("discard-alignment", -1), secure);
	end = b->sectors;
	if (end < BLK_DS_SECTOR + 8 * BLK_DS_UNIT) {
		fail("the vbd has %llu sectors: too small for this case", (unsigned long long)end);
		return;
	}

	blk_ds_check(b, BLK_DS_SECTOR, "x86_64");
	/* The secure flag: a secure erase with discard-secure=1, else a plain discard. */
	expect_status(secure ? "secure discard (discard-secure=1)" :
		      "secure discard with discard-secure=0 (a plain one)",
		      blk_discard(b, BLK_DS_SECTOR + BLK_DS_UNIT, BLK_DS_UNIT, BLK_DISCARD_SECURE),
		      BLK_OKAY);
	want_stats.ds_req++;
	want_stats.ds_sect += BLK_DS_UNIT;
	blk_ds_refused(b, "discard of 0 sectors", BLK_DS_SECTOR, 0, &want_stats.bad_req);
	blk_ds_refused(b, "discard of 16 sectors crossing the end", end - 8, 16,
		       &want_stats.region_err);
	blk_ds_refused(b, "discard just past the end", end, 8, &want_stats.region_err);
	/* Sums that wrap to 0 and to 8: inside the region if taken modulo 2^64. */
	blk_ds_refused(b, "discard whose sector + count is 2^64", BLK_DS_SECTOR,
		       0 - BLK_DS_SECTOR, &want_stats.region_err);
	blk_ds_refused(b, "discard of 16 sectors at 2^64 - 8", 0 - 8ULL, 16,
		       &want_stats.region_err);
	blk_check_io(b, 0, "ring still serves");

	/* The 32-bit layout: id, sector and count sit 4 bytes earlier. */
	if (blk_connect_abi32(b)) {
		say_want_stats();
		return;
	}
	blk_ds_check(b, BLK_DS_SECTOR + 4 * BLK_DS_UNIT, "x86_32");
	blk_ds_refused(b, "x86_32: discard of 16 sectors crossing the end", end - 8, 16,
		       &want_stats.region_err);
	blk_check_io(b, 8, "x86_32: ring still serves");
	say_want_stats();
}

/* ---- persistent grants: pages the backend keeps mapped between requests ---- */

/* Where the persistent cases write: clear of the other cases' sectors. */
#define BLK_PG_SECTOR	32768ULL
#define BLK_PG_SHARED	(BLK_PG_SECTOR + 2048)
#define BLK_PG_BAD	(BLK_PG_SECTOR + 3072)
#define BLK_PG_OFF	(BLK_PG_SECTOR + 3584)
#define BLK_PG_MANY_SECTOR (BLK_PG_SECTOR + 4096)
#define BLK_PG_IND	(BLK_PG_SECTOR + 14336)
#define BLK_PG_END	(BLK_PG_SECTOR + 16384)
/* The pages the reuse part cycles over, BLK_PG_PER to a request, and its rounds. */
#define BLK_PG_SET	48
#define BLK_PG_PER	8
#define BLK_PG_ROUNDS	16
/* Places of BLK_PG_PER pages the reuse part writes to, in turn. */
#define BLK_PG_PLACES	24
/*
 * Distinct grants used one chunk after the other (the guest's gntalloc
 * shares 1024 pages at most): more than pvblkback's default cache of
 * 1056 grants, many times a small one.
 */
#define BLK_PG_MANY	1200
#define BLK_PG_CHUNK	240
/*
 * Requests in flight together at most: the slots of a 4-page ring (a
 * one-page ring, the persistent cases', has 32).
 */
#define BLK_BATCH_MAX	128

/*
 * A new pattern seed.  blk_ind_byte() keeps the top byte of position times
 * its constant plus the seed, so two close seeds give nearly the same
 * bytes: these differ in their top byte (an odd constant unrelated to
 * blk_ind_byte()'s, whose first 63 multiples all have top bytes other than
 * 0 and 0xff).
 */
static uint32_t blk_pg_seed(void)
{
	static uint32_t n;

	return ++n * 0x5bd1e995U;
}

/* Where page S of a request at SECTOR lies, as a pattern position. */
static size_t blk_pg_off(uint64_t sector, unsigned int s)
{
	return (size_t)(sector - BLK_PG_SECTOR) * 512 + (size_t)s * GPAGE;
}

/* Fill page P of G with bytes OFF.. of the pattern SEED. */
static void blk_pg_fill(const struct gbuf *g, unsigned int p, size_t off, uint32_t seed)
{
	uint8_t *m = g->mem + (size_t)p * GPAGE;

	for (size_t i = 0; i < GPAGE; i++)
		m[i] = blk_ind_byte(off + i, seed);
}

/* The first of LEN bytes at FROM in page P of G that is not byte OFF.. of SEED, or -1. */
static long blk_pg_cmp(const struct gbuf *g, unsigned int p, size_t from, size_t len,
		       size_t off, uint32_t seed)
{
	const uint8_t *m = g->mem + (size_t)p * GPAGE + from;

	for (size_t i = 0; i < len; i++)
		if (m[i] != blk_ind_byte(off + i, seed))
			return (long)(from + i);
	return -1;
}

/* A request of NP whole pages at SECTOR: segment i is page PG[i] of G. */
static struct breq blk_pg_req(uint8_t op, uint64_t sector, const struct gbuf *g,
			      const unsigned int *pg, unsigned int np)
{
	struct breq q = { .op = op, .id = next_id++, .sector = sector, .nr = np };

	for (unsigned int i = 0; i < np; i++)
		q.seg[i] = (struct blk_seg){ .gref = g->ref[pg[i]], .last = 7 };
	return q;
}

/* Send the N requests of Q together; their statuses ST[i] are 99 until answered. */
static void blk_batch_put(struct blk *b, const struct breq *q, unsigned int n, int *st)
{
	for (unsigned int i = 0; i < n; i++) {
		st[i] = 99;
		blk_put(b, &q[i]);
	}
	blk_kick(b);
}

/*
 * Take the answers to the N requests of Q (blk_batch_put()) in whatever
 * order they come; ST[i] is the status of Q[i], 99 when it got none within
 * 20 s.
 */
static void blk_batch_get(struct blk *b, const struct breq *q, unsigned int n, int *st)
{
	uint32_t got;

	got = fring_wait(&b->r, n, 20);
	for (uint32_t k = 0; k < got && k < n; k++) {
		struct brsp o;
		unsigned int i;

		blk_get(b, &o);
		for (i = 0; i < n && (q[i].id != o.id || st[i] != 99); i++)
			;
		if (i == n) {
			fail("response with id %llu: unknown or answered twice",
			     (unsigned long long)o.id);
			continue;
		}
		st[i] = o.status;
		if (o.op != blk_rsp_op(&q[i]))
			fail("response op %u for op %u (expected %u)", o.op, q[i].op,
			     blk_rsp_op(&q[i]));
		if (o.dirty_pad)
			fail("response to request %llu has non-zero padding",
			     (unsigned long long)o.id);
	}
}

/*
 * Send the N requests of Q (at most a ring's worth) together and take their
 * answers (blk_batch_get()).
 */
static void blk_batch(struct blk *b, const struct breq *q, unsigned int n, int *st)
{
	blk_batch_put(b, q, n, st);
	blk_batch_get(b, q, n, st);
}

/* Whether ST[i], of N, are all WANT[i] (all OKAY when WANT is NULL); how many were not. */
static unsigned int blk_batch_check(const int *st, unsigned int n, const int *want,
				    const char *what)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++) {
		int w = want ? want[i] : BLK_OKAY;

		if (st[i] == w)
			continue;
		bad++;
		if (st[i] == 99)
			fail("%s: request %u of %u: no response within 20 s", what, i + 1, n);
		else
			fail("%s: request %u of %u: status %d, expected %d", what, i + 1, n,
			     st[i], w);
	}
	return bad;
}

/*
 * blk_batch(), where Q[i] must be answered WANT[i] (all OKAY when WANT is
 * NULL); how many were not.
 */
static unsigned int blk_batch_expect(struct blk *b, const struct breq *q, unsigned int n,
				     const int *want, const char *what)
{
	int st[BLK_BATCH_MAX];

	if (n > ARRAY_SIZE(st) || n > b->r.nr) {
		errno = EINVAL;
		setup_fail("batch of requests: too many");
	}
	blk_batch(b, q, n, st);
	return blk_batch_check(st, n, want, what);
}

/*
 * Reuse: each round writes the BLK_PG_SET pages of G, BLK_PG_PER to a
 * request, all requests in flight together, then reads them back into
 * other pages of G and compares.  A persistent ring maps the grants once
 * and keeps them; a wrong page or sector shows in the data.
 */
static void blk_pg_reuse(struct blk *b, const struct gbuf *g)
{
	enum { NREQ = BLK_PG_SET / BLK_PG_PER };
	unsigned int pg[BLK_PG_PER], r, i, j, s, bad = 0;
	uint64_t sector[NREQ];
	struct breq q[NREQ];
	uint32_t seed;
	char what[64];
	long at;

	for (r = 0; r < BLK_PG_ROUNDS && !bad; r++) {
		seed = blk_pg_seed();
		for (j = 0; j < NREQ; j++) {
			sector[j] = BLK_PG_SECTOR +
				(uint64_t)((r * NREQ + j) % BLK_PG_PLACES) * BLK_PG_PER * 8;
			for (s = 0; s < BLK_PG_PER; s++) {
				pg[s] = (r * 7 + j * BLK_PG_PER + s) % BLK_PG_SET;
				blk_pg_fill(g, pg[s], blk_pg_off(sector[j], s), seed);
			}
			q[j] = blk_pg_req(BLK_WRITE, sector[j], g, pg, BLK_PG_PER);
		}
		snprintf(what, sizeof(what), "reuse: round %u, writes", r + 1);
		bad += blk_batch_expect(b, q, NREQ, NULL, what);
		memset(g->mem, 0, (size_t)BLK_PG_SET * GPAGE);
		/* Into other pages than the writes': every grant must be its own page. */
		for (j = 0; j < NREQ; j++) {
			for (s = 0; s < BLK_PG_PER; s++)
				pg[s] = (r * 7 + 13 + j * BLK_PG_PER + s) % BLK_PG_SET;
			q[j] = blk_pg_req(BLK_READ, sector[j], g, pg, BLK_PG_PER);
		}
		snprintf(what, sizeof(what), "reuse: round %u, reads", r + 1);
		bad += blk_batch_expect(b, q, NREQ, NULL, what);
		/* Segment i of the reads: request i / BLK_PG_PER, its page i % BLK_PG_PER. */
		for (i = 0; i < BLK_PG_SET && !bad; i++) {
			at = blk_pg_cmp(g, (r * 7 + 13 + i) % BLK_PG_SET, 0, GPAGE,
					blk_pg_off(sector[i / BLK_PG_PER], i % BLK_PG_PER), seed);
			if (at >= 0) {
				fail("reuse: round %u, request %u, segment %u: byte %ld wrong",
				     r + 1, i / BLK_PG_PER + 1, i % BLK_PG_PER, at);
				bad++;
			}
		}
	}
	if (!bad)
		say("reuse: %u rounds of %u writes, then %u reads, over the same %u grants: intact",
		    BLK_PG_ROUNDS, NREQ, NREQ, BLK_PG_SET);
}

/* A segment of sectors FIRST..LAST of page P of G. */
static struct blk_seg blk_pg_seg(const struct gbuf *g, unsigned int p, uint8_t first,
				 uint8_t last)
{
	return (struct blk_seg){ .gref = g->ref[p], .first = first, .last = last };
}

/* LEN bytes at FROM in page P of G against SEED from OFF: 0 when they match, else 1. */
static unsigned int blk_pg_expect(const struct gbuf *g, unsigned int p, size_t from,
				  size_t len, size_t off, uint32_t seed, const char *what)
{
	long at = blk_pg_cmp(g, p, from, len, off, seed);

	if (at < 0)
		return 0;
	fail("%s: byte %ld of the page read back wrong", what, at);
	return 1;
}

/*
 * One grant in several segments of a request, and in two requests in
 * flight together, writing and reading: pages 0-7 of G, 48 sectors from
 * SECTOR.  A page read twice at the same place gets the same data both
 * times, so what it ends with is known whatever the order.
 */
static void blk_pg_shared(struct blk *b, const struct gbuf *g, uint64_t sector,
			  const char *what)
{
	const size_t half = GPAGE / 2;
	uint64_t t = sector + 32;
	uint32_t seed = blk_pg_seed(), seed2 = blk_pg_seed();
	unsigned int bad = 0;
	struct breq q[2];
	char w[128];

	/* Page 0 three times over 24 sectors: whole, whole, then in two halves. */
	blk_pg_fill(g, 0, 0, seed);
	memset(g->mem + GPAGE, 0, 7 * (size_t)GPAGE);
	q[0] = (struct breq){ .op = BLK_WRITE, .id = next_id++, .sector = sector, .nr = 4 };
	q[0].seg[0] = blk_pg_seg(g, 0, 0, 7);
	q[0].seg[1] = blk_pg_seg(g, 0, 0, 7);
	q[0].seg[2] = blk_pg_seg(g, 0, 0, 3);
	q[0].seg[3] = blk_pg_seg(g, 0, 4, 7);
	snprintf(w, sizeof(w), "%s: write with one grant in all 4 segments", what);
	expect_status(w, blk_one(b, &q[0]), BLK_OKAY);
	q[0] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = sector, .nr = 3 };
	for (unsigned int i = 0; i < 3; i++)
		q[0].seg[i] = blk_pg_seg(g, 1 + i, 0, 7);
	snprintf(w, sizeof(w), "%s: read of those 24 sectors into 3 pages", what);
	expect_status(w, blk_one(b, &q[0]), BLK_OKAY);
	for (unsigned int i = 0; i < 3; i++)
		bad += blk_pg_expect(g, 1 + i, 0, GPAGE, 0, seed, w);
	/* Reads into one page: the same data twice, then the halves swapped. */
	q[0] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = sector, .nr = 4 };
	q[0].seg[0] = blk_pg_seg(g, 4, 0, 7);
	q[0].seg[1] = blk_pg_seg(g, 4, 0, 7);
	q[0].seg[2] = blk_pg_seg(g, 5, 4, 7);
	q[0].seg[3] = blk_pg_seg(g, 5, 0, 3);
	snprintf(w, sizeof(w), "%s: read with one grant in 2 segments, another in 2 halves",
		 what);
	expect_status(w, blk_one(b, &q[0]), BLK_OKAY);
	bad += blk_pg_expect(g, 4, 0, GPAGE, 0, seed, w);
	bad += blk_pg_expect(g, 5, half, half, 0, seed, w);
	bad += blk_pg_expect(g, 5, 0, half, half, seed, w);

	/* Page 6 written by two requests at once, page 7 read by two at once. */
	blk_pg_fill(g, 6, 0, seed2);
	q[0] = (struct breq){ .op = BLK_WRITE, .id = next_id++, .sector = t, .nr = 1 };
	q[0].seg[0] = blk_pg_seg(g, 6, 0, 7);
	q[1] = q[0];
	q[1].id = next_id++;
	q[1].sector = t + 8;
	snprintf(w, sizeof(w), "%s: two writes of one grant in flight together", what);
	bad += blk_batch_expect(b, q, 2, NULL, w);
	q[0] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = t, .nr = 1 };
	q[0].seg[0] = blk_pg_seg(g, 7, 0, 3);
	q[1] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = t + 12, .nr = 1 };
	q[1].seg[0] = blk_pg_seg(g, 7, 4, 7);
	snprintf(w, sizeof(w), "%s: two reads into halves of one grant in flight together",
		 what);
	bad += blk_batch_expect(b, q, 2, NULL, w);
	bad += blk_pg_expect(g, 7, 0, GPAGE, 0, seed2, w);
	if (!bad)
		say("%s: in several segments, in requests in flight together: data intact",
		    what);
}

/*
 * What a persistent ring must still refuse: grants it cannot map writable
 * (the read-only ones, even for writes), invalid or foreign ones next to
 * cached ones of G, also while other requests use the same cached grant.
 * Then the cached grants serve again.  Each refusal is one map_err.
 */
static void blk_pg_refusals(struct blk *b, const struct gbuf *g)
{
	static const int want3[3] = { BLK_OKAY, BLK_ERROR, BLK_OKAY };
	const uint64_t x = BLK_PG_BAD;
	uint32_t seed = blk_pg_seed();
	unsigned int pg[2], bad = 0;
	struct breq q[3];

	q[0] = (struct breq){ .op = BLK_WRITE, .id = next_id++, .sector = x, .nr = 1 };
	q[0].seg[0] = (struct blk_seg){ .gref = b->rodata.ref[0], .last = 7 };
	blk_ind_refused(b, "write from a read-only grant (persistent: mapped writable)", &q[0],
			BLK_ERROR, &want_stats.map_err);
	q[0] = (struct breq){ .op = BLK_WRITE, .id = next_id++, .sector = x, .nr = 2 };
	q[0].seg[0] = blk_pg_seg(g, 0, 0, 7);
	q[0].seg[1] = (struct blk_seg){ .gref = b->rodata.ref[1], .last = 7 };
	blk_ind_refused(b, "write from a cached grant and a read-only one", &q[0], BLK_ERROR,
			&want_stats.map_err);
	q[0] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = x, .nr = 2 };
	q[0].seg[0] = blk_pg_seg(g, 0, 0, 7);
	q[0].seg[1] = (struct blk_seg){ .gref = BAD_GREF, .last = 7 };
	blk_ind_refused(b, "read into a cached grant and an invalid one", &q[0], BLK_ERROR,
			&want_stats.map_err);
	q[0] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = x, .nr = 2 };
	q[0].seg[0] = blk_pg_seg(g, 1, 0, 7);
	q[0].seg[1] = (struct blk_seg){ .gref = b->foreign.ref[0], .last = 7 };
	blk_ind_refused(b, "read into a cached grant and one for another domain", &q[0],
			BLK_ERROR, &want_stats.map_err);

	/* The refused request shares page 2 with a write in flight with it. */
	blk_pg_fill(g, 2, blk_pg_off(x, 0), seed);
	blk_pg_fill(g, 3, blk_pg_off(x, 1), seed);
	pg[0] = 2;
	q[0] = blk_pg_req(BLK_WRITE, x, g, pg, 1);
	q[1] = (struct breq){ .op = BLK_READ, .id = next_id++, .sector = x + 16, .nr = 2 };
	q[1].seg[0] = blk_pg_seg(g, 2, 0, 7);
	q[1].seg[1] = (struct blk_seg){ .gref = BAD_GREF - 1, .last = 7 };
	pg[0] = 3;
	q[2] = blk_pg_req(BLK_WRITE, x + 8, g, pg, 1);
	bad += blk_batch_expect(b, q, 3, want3,
				"writes in flight with a refused read sharing their grant");
	want_stats.map_err++;
	pg[0] = 4;
	pg[1] = 5;
	q[0] = blk_pg_req(BLK_READ, x, g, pg, 2);
	expect_status("read of what those writes wrote", blk_one(b, &q[0]), BLK_OKAY);
	bad += blk_pg_expect(g, 4, 0, GPAGE, blk_pg_off(x, 0), seed, "the first write");
	bad += blk_pg_expect(g, 5, 0, GPAGE, blk_pg_off(x, 1), seed, "the second write");

	/* The grants the refused requests held, through their cached mappings. */
	seed = blk_pg_seed();
	blk_pg_fill(g, 0, blk_pg_off(x + 16, 0), seed);
	blk_pg_fill(g, 1, blk_pg_off(x + 16, 1), seed);
	pg[0] = 0;
	pg[1] = 1;
	q[0] = blk_pg_req(BLK_WRITE, x + 16, g, pg, 2);
	expect_status("write from the grants of the refused requests", blk_one(b, &q[0]),
		      BLK_OKAY);
	memset(g->mem, 0, 2 * (size_t)GPAGE);
	pg[0] = 1;
	pg[1] = 0;
	q[0] = blk_pg_req(BLK_READ, x + 16, g, pg, 2);
	expect_status("read back into them, swapped", blk_one(b, &q[0]), BLK_OKAY);
	bad += blk_pg_expect(g, 1, 0, GPAGE, blk_pg_off(x + 16, 0), seed, "swapped read");
	bad += blk_pg_expect(g, 0, 0, GPAGE, blk_pg_off(x + 16, 1), seed, "swapped read");
	if (!bad)
		say("refusals: the cached grants they named serve again, data intact");
}

/*
 * More distinct grants than the cache holds: BLK_PG_CHUNK pages at a time
 * are granted, written in requests of 11 pages all in flight together, read
 * back half a chunk away and compared, then their grants ended (those the
 * backend still keeps stay in use until it lets them go).
 */
static void blk_pg_many(struct blk *b)
{
	enum { NREQ = (BLK_PG_CHUNK + BLK_SEGS - 1) / BLK_SEGS };
	unsigned int pg[BLK_SEGS], c, k, s, np, bad = 0;
	struct gbuf *g = &b->pgmany;
	struct breq q[NREQ];
	char what[96];

	for (c = 0; c < BLK_PG_MANY / BLK_PG_CHUNK && !bad; c++) {
		uint64_t sector = BLK_PG_MANY_SECTOR + (uint64_t)c * BLK_PG_CHUNK * 8;
		uint32_t seed = blk_pg_seed();

		galloc(g, BLK_PG_CHUNK, be_domid, 1);
		for (unsigned int p = 0; p < BLK_PG_CHUNK; p++)
			blk_pg_fill(g, p, blk_pg_off(sector, p), seed);
		for (k = 0; k < NREQ; k++) {
			np = BLK_PG_CHUNK - k * BLK_SEGS;
			np = np < BLK_SEGS ? np : BLK_SEGS;
			for (s = 0; s < np; s++)
				pg[s] = k * BLK_SEGS + s;
			q[k] = blk_pg_req(BLK_WRITE, sector + (uint64_t)k * BLK_SEGS * 8, g, pg,
					  np);
		}
		snprintf(what, sizeof(what), "many grants: chunk %u, writes", c + 1);
		bad += blk_batch_expect(b, q, NREQ, NULL, what);
		memset(g->mem, 0, (size_t)BLK_PG_CHUNK * GPAGE);
		for (k = 0; k < NREQ; k++) {
			np = q[k].nr;
			for (s = 0; s < np; s++)
				pg[s] = (k * BLK_SEGS + s + BLK_PG_CHUNK / 2) % BLK_PG_CHUNK;
			q[k] = blk_pg_req(BLK_READ, sector + (uint64_t)k * BLK_SEGS * 8, g, pg,
					  np);
		}
		snprintf(what, sizeof(what), "many grants: chunk %u, reads", c + 1);
		bad += blk_batch_expect(b, q, NREQ, NULL, what);
		for (unsigned int p = 0; p < BLK_PG_CHUNK && !bad; p++) {
			long at = blk_pg_cmp(g, (p + BLK_PG_CHUNK / 2) % BLK_PG_CHUNK, 0, GPAGE,
					     blk_pg_off(sector, p), seed);

			if (at >= 0) {
				fail("many grants: chunk %u, sector %llu: byte %ld read back wrong",
				     c + 1, (unsigned long long)sector + p * 8, at);
				bad++;
			}
		}
		gfree(g);
	}
	if (!bad)
		say("many grants: %u distinct ones, %u at a time in %u requests: data intact",
		    BLK_PG_MANY, BLK_PG_CHUNK, NREQ);
}

static void bc_persistent(struct blk *b)
{
	static const char *const pers[] = { "feature-persistent=1", NULL };
	long long offer = be_num("feature-persistent", -1), max;
	unsigned int n;

	if (offer != 1) {
		/* -1: no key (a backend without them); 0: max_persistent_grants=0 */
		fail("the backend's feature-persistent is %lld, expected 1", offer);
		return;
	}
	if (blk_connect_with(b, pers, "feature-persistent 1"))
		return;
	if (b->readonly || b->sectors < BLK_PG_END) {
		fail("this case needs a writable vbd of %llu sectors at least (this one: %llu%s)",
		     BLK_PG_END, (unsigned long long)b->sectors,
		     b->readonly ? ", read-only" : "");
		return;
	}
	say("the backend offers feature-persistent 1, we said 1: its rings keep our grants");
	galloc(&b->pgset, BLK_PG_SET, be_domid, 1);
	galloc(&b->pgfresh, 8, be_domid, 1);
	blk_pg_reuse(b, &b->pgset);
	blk_pg_shared(b, &b->pgfresh, BLK_PG_SHARED, "fresh grants");
	blk_pg_shared(b, &b->pgfresh, BLK_PG_SHARED + 64, "the same grants again");
	blk_pg_refusals(b, &b->pgset);
	blk_pg_many(b);
	/* Their descriptor pages are copied, their data grants kept like any. */
	max = blk_ind_max();
	if (max) {
		n = max < BLK_IND_DATA ? max : BLK_IND_DATA;
		blk_ind_alloc(b, 1, n);
		blk_ind_descs(b, b->ind.mem);
		blk_ind_check_io(b, n, BLK_PG_IND, b->ind.ref[0], "persistent");
		blk_ind_check_io(b, n, BLK_PG_IND, b->ind.ref[0], "persistent, the same grants");
	} else {
		say("note: no feature-max-indirect-segments: no indirect request on this ring");
	}
	/* The case ends connected: dom0 looks at the grants the ring keeps. */
	blk_check_io(b, 0, "the persistent ring still serves");
	say_want_stats();
}

/*
 * feature-persistent 0: grants are mapped for each request, a write only
 * reads guest memory, so a read-only grant serves it.
 */
static void bc_persistent_off(struct blk *b)
{
	static const char *const off[] = { "feature-persistent=0", NULL };
	uint32_t seed = blk_pg_seed();
	unsigned int pg = 0;
	struct breq q;

	if (blk_connect_with(b, off, "feature-persistent 0"))
		return;
	if (b->readonly || b->sectors < BLK_PG_END) {
		fail("this case needs a writable vbd of %llu sectors at least",
		     BLK_PG_END);
		return;
	}
	say("the backend offers feature-persistent %lld, we said 0",
	    be_num("feature-persistent", -1));
	/* gntalloc maps our pages writable for us, read-only grant or not. */
	blk_pg_fill(&b->rodata, 0, blk_pg_off(BLK_PG_OFF, 0), seed);
	q = blk_pg_req(BLK_WRITE, BLK_PG_OFF, &b->rodata, &pg, 1);
	expect_status("write from a read-only grant", blk_one(b, &q), BLK_OKAY);
	memset(b->data.mem, 0, GPAGE);
	q = blk_pg_req(BLK_READ, BLK_PG_OFF, &b->data, &pg, 1);
	expect_status("read of what it wrote", blk_one(b, &q), BLK_OKAY);
	if (!blk_pg_expect(&b->data, 0, 0, GPAGE, blk_pg_off(BLK_PG_OFF, 0), seed,
			   "read of what it wrote"))
		say("write from a read-only grant: landed intact");
	blk_check_io(b, 0, "ring still serves");
	say_want_stats();
}

/* ---- multi-page rings and several queues ---- */

/* Where these cases write, BLK_GEOM_QSECT sectors a queue: clear of the other cases'. */
#define BLK_GEOM_SECTOR	65536ULL
#define BLK_GEOM_QSECT	1024U
#define BLK_GEOM_END	(BLK_GEOM_SECTOR + 4 * BLK_GEOM_QSECT)
/* Data pages of a round: one a slot, for every slot of every queue. */
#define BLK_GEOM_DATA	BLK_BATCH_MAX
/* Bits 40.. of a round's request ids: this tag plus the queue. */
#define BLK_GEOM_TAG	0x6e0ULL
/* The multi-page case's ring: 2^2 pages, 128 slots in the x86_64 layout. */
#define BLK_MP_ORDER	2
/* Its rounds of a ring of writes then a ring of reads: 4 times round the ring. */
#define BLK_MP_ROUNDS	2

/* Requests these cases had served (hostile.sh checks the same numbers). */
static struct {
	unsigned int rd_req, wr_req, ring_err;
} geom_served;

static void say_geom_stats(void)
{
	say("statistics this case adds: ring_err=%u rd_req=%u wr_req=%u", geom_served.ring_err,
	    geom_served.rd_req, geom_served.wr_req);
}

/* The vbd must be writable and hold BLK_GEOM_END sectors. */
static int blk_geom_room(const struct blk *b)
{
	if (!b->readonly && b->sectors >= BLK_GEOM_END)
		return 0;
	fail("this case needs a writable vbd of %llu sectors at least (this one: %llu%s)",
	     BLK_GEOM_END, (unsigned long long)b->sectors, b->readonly ? ", read-only" : "");
	return -1;
}

/*
 * One verified round on queues 0..NQ-1 at once: each queue's ring filled
 * with writes of one data page, every slot holding one, queue i's at
 * SECTOR + i * BLK_GEOM_QSECT; then as many reads of the same sectors into
 * the pages half a ring away, and the data compared.  Request ids carry
 * their queue: a response on another queue's ring is unknown there, and a
 * slot the backend did not answer in still holds our request, whose first
 * bytes are no such id.  *PAGES gets a bit for each ring page a checked
 * response was read from.  Returns how many things were wrong.
 */
static unsigned int blk_geom_round(struct blk *b, unsigned int nq, uint64_t sector,
				   unsigned int *pages, const char *what)
{
	static const uint8_t ops[2] = { BLK_WRITE, BLK_READ };
	static struct breq q[BLK_MQ][BLK_BATCH_MAX];
	static int st[BLK_MQ][BLK_BATCH_MAX];
	unsigned int n = b->r.nr, bad = 0, bq, i, j, k, p;
	uint32_t seed = blk_pg_seed(), c0[BLK_MQ];
	struct gbuf *g = &b->gdata;
	uint64_t sec;
	char w[128];
	long at;

	if (nq > BLK_MQ || n > BLK_BATCH_MAX || nq * n > BLK_GEOM_DATA ||
	    n * 8 > BLK_GEOM_QSECT) {
		errno = EINVAL;
		setup_fail("round of the multi-page or multi-queue case: too many requests");
	}
	if (!g->n)
		galloc(g, BLK_GEOM_DATA, be_domid, 1);
	for (k = 0; k < ARRAY_SIZE(ops); k++) {
		if (ops[k] == BLK_READ)
			memset(g->mem, 0, (size_t)nq * n * GPAGE);
		/* All queues' requests first: they are in flight together. */
		for (i = 0; i < nq; i++) {
			blk_queue(b, i);
			for (j = 0; j < n; j++) {
				sec = sector + i * BLK_GEOM_QSECT + j * 8;
				/* Reads half a ring away: each grant must be its own page. */
				p = i * n + (ops[k] == BLK_WRITE ? j : (j + n / 2) % n);
				if (ops[k] == BLK_WRITE)
					blk_pg_fill(g, p, sec * 512, seed);
				q[i][j] = blk_pg_req(ops[k], sec, g, &p, 1);
				q[i][j].id |= (BLK_GEOM_TAG + i) << 40;
			}
			c0[i] = b->r.rsp_cons;
			blk_batch_put(b, q[i], n, st[i]);
		}
		for (i = 0; i < nq; i++) {
			blk_queue(b, i);
			blk_batch_get(b, q[i], n, st[i]);
			snprintf(w, sizeof(w), "%s: queue %u, %u %s", what, i, n,
				 ops[k] == BLK_WRITE ? "writes" : "reads");
			bq = blk_batch_check(st[i], n, NULL, w);
			/* Responses beyond our requests would be another ring's. */
			if (RD(b->r.s->rsp_prod) != b->r.req_prod_pvt) {
				fail("%s: rsp_prod %u after %u requests", w, RD(b->r.s->rsp_prod),
				     b->r.req_prod_pvt);
				bq++;
			}
			/* n responses matched n requests: slots c0.. held them. */
			for (j = 0; j < n && !bq; j++)
				*pages |= 1U << fring_page(&b->r, c0[i] + j);
			if (ops[k] == BLK_WRITE)
				geom_served.wr_req += n;
			else
				geom_served.rd_req += n;
			bad += bq;
		}
	}
	for (i = 0; i < nq; i++) {
		for (j = 0; j < n; j++) {
			if (st[i][j] != BLK_OKAY)
				continue;
			sec = sector + i * BLK_GEOM_QSECT + j * 8;
			at = blk_pg_cmp(g, i * n + (j + n / 2) % n, 0, GPAGE, sec * 512, seed);
			if (at >= 0) {
				fail("%s: queue %u, sector %llu: byte %ld read back wrong", what, i,
				     (unsigned long long)sec, at);
				bad++;
				break;
			}
		}
	}
	blk_queue(b, 0);
	return bad;
}

/*
 * A producer that ran past a full ring: NR + 1 valid reads put (the last
 * in the first one's slot) and published at once, so req_prod - rsp_prod
 * is NR + 1.  The backend must take none of them and stop the ring
 * (ring_err +1); one that did not check would serve them.
 */
static void blk_overrun(struct blk *b, const char *what)
{
	uint32_t rsp = b->r.rsp_cons;

	if (b->r.req_prod_pvt != rsp)
		fail("%s: %u requests still unanswered before it", what,
		     b->r.req_prod_pvt - rsp);
	for (unsigned int i = 0; i <= b->r.nr; i++) {
		struct breq q = { .op = BLK_READ, .id = next_id++, .sector = BLK_GEOM_SECTOR };

		q.nr = blk_segs(&q, &b->data, 8);
		blk_put(b, &q);
	}
	blk_kick(b);
	blk_expect_stopped(b, what);
	/* blk_expect_stopped() looks from its start: also before it. */
	if (RD(b->r.s->rsp_prod) != rsp)
		fail("%s: %u of the requests answered", what, RD(b->r.s->rsp_prod) - rsp);
	geom_served.ring_err++;
}

/*
 * Back to the usual single ring.  blk_stale knows ring-ref0/1 only and no
 * queue-N/: remove every geometry key now, so that no later connection
 * finds one (the backend read them at connect and does not look again).
 */
static void blk_geom_end(struct blk *b)
{
	char key[24];

	for (unsigned int i = 0; i < BLK_RING_PAGES; i++) {
		snprintf(key, sizeof(key), "ring-ref%u", i);
		fe_rm(key);
	}
	for (unsigned int i = 0; i < BLK_MQ; i++) {
		snprintf(key, sizeof(key), "queue-%u", i);
		fe_rm(key);
	}
	fe_rm("ring-page-order");
	fe_rm("multi-queue-num-queues");
	blk_queue(b, 0);
	b->queues = 0;
	b->ring_pages = 0;
}

/*
 * A ring of 4 pages: verified I/O through every slot, so on every page
 * (slots 72 and 109 of 112 bytes straddle two), round the ring 4 times;
 * then req_prod a ring and one ahead.  It ends connected on a new 4-page
 * ring.
 */
static void bc_multipage(struct blk *b)
{
	long long order = be_num("max-ring-page-order", 0);
	unsigned int np = 1U << BLK_MP_ORDER, pages = 0, bad = 0;
	char what[64];

	if (order < BLK_MP_ORDER) {
		say("note: max-ring-page-order %lld offered, below %u: no %u-page ring; skipped",
		    order, BLK_MP_ORDER, np);
		say_geom_stats();
		return;
	}
	blk_geom(b, 1, np);
	if (blk_connect(b) || blk_geom_room(b))
		goto out;
	say("a ring of %u pages (max-ring-page-order %lld offered): %u slots of %u bytes", np,
	    order, b->r.nr, b->r.ent_size);
	/* Two requests first: the rounds' batches then run over the ring's wrap. */
	blk_check_io(b, BLK_GEOM_SECTOR + 2 * BLK_GEOM_QSECT, "4-page ring");
	geom_served.wr_req++;
	geom_served.rd_req++;
	for (unsigned int r = 0; r < BLK_MP_ROUNDS; r++) {
		snprintf(what, sizeof(what), "4-page ring, round %u", r + 1);
		bad += blk_geom_round(b, 1, BLK_GEOM_SECTOR + r * BLK_GEOM_QSECT, &pages, what);
	}
	if (!bad && pages != (1U << np) - 1) {
		fail("4-page ring: responses read from ring pages %#x only", pages);
		bad++;
	}
	if (!bad) {
		say("4-page ring: %u rounds of %u writes, then %u reads, in flight: data intact",
		    BLK_MP_ROUNDS, b->r.nr, b->r.nr);
		say("4-page ring: each response in its slot, pages 0-%u; req_prod %u (%u rings)",
		    np - 1, b->r.req_prod_pvt, b->r.req_prod_pvt / b->r.nr);
	}
	blk_overrun(b, "4-page ring: req_prod a ring and one past rsp_prod");
	blk_recover(b);
	geom_served.wr_req++;
	geom_served.rd_req++;
out:
	blk_geom_end(b);
	say_geom_stats();
}

/*
 * Two queues, each its own ring, event channel and backend thread:
 * verified I/O on both at once; queue 1's producer runs past its ring,
 * which stops queue 1 only, queue 0 goes on.  It ends connected on two new
 * rings, both serving (dom0 sees nr_rings 2).
 */
static void bc_queues(struct blk *b)
{
	long long max = be_num("multi-queue-max-queues", 1);
	unsigned int pages = 0;
	uint32_t rsp1;

	if (max < BLK_MQ) {
		/* pvblkback offers one queue per dom0 CPU, or its max_queues parameter. */
		say("note: multi-queue-max-queues %lld offered, below %u: skipped", max, BLK_MQ);
		say_geom_stats();
		return;
	}
	blk_geom(b, BLK_MQ, 1);
	if (blk_connect(b) || blk_geom_room(b))
		goto out;
	say("%u queues (multi-queue-max-queues %lld offered), a one-page ring of %u slots each",
	    BLK_MQ, max, b->r.nr);
	if (!blk_geom_round(b, BLK_MQ, BLK_GEOM_SECTOR, &pages, "both queues"))
		say("both queues: a ring of writes, then of reads, at once: intact, on own rings");

	blk_queue(b, 1);
	blk_overrun(b, "queue 1: req_prod a ring and one past rsp_prod");
	rsp1 = RD(b->r.s->rsp_prod);
	blk_queue(b, 0);
	if (!blk_geom_round(b, 1, BLK_GEOM_SECTOR, &pages, "queue 0 after queue 1 stopped"))
		say("queue 0 after queue 1 stopped: a ring of writes, then of reads: data intact");
	if (RD(b->mq[1].r.s->rsp_prod) != rsp1)
		fail("queue 1 answered after it was stopped (rsp_prod %u -> %u)", rsp1,
		     RD(b->mq[1].r.s->rsp_prod));

	/* A new connection: both queues serve again. */
	if (blk_connect(b))
		goto out;
	if (!blk_geom_round(b, BLK_MQ, BLK_GEOM_SECTOR, &pages, "after reconnecting"))
		say("after reconnecting: both queues serve, data intact");
out:
	blk_geom_end(b);
	say_geom_stats();
}

/* Every request slot in flight, for SECS (or forever with secs=0). */
static void bc_flood(struct blk *b)
{
	struct brsp o[64];
	uint64_t done = 0;
	uint32_t k;
	double end = now() + (opt_secs ? opt_secs : 1e9);

	if (blk_connect(b))
		return;
	for (int i = 0; i < BLK_SEGS; i++)
		memset(b->data.mem + i * GPAGE, 0x5a, GPAGE);
	say("flood: keeping %u writes of 44 KiB in flight", b->r.nr);
	while (now() < end) {
		blk_fill(b, BLK_WRITE, (next_id % 64) * 88, 88, b->r.nr, 0);
		k = blk_take(b, o, ARRAY_SIZE(o));
		for (uint32_t i = 0; i < k; i++)
			if (o[i].status != BLK_OKAY)
				fail("flood write %llu: status %d", (unsigned long long)o[i].id,
				     o[i].status);
		done += k;
	}
	say("flood: %llu writes answered", (unsigned long long)done);
}

/* ---- the device-independent cases' view of a vbd ---- */

static int blk_c_connect(void *dev)
{
	return blk_connect(dev);
}

static void blk_c_check(void *dev, const char *what)
{
	blk_check_io(dev, 0, what);
}

static void blk_c_recover(void *dev)
{
	blk_recover(dev);
}

/* A full ring of reads or writes in flight. */
static void blk_c_in_flight(void *dev, int round)
{
	struct blk *b = dev;

	blk_fill(b, round & 1 ? BLK_WRITE : BLK_READ, round * 88, 88, b->r.nr, 0);
}

static unsigned int blk_c_port(void *dev)
{
	return ((struct blk *)dev)->port;
}

/* ------------------------------------------------------------------ netif */

#define NTXF_CSUM_BLANK	0x1
#define NTXF_MORE_DATA	0x4
#define NTXF_EXTRA_INFO	0x8
#define NRSP_OKAY	0
#define NRSP_ERROR	(-1)
#define NRSP_NULL	1
#define NET_EXTRA_GSO	1
#define NET_EXTRA_MCAST_ADD 2
#define NET_EXTRA_HASH	4
#define NET_EXTRA_MORE	0x1

struct ntx_req {
	uint32_t gref;
	uint16_t offset, flags, id, size;
};

struct ntx_rsp {
	uint16_t id;
	int16_t status;
};

struct nextra {
	uint8_t type, flags;
	uint16_t a;		/* gso.size */
	uint8_t b, c;		/* gso.type, pad */
	uint16_t d;		/* gso.features */
};

struct nrx_req {
	uint16_t id, pad;
	uint32_t gref;
};

struct nrx_rsp {
	uint16_t id, offset, flags;
	int16_t status;
};

_Static_assert(sizeof(struct ntx_req) == 12, "netif tx request");
_Static_assert(sizeof(struct nextra) == 8, "netif extra info");
_Static_assert(sizeof(struct nrx_rsp) == 8, "netif rx response");

#define NET_RX_BUFS	64

struct net {
	struct gbuf txpg, rxpg, data, rxbuf, foreign;
	struct fring tx, rx;
	unsigned int port;
	uint8_t mac[6];
	uint32_t ip, peer;
	int connected;
};

static struct net N;

static uint32_t parse_ip(const char *s)
{
	unsigned int a, b, c, d;

	if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
		return 0;
	return a << 24 | b << 16 | c << 8 | d;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

/* An ARP request "who has PEER, tell IP" from our MAC, padded to 60 bytes. */
static unsigned int arp_frame(struct net *n, uint8_t *f)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, n->mac, 6);
	put_be16(f + 12, 0x0806);
	put_be16(f + 14, 1);		/* Ethernet */
	put_be16(f + 16, 0x0800);	/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put_be16(f + 20, 1);		/* request */
	memcpy(f + 22, n->mac, 6);
	put_be32(f + 28, n->ip);
	put_be32(f + 38, n->peer);
	return 60;
}

static const char *const net_stale[] = {
	"tx-ring-ref", "rx-ring-ref", "event-channel", "event-channel-tx", "event-channel-rx",
	"request-rx-copy", "feature-rx-notify", "feature-sg", "multi-queue-num-queues",
	"feature-gso-tcpv4", "feature-no-csum-offload", NULL
};

/* Post RX buffers 0..NET_RX_BUFS-1 (ids = buffer index). */
static void net_post_rx(struct net *n, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		struct nrx_req *q = fring_slot(&n->rx, n->rx.req_prod_pvt);
		uint16_t id = n->rx.req_prod_pvt % NET_RX_BUFS;

		q->id = id;
		q->gref = n->rxbuf.ref[id];
		n->rx.req_prod_pvt++;
	}
	fring_push(&n->rx);
	ev_notify(n->port);
}

static int net_connect_ovr(struct net *n, const char *const *ovr, int post_rx)
{
	struct kv keys[10];
	int k = 0, s;

	if (fe_reset())
		return -1;
	if (n->port)
		ev_free(n->port);
	n->port = ev_alloc(be_domid);
	fring_init(&n->tx, n->txpg.mem, sizeof(struct ntx_req));
	fring_init(&n->rx, n->rxpg.mem, sizeof(struct nrx_req));
	kv_set(&keys[k++], "tx-ring-ref", "%u", n->txpg.ref[0]);
	kv_set(&keys[k++], "rx-ring-ref", "%u", n->rxpg.ref[0]);
	kv_set(&keys[k++], "event-channel", "%u", n->port);
	kv_set(&keys[k++], "request-rx-copy", "1");
	kv_set(&keys[k++], "feature-rx-notify", "1");
	kv_set(&keys[k++], "feature-sg", "1");
	k = kv_apply(keys, k, ARRAY_SIZE(keys), ovr);
	s = fe_connect(keys, k, XB_CONNECTED, net_stale);
	n->connected = s == XB_CONNECTED;
	if (n->connected && post_rx)
		net_post_rx(n, NET_RX_BUFS);
	return s;
}

static int net_connect(struct net *n)
{
	int s = net_connect_ovr(n, NULL, 1);

	/* A late event of an earlier connection may close this one: once more. */
	if (s == XB_CLOSING || s == XB_CLOSED) {
		say("backend closed the new connection (state %d); connecting again", s);
		s = net_connect_ovr(n, NULL, 1);
	}

	if (s != XB_CONNECTED) {
		fail("backend did not connect (state %d)", s);
		return -1;
	}
	return 0;
}

static void net_tx_put(struct net *n, uint32_t gref, uint16_t off, uint16_t flags,
		       uint16_t size)
{
	struct ntx_req *q = fring_slot(&n->tx, n->tx.req_prod_pvt);

	q->gref = gref;
	q->offset = off;
	q->flags = flags;
	q->id = n->tx.req_prod_pvt & 0xffff;
	q->size = size;
	n->tx.req_prod_pvt++;
}

static void net_extra_put(struct net *n, const struct nextra *x)
{
	memcpy(fring_slot(&n->tx, n->tx.req_prod_pvt++), x, sizeof(*x));
}

/*
 * Publish what was put, wait for SLOTS answers; the statuses of the data
 * slots are summarised: OKAY when all are, else the first other status.
 */
static int net_tx_send(struct net *n, unsigned int slots)
{
	int status = NRSP_OKAY, seen = 0;

	fring_push(&n->tx);
	ev_notify(n->port);
	if (fring_wait(&n->tx, slots, 20) < slots)
		return 99;
	for (unsigned int i = 0; i < slots; i++) {
		struct ntx_rsp r;

		memcpy(&r, fring_slot(&n->tx, n->tx.rsp_cons++), sizeof(r));
		if (r.status == NRSP_NULL)
			continue;
		if (!seen++ || status == NRSP_OKAY)
			status = r.status;
	}
	return status;
}

/* Is there an ARP reply from the peer to us among the RX responses, within SECS? */
static int net_rx_arp_reply(struct net *n, double secs)
{
	double end = now() + secs;
	int found = 0;

	while (!found && now() < end) {
		fring_wait(&n->rx, 1, 0.5);
		for (uint32_t k = fring_ready(&n->rx); k; k--) {
			struct nrx_rsp r;
			const uint8_t *f;

			memcpy(&r, fring_slot(&n->rx, n->rx.rsp_cons++), sizeof(r));
			if (r.id >= NET_RX_BUFS || r.status < 42 || r.offset > GPAGE - 42)
				continue;
			f = n->rxbuf.mem + (size_t)r.id * GPAGE + r.offset;
			if (f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 &&
			    !memcmp(f + 32, n->mac, 6))
				found = 1;
		}
		/* Give every buffer back. */
		uint32_t want = n->rx.rsp_cons + NET_RX_BUFS - n->rx.req_prod_pvt;

		if (want)
			net_post_rx(n, want);
	}
	return found;
}

/* One ARP request in the slots described by SIZES (offsets into data page 0). */
static int net_arp_split(struct net *n, const unsigned int *sizes, unsigned int nr,
			 int *got_reply)
{
	uint8_t *f = n->data.mem;
	unsigned int len = arp_frame(n, f), off = 0, share;
	unsigned int rest = 0;

	for (unsigned int i = 1; i < nr; i++)
		rest += sizes[i];
	share = len - rest;
	net_tx_put(n, n->data.ref[0], 0, nr > 1 ? NTXF_MORE_DATA : 0, len);
	off = share;
	for (unsigned int i = 1; i < nr; i++) {
		net_tx_put(n, n->data.ref[0], off, i + 1 < nr ? NTXF_MORE_DATA : 0, sizes[i]);
		off += sizes[i];
	}
	int st = net_tx_send(n, nr);

	if (got_reply)
		*got_reply = st == NRSP_OKAY && net_rx_arp_reply(n, 3);
	return st;
}

/*
 * The same ARP request until the peer answers, as an ARP client retries: the
 * bridge forwards from a vif only once it has seen its carrier come up
 * (link watch, up to a second or more after we connected).
 */
static int net_arp_retry(struct net *n, const unsigned int *sizes, unsigned int nr,
			 int *got_reply)
{
	int st = NRSP_OKAY;

	*got_reply = 0;
	for (int i = 0; i < 6 && st == NRSP_OKAY && !*got_reply; i++)
		st = net_arp_split(n, sizes, nr, got_reply);
	return st;
}

static void net_check_arp(struct net *n, const char *what)
{
	unsigned int one = 0;
	int reply, st = net_arp_retry(n, &one, 1, &reply);

	if (st != NRSP_OKAY)
		fail("%s: ARP request answered with status %d", what, st);
	else if (!reply)
		fail("%s: no ARP reply from the peer to 6 requests 3 s apart", what);
	else
		say("%s: ARP request sent, the peer's reply received", what);
}

static void net_recover(struct net *n)
{
	if (net_connect(n))
		return;
	net_check_arp(n, "after reconnecting");
}

static void net_expect(const char *what, int got, int want)
{
	if (got == want)
		say("%s: status %d as expected", what, got);
	else if (got == 99)
		fail("%s: no response within 20 s (expected %d)", what, want);
	else
		fail("%s: status %d, expected %d", what, got, want);
}

/* ---- net cases ---- */

static void nc_ok(struct net *n)
{
	if (net_connect(n))
		return;
	net_check_arp(n, "plain ARP request");
}

static void nc_split(struct net *n)
{
	unsigned int s18[18], z[8] = { 0, 0, 20, 0, 0, 10, 0, 0 };
	int reply, st;

	if (net_connect(n))
		return;
	/* XSA-423: the Ethernet header alone is spread over 4 slots. */
	s18[0] = 0;
	for (int i = 1; i < 18; i++)
		s18[i] = 3;
	st = net_arp_retry(n, s18, 18, &reply);
	net_expect("60-byte ARP in 18 slots, 9 bytes in the first", st, NRSP_OKAY);
	if (st == NRSP_OKAY && !reply)
		fail("no ARP reply to the split request");
	else if (reply)
		say("the peer answered the split request: the packet arrived whole");
	/* XSA-448: empty fragments between the others. */
	st = net_arp_retry(n, z, 8, &reply);
	net_expect("ARP with 6 zero-length fragments", st, NRSP_OKAY);
	if (st == NRSP_OKAY && !reply)
		fail("no ARP reply to the request with empty fragments");
	else if (reply)
		say("the peer answered the request with empty fragments");
	/* XSA-432: the most slots with a packet shorter than a header copy. */
	for (int i = 1; i < 18; i++)
		s18[i] = i < 14 ? 1 : 0;
	st = net_arp_split(n, s18, 18, &reply);
	net_expect("18 slots of 1 and 0 bytes", st, NRSP_OKAY);
}

static void nc_malformed(struct net *n)
{
	unsigned int s19[19], s63[63];

	if (net_connect(n))
		return;
	s19[0] = 0;
	for (int i = 1; i < 19; i++)
		s19[i] = 2;
	net_expect("19 data slots", net_arp_split(n, s19, 19, NULL), NRSP_ERROR);
	s63[0] = 0;
	for (int i = 1; i < 63; i++)
		s63[i] = i < 40 ? 1 : 0;
	net_expect("63 data slots", net_arp_split(n, s63, 63, NULL), NRSP_ERROR);

	arp_frame(n, n->data.mem);
	net_tx_put(n, n->data.ref[0], 0, 0, 10);
	net_expect("10-byte packet", net_tx_send(n, 1), NRSP_ERROR);
	net_tx_put(n, n->data.ref[0], 4090, 0, 60);
	net_expect("slot crossing its page", net_tx_send(n, 1), NRSP_ERROR);
	net_tx_put(n, n->data.ref[0], 0, NTXF_MORE_DATA, 60);
	net_tx_put(n, n->data.ref[0], 100, 0, 61);
	net_expect("fragment larger than the packet", net_tx_send(n, 2), NRSP_ERROR);
	net_tx_put(n, n->data.ref[0], 0, NTXF_MORE_DATA, 60);
	net_tx_put(n, n->data.ref[0], 4090, 0, 50);
	net_expect("fragment crossing its page", net_tx_send(n, 2), NRSP_ERROR);
	net_tx_put(n, n->data.ref[0], 0, 0, 0xffff);
	net_expect("65535-byte packet in one slot", net_tx_send(n, 1), NRSP_ERROR);
	net_tx_put(n, BAD_GREF, 0, 0, 60);
	net_expect("invalid grant", net_tx_send(n, 1), NRSP_ERROR);
	memcpy(n->foreign.mem, n->data.mem, 60);
	net_tx_put(n, n->foreign.ref[0], 0, 0, 60);
	net_expect("grant for another domain", net_tx_send(n, 1), NRSP_ERROR);
	net_tx_put(n, n->data.ref[0], 0, NTXF_MORE_DATA, 60);
	net_tx_put(n, BAD_GREF, 0, 0, 20);
	net_expect("invalid grant in a fragment", net_tx_send(n, 2), NRSP_ERROR);
	net_check_arp(n, "ring still serves");
}

static void nc_extras(struct net *n)
{
	static const struct { struct nextra x; const char *what; } bad[] = {
		{ { .type = 0 }, "extra type NONE" },
		{ { .type = 6 }, "extra type 6 (past MAX)" },
		{ { .type = 200 }, "extra type 200" },
		{ { .type = NET_EXTRA_MCAST_ADD }, "multicast add (not negotiated)" },
		{ { .type = NET_EXTRA_GSO, .a = 1400, .b = 1 }, "GSO TCPv4 (not negotiated)" },
		{ { .type = NET_EXTRA_GSO, .a = 0, .b = 1 }, "GSO size 0" },
		{ { .type = NET_EXTRA_GSO, .a = 1400, .b = 77 }, "GSO type 77" },
	};
	struct nextra hash = { .type = NET_EXTRA_HASH, .flags = NET_EXTRA_MORE };

	if (net_connect(n))
		return;
	arp_frame(n, n->data.mem);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		net_tx_put(n, n->data.ref[0], 0, NTXF_EXTRA_INFO, 60);
		net_extra_put(n, &bad[i].x);
		net_expect(bad[i].what, net_tx_send(n, 2), NRSP_ERROR);
	}
	/* The same extra twice. */
	net_tx_put(n, n->data.ref[0], 0, NTXF_EXTRA_INFO, 60);
	net_extra_put(n, &hash);
	net_extra_put(n, &hash);
	hash.flags = 0;
	net_extra_put(n, &hash);
	net_expect("three HASH extras", net_tx_send(n, 4), NRSP_ERROR);
	/* A hash hint alone is allowed. */
	net_tx_put(n, n->data.ref[0], 0, NTXF_EXTRA_INFO, 60);
	net_extra_put(n, &hash);
	net_expect("one HASH extra", net_tx_send(n, 2), NRSP_OKAY);
	net_check_arp(n, "ring still serves");
}

static int net_closed_after(struct net *n, const char *what)
{
	ev_notify(n->port);
	int s = be_wait(BIT(XB_CLOSING) | BIT(XB_CLOSED), 20);

	if (s < 0) {
		fail("%s: backend still in state %d, expected it to shut the ring down", what,
		     be_state());
		return -1;
	}
	say("%s: the backend shut the ring down (state %d)", what, s);
	return 0;
}

static void nc_chain(struct net *n)
{
	if (net_connect(n))
		return;
	for (int i = 0; i < 70; i++)
		net_tx_put(n, n->data.ref[0], 0, NTXF_MORE_DATA, 60);
	fring_push(&n->tx);
	net_closed_after(n, "a chain of 70 slots");
	net_recover(n);
	if (net_connect(n))
		return;
	net_tx_put(n, n->data.ref[0], 0, NTXF_MORE_DATA, 60);
	net_tx_put(n, n->data.ref[0], 0, NTXF_MORE_DATA, 20);
	fring_push(&n->tx);
	net_closed_after(n, "a chain that runs past req_prod");
	net_recover(n);
}

static void nc_prod(struct net *n)
{
	if (net_connect(n))
		return;
	n->tx.req_prod_pvt = 1000;
	fring_push(&n->tx);
	net_closed_after(n, "TX req_prod 1000 ahead");
	net_recover(n);
	if (net_connect(n))
		return;
	n->rx.req_prod_pvt = n->rx.rsp_cons + 5000;
	fring_push(&n->rx);
	ev_notify(n->port);
	/* RX overflow: refused ring or no delivery, never a crash. */
	int s = be_wait(BIT(XB_CLOSING) | BIT(XB_CLOSED), 5);

	say("RX req_prod 5000 ahead: backend state %d", s < 0 ? be_state() : s);
	net_recover(n);
}

static void nc_keys(struct net *n)
{
	static const char *const k[][3] = {
		{ "multi-queue-num-queues=64", NULL },
		{ "multi-queue-num-queues=0", NULL },
		{ "request-rx-copy=", NULL },
		{ "request-rx-copy=0", NULL },
		{ "feature-rx-notify=", NULL },
		{ "tx-ring-ref=4294967280", NULL },
		{ "rx-ring-ref=abc", NULL },
		{ "tx-ring-ref=", NULL },
		{ "event-channel=4000", NULL },
		{ "event-channel=", NULL },
		{ "event-channel-tx=4000", "event-channel-rx=4001", NULL },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(k); i++) {
		int s = net_connect_ovr(n, k[i], 0);

		if (s == XB_CLOSING || s == XB_CLOSED)
			say("%s%s%s: refused, backend state %d", k[i][0], k[i][1] ? " " : "",
			    k[i][1] ? k[i][1] : "", s);
		else
			fail("%s: backend state %d, expected Closing or Closed", k[i][0], s);
	}
	{
		char ro[48];
		const char *ovr[2];

		snprintf(ro, sizeof(ro), "rx-ring-ref=%u", n->foreign.ref[0]);
		ovr[0] = ro;
		ovr[1] = NULL;
		int s = net_connect_ovr(n, ovr, 0);

		if (s == XB_CLOSING || s == XB_CLOSED)
			say("rx-ring-ref of a grant for another domain: refused");
		else
			fail("rx-ring-ref of a foreign grant: backend state %d", s);
	}
	net_recover(n);
}

/* ---- double fetch on TX: offsets and sizes rewritten while the backend reads them ---- */

static void net_flip(uint8_t *slot, unsigned int k, void *ctx)
{
	struct ntx_req *q = (void *)slot;
	struct fring *r = ctx;
	unsigned int idx = (slot - r->s->ents) / r->ent_size;
	/* Changing values from round to round, as in blk_flip(). */
	unsigned int v = k / r->nr + idx;

	/*
	 * Only offset and size: gref, flags and id share their bytes with the
	 * responses, which must stay readable.
	 */
	q->offset = (v & 1) ? 4090 : 0;
	q->size = (v & 2) ? 65535 : (v & 4) ? 10 : 60;
}

static void nc_double_fetch(struct net *n)
{
	enum { TOTAL = 3000 };
	uint32_t sent = 0, got = 0, ok = 0, err = 0;
	struct flipper f = { .r = &n->tx, .flip = net_flip, .ctx = &n->tx };
	double end;

	if (net_connect(n))
		return;
	arp_frame(n, n->data.mem);
	/* To ourselves: the bridge drops them, so the neighbours are not flooded. */
	memcpy(n->data.mem, n->mac, 6);
	flipper_start(&f);
	end = now() + 120;
	while (got < TOTAL && now() < end) {
		while (sent < TOTAL && n->tx.req_prod_pvt - n->tx.rsp_cons < 64) {
			net_tx_put(n, n->data.ref[0], 0, 0, 60);
			sent++;
		}
		fring_push(&n->tx);
		ev_notify(n->port);
		fring_wait(&n->tx, 1, 1);
		for (uint32_t k = fring_ready(&n->tx); k; k--) {
			struct ntx_rsp r;
			uint16_t want = n->tx.rsp_cons & 0xffff;

			memcpy(&r, fring_slot(&n->tx, n->tx.rsp_cons++), sizeof(r));
			got++;
			if (r.id != want)
				fail("TX response %u has id %u", want, r.id);
			if (r.status == NRSP_OKAY)
				ok++;
			else if (r.status == NRSP_ERROR)
				err++;
			else
				fail("TX response status %d", r.status);
		}
		/* Whatever arrives is not looked at: give the buffers back. */
		n->rx.rsp_cons = RD(n->rx.s->rsp_prod);
		uint32_t want = n->rx.rsp_cons + NET_RX_BUFS - n->rx.req_prod_pvt;

		if (want && want <= NET_RX_BUFS)
			net_post_rx(n, want);
	}
	flipper_end(&f);
	if (got != TOTAL)
		fail("%u of %u packets answered", got, TOTAL);
	say("%u packets rewritten while in the ring: %u sent, %u refused", TOTAL, ok, err);
	net_recover(n);
}

/* Never post RX buffers nor take responses; hold the connection SECS. */
/*
 * Handshake with a lab scenario through our xenstore home: write KEY =
 * MINE, then wait up to SECS for dom0 to write THEIRS there.
 */
static void xs_wait_value(const char *key, const char *mine, const char *theirs, double secs)
{
	char *w[2] = { (char *)key, (char *)mine };
	double end = now() + secs;

	write_all(1, w, w + 1, 2);
	while (now() < end) {
		if (!xs_read(0, key) && !strcmp(reply, theirs))
			return;
		usleep(100 * 1000);
	}
	fail("dom0 did not answer %s=%s with %s", key, mine, theirs);
}

/*
 * RX events when no packet waits for buffers: work for nobody, so the
 * backend must take them as spurious (XSA-332) and Xen throttles them.
 * For secs=, notify as fast as we can; with TOGGLE, move req_prod one slot
 * on and back before each event, which must not make them count as work.
 * hostile.sh takes the vif off the bridge meanwhile, so no packet comes
 * to take the extra slot, and counts the events dom0 handled on this
 * connection from when it answers "go" to our "ready" (data/pvtest/rx).
 */
static void net_rx_events(struct net *n, int toggle)
{
	unsigned long sent = 0;
	struct nrx_req *q;
	uint32_t base;
	double end;

	if (net_connect(n))
		return;
	/* dom0 counts the events of this connection: it says when it is ready. */
	xs_wait_value("data/pvtest/rx", "ready", "go", 120);
	base = n->rx.req_prod_pvt;
	/* The slot beyond the posted ones: a valid buffer, just in case. */
	q = fring_slot(&n->rx, base);
	q->id = base % NET_RX_BUFS;
	q->gref = n->rxbuf.ref[q->id];
	/* The slot before any index that publishes it. */
	wmb();
	end = now() + opt_secs;
	while (now() < end) {
		for (int i = 0; i < 20; i++, sent++) {
			if (toggle) {
				WR(n->rx.s->req_prod, base + (uint32_t)(sent & 1));
				/* The index before the event it explains. */
				mb();
			}
			ev_notify(n->port);
		}
	}
	WR(n->rx.s->req_prod, base);
	say("rx-events: %lu RX notifications in %d s%s", sent, opt_secs,
	    toggle ? ", req_prod toggled before each" : "");
	if (be_state() != XB_CONNECTED)
		fail("the backend left Connected (state %d)", be_state());
}

static void nc_rx_notify(struct net *n)
{
	net_rx_events(n, 0);
}

static void nc_rx_toggle(struct net *n)
{
	net_rx_events(n, 1);
}

static void nc_rx_stall(struct net *n)
{
	if (net_connect_ovr(n, NULL, 0) != XB_CONNECTED) {
		fail("backend did not connect");
		return;
	}
	say("rx-stall: connected, taking nothing for %d s", opt_secs);
	sleep(opt_secs);
	say("rx-stall: done holding");
	net_post_rx(n, NET_RX_BUFS);
	/* The carrier may need the stall timer to notice; allow for it. */
	unsigned int one = 0;
	int reply = 0;
	double end = now() + 30;

	while (!reply && now() < end)
		net_arp_split(n, &one, 1, &reply);
	if (!reply)
		fail("no ARP reply once RX buffers were posted");
	else
		say("after posting RX buffers the peer's ARP reply arrives");
}

/* ---- the device-independent cases' view of a vif ---- */

static int net_c_connect(void *dev)
{
	return net_connect(dev);
}

static void net_c_check(void *dev, const char *what)
{
	net_check_arp(dev, what);
}

static void net_c_recover(void *dev)
{
	net_recover(dev);
}

/* 200 packets in flight. */
static void net_c_in_flight(void *dev, int round)
{
	struct net *n = dev;

	(void)round;
	for (int i = 0; i < 200; i++)
		net_tx_put(n, n->data.ref[0], 0, 0, 60);
	fring_push(&n->tx);
	ev_notify(n->port);
}

static unsigned int net_c_port(void *dev)
{
	return ((struct net *)dev)->port;
}

/* ---- cases for either device ---- */

/* What those cases need of a connection, for a vbd or a vif. */
struct conn {
	void *dev;
	int (*connect)(void *dev);			/* 0 once Connected */
	void (*check)(void *dev, const char *what);	/* I/O works */
	void (*recover)(void *dev);			/* reconnect, then check */
	void (*in_flight)(void *dev, int round);	/* requests the backend holds */
	unsigned int (*port)(void *dev);
	const char *key1, *key2;			/* more keys to flood */
};

static void gc_event_storm(const struct conn *c)
{
	if (c->connect(c->dev))
		return;
	event_storm(c->port(c->dev));
	c->check(c->dev, "ring still serves");
}

static void gc_xs_flood(const struct conn *c)
{
	if (c->connect(c->dev))
		return;
	xs_flood(c->key1, c->key2);
	c->recover(c->dev);
}

/* Connect, put requests in flight, change state a dozen times; again for secs= (10 at least). */
/* Write STATE and wait for the backend to reach one of MASK; false if not. */
static int fe_expect(int state, unsigned int mask, const char *what)
{
	int s;

	fe_state(state);
	s = be_wait(mask, 60);
	if (s < 0)
		fail("%s: backend stays in state %d", what, be_state());
	else
		say("%s: backend in state %d", what, s);
	return s >= 0;
}

/*
 * Every legal frontend path of the xenbus diagram (netif.h, blkif.h) that
 * the usual connect does not take, each followed by working I/O; then the
 * states no frontend takes, each of which must close the device (with an
 * error node and a dmesg line, hostile.sh counts them) and leave it able
 * to start over.
 */
static void gc_paths(const struct conn *c)
{
	static const int bad[] = { XB_INITWAIT, 7, 8, 99 };
	int s;

	/* Initialising straight to Connected. */
	fe_connect_state = XB_CONNECTED;
	s = c->connect(c->dev);
	fe_connect_state = 0;
	if (s)
		return;
	c->check(c->dev, "connected without Initialised");
	/* Connected again, three times: nothing changes. */
	for (int i = 0; i < 3; i++)
		fe_state(XB_CONNECTED);
	s = be_wait(BIT(XB_CLOSING) | BIT(XB_CLOSED) | BIT(XB_INITWAIT), 3);
	if (s >= 0)
		fail("a repeated Connected moved the backend to state %d", s);
	c->check(c->dev, "after Connected three times more");
	/* From Connected straight to Closed, then start over. */
	fe_expect(XB_CLOSED, BIT(XB_CLOSED), "Connected straight to Closed");
	fe_expect(XB_INITIALISING, BIT(XB_INITWAIT), "Initialising again");
	/* Closing before ever connecting, as the Windows PV drivers do. */
	fe_expect(XB_CLOSING, BIT(XB_CLOSING) | BIT(XB_CLOSED), "Closing before connecting");
	fe_expect(XB_CLOSED, BIT(XB_CLOSED), "then Closed");
	/* A fresh frontend instance: new ring pages in use, new channel. */
	if (c->connect(c->dev))
		return;
	c->check(c->dev, "a fresh frontend instance");
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		char what[48];

		if (c->connect(c->dev))
			return;
		snprintf(what, sizeof(what), "state %d while connected", bad[i]);
		fe_expect(bad[i], BIT(XB_CLOSING) | BIT(XB_CLOSED), what);
	}
	c->recover(c->dev);
}

static void gc_state_flap(const struct conn *c)
{
	int rounds = 0;
	double end = now() + (opt_secs > 10 ? opt_secs : 10);

	while (now() < end) {
		if (c->connect(c->dev))
			return;
		c->in_flight(c->dev, rounds);
		state_burst(rounds++);
	}
	say("state flapping: %d rounds of requests in flight, then 12 state changes",
	    rounds);
	c->recover(c->dev);
}

/* Packets in both directions for SECS (forever with secs=0): for destroy tests. */
static void nc_flood(struct net *n)
{
	double end = now() + (opt_secs ? opt_secs : 1e9);
	unsigned long sent = 0;

	if (net_connect(n))
		return;
	arp_frame(n, n->data.mem);
	/* To ourselves: the bridge drops them, so the neighbours are not flooded. */
	memcpy(n->data.mem, n->mac, 6);
	say("flood: frames to our own MAC as fast as the ring takes them");
	while (now() < end) {
		while (n->tx.req_prod_pvt - n->tx.rsp_cons < n->tx.nr) {
			net_tx_put(n, n->data.ref[0], 0, 0, 60);
			sent++;
		}
		fring_push(&n->tx);
		ev_notify(n->port);
		fring_wait(&n->tx, 1, 1);
		n->tx.rsp_cons = RD(n->tx.s->rsp_prod);
		uint32_t want = RD(n->rx.s->rsp_prod) + NET_RX_BUFS - n->rx.req_prod_pvt;

		n->rx.rsp_cons = RD(n->rx.s->rsp_prod);
		if (want && want <= NET_RX_BUFS)
			net_post_rx(n, want);
	}
	say("flood: %lu packets sent", sent);
}

/* ------------------------------------------------------------------ main */

struct hcase {
	const char *kind, *name, *what;
	void (*blk)(struct blk *b);
	void (*net)(struct net *n);
	void (*any)(const struct conn *c);
};

static const struct hcase cases[] = {
	{ "blk", "ok", "sane I/O through the harness (the baseline)", .blk = bc_ok },
	{ "blk", "abi32", "x86_32 protocol: I/O and padding", .blk = bc_abi32 },
	{ "blk", "segs", "nr_segments 0, 12, 100, 255", .blk = bc_segs },
	{ "blk", "sectors", "first_sect > last_sect, last_sect >= 8", .blk = bc_sectors },
	{ "blk", "region", "sectors past the region, 64-bit overflow", .blk = bc_region },
	{ "blk", "ops", "unknown and unoffered operations (op 4, 99, 255, barrier)",
	  .blk = bc_ops },
	{ "blk", "grants", "invalid, foreign, read-only, duplicated grants", .blk = bc_grants },
	{ "blk", "readonly", "writes, flushes and discards to a read-only vbd",
	  .blk = bc_readonly },
	{ "blk", "discard", "discard: data around the range kept, 0 sectors, past the end, 2^64",
	  .blk = bc_discard },
	{ "blk", "prod-overflow", "req_prod beyond the ring", .blk = bc_prod_overflow },
	{ "blk", "prod-backwards", "req_prod moving backwards", .blk = bc_prod_backwards },
	{ "blk", "ring-garbage", "a ring page full of garbage at connect", .blk = bc_ring_garbage },
	{ "blk", "keys", "bad protocol, ring order, queues, ring refs, channels, persistent",
	  .blk = bc_keys },
	{ "blk", "multipage", "a 4-page ring: I/O in every slot, 4 times round, req_prod beyond it",
	  .blk = bc_multipage },
	{ "blk", "queues", "two queues: I/O on both at once, req_prod beyond queue 1's ring",
	  .blk = bc_queues },
	{ "blk", "double-fetch", "requests rewritten while the backend reads them",
	  .blk = bc_double_fetch },
	{ "blk", "indirect", "indirect requests: I/O, nr_segments, inner op, page and data grants",
	  .blk = bc_indirect },
	{ "blk", "indirect-double-fetch", "indirect headers and descriptors rewritten while read",
	  .blk = bc_indirect_double_fetch },
	{ "blk", "persistent", "persistent grants: reuse, shared, read-only, invalid, 1200",
	  .blk = bc_persistent },
	{ "blk", "persistent-off", "feature-persistent 0: a read-only grant serves a write",
	  .blk = bc_persistent_off },
	{ "blk", "flood", "a full ring of writes for secs= (0: forever)", .blk = bc_flood },
	{ "blk", "slow-close", "Closing with a full ring of writes on a slow disk",
	  .blk = bc_slow_close },
	{ "blk", "early", "ring and a write before the vbd has its disk (dom0 holds the script)",
	  .blk = bc_early },
	{ "blk", "early-refused", "the same, then the region is refused: never served",
	  .blk = bc_early_refused },
	{ "blk", "event-storm", "notifications without requests", .any = gc_event_storm },
	{ "blk", "xs-flood", "writes to watched frontend nodes", .any = gc_xs_flood },
	{ "blk", "state-flap", "state changes with requests in flight", .any = gc_state_flap },
	{ "blk", "paths", "every legal frontend state path, then illegal states",
	  .any = gc_paths },
	{ "net", "ok", "an ARP round trip through the harness (the baseline)", .net = nc_ok },
	{ "net", "split", "header over many slots, empty fragments, max slots",
	  .net = nc_split },
	{ "net", "malformed", "too many slots, short, page-crossing, bad grants",
	  .net = nc_malformed },
	{ "net", "extras", "bad extra_info types, GSO not negotiated", .net = nc_extras },
	{ "net", "double-fetch", "TX offsets and sizes rewritten while the backend reads them",
	  .net = nc_double_fetch },
	{ "net", "chain", "over-long and truncated slot chains", .net = nc_chain },
	{ "net", "prod", "TX and RX producer overflow", .net = nc_prod },
	{ "net", "keys", "queues, rx-copy, ring refs, event channels", .net = nc_keys },
	{ "net", "rx-stall", "never takes RX for secs=", .net = nc_rx_stall },
	{ "net", "rx-notify", "RX notifications with no packet waiting, for secs=",
	  .net = nc_rx_notify },
	{ "net", "rx-toggle", "the same, req_prod moved on and back before each",
	  .net = nc_rx_toggle },
	{ "net", "event-storm", "notifications without requests", .any = gc_event_storm },
	{ "net", "xs-flood", "writes to watched frontend nodes", .any = gc_xs_flood },
	{ "net", "state-flap", "state changes with packets in flight", .any = gc_state_flap },
	{ "net", "paths", "every legal frontend state path, then illegal states",
	  .any = gc_paths },
	{ "net", "flood", "frames to itself, RX posted, for secs= (0: forever)", .net = nc_flood },
};

static void die_usage(void)
{
	fputs("usage: pvhostile blk|net CASE DEVID [ip=A.B.C.D] [peer=A.B.C.D] [secs=N]\n"
	      "       pvhostile list\n", stderr);
	exit(2);
}

static void read_mac(struct net *n)
{
	char p[160];
	unsigned int m[6];

	fe_path(p, sizeof(p), "mac");
	if (xs_read(0, p) || sscanf(reply, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
				    &m[4], &m[5]) != 6) {
		say("SETUP FAILED: no MAC in %s", p);
		exit(3);
	}
	for (int i = 0; i < 6; i++)
		n->mac[i] = m[i];
}

int main(int argc, char **argv)
{
	const struct hcase *c = NULL;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		int w = 0;

		/* One column for the names, as wide as the longest. */
		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
			if ((int)strlen(cases[i].name) > w)
				w = (int)strlen(cases[i].name);
		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
			printf("%s %-*s  %s\n", cases[i].kind, w, cases[i].name, cases[i].what);
		return 0;
	}
	if (argc < 4)
		die_usage();
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		if (!strcmp(cases[i].kind, argv[1]) && !strcmp(cases[i].name, argv[2]))
			c = &cases[i];
	if (!c)
		die_usage();
	for (int i = 4; i < argc; i++) {
		if (!strncmp(argv[i], "ip=", 3))
			opt_ip = argv[i] + 3;
		else if (!strncmp(argv[i], "peer=", 5))
			opt_peer = argv[i] + 5;
		else if (!strncmp(argv[i], "secs=", 5))
			opt_secs = atoi(argv[i] + 5);
		else
			die_usage();
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	xs_open();
	fe_find(c->kind[0] == 'b' ? "vbd" : "vif", argv[3]);
	say("%s %s on %s (backend %s, domain %u): %s", c->kind, c->name, fe, be, be_domid,
	    c->what);
	if (c->kind[0] == 'b') {
		struct conn cn = { &B, blk_c_connect, blk_c_check, blk_c_recover,
				   blk_c_in_flight, blk_c_port, "ring-ref", "event-channel" };

		galloc(&B.ringpg, 1, be_domid, 1);
		galloc(&B.data, BLK_SEGS, be_domid, 1);
		galloc(&B.rodata, 2, be_domid, 0);
		galloc(&B.foreign, 1, OTHER_DOMID, 1);
		if (c->any)
			c->any(&cn);
		else
			c->blk(&B);
	} else {
		struct conn cn = { &N, net_c_connect, net_c_check, net_c_recover,
				   net_c_in_flight, net_c_port, "tx-ring-ref",
				   "multi-queue-num-queues" };

		galloc(&N.txpg, 1, be_domid, 1);
		galloc(&N.rxpg, 1, be_domid, 1);
		galloc(&N.data, 1, be_domid, 0);
		galloc(&N.rxbuf, NET_RX_BUFS, be_domid, 1);
		galloc(&N.foreign, 1, OTHER_DOMID, 1);
		N.ip = parse_ip(opt_ip);
		N.peer = parse_ip(opt_peer);
		read_mac(&N);
		if (c->any)
			c->any(&cn);
		else
			c->net(&N);
	}
	if (failures) {
		say("FAIL %s %s: %d unexpected results", c->kind, c->name, failures);
		return 1;
	}
	say("PASS %s %s", c->kind, c->name);
	return 0;
}
