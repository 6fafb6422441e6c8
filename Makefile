# SPDX-License-Identifier: GPL-2.0
# pvback: Xen paravirtual block and network backends.
#
#   make               build the modules against KDIR
#   make deps          install what any target needs (Debian 12, apt-get)
#   make kunit         KUnit suites in a QEMU kernel (KUNIT_KERNEL=6.1 or 6.12)
#   make selftest      lab scenarios under real Xen in QEMU (T=name for one; the dom0 is
#                      Debian 13's, PVTEST_DIST=bookworm for Debian 12's)
#   make check         W=1 build + kunit + selftest; ends with "N passed, N failed"
#   make check-all     make check, then the rest of the scenarios on Debian 12, those of
#                      every guest type with PVH and HVM guests, the long lifecycle loops
#                      and fuzzing (not in CI)
#   make fuzz          libFuzzer harnesses of the pure units, FUZZ_TIME s each (300)
#   make bench         block benchmark: native vs xen-blkback vs pvblkback (performance.md)
#   make demo          the VM server demo
#   make lab-shell     boot the lab and get a shell in dom0
#
# Installing (Debian 12; DESTDIR, PREFIX=/usr, KDIR, KVER, MODDIR):
#   make install            install-modules + install-userspace
#   make install-modules    the two modules into MODDIR, /etc/modprobe.d/pvback.conf, depmod
#   make install-userspace  hotplug scripts, udev rules and helpers, pvbackctl, docs, examples
#   make uninstall          remove what install put there (its manifest), depmod
#   make userspace          build pvbackctl
#   make dkms-source        the DKMS source tree into $(DESTDIR)/usr/src/pvback-<VERSION>
#   make deb                pvback-dkms and pvback-utils .debs in out/deb/
#   make package-check      check the packages and install/uninstall (host only, no root)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The running kernel's build dir when there is one, else Debian's 6.1 headers
# (tools/testing/kheaders.sh says which, for the lab too).
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(addprefix /usr/src/,$(shell $(TOP)/tools/testing/kheaders.sh 2>/dev/null)))

export PVBACK_TOP := $(TOP)

.PHONY: all modules deps clean kunit selftest check check-all demo lab-shell checkpatch

all: modules

modules: | deps-if-missing
	$(MAKE) -C $(KDIR) M=$(TOP) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(TOP) clean; fi

deps:
	@$(TOP)/tools/testing/deps.sh

# Targets that need packages call deps only when something is missing.  A
# tree without tools/testing (the DKMS source) says what to install instead.
deps-if-missing:
	@[ -n "$(KDIR)" ] && [ -d "$(KDIR)" ] || \
	if [ -x $(TOP)/tools/testing/deps.sh ]; then $(TOP)/tools/testing/deps.sh; else \
		echo "pvback: no kernel build directory (KDIR='$(KDIR)'):" \
			"install linux-headers-$$(uname -r) or pass KDIR=" >&2; exit 1; fi

kunit: | deps-if-missing
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/kunit/run.sh

selftest: | deps-if-missing
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/lab/selftest.sh $(T)

lab-shell:
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/lab/shell.sh

demo:
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/lab/demo.sh

check:
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/check.sh

# Everything make check runs, then what does not fit in CI's time.
check-all:
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/check.sh --all

# The long run of tools/testing/fuzz/run.sh (make check runs a short one).
FUZZ_TIME ?= 300
.PHONY: fuzz bench bench-migrate
bench: | deps-if-missing
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/bench/bench.sh

# Live migration through the in-tree backends and ours, side by side: to this host, then
# between two servers (a pair of labs).
bench-migrate: | deps-if-missing
	@$(TOP)/tools/testing/deps.sh
	PVTEST_BENCH_ROUNDS=$${PVTEST_BENCH_ROUNDS:-3} PVTEST_TIMEOUT=4200 \
		$(TOP)/tools/testing/lab/selftest.sh bench-migrate
	PVTEST_BENCH_ROUNDS=$${PVTEST_BENCH_ROUNDS:-3} PVTEST_TIMEOUT=6300 \
		$(TOP)/tools/testing/lab/selftest.sh bench-migrate-hosts

fuzz:
	@$(TOP)/tools/testing/deps.sh
	$(TOP)/tools/testing/fuzz/run.sh --time $(FUZZ_TIME)

checkpatch:
	$(TOP)/tools/testing/checkpatch.sh

# ---------------------------------------------------------------------------
# Installation and packages.

