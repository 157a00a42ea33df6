#!/usr/bin/env bash
# Our harness beside Apache Pekko and the stores' own limits, in one run, with plots.
#
# Usage: bench/side-by-side.sh [REPS] [GROUP...]
#   REPS   repetitions of each run (default 3); runs of different implementations are interleaved
#   GROUP  core  S1 (PostgreSQL, SQLite, Redis; Pekko; autocommit, group-commit, SQLite and Redis limits),
#                S2 (PostgreSQL; Pekko; read limit), S4 (ephemeral, in-memory store; Pekko sharded, direct)
#          mem   S3 memory, 1,000,000 servers (ours on SQLite; Pekko plain and durable-mem)
#          extra S2 from SQLite and Redis, S1 on PostgreSQL in write-behind mode
#          cross  the peers from the repository beside the external harnesses of PEERS_SRC (required for this
#                 group): S1, S2, S4 on Pekko and the PostgreSQL limits, each run by both, interleaved
#          s5     tail latency under open load: first S1 of ours (SQLite, PostgreSQL), Pekko and the SQLite and
#                 autocommit limits, S5_MAX_REPS times (unless S1 runs of this session exist already; in the run
#                 of the first repetition), then S5 at S5_RATES percent of each one's
#                 median S1, with each schedule of S5_SCHEDULES (Pekko: poisson only)
#          s6     big states: ours and the store's own limit at each size of S6_SIZES, SQLite and PostgreSQL
#          s7     many servers: at each N of S7_SIZES on each store of S7_STORES, seeded once (first repetition,
#                 timeout SEED_TIMEOUT), then measured in a fresh JVM per repetition on the same data set
#          (default: core mem)
# Environment:
#   JAVA       JDK 21+ java binary (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   JVM_FLAGS  default "-Xms4g -Xmx8g -XX:+UseG1GC" (the peers' flags)
#   MEM_REPS   repetitions of the mem group (default: REPS)
#   PEERS_SRC  optional: a directory with external peer harnesses (pekko/ and jdbc-limit/, standalone Maven
#              projects with the same scenarios and fields) to cross-check the repository's own pgs-bench-peers;
#              read-only, built in a copy. Only the cross group uses them; without it nothing outside the
#              repository is read.
#   PEERS_WORK where that copy is built (default ${TMPDIR:-/tmp}/pgs-peers-build)
#   SKIP_BUILD 1: use the jars already built
#   PYTHON     a python3 with matplotlib (default: python3 on PATH, else /usr/bin/python3)
#   RUN_ARGS   extra arguments appended to every run (e.g. "--W=2 --D=5 --N=20000 --A=100000" for a smoke run)
#   S5_RATES   default "25 50 75 90"; S5_SCHEDULES default "poisson" ("poisson constant": both); S5_MAX_REPS default 3;
#   S5_ARGS    default "--W=5 --D=15"
#   S6_SIZES   default "1024 8192 65536"; S6_ARGS default "--W=5 --D=15"
#   S7_SIZES   default "100000 1000000 10000000"; S7_STORES default "sqlite postgres"; S7_ARGS default "--W=10 --D=20"
#   RUN_TIMEOUT  seconds one run may take (default 300); SEED_TIMEOUT for an S7 seed (default 3600)
#   REPORT_ALSO results files of earlier sessions (run-*.jsonl) to report together with this one in RESULTS.md
#              (e.g. the s7 session beside the core one); their machine files are included too
#   REPORT_DIR where RESULTS.md, the plots and results/ go (default docs/benchmarks; a smoke run goes elsewhere)
# Output: REPORT_DIR/results/run-<timestamp>.jsonl (one JSON line per run), .log (stderr of the runs),
#         .machine.txt; then REPORT_DIR/RESULTS.md and REPORT_DIR/*.png from that run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JVM_FLAGS=${JVM_FLAGS:--Xms4g -Xmx8g -XX:+UseG1GC}
REPS=${1:-3}
shift $(( $# > 0 ? 1 : 0 )) || true
GROUPS_=${*:-core mem}
MEM_REPS=${MEM_REPS:-$REPS}
PEERS_SRC=${PEERS_SRC:-}
PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/pgs-peers-build}
RUN_ARGS=${RUN_ARGS:-}
S5_RATES=${S5_RATES:-25 50 75 90}
S5_SCHEDULES=${S5_SCHEDULES:-poisson}
S5_MAX_REPS=${S5_MAX_REPS:-3}
S5_ARGS=${S5_ARGS:---W=5 --D=15}
S6_SIZES=${S6_SIZES:-1024 8192 65536}
S6_ARGS=${S6_ARGS:---W=5 --D=15}
S7_SIZES=${S7_SIZES:-100000 1000000 10000000}
S7_STORES=${S7_STORES:-sqlite postgres}
S7_ARGS=${S7_ARGS:---W=10 --D=20}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
SEED_TIMEOUT=${SEED_TIMEOUT:-3600}
DB_ARGS="--db-url=jdbc:postgresql://127.0.0.1:5432/bench --db-user=bench --db-password=bench"
REPORT_DIR=${REPORT_DIR:-$ROOT/docs/benchmarks}
RESULTS_DIR=$REPORT_DIR/results
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$RESULTS_DIR/run-$STAMP.jsonl
LOG=$RESULTS_DIR/run-$STAMP.log
MACHINE=$RESULTS_DIR/run-$STAMP.machine.txt

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ prerequisites
[ -x "$JAVA" ] || die "no java at $JAVA (set JAVA to a JDK 21+ binary)"
command -v mvn >/dev/null || die "mvn not found"
command -v psql >/dev/null || die "psql not found (PostgreSQL client)"
command -v redis-cli >/dev/null || die "redis-cli not found"
# A python3 that has matplotlib: the one on PATH, else the system one (Debian's package installs there).
PY=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import matplotlib' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  say "matplotlib missing: installing the Debian package python3-matplotlib"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib) >&2 \
      || die "apt-get install python3-matplotlib failed; install matplotlib for python3 and rerun"
    PY=/usr/bin/python3
    "$PY" -c 'import matplotlib' || die "matplotlib still not importable by $PY"
  else
    die "no python3 can import matplotlib; install it (Debian: apt-get install python3-matplotlib) or set PYTHON"
  fi
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null || die "PostgreSQL on 127.0.0.1:5432 (user postgres) not reachable"
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || die "Redis on 127.0.0.1:6379 not reachable"

# The peers' role and database (idempotent); CHECKPOINT before measuring needs pg_checkpoint.
pg() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc "$1"; }
[ "$(pg "select 1 from pg_roles where rolname = 'bench'")" = 1 ] || pg "create role bench login password 'bench'" >/dev/null
[ "$(pg "select 1 from pg_database where datname = 'bench'")" = 1 ] || pg "create database bench owner bench" >/dev/null
pg "grant pg_checkpoint to bench" >/dev/null 2>&1   # NOTICE when already granted

