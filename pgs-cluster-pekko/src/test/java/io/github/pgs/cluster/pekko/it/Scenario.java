package io.github.pgs.cluster.pekko.it;

import io.github.pgs.spi.Storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One cluster test's setting: a {@link TestCluster} of nodes on one store with a {@link Tally} type of its own,
 * and the steps every test needs (start, load, stop, verify against the store). The timings are short so that the
 * CI run stays short: the failure detector accepts 4 s without heartbeats, the split-brain resolver acts after 3 s
 * of stable membership, 50 shards.
 */
final class Scenario implements AutoCloseable {

    static final Duration STABLE_AFTER = Duration.ofSeconds(3);
    static final Duration HEARTBEAT_PAUSE = Duration.ofSeconds(4);
    static final int KEYS = 300;

    final TestCluster cluster;
    final String type;
    private final Supplier<Storage> verifyStore;

    private Scenario(String test, String type, List<String> storeArgs, Supplier<Storage> verifyStore,
                     List<String> extra) {
        List<String> args = new ArrayList<>(storeArgs);
        args.add("--stable-after-ms=" + STABLE_AFTER.toMillis());
        args.add("--heartbeat-pause-ms=" + HEARTBEAT_PAUSE.toMillis());
        args.add("--shards=50");
        args.addAll(extra);
        this.cluster = new TestCluster(Path.of("target", "cluster-logs", test), args);
        this.type = type;
        this.verifyStore = verifyStore;
    }

    static Scenario postgres(String test, String... extra) {
        String type = ClusterStores.unique("tally");
        return new Scenario(test, type, ClusterStores.postgresArgs(type),
                () -> ClusterStores.postgres(ClusterStores.pgUrl(), ClusterStores.pgUser(),
                        ClusterStores.pgPassword(), ClusterStores.PG_SCHEMA), List.of(extra));
    }

    static Scenario redis(String test, String... extra) {
        String type = ClusterStores.unique("tally");
        String namespace = ClusterStores.unique("pgs-cluster");
        return new Scenario(test, type, ClusterStores.redisArgs(namespace, type),
                () -> ClusterStores.redis(ClusterStores.redisUri(), namespace), List.of(extra));
    }

    /** Starts {@code n} nodes and waits until each sees all of them up. */
    List<NodeProcess> start(int n) throws Exception {
        List<NodeProcess> nodes = cluster.start(n);
        int size = cluster.live().size();
        awaitHosting(size);
        return nodes;
    }

    /** Waits until every live node sees {@code size} members up, each with its shard region registered. */
    void awaitHosting(int size) throws InterruptedException {
        TestCluster.awaitStatus(cluster.live(), s -> s.up().size() == size, Duration.ofSeconds(60),
                size + " members up");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (NodeProcess n : cluster.live()) {
            while (TestCluster.NodeStatus.field(n.command("status", TestCluster.COMMAND_TIMEOUT), "regions") != size) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(size + " shard regions not registered within 60 s");
                }
                Thread.sleep(100); // sharding settling in real time
            }
        }
    }

    void load(NodeProcess node, int callers, int castPercent) {
        node.command("load " + callers + " " + KEYS + " " + castPercent, TestCluster.COMMAND_TIMEOUT);
    }

    String stopLoad(NodeProcess node) {
        return node.command("stop-load", TestCluster.COMMAND_TIMEOUT);
    }

    /** Waits (bounded) until the nodes' logs hold {@code more} acknowledgements beyond what they hold now. */
    void awaitAcks(long more) throws Exception {
        long start = acks().count("ack");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (acks().count("ack") < start + more) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + more + " acknowledgements within 60 s");
            }
            Thread.sleep(100); // the load runs in other JVMs, in real time
        }
    }

    AckLog acks() throws java.io.IOException {
        return AckLog.read(cluster.ackLogs());
    }

    Map<String, Tally.State> stored() {
        try (Storage store = verifyStore.get()) {
            return ClusterStores.states(store, type, KEYS);
        }
    }

    /** The PostgreSQL application name of a node's connections. */
    String application(NodeProcess node) {
        return type + "-" + node.name;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
