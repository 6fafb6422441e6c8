# SPDX-License-Identifier: GPL-2.0
# pvback: Xen paravirtual block and network backends.
#
#   make               build the modules against KDIR
#   make deps          install what any target needs (Debian 12, apt-get)
#   make kunit         KUnit suites in a QEMU kernel
#   make selftest      lab scenarios under real Xen in QEMU (T=name for one)
#   make check         W=1 build + kunit + selftest; ends with "N passed, N failed"
#   make demo          the VM server demo
#   make lab-shell     boot the lab and get a shell in dom0

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The running kernel's build dir when there is one, else Debian's 6.1 headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))

export PVBACK_TOP := $(TOP)

.PHONY: all modules deps clean kunit selftest check demo lab-shell checkpatch

all: modules

modules: | deps-if-missing
	$(MAKE) -C $(KDIR) M=$(TOP) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(TOP) clean; fi

deps:
	@$(TOP)/tools/testing/deps.sh

# Targets that need packages call deps only when something is missing.
deps-if-missing:
	@[ -n "$(KDIR)" ] && [ -d "$(KDIR)" ] || $(TOP)/tools/testing/deps.sh

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

checkpatch:
	$(TOP)/tools/testing/checkpatch.sh
