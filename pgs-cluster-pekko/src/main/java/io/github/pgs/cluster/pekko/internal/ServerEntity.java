package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.placement.WireError;
import io.github.pgs.placement.WireReply;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;

import java.util.Map;

/**
 * The Pekko entity of one server on the node that hosts its shard: a thin door into the local runtime. It lives at
 * least as long as the server's activation on this node, so that Pekko's hand-off of a shard reaches every server
 * that is active in it.
 *
 * <p>Algorithm:
 * <ul>
 *   <li>{@link Deliver}: handed to the runtime ({@code PlacementHost.deliver}, which never blocks), in arrival
 *       order; the runtime's answer goes straight to the caller's reply address from whatever thread completes
 *       it. A delivery sent from this node confirms its {@link InFlight} ticket once queued, so that the sender's
 *       next message may take the local shortcut ({@link LocalEntity}) without overtaking it. A call whose caller
 *       has already given up (it waited in Pekko longer than the caller's time left) is answered with a timeout
 *       and not handed over, so that it never takes effect unseen.</li>
 *   <li>{@link EntityCommand.Departed} (the runtime's activation here ended, e.g. petrified when idle): shut the
 *       shortcut's door and ask the shard to passivate this entity. The shard buffers what arrives meanwhile and
 *       starts a new entity for it afterwards.</li>
 *   <li>{@link EntityCommand.Stop} (hand-off, or the passivation just asked for): shut the shortcut's door, then
 *       {@code handOff} the server,
 *       which petrifies it after its queued messages and writes what write-behind and on-petrify servers hold;
 *       the entity stops only when that is done, and only then does Pekko let the shard start elsewhere.
 *       Deliveries that reach the entity meanwhile must not activate the server here again: they are sent back
 *       through the shard region, which holds them until the shard's new home is known (or, when passivating,
 *       until the shard has started a fresh entity here).</li>
 * </ul>
 *
 * <p>Hazards: if the hand-off outlasts Pekko's hand-off timeout, Pekko stops this actor anyway; the petrify goes on
 * in the runtime, and the version fence of the store settles the race with the new owner (its write or ours is
 * rejected, never both accepted over one another). The entity registers itself in {@code entities} so that the
 * runtime's departure signal finds it; it removes only its own registration.
 */
final class ServerEntity extends AbstractBehavior<EntityCommand> {

    private final ServerId id;
    private final EntityContext<EntityCommand> entity;
    private final PekkoPlacement placement;
    private final LocalEntity local;
    private boolean leaving;

    private ServerEntity(ActorContext<EntityCommand> context, EntityContext<EntityCommand> entity,
                         PekkoPlacement placement) {
        super(context);
        this.entity = entity;
        this.placement = placement;
        this.id = ServerIds.parse(entity.getEntityId());
        this.local = new LocalEntity(context.getSelf());
        placement.entities().put(id, local);
    }

    static Behavior<EntityCommand> create(EntityContext<EntityCommand> entity, PekkoPlacement placement) {
        return Behaviors.setup(context -> new ServerEntity(context, entity, placement));
    }

    @Override
    public Receive<EntityCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Deliver.class, this::onDeliver)
                .onMessageEquals(EntityCommand.Departed.INSTANCE, this::onDeparted)
                .onMessageEquals(EntityCommand.Stop.INSTANCE, this::onStop)
                .onMessage(EntityCommand.HandedOff.class, this::onHandedOff)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<EntityCommand> onDeliver(Deliver d) {
        if (leaving) {
            placement.resend(d);
            return this;
        }
        ActorRef<Reply> replyTo = d.replyTo();
        if (replyTo != null && d.remainingNanos() == 0) {
            // The caller has given up (its own deadline has answered it): handing the call over now would apply it
            // with nobody told, so it is not delivered at all.
            replyTo.tell(new Reply(WireReply.failed(new WireError("CallTimeoutException", id.toString(),
                    "the caller's time ran out before the owning node received it",
                    Map.of("timeoutNanos", Long.toString(d.message().timeLeftNanos()))))));
            placement.expired();
            d.reached();
            return this;
        }
        placement.host().deliver(d.current()).whenComplete((reply, error) -> {
            if (replyTo != null) {
                replyTo.tell(new Reply(reply != null ? reply : failed(error)));
            }
        });
        d.reached(); // queued: this node's next message to the server may now take the shortcut
        return this;
    }

    private Behavior<EntityCommand> onDeparted() {
        local.close(); // what comes now waits in the shard while this entity passivates
        if (!leaving) {
            entity.getShard().tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        }
        return this;
    }

    private Behavior<EntityCommand> onStop() {
        if (leaving) {
            return this;
        }
        leaving = true;
        local.close(); // before the hand-off: every shortcut message that got through is queued ahead of it
        ActorRef<EntityCommand> self = getContext().getSelf();
        placement.handOff(id).whenComplete((v, error) -> self.tell(new EntityCommand.HandedOff(error)));
        return this;
    }

    private Behavior<EntityCommand> onHandedOff(EntityCommand.HandedOff done) {
        if (done.error() != null) {
            getContext().getLog().warn("hand-off of {} failed; the store's version fence guards its next owner",
                    id, done.error());
        }
        return Behaviors.stopped();
    }

    private Behavior<EntityCommand> onPostStop() {
        local.close();
        placement.entities().remove(id, local);
        return this;
    }

    /** The answer for a delivery whose stage failed, which the runtime promises never to do. */
    private WireReply failed(Throwable error) {
        return WireReply.failed(new WireError("GenServerException", id.toString(),
                "delivery failed on the owning node: " + error, Map.of()));
    }
}
