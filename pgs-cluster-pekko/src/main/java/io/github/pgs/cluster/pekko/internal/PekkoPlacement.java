package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.placement.Placement;
import io.github.pgs.placement.PlacementHost;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runtime's {@link Placement} on Pekko Cluster Sharding: every server is a sharded entity, keyed by its id, in
 * one entity type; Pekko decides which node hosts which shard, routes to it, buffers while a shard moves, and moves
 * shards when nodes join, leave or fail.
 *
 * <p>Algorithm: {@link #ask} and {@link #tell} hand a {@link Deliver} to Pekko's entity reference (no
 * serialization when the entity is on this node); on the owner, {@link ServerEntity} calls the runtime's
 * {@link PlacementHost#deliver}. The local shortcut: when the server's entity lives on this node and still takes
 * messages ({@link LocalEntity}), and nothing this node sent to the server through Pekko is still on its way
 * ({@link InFlight}), the message goes to the runtime directly, without the region, the shard, the entity's mailbox
 * and the ask; per-sender order holds because a sender's earlier messages have been queued at the server first.
 * {@link #departed} tells the entity of a server whose activation here ended, so it passivates. {@link DutyKeeper},
 * a cluster singleton, keeps the runtime's cluster-wide duties on one node.
 * {@link #close} (called first by {@code ServerRuntime.close()}) runs Pekko's coordinated shutdown: its sharding
 * phase hands every shard of this node off (each server petrifies, see {@link ServerEntity}), then the node leaves.
 * Every coordinated shutdown, whoever starts it (this close, the split-brain resolver downing this node, a JVM
 * shutdown hook), ends with {@link #afterLeaving()}: whatever is still active here is petrified, and from then on
 * this node refuses messages with {@link ServerUnreachableException} (safe to retry: they never left).
 *
 * <p>Hazards: Pekko's ask gives up at the caller's deadline plus a margin, after the runtime's own call timeout has
 * already answered the caller; a late outcome is dropped. Once this node is no longer a member nothing sent through
 * Pekko can arrive, so asks and tells fail fast instead of waiting for their deadline.
 */
public final class PekkoPlacement implements Placement {

    /** Pekko's ask outlives the runtime's deadline by this much, so the runtime's timeout always speaks first. */
    static final Duration ASK_MARGIN = Duration.ofSeconds(1);
    /** Unconfirmed sends are forgotten after this long (or four hand-off timeouts, if longer): see {@link InFlight}. */
    static final Duration STALE_LANE = Duration.ofMinutes(10);
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(PekkoPlacement.class);

    private final ClusterMember member;
    private final ClusterSettings settings;
    private final EntityTypeKey<EntityCommand> typeKey;
    private final ConcurrentMap<ServerId, LocalEntity> entities = new ConcurrentHashMap<>();
    private final InFlight inFlight = new InFlight();
    private final boolean shortcut;
    private final java.util.concurrent.atomic.LongAdder shortcuts = new java.util.concurrent.atomic.LongAdder();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> out = new CompletableFuture<>();
    private final java.util.concurrent.atomic.LongAdder redelivered = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder expired = new java.util.concurrent.atomic.LongAdder();
    private volatile PlacementHost host;
    private volatile HandOffs handOffs;
    private volatile ClusterSharding sharding;

    public PekkoPlacement(ClusterMember member) {
        this.member = Objects.requireNonNull(member, "member");
        this.settings = member.settings();
        this.typeKey = EntityTypeKey.create(EntityCommand.class, settings.entityTypeName());
        this.shortcut = settings.localShortcut();
        member.removed().thenRun(() -> out.complete(null));
    }

    @Override
    public void attach(PlacementHost host) {
        if (this.host != null) {
            throw new IllegalStateException("this cluster node already serves runtime " + this.host.name());
        }
        this.host = Objects.requireNonNull(host, "host");
        this.handOffs = new HandOffs(host);
        ClusterSharding s = ClusterSharding.get(member.system());
        Entity<EntityCommand, ?> entity = Entity.of(typeKey, ctx -> ServerEntity.create(ctx, this))
                .withStopMessage(EntityCommand.Stop.INSTANCE);
        if (!settings.role().isEmpty()) {
            entity = entity.withRole(settings.role());
        }
        s.init(entity);
        this.sharding = s;
        SingletonActor<DutyKeeper.Stop> duties = SingletonActor.of(DutyKeeper.create(host), "pgs-duties")
                .withStopMessage(DutyKeeper.Stop.INSTANCE);
        if (!settings.role().isEmpty()) {
            duties = duties.withSettings(org.apache.pekko.cluster.typed.ClusterSingletonSettings
                    .create(member.system()).withRole(settings.role()));
        }
        ClusterSingleton.get(member.system()).init(duties);
        member.system().systemActorOf(Redelivery.create(this), "pgs-redelivery",
                org.apache.pekko.actor.typed.Props.empty());
        member.beforeTerminate("pgs-runtime-hand-off", this::afterLeaving);
        if (shortcut) {
            Duration fourHandOffs = settings.handOffTimeout().multipliedBy(4);
            Duration stale = fourHandOffs.compareTo(STALE_LANE) > 0 ? fourHandOffs : STALE_LANE;
            member.system().scheduler().scheduleAtFixedRate(PRUNE_EVERY, PRUNE_EVERY, () -> inFlight.prune(stale),
                    member.system().executionContext());
        }
    }

    @Override
    public CompletionStage<WireReply> ask(WireMessage m) {
        ServerUnreachableException refused = refusal(m.target());
        if (refused != null) {
            return CompletableFuture.failedStage(refused);
        }
        CompletionStage<WireReply> here = shortcut(m);
        if (here != null) {
            return here;
        }
        EntityRef<EntityCommand> ref = sharding.entityRefFor(typeKey, ServerIds.entityId(m.target()));
        InFlight.Ticket ticket = shortcut ? inFlight.sending(m.target()) : null;
        long since = System.nanoTime();
        Duration timeout = Duration.ofNanos(Math.max(0, m.timeLeftNanos())).plus(ASK_MARGIN);
        return ref.<Reply>ask(replyTo -> new Deliver(m, replyTo, since, ticket), timeout).handle((reply, error) -> {
            if (error == null) {
                if (ticket != null) {
                    ticket.reached(); // answered: it and everything this node sent before it have been handled
                }
                return reply.reply();
            }
            if (System.nanoTime() - since < timeout.toNanos() / 2) {
                // Not a timeout: Pekko refuses an ask at once only when its recipient (this node's region) has
                // already stopped, before anything is sent.
                throw new ServerUnreachableException(m.target(), "this node's shard region has stopped", true,
                        error);
            }
            // Pekko gave up (its ask outlives the caller's deadline, so the caller was answered already)
            throw new ServerUnreachableException(m.target(), "no outcome from the server's node: " + error, false,
                    error);
        });
    }

    @Override
    public void tell(WireMessage m) {
        ServerUnreachableException refused = refusal(m.target());
        if (refused != null) {
            throw refused;
        }
        if (shortcut(m) != null) {
            return;
        }
        InFlight.Ticket ticket = shortcut ? inFlight.sending(m.target()) : null;
        sharding.entityRefFor(typeKey, ServerIds.entityId(m.target()))
                .tell(new Deliver(m, null, System.nanoTime(), ticket));
    }

    /**
     * {@code m} queued at the runtime directly, when its server's entity lives here and takes messages and nothing
     * this node sent to it through Pekko is still on its way; else {@code null} (send it through Pekko).
     */
    private CompletionStage<WireReply> shortcut(WireMessage m) {
        if (!shortcut) {
            return null;
        }
        LocalEntity entity = entities.get(m.target());
        if (entity == null || !inFlight.clear(m.target())) {
            return null;
        }
        CompletionStage<WireReply> queued = entity.deliver(host, m);
        if (queued != null) {
            shortcuts.increment();
        }
        return queued;
    }

    @Override
    public void departed(ServerId id) {
        LocalEntity entity = entities.get(id);
        if (entity != null) {
            entity.ref.tell(EntityCommand.Departed.INSTANCE);
        }
    }

    /**
     * Leaves the cluster gracefully: hands every shard of this node off (the runtime still serves meanwhile), then
     * leaves; returns when that is done or after twice the leave timeout.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        member.close();
    }

    /** Counts a call that reached its entity after its caller had given up (not delivered). */
    void expired() {
        expired.increment();
    }

    /** Calls that reached their server's node after their caller had given up, and were not delivered. */
    public long expiredCalls() {
        return expired.sum();
    }

    /** Counts a delivery that Pekko dropped on this node and {@link Redelivery} sent again. */
    void redelivered() {
        redelivered.increment();
    }

    /** Deliveries Pekko dropped on this node (during hand-offs) that were sent again. */
    public long redeliveries() {
        return redelivered.sum();
    }

    /** Sends a delivery that reached an entity which is handing off back through the region, which buffers it. */
    void resend(Deliver d) {
        sharding.entityRefFor(typeKey, ServerIds.entityId(d.message().target())).tell(d);
    }

    /** Petrifies {@code id} here for a hand-off, batched with the other servers of its shard. */
    CompletableFuture<Void> handOff(ServerId id) {
        return handOffs.request(id);
    }

    PlacementHost host() {
        return host;
    }

    ConcurrentMap<ServerId, LocalEntity> entities() {
        return entities;
    }

    /** Messages that took the local shortcut (straight to this node's runtime, not through Pekko). */
    public long localDeliveries() {
        return shortcuts.sum();
    }

    /** Servers to which this node sent messages through Pekko that are not yet confirmed (see {@link InFlight}). */
    int unconfirmedLanes() {
        return inFlight.size();
    }

    /** The servers this node hosts an entity for right now. */
    public int hostedEntities() {
        return entities.size();
    }

    /**
     * How many nodes host a shard region of the servers' entity type, as the cluster's shard regions answer within
     * {@code timeout} (0 when not all answered in time). Costs a round trip to every node; for tools and tests.
     */
    public int regions(Duration timeout) {
        if (sharding == null) {
            return 0; // no runtime attached yet: this node hosts nothing
        }
        try {
            ShardRegion.ClusterShardingStats stats = AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                    sharding.shardState(), replyTo -> new GetClusterShardingStats(typeKey, timeout, replyTo),
                    timeout.plusSeconds(1), member.system().scheduler()).toCompletableFuture()
                    .get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS); // an ask on a stopped system never ends
            return stats.getRegions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return 0;
        }
    }

    /** Whether this node still takes part in the cluster. */
    public boolean isMember() {
        return !out.isDone();
    }

    /**
     * The last step of every coordinated shutdown, after this node has left (or was downed): petrify whatever is
     * still active here, so that nothing keeps serving from a node that no longer owns anything. After a graceful
     * leave there is nothing left; after a downing these writes are fenced if another node took over meanwhile.
     */
    private void afterLeaving() {
        out.complete(null);
        try {
            host.handOff(id -> true).toCompletableFuture().get(settings.leaveTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("petrifying the servers left on this node failed", e);
        }
    }

    private ServerUnreachableException refusal(ServerId target) {
        if (out.isDone()) {
            return new ServerUnreachableException(target, "this node is no longer a member of the cluster", true,
                    null);
        }
        if (member.isShuttingDown()) {
            return new ServerUnreachableException(target, "this node is leaving the cluster", true, null);
        }
        return null;
    }
}
