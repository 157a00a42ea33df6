package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.Objects;

/**
 * One operation for one server, on its way to the node that hosts the server's shard.
 *
 * @param id            the server
 * @param op            what to do
 * @param message       the message ({@link Op#CALL}, {@link Op#CAST}, {@link Op#INFO}), else {@code null}
 * @param reason        for {@link Op#STOP}: the stop reason (its cause travels as text in the detail), else
 *                      {@code null}
 * @param timeoutMillis the time the sender still waits for the outcome when it sent this; the owner does not
 *                      start work whose sender has given up (clocks of different nodes are never compared)
 * @param replyTo       where the {@link Outcome} goes, or {@code null} when none is awaited (casts)
 */
public record Deliver(ServerId id, Op op, Payload message, StopReason reason, long timeoutMillis,
                      ActorRef<Outcome> replyTo) implements WireMessage, EntityCommand {

    public Deliver {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        boolean carriesMessage = op == Op.CALL || op == Op.CAST || op == Op.INFO;
        if (carriesMessage != (message != null)) {
            throw new IllegalArgumentException(op + (carriesMessage ? " needs a message" : " carries no message"));
        }
        if ((op == Op.STOP) != (reason != null)) {
            throw new IllegalArgumentException(op + (op == Op.STOP ? " needs a reason" : " carries no reason"));
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeoutMillis must not be negative: " + timeoutMillis);
        }
    }
}
