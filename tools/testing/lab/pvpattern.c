// SPDX-License-Identifier: GPL-2.0
/*
 * pvpattern - write and verify deterministic data on block devices with direct I/O.
 *
 * The data at pattern position P (bytes) depends only on SEED and P, so bytes a guest wrote at
 * offset X of its virtual disk can be verified in dom0 at REGION_START + X of the physical disk:
 *
 *   pvpattern write      DEV OFFSET LEN SEED [--pattern-offset P]
 *   pvpattern verify     DEV OFFSET LEN SEED [--pattern-offset P]
 *   pvpattern zero-check DEV OFFSET LEN
 *   pvpattern pulse      DEV OFFSET LEN SEED SECS
 *
 * The pattern position of the byte at OFFSET is OFFSET unless --pattern-offset says otherwise.
 * Numbers take the suffixes s (512-byte sectors), K, M, G, T (powers of 1024). OFFSET and LEN
 * must be multiples of 512. Exit status: 0 ok, 1 mismatch or I/O error, 2 usage.
 *
 * pulse writes LEN round and round in 4 KiB blocks, one at a time (the data "write" would
 * put there, so "verify" checks it afterwards), for SECS seconds or until SIGINT/SIGTERM,
 * and reports the longest time between two completed writes: how long a VM's disk was away
 * while it moved (vm-migrate, the migration benchmark). Its clock is the guest's monotonic
 * one, which runs on while the guest is paused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1024u * 1024u)
#define ALIGN 4096

static const char *prog = "pvpattern";

#include "pvsize.h"

static void die_usage(void)
{
	fprintf(stderr,
		"usage: %s write|verify DEV OFFSET LEN SEED [--pattern-offset P]\n"
		"       %s zero-check DEV OFFSET LEN\n"
		"       %s pulse DEV OFFSET LEN SEED SECS\n"
		"numbers take suffixes s (512 B), K, M, G, T; OFFSET, LEN multiples of 512\n",
		prog, prog, prog);
	exit(2);
}

/* splitmix64's finaliser: every 8-byte word is a hash of (seed, word index). */
static uint64_t word_at(uint64_t seed, uint64_t pos)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + (pos >> 3) + 0x632be59bd9b4e019ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(uint64_t *buf, size_t len, uint64_t seed, uint64_t pos)
{
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = word_at(seed, pos + 8 * i);
}

enum mode { WRITE, VERIFY, ZERO };

/* Say where the data differs from what MODE expects. */
static void report(enum mode mode, const char *dev, uint64_t at, uint64_t pat,
		   uint64_t seed, uint64_t want, uint64_t have)
{
	if (mode == ZERO) {
		fprintf(stderr, "%s: non-zero data at offset %" PRIu64 " of %s: 0x%016" PRIx64 "\n",
			prog, at, dev, have);
		return;
	}
	fprintf(stderr, "%s: mismatch at offset %" PRIu64 " of %s (pattern offset %" PRIu64
		", seed %" PRIu64 "): expected 0x%016" PRIx64 ", got 0x%016" PRIx64 "\n",
		prog, at, dev, pat, seed, want, have);
}

/* Set by the signal handler; read after pwrite(), a call opaque to the compiler. */
static sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define PULSE 4096u

/*
 * One block at a time: a write's latency is the gap the guest sees. Reports the longest gap
 * between two completions (and when it ended), the second longest (is the longest alone?)
 * and the time spent in gaps over 100 ms.
 */
static int run_pulse(const char *dev, uint64_t off, uint64_t len, uint64_t seed, uint64_t secs)
{
	struct sigaction sa = { .sa_handler = on_stop };
	double start, last, t, gap, max = 0, second = 0, max_at = 0, slow = 0;
	uint64_t n = 0, pos = 0;
	uint64_t *buf;
	int fd;

	if (len < PULSE || len % PULSE || off % 512) {
		fprintf(stderr, "%s: pulse needs LEN a multiple of 4 KiB\n", prog);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, dev, strerror(errno));
		return 1;
	}
	if (posix_memalign((void **)&buf, ALIGN, PULSE)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	start = mono();
	last = start;
	while (!stop && last - start < secs) {
		fill(buf, PULSE, seed, off + pos);
		if (pwrite(fd, buf, PULSE, off + pos) != PULSE) {
			if (errno == EINTR && stop)
				break;
			fprintf(stderr, "%s: write error at offset %" PRIu64 " of %s: %s\n", prog,
				off + pos, dev, errno ? strerror(errno) : "short write");
			return 1;
		}
		t = mono();
		gap = t - last;
		if (gap > max) {
			second = max;
			max = gap;
			max_at = t - start;
		} else if (gap > second) {
			second = gap;
		}
		if (gap > 0.1)
			slow += gap;
		last = t;
		n++;
		pos = (pos + PULSE) % len;
	}
	close(fd);
	printf("%s: pulse %s writes=%" PRIu64 " secs=%.3f", prog, dev, n, last - start);
	printf(" max_gap_ms=%.1f at_s=%.3f", max * 1000, max_at);
	printf(" second_gap_ms=%.1f slow_ms=%.1f\n", second * 1000, slow * 1000);
	return 0;
}

