package io.github.pgs.spi;

/**
 * Found through {@link java.util.ServiceLoader}: supplies the store of the default runtime behind
 * {@link io.github.pgs.PersistentGenServer#start} (the embedded SQLite store does). The provider with the
 * highest {@link #priority()} wins.
 */
public interface DefaultStorageProvider {

    /** Opens the default store. */
    Storage openDefault();

    /** Describes where the default store keeps its data, for logs and errors. */
    String describe();

    /** Higher wins; the SQLite store uses 0. */
    default int priority() {
        return 0;
    }
}
