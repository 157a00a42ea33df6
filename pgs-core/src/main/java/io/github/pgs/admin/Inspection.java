package io.github.pgs.admin;

import io.github.pgs.CodecException;
import io.github.pgs.Reminder;
import io.github.pgs.ServerId;
import io.github.pgs.internal.StoreTools;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What {@link Admin#inspect} and {@link Admin#inspectVersion} read besides the current state. */
final class Inspection {

    private Inspection() {
    }

    /** The older versions the store keeps for {@code id}, most recent first. */
    static List<StoredVersion> history(Storage storage, ServerId id) {
        List<StoredVersion> history = new ArrayList<>();
        for (StoredState h : storage.history(id)) {
            history.add(new StoredVersion(h.version(), h.schemaVersion(), Instant.ofEpochMilli(h.updatedAtMillis()),
                    h.payload() == null ? 0 : h.payload().length));
        }
        return history;
    }

    /** The durable reminders stored with {@code s}, earliest first. */
    static List<Reminder> reminders(ServerId id, StoredState s) {
        try {
            return StoreTools.describeReminders(s.reminders());
        } catch (IllegalArgumentException e) {
            throw new CodecException(id, "the stored reminders cannot be decoded: " + e.getMessage(), e);
        }
    }

    /**
     * {@code current} if it is at {@code version}, else the kept version {@code version}.
     *
     * @throws IllegalArgumentException if there is no live state at that version
     */
    static StoredState version(Storage storage, ServerId id, StoredState current, long version) {
        StoredState found = current.version() == version ? current : null;
        if (found == null) {
            for (StoredState h : storage.history(id)) {
                if (h.version() == version) {
                    found = h;
                    break;
                }
            }
        }
        if (found == null || found.payload() == null) {
            throw new IllegalArgumentException(id + " has no kept version " + version);
        }
        return found;
    }
}
