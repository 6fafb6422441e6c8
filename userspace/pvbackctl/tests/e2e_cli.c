// SPDX-License-Identifier: GPL-2.0
/* Options, help, exit codes, the real binary and the man page. */
#include <ctype.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

void e2e_cli(void)
{
	int r;

	r = RUN(dir_ok, "--version");
	EQ_INT(r, 0, "--version: exit 0");
	EQ_STR(OUT, "pvbackctl " PVBACKCTL_VERSION "\n", "--version");
	r = RUN(dir_ok, "--help");
	EQ_INT(r, 0, "--help: exit 0");
	HAS(OUT, "usage: pvbackctl", "--help on stdout");
	r = RUN(dir_ok, "help", "carve");
	EQ_INT(r, 0, "help carve: exit 0");
	HAS(OUT, "--target-only", "help carve: its options");
	r = RUN(dir_ok, "carve", "--help");
	EQ_INT(r, 0, "carve --help: exit 0");
	HAS(OUT, "--align SIZE", "carve --help: its options");
	r = RUN(dir_ok, "help", "nosuch");
	EQ_INT(r, 2, "help of an unknown command: usage error");
	r = RUN(dir_ok, "frobnicate");
	EQ_INT(r, 2, "unknown command: exit 2");
	HAS(ERR, "pvbackctl: unknown command 'frobnicate'", "  ... on stderr, prefixed");
	r = RUN(dir_ok, "");
	EQ_INT(r, 2, "empty command: exit 2");
	r = run_argv(dir_ok, false, (const char *const[]){ NULL });
	EQ_INT(r, 2, "no command: exit 2");
	r = RUN(dir_ok, "--vm-dir");
	EQ_INT(r, 2, "--vm-dir without a value: exit 2");
	r = RUN("/nonexistent", "--vm-dir", dir_collide, "check");
	HAS(OUT, "7 problems found", "--vm-dir DIR before the command");
	r = RUN("/nonexistent", "check", "--vm-dir=/nonexistent2");
	HAS(ERR, "/nonexistent2", "--vm-dir=DIR after the command");
}

/* Run the real binary; its stdout in OUT, exit status returned. */
static int binary(const char *srcdir, const char *args)
{
	char cmd[16384], buf[4096];
	size_t n, total = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "PVBACK_SYSFS='%s' PVBACK_DEVFS='%s' PVBACK_VM_DIR='%s' '%s/pvbackctl' %s 2>&1",
		 W.sys, W.dev, dir_ok, srcdir, args);
	free(OUT);
	OUT = calloc(1, 1);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		OUT = realloc(OUT, total + n + 1);
		memcpy(OUT + total, buf, n);
		total += n;
		OUT[total] = '\0';
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Does this machine have a xenstore the binary would use? */
static bool real_xenstore(void)
{
	return !access("/dev/xen/xenbus", F_OK) ||
	       !access("/var/run/xenstored/socket", F_OK) ||
	       !access("/run/xenstored/socket", F_OK);
}

void e2e_binary(const char *srcdir)
{
	char path[4300];
	int r;

	snprintf(path, sizeof(path), "%s/pvbackctl", srcdir);
	if (!OK(!access(path, X_OK), "the binary %s exists", path))
		return;
	r = binary(srcdir, "--version");
	EQ_INT(r, 0, "binary: --version");
	HAS(OUT, "pvbackctl " PVBACKCTL_VERSION, "binary: prints the version");
	r = binary(srcdir, "nosuch");
	EQ_INT(r, 2, "binary: unknown command exits 2");
	if (real_xenstore()) {
		printf("ok %d - binary: check/carve/list without xenstore %s\n",
		       t_passed + t_failed + 1, "# SKIP this machine has a xenstore");
		t_passed++;
		return;
	}
	r = binary(srcdir, "check");
	EQ_INT(r, 0, "binary: check with the environment's VM dir, sysfs, devfs");
	HAS(OUT, "pvbackctl: warning: cannot open xenstore", "binary: says xenstore is not there");
	HAS(OUT, "OK: 6 definitions, 7 regions checked", "binary: and checks the definitions");
	r = binary(srcdir, "carve --size 1G --target-only /dev/sdb2");
	EQ_INT(r, 0, "binary: carve");
	HAS(OUT, "/dev/sdb2,start=10G,size=1G", "binary: carve's result");
	r = binary(srcdir, "list");
	EQ_INT(r, 1, "binary: list without xenstore exits 1");
	HAS(OUT, "pvbackctl: list: cannot open xenstore", "binary: list says why");
}

