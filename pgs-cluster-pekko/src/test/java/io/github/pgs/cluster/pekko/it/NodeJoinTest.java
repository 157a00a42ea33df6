package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (e) A fourth node joins three under load: Pekko rebalances shards to it (each moving shard is handed off, its
 * servers petrifying first) and the new node hosts servers; no acknowledged increment is lost.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NodeJoinTest extends PostgresClusterTest {

    @Test
    void fourthNodeJoiningUnderLoad_getsShards_andNothingIsLost() throws Exception {
        try (Scenario s = Scenario.postgres("NodeJoinTest", "--rebalance-interval-ms=1000")) {
            List<NodeProcess> nodes = s.start(3);
            for (NodeProcess n : nodes) {
                s.load(n, 6, 0);
            }
            s.awaitAcks(1_000);
            long joining = System.currentTimeMillis();
            NodeProcess fourth = s.cluster.startNode("--rebalance-interval-ms=1000");
            TestCluster.awaitStatus(s.cluster.live(), st -> st.up().size() == 4, Duration.ofSeconds(60),
                    "four members");
            s.load(fourth, 6, 0);
            TestCluster.awaitStatus(List.of(fourth), st -> true, Duration.ofSeconds(1), "status");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            long hosted;
            while ((hosted = TestCluster.NodeStatus.hosted(fourth.command("status", TestCluster.COMMAND_TIMEOUT)))
                    < 10) {
                assertThat(System.nanoTime()).as("the new node gets servers within 90 s").isLessThan(deadline);
                Thread.sleep(200); // Pekko rebalances in real time
            }
            long rebalanced = System.currentTimeMillis();
            s.awaitAcks(1_000);
            for (NodeProcess n : s.cluster.live()) {
                s.stopLoad(n);
            }
            AckLog log = s.acks();
            AckLog.Verdict v = log.verify(s.stored());
            System.out.printf("node join: %d acknowledged, %d lost, %d acknowledged twice, %d unacknowledged in "
                            + "store; the new node hosted %d servers %d ms after it started; failures: %s%n",
                    v.acked(), v.lost(), v.repeated(), v.unacknowledgedInStore(), hosted, rebalanced - joining,
                    log.failuresByKind());
            assertThat(v.lost()).as("acknowledged increments lost").isZero();
            assertThat(v.repeated()).as("counts acknowledged twice").isZero();
            assertThat(v.unacknowledgedInStore()).as("unacknowledged increments are calls that timed out")
                    .isLessThanOrEqualTo(log.count("fail"));
        }
    }
}
