// SPDX-License-Identifier: GPL-2.0
/*
 * pvnet - network traffic with checked contents for the lab's network scenarios.
 *
 *   pvnet [OPTIONS] tcp-recv  PORT SEED LEN             accept one connection, read until EOF
 *   pvnet [OPTIONS] tcp-send  HOST PORT SEED LEN        connect, send LEN bytes, wait for close
 *   pvnet [OPTIONS] udp-recv  PORT SEED SIZE COUNT      receive datagrams of SIZE bytes
 *   pvnet [OPTIONS] udp-send  HOST PORT SEED SIZE COUNT
 *   pvnet [OPTIONS] udp-flood HOST PORT SIZE SECS       send datagrams as fast as they go
 *   pvnet [-t SECS] result FILE                         wait for a -b receiver's result
 *
 * Options (before the command):
 *   -n NETNS   work in the network namespace /run/netns/NETNS (e.g. the lab's "peer")
 *   -t SECS    give up after SECS seconds, exit status 124 (default 120)
 *   -b FILE    receivers: go to the background once the socket listens (or is bound), print
 *              the background process's pid and exit 0; the result (the output and a last
 *              line "pvnet-rc=N") appears atomically as FILE; "pvnet result FILE" waits for it,
 *              prints it and exits with N. So a sender started after "-b" returned cannot race
 *              the receiver's setup.
 *   -w BYTES   tcp-send: bytes per write() (default 256K)
 *   -N         tcp-send: TCP_NODELAY (small writes become small segments)
 *   -g USECS   udp-send: pause between datagrams (default 1000)
 *   -m MIN     udp-recv: datagrams that must arrive intact (default COUNT)
 *   -i SECS    udp-recv: stop after SECS without a datagram once one came (default 3)
 *
 * The data: the stream byte at position P (a datagram's byte P, datagram number Q being
 * stream position Q * 65536 + P) depends only on SEED and that position. The receiver checks
 * every byte, and TCP also the length; the first difference is reported with its position.
 * A datagram is matched against the next 16 sequence numbers still expected, so losses are
 * told apart from damage, then against the 16 before (late or repeated datagrams: counted and
 * noted, not failed, as UDP allows both); a datagram of another size, or matching none, is
 * damaged.
 * Numbers take the suffixes s (512 bytes), K, M, G, T (powers of 1024).
 * Output: one line "CMD: ok|FAILED key=value ..." (bytes, secs, mbit for TCP; good, bad,
 * missing, dup, late for udp-recv). Exit status: 0 ok, 1 failure, 2 usage, 124 timeout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (1024u * 1024u)
#define DGRAM_MAX 65536u
#define UDP_WINDOW 16

static const char *prog = "pvnet";

#include "pvsize.h"
static const char *cmd = "";
static double deadline;		/* CLOCK_MONOTONIC seconds */
static int timeout_s = 120;
/*
 * SIGTERM/SIGINT: end like a timeout, with a report. Set by on_stop(), read after system calls
 * (poll, clock_gettime): those are opaque to the compiler, so the flag is read again after them.
 */
static sig_atomic_t stopped;

static void on_stop(int sig)
{
	(void)sig;
	stopped = 1;
}

