#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the samples of tools/testing/selftests/bench.sh into the benchmark report.

    report.py SAMPLES.jsonl OUTDIR [--title TEXT] [--perf PERF.txt]

Writes OUTDIR/samples.json (every sample), OUTDIR/table.md (medians, min-max, ratios, costs
per I/O) and OUTDIR/chart.png (throughput as a fraction of native, with min-max bars; needs
gnuplot). With --perf (the PVPERF lines of a PVTEST_BENCH_PERF=1 run), also OUTDIR/profile.md:
dom0's time per I/O in its top symbols. Prints the tables.
"""
import json
import os
import statistics
import subprocess
import sys

# Every path bench.sh knows, in the table's order; a report shows those it has samples of.
BACKENDS = ("native", "intree", "pvback", "pvback-alt")
NAME = {"native": "native", "intree": "in-tree", "pvback": "pvback", "pvback-alt": "pvback-alt"}
# Chart titles; pvback-alt's gets the parameters it ran with.
TITLE = {"intree": "in-tree xen-blkback", "pvback": "pvblkback"}
ORDER = ("rr4k-qd1", "rr4k-qd32", "rw4k-qd32", "sr1m-qd4", "sw1m-qd4", "mix4k-qd16",
         "agg3-rr4k-qd32", "mq2-rr4k-qd32")
LABEL = {
    "rr4k-qd1": "4 KiB randread QD1",
    "rr4k-qd32": "4 KiB randread QD32",
    "rw4k-qd32": "4 KiB randwrite QD32",
    "sr1m-qd4": "1 MiB seq read QD4",
    "sw1m-qd4": "1 MiB seq write QD4",
    "mix4k-qd16": "4 KiB 70/30 read/write QD16",
    "agg3-rr4k-qd32": "3 guests, 4 KiB randread QD32 each",
    "mq2-rr4k-qd32": "2 vCPUs, 2 jobs 4 KiB randread QD16",
}


def throughput(wl, s):
    """The workload's headline number: MiB/s for 1 MiB blocks, IOPS otherwise."""
    if "1m" in wl:
        return s["bytes"] / s["secs"] / (1 << 20)
    return s["ios"] / s["secs"]


def unit(wl):
    return "MiB/s" if "1m" in wl else "IOPS"


def per_io(s, key, scale=1e6):
    """Per I/O; None when the sample lacks the counter (older runs) or had no I/O."""
    return s[key] * scale / s["ios"] if s.get(key) is not None and s["ios"] else None


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def spread(vals):
    vals = [v for v in vals if v is not None]
    return (min(vals), max(vals)) if vals else (None, None)


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:.{digits}f}"


def name(be):
    return NAME.get(be, be)


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def per_round(by, wl, be, ref):
    """Ratios of be to ref round by round: TCG's speed drifts less within a round."""
    a = {s["round"]: throughput(wl, s) for s in by.get((wl, be), [])}
    b = {s["round"]: throughput(wl, s) for s in by.get((wl, ref), [])}
    return " ".join(ratio(a[r], b[r]) for r in sorted(a) if r in b) or "-"


def option(args, flag, default):
    """The value of --flag VALUE in args (removed from them), else default."""
    if flag not in args:
        return default
    i = args.index(flag)
    value = args[i + 1]
    del args[i:i + 2]
    return value


