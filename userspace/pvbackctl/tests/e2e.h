/* SPDX-License-Identifier: GPL-2.0 */
/*
 * End-to-end tests: the commands run in-process against the fixture VM
 * directories, a fake sysfs and /dev (fixture.c) and a fake xenstore
 * (fakexs.c).  e2e.c builds that world; e2e_*.c are the suites.
 */
#ifndef PVBACKCTL_E2E_H
#define PVBACKCTL_E2E_H

#include <stdbool.h>

#include "fakexs.h"
#include "fixture.h"
#include "pvbackctl.h"
#include "test.h"
#include "util.h"

#define VBD1 "sys/bus/xen-backend/devices/vbd-1-51712"

extern struct world W;
extern bool xs_up;		/* false: the commands see no xenstore */
extern bool dm_up;		/* false: no device-mapper table is readable */
extern char *OUT, *ERR;		/* what the last run wrote */
extern char dir_ok[4200], dir_collide[4200], dir_bad[4200], dir_extra[4200];
extern double fake_t;		/* top's clock */
extern const int *keys;		/* top's keys, 0-terminated; -1: none */

/* Run pvbackctl ARGS... with VM directory vmdir; returns the exit status. */
int run_argv(const char *vmdir, bool tty, const char *const *args);
#define RUN(dir, ...) run_argv(dir, false, (const char *const[]){ __VA_ARGS__, NULL })

/* A line of text whose words are words ("*" matches any one word). */
bool has_row(const char *text, const char *words);
void check_row(const char *text, const char *words, const char *name);
int count(const char *hay, const char *needle);
void valid_json(const char *what);

void e2e_check(void);
void e2e_carve(void);
void e2e_list(void);
void e2e_stats(void);
void e2e_top(void);
void e2e_cli(void);
void e2e_leases(void);
void e2e_binary(const char *srcdir);
void e2e_manpage(const char *srcdir);

#endif
