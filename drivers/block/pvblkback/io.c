// SPDX-License-Identifier: GPL-2.0
/*
 * Block I/O of pvblkback: a checked request with its guest pages becomes
 * bios on the physical device.  No Xen calls: KUnit runs this against a
 * RAM disk.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>

#include "io.h"

static void pvblk_bio_end(struct bio *bio)
{
	struct pvblk_pending *p = bio->bi_private;

	if (bio->bi_status)
		cmpxchg(&p->error, 0, blk_status_to_errno(bio->bi_status));
	bio_put(bio);
	if (atomic_dec_and_test(&p->bios))
		pvblk_ring_complete(p, READ_ONCE(p->error));
}

static void pvblk_submit_bio(struct pvblk_pending *p, struct bio *bio)
{
	bio->bi_private = p;
	bio->bi_end_io = pvblk_bio_end;
	atomic_inc(&p->bios);
	submit_bio(bio);
}

/*
 * A discard goes out as the chain of bios the block layer splits it into;
 * a secure erase has no asynchronous form in 6.1 and blocks this ring's
 * thread until done (only a device offering it gets such requests).
 */
static void pvblk_io_discard(struct block_device *bdev,
			     struct pvblk_pending *p)
{
	struct bio *bio = NULL;
	int err;

	atomic_set(&p->bios, 1);
	if (p->io.kind == PVBLK_IO_SECURE_ERASE) {
		err = blkdev_issue_secure_erase(bdev, p->io.phys,
						p->io.nr_sectors, GFP_NOIO);
	} else {
		err = __blkdev_issue_discard(bdev, p->io.phys,
					     p->io.nr_sectors, GFP_NOIO, &bio);
		if (bio)
			pvblk_submit_bio(p, bio);
	}
	if (err)
		cmpxchg(&p->error, 0, err);
	if (atomic_dec_and_test(&p->bios))
		pvblk_ring_complete(p, READ_ONCE(p->error));
}

/**
 * pvblk_io_submit - start the block I/O of a checked, mapped request
 * @bdev: the physical device
 * @p: the request; p->io is translated, p->pages hold its segments
 *
 * Ends with pvblk_ring_complete(), possibly before this returns.
 */
void pvblk_io_submit(struct block_device *bdev, struct pvblk_pending *p)
{
	unsigned int i, n = p->req.nr_segs;
	sector_t sector = p->io.phys;
	struct bio *bio = NULL;
	struct blk_plug plug;
	blk_opf_t opf;

	switch (p->io.kind) {
	case PVBLK_IO_DISCARD:
	case PVBLK_IO_SECURE_ERASE:
		pvblk_io_discard(bdev, p);
		return;
	case PVBLK_IO_READ:
		opf = REQ_OP_READ;
		break;
	case PVBLK_IO_WRITE:
		opf = REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
		break;
	default:
		/* Flush first; data sent with a flush must be durable too. */
		opf = REQ_OP_WRITE | REQ_PREFLUSH | (n ? REQ_FUA : 0);
		break;
	}

	/* One bias reference, so no bio completes the request early. */
	atomic_set(&p->bios, 1);
	blk_start_plug(&plug);
	if (!n)
		pvblk_submit_bio(p, bio_alloc(bdev, 0, opf, GFP_NOIO));
	for (i = 0; i < n; i++) {
		const struct pvblk_seg *s = &p->req.seg[i];
		unsigned int len = (s->last_sect - s->first_sect + 1) << 9;
		unsigned int off = s->first_sect << 9;

		if (!bio || bio_add_page(bio, p->pages[i], len, off) != len) {
			if (bio)
				pvblk_submit_bio(p, bio);
			bio = bio_alloc(bdev, n - i, opf, GFP_NOIO);
			bio->bi_iter.bi_sector = sector;
			/* A fresh bio with room for n - i pages takes this one. */
			__bio_add_page(bio, p->pages[i], len, off);
		}
		sector += len >> 9;
	}
	if (bio)
		pvblk_submit_bio(p, bio);
	blk_finish_plug(&plug);
	if (atomic_dec_and_test(&p->bios))
		pvblk_ring_complete(p, READ_ONCE(p->error));
}
