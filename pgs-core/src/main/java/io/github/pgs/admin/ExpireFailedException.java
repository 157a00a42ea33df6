package io.github.pgs.admin;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerId;

import java.util.List;

/**
 * {@link Admin#expire} stopped part-way because the store failed. The servers in {@link #deleted()} were deleted
 * before the failure; the cause says what failed. Running the expiry again continues where it stopped.
 */
public class ExpireFailedException extends GenServerException {

    private final String type;
    private final List<ServerId> deleted;

    public ExpireFailedException(String type, List<ServerId> deleted, Throwable cause) {
        super(null, "expiring state of type '" + type + "' failed after " + deleted.size() + " deletions: "
                + (cause == null ? "unknown failure" : cause.getMessage()), cause);
        this.type = type;
        this.deleted = List.copyOf(deleted);
    }

    /** The type being swept. */
    public String type() {
        return type;
    }

    /** The servers deleted before the failure. */
    public List<ServerId> deleted() {
        return deleted;
    }
}
