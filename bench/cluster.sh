#!/usr/bin/env bash
# The cluster mode of the benchmarks, in one run:
#   - S1 on PostgreSQL (Increment on 10,000 random counters, 64 callers in all) by the plain runtime, a one-node
#     cluster (with the local shortcut, and without it: every call through Pekko) and a three-node cluster (C1;
#     node JVMs on 127.0.0.1), and Pekko's own sharded S1 beside them, interleaved, REPS times;
#   - the remote-call overhead (C2): p50 of a call to a server on another node vs on the caller's node (with and
#     without the local shortcut);
#   - calls/s over time through a SIGKILL and a rolling restart (C3), once, plotted.
#
# Usage: bench/cluster.sh [REPS]        (default 3)
# Environment:
#   JAVA       JDK 21+ java binary (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   JVM_FLAGS  flags of every JVM, each cluster node included (default "-Xms2g -Xmx2g -XX:+UseG1GC")
#   DB_ARGS    default "--db-url=jdbc:postgresql://127.0.0.1:5432/test --db-user=postgres"
#   RUN_ARGS   extra arguments of every S1/C1 run (e.g. "--W=2 --D=5" for a smoke run)
#   C3_ARGS    extra arguments of the timeline run (default: none; the nodes' own failure settings are the
#              cluster module's defaults: acceptable heartbeat pause 3 s, stable-after 7 s)
#   C1_RUNS    which S1/C1 runs each repetition makes (default "plain cluster-1 cluster-1-pekko cluster-3 pekko")
#   PARTS      which parts run (default "c1 c2 c3")
#   SKIP_BUILD 1: use the jars already built
#   PYTHON     a python3 with matplotlib (default: python3 on PATH, else /usr/bin/python3)
#   REPORT_DIR where CLUSTER-RESULTS.md, cluster-timeline.png and results/ go (default docs/benchmarks)
# Figures only on a quiet machine: the runs share two cores with PostgreSQL.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JVM_FLAGS=${JVM_FLAGS:--Xms2g -Xmx2g -XX:+UseG1GC}
DB_ARGS=${DB_ARGS:---db-url=jdbc:postgresql://127.0.0.1:5432/test --db-user=postgres}
RUN_ARGS=${RUN_ARGS:-}
C3_ARGS=${C3_ARGS:-}
REPS=${1:-3}
C1_RUNS=${C1_RUNS:-plain cluster-1 cluster-1-pekko cluster-3 pekko}
PARTS=${PARTS:-c1 c2 c3}
PY=
REPORT_DIR=${REPORT_DIR:-$ROOT/docs/benchmarks}
RESULTS_DIR=$REPORT_DIR/results
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$RESULTS_DIR/cluster-$STAMP.jsonl
LOG=$RESULTS_DIR/cluster-$STAMP.log

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ -x "$JAVA" ] || die "no java at $JAVA"
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import matplotlib' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || die "no python3 can import matplotlib (Debian: apt-get install python3-matplotlib), or set PYTHON"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building the bench jars"
  (cd "$ROOT" && mvn -B -q install -DskipTests -pl pgs-bench,pgs-bench-peers -am) >&2
fi
PGS_JAR=$ROOT/pgs-bench/target/pgs-bench.jar
PEERS_JAR=$ROOT/pgs-bench-peers/target/pgs-bench-peers.jar
for j in "$PGS_JAR" "$PEERS_JAR"; do [ -f "$j" ] || die "missing $j"; done
mkdir -p "$RESULTS_DIR"
{
  echo "### machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "### jdk: $("$JAVA" -version 2>&1 | head -1); flags: $JVM_FLAGS; reps: $REPS; run args: ${RUN_ARGS:-none}"
} >> "$LOG"

REP=0
run() { # label, java arguments...
  local label=$1 line t0=$SECONDS; shift
  echo "### $label: $*" >> "$LOG"
  line=$(timeout 900 "$JAVA" $JVM_FLAGS "$@" 2>>"$LOG" | grep '^{' || true)
  if [ -z "$line" ]; then say "  $label: FAILED (see $LOG)"; return 0; fi
  line="${line%\}},\"rep\":$REP,\"label\":\"$label\"}"
  echo "$line" >> "$OUT"
  say "  $label ($((SECONDS - t0)) s)"
}

part() { case " $PARTS " in *" $1 "*) return 0;; *) return 1;; esac; }
if part c1; then
  for REP in $(seq 1 "$REPS"); do
    say "repetition $REP of $REPS"
    for r in $C1_RUNS; do
      case $r in
        plain)           run "$r" -jar "$PGS_JAR" --scenario=S1 --store=postgres $DB_ARGS $RUN_ARGS ;;
        cluster-1)       run "$r" -jar "$PGS_JAR" --scenario=C1 --nodes=1 $DB_ARGS $RUN_ARGS ;;
        cluster-1-pekko) run "$r" -jar "$PGS_JAR" --scenario=C1 --nodes=1 --local-shortcut=false $DB_ARGS $RUN_ARGS ;;
        cluster-3)       run "$r" -jar "$PGS_JAR" --scenario=C1 --nodes=3 $DB_ARGS $RUN_ARGS ;;
        pekko)           run "$r" -jar "$PEERS_JAR" --scenario=S1 $DB_ARGS $RUN_ARGS ;;
        *) die "unknown run in C1_RUNS: $r" ;;
      esac
    done
  done
fi
REP=1
if part c2; then
  run "remote-overhead"       -jar "$PGS_JAR" --scenario=C2 $DB_ARGS
  run "remote-overhead-pekko" -jar "$PGS_JAR" --scenario=C2 --local-shortcut=false $DB_ARGS
fi
if part c3; then
  run "timeline"        -jar "$PGS_JAR" --scenario=C3 $DB_ARGS $C3_ARGS
fi

"$PY" "$ROOT/bench/cluster-report.py" "$OUT" "$REPORT_DIR"
say "results: $OUT; report: $REPORT_DIR/CLUSTER-RESULTS.md"
