package io.github.pgs;

/**
 * A version-checked write found another version than the writer loaded: someone else (another activation,
 * runtime or JVM) wrote or deleted the state since. Nothing was written.
 */
public class VersionConflictException extends StorageException {

    private final long expectedVersion;
    private final long actualVersion;

    public VersionConflictException(ServerId serverId, long expectedVersion, long actualVersion) {
        super(serverId, "version conflict: expected " + expectedVersion + ", stored " + actualVersion, null);
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /** The stored version at the time of the check (0 if nothing was ever stored). */
    public long actualVersion() {
        return actualVersion;
    }
}
