#!/usr/bin/env python3
"""Breakdown of a JFR recording's CPU-time samples (jdk.CPUTimeSample, else jdk.ExecutionSample) by thread group and
by step of the call and write path. Each sample is put in the first category whose pattern matches a frame,
scanning the stack from the innermost frame outwards, so a JSON encode inside the runtime's write counts as
"encode", not as "runtime".

Usage: profile-report.py RECORDING.jfr [--jfr /path/to/jfr] [--top 15]
"""
import argparse
import collections
import re
import subprocess

# (category, frame regex): the first category with a frame matching, innermost frame first, wins
CATEGORIES = [
    ("log sync (fdatasync)", re.compile(r"FileChannelImpl\.force|FileDispatcherImpl\.force|LogSync\.complete")),
    ("SQLite commit", re.compile(r"SqliteStorage\.writeBatch.*|NativeDB\._exec")),  # refined below
    ("encode (codec)", re.compile(r"StateCodec\.encode|JsonStateCodec\.encode|ObjectMapper\.writeValueAsBytes")),
    ("decode (codec)", re.compile(r"StateCodec\.decode|JsonStateCodec\.decode")),
    ("compare with stored bytes", re.compile(r"Arrays\.equals|ArraysSupport\.mismatch")),
    ("handler", re.compile(r"\.handleCall|\.handleCast|\.handleInfo|\.init\(")),
    ("PostgreSQL client (pgjdbc)", re.compile(r"org\.postgresql\.")),
    ("Redis client (Lettuce, Netty)", re.compile(r"io\.lettuce\.|io\.netty\.")),
    ("Pekko", re.compile(r"org\.apache\.pekko\.")),
    ("benchmark harness", re.compile(r"io\.github\.pgs\.bench\.")),
    ("runtime (mailbox, drain, registry)", re.compile(r"io\.github\.pgs\.internal\.")),
    ("store (other)", re.compile(r"io\.github\.pgs\.(sqlite|postgres|redis|store)\.")),
    ("virtual-thread scheduling, parking", re.compile(r"ForkJoinPool|VirtualThread|LockSupport|Continuation")),
]


def categorize(frames):
    for f in frames:
        # SQLite work on the writer thread: the statement being run tells commit from row statements
        if "NativeDB" in f or "org.sqlite." in f:
            joined = " ".join(frames)
            if "LogSync" in joined:
                return "log sync (fdatasync)"
            if re.search(r"SqliteStorage\.(apply|writeBatch)", joined):
                return "SQLite row statements" if "SqliteStorage.apply" in joined else "SQLite commit/begin"
            return "SQLite reads"
        for name, rx in CATEGORIES:
            if name == "SQLite commit":
                continue
            if rx.search(f):
                return name
    return "other (JDK, native)"


def thread_group(name):
    if name is None:
        return "?"
    for prefix, group in (("GC Thread", "GC"), ("G1 ", "GC"), ("C2 Compiler", "JIT"), ("C1 Compiler", "JIT"),
                          ("pgs-sqlite-log-sync", "log sync thread"), ("writer", "store writer threads"),
                          ("caller-", "callers"), ("ForkJoinPool", "virtual-thread carriers"),
                          ("pekko", "Pekko dispatchers")):
        if prefix in name:
            return group
    return name if len(name) < 40 else name[:40]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jfr_file")
    ap.add_argument("--jfr", default="jfr")
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    event = "jdk.CPUTimeSample"
    summary = subprocess.run([a.jfr, "summary", a.jfr_file], capture_output=True, text=True).stdout
    if not re.search(r"jdk\.CPUTimeSample\s+[1-9]", summary):
        event = "jdk.ExecutionSample"
    proc = subprocess.Popen([a.jfr, "print", "--events", event, "--stack-depth", "64", a.jfr_file],
                            stdout=subprocess.PIPE, text=True)
    cats = collections.Counter()
    groups = collections.Counter()
    per_group = collections.defaultdict(collections.Counter)
    top = collections.Counter()
    frames, thread, in_stack, total = [], None, False, 0
    for line in proc.stdout:
        s = line.strip()
        if s.startswith(event + " {"):
            frames, thread, in_stack = [], None, False
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s.startswith("]"):
            in_stack = False
        elif in_stack:
            if s and s != "...":
                frames.append(s)
        elif s.startswith("eventThread = "):
            m = re.match(r'eventThread = "(.*)" \(javaThreadId', s)
            thread = m.group(1) if m else s[len("eventThread = "):]
        elif s == "}" and frames is not None and (frames or thread):
            c = categorize(frames)
            g = thread_group(thread)
            cats[c] += 1
            groups[g] += 1
            per_group[g][c] += 1
            if frames:
                top[re.sub(r"\s+line:.*", "", frames[0])] += 1
            total += 1
            frames, thread = [], None
    proc.wait()
    if total == 0:
        print(f"no {event} events in {a.jfr_file}")
        return
    print(f"{total} {event} samples\n")
    print("## by step (whole process)\n")
    for c, n in cats.most_common():
        print(f"{100.0 * n / total:6.1f} %  {c}")
    print("\n## by thread group, with its steps\n")
    for g, n in groups.most_common():
        steps = ", ".join(f"{c} {100.0 * k / n:.0f} %" for c, k in per_group[g].most_common(4))
        print(f"{100.0 * n / total:6.1f} %  {g}: {steps}")
    print(f"\n## top {a.top} innermost frames\n")
    for f, n in top.most_common(a.top):
        print(f"{100.0 * n / total:6.1f} %  {f}")


if __name__ == "__main__":
    main()
