package io.github.pgs.console;

import io.github.pgs.admin.Admin;
import io.github.pgs.admin.ServerEntry;
import io.github.pgs.admin.ServerPage;
import io.github.pgs.admin.ServerStatus;
import io.github.pgs.spi.KeyCursor;

/**
 * How many servers of one type the store holds, and, through a runtime, how many of them are active, petrified
 * and quarantined there.
 *
 * <p>With a runtime, the states are read page by page to tell the statuses apart, up to {@code limit} servers;
 * past it {@link #partial()} is set, {@link #stored()} is the full count (keys only) and the status counts cover
 * the first {@code limit} servers. On a bare store only {@link #stored()} is known and the status counts are
 * {@code -1}.
 *
 * @param type        the type name
 * @param stored      servers holding a live state
 * @param partial     whether the status counts cover only part of the servers
 * @param active      active in the runtime, or -1 without one
 * @param petrified   stored and not active nor quarantined, or -1 without a runtime
 * @param quarantined quarantined in the runtime, or -1 without one
 */
public record TypeCounts(String type, long stored, boolean partial, long active, long petrified,
                         long quarantined) {

    private static final int PAGE = 1_000;

    /** Whether the status counts are known (the admin has a runtime). */
    public boolean byStatus() {
        return active >= 0;
    }

    /** Counts the servers of {@code type}. */
    public static TypeCounts of(Admin admin, String type, int limit) {
        if (admin.runtime() == null) {
            return new TypeCounts(type, admin.count(type), false, -1, -1, -1);
        }
        long stored = 0;
        long active = 0;
        long quarantined = 0;
        KeyCursor after = null;
        boolean partial = false;
        do {
            ServerPage page = admin.list(type, after, Math.min(PAGE, limit));
            for (ServerEntry e : page.entries()) {
                stored++;
                if (e.status() == ServerStatus.ACTIVE) {
                    active++;
                } else if (e.status() == ServerStatus.QUARANTINED) {
                    quarantined++;
                }
            }
            after = page.next();
            if (after != null && stored >= limit) {
                partial = true;
                break;
            }
        } while (after != null);
        long counted = stored;
        if (partial) {
            stored = admin.count(type);
        }
        return new TypeCounts(type, stored, partial, active, Math.max(0, counted - active - quarantined), quarantined);
    }
}
