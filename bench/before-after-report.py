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
    return "calls_per_s", "calls/s"


def main():
    rows = OrderedDict()
    for line in open(sys.argv[1]):
        if line.startswith("{"):
            d = json.loads(line)
            rows.setdefault(d["args"], []).append(d)
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


if __name__ == "__main__":
    main()