int main(int argc, char **argv)
{
	enum mode mode;
	uint64_t off, len, seed = 0, poff, done;
	int fd, direct = 1, nargs;
	const char *dev;
	uint64_t *buf;

	if (argc < 2)
		die_usage();
	if (!strcmp(argv[1], "pulse")) {
		if (argc != 7)
			die_usage();
		return run_pulse(argv[2], parse_num(argv[3], "offset"),
				 parse_num(argv[4], "length"), parse_num(argv[5], "seed"),
				 parse_num(argv[6], "seconds"));
	}
	if (!strcmp(argv[1], "write"))
		mode = WRITE;
	else if (!strcmp(argv[1], "verify"))
		mode = VERIFY;
	else if (!strcmp(argv[1], "zero-check"))
		mode = ZERO;
	else
		die_usage();
	nargs = mode == ZERO ? 5 : 6;
	if (argc != nargs && !(mode != ZERO && argc == nargs + 2 &&
			       !strcmp(argv[nargs], "--pattern-offset")))
		die_usage();
	dev = argv[2];
	off = parse_num(argv[3], "offset");
	len = parse_num(argv[4], "length");
	if (mode != ZERO)
		seed = parse_num(argv[5], "seed");
	poff = argc == nargs + 2 ? parse_num(argv[nargs + 1], "pattern offset") : off;
	if (off % 512 || len % 512 || poff % 512) {
		fprintf(stderr, "%s: offsets and length must be multiples of 512\n", prog);
		return 2;
	}

	fd = open(dev, (mode == WRITE ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {
		/* Some files (tmpfs) have no direct I/O: fall back, and sync at the end. */
		direct = 0;
		fd = open(dev, mode == WRITE ? O_RDWR : O_RDONLY);
	}
	if (fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, dev, strerror(errno));
		return 1;
	}
	if (posix_memalign((void **)&buf, ALIGN, CHUNK)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}

	for (done = 0; done < len;) {
		size_t n = len - done > CHUNK ? CHUNK : len - done;
		uint64_t at = off + done, pat = poff + done;
		ssize_t r;

		if (mode == WRITE) {
			fill(buf, n, seed, pat);
			r = pwrite(fd, buf, n, at);
		} else {
			r = pread(fd, buf, n, at);
		}
		if (r < 0) {
			fprintf(stderr, "%s: %s error at offset %" PRIu64 " of %s: %s\n", prog,
				mode == WRITE ? "write" : "read", at, dev, strerror(errno));
			return 1;
		}
		if (r == 0 || r % 512) {
			fprintf(stderr,
				"%s: short %s at offset %" PRIu64 " of %s: %zd of %zu bytes\n",
				prog, mode == WRITE ? "write" : "read", at, dev, r, n);
			return 1;
		}
		n = r;
		if (mode != WRITE) {
			const unsigned char *got = (const unsigned char *)buf;

			for (size_t i = 0; i < n; i += 8) {
				uint64_t want = mode == ZERO ? 0 : word_at(seed, pat + i);
				uint64_t have;
				unsigned int b = 0;

				memcpy(&have, got + i, 8);
				if (have == want)
					continue;
				while (((have >> (8 * b)) & 0xff) == ((want >> (8 * b)) & 0xff))
					b++;
				report(mode, dev, at + i + b, pat + i + b, seed, want, have);
				return 1;
			}
		}
		done += n;
	}
	if (mode == WRITE && (direct ? fdatasync(fd) : fsync(fd)) && errno != EINVAL) {
		fprintf(stderr, "%s: sync %s: %s\n", prog, dev, strerror(errno));
		return 1;
	}
	if (close(fd) && mode == WRITE) {
		fprintf(stderr, "%s: close %s: %s\n", prog, dev, strerror(errno));
		return 1;
	}
	if (mode == ZERO)
		printf("%s: zero-check %s offset %" PRIu64 " length %" PRIu64 " ok\n",
		       prog, dev, off, len);
	else
		printf("%s: %s %s offset %" PRIu64 " length %" PRIu64 " seed %" PRIu64
		       " pattern-offset %" PRIu64 " ok\n",
		       prog, argv[1], dev, off, len, seed, poff);
	return 0;
}
