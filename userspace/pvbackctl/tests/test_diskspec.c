// SPDX-License-Identifier: GPL-2.0
/* xl disk specs (xl-disk-configuration(5)). */
#include <stdlib.h>

#include "diskspec.h"
#include "test.h"

static bool parse(const char *spec, struct diskspec *d)
{
	char *err = NULL;

	if (!OK(!diskspec_parse(spec, d, &err), "disk '%s' parses", spec)) {
		t_diag("%s", err);
		free(err);
		return false;
	}
	return true;
}

static void bad(const char *spec, const char *msg)
{
	struct diskspec d;
	char *err = NULL;

	if (OK(diskspec_parse(spec, &d, &err), "disk '%s' is refused", spec))
		HAS(err, msg, "  ... saying \"%s\"", msg);
	free(err);
}

static void check_kind(const char *spec, enum disk_kind want)
{
	struct diskspec d;
	char *err = NULL;

	if (diskspec_parse(spec, &d, &err)) {
		OK(false, "disk '%s' kind", spec);
		t_diag("%s", err);
		free(err);
		return;
	}
	EQ_INT(diskspec_kind(&d), want, "disk '%s' kind", spec);
	diskspec_free(&d);
}

void test_diskspec(void)
{
	struct diskspec d;

	if (parse("vdev=xvda, access=rw, script=pvback-region, target=/dev/sda,start=100G,size=20G",
		  &d)) {
		EQ_STR(d.vdev, "xvda", "key=value: vdev");
		EQ_STR(d.script, "pvback-region", "key=value: script");
		EQ_STR(d.target, "/dev/sda,start=100G,size=20G",
		       "target= eats the rest, commas included");
		OK(!d.ro, "access=rw is writable");
		diskspec_free(&d);
	}
	if (parse("target=/dev/sda,start=1G,vdev=xvdb", &d)) {
		EQ_STR(d.target, "/dev/sda,start=1G,vdev=xvdb",
		       "keys after target= belong to the target");
		OK(!d.vdev, "  ... so there is no vdev");
		diskspec_free(&d);
	}
	if (parse("script=pvback-region,vdev=xvdc,access=ro,target=/dev/sdb,size=1G,", &d)) {
		EQ_STR(d.target, "/dev/sdb,size=1G",
		       "one trailing comma after the target is dropped");
		OK(d.ro, "access=ro is read-only");
		diskspec_free(&d);
	}
	if (parse("phy:/dev/sdb,xvda,w", &d)) {
		EQ_STR(d.target, "/dev/sdb", "positional: phy: prefix stripped from the target");
		EQ_STR(d.vdev, "xvda", "positional after a prefix: vdev (no format)");
		OK(!d.ro && d.access_set, "positional access w");
		EQ_STR(d.prefix, "phy", "prefix recorded");
		diskspec_free(&d);
	}
	if (parse("/dev/vg/guest,raw,hda,r", &d)) {
		EQ_STR(d.format, "raw", "positional: target, format, vdev, access");
		EQ_STR(d.vdev, "hda", "  ... vdev");
		OK(d.ro, "  ... access r");
		diskspec_free(&d);
	}
	if (parse("/dev/vg/guest,,hda", &d)) {
		EQ_STR(d.format, "raw", "empty format is raw");
		OK(!d.ro, "no access: writable");
		diskspec_free(&d);
	}
	if (parse("/root/image.iso,,hdc,cdrom", &d)) {
		OK(d.cdrom && d.ro, "cdrom flag: read-only");
		diskspec_free(&d);
	}
	if (parse("raw:/root/image.iso,hdc:cdrom,ro", &d)) {
		OK(d.cdrom && !strcmp(d.vdev, "hdc") && !strcmp(d.format, "raw"),
		   "old style raw: prefix and vdev:cdrom");
		diskspec_free(&d);
	}
	if (parse(",xvdc:cdrom,r", &d)) {
		OK(d.cdrom && d.target && !*d.target && !strcmp(d.vdev, "xvdc"),
		   "empty cdrom drive");
		diskspec_free(&d);
	}
	if (parse("  format=qcow2 , vdev=xvdb ,target=/srv/a.qcow2", &d)) {
		EQ_STR(d.format, "qcow2", "blanks around items");
		EQ_STR(d.vdev, "xvdb", "  ... trailing blanks of a value dropped");
		diskspec_free(&d);
	}
	if (parse("tap:aio:/srv/img,xvda,w", &d)) {
		EQ_STR(d.target, "/srv/img", "two prefixes");
		diskspec_free(&d);
	}
	if (parse("vdev=xvda,devtype=disk,discard,trusted,backendtype=phy,target=/dev/sdz", &d)) {
		EQ_STR(d.backendtype, "phy", "flags and backendtype");
		diskspec_free(&d);
	}

	bad("vdev=xvda,access=x,target=/dev/sda", "access=x");
	bad("vdev=xvda,vdev=xvdb,target=/dev/sda", "vdev given twice");
	bad("/dev/sda,raw,xvda,w,extra", "too many positional parameters");
	bad("vdev=xvda,colour=red,target=/dev/sda", "unknown parameter 'colour='");
	bad("vdev = xvda,target=/dev/sda", "not key=value");
	bad("/dev/sda,vmdk,xvda", "unknown format 'vmdk'");
	bad("foo:/dev/sda,xvda", "unknown disk prefix 'foo:'");
	bad("vdev=xvda,devtype=floppy,target=/dev/sda", "unknown devtype");
	bad("vdev=xvda,backendtype=nfs,target=/dev/sda", "unknown backendtype");
	bad("/dev/sda,raw,xvda:tape", "unknown device type ':tape'");
	bad("format=raw,qcow2:/srv/x,xvda", "format given twice");

	check_kind("vdev=xvda, script=pvback-region, target=/dev/sda,size=1G", DISK_REGION);
	check_kind("phy:/dev/sdb,xvda,w", DISK_WHOLE);
	check_kind("vdev=xvda,script=block,target=/dev/sdb", DISK_WHOLE);
	check_kind("vdev=xvda,backendtype=phy,target=/dev/sdb", DISK_WHOLE);
	check_kind("/dev/sdb,,xvda", DISK_MAYBE_WHOLE);
	check_kind("/srv/vm.img,raw,xvda,w", DISK_MAYBE_WHOLE);
	check_kind("/srv/vm.qcow2,qcow2,xvda,w", DISK_OTHER);
	check_kind("vdev=xvda,backendtype=qdisk,target=/dev/sdb", DISK_OTHER);
	check_kind("vdev=xvda,script=block-iscsi,target=iqn.x", DISK_OTHER);
	check_kind(",xvdc:cdrom,r", DISK_OTHER);
	check_kind("vdev=xvda,script=pvback-region", DISK_OTHER);
}
