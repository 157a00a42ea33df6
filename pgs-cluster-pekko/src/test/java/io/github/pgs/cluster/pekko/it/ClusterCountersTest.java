package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * (a) Three nodes on one store; callers on every node call and cast to uniformly random servers, so most messages
 * cross nodes. At the end every server's totals are exact: each acknowledged call and each cast counted once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterCountersTest extends PostgresClusterTest {

    @Test
    void callsAndCastsFromEveryNode_toRandomServers_areCountedExactly_onPostgres() throws Exception {
        try (Scenario s = Scenario.postgres("ClusterCountersTest-postgres")) {
            run(s, "postgres");
        }
    }

    @Test
    void callsAndCastsFromEveryNode_toRandomServers_areCountedExactly_onRedis() throws Exception {
        try (Scenario s = Scenario.redis("ClusterCountersTest-redis")) {
            run(s, "redis");
        }
    }

    private static void run(Scenario s, String store) throws Exception {
        List<NodeProcess> nodes = s.start(3);
        for (NodeProcess n : nodes) {
            s.load(n, 8, 30);
        }
        s.awaitAcks(3_000);
        for (NodeProcess n : nodes) {
            s.stopLoad(n);
        }
        for (NodeProcess n : nodes) {
            n.command("sync " + Scenario.KEYS, TestCluster.COMMAND_TIMEOUT);
        }
        AckLog log = s.acks();
        Map<String, Tally.State> stored = s.stored();
        AckLog.Verdict v = log.verify(stored);
        long hosted = 0;
        for (NodeProcess n : nodes) {
            hosted += TestCluster.NodeStatus.hosted(n.command("status", TestCluster.COMMAND_TIMEOUT));
        }
        System.out.printf("cluster counters %s: 3 nodes, %d acknowledged calls, %d casts, %d failures, "
                        + "%d servers hosted across the nodes%n", store, v.acked(), v.castsSent(),
                log.count("fail"), hosted);
        assertThat(log.count("fail")).as("no call or cast failed in steady state").isZero();
        assertThat(v.lost()).as("acknowledged calls missing from the store").isZero();
        assertThat(v.repeated()).as("counts acknowledged twice").isZero();
        assertThat(v.unacknowledgedInStore()).as("calls in the store without an acknowledgement").isZero();
        assertThat(v.castsStored()).as("casts handled").isEqualTo(v.castsSent());
        long storedCalls = stored.values().stream().mapToLong(Tally.State::calls).sum();
        assertThat(storedCalls).as("calls handled").isEqualTo(v.acked());
        for (NodeProcess n : nodes) {
            assertThat(TestCluster.NodeStatus.hosted(n.command("status", TestCluster.COMMAND_TIMEOUT)))
                    .as("node %s hosts servers", n.name).isPositive();
        }
    }
}
