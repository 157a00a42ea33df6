package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.cluster.pekko.ClusterJoinException;
import io.github.pgs.cluster.pekko.ClusterSettings;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One node's membership: its actor system, configured from {@link ClusterSettings} by {@link PekkoConfig}, joined
 * through the seed nodes, and its way out through Pekko's coordinated shutdown.
 *
 * <p>Algorithm: the actor system joins the configured seed nodes on its own (with no seeds it joins itself and
 * starts a new cluster); {@link #start} waits until Pekko reports this member {@code Up}, or shuts the system down
 * and throws {@link ClusterJoinException}. Leaving, being downed by the split-brain resolver, a JVM shutdown hook
 * and {@link #close()} all run the same coordinated shutdown: shards are handed off in
 * {@code cluster-sharding-shutdown-region} (each server petrifies first), the node leaves, and tasks added with
 * {@link #beforeTerminate} run last.
 *
 * <p>Hazards: {@link #removed()} completes when this node is no longer a member for any reason; after that, no
 * message sent through the cluster from here will arrive, and anything still active here is stale and must stop.
 * The coordinated shutdown runs at most once; later calls return the same completion.
 */
public final class ClusterMember implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterMember.class);

    private final ActorSystem<Void> system;
    private final ClusterSettings settings;
    private final CompletableFuture<Void> up = new CompletableFuture<>();
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    private ClusterMember(ActorSystem<Void> system, ClusterSettings settings) {
        this.system = system;
        this.settings = settings;
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        cluster.registerOnMemberUp(() -> up.complete(null));
        cluster.registerOnMemberRemoved(() -> removed.complete(null));
        system.getWhenTerminated().thenRun(() -> removed.complete(null));
    }

    /**
     * Starts the node and waits until it is an {@code Up} member.
     *
     * @throws ClusterJoinException if it is not within {@code joinTimeout} (the node is shut down again)
     */
    public static ClusterMember start(ClusterSettings settings, Duration joinTimeout) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), settings.systemName(),
                PekkoConfig.of(settings));
        ClusterMember member = new ClusterMember(system, settings);
        if (settings.seedNodes().isEmpty()) {
            // No seeds: this node starts a new cluster by joining itself (with seeds, Pekko joins them on its own).
            Cluster cluster = Cluster.get(Adapter.toClassic(system));
            cluster.join(cluster.selfAddress());
        }
        try {
            CompletableFuture.anyOf(member.up, member.removed).get(joinTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!member.up.isDone()) {
                throw new ClusterJoinException(member.address(), joinTimeout, "the node was removed while joining");
            }
            return member;
        } catch (TimeoutException e) {
            member.terminateNow();
            throw new ClusterJoinException(member.address(), joinTimeout, settings.seedNodes().isEmpty()
                    ? "it could not start a cluster of its own"
                    : "no seed node accepted it (" + String.join(", ", settings.seedNodes()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            member.terminateNow();
            throw new ClusterJoinException(member.address(), joinTimeout, "interrupted");
        } catch (ExecutionException e) {
            member.terminateNow();
            throw new ClusterJoinException(member.address(), joinTimeout, e.getCause().toString());
        } catch (ClusterJoinException e) {
            member.terminateNow();
            throw e;
        }
    }

    /** The actor system. */
    public ActorSystem<Void> system() {
        return system;
    }

    /** The settings this node runs with. */
    public ClusterSettings settings() {
        return settings;
    }

    /** This node's address, {@code host:port} (the real port when {@code 0} was asked for). */
    public String address() {
        org.apache.pekko.actor.Address a = Cluster.get(Adapter.toClassic(system)).selfAddress();
        return a.getHost().orElse("?") + ":" + a.getPort().orElse(0);
    }

    /** Completes when this node has stopped being a member (left, downed, or its system terminated). */
    public CompletionStage<Void> removed() {
        return removed;
    }

    /** Whether this node has begun to leave or stop (its coordinated shutdown has started, for any reason). */
    public boolean isShuttingDown() {
        return CoordinatedShutdown.get(system).getShutdownReason().isPresent();
    }

    /** Whether this node is an {@code Up} member right now. */
    public boolean isUp() {
        return !removed.isDone() && Cluster.get(Adapter.toClassic(system)).selfMember().status()
                == MemberStatus.up();
    }

    /** The {@code host:port} of the members this node sees as {@code Up}, and of those it finds unreachable. */
    public Membership membership() {
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        List<String> upMembers = new ArrayList<>();
        for (Member m : cluster.state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                upMembers.add(hostPort(m));
            }
        }
        List<String> unreachable = new ArrayList<>();
        for (Member m : cluster.state().getUnreachable()) {
            unreachable.add(hostPort(m));
        }
        return new Membership(List.copyOf(upMembers), List.copyOf(unreachable));
    }

    /** A snapshot of what this node sees of the cluster. */
    public record Membership(List<String> up, List<String> unreachable) {
    }

    private static String hostPort(Member m) {
        return m.address().getHost().orElse("?") + ":" + m.address().getPort().orElse(0);
    }

    /**
     * Adds a task to Pekko's coordinated-shutdown phase {@code phase}; it runs however the node goes away.
     */
    public void addShutdownTask(String phase, String name, Supplier<CompletionStage<Done>> task) {
        CoordinatedShutdown.get(system).addTask(phase, name, task);
    }

    /** Adds a task that runs after the node has left the cluster, just before the actor system terminates. */
    public void beforeTerminate(String name, Runnable task) {
        addShutdownTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), name,
                () -> CompletableFuture.runAsync(task, r -> Thread.ofVirtual().name("pgs-leave").start(r))
                        .thenApply(v -> Done.getInstance()));
    }

    /**
     * Leaves the cluster gracefully (hand-off of this node's shards, then leave) and terminates the actor system;
     * completes when all of that is done. Idempotent.
     */
    public CompletionStage<Done> leave() {
        return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.clusterLeavingReason());
    }

    /** {@link #leave()} and wait for it, at most the leave timeout plus the time to terminate. */
    @Override
    public void close() {
        try {
            leave().toCompletableFuture().get(settings.leaveTimeout().toMillis() * 2 + 30_000,
                    TimeUnit.MILLISECONDS);
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("leaving the cluster did not finish in time ({}); stopping the node now: shards not yet handed "
                    + "off start elsewhere after failure detection, and the version fence rejects stale writes", e
                    .toString());
            terminateNow();
        }
    }

    private void terminateNow() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the system is going down anyway; nothing more to do
        }
    }
}