# ------------------------------------------------------------------ build
PGS_JAR=$ROOT/pgs-bench/target/pgs-bench.jar
PEERS_JAR=$ROOT/pgs-bench-peers/target/pgs-bench-peers.jar
EXT_PEKKO_JAR=$PEERS_WORK/pekko/target/pekko-peer.jar
EXT_LIMIT_JAR=$PEERS_WORK/jdbc-limit/target/jdbc-limit.jar
case " $GROUPS_ " in *" cross "*) [ -n "$PEERS_SRC" ] || die "the cross group needs PEERS_SRC (external harnesses)";; esac
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building pgs-bench and pgs-bench-peers (mvn -q -pl pgs-bench,pgs-bench-peers -am package)"
  (cd "$ROOT" && mvn -B -q -pl pgs-bench,pgs-bench-peers -am package -DskipTests) >&2 || die "build failed"
  if [ -n "$PEERS_SRC" ]; then
    say "copying the external harnesses of $PEERS_SRC to $PEERS_WORK and building them"
    mkdir -p "$PEERS_WORK"
    for p in pekko jdbc-limit; do
      rm -rf "${PEERS_WORK:?}/$p"
      cp -r "$PEERS_SRC/$p" "$PEERS_WORK/$p"
      rm -rf "$PEERS_WORK/$p/target"
      (cd "$PEERS_WORK/$p" && mvn -B -q package) >&2 || die "building external harness $p failed"
    done
  fi
fi
for j in "$PGS_JAR" "$PEERS_JAR"; do [ -f "$j" ] || die "missing $j"; done
if [ -n "$PEERS_SRC" ]; then
  for j in "$EXT_PEKKO_JAR" "$EXT_LIMIT_JAR"; do [ -f "$j" ] || die "missing $j"; done
fi

# ------------------------------------------------------------------ machine
mkdir -p "$RESULTS_DIR"
{
  echo "date: $(date -Is)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
  echo "disk (/tmp, SQLite files): $(df -h /tmp | awk 'NR==2 {print $1 ", " $2 " total, " $4 " free"}')"
  echo "disk (PostgreSQL data): $(df -h "$(pg 'show data_directory' 2>/dev/null || echo /)" 2>/dev/null | awk 'NR==2 {print $1 ", " $2 " total"}')"
  echo "kernel: $(uname -r)"
  echo "jdk: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "jvm flags: $JVM_FLAGS"
  echo "postgresql: $(pg 'select version()' | cut -d, -f1); fsync=$(pg 'show fsync'), synchronous_commit=$(pg 'show synchronous_commit'), shared_buffers=$(pg 'show shared_buffers'), max_connections=$(pg 'show max_connections')"
  echo "redis: $(redis-cli info server | grep redis_version | tr -d '\r'); appendonly=$(redis-cli config get appendonly | tail -1), appendfsync=$(redis-cli config get appendfsync | tail -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "reps: $REPS (mem: $MEM_REPS), groups: $GROUPS_, extra run args: ${RUN_ARGS:-none}"
  echo "peers: pgs-bench-peers (this repository)${PEERS_SRC:+; external harnesses for the cross group: $PEERS_SRC}"
} > "$MACHINE"
say "machine: $(tr '\n' ';' < "$MACHINE")"

