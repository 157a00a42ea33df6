package io.github.pgs.cluster.pekko;

import io.github.pgs.cluster.pekko.internal.ClusterMember;
import io.github.pgs.cluster.pekko.internal.PekkoPlacement;
import io.github.pgs.placement.Placement;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * This JVM as a node of a cluster that runs one set of servers on several JVMs sharing one store. Apache Pekko
 * Cluster Sharding decides which node hosts which server, routes every message to it, moves servers when nodes
 * join, leave or fail, and resolves partitions (split-brain resolver); the store's version fence keeps every
 * server's state correct even when two nodes briefly both think they host it.
 *
 * <pre>{@code
 * try (PekkoCluster cluster = PekkoCluster.join(ClusterSettings.builder()
 *              .host("10.0.0.5").seedNode("10.0.0.4:25520").build());
 *      ServerRuntime runtime = ServerRuntime.builder()
 *              .storage(PostgresStorage.open(options))
 *              .register(ServerType.of(Player.class))
 *              .placement(cluster.placement())
 *              .build()) {
 *     runtime.ref(Player.class, "Vorpal").call(new Player.ReadScore());   // from any node
 * }
 * }</pre>
 *
 * <p>Closing the runtime leaves the cluster first: every shard of this node is handed off (each of its servers
 * petrifies, writing what write-behind and on-petrify servers hold) before another node starts it. Closing this
 * object does the same without closing the runtime; the runtime then refuses messages with
 * {@code ServerUnreachableException} (safe to retry elsewhere). A JVM shutdown (SIGTERM) runs the same leave
 * through Pekko's coordinated shutdown. If the split-brain resolver removes this node, its servers are petrified
 * and it refuses messages from then on; its writes after the removal, if any, are rejected by the version fence.
 *
 * <p>Thread-safe. One runtime per node.
 */
public final class PekkoCluster implements AutoCloseable {

    private final ClusterMember member;
    private final PekkoPlacement placement;

    private PekkoCluster(ClusterMember member) {
        this.member = member;
        this.placement = new PekkoPlacement(member);
    }

    /**
     * Starts this node and waits until it is an {@code Up} member (at most {@link ClusterSettings#joinTimeout()}).
     *
     * @throws ClusterJoinException if it did not join in time (the node is shut down again)
     */
    public static PekkoCluster join(ClusterSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return new PekkoCluster(ClusterMember.start(settings, settings.joinTimeout()));
    }

    /** The placement to give {@code ServerRuntime.builder().placement(...)}; it serves exactly one runtime. */
    public Placement placement() {
        return placement;
    }

    /** This node's {@code host:port} (the real port when {@code 0} was asked for). */
    public String address() {
        return member.address();
    }

    /** The settings this node runs with. */
    public ClusterSettings settings() {
        return member.settings();
    }

    /** Whether this node is still a member (not left, not removed). */
    public boolean isMember() {
        return placement.isMember();
    }

    /** The {@code host:port} of the members this node sees as up. */
    public List<String> members() {
        return member.membership().up();
    }

    /** The {@code host:port} of the members this node cannot reach right now. */
    public List<String> unreachable() {
        return member.membership().unreachable();
    }

    /** How many servers this node hosts right now (servers active here, through their sharded entities). */
    public int hostedServers() {
        return placement.hostedEntities();
    }

    /**
     * How many nodes host servers right now, as their shard regions answer within {@code timeout} (0 if not all
     * answered, and 0 while no runtime uses this node's placement). A node that joined hosts servers only once its
     * region has registered with the cluster: waiting
     * for this to reach the expected size is a readiness check. Costs a round trip to every node.
     */
    public int hostingNodes(java.time.Duration timeout) {
        return placement.regions(java.util.Objects.requireNonNull(timeout, "timeout"));
    }

    /** Completes when this node stops being a member, for whatever reason. */
    public CompletionStage<Void> removed() {
        return member.removed();
    }

    /**
     * Leaves the cluster gracefully: hands off every shard of this node (each server petrifies first), leaves, and
     * stops the node. Idempotent; closing the runtime does this first anyway.
     */
    @Override
    public void close() {
        placement.close();
    }
}
