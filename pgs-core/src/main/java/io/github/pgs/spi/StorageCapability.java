package io.github.pgs.spi;

/**
 * What a {@link Storage} keeps beyond the versioned state every store keeps. A store declares its capabilities
 * in {@link Storage#capabilities()}; the runtime reads them (it never probes a store by calling a method and
 * catching {@link UnsupportedOperationException}), and the storage conformance suite checks that the declaration
 * and the behaviour agree.
 */
public enum StorageCapability {

    /**
     * State history: writes with {@link StateWrite#historyDepth()} {@code > 0} keep replaced states, read back
     * with {@link Storage#history}. Without it, {@code history} throws {@link UnsupportedOperationException} and
     * writes with a depth are refused; types that ask for a history depth cannot use the store.
     */
    HISTORY,

    /**
     * Durable reminders: writes carry {@link StateWrite#reminders()}, indexed by their due time and found with
     * {@link Storage#due}. Without it, {@code due} throws {@link UnsupportedOperationException} and writes with
     * reminders are refused; servers cannot set durable reminders on the store.
     */
    REMINDERS
}
