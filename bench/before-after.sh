#!/usr/bin/env bash
# Two versions of the library measured against each other: pgs-bench.jar built from revision A and from revision B,
# run interleaved (A, B, then B, A in the next repetition, ...), each run a fresh JVM; medians and ratios B / A.
#
# Usage: bench/before-after.sh [A] [B] [REPS]
#   A, B   git revisions (default: 674f868 and main); each is built in a temporary worktree
#   REPS   repetitions (default 3)
# Environment:
#   JAVA         JDK 21+ java binary (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   JVM_FLAGS    default "-Xms4g -Xmx8g -XX:+UseG1GC"
#   SCENARIOS    what to run, ";"-separated argument lists (default: S1 on PostgreSQL, S1 on SQLite, S4 on the
#                in-memory store and ephemeral, S3 on SQLite)
#   LIMITS       store limits to run beside them in every repetition, ";"-separated argument lists for
#                pgs-bench-peers.jar built from B (e.g. "--scenario=S1-limit-sqlite"); the summary then gives each
#                revision's S1 ratio to the limit of the same repetition (default: none)
#   RUN_ARGS     extra arguments for every run (e.g. "--W=2 --D=4 --A=50000" for a smoke run)
#   WORK         where the worktrees and jars go (default ${TMPDIR:-/tmp}/pgs-before-after)
#   OUT_DIR      where results go (default docs/benchmarks/results)
#   PYTHON       python3 for the summary (default python3)
# Output: OUT_DIR/ab-<timestamp>.jsonl (one JSON line per run, with "rev" and "rep"), .log, and the summary
#         (medians per revision, ratio B / A, per-repetition ratios) in OUT_DIR/ab-<timestamp>.md and on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JVM_FLAGS=${JVM_FLAGS:--Xms4g -Xmx8g -XX:+UseG1GC}
A=${1:-674f868}
B=${2:-main}
REPS=${3:-3}
SCENARIOS=${SCENARIOS:---scenario=S1 --store=postgres;--scenario=S1 --store=sqlite;--scenario=S4 --store=memory;--scenario=S4 --store=ephemeral;--scenario=S3 --store=sqlite}
RUN_ARGS=${RUN_ARGS:-}
WORK=${WORK:-${TMPDIR:-/tmp}/pgs-before-after}
OUT_DIR=${OUT_DIR:-$ROOT/docs/benchmarks/results}
PY=${PYTHON:-python3}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$OUT_DIR/ab-$STAMP.jsonl
LOG=$OUT_DIR/ab-$STAMP.log

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ -x "$JAVA" ] || die "no java at $JAVA"
mkdir -p "$WORK" "$OUT_DIR"

# ------------------------------------------------------------------ build each revision in its own worktree
LIMITS=${LIMITS:-}
build() { # rev [with-peers] -> prints the jar path
  local rev=$1 peers=${2:-} sha dir modules=pgs-bench
  sha=$(git -C "$ROOT" rev-parse --short "$rev^{commit}") || die "unknown revision $rev"
  dir=$WORK/src-$sha
  [ -n "$peers" ] && modules=pgs-bench,pgs-bench-peers
  if [ ! -f "$WORK/pgs-bench-$sha.jar" ] || { [ -n "$peers" ] && [ ! -d "$WORK/peers-$sha" ]; }; then
    rm -rf "$dir"
    git -C "$ROOT" worktree prune
    git -C "$ROOT" worktree add --detach -f "$dir" "$sha" >&2
    say "building $modules at $rev ($sha)"
    (cd "$dir" && mvn -B -q -pl "$modules" -am package -DskipTests) >&2 || die "build of $rev failed"
    cp "$dir/pgs-bench/target/pgs-bench.jar" "$WORK/pgs-bench-$sha.jar"
    if [ -n "$peers" ]; then
      rm -rf "$WORK/peers-$sha"
      mkdir -p "$WORK/peers-$sha"
      cp -r "$dir/pgs-bench-peers/target/pgs-bench-peers.jar" "$dir/pgs-bench-peers/target/lib" "$WORK/peers-$sha/"
    fi
    git -C "$ROOT" worktree remove --force "$dir"
  fi
  echo "$WORK/pgs-bench-$sha.jar"
}
JAR_A=$(build "$A")
JAR_B=$(build "$B" ${LIMITS:+peers})
SHA_A=$(git -C "$ROOT" rev-parse --short "$A^{commit}")
SHA_B=$(git -C "$ROOT" rev-parse --short "$B^{commit}")
say "A = $A ($SHA_A), B = $B ($SHA_B); results -> $OUT"

# ------------------------------------------------------------------ runs
{
  echo "date: $(date -Is); nproc: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jdk: $("$JAVA" -version 2>&1 | head -1); jvm flags: $JVM_FLAGS; extra run args: ${RUN_ARGS:-none}"
  echo "A: $A ($SHA_A); B: $B ($SHA_B); reps: $REPS"
} > "$OUT_DIR/ab-$STAMP.machine.txt"
run() { # rev-label sha jar rep args...
  local label=$1 sha=$2 jar=$3 rep=$4 line; shift 4
  echo "### $label $*" >> "$LOG"
  line=$(timeout 600 "$JAVA" $JVM_FLAGS -jar "$jar" "$@" $RUN_ARGS 2>>"$LOG" | grep '^{' || true)
  if [ -z "$line" ]; then
    say "  $label $*: FAILED (see $LOG)"
    return 0
  fi
  line="${line%\}},\"rev\":\"$label\",\"sha\":\"$sha\",\"rep\":$rep,\"args\":\"$*\"}"
  echo "$line" | tee -a "$LOG" >> "$OUT"
  say "  $label $*: $(echo "$line" | "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d.get("calls_per_s") or d.get("bytes_per_active_entity"), d.get("verify", ""))')"
}
IFS=';' read -r -a LISTS <<< "$SCENARIOS"
LIMIT_LISTS=()
[ -n "$LIMITS" ] && IFS=';' read -r -a LIMIT_LISTS <<< "$LIMITS"
for rep in $(seq "$REPS"); do
  for args in "${LIMIT_LISTS[@]}"; do
    # shellcheck disable=SC2086
    run limit "$SHA_B" "$WORK/peers-$SHA_B/pgs-bench-peers.jar" "$rep" $args
  done
  for args in "${LISTS[@]}"; do
    # shellcheck disable=SC2086
    if [ $((rep % 2)) = 1 ]; then
      run A "$SHA_A" "$JAR_A" "$rep" $args
      run B "$SHA_B" "$JAR_B" "$rep" $args
    else
      run B "$SHA_B" "$JAR_B" "$rep" $args
      run A "$SHA_A" "$JAR_A" "$rep" $args
    fi
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT_DIR/ab-$STAMP.machine.txt"

# ------------------------------------------------------------------ summary
"$PY" "$ROOT/bench/before-after-report.py" "$OUT" | tee "$OUT_DIR/ab-$STAMP.md"
