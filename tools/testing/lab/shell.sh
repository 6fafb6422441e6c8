#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the lab and get a root shell in dom0 on the serial console (make lab-shell).
# Everything is set up as for the scenarios: xl works, our backends are loaded (in-tree ones
# with PVBACK_BACKEND=intree), lib.sh is sourced. ctrl-a x quits QEMU; "exit" powers off.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ -z "${PVTEST_NO_MAKE:-}" ] && [ -f "$TOP/Kbuild" ]; then
	mkdir -p "$OUT"
	lab_make_modules "$OUT/make.log" ||
		lab_log "warning: module build failed (see $OUT/make.log); booting without fresh modules"
fi
"$(dirname "${BASH_SOURCE[0]}")/build.sh"
[ -t 0 ] || lab_log "stdin is not a terminal: the shell will not be usable"
exec "$(dirname "${BASH_SOURCE[0]}")/boot.sh" --mode shell "$@"
