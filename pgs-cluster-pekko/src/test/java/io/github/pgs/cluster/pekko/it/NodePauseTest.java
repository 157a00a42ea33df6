package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (c) One of three nodes is paused with SIGSTOP for longer than the failure detector accepts (a long GC pause, a
 * partition), then resumed with SIGCONT while callers on every node go on. The survivors take its servers over;
 * when it wakes, its servers' writes are fenced by the store's version check and it learns it was removed. No
 * acknowledged increment is lost, none is acknowledged twice (no forked history). Prints the fenced writes.
 */
@Timeout(value = 120, unit = TimeUnit.MINUTES)
class NodePauseTest extends PostgresClusterTest {

    @Test
    void pausedNode_hasItsStaleWritesFenced_andLosesNoAcknowledgedIncrement() throws Exception {
        List<Long> fenced = Runs.each("NodePauseTest", NodePauseTest::run);
        System.out.printf("node pause total: %d runs, %d fenced writes%n", fenced.size(),
                fenced.stream().mapToLong(Long::longValue).sum());
    }

    private static long run(int run, Random random) throws Exception {
        try (Scenario s = Scenario.postgres("NodePauseTest")) {
            List<NodeProcess> nodes = s.start(3);
            for (NodeProcess n : nodes) {
                s.load(n, 6, 0);
            }
            s.awaitAcks(500 + random.nextInt(3_000));
            NodeProcess paused = nodes.get(random.nextInt(3));
            List<NodeProcess> others = nodes.stream().filter(n -> n != paused).toList();
            Duration pause = Scenario.HEARTBEAT_PAUSE.plus(Scenario.STABLE_AFTER)
                    .plusMillis(6_000 + random.nextInt(6_000));
            long pausedAt = System.currentTimeMillis();
            paused.pause(pause);
            TestCluster.awaitStatus(others, st -> st.up().size() == 2 && st.unreachable().isEmpty(),
                    pause.plusSeconds(60), "the paused node is removed");
            paused.awaitResumed(pause.plusSeconds(60));
            long resumedAt = System.currentTimeMillis();
            TestCluster.awaitStatus(List.of(paused), TestCluster.NodeStatus::removed, Duration.ofSeconds(60),
                    "the resumed node knows it was removed");
            long outAt = System.currentTimeMillis();
            s.stopLoad(paused); // its callers are refused from now on (safe to retry elsewhere)
            NodeKillTest.awaitNoFailuresFor(s, Duration.ofSeconds(3), Duration.ofSeconds(60));
            for (NodeProcess n : others) {
                s.stopLoad(n);
            }
            String status = paused.command("status", TestCluster.COMMAND_TIMEOUT);
            long fenced = TestCluster.NodeStatus.field(status, "writeFailures");
            AckLog log = s.acks();
            AckLog.Verdict v = log.verify(s.stored());
            System.out.printf("node pause run %d: paused %d ms; %d acknowledged, %d lost, %d acknowledged twice, "
                            + "%d unacknowledged in store; %d writes of the paused node fenced; it knew it was out "
                            + "%d ms after SIGCONT; failures: %s%n", run, pause.toMillis(), v.acked(), v.lost(),
                    v.repeated(), v.unacknowledgedInStore(), fenced, outAt - resumedAt, log.failuresByKind());
            assertThat(resumedAt - pausedAt).isGreaterThanOrEqualTo(pause.toMillis() - 100);
            assertThat(v.lost()).as("run %d: acknowledged increments lost", run).isZero();
            assertThat(v.repeated()).as("run %d: counts acknowledged twice (a forked history)", run).isZero();
            assertThat(v.unacknowledgedInStore()).as("run %d: unacknowledged increments are calls that were in "
                    + "flight or timed out", run).isLessThanOrEqualTo(log.count("fail") + 6);
            return fenced;
        }
    }
}
