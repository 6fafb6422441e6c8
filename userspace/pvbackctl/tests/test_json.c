// SPDX-License-Identifier: GPL-2.0
/* The JSON emitter: escaping, structure, numbers. */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "test.h"

static void esc(const char *in, const char *want, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, in);
	fclose(f);
	EQ_STR(buf, want, "json string: %s", name);
	free(buf);
}

void test_json(void)
{
	char *buf = NULL, why[128];
	size_t len = 0;
	struct json j;
	FILE *f;

	esc("plain", "\"plain\"", "plain");
	esc("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash");
	esc("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"", "short escapes");
	esc("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "other control characters");
	esc("/", "\"/\"", "slash left alone");
	esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "valid UTF-8 kept");
	esc("\xff\x61\xc3", "\"\\ufffda\\ufffd\"", "invalid bytes and a cut sequence replaced");
	esc("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong form replaced");
	esc("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "UTF-16 surrogate replaced");

	f = open_memstream(&buf, &len);
	json_init(&j, f);
	json_obj_begin(&j);
	json_ku64(&j, "big", UINT64_MAX);
	json_ki64(&j, "neg", -5);
	json_kbool(&j, "t", true);
	json_kstr(&j, "null", NULL);
	json_key(&j, "empty");
	json_arr_begin(&j);
	json_arr_end(&j);
	json_key(&j, "list");
	json_arr_begin(&j);
	json_u64(&j, 1);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_str(&j, "x\ny");
	json_arr_end(&j);
	json_obj_end(&j);
	fclose(f);
	OK(json_valid(buf, why, sizeof(why)), "emitted document is valid JSON");
	HAS(buf, "\"big\": 18446744073709551615", "u64 max as a number");
	HAS(buf, "\"neg\": -5", "negative number");
	HAS(buf, "\"null\": null", "NULL string is null");
	HAS(buf, "\"empty\": []", "empty array");
	OK(len && buf[len - 1] == '\n' && buf[len - 2] == '}', "ends with }\\n");
	free(buf);

	OK(!json_valid("{\"a\": 1,}", why, sizeof(why)), "validator: trailing comma refused");
	OK(!json_valid("{\"a\": \"x\ny\"}", why, sizeof(why)), "validator: raw newline refused");
	OK(!json_valid("[1] [2]", why, sizeof(why)), "validator: two documents refused");
	OK(json_valid(" {\"a\": [true, false, null, -0.5, \"\\u00e9\"]}\n", why, sizeof(why)),
	   "validator: accepts a valid document");
}