def profile(path, by, bes, workloads, top=12):
    """profile.md: microseconds of dom0 per I/O in each place, median over rounds.

    A PVPERF line is "round backend workload hz samples place": perf sampled each vCPU hz
    times a second through the sample's window, so a place's time per I/O is samples / hz /
    the window's I/Os. The places are those of tools/testing/selftests/perf-keys.awk,
    "*" being all samples. The rows are the places costliest in any path.
    """
    cost = {}  # (wl, be, place) -> {round: us per I/O}
    with open(path) as f:
        for line in f:
            p = line.split(None, 5)
            if len(p) < 6:
                continue
            r, be, wl, hz, n, key = p
            s = next((x for x in by.get((wl, be), []) if x["round"] == int(r)), None)
            if s and s["ios"]:
                cost.setdefault((wl, be, key.strip()), {})[int(r)] = \
                    int(n) * 1e6 / int(hz) / s["ios"]
    # Busy time round by round, before the medians.
    for (wl, be, key), c in list(cost.items()):
        if key == "*":
            idle = cost.get((wl, be, "(idle)"), {})
            cost[(wl, be, "(busy)")] = {r: v - idle.get(r, 0.0) for r, v in c.items()}
    lines = ["# dom0 profile: microseconds per I/O by place", "",
             "perf record -a -g -e cpu-clock in dom0 through each window, median over rounds; a"
             " place missing from a round's top 40 counts as 0 there. Places: see"
             " tools/testing/selftests/perf-keys.awk.", ""]
    for wl in workloads:
        rounds = {x["round"] for be in bes for x in by.get((wl, be), [])}

        def us(be, key):
            c = cost.get((wl, be, key), {})
            return statistics.median([c.get(r, 0.0) for r in rounds]) if rounds else 0.0
        keys = {k for (w, b, k) in cost
                if w == wl and b in bes and k not in ("*", "(idle)", "(busy)", "(backend paths)")}
        if not keys:
            continue
        keys = sorted(keys, key=lambda k: -max(us(b, k) for b in bes))[:top]
        lines += [f"## {LABEL.get(wl, wl)}", "",
                  "| place | " + " | ".join(name(b) for b in bes) + " |",
                  "|---|" + "---|" * len(bes),
                  "| all samples | " + " | ".join(fmt(us(b, "*"), 1) for b in bes) + " |",
                  "| busy (not idle) | " + " | ".join(fmt(us(b, "(busy)"), 1) for b in bes) + " |",
                  "| in a backend's paths | " + " | ".join(fmt(us(b, "(backend paths)"), 1)
                                                         for b in bes) + " |"]
        lines += [f"| {k} | " + " | ".join(fmt(us(b, k), 1) for b in bes) + " |" for k in keys]
        lines.append("")
    return "\n".join(lines)


