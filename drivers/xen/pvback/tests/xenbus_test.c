// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the xenbus state machine of both backends (pvback_xenbus.h),
 * walked through every legal frontend path and the illegal states.  A
 * small model backend applies each action as the drivers do.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "../pvback_xenbus.h"

struct model {
	enum xenbus_state be;
	bool ready;		/* the backend's own conditions hold */
	bool online;
	bool gone;
	int connects;
	int errors;
};

static void model_fe(struct model *m, enum xenbus_state fe)
{
	enum pvback_xb_act act = pvback_xb_next(m->be, fe, m->online);

	switch (act) {
	case PVBACK_XB_NOTHING:
		break;
	case PVBACK_XB_INITWAIT:
		m->be = XenbusStateInitWait;
		break;
	case PVBACK_XB_CONNECT:
		if (m->ready) {
			m->be = XenbusStateConnected;
			m->connects++;
		}
		break;
	case PVBACK_XB_ILLEGAL:
		m->errors++;
		fallthrough;
	case PVBACK_XB_CLOSING:
	case PVBACK_XB_CLOSED:
	case PVBACK_XB_GONE:
		m->be = pvback_xb_close_state(act);
		m->gone |= act == PVBACK_XB_GONE;
		break;
	}
}

/* Probed into InitWait, ready to connect, kept by the toolstack. */
static struct model model_new(void)
{
	return (struct model){ .be = XenbusStateInitWait, .ready = true,
			       .online = true };
}

static void model_walk(struct model *m, const enum xenbus_state *fe,
		       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		model_fe(m, fe[i]);
}

#define WALK(m, ...) do {						\
	static const enum xenbus_state p_[] = { __VA_ARGS__ };		\
	model_walk(m, p_, ARRAY_SIZE(p_));				\
} while (0)

