#!/usr/bin/env python3
"""Report of one side-by-side run: docs/benchmarks/RESULTS.md and PNG plots from its JSON lines.

Usage:
  side-by-side-report.py RUN.jsonl [MORE.jsonl ...] [--machine RUN.machine.txt ...] [--out docs/benchmarks]
  side-by-side-report.py --brief '<one JSON line>'      (one-line summary, for progress output)

Every ratio is computed from runs of the same session (same machine, interleaved), as median(ours) / median(theirs),
with the per-repetition ratios (i-th run of each) beside it. Several results files (sessions) can be reported
together; each scenario's comparisons should then come from one of them (the runs are kept apart by file).
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
    "S5-open-loop": ("calls_per_s", "calls/s"),
    "S6-big-states": ("calls_per_s", "calls/s"),
    "S6-limit": ("rows_per_s", "rows/s"),
    "S7-seed": ("seed_per_s", "seeded/s"),
    "S7-many-servers": ("calls_per_s", "calls/s"),
}
# the scenarios of the closed-loop comparison (general tables and plots); S5-S7 have sections of their own
CLASSIC = {"S1-durable-throughput", "S1-limit-autocommit", "S1-limit-groupcommit", "S1-limit-sqlite",
           "S1-limit-redis", "S2-cold-activation", "S2-limit", "S3-memory", "S4-inmemory-throughput"}
SCENARIO_ORDER = ["S1-durable-throughput", "S1-limit-autocommit", "S1-limit-groupcommit", "S1-limit-sqlite",
                  "S1-limit-redis", "S2-cold-activation", "S2-limit", "S4-inmemory-throughput", "S3-memory",
                  "S5-open-loop", "S6-big-states", "S6-limit", "S7-seed", "S7-many-servers"]


PLOTTED = set()


def variant(d):
    """The row a run belongs to within its implementation; runs of the external harnesses get their own rows."""
    v = base_variant(d)
    if d.get("harness") == "external":
        v = (v + " (external)").strip()
    return v


def base_variant(d):
    impl = d["impl"]
    sc = d["scenario"]
    if sc == "S5-open-loop":
        pct = d.get("rate_pct")
        rate = f"{pct:g}%" if pct else f"{d.get('target_rate')}/s"
        return " ".join(x for x in (d.get("store", "durable jdbc" if impl == "pekko" else ""), d.get("schedule"),
                                    rate) if x)
    if sc in ("S6-big-states", "S6-limit"):
        size = d.get("state_bytes_target")
        store = d.get("store") or ("sqlite" if impl == "sqlite-limit" else "postgresql")
        return f"{store} {size // 1024 if size and size >= 1024 else size}{' KiB' if size and size >= 1024 else ' B'}"
    if sc in ("S7-many-servers", "S7-seed"):
        return f"{d.get('store')} N={d.get('stored'):,}"
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
    if "sustained" in d:
        parts.append("sustained" if d["sustained"] else f"NOT sustained (overloaded {d.get('overloaded')}, "
                                                        f"max lag {ms(d.get('max_lag_us'))} ms)")
    if "verify" in d:
        parts.append(f"verify {d['verify']}")
    return "; ".join(parts)


def unmeasured(d):
    """An open-loop run that overloaded before its window: it measured nothing."""
    return d["scenario"] == "S5-open-loop" and not d.get("calls")


def load(paths):
    groups = OrderedDict()
    runs = []
    for session, path in enumerate(paths):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                d = json.loads(line)
                d["_session"] = session
                if "rep" in d and len(paths) > 1:
                    d["rep"] = (session, d["rep"])   # the i-th repetitions pair up within one session only
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
    ap.add_argument("jsonl", nargs="*")
    ap.add_argument("--brief")
    ap.add_argument("--machine", action="append", default=[])
    ap.add_argument("--out", default="docs/benchmarks")
    a = ap.parse_args()
    if a.brief:
        print(brief(a.brief))
        return
    runs, groups = load(a.jsonl)
    if not runs:
        sys.exit("no runs in " + ", ".join(a.jsonl))
    os.makedirs(a.out, exist_ok=True)
    plots(groups, a.out)
    extra_plots(runs, a.out)
    machine = "\n\n".join(f"# {os.path.basename(m)}\n" + open(m).read().strip()
                            for m in a.machine if os.path.exists(m))

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
    md.append(f"Generated by `bench/side-by-side.sh` from "
              f"{', '.join(f'`results/{os.path.basename(j)}`' for j in a.jsonl)} "
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
        # the external harnesses are compared with the repository's runs of their own session only
        sessions = {r["_session"] for r in rs}
        own = [r for r in find(groups, sc, impl, var[:-len("(external)")].strip()) if r["_session"] in sessions]
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
    md.extend(s5_section(runs))
    md.extend(s6_section(runs))
    md.extend(s7_section(runs))
    md.append("## Medians (every run in parentheses)\n")
    md.append("| scenario | implementation | runs | throughput, median (each run) | p50 / p99 / p99.9 ms (median) | CPU busy % | verify |")
    md.append("|---|---|---|---|---|---|---|")
    for (sc, impl, var), rs in groups.items():
        key, unit = MAIN.get(sc, ("calls_per_s", ""))
        each = "; ".join("overloaded" if unmeasured(r) else fmt(r.get(key)) for r in rs)
        rs = [r for r in rs if not unmeasured(r)]
        if not rs:
            md.append(f"| {sc} | {label(impl, var)} | 0 | overloaded in every run ({each}) | – | – | – |")
            continue
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
    for name in ("throughput", "latency", "memory", "s5-latency-vs-rate", "s6-big-states", "s7-many-servers"):
        if name in PLOTTED:
            md.append(f"![{name}]({name}.png)\n")
    md.append("## Every run\n")
    md.append("| # | scenario | implementation | main metric | p50 ms | p99 ms | p99.9 ms | CPU % | errors | verify |")
    md.append("|---|---|---|---|---|---|---|---|---|---|")
    for i, d in enumerate(runs, 1):
        key, unit = MAIN.get(d["scenario"], ("calls_per_s", ""))
        extra = ""
        if d["scenario"] == S3:
            extra = f", {d.get('bytes_per_entity_after_passivation')} B after"
        if unmeasured(d):
            md.append(f"| {i} | {d['scenario']} | {label(d['impl'], variant(d))} | overloaded | – | – | – | – | "
                      f"{d.get('errors', '–')} | {d.get('verify', '–')} |")
            continue
        md.append(f"| {i} | {d['scenario']} | {label(d['impl'], variant(d))} | {fmt(d.get(key))} {unit}{extra} | "
                  f"{ms(lat(d, 'p50'))} | {ms(lat(d, 'p99'))} | {ms(lat(d, 'p999'))} | {d.get('cpu_busy_pct', '–')} | "
                  f"{d.get('errors', d.get('activation_errors', '–'))} | {d.get('verify', '–')} |")
    md.append("")
    with open(os.path.join(a.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(md))


def plots(groups, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"pgs": "#1f77b4", "pekko": "#d62728", "jdbc-limit": "#7f7f7f", "sqlite-limit": "#8c564b",
              "redis-limit": "#9467bd"}

    # throughput
    rows = [(k, rs) for k, rs in groups.items() if k[0] in CLASSIC and k[0] != "S3-memory"]
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
        PLOTTED.add("throughput")
        plt.close(fig)

    # latency percentiles
    rows = [(k, rs) for k, rs in groups.items()
            if k[0] in CLASSIC and k[0] != "S3-memory" and med_lat(rs, "p50") is not None]
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
        PLOTTED.add("latency")
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
        PLOTTED.add("memory")
        plt.close(fig)


# ---------------------------------------------------------------- S5, S6, S7

def by(runs, scenario, key):
    """Runs of one scenario grouped by key(run), in first-seen order."""
    out = OrderedDict()
    for d in runs:
        if d["scenario"] == scenario:
            out.setdefault(key(d), []).append(d)
    return out


def per_rep(rs, field):
    return ", ".join(fmt(r.get(field)) for r in rs)


def s5_key(d):
    impl = "ours " + d["store"] if d["impl"] == "pgs" else d["impl"]
    if "preactivated" in d:   # runs since the harness activates every counter before the schedule
        impl += ", pre-activated"
    return impl, d.get("schedule"), d.get("rate_pct") or 0, d.get("target_rate")


def s5_section(runs):
    groups = by(runs, "S5-open-loop", s5_key)
    if not groups:
        return []
    md = ["## S5: tail latency under open load\n",
          "Requests issued on a schedule at a fixed rate (a percentage of the implementation's own S1 median of this "
          "session), latency from the intended send time (HdrHistogram); medians over the repetitions. "
          "*sustained*: repetitions that kept up (no overload, every call completed, ≥ 99 % of the intended calls in "
          "the window, no error). Goal: p99 ≤ 5 ms at 75 % on SQLite and PostgreSQL.\n",
          "| implementation | schedule | rate | target calls/s | achieved calls/s | p50 ms | p99 ms | p99.9 ms | max ms "
          "| p99 per repetition, ms | sustained | verify |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (impl, sch, pct, rate), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        measured = [r for r in rs if not unmeasured(r)]

        def m(f, conv=ms):
            return conv(med_lat(measured, f)) if measured else "–"

        md.append(f"| {impl} | {sch} | {pct:g} % | {fmt(rate)} | "
                  f"{fmt(med(measured, 'calls_per_s')) if measured else '–'} | "
                  f"{m('p50')} | {m('p99')} | {m('p999')} | {m('max')} | "
                  f"{', '.join('overloaded' if unmeasured(r) else ms(lat(r, 'p99')) for r in rs)} | "
                  f"{sum(1 for r in rs if r.get('sustained'))}/{len(rs)} | "
                  f"{','.join(sorted(set(r.get('verify', '–') for r in rs)))} |")
    md.append("")
    md.append("Medians are over the repetitions that measured a window; *overloaded*: the requests in flight passed "
              "the driver's limit and it stopped issuing (the rate was not sustained).")
    goal = []
    for store in sorted({k[0] for k in groups if k[0].startswith("ours ")}):
        rs = [r for (impl, sch, pct, rate), g in groups.items() for r in g
              if impl == store and pct == 75]
        store = store[len("ours "):]
        if rs:
            p99 = [lat(r, "p99") / 1000 if r.get("sustained") else None for r in rs]
            ok = sum(1 for x in p99 if x is not None and x <= 5)
            goal.append(f"{store}: p99 at 75 % = "
                        f"{', '.join(f'{x:.2f} ms' if x is not None else 'not sustained' for x in p99)} "
                        f"({'met in every run' if ok == len(rs) else f'**missed**: met in {ok} of {len(rs)}'})")
    if goal:
        md.append("")
        md.append("Goal check: " + "; ".join(goal) + ".")
    md.append("")
    return md


def s6_section(runs):
    ours = by(runs, "S6-big-states", lambda d: (d["store"], d.get("state_bytes_target")))
    limits = by(runs, "S6-limit", lambda d: ("sqlite" if d["impl"] == "sqlite-limit" else "postgres",
                                           d.get("state_bytes_target")))
    if not ours and not limits:
        return []
    md = ["## S6: big states\n",
          "S1 with ledgers of the given size (one field changes per call) beside the store's own limit writing the "
          "same payloads (at most C = 64 rows in flight, no library). Per call: CPU of our JVM, CPU of the whole "
          "machine (database server included), bytes handed to write calls (`wchar`: SQLite's log and checkpoint "
          "writes; for PostgreSQL the bytes sent to the server) and PostgreSQL's WAL bytes. Goal: at 8 KiB, "
          "≥ 0.5× the limit.\n",
          "| store | state | ours calls/s (median) | limit rows/s (median) | ours / limit (per repetition) | "
          "p99 ms ours | JVM CPU µs/call ours / limit | machine CPU µs/call ours / limit | wchar B/call ours / limit "
          "| WAL B/call ours / limit | verify |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(set(ours) | set(limits), key=lambda k: (k[0], k[1] or 0)):
        a, b = ours.get(key, []), limits.get(key, [])
        ma, mb = med(a, "calls_per_s"), med(b, "rows_per_s")
        ratio = f"{ma / mb:.2f}×" if ma and mb else "–"
        per = []
        if a and b:
            rb = {r.get("rep"): r for r in b}
            per = [f"{x['calls_per_s'] / rb[x.get('rep')]['rows_per_s']:.2f}" for x in a if x.get("rep") in rb]
        size = a[0].get("state_bytes") if a else b[0].get("state_bytes")

        def pair(field):
            return f"{fmt(med(a, field))} / {fmt(med(b, field))}"
        md.append(f"| {key[0]} | {fmt(size)} B | {fmt(ma)} | {fmt(mb)} | {ratio} ({', '.join(per)}) | "
                  f"{ms(med_lat(a, 'p99'))} | {pair('jvm_cpu_us_per_call')} | {pair('machine_cpu_us_per_call')} | "
                  f"{pair('wchar_bytes_per_call')} | {pair('wal_bytes_per_call')} | "
                  f"{','.join(sorted(set(r.get('verify', '–') for r in a + b)))} |")
    md.append("")
    return md


def s7_section(runs):
    groups = by(runs, "S7-many-servers", lambda d: (d["store"], d["stored"]))
    seeds = by(runs, "S7-seed", lambda d: (d["store"], d["stored"]))
    if not groups:
        return []
    md = ["## S7: many stored servers\n",
          "N counters seeded through the store, calls on Zipf-distributed keys (s = 1.1) over all N with a bounded "
          "active set; the activation probe revives distinct keys drawn uniformly from all N (what one activation "
          "costs at this N). Medians over the repetitions (fresh JVMs on the same seeded data set).\n",
          "| store | stored N | seeded/s | store bytes per server | activation probe /s | activation p50 / p99 ms "
          "| calls/s (each) | p99 ms | revivals/s | petrifications/s | active at end | heap per active server B "
          "| distinct keys | verify |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(groups, key=lambda k: (k[0], k[1])):
        rs = groups[key]
        sd = seeds.get(key, [])
        md.append(f"| {key[0]} | {key[1]:,} | {fmt(med(sd, 'seed_per_s'))} | {fmt(med(rs, 'store_bytes_per_server'))} "
                  f"| {fmt(med(rs, 'activations_probe_per_s'))} | {ms(med(rs, 'activation_p50_us'))} / "
                  f"{ms(med(rs, 'activation_p99_us'))} | {fmt(med(rs, 'calls_per_s'))} ({per_rep(rs, 'calls_per_s')}) "
                  f"| {ms(med_lat(rs, 'p99'))} | {fmt(med(rs, 'revivals_per_s'))} | "
                  f"{fmt(med(rs, 'petrifications_per_s'))} | {fmt(med(rs, 'active_at_end'))} | "
                  f"{fmt(med(rs, 'heap_per_active_server'))} | {fmt(med(rs, 'distinct_keys'))} | "
                  f"{','.join(sorted(set(r.get('verify', '–') for r in rs)))} |")
    md.append("")
    return md


def extra_plots(runs, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = by(runs, "S5-open-loop", s5_key)
    if groups:
        fig, ax = plt.subplots(figsize=(9, 5.5))
        lines = OrderedDict()
        for (impl, sch, pct, rate), rs in groups.items():
            measured = [r for r in rs if r.get("calls")]   # a run that stopped before its window has no latency
            if measured:
                lines.setdefault((impl, sch), []).append((med(rs, "target_rate"), med_lat(measured, "p50"),
                                                          med_lat(measured, "p99"),
                                                          all(r.get("sustained") for r in rs)))
        for (impl, sch), pts in lines.items():
            pts.sort()
            x = [p[0] for p in pts]
            line, = ax.plot(x, [p[2] / 1000 for p in pts], marker="o", label=f"{impl} {sch}: p99")
            ax.plot(x, [p[1] / 1000 for p in pts], ls=":", color=line.get_color(), label=f"{impl} {sch}: p50")
            bad = [p for p in pts if not p[3]]
            if bad:
                ax.scatter([p[0] for p in bad], [p[2] / 1000 for p in bad], marker="x", s=80, color="k", zorder=3)
        ax.axhline(5, color="k", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("offered rate, calls/s (log; points at 25/50/75/90 % of each one's S1 median)")
        ax.set_ylabel("latency from intended send time, ms (log; dashed: 5 ms; x: not sustained)")
        ax.set_title("S5: latency vs rate (open loop)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "s5-latency-vs-rate.png"), dpi=110)
        plt.close(fig)
        PLOTTED.add("s5-latency-vs-rate")

    ours = by(runs, "S6-big-states", lambda d: (d["store"], d.get("state_bytes_target")))
    limits = by(runs, "S6-limit", lambda d: ("sqlite" if d["impl"] == "sqlite-limit" else "postgres",
                                           d.get("state_bytes_target")))
    if ours or limits:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        keys = sorted(set(ours) | set(limits), key=lambda k: (k[0], k[1] or 0))
        x = list(range(len(keys)))
        ax.bar([i - 0.2 for i in x], [med(ours.get(k, []), "calls_per_s") or 0 for k in keys], width=0.4,
               color="#1f77b4", label="ours, calls/s")
        ax.bar([i + 0.2 for i in x], [med(limits.get(k, []), "rows_per_s") or 0 for k in keys], width=0.4,
               color="#8c564b", label="store limit, rows/s")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{k[0]}\n{(k[1] or 0) // 1024} KiB" for k in keys], fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("median throughput (log)")
        ax.set_title("S6: big states, ours beside the store's own limit at the same payload")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "s6-big-states.png"), dpi=110)
        plt.close(fig)
        PLOTTED.add("s6-big-states")

    groups = by(runs, "S7-many-servers", lambda d: (d["store"], d["stored"]))
    if groups:
        fig, axes = plt.subplots(1, 3, figsize=(13, 4))
        for store in sorted({k[0] for k in groups}):
            pts = sorted((k[1], rs) for k, rs in groups.items() if k[0] == store)
            n = [p[0] for p in pts]
            axes[0].plot(n, [med(rs, "activation_p99_us") / 1000 for _, rs in pts], marker="o", label=f"{store} p99")
            axes[0].plot(n, [med(rs, "activation_p50_us") / 1000 for _, rs in pts], marker=".", ls=":",
                         label=f"{store} p50")
            axes[1].plot(n, [med(rs, "store_bytes_per_server") for _, rs in pts], marker="o", label=store)
            axes[2].plot(n, [med(rs, "calls_per_s") for _, rs in pts], marker="o", label=store)
        for ax, title in zip(axes, ("activation latency, ms", "store bytes per server", "Zipf calls/s")):
            ax.set_xscale("log")
            ax.set_xlabel("stored servers N")
            ax.set_title(title)
            ax.legend(fontsize=7)
        axes[0].set_yscale("log")
        fig.suptitle("S7: growth with the number of stored servers")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "s7-many-servers.png"), dpi=110)
        plt.close(fig)
        PLOTTED.add("s7-many-servers")


if __name__ == "__main__":
    main()
