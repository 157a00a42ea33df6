#!/usr/bin/env python3
"""Summary of a before/after run (bench/before-after.sh): per scenario, the median of A and of B, the ratio B / A
of the medians and the ratio of each repetition's pair. For S3 the metric is heap bytes per active server (lower is
better); for the others calls/s (higher is better).

Usage: before-after-report.py RUN.jsonl
"""
import json
import statistics
import sys
from collections import OrderedDict


def metric(d):
    if d["scenario"] == "S3-memory":
        return "bytes_per_active_entity", "B per active server (lower is better)"
    if "increments_per_s" in d:
        return "increments_per_s", "increments/s"
    return "calls_per_s", "calls/s"


def main():
    rows = OrderedDict()
    limits = OrderedDict()
    for line in open(sys.argv[1]):
        if line.startswith("{"):
            d = json.loads(line)
            (limits if d["rev"] == "limit" else rows).setdefault(d["args"], []).append(d)
    shas = {}
    out = ["| scenario | metric | A median | B median | B / A | per repetition B / A | A runs | B runs | verify |",
           "|---|---|---|---|---|---|---|---|---|"]
    for args, rs in rows.items():
        key, unit = metric(rs[0])
        a = {r["rep"]: r for r in rs if r["rev"] == "A"}
        b = {r["rep"]: r for r in rs if r["rev"] == "B"}
        for r in rs:
            shas[r["rev"]] = r["sha"]
        ma = statistics.median(r[key] for r in a.values()) if a else None
        mb = statistics.median(r[key] for r in b.values()) if b else None
        per = [f"{b[k][key] / a[k][key]:.2f}" for k in sorted(a) if k in b and a[k][key]]
        verify = ",".join(sorted({r.get("verify", "–") for r in rs}))
        ratio = f"{mb / ma:.2f}" if ma and mb else "–"
        out.append(f"| `{args}` | {unit} | {ma:,.0f} | {mb:,.0f} | **{ratio}** | {', '.join(per)} | "
                   f"{', '.join(f'{r[key]:,.0f}' for r in a.values())} | "
                   f"{', '.join(f'{r[key]:,.0f}' for r in b.values())} | {verify} |")
    print(f"A = {shas.get('A')}, B = {shas.get('B')}; medians of interleaved fresh-JVM runs\n")
    print("\n".join(out))
    # each revision's S1 against the store's limit of the same repetition (the SQLite limit for S1 on SQLite)
    for largs, lrs in limits.items():
        lkey, lunit = metric(lrs[0])
        by_rep = {r["rep"]: r[lkey] for r in lrs}
        store = "sqlite" if "sqlite" in largs else "postgres" if "autocommit" in largs or "groupcommit" in largs \
            else "redis"
        print(f"\nAgainst `{largs}` (median {statistics.median(by_rep.values()):,.0f} {lunit}; each: "
              f"{', '.join(f'{v:,.0f}' for v in by_rep.values())}):\n")
        print("| scenario | revision | ratio of medians | per repetition |")
        print("|---|---|---|---|")
        for args, rs in rows.items():
            if rs[0]["scenario"] != "S1-durable-throughput" or rs[0].get("store") != store:
                continue
            for rev in ("A", "B"):
                mine = {r["rep"]: r["calls_per_s"] for r in rs if r["rev"] == rev}
                if not mine:
                    continue
                per = [mine[k] / by_rep[k] for k in sorted(mine) if k in by_rep]
                ratio = statistics.median(mine.values()) / statistics.median(by_rep.values())
                print(f"| `{args}` | {rev} ({shas.get(rev)}) | {ratio:.2f}× | {', '.join(f'{p:.2f}' for p in per)} |")


if __name__ == "__main__":
    main()
