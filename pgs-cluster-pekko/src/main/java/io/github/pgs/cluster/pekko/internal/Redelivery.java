package io.github.pgs.cluster.pekko.internal;

import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.UnhandledMessage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * Sends again the deliveries that Pekko dropped on this node without handing them to anyone: a shard region drops
 * the messages it held for a shard between the start of that shard's hand-off and the hand-off itself ("to avoid
 * re-ordering"), a shard that is handing off leaves later ones unhandled, and messages that reach an entity after it
 * stopped become dead letters. None of them reached a server, so sending them again through the region is safe (at
 * most once still holds) and turns what would be a caller's timeout into a short delay.
 *
 * <p>Algorithm: subscribe to this node's dead letters, dropped and unhandled messages; for each that is (or wraps)
 * a {@link Deliver}, while this node is a member and, for calls, while the caller still waits, hand it to the region
 * again, which routes it to the shard's current (or next) home.
 *
 * <p>Hazards: only messages Pekko reports as not handed over are resent; a message lost with a node that died
 * (SIGKILL) is not reported anywhere and stays lost (its caller times out). A delivery dead-lettered on another node
 * is resent by that node's own redelivery.
 */
final class Redelivery {

    private Redelivery() {
    }

    static Behavior<Object> create(PekkoPlacement placement) {
        return Behaviors.setup(context -> {
            var stream = context.getSystem().eventStream();
            stream.tell(new EventStream.Subscribe<>(DeadLetter.class, context.getSelf().narrow()));
            stream.tell(new EventStream.Subscribe<>(Dropped.class, context.getSelf().narrow()));
            stream.tell(new EventStream.Subscribe<>(UnhandledMessage.class, context.getSelf().narrow()));
            return Behaviors.receive(Object.class)
                    .onMessage(DeadLetter.class, d -> resend(placement, d.message()))
                    .onMessage(Dropped.class, d -> resend(placement, d.message()))
                    .onMessage(UnhandledMessage.class, u -> resend(placement, u.message()))
                    .build();
        });
    }

    private static Behavior<Object> resend(PekkoPlacement placement, Object message) {
        Object m = message;
        for (int depth = 0; depth < 4; depth++) { // e.g. DeadLetter(Dropped(ShardingEnvelope(Deliver)))
            m = switch (m) {
                case DeadLetter d -> d.message();
                case Dropped d -> d.message();
                case UnhandledMessage u -> u.message();
                case ShardingEnvelope<?> e -> e.message();
                default -> m;
            };
        }
        if (m instanceof Deliver d && placement.isMember()
                && (!d.message().kind().asks() || d.remainingNanos() > 0)) {
            placement.resend(d);
            placement.redelivered();
        }
        return Behaviors.same();
    }
}
