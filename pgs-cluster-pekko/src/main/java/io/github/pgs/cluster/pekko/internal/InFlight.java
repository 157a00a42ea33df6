package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The messages this node sent through Pekko, per server, that are not yet known to have reached the server's
 * runtime: what decides whether the local shortcut may be taken without overtaking them.
 *
 * <h2>Algorithm</h2>
 * Each send through Pekko takes the next number of its server's lane ({@link #sending}) and carries it as a
 * {@link Ticket}. A lane's numbers are confirmed cumulatively ({@link Ticket#reached}): by the entity on this node
 * right after it handed the delivery to the runtime (the ticket rides along with the message while it stays in
 * this JVM), and by the sender when a reply comes back from any node. Pekko keeps one node's messages to one entity
 * in order, so a confirmed number vouches for every earlier one. A lane whose every number is confirmed is removed:
 * a server with no lane has nothing of this node's on its way ({@link #clear}).
 *
 * <h2>Hazards</h2>
 * A cast to a server on another node is confirmed only by a later reply from that server; until then its lane
 * stays and that server's messages from here keep going through Pekko. Lanes nothing confirmed for {@code stale}
 * are dropped ({@link #prune}), so that casts to other nodes' servers do not accumulate lanes forever; a message
 * Pekko still held after that long (far beyond its hand-off timeout) could be overtaken by a shortcut. A delivery
 * Pekko dropped and this module sent again ({@link Redelivery}) may already arrive after later ones of the same
 * sender, with or without the shortcut.
 */
final class InFlight {

    /** A send's place in its server's lane; never serialized, so it only confirms within this JVM. */
    record Ticket(InFlight lanes, ServerId id, long number) {
        /** This send has reached its server's runtime, or has been answered (and so have all before it). */
        void reached() {
            lanes.reached(id, number);
        }
    }

    private static final class Lane {
        long sent;
        long reached;
        long lastSentNanos;
    }

    private final ConcurrentHashMap<ServerId, Lane> lanes = new ConcurrentHashMap<>();

    /** The ticket of a message for {@code id} about to be sent through Pekko. */
    Ticket sending(ServerId id) {
        long[] number = new long[1];
        lanes.compute(id, (k, lane) -> {
            Lane l = lane != null ? lane : new Lane();
            number[0] = ++l.sent;
            l.lastSentNanos = System.nanoTime();
            return l;
        });
        return new Ticket(this, id, number[0]);
    }

    private void reached(ServerId id, long number) {
        lanes.computeIfPresent(id, (k, l) -> {
            if (number > l.reached) {
                l.reached = number;
            }
            return l.reached >= l.sent ? null : l;
        });
    }

    /** Whether nothing this node sent to {@code id} through Pekko is still unconfirmed. */
    boolean clear(ServerId id) {
        return !lanes.containsKey(id);
    }

    /** Drops the lanes nothing was sent on for {@code stale}. */
    void prune(Duration stale) {
        long now = System.nanoTime();
        long bound = stale.toNanos();
        for (ServerId id : lanes.keySet()) {
            lanes.computeIfPresent(id, (k, l) -> now - l.lastSentNanos > bound ? null : l);
        }
    }

    /** Servers with unconfirmed messages from this node. */
    int size() {
        return lanes.size();
    }
}
