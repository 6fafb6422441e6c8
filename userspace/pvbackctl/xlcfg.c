// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xlcfg.h"

enum tok {
	T_EOF, T_NL, T_SEMI, T_IDENT, T_NUMBER, T_STRING, T_EQ, T_PLUSEQ,
	T_LBRACK, T_RBRACK, T_COMMA, T_ERROR,
};

struct lexer {
	const char *file;
	const char *p, *end;
	int line;
	/* current token */
	enum tok tok;
	int tok_line;
	char *text;		/* IDENT, NUMBER, STRING (malloc'ed) */
	size_t text_len;
	char *err;		/* first error, "FILE:LINE: msg" */
};

static void __printf(3, 4) lex_error(struct lexer *lx, int line,
				     const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!lx->err) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
		lx->err = xasprintf("%s:%d: %s", lx->file, line,
				    msg ? msg : "syntax error");
		free(msg);
	}
	lx->tok = T_ERROR;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *tok_name(enum tok t)
{
	static const char *const names[] = {
		[T_EOF] = "end of file", [T_NL] = "end of line",
		[T_SEMI] = "';'", [T_IDENT] = "a name", [T_NUMBER] = "a number",
		[T_STRING] = "a string", [T_EQ] = "'='", [T_PLUSEQ] = "'+='",
		[T_LBRACK] = "'['", [T_RBRACK] = "']'", [T_COMMA] = "','",
		[T_ERROR] = "an error",
	};
	return names[t];
}

/* Backslash escapes of one character, and what they stand for. */
static const char escapes_in[] = "\"'\\abfnrtv";
static const char escapes_out[] = "\"'\\\a\b\f\n\r\t\v";

/* A quoted string; lx->p is at the opening quote. */
static void lex_string(struct lexer *lx)
{
	const char *e;
	char q = *lx->p++;
	char *out = xmalloc(lx->end - lx->p + 1);
	size_t n = 0;

	for (;;) {
		int c;

		if (lx->p >= lx->end || *lx->p == '\n') {
			free(out);
			lex_error(lx, lx->tok_line,
				  "string not closed on its line (missing %c?)", q);
			return;
		}
		c = (unsigned char)*lx->p++;
		if (c == q)
			break;
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		if (lx->p >= lx->end || *lx->p == '\n') {
			free(out);
			lex_error(lx, lx->tok_line, "backslash at the end of a line in a string");
			return;
		}
		c = (unsigned char)*lx->p++;
		e = c ? strchr(escapes_in, c) : NULL;
		if (e) {
			out[n++] = escapes_out[e - escapes_in];
			continue;
		}
		switch (c) {
		case 'x': {
			int h1 = lx->p < lx->end ? hexval(lx->p[0]) : -1;
			int h2 = lx->p + 1 < lx->end ? hexval(lx->p[1]) : -1;

			if (h1 < 0 || h2 < 0) {
				free(out);
				lex_error(lx, lx->tok_line, "\\x in a string needs two hex digits");
				return;
			}
			out[n++] = h1 * 16 + h2;
			lx->p += 2;
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				int v = c - '0', k;

				for (k = 0; k < 2 && lx->p < lx->end &&
				     *lx->p >= '0' && *lx->p <= '7'; k++)
					v = v * 8 + (*lx->p++ - '0');
				if (v > 255) {
					free(out);
					lex_error(lx, lx->tok_line,
						  "octal escape in a string is larger than \\377");
					return;
				}
				out[n++] = v;
				break;
			}
			free(out);
			if (isprint(c))
				lex_error(lx, lx->tok_line,
					  "unknown escape \\%c in a string", c);
			else
				lex_error(lx, lx->tok_line,
					  "unknown escape in a string");
			return;
		}
	}
	out[n] = '\0';
	lx->text = out;
	lx->text_len = n;
	lx->tok = T_STRING;
}

static const struct {
	char c;
	enum tok tok;
} punct[] = {
	{ ';', T_SEMI }, { '=', T_EQ }, { '[', T_LBRACK }, { ']', T_RBRACK },
	{ ',', T_COMMA },
};

