package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (b) One of three nodes is killed with SIGKILL while callers on every node increment random servers. Its shards
 * start on the survivors after failure detection and the split-brain resolver; no acknowledged increment is lost
 * and none is acknowledged twice. Prints how long calls to the dead node's servers failed before they succeeded
 * again.
 */
@Timeout(value = 120, unit = TimeUnit.MINUTES)
class NodeKillTest extends PostgresClusterTest {

    @Test
    void sigkilledNode_losesNoAcknowledgedIncrement_andItsServersComeBackOnTheSurvivors() throws Exception {
        List<Long> windows = Runs.each("NodeKillTest", NodeKillTest::run);
        System.out.printf("node kill total: %d runs, longest failure window %d ms%n", windows.size(),
                windows.stream().mapToLong(Long::longValue).max().orElse(0));
    }

    private static long run(int run, Random random) throws Exception {
        try (Scenario s = Scenario.postgres("NodeKillTest")) {
            List<NodeProcess> nodes = s.start(3);
            for (NodeProcess n : nodes) {
                s.load(n, 6, 0);
            }
            s.awaitAcks(500 + random.nextInt(3_000));
            NodeProcess victim = nodes.get(random.nextInt(3));
            List<NodeProcess> survivors = nodes.stream().filter(n -> n != victim).toList();
            long killedAt = System.currentTimeMillis();
            victim.kill();
            TestCluster.awaitStatus(survivors, st -> st.up().size() == 2 && st.unreachable().isEmpty(),
                    Duration.ofSeconds(60), "the killed node is removed");
            long removedAt = System.currentTimeMillis();
            awaitNoFailuresFor(s, Duration.ofSeconds(3), Duration.ofSeconds(60));
            for (NodeProcess n : survivors) {
                s.stopLoad(n);
            }
            ClusterStores.awaitNoPostgresSessions(s.application(victim));
            AckLog log = s.acks();
            AckLog.Verdict v = log.verify(s.stored());
            List<Long> windows = log.recoveryMillis(killedAt);
            long longest = windows.isEmpty() ? 0 : windows.get(windows.size() - 1);
            long median = windows.isEmpty() ? 0 : windows.get(windows.size() / 2);
            System.out.printf("node kill run %d: %d acknowledged, %d lost, %d acknowledged twice, %d unacknowledged "
                            + "in store; node removed %d ms after SIGKILL; %d servers saw failures, which succeeded "
                            + "again after %d ms (median) / %d ms (longest); failures: %s%n", run, v.acked(), v.lost(),
                    v.repeated(), v.unacknowledgedInStore(), removedAt - killedAt, windows.size(), median, longest,
                    log.failuresByKind());
            assertThat(v.lost()).as("run %d: acknowledged increments lost", run).isZero();
            assertThat(v.repeated()).as("run %d: counts acknowledged twice", run).isZero();
            assertThat(v.unacknowledgedInStore()).as("run %d: unacknowledged increments are calls that were in "
                    + "flight or timed out", run).isLessThanOrEqualTo(6 + log.count("fail"));
            return longest;
        }
    }

    /** Waits until the callers' logs show no failure for {@code quiet} (bounded by {@code limit}). */
    static void awaitNoFailuresFor(Scenario s, Duration quiet, Duration limit) throws Exception {
        long deadline = System.currentTimeMillis() + limit.toMillis();
        while (true) {
            long now = System.currentTimeMillis();
            long lastFailure = s.acks().entries.stream().filter(e -> e.kind().equals("fail"))
                    .mapToLong(AckLog.Entry::millis).max().orElse(0);
            if (now - lastFailure >= quiet.toMillis()) {
                return;
            }
            if (now > deadline) {
                throw new AssertionError("calls still failing " + limit.toMillis() + " ms later");
            }
            Thread.sleep(200); // the callers run in other JVMs, in real time
        }
    }
}
