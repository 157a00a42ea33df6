package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.placement.PlacementHost;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The cluster singleton that keeps the runtime's cluster-wide duties (start-up recovery, the durable-reminder
 * poller, TTL sweeps) running on exactly one node: Pekko starts it on the oldest member and moves it when that
 * member leaves or is downed. Starting switches the duties on in the local runtime, stopping switches them off;
 * their wake-ups go through placement, so each server is revived by its owner.
 *
 * <p>Hazard: during a move there is a short time with the duties on nowhere, and after a partition briefly on two
 * nodes; both are harmless (a reminder fires a little later; a server woken twice is activated once by its owner).
 */
final class DutyKeeper {

    /** The singleton's only message: stop (sent by Pekko's singleton manager on hand-over). */
    enum Stop {
        INSTANCE
    }

    private DutyKeeper() {
    }

    static Behavior<Stop> create(PlacementHost host) {
        return Behaviors.setup(context -> {
            host.duties(true);
            return Behaviors.receive(Stop.class)
                    .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                    .onSignal(PostStop.class, signal -> {
                        host.duties(false);
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
