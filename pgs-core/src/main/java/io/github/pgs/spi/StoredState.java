package io.github.pgs.spi;

/**
 * What a {@link Storage} holds for one server: a version and either a payload or nothing.
 *
 * <ul>
 *   <li>never saved: version 0, payload {@code null} ({@link #ABSENT});</li>
 *   <li>live state: version &ge; 1, payload non-null;</li>
 *   <li>tombstone (wiped): version &ge; 1, payload {@code null}. The version stays so that a stale writer can
 *       never resurrect the state.</li>
 * </ul>
 *
 * @param version         the stored version, 0 if never saved
 * @param payload         the encoded state, or {@code null} for absent and tombstoned state; callers must not
 *                        modify it
 * @param schemaVersion   the schema version the payload was written with (0 when there is no payload)
 * @param updatedAtMillis when the store last wrote this record (epoch millis; 0 when never saved)
 * @param reminders       the reminder set of the last write ({@link StateWrite#reminders()}), {@code null} for
 *                        none, always {@code null} for absent and tombstoned state and for history entries
 * @param remindAtMillis  the last write's {@link StateWrite#remindAtMillis()}; 0 without reminders
 */
public record StoredState(long version, byte[] payload, int schemaVersion, long updatedAtMillis, byte[] reminders,
                          long remindAtMillis) {

    /** Never saved. */
    public static final StoredState ABSENT = new StoredState(0, null, 0, 0, null, 0);

    public StoredState {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0: " + version);
        }
        if (version == 0 && payload != null) {
            throw new IllegalArgumentException("version 0 cannot carry a payload");
        }
        if ((reminders == null) != (remindAtMillis == 0) || remindAtMillis < 0) {
            throw new IllegalArgumentException("remindAtMillis must be > 0 with reminders and 0 without: "
                    + remindAtMillis);
        }
        if (reminders != null && payload == null) {
            throw new IllegalArgumentException("only a live state can carry reminders");
        }
    }

    /** A record without reminders. */
    public StoredState(long version, byte[] payload, int schemaVersion, long updatedAtMillis) {
        this(version, payload, schemaVersion, updatedAtMillis, null, 0);
    }

    /** Whether there is a live state to decode. */
    public boolean hasPayload() {
        return payload != null;
    }

    /** Whether this is a tombstone: the state was saved once and then deleted. */
    public boolean isTombstone() {
        return version > 0 && payload == null;
    }

    @Override
    public String toString() {
        return "StoredState[version=" + version + ", "
                + (payload == null ? (version == 0 ? "absent" : "tombstone") : payload.length + " bytes")
                + ", schema=" + schemaVersion
                + (reminders == null ? "" : ", remindAt=" + remindAtMillis) + "]";
    }
}
