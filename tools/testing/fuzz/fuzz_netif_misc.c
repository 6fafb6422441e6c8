// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: pvnetback's other pure units (netif.c, unchanged):
 * the RX slot planner and the credit scheduler, parsing included.
 *
 * Input (little-endian; bytes past the end read as zero): u8 mode, then
 *
 * mode % 3 == 0, RX planning:
 *    1  u8    bit 0: the cursor starts at the u16 below, else at 0
 *    2  u16   starting slot_off (mod 4096)
 *    4  u32   a length for pvnet_rx_slots() alone
 *    8  ...   up to 18 chunks (skb head, frags): u64 local address,
 *             u32 length (mod 128 KiB)
 * mode % 3 == 1, credit: u64 start time (mod 2^62), u64 bytes, u32 usec,
 *    then up to 64 steps of u8 op, u64 a, u32 b: op % 4 == 0 sets the
 *    rate to a bytes per b usec ("rate" changed); 1 and 2 take b bytes
 *    after a % 2^44 ns; 3 takes b bytes after a ns (a long idle time).
 *    Time stays below 2^63 ns (a ktime); a rate has usec > 0, as
 *    pvnet_credit_parse() guarantees.
 * mode % 3 == 2, credit parsing: the rest (at most 63 bytes) is the value
 *    of the "rate" key.
 *
 * Invariants:
 * - RX: pvnet_rx_slots(len) = max(1, ceil(len / 4096)) for len up to
 *   U32_MAX - 4095 (the arithmetic wraps above; skb lengths never get
 *   there).  Every piece is 1..len bytes, crosses neither a 4 KiB local
 *   page nor the guest slot, and is as large as those allow; the cursor
 *   moves by exactly the bytes copied.  From a fresh cursor, a packet
 *   uses exactly pvnet_rx_slots(total) slots, every piece lands in one of
 *   them, and the pieces are no more than queue.c reserves copy ops for
 *   (per chunk ceil(len / 4096) + 1, plus the slots).
 * - credit: after a set, the fields are as given, max_burst is at least
 *   the rate and a full 64 KiB packet, the credit is one period's; each
 *   take matches a reference model in 128-bit arithmetic (remaining,
 *   next period, answer); remaining never exceeds max_burst; a wait is
 *   1..period ns and ends at the next period, which stays on the grid of
 *   the last set; bytes taken since the last set never exceed the rate
 *   times the periods begun; a packet that fits max_burst and was told to
 *   wait passes after exactly the periods it needs, not one before; no
 *   limit (0 bytes) always passes and changes nothing.
 * - parsing: "<bytes>,<usec>" in decimal digits, both non-zero and within
 *   u64 and u32, is accepted; anything accepted is that, give or take
 *   what the kernel's sscanf() or kstrto*() allow around the digits
 *   (white space, '+', a final newline), and the outputs are exactly the
 *   numbers written (no wrapping); a refusal is -EINVAL and leaves the
 *   outputs alone.
 * - pvnet_tx_why_str() names every reason.
 */
#include <string.h>

#include <linux/bits.h>
#include <linux/errno.h>

#include "fuzz.h"
#include "netif.h"

#define GPAGE		PVNET_GPAGE_SIZE
#define MAX_CHUNKS	18
#define TIME_LIMIT	BIT_ULL(63)

struct chunk {
	unsigned long local;
	unsigned int len;
};

