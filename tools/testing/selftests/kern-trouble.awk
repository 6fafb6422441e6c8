# SPDX-License-Identifier: GPL-2.0
# Kernel trouble in a log (dom0's dmesg, or the lab's whole console), with what explains it.
# Prints each line that means trouble (Oops, BUG, WARNING, panic, general protection, Call
# Trace, lockdep), preceded by the headlines of its report found in the 40 lines before it
# and followed by the first 3 frames of a call trace. A bare "Call Trace" says nothing: its
# headline says whether a task hung, RCU stalled or an allocation failed, and which task and
# function ("Comm:", "RIP:") it was. Prints nothing when there is no trouble.
#   -v skip=REGEX   lines to leave out (the console's TAP lines, which may quote such words)
# Used by kern_trouble (lib.sh) in dom0 and by the lab's judge (selftest.sh) on the host; both
# run it with mawk, so no \b and no gawk extensions.

function word(re) {
	return "(^|[^A-Za-z0-9_])(" re ")([^A-Za-z0-9_]|$)"
}

BEGIN {
	trouble = word("Oops|BUG|WARNING|panic") "|general protection|Call Trace|lockdep|circular locking"
	headline = "INFO:|rcu:|blocked for more than|allocation failure|nobody cared|lockup|stall|Comm:|RIP:|task:"
	back = 40
	n = 0
	printed = 0
	frames = 0
}

skip != "" && $0 ~ skip { next }

{
	n++
	line[n % back] = $0
	if ($0 ~ trouble) {
		for (i = n - back + 1; i < n; i++)
			if (i > printed && i > 0 && line[i % back] ~ headline)
				print line[i % back]
		print
		printed = n
		frames = $0 ~ /Call Trace/ ? 3 : 0
	} else if (frames > 0) {
		print
		printed = n
		if ($0 !~ /<(TASK|IRQ)>/)
			frames--
	}
}
