#!/usr/bin/env python3
"""vm_summary.py RAW.tsv SUMMARY.md [RESULTS.md] : tables from bench/vm_bench.sh's raw output.

Per-VM medians (range over repetitions), ratios peer/berth computed within each repetition, berth's
no-op plan / add-one / peak RSS, and the issue's targets (met or not). Rewrites only the section between
the vm_bench markers of RESULTS.md (appends it when absent); other sections are left as they are.
"""
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

BEGIN, END = "<!-- vm_bench:begin -->", "<!-- vm_bench:end -->"


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(xs, digits=2):
    if not xs:
        return "-"
    m = med(xs)
    if len(xs) == 1:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ({min(xs):.{digits}f}-{max(xs):.{digits}f})"


def main():
    raw, summary = sys.argv[1], sys.argv[2]
    results = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    per_vm = defaultdict(dict)   # (method, n, metric) -> {rep: per_vm_ms}
    total = defaultdict(dict)    # (method, n, metric) -> {rep: total_ms}
    notes = defaultdict(dict)    # (method, n, key) -> {rep: value}
    for line in open(raw):
        f = line.rstrip("\n").split("\t")
        if f[0] == "R":
            _, m, n, r, k, t, pv = f
            per_vm[(m, int(n), k)][int(r)] = float(pv)
            total[(m, int(n), k)][int(r)] = float(t)
        elif f[0] == "NOTE":
            _, m, n, r, k, v = f
            notes[(m, int(n), k)][int(r)] = v
    ns = sorted({k[1] for k in per_vm})
    methods = [m for m in ["berth", "C", "B", "A"] if any(k[0] == m for k in per_vm)]
    reps = {n: sorted({r for k, d in per_vm.items() if k[1] == n for r in d}) for n in ns}

    out = []
    w = out.append
    w("### Per-VM wall time, ms (median over repetitions, range in parentheses; repetitions per N: "
      + ", ".join(f"N={n}: {len(reps[n])}" for n in ns) + ")\n")
    w("| method | metric | " + " | ".join(f"N={n}" for n in ns) + " |")
    w("|---|---|" + "---:|" * len(ns))
    names = {"berth": "berth", "C": "C `ip -batch`", "B": "B shell", "A": "A CNI"}
    for m in methods:
        for metric in ["create", "create.cpu", "teardown.sync", "teardown", "teardown.cpu"]:
            if not any(per_vm[(m, n, metric)] for n in ns):
                continue
            w(f"| {names[m]} | {metric} | " + " | ".join(
                fmt(list(per_vm[(m, n, metric)].values()), 3) for n in ns) + " |")
    w("\n`teardown` is until the kernel has removed every host-side veth (async netns cleanup included); "
      "`teardown.sync` is until the command(s) returned. `.cpu` rows: berth's user+sys CPU time "
      "(GNU time), which the machine's load does not inflate the way it inflates wall time.\n")

    w("### Ratios peer / berth, computed within each repetition (median, range)\n")
    w("| ratio | target | " + " | ".join(f"N={n}" for n in ns) + " |")
    w("|---|---:|" + "---:|" * len(ns))
    target = {"A": 50, "B": 40, "C": 8}
    for m in [x for x in methods if x != "berth"]:
        for metric in ["create", "teardown"]:
            cells = []
            for n in ns:
                b, p = per_vm[("berth", n, metric)], per_vm[(m, n, metric)]
                xs = [p[r] / b[r] for r in p if r in b and b[r] > 0]
                cells.append(fmt(xs, 1))
            tgt = f"≥{target[m]}" if metric == "create" else ""
            w(f"| {m}/berth {metric} | {tgt} | " + " | ".join(cells) + " |")

    w("\n### berth: whole-process commands, ms (median over repetitions; no-op plan = median of 5 runs each)\n")
    w("| metric | " + " | ".join(f"N={n}" for n in ns) + " |")
    w("|---|" + "---:|" * len(ns))
    for metric, label in [("noop_plan", "no-op `berth plan` (observe + plan)"),
                          ("noop_plan.cpu", "no-op `berth plan`, user+sys CPU"),
                          ("add_one", "`berth apply` adding one VM to N"),
                          ("add_one.cpu", "`berth apply` adding one VM, user+sys CPU")]:
        w(f"| {label} | " + " | ".join(fmt(list(total[("berth", n, metric)].values()), 1) for n in ns) + " |")
    for key in ["rss_kb.apply", "rss_kb.plan", "rss_kb.add_one", "rss_kb.destroy"]:
        w(f"| peak RSS {key[7:]}, MB | " + " | ".join(
            fmt([int(v) / 1024 for v in notes[("berth", n, key)].values()], 1) for n in ns) + " |")
    loads = [float(v) for k, d in notes.items() if k[2] == "loadavg_before" for v in d.values()]
    if loads:
        w(f"\n1-minute load average before each run: median {med(loads):.1f}, range "
          f"{min(loads):.1f}-{max(loads):.1f} (2 vCPUs).\n")

    # targets
    w("### Targets\n")
    w("| target | measured | met |")
    w("|---|---|---|")

    def row(name, val, ok):
        w(f"| {name} | {val} | {'yes' if ok else ('**no**' if ok is not None else 'not measured')} |")

    def mv(m, n, k, src=per_vm):
        return med(list(src[(m, n, k)].values()))

    for n in ns:
        c = mv("berth", n, "create")
        if c is not None:
            row(f"create N={n} ≤ 2 ms/VM", f"{c:.3f} ms/VM", c <= 2)
        t = mv("berth", n, "teardown")
        if t is not None:
            row(f"teardown N={n} ≤ 1.5 ms/VM", f"{t:.3f} ms/VM", t <= 1.5)
    for n, lim in [(400, 40), (1000, 100)]:
        v = mv("berth", n, "noop_plan", total)
        row(f"no-op reconcile N={n} ≤ {lim} ms", f"{v:.1f} ms" if v else "-", (v <= lim) if v else None)
    v = mv("berth", 1000, "add_one", total)
    row("add one VM to 1,000 ≤ 150 ms", f"{v:.1f} ms" if v else "-", (v <= 150) if v else None)
    lo, hi = min(ns), max(ns)
    a, b = mv("berth", lo, "create"), mv("berth", hi, "create")
    if a and b and lo != hi:
        row(f"per-VM create flat N={lo}→{hi} (≤ +25 %)", f"{a:.3f} → {b:.3f} ms ({b / a:.2f}×)", b / a <= 1.25)
    rss = [int(v) for k, d in notes.items() if k[0] == "berth" and k[1] == hi and k[2].startswith("rss_kb")
           for v in d.values()]
    if rss:
        row(f"peak RSS at N={hi} ≤ 50 MB", f"{max(rss) / 1024:.1f} MB", max(rss) <= 50 * 1024)
    for m in ["A", "B", "C"]:
        for n in ns:
            bb, p = per_vm[("berth", n, "create")], per_vm[(m, n, "create")]
            xs = [p[r] / bb[r] for r in p if r in bb and bb[r] > 0]
            if xs:
                row(f"{m}/berth create N={n} ≥ {target[m]}×", f"{med(xs):.1f}×", med(xs) >= target[m])
    text = "\n".join(out) + "\n"
    with open(summary, "w") as fh:
        fh.write(text)
    print(text)

    if results:
        kernel = platform.release()
        cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                             capture_output=True, text=True).stdout.strip()
        mem = subprocess.run(["sh", "-c", "awk '/MemTotal/{printf \"%.0f GiB\", $2/1048576}' /proc/meminfo"],
                             capture_output=True, text=True).stdout.strip()
        cmd = " ".join(f"{k}=\"{os.environ[k]}\"" for k in ["NS", "REPS", "METHODS", "SLOW_MAX_N"]
                       if k in os.environ) + " bench/vm_bench.sh"
        section = (f"{BEGIN}\n## VM networking create/teardown/no-op vs peers (bench/vm_bench.sh)\n\n"
                   f"Machine: kernel {kernel}, {os.cpu_count()} CPUs ({cpu}), {mem}, shared and noisy.\n"
                   f"Command (as root): `{cmd}`; raw data: `bench/results/raw.tsv`.\n\n{text}{END}\n")
        body = open(results).read() if os.path.exists(results) else "# Benchmark results\n"
        if BEGIN in body and END in body:
            pre, rest = body.split(BEGIN, 1)
            post = rest.split(END, 1)[1].lstrip("\n")
            body = pre + section + post
        else:
            body = body.rstrip("\n") + "\n\n" + section
        with open(results, "w") as fh:
            fh.write(body)


if __name__ == "__main__":
    main()
