/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVBLK_IO_H
#define PVBLK_IO_H

#include <linux/blk_types.h>

#include "ring.h"

void pvblk_io_submit(struct block_device *bdev, struct pvblk_pending *p);

#endif /* PVBLK_IO_H */
