# SPDX-License-Identifier: GPL-2.0
# Folds the samples of "perf script -F comm,ip,sym" (perf record -g --kernel-callchains) into
# places, for the dom0 profile of tools/testing/selftests/bench.sh. Each sample is a line
# (the command) and its kernel call chain, a frame a line (address, symbol), leaf first.
# A sample's place:
#  - "(perf)": perf itself, the profile's own cost;
#  - "user COMMAND": a process's own code;
#  - "(idle)": a vCPU in the idle loop, outside any interrupt (halted in Xen, or on its way);
#  - "irqs off in F": a clock interrupt held back while interrupts were off, taken when F (the
#    first caller past the unlock and irq-enable helpers) turned them back on; in a PV guest
#    that is a hypercall (xen_force_evtchn_callback), and the sample lands there;
#  - "hypercall < F < G": any other hypercall (6.1 makes them all through xen_hypercall_pv), by
#    its first two callers past the hypercall helpers;
#  - else the kernel function the sample hit.
# Prints "N *" (all samples), "N (backend paths)" (samples whose chain passes through a block
# backend's code: pvblkback's or xen-blkback's, with the block I/O they start or end), then
# "N PLACE" for each place, unsorted. tools/testing/bench/check.sh checks it on the host.

# Frames that only carry a hypercall or turn interrupts back on.
function helper(s) {
	return s ~ /^(xen_hypercall.*|HYPERVISOR_.*|xen_force_evtchn_callback|check_events)$/ ||
		s ~ /^(xen_irq_enable.*|xen_restore_fl.*|.*raw_spin_unlock.*|.*_unlock_irq.*)$/ ||
		s ~ /^(local_bh_enable|__local_bh_enable_ip)$/
}

function backend(s) {
	return s ~ /^(pvblk_|pvback_|xen_blkif|xen_blkbk|do_block_io_op|__do_block_io_op)/ ||
		s ~ /^(dispatch_rw_block_io|end_block_io_op|make_response)/
}

function done_sample(    i, irq, key, held) {
	if (!nf && comm == "")
		return
	if (comm == "perf")
		key = "(perf)"
	else if (!nf || leaf_addr !~ /^ffff/)
		key = "user " comm
	for (i = 1; i <= nf && key == ""; i++) {
		if (f[i] ~ /(upcall|hypervisor_callback|softirq|handle_.*irq|irq_exit)/)
			irq = 1
		if (f[i] ~ /^(do_idle|default_idle_call|default_idle|xen_safe_halt|cpu_startup_entry)$/) {
			if (!irq)
				key = "(idle)"
			break
		}
	}
	if (key == "" && f[1] ~ /^xen_hypercall/) {
		for (i = 2; i <= nf && helper(f[i]); i++)
			if (f[i] == "xen_force_evtchn_callback")
				held = 1
		key = held ? "irqs off in " f[i] : "hypercall < " f[i] " < " f[i + 1]
	}
	if (key == "")
		key = f[1]
	for (i = 1; i <= nf; i++) {
		if (backend(f[i])) {
			in_backend++
			break
		}
	}
	n[key]++
	all++
	nf = 0
	comm = ""
}

/^[ \t]+[0-9a-f]+ / {
	sub(/\+0x[0-9a-f]+$/, "", $2)
	f[++nf] = $2
	if (nf == 1)
		leaf_addr = $1
	next
}
/^[^ \t]/ {
	done_sample()
	comm = $1
}
END {
	done_sample()
	print all + 0, "*"
	print in_backend + 0, "(backend paths)"
	for (k in n)
		print n[k], k
}
