package io.github.pgs.testkit.tck;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The storage conformance suite (TCK): every {@link Storage}, ours or yours, must pass it. It checks the
 * contract written on {@link Storage}, {@link StoredState}, {@link StateWrite} and {@link KeyPage}: the version
 * fence on saves and deletes, tombstones that no stale writer can overwrite, exact storage and byte-ordered
 * listing of any key, bulk loads, payload copies, state history ({@link Storage#history}: kept in the same commit
 * as each write, pruned to each write's depth, dropped by depth 0 and by deletes), reminders ({@link Storage#due}:
 * replaced by every save, removed by deletes, never in history, found in due-time order and paged with a stable
 * cursor), thread safety under contention and behaviour after close. Its last test runs
 * {@link StorageModelRunner}, which compares random sequences of operations with a model.
 *
 * <h2>Running it against your store</h2>
 * Add {@code io.github.pgs:pgs-testkit} and a JUnit Jupiter engine ({@code org.junit.jupiter:junit-jupiter})
 * as test dependencies, then extend this class:
 *
 * <pre>{@code
 * class MyStorageContractTest extends StorageContract {
 *     @Override
 *     protected Storage newStorage() {
 *         return new MyStorage(MyStorageConfig.forTests());
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #newStorage()} is called before every test and the store is closed after it. Each test works on
 *       its own fresh type names ({@code tck-...}, {@code tckm-...}), so a store over a shared database needs
 *       neither an empty database nor any cleanup; tests leave their data behind.</li>
 *   <li>Override {@link #maxKeyBytesSupported()} if your store limits keys to fewer than 16 KiB of UTF-8.</li>
 *   <li>Override {@link #rawRows()} to hand the suite a {@link RawRows} for your backend: the hostile-row cases
 *       then plant rows your store would never write (keys that are not UTF-8, type names no server can have,
 *       impossible versions) and check that scans skip and report them and go on.</li>
 *   <li>What your store keeps beyond versioned state is what its {@link Storage#capabilities()} declares: without
 *       {@link StorageCapability#HISTORY} the history cases are skipped and the suite checks instead that history
 *       is refused (types with a {@code historyDepth} cannot use such a store); without
 *       {@link StorageCapability#REMINDERS} the same holds for the reminder cases (durable reminders then do not
 *       work with such a store). A store that keeps more than it declares, or less, fails.</li>
 *   <li>{@code due} is global to the store, so the reminder cases use due times of their own: each picks a random
 *       base instant between 2<sup>41</sup> and 2<sup>51</sup> (years 2039 to 73,000) and reads {@code due} from
 *       just before it; one case uses the instants 1 to 3 and deletes its servers at the end. Leftovers of other
 *       tests therefore never show.</li>
 *   <li>The model-based test is configured with the system properties {@code pgs.tck.seed},
 *       {@code pgs.tck.sequences} (default 200) and {@code pgs.tck.steps} (default 50); a failure names the seed
 *       of the failing sequence and shows it shrunk, e.g. reproduce with
 *       {@code mvn test -Dtest=MyStorageContractTest#modelBasedSequences_agreeWithTheModel -Dpgs.tck.seed=42}.</li>
 *   <li>The concurrency tests start {@value #WRITER_THREADS} platform threads each and fail, rather than hang,
 *       if the store does not answer within {@value #CONCURRENCY_TIMEOUT_SECONDS} seconds.</li>
 * </ul>
 * Subclasses may add store-specific tests; {@link #storage()} is the store of the running test.
 *
 * <h2>How the suite reads the contract</h2>
 * Where the SPI's wording leaves room, the suite takes the strict reading, so that callers can rely on it:
 * <ul>
 *   <li>a {@link VersionConflictException} carries the exact stored version as {@code actualVersion()}, never
 *       {@code -1};</li>
 *   <li>a page of clean data holds exactly {@code min(limit, live keys remaining)} keys; {@code next} is the
 *       position of the page's last key, and is {@code null} exactly when no live key follows (also when the last
 *       page is full); a cursor made with {@link KeyCursor#after} need not be a stored key, and the empty key is a
 *       key like any other;</li>
 *   <li>a tombstone has schema version 0; a stored record (live or tombstone) has {@code updatedAtMillis > 0}
 *       and a never-saved one has 0;</li>
 *   <li>{@code loadAll} returns exactly the requested ids as keys;</li>
 *   <li>a history entry is the replaced state exactly as it was stored, write time included; a save that replaces
 *       a tombstone keeps nothing (the tombstone's delete already dropped the history);</li>
 *   <li>empty reminder bytes are a reminder set like any other (loaded as empty, not {@code null}, and due); a
 *       {@code due} page has a cursor exactly when more servers are due.</li>
 * </ul>
 */
public abstract class StorageContract extends StoreSuite {

    /** Threads racing in the concurrency tests. */
    protected static final int WRITER_THREADS = 16;
    /** Rounds of the single-key race; each round creates exactly one new version. */
    protected static final int RACE_ROUNDS = 100;
    /** How long a concurrency test waits for the store before failing. */
    protected static final int CONCURRENCY_TIMEOUT_SECONDS = 120;

    private static final Comparator<String> UTF8_ORDER = (x, y) ->
            Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
    private static final AtomicLong TYPE_COUNTER = new AtomicLong();
    private static final long CLOCK_TOLERANCE_MILLIS = TimeUnit.MINUTES.toMillis(10);


    /** For subclasses, which make the store in {@link #newStorage()}. */
    protected StorageContract() {
    }

    /**
     * The longest key, in UTF-8 bytes, that the store promises to hold. Default 16 KiB (16,384 bytes); a key of
     * exactly this size is tested, and the 4,000-byte hostile key only when this is at least 4,000.
     */
    protected int maxKeyBytesSupported() {
        return 16 * 1024;
    }

    /** Whether the store declares state history ({@link StorageCapability#HISTORY}). */
    private boolean keepsHistory() {
        return storage().capabilities().contains(StorageCapability.HISTORY);
    }

    /** Whether the store declares reminders ({@link StorageCapability#REMINDERS}). */
    private boolean keepsReminders() {
        return storage().capabilities().contains(StorageCapability.REMINDERS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Loading and saving

    /** A key never written loads as {@link StoredState#ABSENT}: version 0, no payload, schema 0, time 0. */
    @Test
    public void load_ofNeverSavedKey_isAbsentAtVersionZero() {
        StoredState state = storage().load(new ServerId(newType(), "never-saved"));

        assertAbsent(state);
    }

    /** The first save expects version 0, returns 1, and the state loads back with its payload and schema version. */
    @Test
    public void save_fromVersionZero_returnsOneAndLoadsBackWithPayloadAndSchemaVersion() {
        ServerId id = new ServerId(newType(), "k");
        byte[] payload = bytes("first state");

        long version = storage().save(new StateWrite(id, 0, payload, 3));

        assertThat(version).isEqualTo(1);
        assertLive(storage().load(id), 1, payload, 3);
    }

    /** Each save from the current version returns that version plus one and replaces the payload. */
    @Test
    public void save_chain_incrementsTheVersionByOneEachTime() {
        ServerId id = new ServerId(newType(), "chain");
        for (int v = 0; v < 25; v++) {
            long returned = storage().save(new StateWrite(id, v, bytes("state " + v), v % 3));

            assertThat(returned).as("save from version %d", v).isEqualTo(v + 1);
            assertLive(storage().load(id), v + 1, bytes("state " + v), v % 3);
        }
    }

    /** An unchanged payload is still a new version: stores must not skip writes that look redundant. */
    @Test
    public void save_ofTheSamePayloadAgain_stillCreatesANewVersion() {
        ServerId id = new ServerId(newType(), "same");
        storage().save(new StateWrite(id, 0, bytes("same"), 1));

        assertThat(storage().save(new StateWrite(id, 1, bytes("same"), 1))).isEqualTo(2);
        assertLive(storage().load(id), 2, bytes("same"), 1);
    }

    /**
     * A save expecting an older version throws {@link VersionConflictException} with the expected and the stored
     * version, and leaves the state untouched (payload, schema and time).
     */
    @Test
    public void save_withStaleVersion_isRejectedWithBothVersionsAndChangesNothing() {
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().save(new StateWrite(id, 1, bytes("v2"), 1));
        storage().save(new StateWrite(id, 2, bytes("v3"), 2));
        StoredState before = storage().load(id);

        assertConflict(() -> storage().save(new StateWrite(id, 1, bytes("stale"), 9)), 1, 3);
        assertConflict(() -> storage().save(new StateWrite(id, 2, bytes("stale"), 9)), 2, 3);

        assertUnchanged(storage().load(id), before);
    }

    /** A second creator (expecting "never saved") conflicts with the first instead of overwriting it. */
    @Test
    public void save_fromVersionZero_whenAlreadySaved_isRejected() {
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("first creator"), 1));
        StoredState before = storage().load(id);

        assertConflict(() -> storage().save(new StateWrite(id, 0, bytes("second creator"), 1)), 0, 1);

        assertUnchanged(storage().load(id), before);
    }

    /**
     * A save expecting a version newer than the stored one conflicts, for absent and saved keys alike, and creates
     * nothing.
     */
    @Test
    public void save_withTooNewVersion_isRejectedAndChangesNothing() {
        String type = newType();
        ServerId absent = new ServerId(type, "absent");
        ServerId saved = new ServerId(type, "saved");
        storage().save(new StateWrite(saved, 0, bytes("v1"), 1));
        StoredState before = storage().load(saved);

        assertConflict(() -> storage().save(new StateWrite(absent, 5, bytes("future"), 1)), 5, 0);
        assertConflict(() -> storage().save(new StateWrite(saved, 2, bytes("future"), 1)), 2, 1);

        assertAbsent(storage().load(absent));
        assertUnchanged(storage().load(saved), before);
        assertThat(listAll(type, 10)).containsExactly("saved");
    }

    /** Version conflicts are storage exceptions, so callers handling {@link StorageException} see them too. */
    @Test
    public void versionConflict_isAStorageException() {
        ServerId id = new ServerId(newType(), "k");

        assertThatThrownBy(() -> storage().save(new StateWrite(id, 1, bytes("x"), 0)))
                .isInstanceOf(StorageException.class);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Deleting and tombstones

    /**
     * A delete writes a tombstone at the next version: no payload, schema 0, not listed, and returned by {@code
     * loadAll}.
     */
    @Test
    public void delete_writesATombstoneAtTheNextVersionThatIsNotListed() {
        String type = newType();
        ServerId id = new ServerId(type, "k");
        ServerId other = new ServerId(type, "other");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().save(new StateWrite(id, 1, bytes("v2"), 4));
        storage().save(new StateWrite(other, 0, bytes("o1"), 1));

        long version = storage().delete(id, 2);

        assertThat(version).isEqualTo(3);
        assertTombstone(storage().load(id), 3);
        assertThat(listAll(type, 10)).containsExactly("other");
        assertTombstone(storage().loadAll(List.of(id)).get(id), 3);
    }

    /** Deleting a key never written, expecting version 0, writes a tombstone at version 1. */
    @Test
    public void delete_ofNeverSavedKey_fromVersionZero_writesATombstoneAtVersionOne() {
        String type = newType();
        ServerId id = new ServerId(type, "never-saved");

        assertThat(storage().delete(id, 0)).isEqualTo(1);

        assertTombstone(storage().load(id), 1);
        assertThat(listAll(type, 10)).isEmpty();
    }

    /** Deleting a tombstone with its version writes a newer tombstone. */
    @Test
    public void delete_ofTombstone_withItsVersion_writesANewerTombstone() {
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().delete(id, 1);

        assertThat(storage().delete(id, 2)).isEqualTo(3);

        assertTombstone(storage().load(id), 3);
    }

    /** A writer that loaded the tombstone can write again, at the tombstone's version plus one. */
    @Test
    public void save_afterTombstone_withTheTombstonesVersion_succeeds() {
        String type = newType();
        ServerId id = new ServerId(type, "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        long tombstone = storage().delete(id, 1);

        long version = storage().save(new StateWrite(id, tombstone, bytes("reborn"), 2));

        assertThat(version).isEqualTo(tombstone + 1);
        assertLive(storage().load(id), tombstone + 1, bytes("reborn"), 2);
        assertThat(listAll(type, 10)).containsExactly("k");
    }

    /** No writer holding a version older than the tombstone, including "never saved", can bring the state back. */
    @Test
    public void save_afterTombstone_withStaleVersion_cannotResurrectTheState() {
        String type = newType();
        ServerId id = new ServerId(type, "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().save(new StateWrite(id, 1, bytes("v2"), 1));
        storage().delete(id, 2);
        StoredState before = storage().load(id);

        assertConflict(() -> storage().save(new StateWrite(id, 2, bytes("stale writer"), 1)), 2, 3);
        assertConflict(() -> storage().save(new StateWrite(id, 1, bytes("older writer"), 1)), 1, 3);
        assertConflict(() -> storage().save(new StateWrite(id, 0, bytes("fresh start"), 1)), 0, 3);

        assertTombstone(storage().load(id), 3);
        assertUnchanged(storage().load(id), before);
        assertThat(listAll(type, 10)).isEmpty();
    }

    /** A delete expecting an older version conflicts and leaves the state untouched. */
    @Test
    public void delete_withStaleVersion_isRejectedAndChangesNothing() {
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().save(new StateWrite(id, 1, bytes("v2"), 5));
        StoredState before = storage().load(id);

        assertConflict(() -> storage().delete(id, 1), 1, 2);
        assertConflict(() -> storage().delete(id, 0), 0, 2);

        assertUnchanged(storage().load(id), before);
    }

    /** A delete expecting a newer version conflicts, for saved and absent keys, and writes no tombstone. */
    @Test
    public void delete_withTooNewVersion_isRejectedAndChangesNothing() {
        String type = newType();
        ServerId id = new ServerId(type, "k");
        ServerId absent = new ServerId(type, "absent");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        StoredState before = storage().load(id);

        assertConflict(() -> storage().delete(id, 2), 2, 1);
        assertConflict(() -> storage().delete(absent, 1), 1, 0);

        assertUnchanged(storage().load(id), before);
        assertAbsent(storage().load(absent));
    }

    /** A stale delete of a tombstone conflicts like any other stale write. */
    @Test
    public void delete_ofTombstone_withStaleVersion_isRejected() {
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().delete(id, 1);

        assertConflict(() -> storage().delete(id, 1), 1, 2);

        assertTombstone(storage().load(id), 2);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Concurrency

    /**
     * {@value #WRITER_THREADS} threads race to write the same version (saves and deletes mixed), for {@value
     * #RACE_ROUNDS} rounds: exactly one wins each round, every loser gets a conflict naming the winner's version,
     * and the stored state is the winner's.
     */
    @Test
    public void concurrentWriters_onOneKey_exactlyOneWinsEachVersion() throws Exception {
        ServerId id = new ServerId(newType(), "contended");
        ExecutorService pool = Executors.newFixedThreadPool(WRITER_THREADS);
        try {
            for (int round = 0; round < RACE_ROUNDS; round++) {
                long from = round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Long>> attempts = new ArrayList<>();
                for (int t = 0; t < WRITER_THREADS; t++) {
                    int thread = t;
                    // Every fourth writer deletes, so tombstones are raced over too.
                    boolean deletes = thread % 4 == 3;
                    attempts.add(pool.submit(() -> {
                        start.await();
                        try {
                            return deletes
                                    ? storage().delete(id, from)
                                    : storage().save(new StateWrite(id, from, racePayload(from, thread), thread));
                        } catch (VersionConflictException e) {
                            assertThat(e.expectedVersion()).as("conflict's expected version").isEqualTo(from);
                            assertThat(e.actualVersion()).as("conflict's actual version").isEqualTo(from + 1);
                            return -1L;
                        }
                    }));
                }
                start.countDown();
                int winner = -1;
                for (int t = 0; t < WRITER_THREADS; t++) {
                    long result = await(attempts.get(t));
                    if (result != -1) {
                        assertThat(result).as("version returned to the winner of round %d", round)
                                .isEqualTo(from + 1);
                        assertThat(winner).as("another writer also won round %d", round).isEqualTo(-1);
                        winner = t;
                    }
                }
                assertThat(winner).as("a writer won round %d", round).isNotEqualTo(-1);
                StoredState state = storage().load(id);
                if (winner % 4 == 3) {
                    assertTombstone(state, from + 1);
                } else {
                    assertLive(state, from + 1, racePayload(from, winner), winner);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(storage().load(id).version()).isEqualTo(RACE_ROUNDS);
    }

    /**
     * {@value #WRITER_THREADS} threads writing chains on their own keys never conflict, and every key ends at its
     * last version.
     */
    @Test
    public void concurrentWriters_onDistinctKeys_allSucceed() throws Exception {
        String type = newType();
        int keysPerThread = 8;
        int versionsPerKey = 5;
        ExecutorService pool = Executors.newFixedThreadPool(WRITER_THREADS);
        List<String> expectedKeys = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                int thread = t;
                for (int k = 0; k < keysPerThread; k++) {
                    expectedKeys.add(distinctKey(thread, k));
                }
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int v = 0; v < versionsPerKey; v++) {
                        for (int k = 0; k < keysPerThread; k++) {
                            ServerId id = new ServerId(type, distinctKey(thread, k));
                            assertThat(storage().save(new StateWrite(id, v, bytes(id.key() + "@" + v), v)))
                                    .isEqualTo(v + 1);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                await(writer);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String key : expectedKeys) {
            int last = versionsPerKey - 1;
            assertLive(storage().load(new ServerId(type, key)), versionsPerKey, bytes(key + "@" + last), last);
        }
        expectedKeys.sort(UTF8_ORDER);
        assertThat(listAll(type, 50)).containsExactlyElementsOf(expectedKeys);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Payloads

    /** An empty payload is a live state (not a tombstone) and loads back empty. */
    @Test
    public void payload_empty_roundTrips() {
        ServerId id = new ServerId(newType(), "empty");

        storage().save(new StateWrite(id, 0, new byte[0], 1));

        StoredState state = storage().load(id);
        assertThat(state.hasPayload()).as("an empty payload is a live state, not a tombstone").isTrue();
        assertLive(state, 1, new byte[0], 1);
        assertThat(listAll(id.type(), 10)).containsExactly("empty");
    }

    /** Every byte value 0 to 255 round-trips, in both directions. */
    @Test
    public void payload_everyByteValue_roundTrips() {
        ServerId id = new ServerId(newType(), "binary");
        byte[] payload = new byte[512];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i < 256 ? i : 511 - i);
        }

        storage().save(new StateWrite(id, 0, payload, 1));

        assertLive(storage().load(id), 1, payload, 1);
    }

    /** A 1 MiB payload round-trips, and can be replaced by another one. */
    @Test
    public void payload_ofOneMebibyte_roundTrips() {
        ServerId id = new ServerId(newType(), "large");
        byte[] payload = new byte[1024 * 1024];
        new Random(7).nextBytes(payload);

        storage().save(new StateWrite(id, 0, payload, 1));
        assertLive(storage().load(id), 1, payload, 1);

        payload[payload.length - 1] ^= 0x5A;
        storage().save(new StateWrite(id, 1, payload, 2));
        assertLive(storage().load(id), 2, payload, 2);
    }

    /**
     * UTF-8 text bytes (with NUL, a byte order mark and non-BMP characters) come back byte for byte, not re-encoded.
     */
    @Test
    public void payload_ofUnicodeText_roundTripsByteForByte() {
        ServerId id = new ServerId(newType(), "text");
        byte[] payload = bytes("{\"name\":\"Zo\u00EB \u00DFtra\u00DFe \u4E16\u754C \uD83D\uDE00\","
                + "\"nul\":\"\u0000\",\"bom\":\"\uFEFF\"}");

        storage().save(new StateWrite(id, 0, payload, 1));

        assertLive(storage().load(id), 1, payload, 1);
    }

    /** Schema versions 0, 1, 42 and {@link Integer#MAX_VALUE} are stored as given. */
    @Test
    public void schemaVersion_roundTripsIncludingZeroAndExtremes() {
        String type = newType();
        int[] schemas = {0, 1, 42, Integer.MAX_VALUE};
        for (int schema : schemas) {
            ServerId id = new ServerId(type, "schema-" + schema);
            storage().save(new StateWrite(id, 0, bytes("s"), schema));

            assertLive(storage().load(id), 1, bytes("s"), schema);
        }
    }

    /**
     * Arrays do not alias the stored state: changing the array given to {@code save}, or one returned by {@code
     * load} or {@code loadAll}, changes nothing stored.
     */
    @Test
    public void returnedPayloads_areCopies_andSavedPayloadsAreCopied() {
        ServerId id = new ServerId(newType(), "k");
        byte[] written = bytes("original");
        storage().save(new StateWrite(id, 0, written, 1));

        written[0] = 'X';
        assertLive(storage().load(id), 1, bytes("original"), 1);

        byte[] loaded = storage().load(id).payload();
        loaded[0] = 'Y';
        assertLive(storage().load(id), 1, bytes("original"), 1);

        byte[] bulk = storage().loadAll(List.of(id)).get(id).payload();
        bulk[0] = 'Z';
        assertLive(storage().load(id), 1, bytes("original"), 1);
        assertLive(storage().loadAll(List.of(id)).get(id), 1, bytes("original"), 1);
    }

    /**
     * A saved state carries the time it was written, in epoch milliseconds (within 10 minutes of the test's clock).
     */
    @Test
    public void updatedAtMillis_isSetWhenSaved() {
        ServerId id = new ServerId(newType(), "k");
        long before = System.currentTimeMillis();
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        long after = System.currentTimeMillis();

        long updatedAt = storage().load(id).updatedAtMillis();

        assertThat(updatedAt).as("updatedAtMillis (epoch millis, store clock within %d min of ours)",
                        CLOCK_TOLERANCE_MILLIS / 60_000)
                .isPositive()
                .isBetween(before - CLOCK_TOLERANCE_MILLIS, after + CLOCK_TOLERANCE_MILLIS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Keys

    /**
     * Keys with quotes, {@code %}, {@code _}, backslashes, NUL, line breaks, SQL and Lua fragments, {@code :} and
     * {@code *}, non-BMP characters and 4,000 characters are saved, loaded and listed exactly.
     */
    @Test
    public void hostileKeys_areSavedLoadedAndListedExactly() {
        String type = newType();
        List<String> keys = hostileKeys();
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            byte[] payload = bytes("payload #" + i);
            payloads.put(key, payload);
            assertThat(storage().save(new StateWrite(new ServerId(type, key), 0, payload, i)))
                    .as("save of key %s", StorageModelRunner.quote(key)).isEqualTo(1);
        }

        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            assertLive(storage().load(new ServerId(type, key)), 1, payloads.get(key), i);
        }
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(UTF8_ORDER);
        assertThat(listAll(type, 1000)).as("one page").containsExactlyElementsOf(sorted);
        assertThat(listAll(type, 3)).as("pages of 3").containsExactlyElementsOf(sorted);
    }

    /** Hostile keys are version-checked and deleted one by one, without touching keys they resemble. */
    @Test
    public void hostileKeys_areVersionCheckedAndDeletedIndividually() {
        String type = newType();
        List<String> keys = hostileKeys();
        for (String key : keys) {
            storage().save(new StateWrite(new ServerId(type, key), 0, bytes(key), 1));
        }
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 2) {
            ServerId id = new ServerId(type, keys.get(i));
            assertConflict(() -> storage().save(new StateWrite(id, 0, bytes("again"), 1)), 0, 1);
            assertThat(storage().delete(id, 1)).isEqualTo(2);
            deleted.add(keys.get(i));
        }

        List<String> live = new ArrayList<>();
        for (String key : keys) {
            StoredState state = storage().load(new ServerId(type, key));
            if (deleted.contains(key)) {
                assertTombstone(state, 2);
            } else {
                assertLive(state, 1, bytes(key), 1);
                live.add(key);
            }
        }
        live.sort(UTF8_ORDER);
        assertThat(listAll(type, 4)).containsExactlyElementsOf(live);
    }

    /** Keys that are prefixes of each other, or differ only after a NUL, are distinct states. */
    @Test
    public void keysThatArePrefixesOfEachOther_areDistinct() {
        String type = newType();
        List<String> keys = List.of("", "a", "a\u0000", "a\u0000b", "ab", "ab:", "ab:*", "ab%", "ab_", "abc");
        for (int i = 0; i < keys.size(); i++) {
            storage().save(new StateWrite(new ServerId(type, keys.get(i)), 0, bytes("#" + i), i));
        }
        storage().delete(new ServerId(type, "ab"), 1);

        for (int i = 0; i < keys.size(); i++) {
            StoredState state = storage().load(new ServerId(type, keys.get(i)));
            if (keys.get(i).equals("ab")) {
                assertTombstone(state, 2);
            } else {
                assertLive(state, 1, bytes("#" + i), i);
            }
        }
        assertThat(listAll(type, 100)).containsExactly("", "a", "a\u0000", "a\u0000b", "ab%", "ab:", "ab:*",
                "ab_", "abc");
    }

    /** A key of exactly {@link #maxKeyBytesSupported()} UTF-8 bytes is stored and listed, apart from its prefix. */
    @Test
    public void key_ofTheLargestSupportedSize_roundTrips() {
        String type = newType();
        int bytes = maxKeyBytesSupported();
        String emoji = "\uD83D\uDE00";
        String key = "k".repeat(bytes - 4) + emoji;
        assertThat(key.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        String shorter = "k".repeat(bytes - 4);

        storage().save(new StateWrite(new ServerId(type, key), 0, bytes("long"), 1));
        storage().save(new StateWrite(new ServerId(type, shorter), 0, bytes("shorter"), 1));

        assertLive(storage().load(new ServerId(type, key)), 1, bytes("long"), 1);
        assertLive(storage().load(new ServerId(type, shorter)), 1, bytes("shorter"), 1);
        assertThat(listAll(type, 10)).containsExactly(shorter, key);
    }

    /**
     * Types whose names are prefixes of each other or match each other as SQL {@code LIKE} patterns ({@code _}) keep
     * separate states and listings.
     */
    @Test
    public void typeNames_areIsolated_evenWhenOneIsAPrefixOrWildcardMatchOfAnother() {
        String base = newType();
        List<String> types = List.of(base, base + "_", base + "-x", base + "x", base.replace('-', '_'),
                base.replace('-', '.'), base + ".", base + "$");
        for (String type : types) {
            storage().save(new StateWrite(new ServerId(type, "shared"), 0, bytes(type), 1));
            storage().save(new StateWrite(new ServerId(type, "only-" + type), 0, bytes(type), 1));
        }
        storage().delete(new ServerId(base, "shared"), 1);

        for (String type : types) {
            List<String> expected = new ArrayList<>(List.of("only-" + type));
            if (!type.equals(base)) {
                expected.add("shared");
            }
            expected.sort(UTF8_ORDER);
            assertThat(listAll(type, 100)).as("keys of type %s", type).containsExactlyElementsOf(expected);
            assertThat(listAll(type, 1)).as("keys of type %s, one per page", type)
                    .containsExactlyElementsOf(expected);
            if (!type.equals(base)) {
                assertLive(storage().load(new ServerId(type, "shared")), 1, bytes(type), 1);
            }
        }
        assertTombstone(storage().load(new ServerId(base, "shared")), 2);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Listing

    /**
     * Listing is in ascending order of UTF-8 bytes: not a locale collation, not case-insensitive, not UTF-16 ({@link
     * String#compareTo}) order.
     */
    @Test
    public void list_ordersKeysByTheirUtf8Bytes() {
        String type = newType();
        // Byte order, which neither a locale collation nor UTF-16 order (String.compareTo) gives.
        List<String> ordered = List.of("", "\u0000", "-", "1", "10", "9", "A", "B", "Z", "_", "a", "b", "z", "~",
                "\u007F", "\u00E9", "\u00FF", "\u0100", "\u4E16", "\uE000", "\uFFFD", "\uD83D\uDE00");
        List<String> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new Random(11));
        for (String key : shuffled) {
            storage().save(new StateWrite(new ServerId(type, key), 0, bytes(key), 1));
        }

        KeyPage page = storage().list(type, null, 100);

        assertThat(page.keys()).containsExactlyElementsOf(ordered);
        assertThat(page.next()).isNull();
        assertThat(listAll(type, 5)).containsExactlyElementsOf(ordered);
    }

    /**
     * Pages hold at most {@code limit} keys; {@code next} is the position of the page's last key and continues
     * where the page ended; the last page has no cursor.
     */
    @Test
    public void list_pagesRespectTheLimitAndChainThroughTheCursor() {
        String type = newType();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            keys.add(String.format("key-%02d", i));
        }
        for (String key : keys) {
            storage().save(new StateWrite(new ServerId(type, key), 0, bytes(key), 1));
        }

        KeyPage first = storage().list(type, null, 7);
        assertThat(first.keys()).containsExactlyElementsOf(keys.subList(0, 7));
        assertThat(first.next()).isEqualTo(KeyCursor.after("key-06"));
        assertThat(first.hasMore()).isTrue();

        KeyPage second = storage().list(type, first.next(), 7);
        assertThat(second.keys()).containsExactlyElementsOf(keys.subList(7, 14));
        assertThat(second.next()).isEqualTo(KeyCursor.after("key-13"));

        KeyPage third = storage().list(type, second.next(), 7);
        assertThat(third.keys()).containsExactlyElementsOf(keys.subList(14, 21));

        KeyPage last = storage().list(type, third.next(), 7);
        assertThat(last.keys()).containsExactlyElementsOf(keys.subList(21, 25));
        assertThat(last.next()).isNull();
        assertThat(last.hasMore()).isFalse();
    }

    /** Pages of one key visit every key once. */
    @Test
    public void list_withLimitOne_walksEveryKeyOnce() {
        String type = newType();
        List<String> keys = List.of("a", "b", "c", "d", "e");
        for (String key : keys) {
            storage().save(new StateWrite(new ServerId(type, key), 0, bytes(key), 1));
        }

        assertThat(listAll(type, 1)).containsExactlyElementsOf(keys);
    }

    /**
     * A last page that is exactly full has no cursor: the store looks ahead instead of sending the caller to an
     * empty page.
     */
    @Test
    public void list_exactlyFullLastPage_hasNoCursor() {
        String type = newType();
        for (String key : List.of("a", "b", "c", "d", "e", "f")) {
            storage().save(new StateWrite(new ServerId(type, key), 0, bytes(key), 1));
        }

        KeyPage all = storage().list(type, null, 6);
        assertThat(all.keys()).containsExactly("a", "b", "c", "d", "e", "f");
        assertThat(all.next()).as("cursor of a page holding every key").isNull();

        KeyPage second = storage().list(type, KeyCursor.after("c"), 3);
        assertThat(second.keys()).containsExactly("d", "e", "f");
        assertThat(second.next()).as("cursor of the last, exactly full page").isNull();
    }

    /**
     * Tombstones are never listed, even when more of them than {@code limit} precede a live key; a page with a
     * cursor is never empty.
     */
    @Test
    public void list_skipsTombstones_evenWhenThereAreMoreThanTheLimit() {
        String type = newType();
        for (int i = 0; i < 12; i++) {
            ServerId id = new ServerId(type, String.format("k%02d", i));
            storage().save(new StateWrite(id, 0, bytes("x"), 1));
            if (i != 5 && i != 11) {
                storage().delete(id, 1);
            }
        }

        assertThat(storage().list(type, null, 100).keys()).containsExactly("k05", "k11");
        assertThat(listAll(type, 2)).containsExactly("k05", "k11");
        assertThat(listAll(type, 1)).containsExactly("k05", "k11");
        KeyPage afterFirst = storage().list(type, KeyCursor.after("k05"), 3);
        assertThat(afterFirst.keys()).containsExactly("k11");
        assertThat(afterFirst.next()).isNull();
    }

    /**
     * A cursor made from a key that is not stored ({@link KeyCursor#after}) starts after it in byte order; the
     * empty key is a real key, unlike {@code null}.
     */
    @Test
    public void list_afterAKeyThatIsNotStored_startsAfterItInByteOrder() {
        String type = newType();
        for (String key : List.of("", "a", "ab", "b", "c")) {
            storage().save(new StateWrite(new ServerId(type, key), 0, bytes(key), 1));
        }

        assertThat(storage().list(type, KeyCursor.after("aa"), 10).keys()).containsExactly("ab", "b", "c");
        assertThat(storage().list(type, KeyCursor.after("a\u0000"), 10).keys()).containsExactly("ab", "b", "c");
        assertThat(storage().list(type, KeyCursor.after(""), 10).keys()).as("after the empty key").containsExactly("a", "ab", "b", "c");
        assertThat(storage().list(type, null, 10).keys()).as("from the start").containsExactly("", "a", "ab", "b", "c");
        assertThat(storage().list(type, KeyCursor.after("zz"), 10).keys()).isEmpty();
        assertThat(storage().list(type, KeyCursor.after("zz"), 10).next()).isNull();
    }

    /** A type never written, or holding only tombstones, lists as one empty page without cursor. */
    @Test
    public void list_ofTypeWithNothingLive_isEmptyWithoutCursor() {
        String never = newType();
        String onlyTombstones = newType();
        ServerId id = new ServerId(onlyTombstones, "k");
        storage().save(new StateWrite(id, 0, bytes("x"), 1));
        storage().delete(id, 1);

        for (String type : List.of(never, onlyTombstones)) {
            KeyPage page = storage().list(type, null, 10);
            assertThat(page.keys()).as("keys of %s", type).isEmpty();
            assertThat(page.next()).as("cursor of %s", type).isNull();
        }
    }

    /** Listing one type never shows another type's keys. */
    @Test
    public void list_doesNotIncludeOtherTypes() {
        String type = newType();
        String other = newType();
        storage().save(new StateWrite(new ServerId(type, "mine"), 0, bytes("x"), 1));
        storage().save(new StateWrite(new ServerId(other, "theirs"), 0, bytes("x"), 1));
        storage().save(new StateWrite(new ServerId(other, "mine"), 0, bytes("x"), 1));
        storage().delete(new ServerId(other, "mine"), 1);

        assertThat(listAll(type, 10)).containsExactly("mine");
        assertThat(listAll(other, 10)).containsExactly("theirs");
        assertLive(storage().load(new ServerId(type, "mine")), 1, bytes("x"), 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Bulk load

    /**
     * {@code loadAll} returns exactly one entry per requested id, whether live, tombstoned, never saved or of
     * another type, each equal to what {@code load} returns.
     */
    @Test
    public void loadAll_returnsAnEntryForEveryId_presentAbsentOrTombstoned() {
        String type = newType();
        String other = newType();
        ServerId present = new ServerId(type, "present");
        ServerId absent = new ServerId(type, "absent");
        ServerId tombstoned = new ServerId(type, "tombstoned");
        ServerId sameKeyOtherType = new ServerId(other, "present");
        ServerId hostile = new ServerId(type, "it's \"100%\" a_b\\c\u0000\uD83D\uDE00");
        storage().save(new StateWrite(present, 0, bytes("p1"), 1));
        storage().save(new StateWrite(present, 1, bytes("p2"), 2));
        storage().save(new StateWrite(tombstoned, 0, bytes("t"), 1));
        storage().delete(tombstoned, 1);
        storage().save(new StateWrite(sameKeyOtherType, 0, bytes("other"), 7));
        storage().save(new StateWrite(hostile, 0, bytes("hostile"), 3));
        List<ServerId> ids = List.of(absent, present, hostile, tombstoned, sameKeyOtherType);

        Map<ServerId, StoredState> states = storage().loadAll(ids);

        assertThat(states).containsOnlyKeys(ids);
        assertAbsent(states.get(absent));
        assertLive(states.get(present), 2, bytes("p2"), 2);
        assertLive(states.get(hostile), 1, bytes("hostile"), 3);
        assertTombstone(states.get(tombstoned), 2);
        assertLive(states.get(sameKeyOtherType), 1, bytes("other"), 7);
    }

    /** {@code loadAll} of no ids is an empty map. */
    @Test
    public void loadAll_ofNoIds_isEmpty() {
        assertThat(storage().loadAll(List.of())).isEmpty();
    }

    /** {@code loadAll} of ids never saved returns {@link StoredState#ABSENT} for each. */
    @Test
    public void loadAll_ofOnlyUnknownIds_returnsAbsentForEach() {
        String type = newType();
        List<ServerId> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(new ServerId(type, "unknown-" + i));
        }

        Map<ServerId, StoredState> states = storage().loadAll(ids);

        assertThat(states).containsOnlyKeys(ids);
        states.values().forEach(StorageContract::assertAbsent);
    }

    // ---------------------------------------------------------------------------------------------------------
    // State history

    /**
     * A key never saved, a key saved only with depth 0 and a key whose history is kept under another type all have
     * an empty history.
     */
    @Test
    public void history_ofNeverSavedKeyOrKeyWithoutDepth_isEmpty() {
        requireHistory();
        String type = newType();
        String other = newType();
        ServerId never = new ServerId(type, "never-saved");
        ServerId noDepth = new ServerId(type, "no-depth");
        storage().save(new StateWrite(noDepth, 0, bytes("v1"), 1, 0));
        storage().save(new StateWrite(noDepth, 1, bytes("v2"), 1, 0));
        ServerId elsewhere = new ServerId(other, "never-saved");
        storage().save(new StateWrite(elsewhere, 0, bytes("v1"), 1, 3));
        storage().save(new StateWrite(elsewhere, 1, bytes("v2"), 1, 3));

        assertThat(storage().history(never)).as("history of a never-saved key").isEmpty();
        assertThat(storage().history(noDepth)).as("history of a key saved with depth 0").isEmpty();
        assertThat(storage().history(elsewhere)).as("the same key under another type").hasSize(1);
    }

    /**
     * With a depth, each save keeps the state it replaced, exactly as it was stored (version, payload, schema
     * version and write time; empty payloads included), most recent first, up to the depth.
     */
    @Test
    public void history_keepsReplacedStatesUpToTheDepth_exactlyAsStored_mostRecentFirst() {
        requireHistory();
        ServerId id = new ServerId(newType(), "k");
        List<StoredState> stored = new ArrayList<>();
        byte[][] payloads = {bytes("first"), new byte[0], bytes("third"), allByteValues(), bytes("fifth")};
        for (int v = 0; v < payloads.length; v++) {
            List<StoredState> expected = new ArrayList<>(stored.subList(0, Math.max(0, stored.size() - 1)));
            Collections.reverse(expected);

            assertHistory(storage().history(id), expected.subList(0, Math.min(3, expected.size())),
                    "before the save from version " + v);

            storage().save(new StateWrite(id, v, payloads[v], 10 + v, 3));
            StoredState now = storage().load(id);
            assertLive(now, v + 1, payloads[v], 10 + v);
            stored.add(now);
        }

        assertHistory(storage().history(id), List.of(stored.get(3), stored.get(2), stored.get(1)), "after five saves");
        assertLive(storage().load(id), 5, bytes("fifth"), 14);
    }

    /** As versions arrive, the oldest entries are pruned: the history is always the last {@code depth} states. */
    @Test
    public void history_isPrunedAsNewVersionsArrive() {
        requireHistory();
        ServerId id = new ServerId(newType(), "k");
        int depth = 2;
        for (int v = 0; v < 12; v++) {
            storage().save(new StateWrite(id, v, bytes("state " + (v + 1)), 1, depth));

            long current = v + 1;
            List<StoredState> history = storage().history(id);
            assertThat(history).as("history at version %d", current).hasSize((int) Math.min(depth, current - 1));
            for (int i = 0; i < history.size(); i++) {
                long version = current - 1 - i;
                assertLive(history.get(i), version, bytes("state " + version), 1);
            }
        }
    }

    /**
     * The depth of each write applies: a smaller depth prunes to it, a larger one lets the history grow again, and
     * depth 0 drops all of it (a later write with a depth starts from nothing).
     */
    @Test
    public void history_depthChangingBetweenWrites_prunesGrowsAndDrops() {
        requireHistory();
        ServerId id = new ServerId(newType(), "k");
        long v = 0;
        for (; v < 5; v++) {
            storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 1, 4));
        }
        assertThat(versions(storage().history(id))).as("depth 4 after 5 saves").containsExactly(4L, 3L, 2L, 1L);

        v = storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 1, 2));
        assertThat(versions(storage().history(id))).as("after a save with depth 2").containsExactly(5L, 4L);

        v = storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 1, 3));
        v = storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 1, 3));
        assertThat(versions(storage().history(id))).as("after two saves with depth 3").containsExactly(7L, 6L, 5L);

        v = storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 1, 1));
        assertThat(versions(storage().history(id))).as("after a save with depth 1").containsExactly(8L);

        v = storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 1, 0));
        assertThat(storage().history(id)).as("after a save with depth 0").isEmpty();
        assertLive(storage().load(id), 10, bytes("s10"), 1);

        storage().save(new StateWrite(id, v, bytes("s" + (v + 1)), 2, 3));
        List<StoredState> history = storage().history(id);
        assertThat(versions(history)).as("a save with a depth after depth 0 starts afresh").containsExactly(10L);
        assertLive(history.get(0), 10, bytes("s10"), 1);
    }

    /**
     * A delete drops the history; the tombstone is never kept as history, so a save after it starts afresh and the
     * states from before the delete never come back.
     */
    @Test
    public void history_isDroppedByATombstone_andStartsAfreshAfterIt() {
        requireHistory();
        ServerId id = new ServerId(newType(), "k");
        for (int v = 0; v < 4; v++) {
            storage().save(new StateWrite(id, v, bytes("old " + (v + 1)), 1, 3));
        }
        assertThat(storage().history(id)).hasSize(3);

        long tombstone = storage().delete(id, 4);

        assertThat(storage().history(id)).as("history after the delete").isEmpty();
        storage().save(new StateWrite(id, tombstone, bytes("reborn"), 2, 3));
        assertThat(storage().history(id)).as("history after the first save over the tombstone").isEmpty();
        storage().save(new StateWrite(id, tombstone + 1, bytes("after"), 2, 3));
        List<StoredState> history = storage().history(id);
        assertThat(versions(history)).containsExactly(tombstone + 1);
        assertLive(history.get(0), tombstone + 1, bytes("reborn"), 2);

        storage().delete(id, tombstone + 2);
        assertThat(storage().history(id)).as("history after the second delete").isEmpty();
    }

    /**
     * A rejected save or delete, stale or too new, with or without a depth, leaves the history exactly as it was.
     */
    @Test
    public void history_isUnchangedByConflictingWrites() {
        requireHistory();
        ServerId id = new ServerId(newType(), "k");
        for (int v = 0; v < 4; v++) {
            storage().save(new StateWrite(id, v, bytes("v" + (v + 1)), v, 3));
        }
        List<StoredState> before = storage().history(id);
        assertThat(before).hasSize(3);

        assertConflict(() -> storage().save(new StateWrite(id, 2, bytes("stale"), 1, 3)), 2, 4);
        assertConflict(() -> storage().save(new StateWrite(id, 3, bytes("stale, depth 0"), 1, 0)), 3, 4);
        assertConflict(() -> storage().save(new StateWrite(id, 6, bytes("future, depth 1"), 1, 1)), 6, 4);
        assertConflict(() -> storage().save(new StateWrite(id, 0, bytes("creator"), 1, 2)), 0, 4);
        assertConflict(() -> storage().delete(id, 3), 3, 4);

        assertHistory(storage().history(id), before, "after the rejected writes");
        assertLive(storage().load(id), 4, bytes("v4"), 3);
    }

    /**
     * Arrays do not alias the history: changing an array given to {@code save}, or one that {@code history}
     * returned, changes no kept state.
     */
    @Test
    public void history_returnsCopies_andKeepsCopies() {
        requireHistory();
        ServerId id = new ServerId(newType(), "k");
        byte[] written = bytes("original");
        storage().save(new StateWrite(id, 0, written, 1, 2));
        storage().save(new StateWrite(id, 1, bytes("second"), 1, 2));

        written[0] = 'X';
        assertLive(storage().history(id).get(0), 1, bytes("original"), 1);

        byte[] returned = storage().history(id).get(0).payload();
        returned[0] = 'Y';
        assertLive(storage().history(id).get(0), 1, bytes("original"), 1);
    }

    /**
     * Each key keeps its own history, also for keys that are prefixes or {@code LIKE} patterns of each other and for
     * types whose names are: deleting one or saving it with depth 0 drops only its own.
     */
    @Test
    public void history_isKeptPerKey_evenForKeysAndTypesThatLookAlike() {
        requireHistory();
        String base = newType();
        List<String> types = List.of(base, base + "_", base.replace('-', '_'));
        List<String> keys = List.of("", "a", "a\u0000", "a_", "a%", "ab", "it's \"q\"\\", "\uD83D\uDE00");
        for (String type : types) {
            for (String key : keys) {
                ServerId id = new ServerId(type, key);
                for (int v = 0; v < 3; v++) {
                    storage().save(new StateWrite(id, v, bytes(type + "/" + key + "@" + (v + 1)), 1, 2));
                }
            }
        }
        storage().delete(new ServerId(base, "a"), 3);
        storage().save(new StateWrite(new ServerId(base, "a_"), 3, bytes("no depth"), 1, 0));

        for (String type : types) {
            for (String key : keys) {
                ServerId id = new ServerId(type, key);
                List<StoredState> history = storage().history(id);
                if (type.equals(base) && (key.equals("a") || key.equals("a_"))) {
                    assertThat(history).as("history of %s/%s", type, StorageModelRunner.quote(key)).isEmpty();
                } else {
                    assertThat(versions(history)).as("history of %s/%s", type, StorageModelRunner.quote(key))
                            .containsExactly(2L, 1L);
                    assertLive(history.get(0), 2, bytes(type + "/" + key + "@2"), 1);
                    assertLive(history.get(1), 1, bytes(type + "/" + key + "@1"), 1);
                }
            }
        }
    }

    /**
     * {@value #WRITER_THREADS} threads keep saving one key with depth 3, each from the version it last loaded, and
     * read its history in between: every history read is the run of consecutive versions just below some stored
     * version (not below the one loaded before it), made of states that really were stored, most recent first; at
     * the end the history is exactly the three states before the last one.
     */
    @Test
    public void concurrentWriters_onOneKey_withHistory_leaveAConsistentHistory() throws Exception {
        requireHistory();
        ServerId id = new ServerId(newType(), "contended");
        int depth = 3;
        int attemptsPerThread = 25;
        Map<Long, StateWrite> written = new ConcurrentHashMap<>();
        List<List<StoredState>> observed = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(WRITER_THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int attempt = 0; attempt < attemptsPerThread; attempt++) {
                        long loaded = storage().load(id).version();
                        StateWrite write = new StateWrite(id, loaded, bytes("thread " + thread + " attempt " + attempt),
                                thread, depth);
                        try {
                            long version = storage().save(write);
                            assertThat(written.put(version, write)).as("version %d written twice", version).isNull();
                        } catch (VersionConflictException e) {
                            assertThat(e.actualVersion()).as("conflict's actual version").isGreaterThan(loaded);
                        }
                        List<StoredState> history = storage().history(id);
                        assertThat(history).as("history read by thread %d", thread).hasSizeLessThanOrEqualTo(depth);
                        if (!history.isEmpty()) {
                            assertThat(history.get(0).version()).as("newest history entry vs the version loaded")
                                    .isGreaterThanOrEqualTo(loaded - 1);
                        }
                        observed.add(history);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                await(writer);
            }
        } finally {
            pool.shutdownNow();
        }
        long last = storage().load(id).version();
        assertThat(written).as("successful saves").hasSize((int) last);
        for (List<StoredState> history : observed) {
            assertConsistentHistory(history, written, depth);
        }
        List<StoredState> end = storage().history(id);
        assertThat(versions(end)).as("history at the end").containsExactly(last - 1, last - 2, last - 3);
        assertConsistentHistory(end, written, depth);
    }

    /**
     * {@value #WRITER_THREADS} threads write chains on their own keys with depths 0 to 2 (so that group commits
     * mix writes with and without history) and delete some keys at the end: every key ends with exactly the history
     * its last write asked for.
     */
    @Test
    public void concurrentWriters_onDistinctKeys_withHistory_keepEachKeysOwnHistory() throws Exception {
        requireHistory();
        String type = newType();
        int keysPerThread = 8;
        int versionsPerKey = 5;
        ExecutorService pool = Executors.newFixedThreadPool(WRITER_THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int v = 0; v < versionsPerKey; v++) {
                        for (int k = 0; k < keysPerThread; k++) {
                            ServerId id = new ServerId(type, distinctKey(thread, k));
                            storage().save(new StateWrite(id, v, bytes(id.key() + "@" + (v + 1)), k, k % 3));
                        }
                    }
                    for (int k = 3; k < keysPerThread; k += 4) {
                        storage().delete(new ServerId(type, distinctKey(thread, k)), versionsPerKey);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                await(writer);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < WRITER_THREADS; t++) {
            for (int k = 0; k < keysPerThread; k++) {
                ServerId id = new ServerId(type, distinctKey(t, k));
                List<StoredState> history = storage().history(id);
                int depth = k % 4 == 3 ? 0 : k % 3;
                assertThat(history).as("history of %s", id.key()).hasSize(depth);
                for (int i = 0; i < depth; i++) {
                    long version = versionsPerKey - 1 - i;
                    assertLive(history.get(i), version, bytes(id.key() + "@" + version), k);
                }
            }
        }
    }

    /**
     * A store that keeps no history (one that does not declare {@link StorageCapability#HISTORY}) says so: {@code history}
     * throws {@link UnsupportedOperationException}, and a save with a depth is refused (not as a version conflict)
     * and writes nothing. Skipped for stores that keep history.
     */
    @Test
    public void history_ofAStoreThatKeepsNone_isUnsupported_andDepthsAreRefused() {
        assumeFalse(keepsHistory(), "the store keeps history");
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        StoredState before = storage().load(id);

        assertThatThrownBy(() -> storage().history(id)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> storage().save(new StateWrite(id, 1, bytes("v2"), 1, 1)))
                .isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(VersionConflictException.class);

        assertUnchanged(storage().load(id), before);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reminders

    /**
     * A save with reminders keeps their bytes and due time with the state: {@code load} and {@code loadAll} return
     * them exactly (every byte value), as copies; a save without reminders loads without them.
     */
    @Test
    public void reminders_roundTripThroughLoadAndLoadAll() {
        requireReminders();
        long base = reminderBase();
        String type = newType();
        ServerId with = new ServerId(type, "with");
        ServerId without = new ServerId(type, "without");
        byte[] reminders = allByteValues();

        storage().save(new StateWrite(with, 0, bytes("state"), 2, 0, reminders, base + 5));
        storage().save(new StateWrite(without, 0, bytes("plain"), 1));
        reminders[0] = 'X';

        StoredState loaded = storage().load(with);
        assertLive(loaded, 1, bytes("state"), 2);
        assertReminders(loaded, allByteValues(), base + 5);
        loaded.reminders()[1] = 'Y';
        assertReminders(storage().load(with), allByteValues(), base + 5);
        Map<ServerId, StoredState> bulk = storage().loadAll(List.of(with, without));
        assertReminders(bulk.get(with), allByteValues(), base + 5);
        assertNoReminders(bulk.get(without));
        assertNoReminders(storage().load(without));
    }

    /** Empty reminder bytes (length 0, not {@code null}) are a reminder set: kept as empty and due. */
    @Test
    public void reminders_empty_areKeptAsNonNullAndDue() {
        requireReminders();
        long base = reminderBase();
        ServerId id = new ServerId(newType(), "empty");

        storage().save(new StateWrite(id, 0, bytes("x"), 1, 0, new byte[0], base + 1));

        assertReminders(storage().load(id), new byte[0], base + 1);
        assertReminders(storage().loadAll(List.of(id)).get(id), new byte[0], base + 1);
        assertThat(dueFrom(base, base + 1, 10)).containsExactly(new DueServer(id, base + 1));
    }

    /** A server is due exactly when {@code notAfter} reaches its due time, and is returned with that time. */
    @Test
    public void due_findsAServerExactlyWhenNotAfterReachesItsRemindAt() {
        requireReminders();
        long base = reminderBase();
        String type = newType();
        ServerId id = new ServerId(type, "k");
        storage().save(new StateWrite(id, 0, bytes("x"), 1, 0, bytes("r"), base + 10));
        storage().save(new StateWrite(new ServerId(type, "no reminders"), 0, bytes("y"), 1));

        assertThat(dueFrom(base, base + 9, 10)).as("due by one millisecond before").isEmpty();
        assertThat(dueFrom(base, base + 10, 10)).as("due by its time").containsExactly(new DueServer(id, base + 10));
        assertThat(dueFrom(base, base + 10_000, 10)).as("due later").containsExactly(new DueServer(id, base + 10));
        // Other tests' servers are due later than this one: the first due after the base is this one.
        assertThat(storage().due(Long.MAX_VALUE, DueCursor.startingAt(base), 1).servers())
                .as("due by Long.MAX_VALUE").containsExactly(new DueServer(id, base + 10));
    }

    /**
     * Every save replaces the reminder set: a save with another due time moves the server, a save without reminders
     * removes it from {@code due} and from the loaded state.
     */
    @Test
    public void save_replacesTheReminders_andASaveWithoutThemRemovesThem() {
        requireReminders();
        long base = reminderBase();
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1, 0, bytes("early"), base + 5));

        storage().save(new StateWrite(id, 1, bytes("v2"), 1, 0, bytes("later"), base + 20));

        assertReminders(storage().load(id), bytes("later"), base + 20);
        assertThat(dueFrom(base, base + 19, 10)).as("not due at its old time any more").isEmpty();
        assertThat(dueFrom(base, base + 20, 10)).containsExactly(new DueServer(id, base + 20));

        storage().save(new StateWrite(id, 2, bytes("v3"), 1));

        assertLive(storage().load(id), 3, bytes("v3"), 1);
        assertNoReminders(storage().load(id));
        assertThat(dueFrom(base, base + 1_000_000, 10)).as("due after a save without reminders").isEmpty();
    }

    /** A delete removes the reminders; a tombstone is never due, nor is a save over it without reminders. */
    @Test
    public void delete_removesTheReminders() {
        requireReminders();
        long base = reminderBase();
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1, 0, bytes("r"), base + 1));

        long tombstone = storage().delete(id, 1);

        assertTombstone(storage().load(id), tombstone);
        assertNoReminders(storage().load(id));
        assertThat(dueFrom(base, base + 1_000_000, 10)).as("due after the delete").isEmpty();
        storage().save(new StateWrite(id, tombstone, bytes("reborn"), 1));
        assertThat(dueFrom(base, base + 1_000_000, 10)).as("due after a save over the tombstone").isEmpty();
        storage().save(new StateWrite(id, tombstone + 1, bytes("again"), 1, 0, bytes("r2"), base + 2));
        assertThat(dueFrom(base, base + 1_000_000, 10)).containsExactly(new DueServer(id, base + 2));
    }

    /**
     * A rejected save with reminders (stale, too new, or creating a key that exists) changes nothing: neither the
     * stored reminders nor {@code due}; a rejected save without reminders does not remove them either.
     */
    @Test
    public void save_withReminders_andAStaleVersion_changesNothing() {
        requireReminders();
        long base = reminderBase();
        String type = newType();
        ServerId id = new ServerId(type, "k");
        ServerId absent = new ServerId(type, "absent");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        storage().save(new StateWrite(id, 1, bytes("v2"), 1, 0, bytes("kept"), base + 3));
        StoredState before = storage().load(id);

        assertConflict(() -> storage().save(new StateWrite(id, 1, bytes("stale"), 1, 0, bytes("no"), base + 1)), 1, 2);
        assertConflict(() -> storage().save(new StateWrite(id, 0, bytes("creator"), 1, 0, bytes("no"), base + 1)), 0, 2);
        assertConflict(() -> storage().save(new StateWrite(id, 5, bytes("future"), 1, 0, bytes("no"), base + 1)), 5, 2);
        assertConflict(() -> storage().save(new StateWrite(id, 1, bytes("stale, none"), 1)), 1, 2);
        assertConflict(() -> storage().delete(id, 1), 1, 2);
        assertConflict(() -> storage().save(new StateWrite(absent, 3, bytes("future"), 1, 0, bytes("no"), base + 1)),
                3, 0);

        assertUnchanged(storage().load(id), before);
        assertReminders(storage().load(id), bytes("kept"), base + 3);
        assertAbsent(storage().load(absent));
        assertThat(dueFrom(base, base + 1_000_000, 10)).containsExactly(new DueServer(id, base + 3));
    }

    /** History entries never carry reminders, whatever the replaced state had. */
    @Test
    public void history_entriesCarryNoReminders() {
        requireHistory();
        requireReminders();
        long base = reminderBase();
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1, 2, bytes("r1"), base + 1));
        storage().save(new StateWrite(id, 1, bytes("v2"), 1, 2, bytes("r2"), base + 2));
        storage().save(new StateWrite(id, 2, bytes("v3"), 1, 2));

        List<StoredState> history = storage().history(id);

        assertThat(versions(history)).containsExactly(2L, 1L);
        history.forEach(StorageContract::assertNoReminders);
        assertLive(history.get(0), 2, bytes("v2"), 1);
    }

    /**
     * Servers of several types and keys come in ascending due time, each once with its own time, whatever order
     * they were saved in.
     */
    @Test
    public void due_ordersByRemindAtAcrossTypesAndKeys() {
        requireReminders();
        long base = reminderBase();
        String a = newType();
        String b = newType();
        List<DueServer> expected = new ArrayList<>();
        String[] keys = {"z", "a", "", "m\u0000", "\uD83D\uDE00"};
        for (int i = 0; i < 10; i++) {
            ServerId id = new ServerId(i % 2 == 0 ? a : b, keys[i % keys.length] + i);
            expected.add(new DueServer(id, base + 1 + (i * 7L) % 10));
        }
        List<DueServer> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(3));
        for (DueServer d : shuffled) {
            storage().save(new StateWrite(d.id(), 0, bytes("x"), 1, 0, bytes("r"), d.remindAtMillis()));
        }
        expected.sort(Comparator.comparingLong(DueServer::remindAtMillis));

        assertThat(dueFrom(base, base + 100, 100)).as("one page").containsExactlyElementsOf(expected);
        assertThat(dueFrom(base, base + 100, 3)).as("pages of 3").containsExactlyElementsOf(expected);
        assertThat(dueFrom(base, base + 5, 100)).as("due by +5")
                .containsExactlyElementsOf(expected.stream().filter(d -> d.remindAtMillis() <= base + 5).toList());
    }

    /**
     * 25 servers due at the same instant (between others due before and after), paged 7 at a time through the
     * cursor: every server exactly once, in one stable order, the same as in one large page; the last page has no
     * cursor; a cursor in the middle continues right after it; a cursor starting at an instant starts with the
     * first server due then.
     */
    @Test
    public void due_pagesThroughServersDueAtTheSameInstant() {
        requireReminders();
        long base = reminderBase();
        String a = newType();
        String b = newType();
        Set<DueServer> tied = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            ServerId id = new ServerId(i % 3 == 0 ? b : a, "key-" + (i * 17 % 25));
            storage().save(new StateWrite(id, 0, bytes("x"), 1, 0, bytes("r"), base + 2));
            tied.add(new DueServer(id, base + 2));
        }
        DueServer first = new DueServer(new ServerId(b, "first"), base + 1);
        DueServer last = new DueServer(new ServerId(a, "last"), base + 3);
        for (DueServer d : List.of(first, last)) {
            storage().save(new StateWrite(d.id(), 0, bytes("x"), 1, 0, bytes("r"), d.remindAtMillis()));
        }

        List<DueServer> onePage = dueFrom(base, base + 3, 100);
        List<DueServer> pages = new ArrayList<>();
        DueCursor cursor = DueCursor.startingAt(base);
        List<Integer> sizes = new ArrayList<>();
        DuePage page;
        do {
            page = storage().due(base + 3, cursor, 7);
            sizes.add(page.servers().size());
            pages.addAll(page.servers());
            cursor = page.next();
        } while (cursor != null && sizes.size() < 100);

        assertThat(sizes).as("page sizes").containsExactly(7, 7, 7, 6);
        assertThat(pages).as("pages of 7").doesNotHaveDuplicates().containsExactlyElementsOf(onePage);
        assertThat(onePage).hasSize(27);
        assertThat(onePage.get(0)).isEqualTo(first);
        assertThat(onePage.get(26)).isEqualTo(last);
        assertThat(new HashSet<>(onePage.subList(1, 26))).isEqualTo(tied);
        assertThat(dueFrom(base, base + 3, 100)).as("the same order again").containsExactlyElementsOf(onePage);
        DueCursor afterEleven = storage().due(base + 3, DueCursor.startingAt(base), 11).next();
        assertThat(storage().due(base + 3, afterEleven, 100).servers()).as("after the 11th")
                .containsExactlyElementsOf(onePage.subList(11, 27));
        DuePage byTheTie = storage().due(base + 2, afterEleven, 100);
        assertThat(byTheTie.servers()).as("after the 11th, due by the tie")
                .containsExactlyElementsOf(onePage.subList(11, 26));
        assertThat(byTheTie.next()).as("nothing more due by the tie").isNull();
        assertThat(storage().due(base + 3, DueCursor.startingAt(base + 2), 100).servers()).as("starting at the tie")
                .containsExactlyElementsOf(onePage.subList(1, 27));
        assertThat(storage().due(base + 3, DueCursor.startingAt(base + 3), 100).servers()).as("starting after it")
                .containsExactly(last);
    }

    /** Hostile keys (quotes, {@code %}, {@code _}, backslashes, NUL, Lua and SQL text, non-BMP) come back exactly. */
    @Test
    public void due_withHostileKeys_returnsThemExactly() {
        requireReminders();
        long base = reminderBase();
        String type = newType();
        List<String> keys = hostileKeys();
        Set<DueServer> expected = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            ServerId id = new ServerId(type, keys.get(i));
            storage().save(new StateWrite(id, 0, bytes("x"), 1, 0, bytes(keys.get(i)), base + 1 + i % 3));
            expected.add(new DueServer(id, base + 1 + i % 3));
        }

        List<DueServer> onePage = dueFrom(base, base + 3, 1000);
        assertThat(onePage).doesNotHaveDuplicates();
        assertThat(new HashSet<>(onePage)).isEqualTo(expected);
        assertThat(dueFrom(base, base + 3, 3)).as("pages of 3").containsExactlyElementsOf(onePage);
        for (int i = 0; i < keys.size(); i++) {
            assertReminders(storage().load(new ServerId(type, keys.get(i))), bytes(keys.get(i)), base + 1 + i % 3);
        }
    }

    /**
     * Without a cursor, {@code due} starts at the earliest due server: three servers due at the instants 1, 2 and
     * 3 come first, in that order (other servers in the store, due later, do not come between them). Deletes them
     * at the end, as they are due for any caller.
     */
    @Test
    public void due_withoutCursor_startsAtTheEarliestDueServer() {
        requireReminders();
        String type = newType();
        List<ServerId> ids = List.of(new ServerId(type, "one"), new ServerId(type, "two"), new ServerId(type, "three"));
        try {
            for (int i = 0; i < ids.size(); i++) {
                storage().save(new StateWrite(ids.get(i), 0, bytes("x"), 1, 0, bytes("r"), i + 1));
            }

            DuePage none = storage().due(0, null, 10);
            assertThat(none.servers()).as("due by 0: nothing can be").isEmpty();
            assertThat(none.next()).isNull();
            // Other runs of this test on a shared store may hold servers at these instants too: look at ours.
            List<DueServer> due = storage().due(3, null, 1000).servers();
            for (int i = 1; i < due.size(); i++) {
                assertThat(due.get(i).remindAtMillis()).as("ascending").isGreaterThanOrEqualTo(
                        due.get(i - 1).remindAtMillis());
            }
            assertThat(due).allMatch(d -> d.remindAtMillis() <= 3);
            assertThat(due.stream().filter(d -> d.id().type().equals(type)).toList()).containsExactly(
                    new DueServer(ids.get(0), 1), new DueServer(ids.get(1), 2), new DueServer(ids.get(2), 3));
            assertThat(storage().due(2, null, 1000).servers().stream().filter(d -> d.id().type().equals(type)).toList())
                    .containsExactly(new DueServer(ids.get(0), 1), new DueServer(ids.get(1), 2));
        } finally {
            for (ServerId id : ids) {
                StoredState s = storage().load(id);
                if (s.reminders() != null) {
                    storage().delete(id, s.version());
                }
            }
        }
    }

    /**
     * {@value #WRITER_THREADS} threads write chains on their own keys, alternating writes with and without
     * reminders (so that group commits mix them), and delete some keys at the end: every key ends with exactly the
     * reminders of its last write, and {@code due} holds exactly the keys whose last write had reminders.
     */
    @Test
    public void concurrentWriters_mixingWritesWithAndWithoutReminders_keepEachKeysOwn() throws Exception {
        requireReminders();
        long base = reminderBase();
        String type = newType();
        int keysPerThread = 8;
        int versionsPerKey = 5;
        ExecutorService pool = Executors.newFixedThreadPool(WRITER_THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int v = 0; v < versionsPerKey; v++) {
                        for (int k = 0; k < keysPerThread; k++) {
                            ServerId id = new ServerId(type, distinctKey(thread, k));
                            storage().save((k + v) % 2 == 0
                                    ? new StateWrite(id, v, bytes("s"), 1, 0, bytes(id.key() + "@" + v),
                                            base + 1 + (thread * keysPerThread + k + v) % 7)
                                    : new StateWrite(id, v, bytes("s"), 1));
                        }
                    }
                    for (int k = 3; k < keysPerThread; k += 4) {
                        storage().delete(new ServerId(type, distinctKey(thread, k)), versionsPerKey);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                await(writer);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<DueServer> expected = new HashSet<>();
        int last = versionsPerKey - 1;
        for (int t = 0; t < WRITER_THREADS; t++) {
            for (int k = 0; k < keysPerThread; k++) {
                ServerId id = new ServerId(type, distinctKey(t, k));
                StoredState state = storage().load(id);
                if (k % 4 == 3 || (k + last) % 2 != 0) {
                    assertNoReminders(state);
                } else {
                    long at = base + 1 + (t * keysPerThread + k + last) % 7;
                    assertReminders(state, bytes(id.key() + "@" + last), at);
                    expected.add(new DueServer(id, at));
                }
            }
        }
        List<DueServer> due = dueFrom(base, base + 10, 10);
        assertThat(due).doesNotHaveDuplicates();
        assertThat(new HashSet<>(due)).isEqualTo(expected);
    }

    /**
     * A store that keeps no reminders (one that does not declare {@link StorageCapability#REMINDERS}) says so: {@code due}
     * throws {@link UnsupportedOperationException}, and a save with reminders is refused (not as a version conflict)
     * and writes nothing. Skipped for stores that keep reminders.
     */
    @Test
    public void reminders_ofAStoreThatKeepsNone_areUnsupported_andRefused() {
        assumeFalse(keepsReminders(), "the store keeps reminders");
        ServerId id = new ServerId(newType(), "k");
        storage().save(new StateWrite(id, 0, bytes("v1"), 1));
        StoredState before = storage().load(id);

        assertThatThrownBy(() -> storage().due(Long.MAX_VALUE, null, 10))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> storage().save(new StateWrite(id, 1, bytes("v2"), 1, 0, bytes("r"), 1)))
                .isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(VersionConflictException.class);

        assertUnchanged(storage().load(id), before);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Hostile rows (planted through rawRows(); skipped for stores that cannot hold them)

    /**
     * 501 rows whose keys are not valid UTF-8 (between two good keys) never stall a listing: every page reads at
     * most its limit of rows, each bad row is skipped and reported exactly once, the good keys are listed, and the
     * cursor moves past the bad rows (it is their stored bytes, not a decoded string that would sort before them).
     */
    @Test
    public void hostile_keysThatAreNotUtf8_areSkippedAndReported_andEveryListingEnds() throws Exception {
        RawRows raw = requireRawRows();
        String type = newType();
        storage().save(new StateWrite(new ServerId(type, "a"), 0, bytes("x"), 1));
        storage().save(new StateWrite(new ServerId(type, "c"), 0, bytes("x"), 1));
        Set<String> planted = new HashSet<>();
        for (int i = 0; i < 501; i++) {
            byte[] key = {'b', (byte) 0xFF, (byte) (i >> 8), (byte) i};
            raw.write(bytes(type), key, bytes("{}"), null, 0);
            planted.add(KeyCursor.ofStoredBytes(key).text());
        }

        for (int limit : new int[] {500, 7, 1}) {
            List<String> keys = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            KeyCursor after = null;
            int pages = 0;
            do {
                KeyPage page = storage().list(type, after, limit);
                assertThat(page.keys().size() + page.skipped().size()).as("rows read by a page of %d", limit)
                        .isLessThanOrEqualTo(limit);
                keys.addAll(page.keys());
                page.skipped().forEach(row -> {
                    skipped.add(row.position());
                    assertThat(row.problem()).as("the problem, never the key").contains("not valid UTF-8");
                });
                if (page.hasMore()) {
                    assertThat(page.next()).as("the cursor moves on").isNotEqualTo(after);
                }
                after = page.next();
                assertThat(++pages).as("pages of %d (the listing must end)", limit).isLessThanOrEqualTo(600);
            } while (after != null);
            assertThat(keys).as("good keys, pages of %d", limit).containsExactly("a", "c");
            assertThat(skipped).as("each bad row reported once, pages of %d", limit).doesNotHaveDuplicates()
                    .hasSize(501);
            assertThat(new HashSet<>(skipped)).isEqualTo(planted);
        }
        assertThat(storage().load(new ServerId(type, "a")).version()).as("the good rows still load").isEqualTo(1);
    }

    /**
     * Due rows that cannot be read (a type name no server can have, a key that is not valid UTF-8) never stop
     * the due scan: they are skipped and reported (without their text), and the servers due before and after them
     * are found, in every page size.
     */
    @Test
    public void hostile_dueRowsThatCannotBeRead_areSkipped_andTheScanGoesOn() throws Exception {
        requireReminders();
        RawRows raw = requireRawRows();
        long base = reminderBase();
        String type = newType();
        ServerId first = new ServerId(type, "first");
        ServerId last = new ServerId(type, "last");
        storage().save(new StateWrite(first, 0, bytes("x"), 1, 0, bytes("r"), base + 1));
        raw.write(bytes("bad type " + type), bytes("secret-key"), bytes("{}"), bytes("r"), base + 1);
        raw.write(bytes(type), new byte[] {'k', (byte) 0xC0}, bytes("{}"), bytes("r"), base + 2);
        raw.write(bytes(type + "\n"), bytes("k"), bytes("{}"), bytes("r"), base + 2);
        storage().save(new StateWrite(last, 0, bytes("x"), 1, 0, bytes("r"), base + 3));

        for (int limit : new int[] {100, 2, 1}) {
            List<DueServer> due = new ArrayList<>();
            List<SkippedRow> skipped = new ArrayList<>();
            DueCursor after = DueCursor.startingAt(base);
            int pages = 0;
            do {
                DuePage page = storage().due(base + 3, after, limit);
                assertThat(page.servers().size() + page.skipped().size()).as("rows read by a page of %d", limit)
                        .isLessThanOrEqualTo(limit);
                due.addAll(page.servers());
                skipped.addAll(page.skipped());
                after = page.next();
                assertThat(++pages).as("pages of %d (the scan must end)", limit).isLessThanOrEqualTo(10);
            } while (after != null);
            assertThat(due).as("due servers, pages of %d", limit)
                    .containsExactly(new DueServer(first, base + 1), new DueServer(last, base + 3));
            assertThat(skipped).as("bad rows, pages of %d", limit).hasSize(3)
                    .extracting(SkippedRow::position).doesNotHaveDuplicates();
            assertThat(skipped).allSatisfy(row -> assertThat(row.problem()).doesNotContain("bad type")
                    .doesNotContain("secret-key").doesNotContain("\n"));
        }
    }

    /**
     * A record whose version is a value no store writes fails to load with a {@link CorruptRecordException}
     * naming its server, not with an unchecked exception; the other servers load, and the listing still shows
     * both keys (it reads keys only).
     */
    @Test
    public void hostile_corruptVersion_failsThatServerAlone_withATypedError() throws Exception {
        RawRows raw = requireRawRows();
        String type = newType();
        ServerId bad = new ServerId(type, "bad");
        ServerId good = new ServerId(type, "good");
        storage().save(new StateWrite(bad, 0, bytes("x"), 1));
        storage().save(new StateWrite(good, 0, bytes("y"), 1));
        raw.corruptVersion(bad);

        assertThatThrownBy(() -> storage().load(bad)).isInstanceOfSatisfying(CorruptRecordException.class,
                e -> assertThat(e.serverId()).isEqualTo(bad));
        assertThatThrownBy(() -> storage().loadAll(List.of(good, bad))).isInstanceOf(CorruptRecordException.class);
        assertLive(storage().load(good), 1, bytes("y"), 1);
        assertThat(storage().loadAll(List.of(good)).get(good).version()).isEqualTo(1);
        assertThat(listAll(type, 10)).containsExactly("bad", "good");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Close

    /**
     * After close, every method throws {@link StorageException} (and never a version conflict, even for writes that
     * would have succeeded).
     */
    @Test
    public void closedStore_throwsStorageExceptionFromEveryMethod() {
        String type = newType();
        ServerId saved = new ServerId(type, "saved");
        storage().save(new StateWrite(saved, 0, bytes("x"), 1));
        ServerId fresh = new ServerId(type, "fresh");

        storage().close();

        assertClosed("load", () -> storage().load(saved));
        assertClosed("loadAll", () -> storage().loadAll(List.of(saved, fresh)));
        assertClosed("save", () -> storage().save(new StateWrite(fresh, 0, bytes("x"), 1)));
        assertClosed("save", () -> storage().save(new StateWrite(saved, 1, bytes("x"), 1)));
        assertClosed("delete", () -> storage().delete(saved, 1));
        assertClosed("list", () -> storage().list(type, null, 10));
        if (keepsHistory()) {
            assertClosed("save with a depth", () -> storage().save(new StateWrite(saved, 1, bytes("x"), 1, 2)));
            assertClosed("history", () -> storage().history(saved));
        }
        if (keepsReminders()) {
            assertClosed("save with reminders",
                    () -> storage().save(new StateWrite(saved, 1, bytes("x"), 1, 0, bytes("r"), 1)));
            assertClosed("due", () -> storage().due(Long.MAX_VALUE, null, 10));
            assertClosed("due after a cursor", () -> storage().due(Long.MAX_VALUE, DueCursor.startingAt(1), 10));
        }
    }

    /** Closing again does nothing and throws nothing. */
    @Test
    public void close_isIdempotent() {
        storage().close();

        assertThatCode(storage()::close).doesNotThrowAnyException();
        assertThatCode(storage()::close).doesNotThrowAnyException();
        assertClosed("load", () -> storage().load(new ServerId(newType(), "k")));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Model-based sequences

    /**
     * Random sequences of operations agree with a model of the contract after every step; see {@link
     * StorageModelRunner} for the configuration and for how failures are reported.
     */
    @Test
    public void modelBasedSequences_agreeWithTheModel() {
        StorageModelRunner.forStorage(storage()).withHistory(keepsHistory()).withReminders(keepsReminders()).run();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private static String newType() {
        return "tck-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
                + "-" + TYPE_COUNTER.incrementAndGet();
    }

    private List<String> hostileKeys() {
        List<String> keys = new ArrayList<>(List.of(
                "",
                "'", "''", "it's", "\"", "\"quoted\"", "`backtick`",
                "%", "100%", "%%", "_", "a_b", "\\", "a\\b", "\\%", "\\_",
                "\u0000", "a\u0000b", "\u0000\u0000", "line\nbreak", "cr\r\nlf", "tab\t", "\u001B[31m",
                "'; DROP TABLE pgs_state; --", "\" OR \"1\"=\"1", "1' OR '1'='1", "$1", "?", ":name",
                "]]; redis.call('FLUSHALL'); --[[", "KEYS[1]", "\\\" .. ARGV[1] .. \"",
                "a:b", "a:b:c", ":", "::", "*", "a*", "a:*", "[ab]", "{hash}", "{", "}",
                " ", "  leading and trailing  ",
                "\u00E9", "e\u0301", "\u4E16\u754C", "\uD83D\uDE00", "\uD83D\uDE00\uD83D\uDE00", "\uD834\uDD1E",
                "\uE000", "\uFFFD", "\uFEFF"));
        if (maxKeyBytesSupported() >= 4_000) {
            keys.add("L".repeat(4_000));
            keys.add("L".repeat(4_000) + "'%\u0000\uD83D\uDE00");
        }
        return keys;
    }

    /** The task's result; its assertion failures and exceptions are rethrown as they are. */
    private static <T> T await(Future<T> task) throws Exception {
        try {
            return task.get(CONCURRENCY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("the store did not answer within " + CONCURRENCY_TIMEOUT_SECONDS + " s", e);
        }
    }

    private void requireHistory() {
        assumeTrue(keepsHistory(), "the store keeps no history");
    }

    private void requireReminders() {
        assumeTrue(keepsReminders(), "the store keeps no reminders");
    }

    /**
     * A random instant no other test uses, so that {@link #dueFrom} sees this test's servers only as long as it
     * looks no further than a million milliseconds past it (other tests' instants are spread over 2<sup>51</sup>).
     */
    private static long reminderBase() {
        return ThreadLocalRandom.current().nextLong(1L << 41, 1L << 51);
    }

    /**
     * Every server due by {@code notAfter} after the instant {@code base} (a {@link #reminderBase()}), paged with
     * {@code limit}, checking each page: at most {@code limit} entries, none due later than {@code notAfter} or
     * before {@code base}, in ascending due time, nothing skipped; a cursor exactly when more are due.
     */
    private List<DueServer> dueFrom(long base, long notAfter, int limit) {
        List<DueServer> out = new ArrayList<>();
        DueCursor cursor = DueCursor.startingAt(base);
        for (int pages = 0; ; pages++) {
            DuePage page = storage().due(notAfter, cursor, limit);
            assertThat(page).as("due page %d (limit %d)", pages, limit).isNotNull();
            assertThat(page.servers()).as("due page %d (limit %d)", pages, limit).hasSizeLessThanOrEqualTo(limit);
            assertThat(page.skipped()).as("rows skipped on due page %d of clean data", pages).isEmpty();
            if (pages > 0) {
                assertThat(page.servers()).as("page %d after a page with a cursor", pages).isNotEmpty();
            }
            for (DueServer d : page.servers()) {
                assertThat(d.remindAtMillis()).as("due time of %s", d.id()).isBetween(base + 1, notAfter);
                if (!out.isEmpty()) {
                    assertThat(d.remindAtMillis()).as("due times ascend")
                            .isGreaterThanOrEqualTo(out.get(out.size() - 1).remindAtMillis());
                }
                out.add(d);
            }
            if (!page.hasMore()) {
                return out;
            }
            assertThat(page.servers()).as("page %d has a cursor, so it is full", pages).hasSize(limit);
            if (pages > 100_000) {
                fail("due never ended: %d pages of limit %d", pages, limit);
            }
            cursor = page.next();
        }
    }

    private static void assertReminders(StoredState state, byte[] reminders, long remindAt) {
        assertThat(state.reminders()).as("reminders of v%d", state.version()).isNotNull();
        assertSameBytes(state.reminders(), reminders);
        assertThat(state.remindAtMillis()).as("remindAtMillis of v%d", state.version()).isEqualTo(remindAt);
    }

    private static void assertNoReminders(StoredState state) {
        assertThat(state.reminders()).as("reminders of v%d", state.version()).isNull();
        assertThat(state.remindAtMillis()).as("remindAtMillis of v%d", state.version()).isZero();
    }

    private static List<Long> versions(List<StoredState> states) {
        List<Long> versions = new ArrayList<>(states.size());
        states.forEach(s -> versions.add(s.version()));
        return versions;
    }

    private static byte[] allByteValues() {
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }

    /** {@code actual} holds exactly the states of {@code expected}, in order, each as it was stored. */
    private static void assertHistory(List<StoredState> actual, List<StoredState> expected, String when) {
        assertThat(actual).as("history %s", when).isNotNull();
        assertThat(versions(actual)).as("versions in the history %s", when).isEqualTo(versions(expected));
        for (int i = 0; i < expected.size(); i++) {
            StoredState entry = actual.get(i);
            assertThat(entry.payload()).as("payload of history entry v%d %s", entry.version(), when).isNotNull();
            assertUnchanged(entry, expected.get(i));
        }
    }

    /**
     * A history of saves that all had {@code depth} and no deletes: consecutive versions, strictly decreasing, as
     * many as there were states before the newest entry's successor (at most {@code depth}), each a live state
     * that a successful save wrote.
     */
    private static void assertConsistentHistory(List<StoredState> history, Map<Long, StateWrite> written, int depth) {
        if (!history.isEmpty()) {
            assertThat(history).as("history %s of saves with depth %d", versions(history), depth)
                    .hasSize((int) Math.min(depth, history.get(0).version()));
        }
        for (int i = 0; i < history.size(); i++) {
            StoredState entry = history.get(i);
            if (i > 0) {
                assertThat(entry.version()).as("history versions %s are consecutive, most recent first",
                        versions(history)).isEqualTo(history.get(i - 1).version() - 1);
            }
            StateWrite write = written.get(entry.version());
            assertThat(write).as("history entry v%d was written by a successful save", entry.version()).isNotNull();
            assertLive(entry, entry.version(), write.payload(), write.schemaVersion());
        }
    }

    private static String distinctKey(int thread, int key) {
        return "w" + thread + "/" + key;
    }

    private static byte[] racePayload(long round, int thread) {
        return bytes("round " + round + " thread " + thread);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Pages through {@code type} checking every page's shape, and returns all keys listed. */
    private List<String> listAll(String type, int limit) {
        List<String> keys = new ArrayList<>();
        KeyCursor after = null;
        for (int pages = 0; ; pages++) {
            KeyPage page = storage().list(type, after, limit);
            assertThat(page).as("page %d of type %s", pages, type).isNotNull();
            assertThat(page.keys()).as("keys on page %d (limit %d)", pages, limit).hasSizeLessThanOrEqualTo(limit);
            assertThat(page.skipped()).as("rows skipped on page %d of clean data", pages).isEmpty();
            keys.addAll(page.keys());
            if (!page.hasMore()) {
                return keys;
            }
            assertThat(page.keys()).as("page %d has a cursor, so it must hold keys", pages).isNotEmpty();
            assertThat(page.next()).as("cursor of page %d", pages)
                    .isEqualTo(KeyCursor.after(page.keys().get(page.keys().size() - 1)));
            if (pages > 100_000) {
                fail("list(%s) never ended: %d pages of limit %d", type, pages, limit);
            }
            after = page.next();
        }
    }

    private static void assertAbsent(StoredState state) {
        assertThat(state).as("state").isNotNull();
        assertThat(state.version()).as("version of a never-saved key").isZero();
        assertThat(state.payload()).as("payload of a never-saved key").isNull();
        assertThat(state.schemaVersion()).as("schema version of a never-saved key").isZero();
        assertThat(state.updatedAtMillis()).as("updatedAtMillis of a never-saved key").isZero();
        assertThat(state.isTombstone()).isFalse();
    }

    private static void assertLive(StoredState state, long version, byte[] payload, int schemaVersion) {
        assertThat(state).as("state").isNotNull();
        assertThat(state.version()).as("version").isEqualTo(version);
        assertThat(state.payload()).as("payload of version %d", version).isNotNull();
        assertSameBytes(state.payload(), payload);
        assertThat(state.schemaVersion()).as("schema version").isEqualTo(schemaVersion);
        assertThat(state.updatedAtMillis()).as("updatedAtMillis").isPositive();
    }

    private static void assertTombstone(StoredState state, long version) {
        assertThat(state).as("state").isNotNull();
        assertThat(state.version()).as("tombstone version").isEqualTo(version);
        assertThat(state.payload()).as("payload of a tombstone").isNull();
        assertThat(state.isTombstone()).isTrue();
        assertThat(state.schemaVersion()).as("schema version of a tombstone").isZero();
        assertThat(state.updatedAtMillis()).as("updatedAtMillis of a tombstone").isPositive();
    }

    private static void assertUnchanged(StoredState after, StoredState before) {
        assertThat(after.version()).as("version").isEqualTo(before.version());
        if (before.payload() == null) {
            assertThat(after.payload()).as("payload").isNull();
        } else {
            assertThat(after.payload()).as("payload").isNotNull();
            assertSameBytes(after.payload(), before.payload());
        }
        assertThat(after.schemaVersion()).as("schema version").isEqualTo(before.schemaVersion());
        assertThat(after.updatedAtMillis()).as("updatedAtMillis").isEqualTo(before.updatedAtMillis());
    }

    /** Compares without printing megabytes when they differ. */
    private static void assertSameBytes(byte[] actual, byte[] expected) {
        if (Arrays.equals(actual, expected)) {
            return;
        }
        int at = Arrays.mismatch(actual, expected);
        fail("payload differs: %d bytes stored, %d expected, first difference at index %d (%s vs %s)",
                actual.length, expected.length, at,
                at < actual.length ? String.format("0x%02x", actual[at]) : "end",
                at < expected.length ? String.format("0x%02x", expected[at]) : "end");
    }

    private static void assertConflict(ThrowingCallable write, long expectedVersion, long actualVersion) {
        assertThatThrownBy(write)
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).as("conflict's expected version").isEqualTo(expectedVersion);
                    assertThat(e.actualVersion()).as("conflict's actual version").isEqualTo(actualVersion);
                });
    }

    private static void assertClosed(String method, ThrowingCallable call) {
        assertThatThrownBy(call)
                .as("%s on a closed store", method)
                .isInstanceOf(StorageException.class)
                .isNotInstanceOf(VersionConflictException.class);
    }
}
