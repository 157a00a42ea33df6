#!/usr/bin/env python3
"""Report of one side-by-side run: docs/benchmarks/RESULTS.md and PNG plots from its JSON lines.

Usage:
  side-by-side-report.py RUN.jsonl [--machine RUN.machine.txt] [--out docs/benchmarks]
  side-by-side-report.py --brief '<one JSON line>'      (one-line summary, for progress output)

Every ratio is computed from runs of the same file (same machine, same session, interleaved), as
median(ours) / median(theirs), with the per-repetition ratios (i-th run of each) beside it.
"""
import argparse
import json
import os
import statistics
import sys
from collections import OrderedDict

MAIN = {
    "S1-durable-throughput": ("calls_per_s", "calls/s"),
    "S1-limit-autocommit": ("calls_per_s", "calls/s"),
    "S1-limit-groupcommit": ("increments_per_s", "incr/s"),
    "S1-limit-sqlite": ("increments_per_s", "incr/s"),
    "S1-limit-redis": ("calls_per_s", "calls/s"),
    "S2-cold-activation": ("activations_per_s", "activations/s"),
    "S2-limit": ("rows_per_s", "rows/s"),
    "S3-memory": ("bytes_per_active_entity", "B/active server"),
    "S4-inmemory-throughput": ("calls_per_s", "calls/s"),
}
SCENARIO_ORDER = ["S1-durable-throughput", "S1-limit-autocommit", "S1-limit-groupcommit", "S1-limit-sqlite",
                  "S1-limit-redis", "S2-cold-activation", "S2-limit", "S4-inmemory-throughput", "S3-memory"]


def variant(d):
    """The row a run belongs to within its implementation; runs of the external harnesses get their own rows."""
    v = base_variant(d)
    if d.get("harness") == "external":
        v = (v + " (external)").strip()
    return v


def base_variant(d):
    impl = d["impl"]
    if impl == "pgs":
        v = d.get("store", "?")
        if d.get("write_mode") not in (None, "write-through"):
            v += " " + d["write_mode"]
        return v
    if impl == "pekko":
        if "s4_mode" in d:
            return d["s4_mode"]
        if "kind" in d:
            return d["kind"]
        return "durable jdbc" if d["scenario"].startswith("S1") or d["scenario"].startswith("S2") else ""
    if impl == "jdbc-limit":
        if "batch_style" in d:
            return f"{d['batch_style']} B={d.get('B')}"
        return "postgresql"
    if impl == "sqlite-limit":
        return f"B={d.get('B')} sync={d.get('sqlite_synchronous')}"
    if impl == "redis-limit":
        return d.get("redis_op", "")
    return ""


def label(impl, var):
    return f"{impl} {var}".strip()


def lat(d, q):
    for p in ("", "batch_"):
        k = f"{p}{q}_us"
        if k in d:
            return d[k]
    return None


def fmt(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, float) and digits:
        return f"{x:,.{digits}f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.3g}"


def ms(us):
    return "–" if us is None else (f"{us / 1000:.2f}" if us < 10000 else f"{us / 1000:.0f}")


def brief(line):
    d = json.loads(line)
    m, unit = MAIN.get(d["scenario"], ("calls_per_s", ""))
    parts = [f"{d['scenario']} [{variant(d)}] {fmt(d.get(m))} {unit}"]
    if d["scenario"] == "S3-memory":
        parts.append(f"after petrify {d.get('bytes_per_entity_after_passivation')} B")
    if lat(d, "p50") is not None:
        parts.append(f"p50 {ms(lat(d, 'p50'))} ms, p99 {ms(lat(d, 'p99'))} ms")
    if "cpu_busy_pct" in d:
        parts.append(f"cpu {d['cpu_busy_pct']}%")
    if "verify" in d:
        parts.append(f"verify {d['verify']}")
    return "; ".join(parts)


def load(path):
    groups = OrderedDict()
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            d = json.loads(line)
            runs.append(d)
            groups.setdefault((d["scenario"], d["impl"], variant(d)), []).append(d)
    ordered = OrderedDict(sorted(groups.items(), key=lambda kv: (
        SCENARIO_ORDER.index(kv[0][0]) if kv[0][0] in SCENARIO_ORDER else 99, kv[0][1] != "pgs", kv[0][1], kv[0][2])))
    return runs, ordered


def med(rs, key):
    vals = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def med_lat(rs, q):
    vals = [lat(r, q) for r in rs if lat(r, q) is not None]
    return statistics.median(vals) if vals else None


def find(groups, scenario, impl, var):
    return groups.get((scenario, impl, var), [])


