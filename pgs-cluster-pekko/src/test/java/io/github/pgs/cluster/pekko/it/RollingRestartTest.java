package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (d) All three nodes are restarted one at a time under load: each leaves gracefully (its shards are handed off,
 * its servers petrify first) and a new node joins in its place. No acknowledged increment is lost. Prints the
 * errors callers saw and the calls per second over the whole run.
 */
@Timeout(value = 120, unit = TimeUnit.MINUTES)
class RollingRestartTest extends PostgresClusterTest {

    @Test
    void rollingRestartUnderLoad_losesNoAcknowledgedIncrement() throws Exception {
        List<Long> acked = Runs.each("RollingRestartTest", RollingRestartTest::run);
        System.out.printf("rolling restart total: %d runs, %d acknowledged, none lost%n", acked.size(),
                acked.stream().mapToLong(Long::longValue).sum());
    }

    private static long run(int run, Random random) throws Exception {
        try (Scenario s = Scenario.postgres("RollingRestartTest")) {
            List<NodeProcess> nodes = new ArrayList<>(s.start(3));
            for (NodeProcess n : nodes) {
                s.load(n, 4, 0);
            }
            long start = System.currentTimeMillis();
            s.awaitAcks(500);
            List<String> steps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                NodeProcess old = nodes.remove(0);
                long leaving = System.currentTimeMillis();
                old.command("leave", Duration.ofSeconds(90));
                long left = System.currentTimeMillis();
                old.exit();
                NodeProcess fresh = s.cluster.startNode();
                nodes.add(fresh);
                TestCluster.awaitStatus(nodes, st -> st.up().size() == 3, Duration.ofSeconds(60),
                        "three members after restarting " + old.name);
                s.load(fresh, 4, 0);
                steps.add(String.format("%s left in %d ms at +%d s", old.name, left - leaving,
                        (leaving - start) / 1000));
                s.awaitAcks(300 + random.nextInt(1_500));
            }
            for (NodeProcess n : nodes) {
                s.stopLoad(n);
            }
            long end = System.currentTimeMillis();
            AckLog log = s.acks();
            AckLog.Verdict v = log.verify(s.stored());
            System.out.printf("rolling restart run %d: %d acknowledged, %d lost, %d acknowledged twice, %d "
                            + "unacknowledged in store; %s; errors callers saw: %s; calls/s: %s%n", run, v.acked(),
                    v.lost(), v.repeated(), v.unacknowledgedInStore(), steps, log.failuresByKind(),
                    log.callsPerSecond(start, end));
            assertThat(v.lost()).as("run %d: acknowledged increments lost", run).isZero();
            assertThat(v.repeated()).as("run %d: counts acknowledged twice", run).isZero();
            assertThat(v.unacknowledgedInStore()).as("run %d: unacknowledged increments are calls that timed out",
                    run).isLessThanOrEqualTo(log.count("fail"));
            return v.acked();
        }
    }
}
