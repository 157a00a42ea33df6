package io.github.pgs.testkit.tck;

import io.github.pgs.ServerId;
import io.github.pgs.spi.Storage;

/**
 * Writes rows into a store's backend directly, the way another program, a bad migration or a damaged disk could
 * leave them, bypassing every check of the {@link Storage} under test. The storage conformance suite and the
 * hostile-row kit use it to plant rows that the store itself would never write, and check that every scan skips
 * them, reports them and goes on, and that every other server keeps working.
 *
 * <p>A store implements it in its tests with its own queries or commands (ours: {@code SqliteRawRows},
 * {@code PostgresRawRows}, {@code RedisRawRows} in each module's tests) and hands it to the suites by overriding
 * {@link StorageContract#rawRows()}. A store that cannot hold such rows
 * at all (the in-memory store keeps Java strings) returns {@code null} there, and the cases that need them are
 * skipped. One instance serves one test, from one thread.
 */
public interface RawRows extends AutoCloseable {

    /**
     * Writes a live row at version 1, schema version 1, whose type and key are exactly these bytes (valid UTF-8
     * or not, a valid type name or not), with {@code reminders} due at {@code remindAtMillis} ({@code null} and 0
     * for none), indexed for {@link Storage#list} and {@link Storage#due} as the store indexes its own rows.
     */
    void write(byte[] type, byte[] key, byte[] payload, byte[] reminders, long remindAtMillis) throws Exception;

    /** Replaces the stored version of {@code id} (a live row) by a value the store never writes. */
    void corruptVersion(ServerId id) throws Exception;

    /** Releases what the writes kept open (a connection, say); the suites call it at the end of each test. */
    @Override
    default void close() throws Exception {
    }
}
