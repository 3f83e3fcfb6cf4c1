#!/usr/bin/env python3
"""Markdown summary of bench/bgp-ingest output directories: medians with
min/max over the runs, bytes per route above idle, CPU seconds, and the
ferry/peer ratios. Usage: ingest-summary.py OUTDIR[:RECEIVER,...] ...
(several directories are merged; ":bird,frr" takes only those receivers from
that one, e.g. a ferry-only run beside the peers of an earlier run)."""
import csv
import os
import statistics
import sys
from collections import defaultdict

PEERS = [("bird", "BIRD"), ("frr", "FRR bgpd"), ("gobgp", "GoBGP")]
FERRY_STAGES = [("bgpd", "ferry bgpd Loc-RIB"), ("vrfmgr", "ferry vrfmgr VRFs"),
                ("fwd", "ferry fwd FIB")]


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def size_name(n):
    n = int(n)
    return f"{n // 1000000}M" if n % 1000000 == 0 else f"{n // 1000}k"


def cell(vals, fmt="{:.2f}"):
    """vals: list of (value, ok). Median (min–max) of the finished runs."""
    ok = [v for v, good in vals if good]
    if not vals:
        return "–"
    if not ok:
        return f"did not finish in {max(v for v, _ in vals):.0f} s"
    s = fmt.format(statistics.median(ok))
    if len(ok) > 1:
        s += f" ({fmt.format(min(ok))}–{fmt.format(max(ok))})"
    if len(ok) < len(vals):
        s += f", {len(vals) - len(ok)}/{len(vals)} timed out"
    return s


def median_ok(vals):
    """Median of the runs that finished (None when none did)."""
    ok = [v for v, good in vals if good]
    return statistics.median(ok) if ok else None


def load(args, name, optional=False):
    rows = []
    for a in args:
        d, _, only = a.partition(":")
        keep = set(only.split(",")) if only else None
        if optional and not os.path.exists(f"{d}/{name}"):
            continue  # written by later versions of the benchmark only
        new = [r for r in read(f"{d}/{name}") if keep is None or r["receiver"] in keep]
        for r in new:  # runs of different directories are different runs
            r["run"] = f"{d}#{r['run']}"
        rows += new
    return rows


def withdraw_cpu(dirs, head, sep, cols, name="cpu_withdraw.tsv", col="cpu_s",
                 title="CPU seconds (user+system) during withdraw-all"):
    """Seconds per process during withdraw-all: CPU (cpu_withdraw.tsv), or
    on CPU and waiting for one (sched_withdraw.tsv, /proc/PID/schedstat)."""
    rows = load(dirs, name, optional=True)
    if not rows:
        return
    cpu = defaultdict(list)
    tot = defaultdict(lambda: defaultdict(float))
    for r in rows:
        cpu[(r["receiver"], r["process"], r["mode"], r["routes"])].append((float(r[col]), True))
        if r["receiver"] == "ferry":
            tot[(r["mode"], r["routes"])][r["run"]] += float(r[col])
    procs = sorted({(r["receiver"], r["process"]) for r in rows if r["receiver"] != "sink"},
                   key=lambda p: (p[0] != "ferry", p[0], ["bgpd", "vrfmgr", "fwd"].index(p[1])
                                  if p[1] in ("bgpd", "vrfmgr", "fwd") else 9))
    print(f"### {title}\n\n{head}\n{sep}")
    for rcv, p in procs:
        print(f"| {rcv} {p} | " + " | ".join(cell(cpu[(rcv, p, m, n)]) for m, n in cols) + " |")
    if tot:
        print("| ferry total | " + " | ".join(cell([(v, True) for v in tot[c].values()])
                                              for c in cols) + " |")
    print()


