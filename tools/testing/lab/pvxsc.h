/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvxsc.h - the xenstore client shared by the lab's static tools (pvxs,
 * pvhostile): the wire protocol on xenstored's socket in dom0 or on
 * /dev/xen/xenbus in a guest, reads, writes, transactions and watches.
 * Header-only: each tool is one static binary built from one .c file.
 */
#ifndef PVXSC_H
#define PVXSC_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Functions are "static inline": each tool uses a part of them. */

/* Message types of the xenstore wire protocol (xen/include/public/io/xs_wire.h). */
enum {
	XS_READ = 2, XS_WATCH = 4, XS_UNWATCH = 5, XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7, XS_WRITE = 11, XS_RM = 13, XS_WATCH_EVENT = 15, XS_ERROR = 16,
};

#define PAYLOAD_MAX 4096

struct hdr {
	uint32_t type, req_id, tx_id, len;
};

static int xfd = -1;
static uint32_t next_req = 1;
static unsigned int events;	/* watch events seen and not yet consumed */
static char reply[PAYLOAD_MAX + 1];
static unsigned int reply_len;
static char errname[32];	/* the error of the last failed request, e.g. "ENOENT" */

static inline void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(125);
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void xs_open(void)
{
	const char *sock = getenv("XENSTORED_PATH");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!sock)
		sock = "/run/xenstored/socket";
	if (strlen(sock) < sizeof(sa.sun_path) && access(sock, F_OK) == 0) {
		strcpy(sa.sun_path, sock);
		xfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (xfd >= 0 && connect(xfd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return;
		if (xfd >= 0)
			close(xfd);
	}
	xfd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
	if (xfd < 0)
		die("cannot reach xenstore (%s, /dev/xen/xenbus): %s", sock, strerror(errno));
}

static inline void io_full(int wr, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = wr ? write(xfd, p, n) : read(xfd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("xenstore connection: %s", r ? strerror(errno) : "closed");
		p += r;
		n -= r;
	}
}

/* Read one message into reply[]; returns its type. Watch events are only counted. */
static inline uint32_t read_msg(void)
{
	struct hdr h;

	io_full(0, &h, sizeof(h));
	if (h.len > PAYLOAD_MAX)
		die("oversized xenstore message (%u bytes)", h.len);
	io_full(0, reply, h.len);
	reply[h.len] = '\0';
	reply_len = h.len;
	if (h.type == XS_WATCH_EVENT)
		events++;
	return h.type;
}

/* One request: the payload is the concatenation of PARTS (with their lengths). */
static inline int xs_req(uint32_t type, uint32_t tx, int nparts, const char **parts,
			 const size_t *lens)
{
	char buf[sizeof(struct hdr) + PAYLOAD_MAX];
	struct hdr h = { .type = type, .req_id = next_req++, .tx_id = tx };
	uint32_t t;

	for (int i = 0; i < nparts; i++) {
		if (h.len + lens[i] > PAYLOAD_MAX)
			die("request too large");
		memcpy(buf + sizeof(h) + h.len, parts[i], lens[i]);
		h.len += lens[i];
	}
	memcpy(buf, &h, sizeof(h));
	io_full(1, buf, sizeof(h) + h.len);
	while ((t = read_msg()) == XS_WATCH_EVENT)
		;
	if (t == XS_ERROR) {
		snprintf(errname, sizeof(errname), "%.31s", reply);
		return -1;
	}
	return 0;
}

/* Requests whose payload is NUL-terminated strings. */
static inline int req_str(uint32_t type, uint32_t tx, const char *a, const char *b)
{
	const char *p[2] = { a, b };
	size_t l[2] = { strlen(a) + 1, b ? strlen(b) + 1 : 0 };

	return xs_req(type, tx, b ? 2 : 1, p, l);
}

static inline int xs_read(uint32_t tx, const char *path)
{
	return req_str(XS_READ, tx, path, NULL);
}

static inline int xs_write(uint32_t tx, const char *path, const char *val)
{
	const char *p[2] = { path, val };
	size_t l[2] = { strlen(path) + 1, strlen(val) };	/* the value has no NUL */

	return xs_req(XS_WRITE, tx, 2, p, l);
}

static inline uint32_t tx_start(void)
{
	if (req_str(XS_TRANSACTION_START, 0, "", NULL))
		die("transaction start: %s", errname);
	return strtoul(reply, NULL, 10);
}

/* Returns 0 when committed, 1 when xenstored says to retry (EAGAIN). */
static inline int tx_end(uint32_t tx, int commit)
{
	if (req_str(XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL) == 0)
		return 0;
	if (!strcmp(errname, "EAGAIN"))
		return 1;
	die("transaction end: %s", errname);
	return 0;
}

static inline void xs_watch(const char *path, int on)
{
	if (req_str(on ? XS_WATCH : XS_UNWATCH, 0, path, "pvxsc") && on)
		die("watch %s: %s", path, errname);
}

/* Wait up to MS milliseconds for a watch event; returns 1 if one came. */
static inline int wait_event(int ms)
{
	struct pollfd pfd = { .fd = xfd, .events = POLLIN };

	for (;;) {
		if (events) {
			events--;
			return 1;
		}
		if (ms <= 0)
			return 0;
		int r = poll(&pfd, 1, ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		read_msg();	/* an event, or a late reply of no interest */
		if (!events)
			return 0;
	}
}

/* write PATH VALUE pairs (or remove PATHs when VALS is NULL) in one transaction. */
/*
 * Write VALS to PATHS (or remove PATHS when VALS is NULL) in one transaction,
 * retried while it conflicts. Returns 0, or -1 with errname set.
 */
static inline int try_write_all(int n, char **paths, char **vals, int step)
{
	for (;;) {
		uint32_t tx = tx_start();

		for (int i = 0; i < n; i++) {
			const char *p = paths[i * step];

			if (vals ? xs_write(tx, p, vals[i * step]) :
				   (req_str(XS_RM, tx, p, NULL) && strcmp(errname, "ENOENT"))) {
				char err[sizeof(errname)];

				memcpy(err, errname, sizeof(err));
				tx_end(tx, 0);
				memcpy(errname, err, sizeof(err));
				return -1;
			}
		}
		if (!tx_end(tx, 1))
			return 0;
	}
}

static inline void write_all(int n, char **paths, char **vals, int step)
{
	if (try_write_all(n, paths, vals, step))
		die("%s %s...: %s", vals ? "write" : "rm", paths[0], errname);
}

/* Wait until PATH exists (holding VAL if given), or is gone (GONE). Returns 0, or 1 on timeout. */
static inline int wait_path(const char *path, const char *val, int gone, double secs)
{
	double end = now() + secs;
	int rc = 1;

	/* The watch fires once when set: checking after each event cannot miss a change. */
	xs_watch(path, 1);
	for (;;) {
		int found = xs_read(0, path) == 0;

		if (gone ? !found : found && (!val || !strcmp(reply, val))) {
			rc = 0;
			break;
		}
		double left = end - now();

		if (left <= 0)
			break;
		/* A periodic look as well, so even a lost event costs only time. */
		wait_event(left > 5 ? 5000 : (int)(left * 1000) + 1);
	}
	xs_watch(path, 0);
	return rc;
}

#endif /* PVXSC_H */