static void xb_table(struct kunit *test)
{
	static const struct {
		enum xenbus_state be, fe;
		bool online;
		enum pvback_xb_act act;
	} t[] = {
		{ XenbusStateInitWait, XenbusStateInitialising, true,
		  PVBACK_XB_NOTHING },
		{ XenbusStateClosed, XenbusStateInitialising, true,
		  PVBACK_XB_INITWAIT },
		{ XenbusStateClosing, XenbusStateInitialising, true,
		  PVBACK_XB_INITWAIT },
		{ XenbusStateClosing, XenbusStateInitialising, false,
		  PVBACK_XB_NOTHING },
		{ XenbusStateClosed, XenbusStateInitialising, false,
		  PVBACK_XB_NOTHING },
		{ XenbusStateInitWait, XenbusStateInitialised, true,
		  PVBACK_XB_CONNECT },
		{ XenbusStateInitWait, XenbusStateConnected, true,
		  PVBACK_XB_CONNECT },
		{ XenbusStateConnected, XenbusStateConnected, true,
		  PVBACK_XB_NOTHING },
		{ XenbusStateClosing, XenbusStateConnected, true,
		  PVBACK_XB_NOTHING },
		{ XenbusStateClosed, XenbusStateInitialised, true,
		  PVBACK_XB_NOTHING },
		{ XenbusStateConnected, XenbusStateClosing, true,
		  PVBACK_XB_CLOSING },
		{ XenbusStateInitWait, XenbusStateClosing, true,
		  PVBACK_XB_CLOSING },
		{ XenbusStateClosing, XenbusStateClosed, true,
		  PVBACK_XB_CLOSED },
		{ XenbusStateClosing, XenbusStateClosed, false,
		  PVBACK_XB_GONE },
		{ XenbusStateConnected, XenbusStateUnknown, true,
		  PVBACK_XB_GONE },
		{ XenbusStateConnected, XenbusStateInitWait, true,
		  PVBACK_XB_ILLEGAL },
		{ XenbusStateConnected, XenbusStateReconfiguring, true,
		  PVBACK_XB_ILLEGAL },
		{ XenbusStateConnected, XenbusStateReconfigured, true,
		  PVBACK_XB_ILLEGAL },
		{ XenbusStateInitWait, 9, true, PVBACK_XB_ILLEGAL },
		{ XenbusStateInitWait, 0x7fffffff, true, PVBACK_XB_ILLEGAL },
		{ XenbusStateInitWait, -1, true, PVBACK_XB_ILLEGAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		KUNIT_EXPECT_EQ_MSG(test, pvback_xb_next(t[i].be, t[i].fe,
							 t[i].online),
				    t[i].act, "row %u", i);
	KUNIT_EXPECT_EQ(test, pvback_xb_close_state(PVBACK_XB_CLOSING),
			XenbusStateClosing);
	KUNIT_EXPECT_EQ(test, pvback_xb_close_state(PVBACK_XB_ILLEGAL),
			XenbusStateClosing);
	KUNIT_EXPECT_EQ(test, pvback_xb_close_state(PVBACK_XB_CLOSED),
			XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, pvback_xb_close_state(PVBACK_XB_GONE),
			XenbusStateClosed);
}

/* blkfront and netfront: Initialising, Initialised, Connected, close. */
static void xb_path_usual(struct kunit *test)
{
	struct model m = model_new();

	WALK(&m, XenbusStateInitialising, XenbusStateInitialised,
	     XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.connects, 1);
	WALK(&m, XenbusStateClosing, XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateClosed);
	KUNIT_EXPECT_FALSE(test, m.gone);
	KUNIT_EXPECT_EQ(test, m.errors, 0);
}

/* A frontend that goes from Initialising straight to Connected. */
static void xb_path_skips_initialised(struct kunit *test)
{
	struct model m = model_new();

	WALK(&m, XenbusStateInitialising, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.connects, 1);
}

/*
 * Its conditions come later (the region claimed, the script ran): the
 * frontend's state is looked at again then, and a repeated Connected
 * does nothing more once connected.
 */
static void xb_path_ready_later(struct kunit *test)
{
	struct model m = model_new();

	m.ready = false;
	WALK(&m, XenbusStateInitialised);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateInitWait);
	m.ready = true;
	WALK(&m, XenbusStateInitialised, XenbusStateConnected,
	     XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.connects, 1);
}

/* Closes before it ever connects, as the Windows PV drivers do. */
static void xb_path_close_before_connect(struct kunit *test)
{
	struct model m = model_new();

	WALK(&m, XenbusStateInitialising, XenbusStateClosing,
	     XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, m.connects, 0);
	WALK(&m, XenbusStateInitialising, XenbusStateInitialised);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.connects, 1);
}

/* Straight to Closed from Connected, then gone with online 0. */
static void xb_path_straight_to_closed(struct kunit *test)
{
	struct model m = model_new();

	WALK(&m, XenbusStateInitialised, XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateClosed);
	KUNIT_EXPECT_FALSE(test, m.gone);
	m.online = false;
	WALK(&m, XenbusStateClosed);
	KUNIT_EXPECT_TRUE(test, m.gone);
}

/*
 * Reconnect: a fresh frontend instance (a rebooted guest, a reloaded
 * driver) after a close, three times; never connected from a closed
 * state without Initialising first.
 */
static void xb_path_reconnect(struct kunit *test)
{
	struct model m = model_new();
	int i;

	WALK(&m, XenbusStateInitialised);
	for (i = 0; i < 3; i++) {
		WALK(&m, XenbusStateClosing, XenbusStateClosed);
		/* A stale Connected of the old instance. */
		WALK(&m, XenbusStateConnected);
		KUNIT_EXPECT_EQ(test, m.be, XenbusStateClosed);
		WALK(&m, XenbusStateInitialising);
		KUNIT_EXPECT_EQ(test, m.be, XenbusStateInitWait);
		WALK(&m, XenbusStateInitialised, XenbusStateConnected);
		KUNIT_EXPECT_EQ(test, m.be, XenbusStateConnected);
	}
	KUNIT_EXPECT_EQ(test, m.connects, 4);
	KUNIT_EXPECT_EQ(test, m.errors, 0);
}

