/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module parameters of the pvback backends: unsigned numbers in a range,
 * refused with a message that names the range.
 */
#ifndef PVBACK_PARAM_H
#define PVBACK_PARAM_H

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>

/* Use from a kernel_param_ops .set; pr_fmt of the caller names the module. */
static inline int pvback_param_set_range(const char *val,
					 const struct kernel_param *kp,
					 unsigned int min, unsigned int max)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err || v < min || v > max) {
		/* echo to sysfs leaves a newline in val */
		pr_err("%s=%.*s: must be a number from %u to %u\n", kp->name,
		       (int)strcspn(val, "\n"), val, min, max);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

/*
 * A writable unsigned module parameter @name, stored in @var, that takes
 * only @min..@max.
 */
#define PVBACK_PARAM_RANGE(name, var, min, max)				\
static int var##_set(const char *val, const struct kernel_param *kp)	\
{									\
	return pvback_param_set_range(val, kp, min, max);		\
}									\
static const struct kernel_param_ops var##_ops = {			\
	.set = var##_set,						\
	.get = param_get_uint,						\
};									\
module_param_cb(name, &var##_ops, &(var), 0644)

#endif /* PVBACK_PARAM_H */
