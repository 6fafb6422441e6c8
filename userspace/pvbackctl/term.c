// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pvbackctl.h"
#include "term.h"

static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved_sa[3];
static struct termios saved_tio;
static bool raw, caught;
static atomic_int stop;	/* set by the signal handler */

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

void term_end(void)
{
	int i;

	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	raw = false;
	if (caught)
		for (i = 0; i < 3; i++)
			sigaction(signals[i], &saved_sa[i], NULL);
	caught = false;
}

void term_begin(bool keys)
{
	static bool registered;
	struct sigaction sa;
	struct termios t;
	int i;

	if (!registered) {
		atexit(term_end);
		registered = true;
	}
	atomic_store(&stop, 0);
	/* no SA_RESTART: a signal ends the wait in poll() at once */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(signals[i], &sa, &saved_sa[i]);
	caught = true;
	if (!keys || tcgetattr(STDIN_FILENO, &saved_tio))
		return;
	t = saved_tio;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
		raw = true;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR && !atomic_load(&stop))
		;
}

int term_wait(struct pvctx *ctx, int ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;
	int r;

	(void)ctx;
	if (atomic_load(&stop))
		return 'q';
	if (!raw) {
		sleep_ms(ms);
		return atomic_load(&stop) ? 'q' : -1;
	}
	r = poll(&p, 1, ms);
	if (r < 0)
		return atomic_load(&stop) ? 'q' : -1;
	if (r == 0)
		return -1;
	if (read(STDIN_FILENO, &c, 1) != 1) {
		/* stdin closed under us: just wait */
		sleep_ms(ms);
		return atomic_load(&stop) ? 'q' : -1;
	}
	return (unsigned char)c;
}

double clock_now(struct pvctx *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