/* Every command and long option of the usage is in the man page. */
void e2e_manpage(const char *srcdir)
{
	char path[4300], *man = NULL, *help = NULL, *p, *q;
	static const char * const cmds[] = {
		"check", "carve", "list", "stats", "top", "help"
	};
	size_t len = 0, i;
	FILE *f;
	int missing = 0;

	snprintf(path, sizeof(path), "%s/pvbackctl.8", srcdir);
	f = fopen(path, "r");
	if (!OK(f, "man page %s exists", path))
		return;
	man = calloc(1, 1 << 20);
	len = fread(man, 1, (1 << 20) - 1, f);
	fclose(f);
	man[len] = '\0';
	/* roff to text, roughly: drop font escapes, \- is - */
	for (p = q = man; *p; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			*q++ = '-';
			p++;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			p += 2;
		} else if (p[0] == '\\' && p[1] == '&') {
			p++;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	f = open_memstream(&help, &len);
	print_usage(f, NULL);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		print_usage(f, cmds[i]);
	fclose(f);
	for (p = help; (p = strstr(p, "--")); ) {
		char opt[64];
		size_t k = 0;

		while ((isalnum((unsigned char)*p) || *p == '-') && k < 63)
			opt[k++] = *p++;
		opt[k] = '\0';
		if (k > 2 && !strstr(man, opt)) {
			t_diag("option %s is not in the man page", opt);
			missing++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		char hdr[64];

		snprintf(hdr, sizeof(hdr), ".SS %s", cmds[i]);
		if (!strstr(man, hdr)) {
			t_diag("command %s has no .SS section", cmds[i]);
			missing++;
		}
	}
	OK(!missing, "every command and option of --help is in pvbackctl.8");
	for (i = 0; i < 4; i++) {
		static const char * const need[] = {
			".SH EXIT STATUS", ".SH FILES", "xl.cfg (5)", ".SH EXAMPLES"
		};

		HAS(man, need[i], "man page has %s", need[i]);
	}
	free(man);
	free(help);
}

/* leases: pvback-lease's answer through pvbackctl, and its failures. */
void e2e_leases(void)
{
	char tool[4200], bad[4200];
	FILE *f;
	int r;

	snprintf(tool, sizeof(tool), "%s/pvback-lease", W.root);
	snprintf(bad, sizeof(bad), "%s/pvback-lease-bad", W.root);
	f = fopen(tool, "w");
	if (!OK(f, "leases: a fake pvback-lease"))
		return;
	fputs("#!/bin/sh\n[ \"$1\" = status ] || exit 9\n"
	      "if [ \"$2\" = --json ]; then\n"
	      "  echo '[{\"lockspace\":\"pvlab\",\"mode\":\"w\",\"held\":true,\"host_id\":2}]'\n"
	      "else\n  echo 'LOCKSPACE DEVICE MODE START SECTORS VM HOLDER'\n"
	      "  echo 'pvlab /dev/sda rw 209715200 131072 5e0c7a4e91d2 host 2'\nfi\n", f);
	fclose(f);
	chmod(tool, 0755);
	f = fopen(bad, "w");
	if (f) {
		fputs("#!/bin/sh\necho 'pvback-lease: no /etc/pvback/lease.conf' >&2\nexit 1\n", f);
		fclose(f);
	}
	chmod(bad, 0755);

	setenv("PVBACK_LEASE", tool, 1);
	r = RUN(dir_ok, "leases");
	EQ_INT(r, 0, "leases: exit 0");
	OK(has_row(OUT, "pvlab /dev/sda rw 209715200 131072 5e0c7a4e91d2 host 2"),
	   "leases: pvback-lease status's table");
	r = RUN(dir_ok, "--json", "leases");
	EQ_INT(r, 0, "leases --json: exit 0");
	HAS(OUT, "\"host_id\":2", "leases --json: pvback-lease status --json");
	valid_json("leases --json");
	r = RUN(dir_ok, "leases", "extra");
	EQ_INT(r, 2, "leases with an argument: usage error");
	setenv("PVBACK_LEASE", bad, 1);
	r = RUN(dir_ok, "leases");
	EQ_INT(r, 1, "leases: pvback-lease fails: exit 1");
	HAS(ERR, "status failed", "  ... and says so");
	setenv("PVBACK_LEASE", "/nonexistent/pvback-lease", 1);
	r = RUN(dir_ok, "leases");
	EQ_INT(r, 1, "leases: no pvback-lease: exit 1");
	HAS(ERR, "install pvback's hotplug scripts", "  ... and what to do");
	unsetenv("PVBACK_LEASE");
}