def main(dirs):
    res = load(dirs, "results.tsv")
    mem = load(dirs, "memory.tsv")
    # a run that timed out holds no meaningful memory/CPU figure
    late = {(r["receiver"], r["mode"], r["routes"], r["run"]) for r in res
            if r["status"] != "ok" and not r["stage"].startswith("withdraw_")}
    mem = [m for m in mem if (m["receiver"], m["mode"], m["routes"], m["run"]) not in late]
    times = defaultdict(list)  # (receiver, stage, mode, n) -> [(s, ok)]
    for r in res:
        times[(r["receiver"], r["stage"], r["mode"], r["routes"])].append(
            (float(r["seconds"]), r["status"] == "ok"))
    cols = sorted({(r["mode"], r["routes"]) for r in res}, key=lambda c: (c[0], int(c[1])))
    receivers = {r["receiver"] for r in res}
    head = "| | " + " | ".join(f"{m} {size_name(n)}" for m, n in cols) + " |"
    sep = "|---" * (len(cols) + 1) + "|"

    def rows(prefix):
        out_rows = []
        if "ferry" in receivers:
            for st, name in FERRY_STAGES:
                if any(k[0] == "ferry" and k[1] == prefix + st for k in times):
                    out_rows.append((name, "ferry", prefix + st))
        for key, name in PEERS + [("sink", "sink (bgp-sender --sink)")]:
            if key in receivers:
                out_rows.append((name, key, prefix + "rib"))
            if any(k[0] == key and k[1] == prefix + "settled" for k in times):
                out_rows.append((name + ", settled (idle again)", key, prefix + "settled"))
        return out_rows

    for title, prefix in (("Ingest: seconds from Established until the RIB holds all routes",
                           ""), ("Withdraw-all: seconds until the RIB is empty", "withdraw_")):
        print(f"### {title}\n\nmedian (min–max) over the runs\n\n{head}\n{sep}")
        for name, rcv, st in rows(prefix):
            print(f"| {name} | " + " | ".join(cell(times[(rcv, st, m, n)]) for m, n in cols) + " |")
        print()

    bpr = defaultdict(list)  # (receiver, process, mode, n) -> [bytes/route]
    hwm = defaultdict(list)
    cpu = defaultdict(list)
    runs = defaultdict(lambda: defaultdict(float))  # ferry total per run
    for m in mem:
        n = int(m["routes"])
        key = (m["receiver"], m["process"], m["mode"], m["routes"])
        above = (int(m["rss_kb"] or 0) - int(m["idle_kb"] or 0)) * 1024 / n
        bpr[key].append((above, True))
        hwm[key].append(((int(m["hwm_kb"] or 0) - int(m["idle_kb"] or 0)) * 1024 / n, True))
        cpu[key].append((float(m["cpu_s"]), True))
        rk = (m["receiver"], m["mode"], m["routes"], m["run"])
        runs[rk]["rss"] += above
        runs[rk]["cpu"] += float(m["cpu_s"])
    procs = sorted({(m["receiver"], m["process"]) for m in mem},
                   key=lambda p: (p[0] != "ferry", p[0], ["bgpd", "vrfmgr", "fwd"].index(p[1])
                                  if p[1] in ("bgpd", "vrfmgr", "fwd") else 9))
    for title, table, fmt in (("Memory above idle after ingest, bytes per route (VmRSS − idle VmRSS)", bpr, "{:.0f}"),
                              ("Peak memory above idle, bytes per route (VmHWM − idle VmRSS)", hwm, "{:.0f}"),
                              ("CPU seconds (user+system) from idle until ingest complete", cpu, "{:.2f}")):
        print(f"### {title}\n\n{head}\n{sep}")
        for rcv, p in procs:
            if rcv == "sink":
                continue
            print(f"| {rcv} {p} | " + " | ".join(cell(table[(rcv, p, m, n)], fmt) for m, n in cols) + " |")
        if "ferry" in receivers and table is not hwm:
            k = "rss" if table is bpr else "cpu"
            tot = {c: [(v[k], True) for rk, v in runs.items() if rk[0] == "ferry" and rk[1:3] == c]
                   for c in cols}
            print("| ferry total | " + " | ".join(cell(tot[c], fmt) for c in cols) + " |")
        print()

    withdraw_cpu(dirs, head, sep, cols)
    withdraw_cpu(dirs, head, sep, cols, "sched_withdraw.tsv", "runq_wait_s",
                 "Seconds runnable but waiting for a CPU during withdraw-all (schedstat: "
                 "the other processes' share of the cores)")
    if "ferry" not in receivers:
        return
    targets(times, bpr, runs, receivers)
    if not any(key in receivers for key, _ in PEERS):
        return
    print(f"### Ratios ferry / peer (median times; < 1 means ferry is faster)\n\n{head}\n{sep}")
    for st, sname in (("bgpd", "bgpd Loc-RIB"), ("fwd", "fwd FIB"), ("withdraw_bgpd", "withdraw bgpd")):
        for key, pname in PEERS:
            if key not in receivers:
                continue
            pst = "withdraw_rib" if st.startswith("withdraw") else "rib"
            vals = []
            for m, n in cols:
                f, p = median_ok(times[("ferry", st, m, n)]), median_ok(times[(key, pst, m, n)])
                vals.append(f"{f / p:.2f}" if f is not None and p else "–")
            print(f"| {sname} / {pname} | " + " | ".join(vals) + " |")
    print()


def targets(times, bpr, runs, receivers):
    """Issue 7's targets, at 1M routes with a label per prefix."""
    col = ("per-prefix", "1000000")
    med = lambda rcv, st: median_ok(times[(rcv, st) + col])
    mem = lambda p: median_ok(bpr[("ferry", p) + col])
    suite = [v["rss"] for rk, v in runs.items() if rk[0] == "ferry" and rk[1:3] == col]
    bird, bgpd, fwd = med("bird", "rib"), med("ferry", "bgpd"), med("ferry", "fwd")
    wd = med("ferry", "withdraw_fwd") or med("ferry", "withdraw_vrfmgr")
    rows = []
    if bird is not None and "bird" in receivers:
        rows.append(("bgpd Loc-RIB ≤ ⅓ of BIRD's time", f"≤ {bird / 3:.2f} s", bgpd,
                     bgpd is not None and bgpd <= bird / 3, "{:.2f} s"))
        rows.append(("fwd FIB complete < BIRD's RIB-only time", f"< {bird:.2f} s", fwd,
                     fwd is not None and fwd < bird, "{:.2f} s"))
    b = mem("bgpd")
    rows.append(("bgpd ≤ 200 B/route", "≤ 200", b, b is not None and b <= 200, "{:.0f}"))
    sm = statistics.median(suite) if suite else None
    rows.append(("whole suite ≤ 400 B/route", "≤ 400", sm, sm is not None and sm <= 400, "{:.0f}"))
    rows.append(("withdraw-all of 1M ≤ 1 s (through fwd)", "≤ 1 s", wd,
                 wd is not None and wd <= 1, "{:.2f} s"))
    print("### Issue 7 targets (1M routes, label per prefix, medians)\n")
    print("| target | limit | ferry | |\n|---|---|---|---|")
    for name, limit, val, ok, fmt in rows:
        shown = fmt.format(val) if val is not None else "did not finish"
        print(f"| {name} | {limit} | {shown} | {'met' if ok else 'missed'} |")
    print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
