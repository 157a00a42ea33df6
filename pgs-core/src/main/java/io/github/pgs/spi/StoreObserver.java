package io.github.pgs.spi;

/**
 * Hears what a store does below the runtime: the batches its group commit writes. A store that batches reports
 * every batch here; a store that does not batch reports nothing (the runtime reports each read and write it
 * makes through {@link RuntimeObserver}).
 *
 * <p>Implementations are called on the store's writer threads, after the batch's transaction ended and its callers
 * were answered; they must be quick (the next batch waits) and must not block or call the store. Whatever they throw is caught,
 * logged and ignored by the caller ({@link #guarded}): an observer can never fail a write.
 *
 * <p>Stores hold {@code null} when nobody observes and then compute nothing for it (not even a clock reading).
 */
public interface StoreObserver {

    /**
     * One group-commit batch ended.
     *
     * @param store   the store's label ({@code sqlite}, {@code postgres}, {@code redis}, ...): low cardinality,
     *                the same label the runtime passes in {@link RuntimeObserver#storeEnded}
     * @param entries the writes in the batch (&ge; 1)
     * @param nanos   how long the batch took, from taking it off the queue to the end of its transaction
     * @param failure the batch-wide failure, or {@code null} if the transaction ran (single entries may still
     *                have failed their version check; the runtime reports those per write)
     */
    default void batchWritten(String store, int entries, long nanos, Throwable failure) {
    }

    /**
     * {@code observer} such that nothing it throws escapes: failures are logged (the first at
     * {@code WARNING}, later ones at {@code DEBUG}) and ignored. {@code null} stays {@code null}.
     */
    static StoreObserver guarded(StoreObserver observer) {
        if (observer == null || observer instanceof Observers.GuardedStore || observer instanceof Observers.Guarded
                || observer instanceof Observers.Composite) {
            return observer;
        }
        return new Observers.GuardedStore(observer);
    }
}
