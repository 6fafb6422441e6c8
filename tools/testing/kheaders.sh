#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The one rule for which Debian 12 kernel headers the tree builds against when no kernel is
# named: the newest installed /usr/src/linux-headers-6.1.*-amd64 in version order
# (6.1.0-10 after 6.1.0-9). The Makefile's default KDIR (when the running kernel has no
# build directory), the lab's modules and kernel (build.sh) and its DKMS root use it.
# Prints the directory's name (linux-headers-...), nothing when there is none.
find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' -printf '%f\n' | sort -V | tail -n 1
