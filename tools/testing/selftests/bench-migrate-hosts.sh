#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-migrate-hosts: bench-migrate between two servers on one shared disk and one wire: each
# VM migrates to the second server and back, through the in-tree backends and through pvback
# side by side, each way a sample (Documentation/performance.md, "Live migration").
# pvtest-hosts: 2
# pvtest-timeout: 5400
PVTEST_MIG_HOSTS=2 exec bash "$(dirname "$0")/bench-migrate.sh"