static void die_usage(void)
{
	fprintf(stderr,
		"usage: %s [-n NETNS] [-t SECS] [-b FILE] tcp-recv PORT SEED LEN\n"
		"       %s [-n NETNS] [-t SECS] [-w BYTES] [-N] tcp-send HOST PORT SEED LEN\n"
		"       %s [-n NETNS] [-t SECS] [-b FILE] [-m MIN] [-i SECS] udp-recv PORT SEED SIZE COUNT\n"
		"       %s [-n NETNS] [-t SECS] [-g USECS] udp-send HOST PORT SEED SIZE COUNT\n"
		"       %s [-n NETNS] udp-flood HOST PORT SIZE SECS\n"
		"       %s [-t SECS] result FILE\n", prog, prog, prog, prog, prog, prog);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Milliseconds left until the deadline, at least 0, for poll(). */
static int ms_left(void)
{
	double left = deadline - now();

	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

static void pause_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ the pattern */

/* splitmix64's finaliser of (seed, word index): every 8 bytes of the stream. */
static uint64_t word_at(uint64_t seed, uint64_t idx)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + idx + 0x2545f4914f6cdd1dull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned char byte_at(uint64_t seed, uint64_t pos)
{
	return word_at(seed, pos >> 3) >> (8 * (pos & 7));
}

/* The N pattern bytes from stream position POS, little-endian words. */
static void fill(unsigned char *buf, uint64_t seed, uint64_t pos, size_t n)
{
	size_t i = 0;

	for (; i < n && (pos + i) & 7; i++)
		buf[i] = byte_at(seed, pos + i);
	for (; i + 8 <= n; i += 8) {
		uint64_t w = word_at(seed, (pos + i) >> 3);

		for (int k = 0; k < 8; k++)
			buf[i + k] = w >> (8 * k);
	}
	for (; i < n; i++)
		buf[i] = byte_at(seed, pos + i);
}

/* Index of the first byte of GOT (N bytes) that differs from the pattern at POS, or -1. */
static long first_diff(const unsigned char *got, unsigned char *scratch, uint64_t seed,
		       uint64_t pos, size_t n)
{
	fill(scratch, seed, pos, n);
	if (!memcmp(got, scratch, n))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (got[i] != scratch[i])
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------------ sockets */

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	return p;
}

static void enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "%s: network namespace %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static struct sockaddr_in addr_of(const char *host, uint64_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (port == 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "%s: bad address %s port %" PRIu64 "\n", prog, host, port);
		exit(2);
	}
	return sa;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A socket of TYPE bound to PORT on every address (listening, for TCP). */
static int bound_socket(int type, uint64_t port)
{
	struct sockaddr_in sa = addr_of("0.0.0.0", port);
	int one = 1, big = 4 << 20;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (type == SOCK_DGRAM && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(fd, 4))) {
		fprintf(stderr, "%s: bind/listen port %" PRIu64 ": %s\n", prog, port,
			strerror(errno));
		exit(1);
	}
	set_nonblock(fd);
	return fd;
}

/* Wait for EVENTS on FD until the deadline; 0 when ready, -1 on timeout or signal. */
static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int r = poll(&p, 1, stopped ? 0 : ms_left());

		if (r > 0)
			return 0;
		if (r == 0 || stopped || errno != EINTR)
			return -1;
	}
}

static int timed_out(const char *what, uint64_t done, uint64_t want)
{
	if (stopped)
		printf("%s: FAILED stopped by a signal %s: %" PRIu64 " of %" PRIu64 " bytes\n",
		       cmd, what, done, want);
	else
		printf("%s: FAILED timeout after %d s %s: %" PRIu64 " of %" PRIu64 " bytes\n",
		       cmd, timeout_s, what, done, want);
	return 124;
}

static void report_rate(const char *verdict, uint64_t bytes, double secs, const char *extra)
{
	printf("%s: %s bytes=%" PRIu64 " secs=%.3f mbit=%.2f%s\n", cmd, verdict, bytes, secs,
	       secs > 0 ? bytes * 8 / secs / 1e6 : 0.0, extra);
}

/* ------------------------------------------------------------------ TCP */

static int tcp_recv(int lfd, uint64_t seed, uint64_t len)
{
	unsigned char *buf = xmalloc(BUF_SIZE), *exp = xmalloc(BUF_SIZE);
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	uint64_t got = 0;
	double t0 = 0;
	char from[64];
	int fd;

	do {
		if (wait_fd(lfd, POLLIN))
			return timed_out("waiting for a connection", 0, len);
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
	} while (fd < 0 && (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED));
	if (fd < 0) {
		printf("%s: FAILED accept: %s\n", cmd, strerror(errno));
		return 1;
	}
	close(lfd);
	snprintf(from, sizeof(from), " from=%s", inet_ntoa(peer.sin_addr));
	for (;;) {
		ssize_t n = read(fd, buf, BUF_SIZE);
		long d;

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN))
				return timed_out("receiving", got, len);
			continue;
		}
		if (n < 0) {
			printf("%s: FAILED read after %" PRIu64 " of %" PRIu64 " bytes: %s\n", cmd,
			       got, len, strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		if (!got)
			t0 = now();
		if (got + n > len) {
			printf("%s: FAILED more than the %" PRIu64 " bytes expected\n", cmd, len);
			return 1;
		}
		d = first_diff(buf, exp, seed, got, n);
		if (d >= 0) {
			printf("%s: FAILED data differ at byte %" PRIu64
			       ": expected 0x%02x, got 0x%02x (seed %" PRIu64 ")\n",
			       cmd, got + d, exp[d], buf[d], seed);
			return 1;
		}
		got += n;
	}
	close(fd);
	if (got != len) {
		printf("%s: FAILED connection closed after %" PRIu64 " of %" PRIu64 " bytes\n", cmd,
		       got, len);
		return 1;
	}
	report_rate("ok", got, got ? now() - t0 : 0, from);
	return 0;
}

