package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime-wide duties run once for the whole cluster: durable reminders of servers that petrified are found by
 * the one node that keeps the duties and fire on each server's owner, once, not once per node.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterDutiesTest extends PostgresClusterTest {

    static final int SERVERS = 60;

    @Test
    void remindersOfPetrifiedServers_fireOnce_onTheirOwners() throws Exception {
        try (Scenario s = Scenario.postgres("ClusterDutiesTest", "--idle-ms=300")) {
            List<NodeProcess> nodes = s.start(3);
            nodes.get(0).command("remind " + SERVERS + " 3000", TestCluster.COMMAND_TIMEOUT);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (fired(s) < SERVERS) {
                assertThat(System.nanoTime()).as("every reminder fires within 60 s").isLessThan(deadline);
                Thread.sleep(250); // reminders fire in real time
            }
            long active = 0;
            for (NodeProcess n : nodes) {
                active += TestCluster.NodeStatus.field(n.command("status", TestCluster.COMMAND_TIMEOUT), "active");
            }
            Thread.sleep(Duration.ofSeconds(3).toMillis()); // a reminder fired twice would show up by now
            Map<String, Tally.State> stored = s.stored();
            long twice = stored.values().stream().filter(t -> t.reminders() > 1).count();
            System.out.printf("cluster duties: %d reminders of petrified servers fired on their owners, %d more "
                    + "than once, %d servers active across the nodes when they had fired%n", fired(s), twice, active);
            assertThat(twice).as("servers whose reminder fired more than once").isZero();
            for (int i = 0; i < SERVERS; i++) {
                assertThat(stored.get(NodeMain.key(i)).reminders()).as("reminder of %s", NodeMain.key(i))
                        .isEqualTo(1);
            }
        }
    }

    private static long fired(Scenario s) {
        return s.stored().values().stream().mapToLong(Tally.State::reminders).sum();
    }
}
