package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.placement.WireMessage;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.Objects;

/**
 * A message for one server on its way to the node that hosts the server's shard.
 *
 * <p>The caller's remaining time is relative ({@link WireMessage#timeLeftNanos()} when it was sent), so that clocks
 * of different nodes are never compared. Time spent waiting in Pekko on one node (a region buffering while a shard
 * moves, an entity's mailbox) is taken off before the message goes on: {@code sinceNanos} is this node's
 * {@link System#nanoTime()} when the message was made or arrived here, and {@link #remainingNanos()} is what is
 * left now. Only the wire transit itself is not counted (microseconds on a LAN).
 *
 * @param message    what the runtime gave the placement (already encoded by the runtime's codec)
 * @param replyTo    where the {@link Reply} goes, or {@code null} when none is awaited (casts and infos)
 * @param sinceNanos this node's {@link System#nanoTime()} when {@code message.timeLeftNanos()} was last true
 * @param ticket     its place among this node's messages to the server ({@link InFlight}), or {@code null}; never
 *                   serialized, so present only while the message stays in the JVM that sent it
 */
public record Deliver(WireMessage message, ActorRef<Reply> replyTo, long sinceNanos, InFlight.Ticket ticket)
        implements ClusterEnvelope, EntityCommand {

    /** A delivery without a ticket (as it is after crossing nodes). */
    public Deliver(WireMessage message, ActorRef<Reply> replyTo, long sinceNanos) {
        this(message, replyTo, sinceNanos, null);
    }

    public Deliver {
        Objects.requireNonNull(message, "message");
        if (message.kind().asks() != (replyTo != null)) {
            throw new IllegalArgumentException(message.kind() + (replyTo == null ? " needs" : " takes no")
                    + " reply address");
        }
    }

    /** The caller's time left now, as seen from this node (never below zero). */
    public long remainingNanos() {
        if (!message.kind().asks()) {
            return message.timeLeftNanos();
        }
        return Math.max(0, message.timeLeftNanos() - (System.nanoTime() - sinceNanos));
    }

    /** Confirms the ticket, if any: this delivery was handed to the runtime, or answered without it. */
    void reached() {
        if (ticket != null) {
            ticket.reached();
        }
    }

    /** The message with its time left brought up to now, for handing to the runtime. */
    public WireMessage current() {
        long left = remainingNanos();
        if (left == message.timeLeftNanos()) {
            return message;
        }
        WireMessage m = message;
        return new WireMessage(m.kind(), m.target(), m.messageClass(), m.payload(), left, m.headers(), m.local());
    }
}