static int tcp_send(const char *host, uint64_t port, uint64_t seed, uint64_t len,
		    size_t wsize, int nodelay)
{
	struct sockaddr_in sa = addr_of(host, port);
	unsigned char *buf = xmalloc(BUF_SIZE);
	uint64_t sent = 0, base = 0;
	size_t have = 0, off = 0;
	double t0;
	int fd, err = 0;
	socklen_t elen = sizeof(err);
	char c;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		printf("%s: FAILED socket: %s\n", cmd, strerror(errno));
		return 1;
	}
	if (nodelay)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
	t0 = now();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		printf("%s: FAILED connect %s:%" PRIu64 ": %s\n", cmd, host, port, strerror(errno));
		return 1;
	}
	if (wait_fd(fd, POLLOUT))
		return timed_out("connecting", 0, len);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err) {
		printf("%s: FAILED connect %s:%" PRIu64 ": %s\n", cmd, host, port, strerror(err));
		return 1;
	}
	while (sent < len) {
		ssize_t n;

		if (off == have) {	/* the next chunk of the pattern */
			base += have;
			have = len - base > BUF_SIZE ? BUF_SIZE : len - base;
			fill(buf, seed, base, have);
			off = 0;
		}
		n = write(fd, buf + off, have - off > wsize ? wsize : have - off);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT))
				return timed_out("sending", sent, len);
			continue;
		}
		if (n < 0) {
			printf("%s: FAILED write after %" PRIu64 " of %" PRIu64 " bytes: %s\n", cmd,
			       sent, len, strerror(errno));
			return 1;
		}
		off += n;
		sent += n;
	}
	/* The receiver closes once it has checked everything: wait for that. */
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n == 0)
			break;
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN))
				return timed_out("waiting for the receiver to close", sent, len);
			continue;
		}
		printf("%s: FAILED %s after sending everything\n", cmd,
		       n < 0 ? strerror(errno) : "unexpected data from the receiver");
		return 1;
	}
	close(fd);
	report_rate("ok", sent, now() - t0, "");
	return 0;
}

/* ------------------------------------------------------------------ UDP */

