package io.github.pgs.micrometer;

import io.github.pgs.spi.RuntimeObserver.Kind;
import io.micrometer.observation.Observation;

/**
 * The context of the observations {@link MicrometerObserver} makes for calls, casts, turns and store operations
 * ({@code pgs.call}, {@code pgs.cast}, {@code pgs.handle}, {@code pgs.store}), for observation handlers and
 * predicates that want to tell them apart. Its low-cardinality key values are the tags listed in
 * {@link PgsInstruments}; it never holds a server's key.
 *
 * <p>Written by the thread that starts the observation and read by handlers on the threads that start and stop it
 * (Micrometer orders those); not meant to be changed by handlers.
 */
public final class PgsObservationContext extends Observation.Context {

    private final String type;
    private final Kind kind;
    private final String message;
    private final Observation link;

    PgsObservationContext(String type, Kind kind, String message, Observation link) {
        this.type = type;
        this.kind = kind;
        this.message = message;
        this.link = link;
    }

    /** The server type's name. */
    public String type() {
        return type;
    }

    /** The kind of message or turn; {@code null} for store operations. */
    public Kind kind() {
        return kind;
    }

    /** The simple class name of the message; {@code null} for store operations. */
    public String message() {
        return message;
    }

    /**
     * For a turn of a timer or reminder ({@link Kind#TIMER}, {@link Kind#REMINDER}): the observation of the place
     * where it was set (the turn that set it, or for a reminder read back from the store, the {@code pgs.receive}
     * observation rebuilt from its stored headers), which such a turn links to instead of having it as parent.
     * {@code null} otherwise, or when it is not known.
     */
    public Observation link() {
        return link;
    }
}
