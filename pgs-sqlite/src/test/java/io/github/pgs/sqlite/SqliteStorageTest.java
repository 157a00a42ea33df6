package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import io.github.pgs.sqlite.internal.NativeLibraryCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteStorageTest {

    private static final String TYPE = "player";
    private static final Comparator<String> UTF8_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private static ServerId id(String key) {
        return new ServerId(TYPE, key);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static StateWrite write(String key, long expected, String payload) {
        return new StateWrite(id(key), expected, bytes(payload), 1);
    }

    // ---- basics ----

    @Test
    void save_thenLoad_returnsPayloadVersionAndSchemaVersion() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            assertThat(store.save(new StateWrite(id("k"), 0, bytes("v1"), 7))).isEqualTo(1);

            StoredState s = store.load(id("k"));

            assertThat(s.version()).isEqualTo(1);
            assertThat(s.payload()).isEqualTo(bytes("v1"));
            assertThat(s.schemaVersion()).isEqualTo(7);
            assertThat(s.updatedAtMillis()).isPositive();
        }
    }

    @Test
    void save_withStaleVersion_throwsConflict() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            store.save(write("k", 0, "v1"));
            store.save(write("k", 1, "v2"));

            assertThatThrownBy(() -> store.save(write("k", 1, "stale")))
                    .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                        assertThat(e.expectedVersion()).isEqualTo(1);
                        assertThat(e.actualVersion()).isEqualTo(2);
                        assertThat(e.serverId()).isEqualTo(id("k"));
                    });
            assertThat(store.load(id("k")).payload()).isEqualTo(bytes("v2"));
        }
    }

    @Test
    void delete_writesTombstone_thatAStaleWriterCannotOverwrite() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            store.save(write("k", 0, "v1"));

            assertThat(store.delete(id("k"), 1)).isEqualTo(2);

            assertThat(store.load(id("k")).isTombstone()).isTrue();
            assertThat(store.load(id("k")).version()).isEqualTo(2);
            assertThatThrownBy(() -> store.save(write("k", 0, "resurrected")))
                    .isInstanceOf(VersionConflictException.class);
            assertThatThrownBy(() -> store.save(write("k", 1, "resurrected")))
                    .isInstanceOf(VersionConflictException.class);
            assertThat(store.list(TYPE, null, 10).keys()).isEmpty();
            assertThat(store.save(write("k", 2, "v3"))).isEqualTo(3);
        }
    }

    @Test
    void save_ofEmptyPayload_isLiveStateNotTombstone() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            store.save(new StateWrite(id("k"), 0, new byte[0], 1));

            StoredState s = store.load(id("k"));

            assertThat(s.hasPayload()).isTrue();
            assertThat(s.payload()).isEmpty();
            assertThat(store.loadAll(List.of(id("k"))).get(id("k")).payload()).isEmpty();
            assertThat(store.list(TYPE, null, 10).keys()).containsExactly("k");
        }
    }

    // ---- keys ----

    static List<String> hostileKeys() {
        return List.of("", " ", "'", "\"", "' OR '1'='1", "%", "_", "a%", "a_", "\\", "\\0", "a\0b", "a\0", "\0",
                "a", "a\u0000\u0000", "\uD83D\uDE00", "\uFFFF", "\u00E9", "e\u0301", "\n\r\t", "x".repeat(10_000),
                "Robert'); DROP TABLE pgs_state;--");
    }

    @Test
    void hostileKeys_includingNul_roundTripAndListInUtf8ByteOrder() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            List<String> keys = hostileKeys();
            for (int i = 0; i < keys.size(); i++) {
                store.save(new StateWrite(id(keys.get(i)), 0, bytes("#" + i), i));
            }

            for (int i = 0; i < keys.size(); i++) {
                StoredState s = store.load(id(keys.get(i)));
                assertThat(s.payload()).as("payload of key #%d", i).isEqualTo(bytes("#" + i));
                assertThat(s.schemaVersion()).isEqualTo(i);
            }
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(UTF8_ORDER);
            assertThat(listAll(store, TYPE, 4)).containsExactlyElementsOf(sorted);
            assertThat(store.loadAll(keys.stream().map(SqliteStorageTest::id).toList()).values())
                    .allSatisfy(s -> assertThat(s.version()).isEqualTo(1));
        }
    }

    @Test
    void keysDifferingOnlyAfterNul_areDistinctRows() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            store.save(write("a\0b", 0, "one"));
            store.save(write("a\0c", 0, "two"));
            store.save(write("a", 0, "three"));

            assertThat(store.load(id("a\0b")).payload()).isEqualTo(bytes("one"));
            assertThat(store.load(id("a\0c")).payload()).isEqualTo(bytes("two"));
            assertThat(store.load(id("a")).payload()).isEqualTo(bytes("three"));
            assertThat(store.load(id("a\0")).version()).isZero();
        }
    }

    @Test
    void key_withUnpairedSurrogate_isRefusedBecauseUtf8CannotHoldIt() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            store.save(write("?", 0, "question mark"));

            assertThatThrownBy(() -> store.save(write("\uD800", 0, "x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
            assertThatThrownBy(() -> store.load(id("a\uDC00")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(id("\uD800"), 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.loadAll(List.of(id("\uD800"))))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> KeyCursor.after("\uD800")).isInstanceOf(IllegalArgumentException.class);
            assertThat(store.load(id("?")).payload()).isEqualTo(bytes("question mark"));
        }
    }

    @Test
    void list_pagesWithCursor_andSkipsTombstones() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            for (String k : List.of("a", "b", "c", "d", "e")) {
                store.save(write(k, 0, k));
            }
            store.delete(id("b"), 1);
            store.delete(id("e"), 1);

            KeyPage first = store.list(TYPE, null, 2);
            KeyPage second = store.list(TYPE, first.next(), 2);

            assertThat(first.keys()).containsExactly("a", "c");
            assertThat(first.next()).isEqualTo(KeyCursor.after("c"));
            assertThat(second.keys()).containsExactly("d");
            assertThat(second.hasMore()).isFalse();
            assertThat(store.list("other", null, 10).keys()).isEmpty();
            assertThatThrownBy(() -> store.list(TYPE, null, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void read_afterAListingThatStoppedEarly_seesTheLatestCommit() {
        // One read connection: a result set left open would pin its snapshot for the next read.
        try (SqliteStorage store = SqliteStorage.builder(dir.resolve("a.db")).readers(1).open()) {
            for (String k : List.of("a", "b", "c")) {
                store.save(write(k, 0, k));
            }
            assertThat(store.list(TYPE, null, 1).keys()).containsExactly("a");
            assertThat(store.load(id("a")).version()).isEqualTo(1);

            store.save(write("a", 1, "a2"));
            store.save(write("d", 0, "d"));

            assertThat(store.load(id("a")).version()).isEqualTo(2);
            assertThat(listAll(store, TYPE, 10)).containsExactly("a", "b", "c", "d");
        }
    }

    @Test
    void loadAll_acrossChunksAndTypes_returnsOneEntryPerDistinctIdInRequestOrder() {
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            List<ServerId> ids = new ArrayList<>();
            for (int i = 0; i < SqliteStorage.IN_CHUNK * 2 + 17; i++) {
                ServerId id = new ServerId(i % 3 == 0 ? "other" : TYPE, "k" + i);
                ids.add(id);
                if (i % 2 == 0) {
                    store.save(new StateWrite(id, 0, bytes("v" + i), 1));
                }
            }
            store.delete(ids.get(2), 1);
            List<ServerId> request = new ArrayList<>(ids);
            request.add(ids.get(0));

            Map<ServerId, StoredState> loaded = store.loadAll(request);

            assertThat(loaded.keySet()).containsExactlyElementsOf(ids);
            for (int i = 0; i < ids.size(); i++) {
                StoredState s = loaded.get(ids.get(i));
                if (i == 2) {
                    assertThat(s.isTombstone()).isTrue();
                } else if (i % 2 == 0) {
                    assertThat(s.payload()).as("id %s", ids.get(i)).isEqualTo(bytes("v" + i));
                } else {
                    assertThat(s).isEqualTo(StoredState.ABSENT);
                }
            }
            assertThat(store.loadAll(List.of())).isEmpty();
        }
    }

    // ---- group commit ----

    @Test
    void batch_withOneConflictingEntry_failsOnlyThatEntry() throws Exception {
        int n = 8;
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"))) {
            store.save(write("taken", 0, "first"));
        }
        // The writer lingers until the batch is full, so the n concurrent saves below form exactly one batch.
        try (SqliteStorage store = SqliteStorage.builder(dir.resolve("a.db"))
                .maxBatch(n).maxWait(Duration.ofMinutes(1)).open();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> results = new ArrayList<>();
            results.add(pool.submit(() -> store.save(write("taken", 0, "conflicting"))));
            for (int i = 1; i < n; i++) {
                String key = "fresh" + i;
                results.add(pool.submit(() -> store.save(write(key, 0, "v"))));
            }

            assertThatThrownBy(() -> results.get(0).get(1, TimeUnit.MINUTES))
                    .hasCauseInstanceOf(VersionConflictException.class);
            Set<Long> committedAt = new HashSet<>();
            for (int i = 1; i < n; i++) {
                assertThat(results.get(i).get(1, TimeUnit.MINUTES)).isEqualTo(1);
                committedAt.add(store.load(id("fresh" + i)).updatedAtMillis());
            }
            assertThat(committedAt).as("one transaction, one timestamp").hasSize(1);
            assertThat(store.load(id("taken")).payload()).isEqualTo(bytes("first"));
        }
    }

    @Test
    void batch_withOneEntryViolatingATableConstraint_failsOnlyThatEntry() throws Exception {
        Path file = dir.resolve("a.db");
        // A table made beforehand with a CHECK constraint: the store keeps an existing table as it is.
        try (Connection c = rawConnection(file);
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pgs_state (type TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,"
                    + " schema_version INTEGER NOT NULL, payload BLOB, updated_at INTEGER NOT NULL,"
                    + " CHECK (key <> 'forbidden'), PRIMARY KEY (type, key)) WITHOUT ROWID");
        }
        int n = 6;
        try (SqliteStorage store = SqliteStorage.builder(file).maxBatch(n).maxWait(Duration.ofMinutes(1)).open();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = i == 2 ? "forbidden" : "ok" + i;
                results.add(pool.submit(() -> store.save(write(key, 0, "v"))));
            }

            for (int i = 0; i < n; i++) {
                Future<Long> result = results.get(i);
                if (i == 2) {
                    assertThatThrownBy(() -> result.get(1, TimeUnit.MINUTES))
                            .hasCauseInstanceOf(StorageException.class)
                            .cause().isNotInstanceOf(VersionConflictException.class)
                            .hasMessageContaining("constraint");
                } else {
                    assertThat(result.get(1, TimeUnit.MINUTES)).isEqualTo(1);
                }
            }
            assertThat(store.load(id("forbidden")).version()).isZero();
            assertThat(store.list(TYPE, null, 10).keys()).containsExactly("ok0", "ok1", "ok3", "ok4", "ok5");
        }
    }

    @Test
    void concurrentWriters_onOneKey_exactlyOneWinsPerVersion() throws Exception {
        int threads = 16;
        int rounds = 30;
        try (SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long expected = 0; expected < rounds; expected++) {
                long version = expected;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> attempts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    attempts.add(pool.submit(() -> {
                        start.await();
                        try {
                            store.save(write("contended", version, "thread " + thread));
                            return true;
                        } catch (VersionConflictException e) {
                            assertThat(e.actualVersion()).isEqualTo(version + 1);
                            return false;
                        }
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> a : attempts) {
                    winners += a.get(1, TimeUnit.MINUTES) ? 1 : 0;
                }
                assertThat(winners).as("winners of version %d", version + 1).isEqualTo(1);
            }
            assertThat(store.load(id("contended")).version()).isEqualTo(rounds);
        }
    }

    // ---- files, processes, lifecycle ----

    @Test
    void reopen_seesEverythingWrittenBeforeClose() {
        Path file = dir.resolve("nested/dirs/state.db");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(write("a", 0, "v1"));
            store.save(write("a", 1, "v2"));
            store.save(write("b", 0, "gone"));
            store.delete(id("b"), 1);
        }

        try (SqliteStorage store = SqliteStorage.open(file)) {
            assertThat(store.load(id("a")).payload()).isEqualTo(bytes("v2"));
            assertThat(store.load(id("a")).version()).isEqualTo(2);
            assertThat(store.load(id("b")).isTombstone()).isTrue();
            assertThat(store.load(id("b")).version()).isEqualTo(2);
        }
    }

    @Test
    void close_checkpointsTheLogIntoTheDatabaseFile() throws Exception {
        Path file = dir.resolve("a.db");
        Path wal = dir.resolve("a.db-wal");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            for (int i = 0; i < 50; i++) {
                store.save(write("k" + i, 0, "x".repeat(1000)));
            }
            assertThat(wal).exists();
        }

        assertThat(!Files.exists(wal) || Files.size(wal) == 0).as("log empty or removed").isTrue();
    }

    @Test
    void newFile_getsTheConfiguredPageSize_andAnExistingFileKeepsItsOwn() throws Exception {
        Path small = dir.resolve("small.db");
        Path large = dir.resolve("large.db");
        try (SqliteStorage a = SqliteStorage.open(small);
             SqliteStorage b = SqliteStorage.builder(large).pageSize(8192).open()) {
            a.save(write("k", 0, "v1"));
            b.save(write("k", 0, "v1"));
        }
        assertThat(pageSize(small)).isEqualTo(SqliteOptions.DEFAULT_PAGE_SIZE).isEqualTo(1024);
        assertThat(pageSize(large)).isEqualTo(8192);

        try (SqliteStorage a = SqliteStorage.builder(small).pageSize(65536).open()) {
            assertThat(a.load(id("k")).payload()).isEqualTo(bytes("v1"));
            a.save(write("k", 1, "v2"));
            a.save(write("k2", 0, "x".repeat(5000)));
            assertThat(a.load(id("k2")).payload()).isEqualTo(bytes("x".repeat(5000)));
        }
        assertThat(pageSize(small)).isEqualTo(1024);
    }

    @Test
    void commits_checkpointTheLogIntoTheDatabaseFile_onceItHoldsCheckpointBytes() throws Exception {
        Path often = dir.resolve("often.db");
        Path rarely = dir.resolve("rarely.db");
        try (SqliteStorage a = SqliteStorage.builder(often).checkpointBytes(64 * 1024).open();
             SqliteStorage b = SqliteStorage.builder(rarely).checkpointBytes(64L * 1024 * 1024).open()) {
            for (int i = 0; i < 400; i++) { // about two pages of log per save: 800 KiB
                a.save(write("k" + i, 0, "x".repeat(1000)));
                b.save(write("k" + i, 0, "x".repeat(1000)));
            }
            // Checkpoints copied the pages into the file, and the log started over each time.
            assertThat(Files.size(often)).isGreaterThan(400 * 1000);
            assertThat(Files.size(dir.resolve("often.db-wal"))).isLessThan(256 * 1024);
            // Nothing reached the file yet: every page is still in the log.
            assertThat(Files.size(rarely)).isLessThan(64 * 1024);
            assertThat(Files.size(dir.resolve("rarely.db-wal"))).isGreaterThan(400 * 1000);
            assertThat(b.load(id("k399")).payload()).isEqualTo(bytes("x".repeat(1000)));
        }
    }

    private static long pageSize(Path file) throws SQLException {
        try (Connection c = rawConnection(file); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("PRAGMA page_size")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void closedStore_throwsStorageException_andCloseIsIdempotent() {
        SqliteStorage store = SqliteStorage.open(dir.resolve("a.db"));
        store.save(write("k", 0, "v"));
        store.close();
        store.close();

        assertThatThrownBy(() -> store.load(id("k"))).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.save(write("k", 1, "v"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.delete(id("k"), 1)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.loadAll(List.of())).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.list(TYPE, null, 1)).isInstanceOf(StorageException.class);
    }

    @Test
    void close_duringConcurrentSaves_neverHangsAndKeepsEveryAcknowledgedWrite() throws Exception {
        Path file = dir.resolve("a.db");
        int threads = 32;
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        SqliteStorage store = SqliteStorage.open(file);
        CountDownLatch firstRound = new CountDownLatch(threads);
        List<Future<Void>> writers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                String key = "t" + t;
                writers.add(pool.submit(() -> {
                    long version = 0;
                    boolean counted = false;
                    while (!stop.get()) {
                        try {
                            version = store.save(write(key, version, "v" + (version + 1)));
                            acknowledged.put(key, version);
                        } catch (StorageException e) {
                            assertThat(e).isNotInstanceOf(VersionConflictException.class);
                            refused.incrementAndGet();
                            stop.set(true);
                        }
                        if (!counted) {
                            counted = true;
                            firstRound.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertThat(firstRound.await(1, TimeUnit.MINUTES)).isTrue();
            store.close();
        }
        for (Future<Void> w : writers) {
            w.get();
        }

        assertThat(refused.get()).isPositive();
        try (SqliteStorage reopened = SqliteStorage.open(file)) {
            acknowledged.forEach((key, version) ->
                    assertThat(reopened.load(id(key)).version()).as("key %s", key).isEqualTo(version));
        }
    }

    @Test
    void twoStoresOnOneFile_shareStateAndFenceEachOther() {
        Path file = dir.resolve("a.db");
        try (SqliteStorage one = SqliteStorage.open(file); SqliteStorage two = SqliteStorage.open(file)) {
            one.save(write("k", 0, "from one"));

            assertThat(two.load(id("k")).payload()).isEqualTo(bytes("from one"));
            assertThat(two.save(write("k", 1, "from two"))).isEqualTo(2);
            assertThatThrownBy(() -> one.save(write("k", 1, "stale"))).isInstanceOf(VersionConflictException.class);
            assertThat(one.load(id("k")).payload()).isEqualTo(bytes("from two"));
        }
    }

    @Test
    void save_whileAnotherConnectionHoldsTheWriteLock_failsAfterBusyTimeout_thenRecovers() throws Exception {
        Path file = dir.resolve("a.db");
        try (SqliteStorage store = SqliteStorage.builder(file).busyTimeout(Duration.ZERO).open();
             Connection other = rawConnection(file);
             Statement st = other.createStatement()) {
            st.execute("BEGIN IMMEDIATE");

            assertThatThrownBy(() -> store.save(write("k", 0, "v")))
                    .isInstanceOf(StorageException.class)
                    .isNotInstanceOf(VersionConflictException.class)
                    .hasMessageContaining("nothing was written");
            assertThat(store.load(id("k")).version()).as("reads go on while another holds the write lock")
                    .isZero();

            st.execute("ROLLBACK");
            assertThat(store.save(write("k", 0, "v"))).isEqualTo(1);
        }
    }

    @Test
    void pathWithUriSpecialCharacters_isUsedLiterally() {
        Path file = dir.resolve("we?ird #dir %41/f\u00FCr ?mode=memory&x.db");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(write("k", 0, "v"));
        }

        assertThat(file).isRegularFile();
        try (SqliteStorage store = SqliteStorage.open(file)) {
            assertThat(store.load(id("k")).version()).isEqualTo(1);
        }
    }

    @Test
    void customTableName_keepsItsStateApartFromTheDefaultTable() {
        Path file = dir.resolve("a.db");
        try (SqliteStorage main = SqliteStorage.open(file);
             SqliteStorage other = SqliteStorage.builder(file).tableName("other_state").open()) {
            main.save(write("k", 0, "main"));

            assertThat(other.load(id("k")).version()).isZero();
            assertThat(other.save(write("k", 0, "other"))).isEqualTo(1);
            assertThat(main.load(id("k")).payload()).isEqualTo(bytes("main"));
        }
    }

    @Test
    void open_ofAFileThatIsNotADatabase_throwsStorageException() throws Exception {
        Path file = dir.resolve("text.db");
        Files.writeString(file, "this is not a database, just some text that is long enough to hold a header");

        assertThatThrownBy(() -> SqliteStorage.open(file))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(file.toString());
    }

    // ---- history ----

    @Test
    void history_isKeptInATableNamedAfterTheStateTable() throws Exception {
        Path file = dir.resolve("history.db");
        try (SqliteStorage store = SqliteStorage.builder(file).tableName("Game_State").open()) {
            store.save(new StateWrite(id("k"), 0, bytes("v1"), 1, 2));
            store.save(new StateWrite(id("k"), 1, bytes("v2"), 1, 2));
        }
        try (Connection c = rawConnection(file); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT key, version, payload FROM \"Game_State_history\"")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("k");
            assertThat(rs.getLong(2)).isEqualTo(1);
            assertThat(rs.getBytes(3)).isEqualTo(bytes("v1"));
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void open_ofAFileWithoutHistoryTable_addsIt_andKeepsTheStates() throws Exception {
        Path file = dir.resolve("old.db");
        try (Connection c = rawConnection(file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pgs_state (type TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,"
                    + " schema_version INTEGER NOT NULL, payload BLOB, updated_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (type, key)) WITHOUT ROWID");
            st.execute("INSERT INTO pgs_state VALUES ('player', 'k', 4, 1, X'6f6c64', 1700000000000)");
        }

        try (SqliteStorage store = SqliteStorage.open(file)) {
            assertThat(store.history(id("k"))).isEmpty();
            store.save(new StateWrite(id("k"), 4, bytes("new"), 2, 3));

            List<StoredState> history = store.history(id("k"));
            assertThat(history).hasSize(1);
            assertThat(history.get(0).version()).isEqualTo(4);
            assertThat(history.get(0).payload()).isEqualTo(bytes("old"));
            assertThat(history.get(0).updatedAtMillis()).isEqualTo(1_700_000_000_000L);
        }
    }

    @Test
    void depthZeroWrites_ofAStoreThatHasNotSeenHistory_leaveRowsThatNeverShow() throws Exception {
        Path file = dir.resolve("shared.db");
        try (SqliteStorage plain = SqliteStorage.open(file);
             SqliteStorage keeper = SqliteStorage.open(file)) {
            for (int v = 0; v < 4; v++) {
                keeper.save(new StateWrite(id("k"), v, bytes("v" + (v + 1)), 1, 3));
            }
            assertThat(plain.history(id("k"))).hasSize(3);

            plain.save(new StateWrite(id("k"), 4, bytes("v5"), 1, 0));

            assertThat(historyRows(file)).as("rows the plain store did not delete").isEqualTo(3);
            assertThat(plain.history(id("k"))).isEmpty();
            assertThat(keeper.history(id("k"))).isEmpty();

            keeper.save(new StateWrite(id("k"), 5, bytes("v6"), 1, 3));
            assertThat(keeper.history(id("k"))).extracting(StoredState::version).containsExactly(5L);

            keeper.save(new StateWrite(id("k"), 6, bytes("v7"), 1, 3));
            keeper.save(new StateWrite(id("k"), 7, bytes("v8"), 1, 3));
            assertThat(plain.history(id("k"))).extracting(StoredState::version).containsExactly(7L, 6L, 5L);
            assertThat(historyRows(file)).as("leftovers pruned by later saves with a depth").isEqualTo(3);

            plain.delete(id("k"), 8);
            assertThat(keeper.history(id("k"))).isEmpty();
        }
        try (SqliteStorage reopened = SqliteStorage.open(file)) {
            reopened.save(new StateWrite(id("other"), 0, bytes("x"), 1, 0));
            reopened.save(new StateWrite(id("other"), 1, bytes("y"), 1, 0));
            reopened.save(new StateWrite(id("k"), 9, bytes("v10"), 1, 0));
            assertThat(historyRows(file)).as("a store that found history rows deletes on depth 0").isZero();
        }
    }

    @Test
    void batch_replayedAfterAnEntryFailed_keepsEachReplacedStateOnce() throws Exception {
        Path file = dir.resolve("replay.db");
        try (Connection c = rawConnection(file);
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pgs_state (type TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,"
                    + " schema_version INTEGER NOT NULL, payload BLOB, updated_at INTEGER NOT NULL,"
                    + " CHECK (key <> 'forbidden'), PRIMARY KEY (type, key)) WITHOUT ROWID");
        }
        int n = 6;
        try (SqliteStorage store = SqliteStorage.open(file)) {
            for (int i = 0; i < n; i++) {
                store.save(new StateWrite(id("ok" + i), 0, bytes("first " + i), 1, 2));
            }
        }
        // One batch: every entry keeps history, then the last one fails and the rest is replayed.
        try (SqliteStorage store = SqliteStorage.builder(file).maxBatch(n + 1).maxWait(Duration.ofMinutes(1)).open();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerId key = id("ok" + i);
                results.add(pool.submit(() -> store.save(new StateWrite(key, 1, bytes("second"), 1, 2))));
            }
            Future<Long> forbidden = pool.submit(() -> store.save(write("forbidden", 0, "v")));

            assertThatThrownBy(() -> forbidden.get(1, TimeUnit.MINUTES)).hasCauseInstanceOf(StorageException.class);
            for (int i = 0; i < n; i++) {
                assertThat(results.get(i).get(1, TimeUnit.MINUTES)).isEqualTo(2);
                List<StoredState> history = store.history(id("ok" + i));
                assertThat(history).extracting(StoredState::version).containsExactly(1L);
                assertThat(history.get(0).payload()).isEqualTo(bytes("first " + i));
            }
        }
        assertThat(historyRows(file)).isEqualTo(n);
    }

    @Test
    void open_ofAFileWithoutReminderColumns_addsThemAndTheIndex_andKeepsTheStates() throws Exception {
        Path file = dir.resolve("before-reminders.db");
        try (Connection c = rawConnection(file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pgs_state (type TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,"
                    + " schema_version INTEGER NOT NULL, payload BLOB, updated_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (type, key)) WITHOUT ROWID");
            st.execute("INSERT INTO pgs_state VALUES ('player', 'k', 4, 1, X'6f6c64', 1700000000000)");
        }

        try (SqliteStorage store = SqliteStorage.open(file)) {
            StoredState old = store.load(id("k"));
            assertThat(old.version()).isEqualTo(4);
            assertThat(old.payload()).isEqualTo(bytes("old"));
            assertThat(old.reminders()).isNull();
            assertThat(store.due(Long.MAX_VALUE, null, 10).servers()).isEmpty();

            store.save(new StateWrite(id("k"), 4, bytes("new"), 1, 0, bytes("r"), 1_000));

            assertThat(store.load(id("k")).reminders()).isEqualTo(bytes("r"));
            assertThat(store.due(Long.MAX_VALUE, null, 10).servers()).containsExactly(new DueServer(id("k"), 1_000));
        }
        assertThat(columns(file)).endsWith("reminders", "remind_at");
        try (SqliteStorage reopened = SqliteStorage.open(file)) {
            assertThat(reopened.due(Long.MAX_VALUE, null, 10).servers()).containsExactly(new DueServer(id("k"), 1_000));
        }
        assertThat(columns(file)).as("columns added once").hasSize(8);
    }

    @Test
    void open_ofAnOldFileByTwoStoresAtOnce_addsEachReminderColumnOnce() throws Exception {
        // Many rounds: the stores collide on the switch to WAL mode in only a few percent of them.
        for (int round = 0; round < 60; round++) {
            Path file = dir.resolve("raced-" + round + ".db");
            try (Connection c = rawConnection(file); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE pgs_state (type TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,"
                        + " schema_version INTEGER NOT NULL, payload BLOB, updated_at INTEGER NOT NULL,"
                        + " PRIMARY KEY (type, key)) WITHOUT ROWID");
            }
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<SqliteStorage>> opened = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    opened.add(pool.submit(() -> {
                        go.await();
                        return SqliteStorage.open(file);
                    }));
                }
                go.countDown();
                for (Future<SqliteStorage> f : opened) {
                    f.get(1, TimeUnit.MINUTES).close();
                }
            }
            assertThat(columns(file)).as("round %d", round).hasSize(8).endsWith("reminders", "remind_at");
        }
    }

    @Test
    void due_readsThePartialIndexInItsOrder_withoutSorting() throws Exception {
        Path file = dir.resolve("plan.db");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(new StateWrite(id("k"), 0, bytes("x"), 1, 0, bytes("r"), 5));
        }
        try (Connection c = rawConnection(file); Statement st = c.createStatement()) {
            for (String where : List.of("", " AND (remind_at, type, key) > (1, 'a', 'b')")) {
                StringBuilder plan = new StringBuilder();
                try (var rs = st.executeQuery("EXPLAIN QUERY PLAN SELECT type, key, remind_at FROM pgs_state"
                        + " WHERE remind_at IS NOT NULL AND remind_at <= 9" + where
                        + " ORDER BY remind_at, type, key LIMIT 7")) {
                    while (rs.next()) {
                        plan.append(rs.getString("detail")).append('\n');
                    }
                }
                assertThat(plan.toString()).as("plan%s", where).contains("pgs_state_due")
                        .doesNotContain("TEMP B-TREE");
            }
        }
    }

    private static List<String> columns(Path file) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = rawConnection(file); Statement st = c.createStatement();
             var rs = st.executeQuery("PRAGMA table_info(pgs_state)")) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }

    private static int historyRows(Path file) throws SQLException {
        try (Connection c = rawConnection(file); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM pgs_state_history")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Another program can store values of other storage classes in any column (SQLite types values, not
     * columns): a BLOB key or type sorts after every text one, a REAL due time between integers, and a cursor read
     * back from such a row would never pass it. Scans leave such rows out, and loading one fails with a typed
     * error naming the column.
     */
    @Test
    void rowsOfOtherStorageClasses_neverStallAScan_andFailTheirOwnLoadOnly() throws SQLException {
        Path file = dir.resolve("classes.db");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(write("a", 0, "a"));
            store.save(new StateWrite(id("due"), 0, bytes("x"), 1, 0, bytes("r"), 5));
            try (Connection c = rawConnection(file); Statement st = c.createStatement()) {
                st.execute("INSERT INTO pgs_state VALUES ('" + TYPE + "', x'62', 1, 1, x'00', 1, NULL, NULL)");
                st.execute("INSERT INTO pgs_state VALUES (x'" + HexFormat.of().formatHex(bytes(TYPE))
                        + "', 'c', 1, 1, x'00', 1, x'00', 5)");
                st.execute("INSERT INTO pgs_state VALUES ('" + TYPE + "', 'real', 1, 1, x'00', 1, x'00', 5.5)");
                st.execute("INSERT INTO pgs_state VALUES ('" + TYPE + "', 'text', 'one', 1, x'00', 1, NULL, NULL)");
            }

            for (int limit : new int[] {1, 2, 100}) {
                assertThat(listAll(store, TYPE, limit)).as("pages of %d", limit).containsExactly("a", "due", "real", "text");
                List<DueServer> due = new ArrayList<>();
                io.github.pgs.spi.DueCursor after = null;
                for (int pages = 0; pages == 0 || after != null; pages++) {
                    assertThat(pages).as("due pages of %d", limit).isLessThan(10);
                    io.github.pgs.spi.DuePage page = store.due(Long.MAX_VALUE, after, limit);
                    due.addAll(page.servers());
                    after = page.next();
                }
                assertThat(due).as("due, pages of %d", limit).containsExactly(new DueServer(id("due"), 5));
            }
            assertThatThrownBy(() -> store.load(id("text")))
                    .isInstanceOfSatisfying(io.github.pgs.CorruptRecordException.class,
                            e -> assertThat(e.field()).isEqualTo("version"));
            assertThatThrownBy(() -> store.load(id("real")))
                    .isInstanceOfSatisfying(io.github.pgs.CorruptRecordException.class,
                            e -> assertThat(e.field()).isEqualTo("remind_at"));
            assertThat(store.load(id("a")).version()).isEqualTo(1);
        }
    }

    // ---- helpers ----

    /** A plain JDBC connection to {@code file}, playing another process. */
    static Connection rawConnection(Path file) throws SQLException {
        NativeLibraryCache.load(); // as the store would, so that no test run extracts the library to the temp dir
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    static List<String> listAll(SqliteStorage store, String type, int limit) {
        List<String> keys = new ArrayList<>();
        KeyCursor after = null;
        while (true) {
            KeyPage page = store.list(type, after, limit);
            keys.addAll(page.keys());
            if (!page.hasMore()) {
                return keys;
            }
            after = page.next();
        }
    }
}
