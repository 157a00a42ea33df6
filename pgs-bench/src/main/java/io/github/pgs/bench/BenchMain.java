package io.github.pgs.bench;

import java.util.Locale;

/**
 * The load harness: runs the scenarios named by {@code --scenario} (comma-separated) one after another in
 * this JVM and prints one JSON line per scenario on stdout (diagnostics go to stderr). Exit status 1 if any
 * scenario failed with an exception (a failed verification is reported in the line, {@code "verify":"mismatch"},
 * and does not change the exit status). For reported numbers, run each scenario in its own JVM
 * ({@code bench/side-by-side.sh} does).
 *
 * <pre>
 * java -Xms4g -Xmx8g -XX:+UseG1GC -jar pgs-bench/target/pgs-bench.jar --scenario=S1 --store=postgres
 * </pre>
 *
 * <table>
 *   <caption>Scenarios</caption>
 *   <tr><th>scenario</th><th>what</th><th>default store</th></tr>
 *   <tr><td>S1</td><td>durable throughput, Increment on random keys, verified</td><td>postgres</td></tr>
 *   <tr><td>S2</td><td>cold activation: first Get of N stored counters</td><td>postgres</td></tr>
 *   <tr><td>S3</td><td>heap per active and per petrified server</td><td>sqlite</td></tr>
 *   <tr><td>S4</td><td>in-memory throughput ({@code memory} or {@code ephemeral})</td><td>memory</td></tr>
 *   <tr><td>S5</td><td>tail latency under open load: S1 issued at a fixed rate ({@code --rate}, or
 *       {@code --rate-pct} of {@code --s1-max}), latency from intended send time</td><td>postgres</td></tr>
 *   <tr><td>S6</td><td>big states: ledgers of {@code --state-bytes} (default 8,192), one field changed per
 *       call; CPU and bytes written per call</td><td>postgres</td></tr>
 *   <tr><td>S7</td><td>many servers: {@code --stored} (default 10,000,000) seeded, Zipf-hot calls, a bounded
 *       active set; activation cost and store size</td><td>postgres</td></tr>
 *   <tr><td>SAVES</td><td>the store alone: C writers saving on K keys; {@code --max-batch=1}: no group commit</td><td>postgres</td></tr>
 *   <tr><td>R1</td><td>durable reminders: N due at once on petrified counters, fired by a new runtime</td><td>sqlite</td></tr>
 *   <tr><td>C1, C2, C3</td><td>cluster mode on node JVMs ({@link ClusterScenarios}): S1 on {@code --nodes}, the
 *       remote-call overhead, calls/s through a SIGKILL and a rolling restart</td><td>postgres</td></tr>
 * </table>
 *
 * The peers (Apache Pekko) and the stores' own limits run from {@code pgs-bench-peers.jar}, with the same options
 * and fields.
 *
 * Options (defaults as the peers'): {@code --K=10000 --C=64 --W=10 --D=20 --N=100000
 * --warm-entities=min(20000,N) --A=1000000 --callers=vthreads|threads|async --timeout-ms=10000};
 * {@code --store=memory|sqlite|postgres|redis|ephemeral}; {@code --write-mode=write-through|write-behind|on-petrify};
 * {@code --idle-timeout-s}; R1 {@code --reminder-concurrency --reminder-poll-ms --timeout-s}; S3 {@code --histogram}
 * (class histograms to stderr); PostgreSQL {@code --db-url --db-user --db-password --pool --writers --max-batch},
 * and for S1, S5 and C1 {@code --analyze-at=0.6|off} (the tables analyzed that far into the warm-up,
 * {@link WarmupAnalyze});
 * Redis {@code --redis-uri --writers --max-batch}; SQLite
 * {@code --sqlite-path --sqlite-sync=FULL|NORMAL --max-batch}. See {@code docs/benchmarks/README.md}.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] argv) {
        if (argv.length == 1 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println("usage: java -jar pgs-bench.jar --scenario=S1|S2|S3|S4|S5|S6|S7|R1|SAVES|C1|C2|C3"
                    + "[,...] [--store=...] [--K= --C= --W= --D= --N= --A= ...]; see docs/benchmarks/README.md");
            return;
        }
        Options o = new Options(argv);
        PgsScenarios pgs = new PgsScenarios(o);
        int rc = 0;
        for (String sc : o.str("scenario", "S1").split(",")) {
            try {
                JsonLine line = switch (sc.trim().toUpperCase(Locale.ROOT)) {
                    case "S1" -> pgs.s1();
                    case "S2" -> pgs.s2();
                    case "S3" -> pgs.s3();
                    case "S4" -> pgs.s4();
                    case "S5" -> new TailLatency(pgs).run();
                    case "S6" -> new BigStates(pgs).run();
                    case "S7" -> new ManyServers(pgs).run();
                    case "R1" -> pgs.r1();
                    case "SAVES" -> pgs.saves();
                    case "C1" -> new ClusterScenarios(o, pgs, argv).c1();
                    case "C2" -> new ClusterScenarios(o, pgs, argv).c2();
                    case "C3" -> new ClusterScenarios(o, pgs, argv).c3();
                    default -> throw new IllegalArgumentException("unknown scenario " + sc
                            + (sc.contains("limit") ? " (the limits run from pgs-bench-peers.jar)" : ""));
                };
                System.out.println(line);
                System.out.flush();
            } catch (Exception e) {
                e.printStackTrace();
                rc = 1;
            }
        }
        System.exit(rc);
    }
}
