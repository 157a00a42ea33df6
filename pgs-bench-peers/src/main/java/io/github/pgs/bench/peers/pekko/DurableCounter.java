package io.github.pgs.bench.peers.pekko;

import io.github.pgs.bench.peers.pekko.Protocol.Command;
import io.github.pgs.bench.peers.pekko.Protocol.Get;
import io.github.pgs.bench.peers.pekko.Protocol.Increment;
import io.github.pgs.bench.peers.pekko.Protocol.PassivateMe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.state.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.state.javadsl.DurableStateBehavior;

/**
 * The counter as a Pekko {@code DurableStateBehavior}: {@code Effect().persist(next).thenReply(...)}, so every
 * {@link Increment} is written through the configured durable state store before its reply is sent (Pekko's
 * persist-then-reply, the same contract as ours in write-through mode).
 */
public final class DurableCounter extends DurableStateBehavior<Command, CounterState> {

    /** Entity type persisted in PostgreSQL through pekko-persistence-jdbc (persistence ids {@code Counter|<n>}). */
    public static final EntityTypeKey<Command> JDBC_TYPE = EntityTypeKey.create(Command.class, "Counter");
    /** Entity type persisted in pekko-persistence-testkit's in-memory durable state store (S3). */
    public static final EntityTypeKey<Command> MEM_TYPE = EntityTypeKey.create(Command.class, "MemDurableCounter");
    /** Plugin id of the JDBC durable state store. */
    public static final String JDBC_PLUGIN = "jdbc-durable-state-store";
    /** Plugin id of the in-memory durable state store. */
    public static final String MEM_PLUGIN = "pekko.persistence.testkit.state";

    private final String pluginId;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final ActorRef<Command> self;

    public DurableCounter(EntityContext<Command> ctx, String pluginId, ActorRef<Command> self) {
        super(PersistenceId.of(ctx.getEntityTypeKey().name(), ctx.getEntityId()));
        this.pluginId = pluginId;
        this.shard = ctx.getShard();
        this.self = self;
    }

    @Override
    public String durableStateStorePluginId() {
        return pluginId;
    }

    @Override
    public CounterState emptyState() {
        return CounterState.ZERO;
    }

    @Override
    public CommandHandler<Command, CounterState> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Increment.class, (state, cmd) ->
                        Effect().persist(state.increment()).thenReply(cmd.replyTo(), CounterState::count))
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.count()))
                .onCommand(PassivateMe.class, (state, cmd) -> {
                    shard.tell(new ClusterSharding.Passivate<>(self));
                    return Effect().none();
                })
                .build();
    }
}