static void lex_next(struct lexer *lx)
{
	const char *s;
	size_t i;
	int c;

	free(lx->text);
	lx->text = NULL;
	if (lx->tok == T_ERROR)
		return;
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' ||
				   *lx->p == '\r'))
		lx->p++;
	if (lx->p < lx->end && *lx->p == '#')	/* comment: up to the newline */
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
	lx->tok_line = lx->line;
	if (lx->p >= lx->end) {
		lx->tok = T_EOF;
		return;
	}
	s = lx->p;
	c = (unsigned char)*s;
	if (c == '\n') {
		lx->p++;
		lx->line++;
		lx->tok = T_NL;
		return;
	}
	if (isalpha(c) || c == '_') {
		while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) ||
					   *lx->p == '_'))
			lx->p++;
		lx->text = xstrndup(s, lx->p - s);
		lx->tok = T_IDENT;
		return;
	}
	if (isdigit(c) || ((c == '-' || c == '+') && s + 1 < lx->end &&
			   isdigit((unsigned char)s[1]))) {
		lx->p++;
		while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) ||
					   *lx->p == '.'))
			lx->p++;
		lx->text = xstrndup(s, lx->p - s);
		lx->tok = T_NUMBER;
		return;
	}
	if (c == '"' || c == '\'') {
		lex_string(lx);
		return;
	}
	lx->p++;
	for (i = 0; i < ARRAY_SIZE(punct); i++) {
		if (c == punct[i].c) {
			lx->tok = punct[i].tok;
			return;
		}
	}
	if (c == '+' && lx->p < lx->end && *lx->p == '=') {
		lx->p++;
		lx->tok = T_PLUSEQ;
		return;
	}
	if (isprint(c))
		lex_error(lx, lx->tok_line, "unexpected character '%c'", c);
	else
		lex_error(lx, lx->tok_line, "unexpected byte 0x%02x", c);
}