static void fuzz_rx(struct fuzz_in *in)
{
	struct chunk ch[MAX_CHUNKS];
	unsigned int nr = 0, i, off0, slots, pieces = 0, ops = 0, qlen;
	struct pvnet_rx_cursor c;
	u64 total = 0, pos;
	u8 flags;

	flags = fuzz_u8(in);
	off0 = fuzz_u16(in) % GPAGE;
	if (!(flags & 1))
		off0 = 0;
	qlen = fuzz_u32(in);
	if (qlen <= U32_MAX - (GPAGE - 1)) {
		u64 want = ((u64)qlen + GPAGE - 1) / GPAGE;

		FUZZ_CHECK(pvnet_rx_slots(qlen) == (want ? want : 1),
			   "rx_slots(%u) = %u", qlen, pvnet_rx_slots(qlen));
	}
	while (in->left && nr < MAX_CHUNKS) {
		ch[nr].local = fuzz_u64(in);
		ch[nr].len = fuzz_u32(in) % (128 * 1024);
		total += ch[nr].len;
		ops += (ch[nr].len + GPAGE - 1) / GPAGE + 1;
		nr++;
	}
	slots = pvnet_rx_slots(total);

	c.slot = 0;
	c.slot_off = off0;
	pos = off0;
	for (i = 0; i < nr; i++) {
		unsigned long local = ch[i].local;
		unsigned int len = ch[i].len;

		while (len) {
			unsigned int n = pvnet_rx_piece(&c, local, len);
			unsigned int in_page = local & (GPAGE - 1);

			FUZZ_CHECK(n >= 1 && n <= len, "piece %u of %u", n, len);
			FUZZ_CHECK(in_page + n <= GPAGE, "piece %u at page offset %u",
				   n, in_page);
			FUZZ_CHECK(c.slot_off + n <= GPAGE, "piece %u at slot offset %u",
				   n, c.slot_off);
			FUZZ_CHECK(n == len || in_page + n == GPAGE ||
				   c.slot_off + n == GPAGE, "piece %u short", n);
			if (!off0)
				FUZZ_CHECK(c.slot < slots, "slot %u of %u", c.slot, slots);
			pvnet_rx_advance(&c, n);
			pos += n;
			FUZZ_CHECK(c.slot_off < GPAGE &&
				   (u64)c.slot * GPAGE + c.slot_off == pos,
				   "cursor %u:%u at byte %llu", c.slot, c.slot_off,
				   (unsigned long long)pos);
			local += n;
			len -= n;
			pieces++;
		}
	}
	if (off0)
		return;
	FUZZ_CHECK(!total || c.slot + !!c.slot_off == slots,
		   "%llu bytes in %u slots, planned %u",
		   (unsigned long long)total, c.slot + !!c.slot_off, slots);
	FUZZ_CHECK(pieces <= ops + slots, "%u pieces, %u copy ops reserved",
		   pieces, ops + slots);
}

/* The credit as it must be, in arithmetic that cannot overflow. */
struct credit_model {
	u64 bytes, period, max_burst, t_set;
	__uint128_t remaining, next, taken;
};

static void credit_set(struct pvnet_credit *c, struct credit_model *m,
		       u64 bytes, u32 usec, u64 now)
{
	if (bytes && !usec)
		usec = 1;
	pvnet_credit_set(c, bytes, usec, now);
	m->bytes = bytes;
	m->period = (u64)usec * 1000;
	m->max_burst = bytes > XEN_NETIF_MAX_TX_SIZE ? bytes : XEN_NETIF_MAX_TX_SIZE;
	m->remaining = bytes;
	m->next = WIDE(now) + m->period;
	m->t_set = now;
	m->taken = 0;
	FUZZ_CHECK(c->bytes == bytes && c->usec == usec, "set: rate");
	FUZZ_CHECK(c->max_burst == m->max_burst, "set: max_burst %llu",
		   (unsigned long long)c->max_burst);
	FUZZ_CHECK(c->remaining == bytes, "set: remaining %llu",
		   (unsigned long long)c->remaining);
	FUZZ_CHECK(c->next_ns == m->next, "set: next_ns %llu",
		   (unsigned long long)c->next_ns);
}

static void credit_take(struct pvnet_credit *c, struct credit_model *m,
			unsigned int size, u64 now)
{
	struct pvnet_credit before = *c, probe;
	__uint128_t need, k, t;
	u64 w, want;

	w = pvnet_credit_take(c, size, now);
	if (!m->bytes) {
		FUZZ_CHECK(w == 0 && !memcmp(c, &before, sizeof(*c)),
			   "unlimited: waited %llu or changed", (unsigned long long)w);
		return;
	}
	if (now >= m->next) {
		k = (now - m->next) / m->period + 1;
		m->remaining += k * m->bytes;
		if (m->remaining > m->max_burst)
			m->remaining = m->max_burst;
		m->next += k * m->period;
	}
	want = 0;
	if (m->remaining >= size) {
		m->remaining -= size;
		m->taken += size;
	} else {
		want = m->next - now;
	}
	FUZZ_CHECK(w == want, "take %u at %llu: %llu, expected %llu", size,
		   (unsigned long long)now, (unsigned long long)w,
		   (unsigned long long)want);
	FUZZ_CHECK(c->remaining == m->remaining, "remaining %llu",
		   (unsigned long long)c->remaining);
	FUZZ_CHECK(c->next_ns == m->next, "next_ns %llu",
		   (unsigned long long)c->next_ns);
	FUZZ_CHECK(c->remaining <= c->max_burst, "remaining above max_burst");
	FUZZ_CHECK(c->next_ns > now && c->next_ns - now <= m->period &&
		   (c->next_ns - m->t_set) % m->period == 0,
		   "next_ns %llu off the grid", (unsigned long long)c->next_ns);
	FUZZ_CHECK(w <= m->period, "wait %llu", (unsigned long long)w);
	FUZZ_CHECK(m->taken <= WIDE(m->bytes) * (1 + (now - m->t_set) / m->period),
		   "more than the rate went");
	if (!w || size > c->max_burst)
		return;

	/* Told to wait: it passes after exactly the periods it needs. */
	need = size - c->remaining;
	k = (need + m->bytes - 1) / m->bytes;
	t = WIDE(now) + w + (k - 1) * m->period;
	if (t >= TIME_LIMIT)
		return;
	probe = *c;
	FUZZ_CHECK(pvnet_credit_take(&probe, size, t) == 0,
		   "%u bytes still wait after %llu periods",
		   size, (unsigned long long)k);
	if (k < 2)
		return;
	probe = *c;
	FUZZ_CHECK(pvnet_credit_take(&probe, size, t - m->period) != 0,
		   "%u bytes passed a period early", size);
}

