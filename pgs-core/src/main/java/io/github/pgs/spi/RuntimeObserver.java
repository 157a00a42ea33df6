package io.github.pgs.spi;

import io.github.pgs.ServerId;
import io.github.pgs.StopReason;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Hears what a runtime does: servers coming and going, messages sent and handled, store reads and writes,
 * reminders firing. The seam that metrics and tracing integrations (such as {@code pgs-micrometer}) implement;
 * the core itself depends on nothing.
 *
 * <h2>Events and scopes</h2>
 * Most methods are events: something happened, with low-cardinality facts about it. Three pairs are scopes whose
 * first half may return a <em>context</em>, an object of the observer's own choosing (a trace span, say) that the
 * runtime carries and hands back, never looks into, and drops when done:
 * <ul>
 *   <li>{@link #sendStarted} / {@link #sendEnded}: a caller sends a call, cast or info. The context travels with
 *       the message to the server's thread (and, in a cluster, as headers through {@link #inject} /
 *       {@link #extract}).</li>
 *   <li>{@link #turnStarted} / {@link #turnEnded}: a server handles one message, on its own thread, with the
 *       sender's context (or, for timers and reminders, the context of where they were scheduled) as its
 *       origin. Everything the handler does in between (nested calls, store reads and writes) happens on that
 *       thread, inside the turn.</li>
 *   <li>{@link #storeStarted} / {@link #storeEnded}: the runtime reads or writes a server's state.</li>
 * </ul>
 * {@link #turnStarted} and {@link #turnEnded} are always called on the same thread, as are
 * {@link #storeStarted} and {@link #storeEnded}; every started scope is ended exactly once, also when the
 * handler or the store throws. {@link #sendEnded} of a call runs on whichever thread sees the outcome (the
 * caller's for a blocking call; the server's or the timer's for an asynchronous one). Durations are measured by
 * the runtime on its {@link TimeSource} and given in nanoseconds.
 *
 * <h2>Cost and safety</h2>
 * <ul>
 *   <li>A runtime without observer holds {@code null} and computes nothing for observation: no clock readings,
 *       no contexts, no allocation.</li>
 *   <li>The runtime calls observers outside its locks and never waits for them; observers must be quick and
 *       non-blocking, and must not call the runtime (a call would wait for the server whose thread they run on).
 *   </li>
 *   <li>Whatever an observer throws is caught, logged (the first failure of each observer at {@code WARNING},
 *       later ones at {@code DEBUG}) and ignored; a context-returning method that throws counts as having
 *       returned {@code null}. An observer can never fail or stop a message, a write or a server.</li>
 *   <li>Server ids carry keys, which can be personal data: observers should use {@link ServerId#type()} for
 *       anything aggregated (metric tags) and keep keys out of exported telemetry.</li>
 * </ul>
 * Every method has a do-nothing default, so an observer implements only what it needs. Implementations must be
 * thread-safe: events of different servers arrive concurrently.
 *
 * <h2>Pairing</h2>
 * {@link #activated} and {@link #deactivated} pair up: between them the server is active (in memory) in this
 * runtime, so {@code activated - deactivated} per type is the number of active servers. {@link #quarantined} and
 * {@link #released} pair up the same way for quarantined servers.
 */
public interface RuntimeObserver extends StoreObserver {

    // ---------------------------------------------------------------- vocabulary

    /** How a server became active. */
    enum ActivationKind {
        /** No state was stored: {@code init} ran. */
        INIT,
        /** Its stored state was loaded. */
        REVIVAL
    }

    /** Why a server petrified. */
    enum PetrifyCause {
        /** Its idle timeout passed. */
        IDLE,
        /** The bounded active set was full and it was the least recently used idle server. */
        EVICTED,
        /** An operator or the application asked for it ({@code runtime.petrify}). */
        REQUESTED,
        /** Its placement moved it to another node (cluster hand-off). */
        HANDOFF,
        /** The runtime closed. */
        SHUTDOWN
    }

    /** What a message or turn is. Senders only send {@link #CALL}, {@link #CAST} and {@link #INFO}. */
    enum Kind {
        /** A call ({@code handleCall}); the sender waits for the reply. */
        CALL,
        /** A cast ({@code handleCast}). */
        CAST,
        /** An info message sent through a ref ({@code handleInfo}). */
        INFO,
        /** A volatile timer fired ({@code handleInfo}). */
        TIMER,
        /** A durable reminder fired ({@code handleInfo} with {@code ReminderFired}). */
        REMINDER
    }

    /** How a turn ended. */
    enum TurnOutcome {
        /** The handler returned and its state was committed as its write mode says. */
        OK,
        /** The handler asked to stop; the server stopped. */
        STOPPED,
        /** The handler (or {@code init}) threw or returned nothing; the server crashed. */
        CRASHED,
        /** The runtime could not serve the message: loading, decoding or persisting failed, or it was quarantined. */
        FAILED
    }

    /** What the runtime asked of the store. */
    enum StoreOp {
        /** Loaded a server's state (its first message after being petrified or never active). */
        READ,
        /** Saved a server's state, version-checked. */
        WRITE,
        /** Wrote a tombstone (a stop or policy that wipes the state), version-checked. */
        DELETE
    }

    /** How a store operation ended. */
    enum StoreOutcome {
        /** Done: the state was read, written or deleted. */
        OK,
        /** A read found no state (the server starts through {@code init}). */
        ABSENT,
        /** The version check failed: another activation wrote first. */
        CONFLICT,
        /** The store failed. */
        ERROR
    }

    // ---------------------------------------------------------------- servers

    /** {@code id} became active, through {@code init} or from its stored state. Paired with {@link #deactivated}. */
    default void activated(ServerId id, ActivationKind kind) {
    }

    /**
     * The activation of {@code id} announced by {@link #activated} ended: it petrified, stopped, crashed or was
     * quarantined (the matching event comes before this one). Called exactly once per {@link #activated}.
     */
    default void deactivated(ServerId id) {
    }

    /** {@code id} petrified: its state is persisted and its memory freed. */
    default void petrified(ServerId id, PetrifyCause cause) {
    }

    /** {@code id} stopped, normally or with an error reason its handler gave (not a crash). */
    default void stopped(ServerId id, StopReason reason) {
    }

    /** {@code id} crashed: a handler, {@code init} or a follow-up threw {@code cause} (or returned nothing). */
    default void crashed(ServerId id, Throwable cause) {
    }

    /**
     * {@code id} is quarantined in this runtime: a crash loop, stored state it cannot read, or a quarantine an earlier
     * runtime recorded, found when the server is first addressed here. Told before the messages waiting for the
     * server fail with {@code QuarantinedException}, so a caller that gets one finds the quarantine counted. Paired
     * with {@link #released} (an operator's release, the type's automatic action, or the runtime closing).
     * {@code lastFailure} may contain the key and is for logs, never for tags.
     */
    default void quarantined(ServerId id, String lastFailure) {
    }

    /** {@code id} left quarantine (released, rolled back or reset, by an operator or by its type's policy). */
    default void released(ServerId id) {
    }

    /** The start-up recovery revived {@code id} (a {@code PERMANENT} or remembered active server). */
    default void recovered(ServerId id) {
    }

    // ---------------------------------------------------------------- messages: the sender's side

    /**
     * A caller sends {@code message} ({@link Kind#CALL}, {@link Kind#CAST} or {@link Kind#INFO}) to {@code to},
     * on the caller's thread, before it is queued.
     *
     * @return a context to carry with the message (given back to {@link #sendEnded} and, as the origin, to
     *     {@link #turnStarted}), or {@code null}
     */
    default Object sendStarted(ServerId to, Kind kind, Class<?> message) {
        return null;
    }

    /**
     * The send begun by {@link #sendStarted} ended: for a call when its reply, failure or timeout reached the
     * caller; for a cast or info once it was queued (or refused).
     *
     * @param context what {@link #sendStarted} returned
     * @param nanos   from {@link #sendStarted} to now
     * @param failure what the caller got instead of a reply ({@code CallTimeoutException},
     *                {@code MailboxFullException}, ...), or {@code null}
     */
    default void sendEnded(Object context, ServerId to, Kind kind, Class<?> message, long nanos, Throwable failure) {
    }

    // ---------------------------------------------------------------- turns: the server's side

    /**
     * The server {@code id} starts handling one message, on its own thread, before it loads its state (if it has
     * to) and before the handler runs.
     *
     * @param origin  for {@link Kind#CALL}, {@link Kind#CAST} and {@link Kind#INFO}: the sender's context (the turn
     *                continues the sender's work); for {@link Kind#TIMER} and {@link Kind#REMINDER}: the context
     *                {@link #scheduled} returned (or {@link #extract} rebuilt) where the timer or reminder was set
     *                (the turn is new work, linked to that place); {@code null} if there is none
     * @param waiting messages still queued behind this one (the mailbox depth)
     * @return a context given back to {@link #turnEnded}, or {@code null}
     */
    default Object turnStarted(ServerId id, Kind kind, Class<?> message, Object origin, int waiting) {
        return null;
    }

    /**
     * The turn begun by {@link #turnStarted} ended: the handler returned and its state was committed (write
     * through: persisted), or it failed; on the same thread.
     *
     * @param nanos   from {@link #turnStarted} to now
     * @param failure the crash cause, or the failure that kept the message from its handler or its state from the
     *                store; {@code null} for {@link TurnOutcome#OK} and a normal {@link TurnOutcome#STOPPED}
     */
    default void turnEnded(Object context, ServerId id, Kind kind, Class<?> message, long nanos,
                           TurnOutcome outcome, Throwable failure) {
    }

    // ---------------------------------------------------------------- store operations of the runtime

    /**
     * The runtime starts a store operation for {@code id}, on the thread that waits for it (inside a turn when a
     * message caused it).
     *
     * @return a context given back to {@link #storeEnded}, or {@code null}
     */
    default Object storeStarted(ServerId id, StoreOp op) {
        return null;
    }

    /**
     * The store operation begun by {@link #storeStarted} ended, on the same thread.
     *
     * @param store   the store's label, as in {@link #storeLabel}
     * @param nanos   from {@link #storeStarted} to now, including any wait for a group-commit batch
     * @param bytes   the state's encoded size (written, or read), 0 when there is none
     * @param failure the store's failure for {@link StoreOutcome#CONFLICT} and {@link StoreOutcome#ERROR}
     */
    default void storeEnded(Object context, ServerId id, StoreOp op, String store, long nanos, StoreOutcome outcome,
                            int bytes, Throwable failure) {
    }

    // ---------------------------------------------------------------- timers and reminders

    /**
     * A handler of {@code id} sets a volatile timer ({@link Kind#TIMER}) or a durable reminder
     * ({@link Kind#REMINDER}), on the server's thread inside the turn.
     *
     * @return a context naming this place, handed back as the origin of the turn in which the timer or reminder
     *     fires; for a reminder the runtime persists it through {@link #inject} and rebuilds it through
     *     {@link #extract}, so it survives petrification and restarts. {@code null} if there is none
     */
    default Object scheduled(ServerId id, Kind kind) {
        return null;
    }

    /**
     * A durable reminder tick of {@code id} was due {@code latenessMillis} ago (&ge; 0) when the runtime took it;
     * {@code delivered} is {@code false} when its missed-tick policy skipped it instead of delivering it.
     */
    default void reminderFired(ServerId id, long latenessMillis, boolean delivered) {
    }

    // ---------------------------------------------------------------- contexts across boundaries

    /**
     * Writes {@code context} (one this observer returned) as text headers, for a message that leaves this JVM (a
     * cluster's envelope) or a reminder that is persisted. Header names should be the usual propagation fields
     * ({@code traceparent}, {@code b3}, ...); the runtime keeps at most {@link #MAX_HEADERS} headers of at most
     * {@link #MAX_HEADER_CHARS} characters each (name and value together) and drops the rest.
     */
    default void inject(Object context, BiConsumer<String, String> headers) {
    }

    /**
     * Rebuilds a context from headers {@link #inject} wrote (here or in another JVM); {@code headers} returns
     * {@code null} for an absent name. Returns {@code null} if there is nothing to rebuild.
     */
    default Object extract(Function<String, String> headers) {
        return null;
    }

    /** The most headers the runtime carries for one context. */
    int MAX_HEADERS = 8;
    /** The most characters of one header (name plus value) the runtime carries. */
    int MAX_HEADER_CHARS = 512;

    // ---------------------------------------------------------------- composition and helpers

    /**
     * {@code observer} such that nothing it throws escapes (see "Cost and safety"). The runtime applies this to
     * every observer it is given; {@code null} stays {@code null}.
     */
    static RuntimeObserver guarded(RuntimeObserver observer) {
        if (observer == null || observer instanceof Observers.Guarded || observer instanceof Observers.Composite) {
            return observer;
        }
        return new Observers.Guarded(observer);
    }

    /**
     * One observer that tells each of {@code observers} everything, in order, each with its own contexts. An
     * empty list gives {@code null} (nobody listens), a single observer is returned as it is.
     */
    static RuntimeObserver all(List<? extends RuntimeObserver> observers) {
        List<RuntimeObserver> list = List.copyOf(observers);
        return switch (list.size()) {
            case 0 -> null;
            case 1 -> list.getFirst();
            default -> new Observers.Composite(list.toArray(RuntimeObserver[]::new));
        };
    }

    /**
     * The label observers use for {@code storage}: its class's simple name without a trailing {@code Storage},
     * in lower case ({@code SqliteStorage} is {@code sqlite}, {@code InMemoryStorage} {@code inmemory}).
     */
    static String storeLabel(Storage storage) {
        String n = storage.getClass().getSimpleName();
        if (n.endsWith("Storage") && n.length() > "Storage".length()) {
            n = n.substring(0, n.length() - "Storage".length());
        }
        return n.isEmpty() ? "custom" : n.toLowerCase(java.util.Locale.ROOT);
    }
}
