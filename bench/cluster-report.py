#!/usr/bin/env python3
"""Report of bench/cluster.sh: a Markdown table of S1 by the plain runtime, one- and three-node clusters and Pekko
(medians over the repetitions, the ratio of the medians to the plain runtime's, and each repetition's ratio to the
plain run of the same repetition: a ratio holds only if it holds in each), the remote-call overhead, and the calls/s timeline
through a SIGKILL and a rolling restart as a plot.

Usage: cluster-report.py RESULTS.jsonl REPORT_DIR
Writes REPORT_DIR/CLUSTER-RESULTS.md and REPORT_DIR/cluster-timeline.png."""
import json
import os
import re
import statistics
import sys


def main():
    results, out = sys.argv[1], sys.argv[2]
    lines = [json.loads(l) for l in open(results) if l.strip().startswith("{")]
    by_label = {}
    for l in lines:
        by_label.setdefault(l["label"], []).append(l)

    md = ["# Cluster benchmarks", "",
          "Produced by `bench/cluster.sh` from `results/%s`." % os.path.basename(results), ""]
    md += ["| S1 on PostgreSQL | runs | calls/s (median) | vs plain | each repetition vs its plain run "
           "| p50 µs | p99 µs | remote share | verify |",
           "|---|---|---|---|---|---|---|---|---|"]
    plain = median(by_label.get("plain", []), "calls_per_s")
    plain_by_rep = {r["rep"]: r["calls_per_s"] for r in by_label.get("plain", [])}
    for label, name in [("plain", "plain runtime"), ("cluster-1", "one-node cluster"),
                        ("cluster-1-pekko", "one-node cluster, local shortcut off"),
                        ("cluster-3", "three-node cluster"), ("pekko", "Pekko sharded S1")]:
        runs = by_label.get(label, [])
        if not runs:
            continue
        cps = median(runs, "calls_per_s")
        ratio = "%.2f×" % (cps / plain) if plain else "-"
        share = median(runs, "remote_share") if "remote_share" in runs[0] else None
        verify = ",".join(sorted({r.get("verify", "-") for r in runs}))
        each = ", ".join("%.2f" % (r["calls_per_s"] / plain_by_rep[r["rep"]]) for r in runs
                         if plain_by_rep.get(r["rep"])) if label != "plain" else "-"
        md.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            name, len(runs), fmt(cps), ratio, each or "-", fmt(median(runs, "p50_us")), fmt(median(runs, "p99_us")),
            "-" if share is None else "%.0f %%" % (share * 100), verify))
    md.append("")
    for label, title in [("remote-overhead", "one caller, non-persisting Get"),
                         ("remote-overhead-pekko", "the same, local shortcut off")]:
        for r in by_label.get(label, []):
            md += ["| %s | p50 µs | p99 µs |" % title, "|---|---|---|",
                   "| plain runtime | %s | %s |" % (fmt(r["plain_p50_us"]), fmt(r["plain_p99_us"])),
                   "| cluster, server on the caller's node | %s | %s |" % (fmt(r["local_p50_us"]),
                                                                           fmt(r["local_p99_us"])),
                   "| cluster, server on another node | %s | %s |" % (fmt(r["remote_p50_us"]),
                                                                     fmt(r["remote_p99_us"])),
                   "", "Remote-call overhead (p50, remote minus local): %s µs." % fmt(r["remote_overhead_p50_us"]),
                   ""]
    for r in by_label.get("timeline", []):
        calls = [int(x) for x in r["calls_per_second"].split()]
        errors = [int(x) for x in r["errors_per_second"].split()]
        md += ["Calls/s through a SIGKILL and a rolling restart (three nodes, %s callers): events %s." % (
            r["C"], r["events"]), "", "![calls per second](cluster-timeline.png)", ""]
        plot(calls, errors, r["events"], os.path.join(out, "cluster-timeline.png"))
    with open(os.path.join(out, "CLUSTER-RESULTS.md"), "w") as f:
        f.write("\n".join(md) + "\n")


def median(runs, key):
    values = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
    return statistics.median(values) if values else 0


def fmt(v):
    return "{:,.0f}".format(v) if v >= 100 else "{:,.1f}".format(v)


def plot(calls, errors, events, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(range(len(calls)), calls, label="calls/s")
    ax.plot(range(len(errors)), errors, label="errors/s")
    for m in re.finditer(r"\+(\d+) s ([^;]+)", events):
        t = int(m.group(1))
        ax.axvline(t, color="grey", linestyle=":")
        ax.text(t, max(calls or [1]) * 0.95, m.group(2), rotation=90, fontsize=7, va="top")
    ax.set_xlabel("seconds")
    ax.set_ylabel("per second")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
