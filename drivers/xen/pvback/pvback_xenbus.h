/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenbus state machine both pvback backends follow, as one pure
 * function: what to do when the frontend's state changes.  No Xen calls,
 * so KUnit walks every path of it (tests/xenbus_test.c).
 *
 * A backend is probed into InitWait.  It connects only from InitWait,
 * once the frontend is Initialised or Connected (a frontend may skip
 * Initialised) and its own conditions hold (a claimed region, a bridged
 * netdevice).  Any close stops serving first and switches state after; a
 * closed (or closing) backend starts over when the frontend is Initialising
 * again (a rebooted guest, a reloaded driver).  States a frontend never takes are
 * reported and closed like Closing.
 */
#ifndef PVBACK_XENBUS_H
#define PVBACK_XENBUS_H

#include <linux/types.h>
#include <xen/interface/io/xenbus.h>

enum pvback_xb_act {
	PVBACK_XB_NOTHING,
	PVBACK_XB_INITWAIT,	/* start over: switch to InitWait */
	PVBACK_XB_CONNECT,	/* connect if the backend's conditions hold */
	PVBACK_XB_CLOSING,	/* stop serving, then switch to Closing */
	PVBACK_XB_CLOSED,	/* stop serving, then switch to Closed */
	PVBACK_XB_GONE,		/* as CLOSED, then unregister the device */
	PVBACK_XB_ILLEGAL,	/* report it, then as CLOSING */
};

/**
 * pvback_xb_next - the backend's answer to a frontend state
 * @be: the backend's own state now
 * @fe: the frontend's new state (a value read from xenstore: anything)
 * @online: the toolstack keeps the device ("online" is 1)
 *
 * Return: what to do.
 */
static inline enum pvback_xb_act pvback_xb_next(enum xenbus_state be,
						enum xenbus_state fe,
						bool online)
{
	switch (fe) {
	case XenbusStateInitialising:
		/*
		 * From Closing too: xenbus reads the state when it calls us,
		 * so a frontend's Closed followed by Initialising may show
		 * as Initialising only. Not when the toolstack closes the
		 * device (online 0): the guest must not undo a detach, nor
		 * be served again by a device about to go (whose region's
		 * lease may be gone already).
		 */
		return online && (be == XenbusStateClosed ||
				  be == XenbusStateClosing) ?
		       PVBACK_XB_INITWAIT : PVBACK_XB_NOTHING;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/* A repeated event, or one after a close, changes nothing. */
		return be == XenbusStateInitWait ? PVBACK_XB_CONNECT :
						   PVBACK_XB_NOTHING;
	case XenbusStateClosing:
		return PVBACK_XB_CLOSING;
	case XenbusStateClosed:
		return online ? PVBACK_XB_CLOSED : PVBACK_XB_GONE;
	case XenbusStateUnknown:
		/* The frontend's directory is gone: so is the guest's device. */
		return PVBACK_XB_GONE;
	default:
		return PVBACK_XB_ILLEGAL;
	}
}

/* The state an action ends in, once serving has stopped (or none). */
static inline enum xenbus_state pvback_xb_close_state(enum pvback_xb_act act)
{
	return act == PVBACK_XB_CLOSING || act == PVBACK_XB_ILLEGAL ?
	       XenbusStateClosing : XenbusStateClosed;
}

#endif /* PVBACK_XENBUS_H */
