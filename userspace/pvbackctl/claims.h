/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Claims: who holds which bytes of which disk, from the definitions (after
 * validating each region disk) and from the running vbds, all translated
 * to whole disks as pvblkback compares them.
 */
#ifndef PVBACKCTL_CLAIMS_H
#define PVBACKCTL_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

#include "region.h"

struct pvctx;
struct vmdef;
struct running;

struct claim {
	unsigned int disk_maj, disk_min;	/* the whole disk */
	struct extent ext;			/* bytes on the whole disk */
	bool ro;
	/* as the user wrote it, for messages */
	char device[128];
	u64 start, len;			/* bytes on device */
	bool whole;				/* a whole device (phy) */
	/* whose */
	const char *vm;				/* borrowed */
	const char *name;	/* borrowed: the domain's own, for messages */
	const char *uuid;			/* borrowed; running only */
	const char *vdev;			/* borrowed */
	const char *file;			/* definition; NULL: running */
	int line;
	int domid;				/* -1 for a definition */
	unsigned int devid;
	bool valid;				/* passed every check */
};

struct claims {
	struct claim *c;
	size_t n;
};

/* Where validation problems go: "FILE:LINE: error: ..." on ctx->out. */
struct diag {
	struct pvctx *ctx;
	bool quiet;		/* count only */
	int errors, warnings;
};

void diag_error(struct diag *d, const char *file, int line,
		const char *fmt, ...) __printf(4, 5);
void diag_warn(struct diag *d, const char *file, int line,
	       const char *fmt, ...) __printf(4, 5);

/*
 * Validate the disks of one definition and add a claim for each region
 * disk whose device exists (even an invalid region: carve avoids it).
 * Returns the number of region disks seen.
 */
int claims_add_def(struct pvctx *ctx, const struct vmdef *def,
		   struct claims *cl, struct diag *dg);
/* A claim for each running vbd that holds one. */
void claims_add_running(struct pvctx *ctx, const struct running *r,
			struct claims *cl, struct diag *dg);
void claims_free(struct claims *cl);

/* "VM VDEV" / "/dev/sda start=100G size=20G (rw)" for messages. */
void claim_who(const struct claim *c, char *buf, size_t len);
void claim_what(const struct claim *c, char *buf, size_t len);

#endif
