/**
 * PersistentGenServer core: the behaviour API, the runtime, the storage and codec SPIs and the in-memory store.
 * Only API packages are exported; {@code io.github.pgs.internal} is not.
 */
module io.github.pgs.core {
    exports io.github.pgs;
    exports io.github.pgs.spi;
    exports io.github.pgs.store;
    exports io.github.pgs.store.support;
    exports io.github.pgs.admin;
    exports io.github.pgs.placement;

    uses io.github.pgs.spi.StateCodecProvider;
    uses io.github.pgs.spi.DefaultStorageProvider;
}