def main():
    args = sys.argv[1:]
    title = option(args, "--title", "pvblkback benchmark")
    perf = option(args, "--perf", None)
    if len(args) != 2:
        sys.exit(__doc__)
    src, out = args
    samples = []
    with open(src) as f:
        for line in f:
            line = line.strip()
            if line:
                samples.append(json.loads(line))
    if not samples:
        sys.exit("report: no samples in " + src)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "samples.json"), "w") as f:
        json.dump(samples, f, indent=1)

    by = {}
    for s in samples:
        by.setdefault((s["workload"], s["backend"]), []).append(s)
    present = {s["backend"] for s in samples}
    bes = [b for b in BACKENDS if b in present] + sorted(present - set(BACKENDS))
    ours = [b for b in bes if b.startswith("pvback")]
    alt = next((s.get("params", "") for s in samples if s["backend"] == "pvback-alt"), None)
    if alt is not None:
        TITLE["pvback-alt"] = f"pvblkback, {alt}"
    guests = [b for b in bes if b != "native"]
    workloads = [w for w in ORDER if any((w, b) in by for b in bes)]
    workloads += sorted({s["workload"] for s in samples} - set(workloads))
    rounds = max(s["round"] for s in samples)

    def stat(wl, be, fn):
        xs = [fn(s) for s in by.get((wl, be), [])]
        return med(xs), spread(xs)

    lines = [f"# {title}", "",
             f"{rounds} round(s) of {round(samples[0]['secs'])} s samples; median (min-max)." +
             (f" pvback-alt: pvblkback with {alt}." if alt is not None else ""), "",
             "| workload | unit | " + " | ".join(name(b) for b in bes) + " | " +
             " | ".join(f"{name(b)} / in-tree | per round | {name(b)} / native" for b in ours) + " |",
             "|---|---|" + "---|" * (len(bes) + 3 * len(ours))]
    chart = []
    for wl in workloads:
        cells, meds = [], {}
        for be in bes:
            m, (lo, hi) = stat(wl, be, lambda s, w=wl: throughput(w, s))
            meds[be] = (m, lo, hi)
            cells.append(f"{fmt(m)} ({fmt(lo)}-{fmt(hi)})" if m is not None else "-")
        for be in ours:
            cells.append(ratio(meds[be][0], meds.get("intree", (None,))[0]))
            cells.append(per_round(by, wl, be, "intree"))
            cells.append(ratio(meds[be][0], meds.get("native", (None,))[0]))
        lines.append(f"| {LABEL.get(wl, wl)} | {unit(wl)} | " + " | ".join(cells) + " |")
        n = meds.get("native", (None,))[0]
        if n:
            row = [wl]
            for be in guests:
                m, lo, hi = meds[be]
                row += [x / n if x is not None else 0 for x in (m, lo, hi)]
            chart.append(row)

    lines += ["", "Cost per I/O (medians): CPU time of dom0 and of the guest(s) in microseconds"
              " (Xen's accounting, `xl list`), event-channel notifications to the backend (dom0's"
              " interrupts) and to the guest (the guest's interrupts), requests the disk completed"
              " (after the block layer's merging).", "",
              "| workload | dom0 CPU us/IO " + " | ".join(name(b) for b in bes) + " | " +
              " | ".join(f"{name(b)} / in-tree" for b in ours) +
              " | guest CPU us/IO " + " | ".join(name(b) for b in guests) +
              " | events to backend /IO " + " | ".join(name(b) for b in guests) +
              " | events to guest /IO " + " | ".join(name(b) for b in guests) +
              " | disk requests /IO " + " | ".join(name(b) for b in bes) + " |",
              "|---|" + "---|" * (2 * len(bes) + len(ours) + 3 * len(guests))]
    for wl in workloads:
        def costs(key, scale=1e6):
            return {be: stat(wl, be, lambda s: per_io(s, key, scale))[0] for be in bes}
        d, g = costs("dom0_cpu"), costs("guest_cpu")
        eb, eg = costs("ev_to_backend", 1), costs("ev_to_guest", 1)
        dq = costs("disk_reqs", 1)
        cells = [fmt(d[b]) for b in bes] + [ratio(d[b], d.get("intree")) for b in ours]
        cells += [fmt(g[b]) for b in guests]
        cells += [fmt(eb[b], 2) for b in guests] + [fmt(eg[b], 2) for b in guests]
        cells += [fmt(dq[b], 2) for b in bes]
        lines.append(f"| {LABEL.get(wl, wl)} | " + " | ".join(cells) + " |")
    table = "\n".join(lines) + "\n"
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(table)
    print(table)
    if perf:
        prof = profile(perf, by, bes, workloads)
        with open(os.path.join(out, "profile.md"), "w") as f:
            f.write(prof)
        print(prof)

    if chart:
        dat = os.path.join(out, "chart.dat")
        with open(dat, "w") as f:
            for row in chart:
                f.write(row[0] + " " + " ".join(f"{x:.4f}" for x in row[1:]) + "\n")
        series = ", ".join(
            (f'"{dat}" using 2:3:4:xtic(1)' if i == 0 else f'"" using {2 + 3 * i}:{3 + 3 * i}:{4 + 3 * i}')
            + f' title "{TITLE.get(be, be)}"' for i, be in enumerate(guests))
        plot = f"""
set terminal pngcairo size 1000,520 font ",10"
set output "{os.path.join(out, 'chart.png')}"
set title "{title}: throughput as a fraction of dom0-native (median, min-max)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set yrange [0:*]
set grid ytics
set xtics rotate by -20
set key top right
plot {series}
"""
        try:
            subprocess.run(["gnuplot"], input=plot, text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"report: no chart ({e})", file=sys.stderr)


if __name__ == "__main__":
    main()