# ------------------------------------------------------------------ runs
# One fresh JVM per run, at most TIMEOUT seconds (RUN_TIMEOUT); the JSON line goes to OUT, everything else to LOG.
TIMEOUT=$RUN_TIMEOUT
TOTAL=0
FAILED=0
REP=0
run() {
  local label=$1 harness=repo; shift
  if [ "$1" = --external ]; then harness=external; shift; fi
  local t0=$SECONDS line
  echo "### $label: $*" >> "$LOG"
  line=$(timeout "$TIMEOUT" "$JAVA" $JVM_FLAGS "$@" $RUN_ARGS 2>>"$LOG" | grep '^{' || true)
  TOTAL=$((TOTAL + 1))
  if [ -z "$line" ]; then
    FAILED=$((FAILED + 1))
    say "  $label: FAILED (see $LOG)"
    return 0
  fi
  # the repetition, so that ratios pair the i-th runs of each side; which harness ran it
  line="${line%\}},\"rep\":$REP,\"harness\":\"$harness\"}"
  echo "$line" | tee -a "$LOG" >> "$OUT"
  say "  $label ($((SECONDS - t0)) s): $("$PY" "$ROOT/bench/side-by-side-report.py" --brief "$line")"
}
pgs()   { run "pgs $*" -jar "$PGS_JAR" $DB_ARGS "$@"; }
pekko() { run "pekko $*" -jar "$PEERS_JAR" $DB_ARGS "$@"; }
limit() { run "limit $*" -jar "$PEERS_JAR" $DB_ARGS "$@"; }
ext_pekko() { run "external pekko $*" --external -jar "$EXT_PEKKO_JAR" $DB_ARGS "$@"; }
ext_limit() { run "external jdbc-limit $*" --external -jar "$EXT_LIMIT_JAR" $DB_ARGS "$@"; }

core() {
  pekko --scenario=S1
  limit --scenario=S1-limit-autocommit
  pgs   --scenario=S1 --store=postgres
  limit --scenario=S1-limit-groupcommit --batch-style=unnest
  pgs   --scenario=S1 --store=sqlite
  limit --scenario=S1-limit-sqlite
  pgs   --scenario=S1 --store=redis
  limit --scenario=S1-limit-redis --redis-op=evalsha
  pekko --scenario=S2
  pgs   --scenario=S2 --store=postgres
  limit --scenario=S2-limit
  pekko --scenario=S4
  pgs   --scenario=S4 --store=ephemeral
  pekko --scenario=S4 --s4-mode=direct
  pgs   --scenario=S4 --store=memory
}
mem() {
  pekko --scenario=S3
  pgs   --scenario=S3 --store=sqlite
  pekko --scenario=S3 --s3-kind=durable-mem
}
extra() {
  pgs   --scenario=S2 --store=sqlite
  pgs   --scenario=S2 --store=redis
  pgs   --scenario=S1 --store=postgres --write-mode=write-behind
}

cross() {
  pekko     --scenario=S1
  ext_pekko --scenario=S1
  limit     --scenario=S1-limit-autocommit
  ext_limit --scenario=S1-limit-autocommit
  limit     --scenario=S1-limit-groupcommit --batch-style=unnest
  ext_limit --scenario=S1-limit-groupcommit --batch-style=unnest
  pekko     --scenario=S2
  ext_pekko --scenario=S2
  limit     --scenario=S2-limit
  ext_limit --scenario=S2-limit
  pekko     --scenario=S4
  ext_pekko --scenario=S4
}

# The median S1 calls/s of this session's runs of one implementation (impl, store; "" for Pekko), or 0.
s1_max() {
  "$PY" - "$OUT" "$1" "$2" <<'PYEOF'
import json, statistics, sys
out, impl, store = sys.argv[1:4]
vals = []
try:
    for line in open(out):
        d = json.loads(line)
        if (d["scenario"] == "S1-durable-throughput" and d["impl"] == impl and d.get("store", "") == store
                and d.get("write_mode", "write-through") == "write-through" and d.get("harness", "repo") == "repo"
                and d.get("verify") == "ok"):
            vals.append(d["calls_per_s"])
except FileNotFoundError:
    pass
print(int(statistics.median(vals)) if vals else 0)
PYEOF
}