/*
 * The frontend's Closed is never seen: xenbus read Initialising already
 * (it reads the state when it calls the backend). The backend must not
 * stay Closing while the new instance waits for InitWait; a toolstack's
 * detach (online 0) is not undone that way.
 */
static void xb_path_closed_unseen(struct kunit *test)
{
	struct model m = model_new();

	WALK(&m, XenbusStateInitialised, XenbusStateClosing,
	     XenbusStateInitialising);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateInitWait);
	WALK(&m, XenbusStateInitialised);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, m.connects, 2);

	m.online = false;
	WALK(&m, XenbusStateClosing, XenbusStateInitialising);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateClosing);
}

/* The frontend's directory vanishes (the guest was destroyed). */
static void xb_path_frontend_vanishes(struct kunit *test)
{
	struct model m = model_new();

	WALK(&m, XenbusStateInitialised, XenbusStateUnknown);
	KUNIT_EXPECT_TRUE(test, m.gone);
	KUNIT_EXPECT_EQ(test, m.be, XenbusStateClosed);
}

/* States no frontend takes: reported, closed, and it can start over. */
static void xb_path_illegal(struct kunit *test)
{
	static const int bad[] = { XenbusStateInitWait,
				   XenbusStateReconfiguring,
				   XenbusStateReconfigured, 9, 42, -7 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct model m = model_new();

		WALK(&m, XenbusStateInitialised);
		model_fe(&m, bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, m.be, XenbusStateClosing,
				    "state %d", bad[i]);
		KUNIT_EXPECT_EQ(test, m.errors, 1);
		WALK(&m, XenbusStateClosed, XenbusStateInitialising,
		     XenbusStateInitialised);
		KUNIT_EXPECT_EQ_MSG(test, m.be, XenbusStateConnected,
				    "after state %d", bad[i]);
	}
}

/* Every ordered pair of states from any backend state: never connected
 * but from InitWait, never left in a state that is not a xenbus one.
 */
static void xb_exhaustive(struct kunit *test)
{
	enum xenbus_state be, fe;
	enum pvback_xb_act act;
	int online;

	for (be = XenbusStateUnknown; be <= XenbusStateReconfigured; be++)
		for (fe = XenbusStateUnknown - 1; fe <= XenbusStateReconfigured + 1;
		     fe++)
			for (online = 0; online < 2; online++) {
				act = pvback_xb_next(be, fe, online);
				KUNIT_EXPECT_LE(test, act, PVBACK_XB_ILLEGAL);
				if (act == PVBACK_XB_CONNECT)
					KUNIT_EXPECT_EQ(test, be,
							XenbusStateInitWait);
				if (act == PVBACK_XB_INITWAIT)
					KUNIT_EXPECT_TRUE(test, online &&
							  (be == XenbusStateClosed ||
							   be == XenbusStateClosing));
			}
}

static struct kunit_case pvback_xenbus_cases[] = {
	KUNIT_CASE(xb_table),
	KUNIT_CASE(xb_path_usual),
	KUNIT_CASE(xb_path_skips_initialised),
	KUNIT_CASE(xb_path_ready_later),
	KUNIT_CASE(xb_path_close_before_connect),
	KUNIT_CASE(xb_path_straight_to_closed),
	KUNIT_CASE(xb_path_reconnect),
	KUNIT_CASE(xb_path_closed_unseen),
	KUNIT_CASE(xb_path_frontend_vanishes),
	KUNIT_CASE(xb_path_illegal),
	KUNIT_CASE(xb_exhaustive),
	{}
};

static struct kunit_suite pvback_xenbus_suite = {
	.name = "pvback-xenbus",
	.test_cases = pvback_xenbus_cases,
};

kunit_test_suite(pvback_xenbus_suite);

MODULE_DESCRIPTION("KUnit tests for pvback's shared xenbus state machine");
MODULE_LICENSE("GPL");