static int udp_recv(int fd, uint64_t seed, size_t size, uint64_t count, uint64_t min,
		    int idle_s)
{
	unsigned char *buf = xmalloc(DGRAM_MAX + 1), *exp = xmalloc(DGRAM_MAX);
	unsigned char *seen = calloc(count ? count : 1, 1);
	uint64_t next = 0, good = 0, bad = 0, dup = 0, late = 0, missing;
	double last = 0, prev = 0, max_gap = 0;
	int ok;

	if (!seen) {
		printf("%s: FAILED out of memory for %" PRIu64 " datagrams\n", cmd, count);
		return 1;
	}
	while (good < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = ms_left(), r;
		ssize_t n;
		uint64_t q, lo, hi;

		if (last > 0 && (last + idle_s - now()) * 1000 < ms)
			ms = (int)((last + idle_s - now()) * 1000) + 1;
		if (ms <= 0 || stopped)
			break;
		r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR && !stopped)
			continue;
		if (r <= 0)
			break;
		n = recv(fd, buf, DGRAM_MAX + 1, MSG_TRUNC);
		if (n < 0)
			continue;
		last = now();
		if ((size_t)n != size) {
			if (!bad)
				printf("%s: datagram of %zd bytes, expected %zu\n", cmd, n, size);
			bad++;
			continue;
		}
		/* The next ones expected first, then recent ones (late or repeated). */
		hi = next + UDP_WINDOW < count ? next + UDP_WINDOW : count;
		for (q = next; q < hi; q++)
			if (first_diff(buf, exp, seed, q * DGRAM_MAX, size) < 0)
				break;
		if (q == hi) {
			lo = next > UDP_WINDOW ? next - UDP_WINDOW : 0;
			for (q = lo; q < next; q++)
				if (first_diff(buf, exp, seed, q * DGRAM_MAX, size) < 0)
					break;
			if (q == next)
				q = hi;	/* none */
		}
		if (q == hi) {
			if (!bad) {
				long d = first_diff(buf, exp, seed, next * DGRAM_MAX, size);

				printf("%s: datagram damaged: byte %ld is 0x%02x, expected 0x%02x",
				       cmd, d, buf[d], exp[d]);
				printf(" (as datagram %" PRIu64 ")\n", next);
			}
			bad++;
			continue;
		}
		if (seen[q]) {
			dup++;
			continue;
		}
		seen[q] = 1;
		good++;
		/* The longest silence between two good datagrams: a link or a VM away. */
		if (prev > 0 && last - prev > max_gap)
			max_gap = last - prev;
		prev = last;
		if (q < next)
			late++;
		else
			next = q + 1;
	}
	missing = count - good;
	ok = !bad && good >= min;
	if (dup || late)
		printf("%s: note: %" PRIu64 " datagrams came twice, %" PRIu64
		       " out of order (UDP allows both)\n", cmd, dup, late);
	printf("%s: %s good=%" PRIu64 " bad=%" PRIu64 " missing=%" PRIu64 " dup=%" PRIu64
	       " late=%" PRIu64 " size=%zu count=%" PRIu64 " max_gap_ms=%.1f%s\n", cmd,
	       ok ? "ok" : "FAILED", good, bad, missing, dup, late, size, count, max_gap * 1000,
	       stopped ? " (stopped)" : now() >= deadline ? " (timeout)" : "");
	return ok ? 0 : 1;
}

static int udp_socket(const char *host, uint64_t port)
{
	struct sockaddr_in sa = addr_of(host, port);
	int big = 4 << 20, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("%s: FAILED socket to %s:%" PRIu64 ": %s\n", cmd, host, port,
		       strerror(errno));
		exit(1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

static int udp_send(const char *host, uint64_t port, uint64_t seed, size_t size, uint64_t count,
		    unsigned int gap_us)
{
	unsigned char *buf = xmalloc(DGRAM_MAX);
	int fd = udp_socket(host, port);
	uint64_t q;

	for (q = 0; q < count; q++) {
		fill(buf, seed, q * DGRAM_MAX, size);
		while (send(fd, buf, size, 0) < 0) {
			/* Out of buffers: let them drain. ICMP errors of earlier datagrams too. */
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR ||
			    errno == ECONNREFUSED) {
				if (now() > deadline || stopped)
					return timed_out("sending", q, count);
				pause_us(1000);
				continue;
			}
			printf("%s: FAILED send of datagram %" PRIu64 ": %s\n", cmd, q,
			       strerror(errno));
			return 1;
		}
		if (gap_us)
			pause_us(gap_us);
	}
	printf("%s: ok sent=%" PRIu64 " size=%zu\n", cmd, count, size);
	return 0;
}

static int udp_flood(const char *host, uint64_t port, size_t size, double secs)
{
	unsigned char *buf = xmalloc(DGRAM_MAX);
	int fd = udp_socket(host, port);
	uint64_t sent = 0, errs = 0;
	double t0 = now(), end = t0 + secs;

	fill(buf, 0, 0, size);
	while (now() < end && !stopped) {
		for (int i = 0; i < 64; i++) {
			if (send(fd, buf, size, 0) == (ssize_t)size)
				sent++;
			else
				errs++;
		}
	}
	printf("%s: ok sent=%" PRIu64 " bytes=%" PRIu64 " errors=%" PRIu64 " secs=%.3f\n", cmd,
	       sent, sent * size, errs, now() - t0);
	return 0;
}

/* ------------------------------------------------------------------ results */

/*
 * Fork; the parent prints the child's pid and exits 0. The child writes its output to
 * FILE.tmp, which becomes FILE (with "pvnet-rc=N" last) when it ends: see finish().
 */
static const char *bg_file;

static void go_background(void)
{
	char tmp[4096];
	pid_t pid;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", bg_file);
	unlink(bg_file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, tmp, strerror(errno));
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		exit(1);
	}
	if (pid) {
		printf("%d\n", (int)pid);
		exit(0);
	}
	setsid();
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	signal(SIGHUP, SIG_IGN);
}

