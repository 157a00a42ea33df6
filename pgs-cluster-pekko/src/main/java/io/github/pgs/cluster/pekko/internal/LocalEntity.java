package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.placement.PlacementHost;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.concurrent.CompletionStage;

/**
 * This node's entity of one server, as {@link PekkoPlacement} keeps it: its actor, and the door of the local
 * shortcut, open from the entity's start until it begins to leave (its server departed, or the shard hands it off).
 *
 * <p>Hazards: the shortcut queues its message while holding the door's lock, and the entity shuts the door under
 * the same lock before it hands its server off; so every message that got through is queued before the hand-off
 * petrifies the server (which happens after the messages already queued), and none gets through after it.
 */
final class LocalEntity {

    final ActorRef<EntityCommand> ref;
    private boolean open = true; // guarded by this

    LocalEntity(ActorRef<EntityCommand> ref) {
        this.ref = ref;
    }

    /** The runtime's stage for {@code m}, queued through the shortcut; {@code null} once the door is shut. */
    synchronized CompletionStage<WireReply> deliver(PlacementHost host, WireMessage m) {
        return open ? host.deliver(m) : null;
    }

    /** Shuts the door: from now on this server's messages go through Pekko. */
    synchronized void close() {
        open = false;
    }
}
