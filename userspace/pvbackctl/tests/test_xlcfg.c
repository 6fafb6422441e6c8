// SPDX-License-Identifier: GPL-2.0
/* The xl config parser. */
#include <stdlib.h>

#include "test.h"
#include "xlcfg.h"

static bool parse(const char *text, struct xlcfg *cfg, const char *name)
{
	char *err = NULL;

	if (!OK(!xlcfg_parse("vm", text, strlen(text), cfg, &err),
		"config parses: %s", name)) {
		t_diag("%s", err);
		free(err);
		return false;
	}
	return true;
}

static void bad(const char *text, const char *msg, const char *name)
{
	struct xlcfg cfg;
	char *err = NULL;

	if (OK(xlcfg_parse("vm", text, strlen(text), &cfg, &err),
	       "config refused: %s", name))
		HAS(err, msg, "  ... with \"%s\"", msg);
	free(err);
}

static const char example[] =
	"# /etc/xen/vm/vm1\n"
	"name = \"vm1\"\n"
	"memory = 192 ; vcpus=2\n"
	"extra = 'console=hvc0 \\'quoted\\' \\x41\\101\\t\\\\'\n"
	"disk = [ 'vdev=xvda, access=rw, script=pvback-region, target=/dev/sda,start=100G,size=20G',\n"
	"         # a comment inside the list\n"
	"\n"
	"         \"phy:/dev/sdb,xvdb,w\", ]\n"
	"vif = []\n"
	"on_crash=\"destroy\"   # trailing comment\n"
	"cpus = [ 1, 0x10 ]\n"
	"disk += [ 'vdev=xvdc, target=/srv/c.img' ]\n"
	"extra += \" quiet\"\n"
	"nested = [ [ 'a' ], 'b' ]";

void test_xlcfg(void)
{
	const struct xlval *v;
	struct xlcfg cfg;

	if (parse(example, &cfg, "the full example")) {
		v = xlcfg_get(&cfg, "name");
		OK(v && v->type == XLV_STRING && !strcmp(v->str, "vm1") && v->line == 2,
		   "double-quoted string, line 2");
		v = xlcfg_get(&cfg, "memory");
		OK(v && v->type == XLV_NUMBER && !strcmp(v->str, "192"), "number");
		v = xlcfg_get(&cfg, "vcpus");
		OK(v && !strcmp(v->str, "2") && v->line == 3, "';' separates settings on a line");
		v = xlcfg_get(&cfg, "extra");
		EQ_STR(v ? v->str : NULL, "console=hvc0 'quoted' AA\t\\ quiet",
		       "escapes \\' \\x41 \\101 \\t \\\\ in a single-quoted string, then +=");
		v = xlcfg_get(&cfg, "disk");
		OK(v && v->type == XLV_LIST && v->nitems == 3,
		   "multi-line list with a trailing comma, += appended");
		if (v && v->nitems == 3) {
			EQ_INT(v->items[0].line, 5, "list item 1 on line 5");
			EQ_INT(v->items[1].line, 8,
			       "list item 2 on line 8 (after a comment and a blank line)");
			EQ_INT(v->items[2].line, 12, "appended item keeps its line 12");
			EQ_STR(v->items[1].str, "phy:/dev/sdb,xvdb,w", "double-quoted list item");
		}
		v = xlcfg_get(&cfg, "vif");
		OK(v && v->type == XLV_LIST && v->nitems == 0, "empty list");
		v = xlcfg_get(&cfg, "on_crash");
		EQ_STR(v ? v->str : NULL, "destroy", "value before a trailing comment");
		v = xlcfg_get(&cfg, "cpus");
		OK(v && v->nitems == 2 && !strcmp(v->items[1].str, "0x10"), "list of numbers, hex");
		v = xlcfg_get(&cfg, "nested");
		OK(v && v->nitems == 2 && v->items[0].type == XLV_LIST,
		   "nested list, no newline at EOF");
		OK(!xlcfg_get(&cfg, "nosuch"), "missing key");
		xlcfg_free(&cfg);
	}
	if (parse("name='a'\nname='b'\n", &cfg, "a repeated key")) {
		EQ_STR(xlcfg_get(&cfg, "name")->str, "b", "the last assignment wins");
		EQ_INT(cfg.nset, 1, "  ... one setting");
		xlcfg_free(&cfg);
	}
	if (parse("", &cfg, "empty file")) {
		EQ_INT(cfg.nset, 0, "empty file: no settings");
		xlcfg_free(&cfg);
	}
	if (parse("a = \"x\"\r\nb = 1\r\n", &cfg, "CRLF line ends")) {
		EQ_STR(xlcfg_get(&cfg, "b")->str, "1", "CRLF");
		xlcfg_free(&cfg);
	}
	if (parse("s = \"#not a comment\"", &cfg, "# inside a string")) {
		EQ_STR(xlcfg_get(&cfg, "s")->str, "#not a comment",
		       "'#' in a string is not a comment");
		xlcfg_free(&cfg);
	}

	bad("name = \"vm1\n", "vm:1: string not closed", "unterminated string");
	bad("a = 1\nb = 'x\\q'\n", "vm:2: unknown escape \\q", "bad escape");
	bad("a = 1\n\nb = '\\x4'\n", "vm:3: \\x in a string needs two hex digits", "short \\x");
	bad("a = '\\777'", "vm:1: octal escape", "octal > 255");
	bad("disk = [ 'a',\n 'b'\n", "vm:1: list opened here is not closed",
	    "unclosed list reported where it opens");
	bad("disk = [ 'a' 'b' ]", "vm:1: expected ',' or ']'", "missing comma");
	bad("x = [ , ]", "vm:1: expected a value", "empty list item");
	bad("\n\nname \"vm1\"", "vm:3: expected '=' after 'name'", "missing =");
	bad("name =\n\"vm1\"", "vm:1: expected a value", "value on the next line");
	bad("a = 1 2", "vm:1: expected the end of the line", "two values");
	bad("a = 1\n= 2", "vm:2: expected a setting", "no key");
	bad("a = 1\n@", "vm:2: unexpected character '@'", "stray character");
	bad("a = [1]\na += 'x'\nb = 'y'\nb += [1]", "vm:4: 'b += ...' needs a list or a string",
	    "+= string and list");
}