def ratio(groups, ours, theirs):
    """(median ratio, [per-repetition ratios]) of the main metric, or (None, [])."""
    a = find(groups, *ours)
    b = find(groups, *theirs)
    if not a or not b:
        return None, []
    ka = MAIN[ours[0]][0]
    kb = MAIN[theirs[0]][0]
    ma, mb = med(a, ka), med(b, kb)
    if not ma or not mb:
        return None, []
    if all("rep" in r for r in a + b):
        theirs_by_rep = {y["rep"]: y for y in b}
        pairs = [(x, theirs_by_rep[x["rep"]]) for x in a if x["rep"] in theirs_by_rep]
    else:
        pairs = list(zip(a, b))
    per = [x[ka] / y[kb] for x, y in pairs if y.get(kb)]
    return ma / mb, per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl", nargs="?")
    ap.add_argument("--brief")
    ap.add_argument("--machine")
    ap.add_argument("--out", default="docs/benchmarks")
    a = ap.parse_args()
    if a.brief:
        print(brief(a.brief))
        return
    runs, groups = load(a.jsonl)
    os.makedirs(a.out, exist_ok=True)
    machine = open(a.machine).read().strip() if a.machine and os.path.exists(a.machine) else ""

    # ---------------------------------------------------------------- targets and ratios
    S1, S2, S4, S3 = "S1-durable-throughput", "S2-cold-activation", "S4-inmemory-throughput", "S3-memory"
    pairs = [
        ("S1 PostgreSQL write-through vs Pekko", (S1, "pgs", "postgres"), (S1, "pekko", "durable jdbc"), 25.0),
        ("S1 PostgreSQL write-through vs autocommit limit", (S1, "pgs", "postgres"),
         ("S1-limit-autocommit", "jdbc-limit", "postgresql"), 3.0),
        ("S1 PostgreSQL write-through vs group-commit bound (unnest, B=256)", (S1, "pgs", "postgres"),
         ("S1-limit-groupcommit", "jdbc-limit", "unnest B=256"), None),
        ("S1 SQLite vs SQLite batched-commit limit", (S1, "pgs", "sqlite"),
         ("S1-limit-sqlite", "sqlite-limit", "B=64 sync=FULL"), 0.7),
        ("S1 Redis vs Redis limit (EVALSHA, pipelined)", (S1, "pgs", "redis"),
         ("S1-limit-redis", "redis-limit", "evalsha"), None),
        ("S2 from PostgreSQL vs single-key read limit", (S2, "pgs", "postgres"), ("S2-limit", "jdbc-limit", "postgresql"), 1.0),
        ("S2 from PostgreSQL vs Pekko", (S2, "pgs", "postgres"), (S2, "pekko", "durable jdbc"), None),
        ("S4 ephemeral servers vs Pekko sharded", (S4, "pgs", "ephemeral"), (S4, "pekko", "sharded"), 1.5),
        ("S4 in-memory store vs Pekko sharded", (S4, "pgs", "memory"), (S4, "pekko", "sharded"), 1.5),
        ("S4 ephemeral servers vs Pekko direct ActorRef", (S4, "pgs", "ephemeral"), (S4, "pekko", "direct"), None),
    ]
    ratio_rows = []
    for name, ours, theirs, target in pairs:
        r, per = ratio(groups, ours, theirs)
        if r is None:
            continue
        ok = None if target is None else r >= target
        ratio_rows.append((name, r, per, target, ok))
    s3 = find(groups, S3, "pgs", "sqlite") or next(
        (g for k, g in groups.items() if k[0] == S3 and k[1] == "pgs"), [])
    mem_rows = []
    if s3:
        active = med(s3, "bytes_per_active_entity")
        after = med(s3, "bytes_per_entity_after_passivation")
        mem_rows.append(("S3 heap per active counter server", f"{fmt(active)} B", "≤ 1,000 B", active <= 1000))
        mem_rows.append(("S3 heap retained per petrified server", f"{fmt(after)} B", "≈ 0 (≤ 10 B: GC noise)",
                         after <= 10))

    # ---------------------------------------------------------------- markdown
    md = []
    md.append("# Benchmark results: PersistentGenServer beside Apache Pekko and the stores' own limits\n")
    md.append(f"Generated by `bench/side-by-side.sh` from `results/{os.path.basename(a.jsonl)}` "
              f"({len(runs)} runs). Method, commands and caveats: [README.md](README.md).\n")
    if machine:
        md.append("## Machine and session\n")
        md.append("```\n" + machine + "\n```\n")
    md.append("## Targets\n")
    md.append("| target | required | measured (median ratio) | per repetition | met? |")
    md.append("|---|---|---|---|---|")
    for name, r, per, target, ok in ratio_rows:
        if target is None:
            continue
        md.append(f"| {name} | ≥ {target:g}× | **{r:.2f}×** | {', '.join(f'{p:.2f}' for p in per)} | "
                  f"{'met' if ok else '**missed**'} |")
    for name, measured, req, ok in mem_rows:
        md.append(f"| {name} | {req} | **{measured}** | | {'met' if ok else '**missed**'} |")
    md.append("")
    md.append("## Other ratios (same run)\n")
    md.append("| comparison | median ratio | per repetition |")
    md.append("|---|---|---|")
    for name, r, per, target, ok in ratio_rows:
        if target is None:
            md.append(f"| {name} | {r:.2f}× | {', '.join(f'{p:.2f}' for p in per)} |")
    md.append("")
    cross = []
    for (sc, impl, var), rs in groups.items():
        if not var.endswith("(external)"):
            continue
        own = find(groups, sc, impl, var[:-len("(external)")].strip())
        key = MAIN.get(sc, ("calls_per_s",))[0]
        if own and med(own, key) and med(rs, key):
            cross.append((sc, label(impl, var[:-len("(external)")].strip()), med(own, key), med(rs, key),
                          sorted(r[key] for r in own if r.get(key)), sorted(r[key] for r in rs if r.get(key))))
    if cross:
        md.append("## Cross-check: the repository's peers against the external harnesses\n")
        md.append("Same scenarios, same session, interleaved; ratio of medians (repository / external), with each "
                  "side's range:\n")
        md.append("| scenario | implementation | repository (median) | external (median) | ratio | repository range | external range |")
        md.append("|---|---|---|---|---|---|---|")
        for sc, name, a_, b_, ra, rb in cross:
            md.append(f"| {sc} | {name} | {fmt(a_)} | {fmt(b_)} | {a_ / b_:.2f} | {fmt(ra[0])}–{fmt(ra[-1])} | "
                      f"{fmt(rb[0])}–{fmt(rb[-1])} |")
        md.append("")
    md.append("## Medians (every run in parentheses)\n")
    md.append("| scenario | implementation | runs | throughput, median (each run) | p50 / p99 / p99.9 ms (median) | CPU busy % | verify |")
    md.append("|---|---|---|---|---|---|---|")
    for (sc, impl, var), rs in groups.items():
        key, unit = MAIN.get(sc, ("calls_per_s", ""))
        vals = [r.get(key) for r in rs]
        each = "; ".join(fmt(v) for v in vals)
        verify = ",".join(sorted(set(r.get("verify", "–") for r in rs)))
        if sc == S3:
            after = med(rs, "bytes_per_entity_after_passivation")
            thr = (f"**{fmt(med(rs, key))} {unit}** ({each}); after petrify/passivation "
                   f"{fmt(after)} B; activation {fmt(med(rs, 'activations_per_s'))}/s")
            latcol = f"heap {fmt(med(rs, 'heap_base_mb'))} → {fmt(med(rs, 'heap_active_mb'))} → " \
                     f"{fmt(med(rs, 'heap_after_passivation_mb'))} MB"
        else:
            thr = f"**{fmt(med(rs, key))} {unit}** ({each})"
            if sc in ("S1-limit-groupcommit", "S1-limit-sqlite"):
                thr += f" = {fmt(med(rs, 'commits_per_s'))} commits/s"
            latcol = f"{ms(med_lat(rs, 'p50'))} / {ms(med_lat(rs, 'p99'))} / {ms(med_lat(rs, 'p999'))}"
            if sc in ("S1-limit-groupcommit", "S1-limit-sqlite"):
                latcol += " (per batch)"
        md.append(f"| {sc} | {label(impl, var)} | {len(rs)} | {thr} | {latcol} | {fmt(med(rs, 'cpu_busy_pct'))} | {verify} |")
    md.append("")
    md.append("## Spread (noise)\n")
    md.append("max/min of the main metric over the repetitions of each row:\n")
    spread = []
    for (sc, impl, var), rs in groups.items():
        key = MAIN.get(sc, ("calls_per_s",))[0]
        vals = [r[key] for r in rs if r.get(key)]
        if len(vals) > 1 and min(vals) > 0:
            spread.append(f"{label(impl, var)} {sc}: {max(vals) / min(vals):.2f}")
    md.append("; ".join(spread) if spread else "single repetition: no spread measured")
    md.append("")
    md.append("## Plots\n")
    md.append("![throughput](throughput.png)\n")
    md.append("![latency](latency.png)\n")
    md.append("![memory](memory.png)\n")
    md.append("## Every run\n")
    md.append("| # | scenario | implementation | main metric | p50 ms | p99 ms | p99.9 ms | CPU % | errors | verify |")
    md.append("|---|---|---|---|---|---|---|---|---|---|")
    for i, d in enumerate(runs, 1):
        key, unit = MAIN.get(d["scenario"], ("calls_per_s", ""))
        extra = ""
        if d["scenario"] == S3:
            extra = f", {d.get('bytes_per_entity_after_passivation')} B after"
        md.append(f"| {i} | {d['scenario']} | {label(d['impl'], variant(d))} | {fmt(d.get(key))} {unit}{extra} | "
                  f"{ms(lat(d, 'p50'))} | {ms(lat(d, 'p99'))} | {ms(lat(d, 'p999'))} | {d.get('cpu_busy_pct', '–')} | "
                  f"{d.get('errors', d.get('activation_errors', '–'))} | {d.get('verify', '–')} |")
    md.append("")
    with open(os.path.join(a.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(md))

    plots(groups, a.out)


def plots(groups, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"pgs": "#1f77b4", "pekko": "#d62728", "jdbc-limit": "#7f7f7f", "sqlite-limit": "#8c564b",
              "redis-limit": "#9467bd"}

    # throughput
    rows = [(k, rs) for k, rs in groups.items() if k[0] != "S3-memory"]
    if rows:
        fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.5))
        names, vals, lo, hi, cols = [], [], [], [], []
        for (sc, impl, var), rs in rows:
            key, unit = MAIN.get(sc, ("calls_per_s", ""))
            v = [r[key] for r in rs if r.get(key)]
            m = statistics.median(v)
            names.append(f"{sc.split('-')[0]}{'-limit' if 'limit' in sc else ''}  {label(impl, var)}  ({unit})")
            vals.append(m)
            lo.append(m - min(v))
            hi.append(max(v) - m)
            cols.append(colors.get(impl, "#2ca02c"))
        y = list(range(len(rows)))[::-1]
        ax.barh(y, vals, xerr=[lo, hi], color=cols, capsize=3)
        ax.set_yticks(y)
        ax.set_yticklabels(names, fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("median throughput (log scale; whiskers: min–max of repetitions)")
        for yy, v in zip(y, vals):
            ax.text(v, yy, f" {v:,.0f}", va="center", fontsize=7)
        ax.set_title("Throughput: ours (blue), Pekko (red), store limits (grey/brown/purple)")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "throughput.png"), dpi=110)
        plt.close(fig)

    # latency percentiles
    rows = [(k, rs) for k, rs in groups.items() if k[0] != "S3-memory" and med_lat(rs, "p50") is not None]
    if rows:
        fig, ax = plt.subplots(figsize=(10, 0.5 * len(rows) + 1.5))
        y = list(range(len(rows)))[::-1]
        h = 0.27
        for i, (q, c) in enumerate((("p50", "#9ecae1"), ("p99", "#3182bd"), ("p999", "#08519c"))):
            ax.barh([yy + (1 - i) * h for yy in y], [med_lat(rs, q) / 1000 for _, rs in rows], height=h, color=c,
                    label=q.replace("p999", "p99.9"))
        ax.set_yticks(y)
        ax.set_yticklabels([f"{sc.split('-')[0]}{'-limit' if 'limit' in sc else ''}  {label(impl, var)}"
                            + ("  (per batch)" if sc in ("S1-limit-groupcommit", "S1-limit-sqlite") else "")
                            for (sc, impl, var), _ in rows], fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("latency, ms (median over repetitions; log scale)")
        ax.legend()
        ax.set_title("Latency percentiles")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "latency.png"), dpi=110)
        plt.close(fig)

    # memory
    rows = [(k, rs) for k, rs in groups.items() if k[0] == "S3-memory"]
    if rows:
        fig, ax = plt.subplots(figsize=(8, 0.7 * len(rows) + 1.5))
        y = list(range(len(rows)))[::-1]
        act = [med(rs, "bytes_per_active_entity") for _, rs in rows]
        aft = [med(rs, "bytes_per_entity_after_passivation") for _, rs in rows]
        ax.barh([yy + 0.2 for yy in y], act, height=0.4, color=[colors.get(k[1], "#2ca02c") for k, _ in rows],
                label="active")
        ax.barh([yy - 0.2 for yy in y], aft, height=0.4, color="#bbbbbb", label="after petrify / passivation")
        for yy, v1, v2 in zip(y, act, aft):
            ax.text(v1, yy + 0.2, f" {v1:,.0f} B", va="center", fontsize=8)
            ax.text(max(v2, 0), yy - 0.2, f" {v2:,.0f} B", va="center", fontsize=8)
        ax.axvline(1000, color="k", ls="--", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([label(impl, var) for (sc, impl, var), _ in rows], fontsize=9)
        ax.set_xlabel("heap bytes per server (S3; dashed: 1,000 B target)")
        ax.legend(loc="lower right")
        ax.set_title("Memory per server")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "memory.png"), dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    main()
