#!/usr/bin/env bash
# What pgs-micrometer costs: S4 on the in-memory store and S1 on SQLite with the observer off, with metrics as
# Micrometer configures them by default (metrics-plain), with histogram buckets (metrics), and with tracing,
# interleaved (each mode once, then the next scenario; the order rotates every repetition), each run a fresh JVM;
# medians per scenario and mode, and each mode's throughput ratio to off.
#
# Usage: bench/observer-overhead.sh [REPS]            (default 3 repetitions)
# Environment:
#   JAVA        JDK 21+ java binary (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   JVM_FLAGS   default "-Xms4g -Xmx8g -XX:+UseG1GC"
#   SCENARIOS   ";"-separated argument lists (default "--scenario=S4 --store=memory;--scenario=S1 --store=sqlite")
#   RUN_ARGS    extra arguments for every run (e.g. "--W=2 --D=4" for a smoke run)
#   MODES       the --observe modes, "off" first (default "off metrics-plain metrics tracing")
#   JAR         the harness (default pgs-bench/target/pgs-bench.jar, built first when missing)
#   OUT_DIR     where results go (default docs/benchmarks/results)
# Output: OUT_DIR/observe-<timestamp>.jsonl (one JSON line per run, with "rep"), .log, and the summary in
#         OUT_DIR/observe-<timestamp>.md and on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JVM_FLAGS=${JVM_FLAGS:--Xms4g -Xmx8g -XX:+UseG1GC}
REPS=${1:-3}
SCENARIOS=${SCENARIOS:---scenario=S4 --store=memory;--scenario=S1 --store=sqlite}
RUN_ARGS=${RUN_ARGS:-}
JAR=${JAR:-$ROOT/pgs-bench/target/pgs-bench.jar}
OUT_DIR=${OUT_DIR:-$ROOT/docs/benchmarks/results}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$OUT_DIR/observe-$STAMP.jsonl
LOG=$OUT_DIR/observe-$STAMP.log
read -r -a MODES <<< "${MODES:-off metrics-plain metrics tracing}"
[ "${MODES[0]}" = off ] || { echo "MODES must start with off" >&2; exit 1; }

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
[ -x "$JAVA" ] || { say "no java at $JAVA"; exit 1; }
mkdir -p "$OUT_DIR"
if [ ! -f "$JAR" ]; then
  say "building pgs-bench"
  (cd "$ROOT" && mvn -B -q -pl pgs-bench -am package -DskipTests) >&2
fi
: > "$OUT"

IFS=';' read -r -a SCEN <<< "$SCENARIOS"
for rep in $(seq 1 "$REPS"); do
  for s in "${SCEN[@]}"; do
    for i in "${!MODES[@]}"; do
      mode=${MODES[$(( (i + rep - 1) % ${#MODES[@]} ))]}
      say "rep $rep: $s --observe=$mode"
      # shellcheck disable=SC2086
      line=$(timeout 300 "$JAVA" $JVM_FLAGS --enable-native-access=ALL-UNNAMED -jar "$JAR" $s --observe="$mode" \
               $RUN_ARGS 2>>"$LOG" | tail -n 1) || { say "run failed (see $LOG)"; continue; }
      echo "${line%\}},\"rep\":$rep}" >> "$OUT"
    done
  done
done

python3 - "$OUT" "$JVM_FLAGS" "$SCENARIOS" "$RUN_ARGS" "$REPS" > "$OUT_DIR/observe-$STAMP.md" <<'PY'
import json, statistics, sys
path, flags, scenarios, run_args, reps = sys.argv[1:]
runs = [json.loads(l) for l in open(path) if l.strip()]
key = lambda r: (r["scenario"], r["store"])
print("# Observer overhead (pgs-micrometer)\n")
print(f"Command: `bench/observer-overhead.sh {reps}` (JVM flags `{flags}`; scenarios `{scenarios}`; extra `{run_args}`)\n")
print("| scenario | store | observe | runs | calls/s median (each run) | p50 / p99 ms (median) | ratio to off (median of per-repetition ratios) | verify |")
print("|---|---|---|---|---|---|---|---|")
for k in sorted({key(r) for r in runs}):
    by = {m: [r for r in runs if key(r) == k and r.get("observe") == m]
          for m in ("off", "metrics-plain", "metrics", "tracing")}
    off = {r["rep"]: r["calls_per_s"] for r in by["off"]}
    for m, rs in by.items():
        if not rs:
            continue
        cps = [r["calls_per_s"] for r in rs]
        ratios = [r["calls_per_s"] / off[r["rep"]] for r in rs if r["rep"] in off and off[r["rep"]]]
        ratio = "" if m == "off" or not ratios else f"{statistics.median(ratios):.3f} ({', '.join(f'{x:.3f}' for x in ratios)})"
        p50 = statistics.median(r.get("p50_us", 0) for r in rs) / 1000
        p99 = statistics.median(r.get("p99_us", 0) for r in rs) / 1000
        ok = "ok" if all(r.get("verify") == "ok" for r in rs) else "MISMATCH"
        print(f"| {k[0]} | {k[1]} | {m} | {len(rs)} | **{statistics.median(cps):,.0f}** ({'; '.join(f'{c:,}' for c in cps)}) | {p50:.2f} / {p99:.2f} | {ratio} | {ok} |")
PY
cat "$OUT_DIR/observe-$STAMP.md"
