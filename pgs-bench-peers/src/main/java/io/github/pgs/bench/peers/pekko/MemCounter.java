package io.github.pgs.bench.peers.pekko;

import io.github.pgs.bench.peers.pekko.Protocol.Command;
import io.github.pgs.bench.peers.pekko.Protocol.Get;
import io.github.pgs.bench.peers.pekko.Protocol.Increment;
import io.github.pgs.bench.peers.pekko.Protocol.PassivateMe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/** The counter as a plain typed actor, its count in memory only (S3 {@code plain}, S4). */
public final class MemCounter {

    /** Entity type behind sharding. */
    public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "MemCounter");

    private MemCounter() {
    }

    /** A counter at 0; {@code shard} is {@code null} when it does not run behind sharding. */
    public static Behavior<Command> create(ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(ctx -> counting(shard, ctx.getSelf()));
    }

    private static Behavior<Command> counting(ActorRef<ClusterSharding.ShardCommand> shard, ActorRef<Command> self) {
        // One mutable cell instead of a new Behavior per message: Pekko's idiom for mutable state in setup.
        long[] count = {0L};
        return Behaviors.receive(Command.class)
                .onMessage(Increment.class, m -> {
                    m.replyTo().tell(++count[0]);
                    return Behaviors.same();
                })
                .onMessage(Get.class, m -> {
                    m.replyTo().tell(count[0]);
                    return Behaviors.same();
                })
                .onMessageEquals(PassivateMe.INSTANCE, () -> {
                    if (shard != null) {
                        shard.tell(new ClusterSharding.Passivate<>(self));
                    }
                    return Behaviors.same();
                })
                .build();
    }
}
