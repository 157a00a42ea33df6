package io.github.pgs.placement;

import io.github.pgs.ServerId;

import java.util.Map;
import java.util.Objects;

/**
 * One message on its way to a server's owner, as a {@link Placement} engine carries it: plain data, written and
 * read by {@link WireFormat} (never by Java serialization).
 *
 * @param kind          what it asks the owner to do
 * @param target        the server
 * @param messageClass  for {@code CALL}, {@code CAST} and {@code INFO}: the binary name of the message's class,
 *                      which the owner resolves only among the target type's declared message classes; empty
 *                      otherwise
 * @param payload       the kind's payload, made by the sending runtime (see {@link Kind})
 * @param timeLeftNanos how long the sender still waits for the reply when it sent (relative, so clock skew does not
 *                      matter); 0 for a message nobody waits for
 * @param headers       carried from the sender to the owner and never interpreted by the runtime (trace context)
 * @param local         the message object itself while the message has not left its JVM ({@code null} after
 *                      {@link WireFormat} decoding, and never written): lets the owner skip the decode
 */
public record WireMessage(Kind kind, ServerId target, String messageClass, byte[] payload, long timeLeftNanos,
                          Map<String, String> headers, Object local) {

    /** What a message asks the owner to do, and what its payload is. */
    public enum Kind {
        /** A call; payload: the request encoded by the runtime's codec. Replies with the encoded reply. */
        CALL,
        /** A cast to {@code handleCast}; payload: the message encoded by the runtime's codec. */
        CAST,
        /** A message to {@code handleInfo}; payload as for {@code CAST}. */
        INFO,
        /** A stop; payload: the stop reason. Replies once the server has stopped. */
        STOP,
        /** Activate now; payload: flags and the encoded init arguments. Replies once it is active. */
        START,
        /** Activate and fire due reminders (the reminder poller). Replies once handled. */
        WAKE,
        /** Petrify and wait until it has left (operator actions, hand-off of one server). */
        PETRIFY,
        /** Lift a quarantine. Replies whether there was one. */
        RELEASE,
        /** Expire a state judged old at a version (TTL sweeps); payload: the version and the dry-run flag. */
        EXPIRE,
        /** Whether the server is active or quarantined on its owner. */
        STATUS;

        /** Whether the sender waits for a reply ({@link Placement#ask}); {@code CAST} and {@code INFO} do not. */
        public boolean asks() {
            return this != CAST && this != INFO;
        }
    }

    public WireMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(messageClass, "messageClass");
        Objects.requireNonNull(payload, "payload");
        headers = Map.copyOf(headers);
        if (timeLeftNanos < 0) {
            throw new IllegalArgumentException("timeLeftNanos must be >= 0: " + timeLeftNanos);
        }
    }

    /** The same message without its local object, as it is after crossing nodes. */
    public WireMessage withoutLocal() {
        return new WireMessage(kind, target, messageClass, payload, timeLeftNanos, headers, null);
    }

    @Override
    public String toString() {
        return "WireMessage[" + kind + " " + target + (messageClass.isEmpty() ? "" : " " + messageClass) + ", "
                + payload.length + " bytes]";
    }
}
