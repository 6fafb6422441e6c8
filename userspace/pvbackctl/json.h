/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: objects, arrays, strings (escaped, and
 * made valid UTF-8), unsigned and signed integers, booleans, null.
 * Output is indented by two spaces per level and ends with a newline.
 */
#ifndef PVBACKCTL_JSON_H
#define PVBACKCTL_JSON_H

#include <stdbool.h>
#include "kint.h"
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this level */
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);	/* NULL writes null */
void json_u64(struct json *j, u64 v);
void json_i64(struct json *j, s64 v);
void json_null(struct json *j);

/* key + value in one call */
void json_kstr(struct json *j, const char *key, const char *s);
void json_ku64(struct json *j, const char *key, u64 v);
void json_ki64(struct json *j, const char *key, s64 v);
void json_kbool(struct json *j, const char *key, bool v);

/* Write s as a JSON string literal (quotes included). */
void json_write_string(FILE *f, const char *s);

#endif