static void val_free(struct xlval *v)
{
	size_t i;

	free(v->str);
	for (i = 0; i < v->nitems; i++)
		val_free(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static void skip_nl(struct lexer *lx)
{
	while (lx->tok == T_NL)
		lex_next(lx);
}

static int parse_value(struct lexer *lx, struct xlval *v);

/* lx->tok is '['. */
static int parse_list(struct lexer *lx, struct xlval *v)
{
	int open_line = lx->tok_line;
	size_t cap = 0;

	v->type = XLV_LIST;
	v->line = open_line;
	lex_next(lx);
	skip_nl(lx);
	while (lx->tok != T_RBRACK) {
		struct xlval *item;

		if (lx->tok == T_EOF) {
			lex_error(lx, open_line, "list opened here is not closed (missing ']')");
			return -1;
		}
		if (lx->tok == T_IDENT) {
			lex_error(lx, lx->tok_line,
				  "expected a value in the list opened at line %d, found the name '%s' (missing ']'?)",
				  open_line, lx->text);
			return -1;
		}
		grow(&v->items, &cap, v->nitems, sizeof(*v->items));
		item = &v->items[v->nitems++];
		if (parse_value(lx, item))
			return -1;
		skip_nl(lx);
		if (lx->tok == T_COMMA) {
			lex_next(lx);
			skip_nl(lx);
		} else if (lx->tok != T_RBRACK) {
			if (lx->tok == T_EOF)
				continue;	/* reported above */
			lex_error(lx, lx->tok_line,
				  "expected ',' or ']' in the list opened at line %d, found %s",
				  open_line, tok_name(lx->tok));
			return -1;
		}
	}
	lex_next(lx);
	return 0;
}

static int parse_value(struct lexer *lx, struct xlval *v)
{
	switch (lx->tok) {
	case T_STRING:
	case T_NUMBER:
		v->type = lx->tok == T_STRING ? XLV_STRING : XLV_NUMBER;
		v->line = lx->tok_line;
		v->str = lx->text;
		v->len = lx->tok == T_STRING ? lx->text_len : strlen(lx->text);
		lx->text = NULL;
		lex_next(lx);
		return 0;
	case T_LBRACK:
		return parse_list(lx, v);
	case T_ERROR:
		return -1;
	default:
		lex_error(lx, lx->tok_line,
			  "expected a value (a number, a \"string\" or a [list]), found %s",
			  tok_name(lx->tok));
		return -1;
	}
}

static struct xlsetting *find(struct xlcfg *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nset; i++)
		if (!strcmp(cfg->set[i].key, key))
			return &cfg->set[i];
	return NULL;
}

static void append_item(struct xlval *list, size_t *cap,
			const struct xlval *item)
{
	grow(&list->items, cap, list->nitems, sizeof(*list->items));
	list->items[list->nitems++] = *item;
}

/* key += val: lists get val's items (or val), strings get val appended. */
static int append(struct lexer *lx, struct xlsetting *s, struct xlval *val,
		  int line)
{
	struct xlval *old = &s->val;

	if (old->type == XLV_LIST) {
		size_t cap = old->nitems, i;

		if (val->type == XLV_LIST) {
			for (i = 0; i < val->nitems; i++)
				append_item(old, &cap, &val->items[i]);
			free(val->items);
			free(val->str);
		} else {
			append_item(old, &cap, val);
		}
		memset(val, 0, sizeof(*val));
		return 0;
	}
	if (old->type == XLV_STRING && val->type == XLV_STRING) {
		char *cat = xmalloc(old->len + val->len + 1);

		memcpy(cat, old->str, old->len);
		memcpy(cat + old->len, val->str, val->len + 1);
		free(old->str);
		old->str = cat;
		old->len += val->len;
		val_free(val);
		return 0;
	}
	lex_error(lx, line, "'%s += ...' needs a list or a string on both sides", s->key);
	val_free(val);
	return -1;
}

static int parse_setting(struct lexer *lx, struct xlcfg *cfg)
{
	char *key = lx->text;
	int line = lx->tok_line;
	struct xlsetting *s;
	struct xlval val = { 0 };
	bool add;

	lx->text = NULL;
	lex_next(lx);
	if (lx->tok != T_EQ && lx->tok != T_PLUSEQ) {
		if (lx->tok != T_ERROR)
			lex_error(lx, lx->tok_line,
				  "expected '=' after '%s', found %s", key, tok_name(lx->tok));
		free(key);
		return -1;
	}
	add = lx->tok == T_PLUSEQ;
	lex_next(lx);
	if (parse_value(lx, &val)) {
		val_free(&val);
		free(key);
		return -1;
	}
	if (lx->tok != T_NL && lx->tok != T_SEMI && lx->tok != T_EOF) {
		if (lx->tok != T_ERROR)
			lex_error(lx, lx->tok_line,
				  "expected the end of the line after the value of '%s', found %s",
				  key, tok_name(lx->tok));
		val_free(&val);
		free(key);
		return -1;
	}
	s = find(cfg, key);
	if (s && add) {
		s->line = line;
		free(key);
		return append(lx, s, &val, line);
	}
	if (s) {
		val_free(&s->val);
		free(key);
	} else {
		cfg->set = xrealloc(cfg->set, (cfg->nset + 1) * sizeof(*s));
		s = &cfg->set[cfg->nset++];
		s->key = key;
	}
	s->line = line;
	s->val = val;
	return 0;
}

int xlcfg_parse(const char *file, const char *buf, size_t len,
		struct xlcfg *cfg, char **err)
{
	struct lexer lx = {
		.file = file, .p = buf, .end = buf + len, .line = 1,
		.tok = T_NL,
	};

	memset(cfg, 0, sizeof(*cfg));
	*err = NULL;
	lex_next(&lx);
	while (lx.tok != T_EOF && lx.tok != T_ERROR) {
		switch (lx.tok) {
		case T_NL:
		case T_SEMI:
			lex_next(&lx);
			break;
		case T_IDENT:
			if (parse_setting(&lx, cfg))
				goto fail;
			if (lx.tok != T_EOF)
				lex_next(&lx);
			break;
		default:
			lex_error(&lx, lx.tok_line,
				  "expected a setting (name = value), found %s", tok_name(lx.tok));
			goto fail;
		}
	}
	if (lx.tok == T_ERROR)
		goto fail;
	free(lx.text);
	return 0;
fail:
	free(lx.text);
	xlcfg_free(cfg);
	*err = lx.err ? lx.err : xasprintf("%s: cannot parse", file);
	return -1;
}

const struct xlval *xlcfg_get(const struct xlcfg *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nset; i++)
		if (!strcmp(cfg->set[i].key, key))
			return &cfg->set[i].val;
	return NULL;
}

void xlcfg_free(struct xlcfg *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nset; i++) {
		free(cfg->set[i].key);
		val_free(&cfg->set[i].val);
	}
	free(cfg->set);
	memset(cfg, 0, sizeof(*cfg));
}
