package io.github.pgs.micrometer;

/**
 * The names and tag keys of every instrument {@link MicrometerObserver} records, as constants (the reference with
 * types, units and meanings is {@code docs/OBSERVABILITY.md}). Names are Micrometer's dot-separated lower case;
 * registries render them in their own convention (Prometheus: {@code pgs.call} becomes
 * {@code pgs_call_seconds_count}, ...). No tag ever carries a server's key.
 */
public final class PgsInstruments {

    private PgsInstruments() {
    }

    // ---------------------------------------------------------------- servers

    /** Gauge, servers active in memory now. Tags: {@link #TYPE}. */
    public static final String SERVERS_ACTIVE = "pgs.servers.active";
    /** Gauge, servers quarantined now (in the observed runtimes). Tags: {@link #TYPE}. */
    public static final String SERVERS_QUARANTINED = "pgs.servers.quarantined";
    /** Counter, servers activated. Tags: {@link #TYPE}, {@link #KIND} ({@code init}, {@code revival}). */
    public static final String ACTIVATIONS = "pgs.server.activations";
    /** Counter, servers petrified. Tags: {@link #TYPE}, {@link #CAUSE}. */
    public static final String PETRIFICATIONS = "pgs.server.petrifications";
    /** Counter, servers stopped (not crashes). Tags: {@link #TYPE}, {@link #REASON}. */
    public static final String STOPS = "pgs.server.stops";
    /** Counter, servers crashed. Tags: {@link #TYPE}, {@link #EXCEPTION}. */
    public static final String CRASHES = "pgs.server.crashes";
    /** Counter, servers quarantined. Tags: {@link #TYPE}. */
    public static final String QUARANTINES = "pgs.server.quarantines";
    /** Counter, servers released from quarantine. Tags: {@link #TYPE}. */
    public static final String RELEASES = "pgs.server.releases";
    /** Counter, servers revived by the start-up recovery. Tags: {@link #TYPE}. */
    public static final String RECOVERED = "pgs.recovery.revived";

    // ---------------------------------------------------------------- messages

    /** Timer, calls from send to reply as the caller sees them. Tags: type, message, outcome, error. */
    public static final String CALL = "pgs.call";
    /** Timer, casts and infos sent (the time to queue them). Tags: type, message, kind, outcome, error. */
    public static final String CAST = "pgs.cast";
    /** Timer, turns: one message handled by its server, load and commit included. Tags: type, message, kind, outcome, error. */
    public static final String HANDLE = "pgs.handle";
    /** Distribution summary, messages queued behind the one a server starts to handle. Tags: {@link #TYPE}. */
    public static final String MAILBOX_DEPTH = "pgs.mailbox.depth";

    // ---------------------------------------------------------------- stores

    /** Timer, the runtime's store reads, writes and deletes. Tags: type, store, operation, outcome, error. */
    public static final String STORE = "pgs.store";
    /** Distribution summary, encoded state sizes read and written. Tags: type, store, operation. */
    public static final String STORE_BYTES = "pgs.store.bytes";
    /** Timer, group-commit batches (one transaction each). Tags: store, outcome, error. */
    public static final String STORE_BATCH = "pgs.store.batch";
    /** Distribution summary, writes per group-commit batch. Tags: {@link #STORE_TAG}. */
    public static final String STORE_BATCH_SIZE = "pgs.store.batch.size";

    // ---------------------------------------------------------------- reminders

    /** Counter, durable reminder ticks taken. Tags: {@link #TYPE}, {@link #OUTCOME} ({@code delivered}, {@code skipped}). */
    public static final String REMINDERS_FIRED = "pgs.reminders.fired";
    /** Timer, how late durable reminder ticks were taken. Tags: {@link #TYPE}. */
    public static final String REMINDER_LATENESS = "pgs.reminder.lateness";

    // ---------------------------------------------------------------- observations only (traces)

    /** Observation (tracing only), a context written into headers: a message to another node, a reminder stored. */
    public static final String SEND = "pgs.send";
    /** Observation (tracing only), a context read back from headers. */
    public static final String RECEIVE = "pgs.receive";

    // ---------------------------------------------------------------- tag keys

    /** The server type's name. */
    public static final String TYPE = "type";
    /** The simple class name of the message or request. */
    public static final String MESSAGE = "message";
    /** What kind of message, activation or turn. */
    public static final String KIND = "kind";
    /** How it ended. */
    public static final String OUTCOME = "outcome";
    /** The simple class name of the failure, {@code none} without one (Micrometer's convention). */
    public static final String ERROR = "error";
    /** The store's label ({@code sqlite}, {@code postgres}, {@code redis}, {@code inmemory}, ...). */
    public static final String STORE_TAG = "store";
    /** {@code read}, {@code write} or {@code delete}. */
    public static final String OPERATION = "operation";
    /** Why a server petrified. */
    public static final String CAUSE = "cause";
    /** {@code normal}, {@code shutdown} or {@code error}. */
    public static final String REASON = "reason";
    /** The simple class name of a crash's cause. */
    public static final String EXCEPTION = "exception";
}
