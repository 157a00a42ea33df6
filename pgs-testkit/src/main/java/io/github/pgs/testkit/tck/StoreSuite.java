package io.github.pgs.testkit.tck;

import io.github.pgs.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the suites of this package share: the store of the running test, made by {@link #newStorage()} before it
 * and closed after it, and the {@link RawRows} for planting rows the store would never write. Extend
 * {@link StorageContract} or {@link HostileRowContract}, not this class.
 */
public abstract class StoreSuite {

    private Storage storage;
    private RawRows rawRows;

    StoreSuite() {
    }

    /**
     * A new store; called before every test and closed after it. Tests use unique type names, so it need not be
     * empty.
     *
     * @return the store to test, not {@code null}
     * @throws Exception if the store cannot be opened; the test then fails
     */
    protected abstract Storage newStorage() throws Exception;

    /**
     * Direct access to the store's backend for planting rows the store would never write, or {@code null} (the
     * default) if the store cannot hold such rows; the cases that need them are then skipped. See {@link RawRows}.
     * Called at most once per test, after {@link #newStorage()}, with {@link #storage()} set.
     */
    protected RawRows rawRows() {
        return null;
    }

    /** The store of the running test (made by {@link #newStorage()}). */
    protected final Storage storage() {
        return storage;
    }

    /** Makes the store for the next test; run by JUnit before each test. */
    @BeforeEach
    public final void openStorage() throws Exception {
        storage = newStorage();
        assertThat(storage).as("newStorage()").isNotNull();
    }

    /** Closes what the test used, then the store; run by JUnit after each test. */
    @AfterEach
    public final void closeStorage() throws Exception {
        RawRows planted = rawRows;
        rawRows = null;
        try {
            beforeClose();
        } finally {
            try {
                if (storage != null) {
                    storage.close();
                }
            } finally {
                if (planted != null) {
                    planted.close();
                }
            }
        }
    }

    /** Closes what a suite opened on the store (runtimes, say) before the store closes. */
    void beforeClose() throws Exception {
    }

    /** The raw rows of this test; skips the test if the store cannot hold such rows. */
    final RawRows requireRawRows() {
        if (rawRows == null) {
            rawRows = rawRows();
        }
        assumeTrue(rawRows != null, "the store cannot hold rows it would not write itself");
        return rawRows;
    }

    /** The raw rows of this test, or {@code null} if the store cannot hold such rows. */
    final RawRows rawRowsOrNull() {
        if (rawRows == null) {
            rawRows = rawRows();
        }
        return rawRows;
    }
}