.PHONY: install install-modules install-userspace uninstall userspace \
	dkms-source deb package-check

# The one version of pvback (the VERSION file): dkms.conf, the packages,
# pvbackctl --version.  Not "VERSION", which is the kernel Makefile's.
PVBACK_VERSION := $(shell cat $(TOP)/VERSION)
PREFIX ?= /usr
# The release of KDIR's kernel: its "uname -r", the directory name in
# /lib/modules and the modules' vermagic.  That is UTS_RELEASE: Debian's
# headers have 6.1.0-NN-amd64 there but 6.1.x in include/config/kernel.release.
ifeq ($(origin KVER),undefined)
KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif
MODDIR ?= /lib/modules/$(KVER)/updates/pvback
MODPROBEDIR ?= /etc/modprobe.d
XENSCRIPTDIR ?= /etc/xen/scripts
UDEVRULESDIR ?= /lib/udev/rules.d
SYSTEMDUNITDIR ?= /lib/systemd/system
LIBEXECDIR ?= $(PREFIX)/lib/pvback
DOCDIR ?= $(PREFIX)/share/doc/pvback
DKMSSRCDIR ?= /usr/src/pvback-$(PVBACK_VERSION)
# Every file install puts down, one absolute path (without DESTDIR) a line.
MANIFEST ?= $(DESTDIR)$(PREFIX)/share/pvback/manifest
DEBOUT ?= $(TOP)/out/deb

# DESTDIR as an absolute path: sub-makes run elsewhere.
override DESTDIR := $(if $(DESTDIR),$(abspath $(DESTDIR)))

PVBACK_MODULES := pvblkback.ko pvnetback.ko
HOTPLUG_FILES := $(sort $(wildcard $(TOP)/userspace/hotplug/*))
UDEV_RULES := $(sort $(wildcard $(TOP)/userspace/udev/*.rules))
UDEV_HELPERS := $(sort $(filter-out %.rules %.md %~,$(wildcard $(TOP)/userspace/udev/*)))
SYSTEMD_UNITS := $(sort $(wildcard $(TOP)/userspace/systemd/*.service))
DOC_FILES := $(sort $(wildcard $(TOP)/Documentation/*.md))
EXAMPLE_FILES := $(sort $(wildcard $(TOP)/userspace/examples/vm/*))
PVBACKCTL_DIR := $(TOP)/userspace/pvbackctl
PVBACKCTL_MAKE = $(MAKE) -C $(PVBACKCTL_DIR) PVBACK_VERSION=$(PVBACK_VERSION)

# Shell snippet: "inst MODE DIR FILE..." installs FILEs into $(DESTDIR)DIR
# and appends their installed paths to the manifest.
INST = inst() { \
	mode=$$1 dir=$$2; shift 2; \
	install -d "$(DESTDIR)$$dir" "$(dir $(MANIFEST))" || return 1; \
	for f in "$$@"; do \
		[ -f "$$f" ] || continue; \
		install -m "$$mode" "$$f" "$(DESTDIR)$$dir/" || return 1; \
		echo "$$dir/$${f\#\#*/}" >>"$(MANIFEST)" || return 1; \
	done; \
	sort -u -o "$(MANIFEST)" "$(MANIFEST)"; \
}

# One after the other even under -j: both add to the manifest.
install:
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile install-modules
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile install-userspace

install-modules: modules
	@[ -n "$(KVER)" ] || { echo "pvback: cannot tell KDIR's kernel release" \
		"($(KDIR)/include/generated/utsrelease.h); pass KVER=" >&2; exit 1; }
	@$(INST); set -e; \
	inst 0644 $(MODDIR) $(addprefix $(TOP)/,$(PVBACK_MODULES)); \
	inst 0644 $(MODPROBEDIR) $(TOP)/userspace/modprobe.d/pvback.conf; \
	echo "pvback: installed $(PVBACK_MODULES) in $(DESTDIR)$(MODDIR)"
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(KVER)"; depmod -a $(KVER); fi

userspace:
	@if [ -f $(PVBACKCTL_DIR)/Makefile ]; then $(PVBACKCTL_MAKE) all; \
	else echo "pvback: note: $(PVBACKCTL_DIR)/Makefile missing, pvbackctl skipped"; fi

install-userspace: userspace
	@$(INST); set -e; \
	inst 0755 $(XENSCRIPTDIR) $(HOTPLUG_FILES); \
	inst 0644 $(UDEVRULESDIR) $(UDEV_RULES); \
	inst 0644 $(SYSTEMDUNITDIR) $(SYSTEMD_UNITS); \
	inst 0755 $(LIBEXECDIR) $(UDEV_HELPERS); \
	inst 0644 $(DOCDIR) $(DOC_FILES); \
	inst 0644 $(DOCDIR)/examples $(EXAMPLE_FILES)
	@if [ -f $(PVBACKCTL_DIR)/Makefile ]; then \
		$(PVBACKCTL_MAKE) install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX); \
	else echo "pvback: note: $(PVBACKCTL_DIR)/Makefile missing, pvbackctl not installed"; fi
	@echo "pvback: installed the userspace under $(or $(DESTDIR),/)"

