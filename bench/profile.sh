#!/usr/bin/env bash
# Where the time goes: one pgs-bench run under JFR's CPU-time sampler (JDK 25: jdk.CPUTimeSample, which counts time
# in native code and in the kernel too), then a breakdown of the samples by thread and by step of the write path
# (encode, compare, handler, store statements, commit, log sync, runtime, GC, JIT...).
#
# Usage: bench/profile.sh [pgs-bench arguments...]     e.g. bench/profile.sh --scenario=S6 --store=sqlite --state-bytes=8192
# Environment: JAVA (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java), JVM_FLAGS (default "-Xms4g -Xmx8g -XX:+UseG1GC"),
#   PERIOD (CPU time between samples per thread, default 2ms), OUT (the .jfr file, default ${TMPDIR:-/tmp}/pgs-profile.jfr),
#   JAR (default pgs-bench/target/pgs-bench.jar; build it first: mvn -q -pl pgs-bench -am package -DskipTests)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JVM_FLAGS=${JVM_FLAGS:--Xms4g -Xmx8g -XX:+UseG1GC}
PERIOD=${PERIOD:-2ms}
OUT=${OUT:-${TMPDIR:-/tmp}/pgs-profile.jfr}
JAR=${JAR:-$ROOT/pgs-bench/target/pgs-bench.jar}
[ -f "$JAR" ] || { echo "missing $JAR (mvn -q -pl pgs-bench -am package -DskipTests)" >&2; exit 1; }
# shellcheck disable=SC2086
"$JAVA" $JVM_FLAGS "-XX:StartFlightRecording=filename=$OUT,settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=$PERIOD" \
  -jar "$JAR" "$@"
python3 "$ROOT/bench/profile-report.py" "$OUT" --jfr "$(dirname "$JAVA")/jfr"
