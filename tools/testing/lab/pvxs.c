// SPDX-License-Identifier: GPL-2.0
/*
 * pvxs - a small static xenstore client for the lab, and the guest agent.
 *
 * Every process costs a lot in a PV domain under TCG (each syscall bounces through Xen; the
 * dynamic loader's mappings are page-table hypercalls), so the lab talks to xenstore through
 * this one static binary: it speaks the xenstore wire protocol itself, on xenstored's socket
 * in dom0 or on /dev/xen/xenbus in a guest.
 *
 *   pvxs read PATH                     print the value, verbatim
 *   pvxs write PATH VALUE [PATH VALUE]...  in one transaction
 *   pvxs rm PATH...                    in one transaction; missing nodes are fine
 *   pvxs exists PATH
 *   pvxs wait [-t SECS] PATH [VALUE]   until PATH exists (and holds VALUE); 1 on timeout
 *   pvxs wait-gone [-t SECS] PATH      until PATH is gone; 1 on timeout
 *   pvxs run [-t SECS] DOMID CMD       dom0: run CMD in the guest's agent, print its output,
 *                                      exit with its status (124: no answer, 125: error)
 *   pvxs agent                         guest: serve commands (see below) forever
 *
 * Agent protocol, under the guest's data/pvtest/ (a guest may write its own data/):
 *   dom0 writes tmo-N (seconds) and cmd-N (a bash command line) in one transaction;
 *   the agent runs "bash -c CMD" under that limit and writes out-N (the last 1800 bytes of
 *   stdout+stderr) and rc-N (exit status; 124 on timeout) in one transaction; dom0 removes all
 *   four. N counts from 1; dom0 keeps the counter in $PVTEST_RUN/seq.DOMID (flock'ed).
 *   The agent writes ready = 1 when it starts serving.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pvxsc.h"

/* xenstored refuses a node of more than 2048 bytes (its default quota). */
#define OUT_MAX 1800
#define CONSOLE_MAX 8000

/* ------------------------------------------------------------------ dom0: run */

static unsigned int next_seq(const char *domid)
{
	const char *dir = getenv("PVTEST_RUN");
	char path[256];
	unsigned int seq = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/seq.%s", dir ? dir : "/run/pvtest", domid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX))
		die("%s: %s", path, strerror(errno));
	f = fdopen(fd, "r+");
	if (fscanf(f, "%u", &seq) != 1)
		seq = 0;
	seq++;
	rewind(f);
	if (ftruncate(fd, 0) || fprintf(f, "%u\n", seq) < 0 || fflush(f))
		die("%s: %s", path, strerror(errno));
	fclose(f);	/* drops the lock */
	return seq;
}

static int run(const char *domid, int tmo, const char *cmd)
{
	char base[128], p[4][160], tmos[16], dom[64];
	char *w[4];
	double end;
	unsigned int seq = next_seq(domid);
	int rc;

	snprintf(base, sizeof(base), "/local/domain/%s/data/pvtest", domid);
	snprintf(dom, sizeof(dom), "/local/domain/%s", domid);
	snprintf(p[0], sizeof(p[0]), "%s/tmo-%u", base, seq);
	snprintf(p[1], sizeof(p[1]), "%s/cmd-%u", base, seq);
	snprintf(p[2], sizeof(p[2]), "%s/rc-%u", base, seq);
	snprintf(p[3], sizeof(p[3]), "%s/out-%u", base, seq);
	snprintf(tmos, sizeof(tmos), "%d", tmo);
	if (xs_read(0, dom))
		die("no domain %s", domid);
	w[0] = p[0];
	w[1] = tmos;
	w[2] = p[1];
	w[3] = (char *)cmd;
	write_all(2, w, w + 1, 2);

	/* The agent enforces TMO itself; the margin covers its reply on a slow machine. */
	end = now() + tmo + 30;
	xs_watch(p[2], 1);
	xs_watch("@releaseDomain", 1);
	for (;;) {
		if (xs_read(0, p[2]) == 0)
			break;
		if (xs_read(0, dom)) {
			fprintf(stderr, "pvxs: domain %s is gone (command %u: %s)\n",
				domid, seq, cmd);
			return 125;
		}
		double left = end - now();

		if (left <= 0) {
			fprintf(stderr,
				"pvxs: no answer from domain %s to command %u after %ds: %s\n",
				domid, seq, tmo + 30, cmd);
			return 124;
		}
		wait_event(left > 5 ? 5000 : (int)(left * 1000) + 1);
	}
	rc = atoi(reply);
	if (xs_read(0, p[3]) == 0 && reply_len) {
		fwrite(reply, 1, reply_len, stdout);
		if (reply[reply_len - 1] != '\n')
			putchar('\n');
	}
	w[0] = p[0];
	w[1] = p[1];
	w[2] = p[2];
	w[3] = p[3];
	write_all(4, w, NULL, 1);
	return rc;
}

/* ------------------------------------------------------------------ guest: agent */

/*
 * Set by the SIGALRM handler, read only after waitpid() returned EINTR: the
 * call is opaque to the compiler, so the flag is read again after it.
 */
static sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* Run "bash -c CMD" with output to FD, at most TMO seconds; returns its status. */
static int run_cmd(const char *cmd, int tmo, int fd)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART: waitpid stops */
	int st, killed = 0;
	pid_t pid, r;

	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		signal(SIGALRM, SIG_DFL);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	alarmed = 0;
	alarm(tmo > 0 ? tmo : 1);
	for (;;) {
		r = waitpid(-1, &st, 0);	/* as pid 1 we also reap orphans here */
		if (r == pid)
			break;
		if (r < 0 && errno == EINTR && alarmed) {
			alarmed = 0;
			/* The command's whole process group: first politely, then not. */
			kill(-pid, killed ? SIGKILL : SIGTERM);
			killed++;
			alarm(5);
		} else if (r < 0 && errno == ECHILD) {
			st = 125 << 8;
			break;
		}
	}
	alarm(0);
	if (killed)
		return 124;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last MAX bytes of FD into BUF (NUL-terminated); returns the length. */
static size_t tail(int fd, char *buf, size_t max)
{
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)max ? size - (off_t)max : 0;
	ssize_t n = pread(fd, buf, size - from, from);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return n;
}

static void run_agent(void)
{
	static char cmd[PAYLOAD_MAX + 1], out[CONSOLE_MAX + 1];
	const char *x = "data/pvtest";
	char p[4][64], rcs[16], *w[4];
	unsigned int seq;
	int tmo, fd, rc;
	size_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	w[0] = "data/pvtest/ready";
	w[1] = "1";
	write_all(1, w, w + 1, 2);
	printf("pvtest-agent: ready\n");
	for (seq = 1;; seq++) {
		snprintf(p[0], sizeof(p[0]), "%s/tmo-%u", x, seq);
		snprintf(p[1], sizeof(p[1]), "%s/cmd-%u", x, seq);
		snprintf(p[2], sizeof(p[2]), "%s/out-%u", x, seq);
		snprintf(p[3], sizeof(p[3]), "%s/rc-%u", x, seq);
		while (wait_path(p[1], NULL, 0, 3600))
			;
		if (xs_read(0, p[1]))
			continue;
		memcpy(cmd, reply, reply_len + 1);
		tmo = xs_read(0, p[0]) == 0 ? atoi(reply) : 600;
		printf("pvtest-agent: [%u] $ %s\n", seq, cmd);

		char tmpl[] = "/tmp/pvxs-out-XXXXXX";

		fd = mkstemp(tmpl);
		if (fd >= 0)
			unlink(tmpl);
		rc = fd < 0 ? 125 : run_cmd(cmd, tmo, fd);
		n = fd < 0 ? 0 : tail(fd, out, CONSOLE_MAX);
		if (fd >= 0)
			close(fd);
		while (n && out[n - 1] == '\n')
			out[--n] = '\0';
		if (n)
			printf("%s\n", out);
		printf("pvtest-agent: [%u] rc=%d\n", seq, rc);
		snprintf(rcs, sizeof(rcs), "%d", rc);
		w[0] = p[2];
		w[1] = out + (n > OUT_MAX ? n - OUT_MAX : 0);
		w[2] = p[3];
		w[3] = rcs;
		/* The agent is the guest's init: it must never exit. */
		if (try_write_all(2, w, w + 1, 2)) {
			printf("pvtest-agent: [%u] output refused by xenstore (%s)\n", seq,
			       errname);
			w[1] = "(pvtest-agent: output lost, see the guest's console)";
			if (try_write_all(2, w, w + 1, 2))
				printf("pvtest-agent: [%u] result lost (%s)\n", seq, errname);
		}
	}
}

/* ------------------------------------------------------------------ main */

static void die_usage(void)
{
	fputs("usage: pvxs read PATH | write PATH VALUE... | rm PATH... | exists PATH |\n"
	      "       wait [-t SECS] PATH [VALUE] | wait-gone [-t SECS] PATH |\n"
	      "       run [-t SECS] DOMID CMD | agent\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *op;
	int secs = 60;

	if (argc < 2)
		die_usage();
	op = argv[1];
	argv += 2;
	argc -= 2;
	if (argc >= 2 && !strcmp(argv[0], "-t")) {
		secs = atoi(argv[1]);
		argv += 2;
		argc -= 2;
	}
	signal(SIGPIPE, SIG_IGN);
	xs_open();
	if (!strcmp(op, "read") && argc == 1) {
		if (xs_read(0, argv[0])) {
			fprintf(stderr, "pvxs: read %s: %s\n", argv[0], errname);
			return 1;
		}
		fwrite(reply, 1, reply_len, stdout);
		return 0;
	}
	if (!strcmp(op, "write") && argc >= 2 && argc % 2 == 0) {
		write_all(argc / 2, argv, argv + 1, 2);
		return 0;
	}
	if (!strcmp(op, "rm") && argc >= 1) {
		write_all(argc, argv, NULL, 1);
		return 0;
	}
	if (!strcmp(op, "exists") && argc == 1)
		return xs_read(0, argv[0]) ? 1 : 0;
	if (!strcmp(op, "wait") && (argc == 1 || argc == 2))
		return wait_path(argv[0], argc == 2 ? argv[1] : NULL, 0, secs);
	if (!strcmp(op, "wait-gone") && argc == 1)
		return wait_path(argv[0], NULL, 1, secs);
	if (!strcmp(op, "run") && argc == 2)
		return run(argv[0], secs, argv[1]);
	if (!strcmp(op, "agent") && argc == 0) {
		run_agent();
		return 0;
	}
	die_usage();
	return 2;
}