# What install puts down with the current variables, for a missing manifest.
INSTALLED_LIST = $(addprefix $(MODDIR)/,$(PVBACK_MODULES)) $(MODPROBEDIR)/pvback.conf \
	$(addprefix $(XENSCRIPTDIR)/,$(notdir $(HOTPLUG_FILES))) \
	$(addprefix $(UDEVRULESDIR)/,$(notdir $(UDEV_RULES))) \
	$(addprefix $(SYSTEMDUNITDIR)/,$(notdir $(SYSTEMD_UNITS))) \
	$(addprefix $(LIBEXECDIR)/,$(notdir $(UDEV_HELPERS))) \
	$(addprefix $(DOCDIR)/,$(notdir $(DOC_FILES))) \
	$(addprefix $(DOCDIR)/examples/,$(notdir $(EXAMPLE_FILES)))

# Only paths from the manifest (or the list above) are removed, and then
# the directories named after pvback that they leave empty.  VM definitions
# in /etc/xen are never install's, so never uninstall's.
uninstall:
	@if [ -f $(PVBACKCTL_DIR)/Makefile ]; then \
		$(PVBACKCTL_MAKE) uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX); fi
	@set -e; m="$(MANIFEST)"; \
	if [ -f "$$m" ]; then list=$$(cat "$$m"); \
	else echo "pvback: no manifest $$m; removing what install would put there"; \
		list="$(INSTALLED_LIST)"; fi; \
	kvers=$$(printf '%s\n' $$list | sed -n 's|^/lib/modules/\([^/]*\)/.*\.ko$$|\1|p' | sort -u); \
	for f in $$list; do \
		case $$f in /*) ;; *) continue ;; esac; \
		if [ -e "$(DESTDIR)$$f" ] || [ -L "$(DESTDIR)$$f" ]; then \
			rm -f "$(DESTDIR)$$f"; echo "removed $(DESTDIR)$$f"; fi; \
	done; \
	rm -f "$$m"; \
	for d in $$(printf '%s\n' $$list | awk -F/ '{ p = ""; \
		for (i = 2; i < NF; i++) { p = p "/" $$i; if (p ~ /pvback/) print p } }' | sort -ru); do \
		[ ! -d "$(DESTDIR)$$d" ] || rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; \
	done; \
	[ ! -d "$${m%/*}" ] || rmdir --ignore-fail-on-non-empty "$${m%/*}"; \
	if [ -z "$(DESTDIR)" ]; then for k in $$kvers; do \
		if [ -d /lib/modules/$$k ]; then echo "depmod -a $$k"; depmod -a $$k; fi; done; fi

# The DKMS source tree: only what Kbuild needs (no KUnit sources: dkms.conf
# builds with CONFIG_KUNIT=), dkms.conf with PACKAGE_VERSION from VERSION.
dkms-source:
	@set -e; d="$(DESTDIR)$(DKMSSRCDIR)"; \
	if [ -z "$(DESTDIR)" ] && dpkg -S "$$d" >/dev/null 2>&1; then \
		echo "pvback: $$d belongs to a package (pvback-dkms); not touching it" >&2; exit 1; fi; \
	rm -rf "$$d"; install -d "$$d"; \
	cd $(TOP); \
	install -m 0644 Kbuild Makefile VERSION "$$d/"; \
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(PVBACK_VERSION)"/' dkms.conf >"$$d/dkms.conf"; \
	find drivers include -type f -name '*.[ch]' ! -path '*/tests/*' | sort | \
	while read -r f; do install -D -m 0644 "$$f" "$$d/$$f"; done; \
	echo "pvback: DKMS source in $$d (then: dkms install pvback/$(PVBACK_VERSION))"

deb:
	@$(TOP)/userspace/debian/mkdeb.sh "$(DEBOUT)"

package-check:
	@$(TOP)/tools/testing/package-check.sh