S5_MAX_SQLITE=; S5_MAX_PG=; S5_MAX_PEKKO=
s5() {
  if [ -z "$S5_MAX_SQLITE" ]; then
    if [ "$(s1_max pgs sqlite)" = 0 ] || [ "$(s1_max pgs postgres)" = 0 ] || [ "$(s1_max pekko '')" = 0 ]; then
      local rep_now=$REP
      for r1 in $(seq "$S5_MAX_REPS"); do   # with the limits, so the session also gives the S1 ratios
        REP=$r1   # each round is a repetition of its own, so that ratios pair the runs of one round
        pgs   --scenario=S1 --store=sqlite
        limit --scenario=S1-limit-sqlite
        pgs   --scenario=S1 --store=postgres
        limit --scenario=S1-limit-autocommit
        pekko --scenario=S1
      done
      REP=$rep_now
    fi
    S5_MAX_SQLITE=$(s1_max pgs sqlite); S5_MAX_PG=$(s1_max pgs postgres); S5_MAX_PEKKO=$(s1_max pekko '')
    say "S5 rates from the S1 medians of this session: SQLite $S5_MAX_SQLITE, PostgreSQL $S5_MAX_PG, Pekko $S5_MAX_PEKKO calls/s"
    for m in "$S5_MAX_SQLITE" "$S5_MAX_PG" "$S5_MAX_PEKKO"; do [ "$m" -gt 0 ] || die "no verified S1 run to set S5 rates from"; done
  fi
  for pct in $S5_RATES; do
    for sch in $S5_SCHEDULES; do
      pgs --scenario=S5 --store=sqlite --rate-pct="$pct" --s1-max="$S5_MAX_SQLITE" --schedule="$sch" $S5_ARGS
      pgs --scenario=S5 --store=postgres --rate-pct="$pct" --s1-max="$S5_MAX_PG" --schedule="$sch" $S5_ARGS
    done
    pekko --scenario=S5 --rate-pct="$pct" --s1-max="$S5_MAX_PEKKO" --schedule=poisson $S5_ARGS
  done
}
s6() {
  for size in $S6_SIZES; do
    pgs   --scenario=S6 --store=sqlite --state-bytes="$size" $S6_ARGS
    limit --scenario=S6-limit-sqlite --state-bytes="$size" $S6_ARGS
    pgs   --scenario=S6 --store=postgres --state-bytes="$size" $S6_ARGS
    limit --scenario=S6-limit-postgres --state-bytes="$size" $S6_ARGS
  done
}
s7() {
  for n in $S7_SIZES; do
    for st in $S7_STORES; do
      if [ "$REP" = 1 ]; then   # (re)seed once; later repetitions reuse the data set
        TIMEOUT=$SEED_TIMEOUT
        pgs --scenario=S7 --store="$st" --stored="$n" --seed-only --reseed
        TIMEOUT=$RUN_TIMEOUT
      fi
      pgs --scenario=S7 --store="$st" --stored="$n" $S7_ARGS
    done
  done
}

START=$SECONDS
say "results -> $OUT"
for g in $GROUPS_; do
  case $g in core|mem|extra|cross|s5|s6|s7) ;; *) die "unknown group $g (core, mem, extra, cross, s5, s6, s7)";; esac
done
MAX_REPS=$(( REPS > MEM_REPS ? REPS : MEM_REPS ))
for r in $(seq "$MAX_REPS"); do
  for g in $GROUPS_; do
    if [ "$g" = mem ] && [ "$r" -gt "$MEM_REPS" ]; then continue; fi
    if [ "$g" != mem ] && [ "$r" -gt "$REPS" ]; then continue; fi
    REP=$r
    say "repetition $r: group $g"
    "$g"
  done
done
say "$TOTAL runs ($FAILED failed) in $(( (SECONDS - START) / 60 )) min; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$MACHINE"
echo "runs: $TOTAL, failed: $FAILED, minutes: $(( (SECONDS - START) / 60 ))" >> "$MACHINE"

# ------------------------------------------------------------------ report
ALSO_MACHINES=()
for f in ${REPORT_ALSO:-}; do ALSO_MACHINES+=(--machine "${f%.jsonl}.machine.txt"); done
# shellcheck disable=SC2086
"$PY" "$ROOT/bench/side-by-side-report.py" ${REPORT_ALSO:-} "$OUT" "${ALSO_MACHINES[@]}" --machine "$MACHINE" \
  --out "$REPORT_DIR" || die "report failed"
say "wrote $REPORT_DIR/RESULTS.md and plots"