static int finish(int rc)
{
	char tmp[4096];

	if (!bg_file)
		return rc;
	printf("pvnet-rc=%d\n", rc);
	fflush(stdout);
	fsync(1);
	snprintf(tmp, sizeof(tmp), "%s.tmp", bg_file);
	rename(tmp, bg_file);
	return rc;
}

static int result(const char *file)
{
	static char buf[65536];
	size_t n;
	char *rc;
	FILE *f;

	while (access(file, F_OK)) {
		if (now() > deadline || stopped) {
			printf("%s: nothing in %s after %d s\n", prog, file, timeout_s);
			return 124;
		}
		pause_us(20000);
	}
	f = fopen(file, "r");
	if (!f) {
		printf("%s: %s: %s\n", prog, file, strerror(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rc = strstr(buf, "pvnet-rc=");
	if (!rc) {
		printf("%s%s: no status line in %s\n", buf, prog, file);
		return 1;
	}
	fwrite(buf, 1, rc - buf, stdout);
	return atoi(rc + 9);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	const char *netns = NULL;
	uint64_t wsize = 256 << 10, min = UINT64_MAX;
	unsigned int gap_us = 1000;
	int opt, nodelay = 0, idle_s = 3, rc, fd;

	while ((opt = getopt(argc, argv, "+n:t:b:w:Ng:m:i:")) != -1) {
		switch (opt) {
		case 'n':
			netns = optarg;
			break;
		case 't':
			timeout_s = parse_num(optarg, "timeout");
			break;
		case 'b':
			bg_file = optarg;
			break;
		case 'w':
			wsize = parse_num(optarg, "write size");
			break;
		case 'N':
			nodelay = 1;
			break;
		case 'g':
			gap_us = parse_num(optarg, "gap");
			break;
		case 'm':
			min = parse_num(optarg, "minimum");
			break;
		case 'i':
			idle_s = parse_num(optarg, "idle time");
			break;
		default:
			die_usage();
		}
	}
	argv += optind;
	argc -= optind;
	if (argc < 1)
		die_usage();
	cmd = argv[0];
	deadline = now() + timeout_s;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	if (netns)
		enter_netns(netns);

	if (!strcmp(cmd, "result") && argc == 2)
		return result(argv[1]);
	if (!strcmp(cmd, "tcp-recv") && argc == 4) {
		uint64_t port = parse_num(argv[1], "port"), seed = parse_num(argv[2], "seed");
		uint64_t len = parse_num(argv[3], "length");

		fd = bound_socket(SOCK_STREAM, port);
		if (bg_file)
			go_background();
		rc = tcp_recv(fd, seed, len);
		return finish(rc);
	}
	if (!strcmp(cmd, "udp-recv") && argc == 5) {
		uint64_t port = parse_num(argv[1], "port"), seed = parse_num(argv[2], "seed");
		uint64_t size = parse_num(argv[3], "size"), count = parse_num(argv[4], "count");

		if (size < 1 || size > 65507)
			die_usage();
		fd = bound_socket(SOCK_DGRAM, port);
		if (bg_file)
			go_background();
		rc = udp_recv(fd, seed, size, count, min == UINT64_MAX ? count : min, idle_s);
		return finish(rc);
	}
	if (bg_file)
		die_usage();
	if (!strcmp(cmd, "tcp-send") && argc == 5) {
		if (wsize < 1)
			die_usage();
		return tcp_send(argv[1], parse_num(argv[2], "port"), parse_num(argv[3], "seed"),
				parse_num(argv[4], "length"), wsize, nodelay);
	}
	if (!strcmp(cmd, "udp-send") && argc == 6) {
		uint64_t size = parse_num(argv[4], "size");

		if (size < 1 || size > 65507)
			die_usage();
		return udp_send(argv[1], parse_num(argv[2], "port"), parse_num(argv[3], "seed"),
				size, parse_num(argv[5], "count"), gap_us);
	}
	if (!strcmp(cmd, "udp-flood") && argc == 5) {
		uint64_t size = parse_num(argv[3], "size");

		if (size < 1 || size > 65507)
			die_usage();
		return udp_flood(argv[1], parse_num(argv[2], "port"), size,
				 parse_num(argv[4], "seconds"));
	}
	die_usage();
	return 2;
}
