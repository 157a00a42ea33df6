package io.github.pgs.store.support;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.spi.StoredState;

import java.util.Objects;

/**
 * Turns the fields a store read for one server into a {@link StoredState}, the same way on every store: what a
 * store can legitimately hold is normalised (a tombstone's schema version and reminders do not exist, reminders
 * without a due time are none), and what no store ever writes (a negative version, a live state at version 0) is
 * reported as a {@link CorruptRecordException} for that server alone, never as an unchecked exception that would
 * fail a whole batch or scan.
 *
 * <p>Stateless; thread-safe.
 */
public final class StoredRows {

    private StoredRows() {
    }

    /**
     * The record of {@code id} from its stored fields.
     *
     * @param version         the stored version (&ge; 0)
     * @param schemaVersion   the payload's schema version (ignored without a payload)
     * @param payload         the state, {@code null} for a tombstone
     * @param updatedAtMillis the write time
     * @param reminders       the reminder set, {@code null} for none (ignored without a payload or a due time)
     * @param remindAtMillis  the earliest reminder's due time; 0 or less means none
     * @throws CorruptRecordException if the fields describe no record a store writes
     */
    public static StoredState state(ServerId id, long version, int schemaVersion, byte[] payload,
                                    long updatedAtMillis, byte[] reminders, long remindAtMillis) {
        Objects.requireNonNull(id, "id");
        if (version < 0) {
            throw new CorruptRecordException(id, "version", "is negative");
        }
        if (version == 0 && payload != null) {
            throw new CorruptRecordException(id, "version", "is 0 beside a stored state");
        }
        if (payload == null) {
            return version == 0 ? StoredState.ABSENT : new StoredState(version, null, 0, updatedAtMillis);
        }
        if (reminders == null || remindAtMillis <= 0) {
            return new StoredState(version, payload, schemaVersion, updatedAtMillis);
        }
        return new StoredState(version, payload, schemaVersion, updatedAtMillis, reminders, remindAtMillis);
    }

    /**
     * A history entry of {@code id}.
     *
     * @throws CorruptRecordException if the version is below 1 or the payload is missing
     */
    public static StoredState historyEntry(ServerId id, long version, int schemaVersion, byte[] payload,
                                           long updatedAtMillis) {
        if (version < 1) {
            throw new CorruptRecordException(id, "history version", "is below 1");
        }
        if (payload == null) {
            throw new CorruptRecordException(id, "history payload", "is missing");
        }
        return new StoredState(version, payload, schemaVersion, updatedAtMillis);
    }

    /**
     * A decimal number the store itself wrote as ASCII text (Redis hash fields, say).
     *
     * @param field names the field in the exception
     * @throws CorruptRecordException if {@code ascii} is not a decimal {@code long}
     */
    public static long decimal(ServerId id, String field, byte[] ascii) {
        if (ascii.length == 0 || ascii.length > 20) {
            throw new CorruptRecordException(id, field, "is not a decimal number");
        }
        long n = 0;
        int i = ascii[0] == '-' ? 1 : 0;
        if (i == ascii.length) {
            throw new CorruptRecordException(id, field, "is not a decimal number");
        }
        for (; i < ascii.length; i++) {
            int d = ascii[i] - '0';
            if (d < 0 || d > 9) {
                throw new CorruptRecordException(id, field, "is not a decimal number");
            }
            try {
                n = Math.addExact(Math.multiplyExact(n, 10), ascii[0] == '-' ? -d : d);
            } catch (ArithmeticException overflow) {
                throw new CorruptRecordException(id, field, "is out of range");
            }
        }
        return n;
    }

    /**
     * {@link #decimal} for a field that must fit an {@code int}.
     *
     * @throws CorruptRecordException if it does not
     */
    public static int decimalInt(ServerId id, String field, byte[] ascii) {
        long n = decimal(id, field, ascii);
        if (n != (int) n) {
            throw new CorruptRecordException(id, field, "is out of range");
        }
        return (int) n;
    }
}
