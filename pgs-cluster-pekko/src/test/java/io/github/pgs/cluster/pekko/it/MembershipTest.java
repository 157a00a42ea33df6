package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The membership layer alone, on real node JVMs: three nodes form one cluster on loopback; a SIGKILLed node is
 * downed by the split-brain resolver of the survivors (keep-majority); a node paused with SIGSTOP for longer than
 * the failure detector accepts is downed as well, and once resumed finds itself out of the cluster. Real time is
 * what these tests are about: the timings they print are the failure detector's and the resolver's.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MembershipTest {

    static final Duration STABLE_AFTER = Duration.ofSeconds(3);
    static final Duration HEARTBEAT_PAUSE = Duration.ofSeconds(4);

    private static TestCluster cluster(String test) {
        return new TestCluster(Path.of("target", "cluster-logs", "MembershipTest", test),
                List.of("--stable-after-ms=" + STABLE_AFTER.toMillis(),
                        "--heartbeat-pause-ms=" + HEARTBEAT_PAUSE.toMillis()));
    }

    private static List<NodeProcess> threeUp(TestCluster cluster) throws Exception {
        List<NodeProcess> nodes = cluster.start(3);
        TestCluster.awaitStatus(nodes, s -> s.up().size() == 3, Duration.ofSeconds(60), "three members up");
        return nodes;
    }

    @Test
    void sigkilledNode_isDownedBySurvivors() throws Exception {
        try (TestCluster cluster = cluster("sigkill")) {
            List<NodeProcess> nodes = threeUp(cluster);
            NodeProcess victim = nodes.get(2);
            long killed = System.nanoTime();
            victim.kill();
            List<NodeProcess> survivors = nodes.subList(0, 2);
            TestCluster.awaitStatus(survivors, s -> s.unreachable().contains(victim.address()),
                    Duration.ofSeconds(30), "the killed node is unreachable");
            long unreachable = System.nanoTime();
            TestCluster.awaitStatus(survivors, s -> s.up().size() == 2 && s.unreachable().isEmpty()
                            && !s.up().contains(victim.address()), Duration.ofSeconds(60),
                    "the killed node is downed and removed");
            long removed = System.nanoTime();
            System.out.printf("membership sigkill: unreachable after %d ms, removed after %d ms "
                            + "(acceptable-heartbeat-pause %d ms, stable-after %d ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(unreachable - killed),
                    TimeUnit.NANOSECONDS.toMillis(removed - killed), HEARTBEAT_PAUSE.toMillis(),
                    STABLE_AFTER.toMillis());
        }
    }

    @Test
    void pausedNode_isDowned_andFindsItselfRemovedWhenResumed() throws Exception {
        try (TestCluster cluster = cluster("sigstop")) {
            List<NodeProcess> nodes = threeUp(cluster);
            NodeProcess paused = nodes.get(2);
            Duration pause = HEARTBEAT_PAUSE.plus(STABLE_AFTER).plusSeconds(6);
            long stopped = System.nanoTime();
            paused.pause(pause);
            List<NodeProcess> survivors = nodes.subList(0, 2);
            TestCluster.awaitStatus(survivors, s -> s.up().size() == 2 && s.unreachable().isEmpty()
                            && !s.up().contains(paused.address()), pause.plusSeconds(30),
                    "the paused node is downed and removed");
            long removed = System.nanoTime();
            paused.awaitResumed(pause.plusSeconds(30));
            long resumed = System.nanoTime();
            TestCluster.awaitStatus(List.of(paused), TestCluster.NodeStatus::removed, Duration.ofSeconds(60),
                    "the resumed node knows it is no longer a member");
            long selfRemoved = System.nanoTime();
            System.out.printf("membership sigstop: paused %d ms, removed by survivors after %d ms, "
                            + "resumed node out of the cluster %d ms after SIGCONT%n", pause.toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(removed - stopped),
                    TimeUnit.NANOSECONDS.toMillis(selfRemoved - resumed));
            assertThat(TestCluster.NodeStatus.parse(survivors.get(0).command("status", TestCluster.COMMAND_TIMEOUT))
                    .up()).as("the survivors did not take the resumed node back").hasSize(2);
        }
    }
}
