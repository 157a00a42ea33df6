package io.github.pgs.spi;

import io.github.pgs.ServerId;

import java.util.Objects;

/**
 * One version-checked write: store {@code payload} for {@code id} as version {@code expectedVersion + 1}, but
 * only if the stored version is {@code expectedVersion} (0 for "never saved"; a tombstone's version after a
 * delete).
 *
 * <p>With {@code historyDepth > 0}, the state being replaced (if it is a live state) is kept as history in the
 * same commit, and the history is pruned to the {@code historyDepth} most recent entries; see
 * {@link Storage#history}.
 *
 * <p>The write also replaces the server's <em>reminder set</em>, in the same commit: {@code reminders} is an
 * opaque encoding owned by the runtime ({@code null}: the server has no reminders), and {@code remindAtMillis}
 * the epoch millis of its earliest due reminder (0 exactly when {@code reminders} is {@code null}). The store
 * indexes {@code remindAtMillis} so that {@link Storage#due} finds due servers without scanning; see there.
 *
 * @param id              the server
 * @param expectedVersion the version the writer loaded
 * @param payload         the encoded state (not {@code null}; may be empty)
 * @param schemaVersion   the schema version of the payload
 * @param historyDepth    how many replaced states to keep (0: none, and any history is dropped)
 * @param reminders       the encoded reminder set, or {@code null} for none
 * @param remindAtMillis  when the earliest reminder is due (epoch millis, &gt; 0), or 0 without reminders
 */
public record StateWrite(ServerId id, long expectedVersion, byte[] payload, int schemaVersion, int historyDepth,
                         byte[] reminders, long remindAtMillis) {

    public StateWrite {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0: " + expectedVersion);
        }
        if (historyDepth < 0) {
            throw new IllegalArgumentException("historyDepth must be >= 0: " + historyDepth);
        }
        if ((reminders == null) != (remindAtMillis == 0) || remindAtMillis < 0) {
            throw new IllegalArgumentException("remindAtMillis must be > 0 with reminders and 0 without: "
                    + remindAtMillis);
        }
    }

    /** A write without reminders. */
    public StateWrite(ServerId id, long expectedVersion, byte[] payload, int schemaVersion, int historyDepth) {
        this(id, expectedVersion, payload, schemaVersion, historyDepth, null, 0);
    }

    /** A write that keeps no history and has no reminders. */
    public StateWrite(ServerId id, long expectedVersion, byte[] payload, int schemaVersion) {
        this(id, expectedVersion, payload, schemaVersion, 0);
    }

    /** Whether this write leaves the server with reminders. */
    public boolean hasReminders() {
        return reminders != null;
    }

    /** The version this write creates. */
    public long newVersion() {
        return expectedVersion + 1;
    }
}