static void fuzz_credit(struct fuzz_in *in)
{
	struct pvnet_credit c;
	struct credit_model m;
	unsigned int i;
	u64 now, bytes;
	u32 usec;

	now = fuzz_u64(in) % BIT_ULL(62);
	bytes = fuzz_u64(in);
	usec = fuzz_u32(in);
	memset(&c, 0xa5, sizeof(c));
	credit_set(&c, &m, bytes, usec, now);
	for (i = 0; i < 64 && in->left; i++) {
		u8 op = fuzz_u8(in);
		u64 a = fuzz_u64(in);
		u32 b = fuzz_u32(in);

		if (op % 4 == 0) {
			credit_set(&c, &m, a, b, now);
			continue;
		}
		if (op % 4 != 3)
			a %= BIT_ULL(44);
		now = a < TIME_LIMIT - 1 - now ? now + a : TIME_LIMIT - 1;
		credit_take(&c, &m, b, now);
	}
}

static bool kspace(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (unsigned char)c == 0xa0;
}

/*
 * A number as sscanf() or kstrtou64() may read it: white space and a '+'
 * (when @loose), then decimal digits; false if there are none.  Values
 * past U64_MAX stay "too large" instead of wrapping.
 */
static bool read_number(const char **s, bool loose, __uint128_t *val)
{
	const char *p = *s;

	while (loose && kspace(*p))
		p++;
	if (loose && *p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	for (*val = 0; *p >= '0' && *p <= '9'; p++) {
		*val = *val * 10 + (*p - '0');
		if (*val > U64_MAX)
			*val = WIDE(U64_MAX) + 1;
	}
	*s = p;
	return true;
}

/*
 * Is @s "<bytes>,<usec>", both numbers non-zero and in range?  Strictly:
 * digits only, as the key is documented.  Loosely: also what the kernel's
 * sscanf() or kstrto*() let through around the digits (spaces, '+', one
 * trailing newline), which a parser may accept or refuse.
 */
static bool rate_ok(const char *s, bool loose, __uint128_t *b, __uint128_t *u)
{
	if (!read_number(&s, loose, b) || *s++ != ',' || !read_number(&s, loose, u))
		return false;
	if (loose && *s == '\n')
		s++;
	return !*s && *b && *b <= U64_MAX && *u && *u <= U32_MAX;
}

static void fuzz_credit_parse(struct fuzz_in *in)
{
	u64 bytes = 42;
	u32 usec = 43;
	__uint128_t b, u;
	char s[64];
	int ret;

	fuzz_copy(in, s, sizeof(s) - 1);
	s[sizeof(s) - 1] = 0;
	ret = pvnet_credit_parse(s, &bytes, &usec);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && bytes == 42 && usec == 43,
			   "\"%s\" refused with %d, outputs changed", s, ret);
		FUZZ_CHECK(!rate_ok(s, false, &b, &u), "\"%s\" refused", s);
		return;
	}
	FUZZ_CHECK(rate_ok(s, true, &b, &u), "\"%s\" accepted as %llu,%u", s,
		   (unsigned long long)bytes, usec);
	FUZZ_CHECK(bytes == b && usec == u, "\"%s\" read as %llu,%u", s,
		   (unsigned long long)bytes, usec);
}

static void check_why_str(void)
{
	enum pvnet_tx_why a, b;

	for (a = PVNET_WHY_NONE; a <= PVNET_WHY_CHAIN; a++) {
		FUZZ_CHECK(strcmp(pvnet_tx_why_str(a), "?"), "reason %d unnamed", a);
		for (b = PVNET_WHY_NONE; b < a; b++)
			FUZZ_CHECK(strcmp(pvnet_tx_why_str(a), pvnet_tx_why_str(b)),
				   "reasons %d and %d named alike", a, b);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };

	switch (fuzz_u8(&in) % 3) {
	case 0:
		fuzz_rx(&in);
		break;
	case 1:
		fuzz_credit(&in);
		break;
	default:
		fuzz_credit_parse(&in);
		break;
	}
	check_why_str();
	return 0;
}
