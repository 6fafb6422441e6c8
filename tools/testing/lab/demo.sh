#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: the seed's VM server.  Builds the modules and the lab images,
# boots Xen with a PV dom0 (Debian 13 by default, PVTEST_DIST=bookworm for
# Debian 12) in QEMU on emulated server hardware (a 500 GB disk on AHCI, an
# e1000 NIC bridged with the VMs' vifs, and across the emulated wire a second
# e1000 as the outside host), starts two VMs from the definitions in
# userspace/examples/vm/ (installed as /etc/xen/vm/vm1, vm2), each with a
# 20 GB disk that is its own region of the 500 GB disk and a network card,
# lets them use their disks and reach the outside host, prints which region
# each owns with its I/O counts and each VM's vif with its traffic counters,
# ends with what the operator sees (pvbackctl check, list and stats), and
# shuts down.
set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
# Debian 13, the current stable release, unless PVTEST_DIST=bookworm asks for Debian 12.
export PVTEST_DIST=${PVTEST_DIST:-trixie}
case $PVTEST_DIST in
trixie) what="Xen 4.20 + dom0 (Debian 13, Linux 6.12)" ;;
*) what="Xen 4.17 + dom0 (Debian 12, Linux 6.1)" ;;
esac
cat <<MSG
pvback demo: a Xen VM server in QEMU (TCG, a few minutes).
  1. build pvblkback.ko and pvnetback.ko and the lab images (cached in ~/.cache/pvback)
  2. boot $what, load pvblkback and pvnetback
     instead of xen-blkback and xen-netback
  3. xl create /etc/xen/vm/vm1 and vm2: 20 GB disks at 100G and 120G of /dev/sda,
     a vif each on the bridge xenbr0
  4. each VM writes and verifies data on its disk, pings the outside host 10.0.0.1
     and moves data to and from it; dom0 shows the regions, the vifs and counters,
  5. then pvbackctl check, pvbackctl list and pvbackctl stats
MSG
exec "$here/selftest.sh" demo
