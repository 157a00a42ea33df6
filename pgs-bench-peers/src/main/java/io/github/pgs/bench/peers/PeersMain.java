package io.github.pgs.bench.peers;

import io.github.pgs.bench.JsonLine;
import io.github.pgs.bench.Options;
import io.github.pgs.bench.peers.limits.BigStateLimits;
import io.github.pgs.bench.peers.limits.PostgresLimits;
import io.github.pgs.bench.peers.limits.RedisLimit;
import io.github.pgs.bench.peers.limits.SqliteLimit;
import io.github.pgs.bench.peers.pekko.PekkoScenarios;

import java.util.Locale;

/**
 * What our benchmarks compare against, one JSON line per scenario on stdout (diagnostics on stderr), with the
 * same scenarios, options and fields as {@code pgs-bench.jar}:
 *
 * <table>
 *   <caption>Scenarios</caption>
 *   <tr><th>scenario</th><th>what</th><th>impl</th></tr>
 *   <tr><td>S1, S2, S3, S4, S5</td><td>Apache Pekko: DurableStateBehavior on pekko-persistence-jdbc behind Cluster
 *       Sharding; in-memory actors for S3 {@code plain} and S4</td><td>pekko</td></tr>
 *   <tr><td>S1-limit-autocommit, S1-limit-groupcommit, S2-limit</td><td>PostgreSQL itself (pgjdbc +
 *       HikariCP)</td><td>jdbc-limit</td></tr>
 *   <tr><td>S1-limit-sqlite</td><td>SQLite itself: B UPSERTs per transaction, one writer</td><td>sqlite-limit</td></tr>
 *   <tr><td>S1-limit-redis</td><td>Redis itself: INCR or EVALSHA per call, pipelined</td><td>redis-limit</td></tr>
 *   <tr><td>S6-limit-sqlite, S6-limit-postgres</td><td>the stores themselves writing S6's payloads
 *       ({@code --state-bytes})</td><td>sqlite-limit, jdbc-limit</td></tr>
 * </table>
 *
 * Exit status 1 if any scenario failed with an exception (a failed verification is {@code "verify":"mismatch"}
 * in its line). Each reported number comes from its own JVM.
 */
public final class PeersMain {

    private PeersMain() {
    }

    public static void main(String[] argv) {
        if (argv.length == 1 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println("usage: java -jar pgs-bench-peers.jar --scenario=S1|S2|S3|S4|S5|S1-limit-autocommit|"
                    + "S1-limit-groupcommit|S2-limit|S1-limit-sqlite|S1-limit-redis|S6-limit-sqlite|S6-limit-postgres[,...] [--K= --C= --W= --D= ...];"
                    + " see docs/benchmarks/README.md");
            return;
        }
        Options o = new Options(argv);
        int rc = 0;
        for (String sc : o.str("scenario", "S1").split(",")) {
            try {
                JsonLine line = switch (sc.trim().toUpperCase(Locale.ROOT)) {
                    case "S1" -> new PekkoScenarios(o).s1();
                    case "S2" -> new PekkoScenarios(o).s2();
                    case "S3" -> new PekkoScenarios(o).s3();
                    case "S4" -> new PekkoScenarios(o).s4();
                    case "S5" -> new PekkoScenarios(o).s5();
                    case "S1-LIMIT-AUTOCOMMIT" -> new PostgresLimits(o).autocommit();
                    case "S1-LIMIT-GROUPCOMMIT" -> new PostgresLimits(o).groupcommit();
                    case "S2-LIMIT" -> new PostgresLimits(o).reads();
                    case "S1-LIMIT-SQLITE" -> new SqliteLimit(o).run();
                    case "S1-LIMIT-REDIS" -> new RedisLimit(o).run();
                    case "S6-LIMIT-SQLITE" -> new BigStateLimits(o).sqlite();
                    case "S6-LIMIT-POSTGRES" -> new BigStateLimits(o).postgres();
                    default -> throw new IllegalArgumentException("unknown scenario " + sc);
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
