package io.github.pgs.postgres;

import io.github.pgs.KeyTooLongException;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresStorageTest {

    private PostgresStorage store;
    private String type;

    @BeforeEach
    void open() {
        store = PgTestSupport.open();
        type = PgTestSupport.uniqueType();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private ServerId id(String key) {
        return new ServerId(type, key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private long save(String key, long expected, String payload) {
        return store.save(new StateWrite(id(key), expected, bytes(payload), 1));
    }

    @Test
    void load_neverSaved_isAbsent() {
        assertThat(store.load(id("nobody"))).isEqualTo(StoredState.ABSENT);
    }

    @Test
    void save_thenLoad_returnsPayloadVersionSchemaAndTimestamp() {
        long before = System.currentTimeMillis();
        assertThat(store.save(new StateWrite(id("a"), 0, bytes("one"), 7))).isEqualTo(1);
        assertThat(store.save(new StateWrite(id("a"), 1, bytes("two"), 8))).isEqualTo(2);
        long after = System.currentTimeMillis();

        StoredState s = store.load(id("a"));
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.payload()).isEqualTo(bytes("two"));
        assertThat(s.schemaVersion()).isEqualTo(8);
        assertThat(s.updatedAtMillis()).isBetween(before, after);
    }

    @Test
    void save_emptyPayload_isLiveState() {
        store.save(new StateWrite(id("empty"), 0, new byte[0], 1));
        StoredState s = store.load(id("empty"));
        assertThat(s.hasPayload()).isTrue();
        assertThat(s.payload()).isEmpty();
        assertThat(store.list(type, null, 10).keys()).containsExactly("empty");
    }

    @Test
    void save_withStaleVersion_throwsConflictWithStoredVersion_andChangesNothing() {
        save("a", 0, "one");
        save("a", 1, "two");

        assertThatThrownBy(() -> save("a", 1, "stale"))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.actualVersion()).isEqualTo(2);
                    assertThat(e.serverId()).isEqualTo(id("a"));
                });
        assertThat(store.load(id("a")).payload()).isEqualTo(bytes("two"));
    }

    @Test
    void save_insertingOverExistingRow_conflicts() {
        save("a", 0, "one");
        assertThatThrownBy(() -> save("a", 0, "again"))
                .isInstanceOfSatisfying(VersionConflictException.class,
                        e -> assertThat(e.actualVersion()).isEqualTo(1));
    }

    @Test
    void save_expectingVersionOfMissingRow_conflictsWithZero_andCreatesNothing() {
        assertThatThrownBy(() -> save("ghost", 3, "x"))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(3);
                    assertThat(e.actualVersion()).isZero();
                });
        assertThat(store.load(id("ghost"))).isEqualTo(StoredState.ABSENT);
    }

    @Test
    void delete_writesTombstone_thatFencesStaleWriters() {
        save("a", 0, "one");
        assertThat(store.delete(id("a"), 1)).isEqualTo(2);

        StoredState s = store.load(id("a"));
        assertThat(s.isTombstone()).isTrue();
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.schemaVersion()).isZero();
        assertThatThrownBy(() -> save("a", 1, "resurrect"))
                .isInstanceOfSatisfying(VersionConflictException.class,
                        e -> assertThat(e.actualVersion()).isEqualTo(2));
        assertThatThrownBy(() -> save("a", 0, "fresh"))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.delete(id("a"), 1))
                .isInstanceOf(VersionConflictException.class);
    }

    @Test
    void save_atTombstoneVersion_revivesState() {
        save("a", 0, "one");
        store.delete(id("a"), 1);
        assertThat(save("a", 2, "again")).isEqualTo(3);
        assertThat(store.load(id("a")).payload()).isEqualTo(bytes("again"));
    }

    @Test
    void delete_neverSaved_atZero_writesTombstoneAtOne() {
        assertThat(store.delete(id("never"), 0)).isEqualTo(1);
        assertThat(store.load(id("never")).isTombstone()).isTrue();
        assertThatThrownBy(() -> store.delete(id("never"), 0)).isInstanceOf(VersionConflictException.class);
    }

    @Test
    void list_ordersByUtf8Bytes_skipsTombstones_andPages() {
        // UTF-8 byte order: "" < "\0" < "A" < "Z" < "a" < "z" < "é" (C3 A9) < "中" (E4 B8 AD) < "😀" (F0 ...)
        List<String> keys = List.of("z", "😀", "A", "é", "\0", "a", "中", "Z", "", "a\0b");
        for (String k : keys) {
            save(k, 0, "v");
        }
        save("dead", 0, "v");
        store.delete(id("dead"), 1);

        List<String> all = new ArrayList<>();
        KeyCursor after = null;
        int pages = 0;
        do {
            KeyPage page = store.list(type, after, 3);
            assertThat(page.keys()).hasSizeLessThanOrEqualTo(3);
            all.addAll(page.keys());
            after = page.next();
            pages++;
        } while (after != null);

        assertThat(all).containsExactly("", "\0", "A", "Z", "a", "a\0b", "z", "é", "中", "😀");
        assertThat(pages).isEqualTo(4);
        assertThat(store.list(type, null, 10).hasMore()).isFalse();
        assertThat(store.list(type, KeyCursor.after("z"), 100).keys()).containsExactly("é", "中", "😀");
        assertThat(store.list(PgTestSupport.uniqueType(), null, 5).keys()).isEmpty();
    }

    @Test
    void list_limitOfExactlyTheRemainingKeys_reportsNoMore() {
        save("a", 0, "v");
        save("b", 0, "v");
        KeyPage page = store.list(type, null, 2);
        assertThat(page.keys()).containsExactly("a", "b");
        assertThat(page.hasMore()).isFalse();
        assertThatThrownBy(() -> store.list(type, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loadAll_returnsEveryRequestedId_inRequestOrder_acrossChunks() {
        save("live", 0, "x");
        save("dead", 0, "x");
        store.delete(id("dead"), 1);
        List<ServerId> ids = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            ids.add(id("absent-" + i));
        }
        ids.add(1_200, id("live"));
        ids.add(2_100, id("dead"));
        ids.add(id("live")); // a duplicate collapses into one entry

        Map<ServerId, StoredState> states = store.loadAll(ids);

        assertThat(states).hasSize(2_502);
        assertThat(new ArrayList<>(states.keySet())).isEqualTo(ids.subList(0, 2_502));
        assertThat(states.get(id("live")).payload()).isEqualTo(bytes("x"));
        assertThat(states.get(id("dead")).isTombstone()).isTrue();
        assertThat(states.get(id("absent-7"))).isEqualTo(StoredState.ABSENT);
        assertThat(store.loadAll(List.of())).isEmpty();
    }

    @Test
    void keysLookingLikeSql_areStoredVerbatim_andTheTableSurvives() throws Exception {
        List<String> keys = List.of("x'); DROP TABLE \"pgs_state\"; --", "' OR '1'='1", "%_\\", "\"quoted\"",
                "$1", "?", "line\nbreak", "nul\0inside");
        for (String k : keys) {
            save(k, 0, k);
        }
        for (String k : keys) {
            assertThat(store.load(id(k)).payload()).isEqualTo(bytes(k));
        }
        assertThat(store.list(type, null, 100).keys()).containsExactlyInAnyOrderElementsOf(keys);
        try (Connection c = PgTestSupport.plainDataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + PgTestSupport.SCHEMA
                     + ".pgs_state WHERE type = ?")) {
            ps.setString(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(keys.size());
            }
        }
    }

    @Test
    void keyWithUnpairedSurrogate_isRejected_becauseItHasNoUtf8Form() {
        assertThatThrownBy(() -> save("bad\uD800", 0, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.load(id("\uDC00"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(io.github.pgs.store.support.StoreChecks.keyBytes("ok\uD83D\uDE00")).hasSize(6);
    }

    @Test
    void key_ofMaxBytes_evenIncompressible_isStored_andLongerKeysAreRefusedBeforeWriting() {
        StringBuilder sb = new StringBuilder("ab");
        java.util.Random random = new java.util.Random(7);
        while (sb.length() < 2 + (PostgresStorage.MAX_KEY_BYTES - 2) / 3) {
            sb.append((char) (0x4E00 + random.nextInt(0x5000))); // CJK: 3 bytes each, no repeats to compress
        }
        String max = sb.toString();
        assertThat(bytes(max)).hasSize(PostgresStorage.MAX_KEY_BYTES);
        save(max, 0, "v");
        assertThat(store.load(id(max)).version()).isEqualTo(1);
        assertThat(store.list(type, null, 10).keys()).containsExactly(max);

        String tooLong = max + "x";
        assertThatThrownBy(() -> save(tooLong, 0, "v")).isInstanceOfSatisfying(KeyTooLongException.class, e -> {
            assertThat(e.size()).isEqualTo(PostgresStorage.MAX_KEY_BYTES + 1);
            assertThat(e.limit()).isEqualTo(PostgresStorage.MAX_KEY_BYTES);
        });
        assertThatThrownBy(() -> store.delete(id(tooLong), 0)).isInstanceOf(KeyTooLongException.class);
        assertThat(store.load(id(tooLong))).isEqualTo(StoredState.ABSENT);
        assertThat(store.list(type, KeyCursor.after(tooLong), 10).keys()).isEmpty();
    }

    @Test
    void history_rowsLeftByAStoreThatHasNotSeenHistory_neverShow_andArePrunedLater() throws Exception {
        PostgresOptions options = PgTestSupport.options()
                .table("pgs_history_" + PgTestSupport.uniqueType().replace('-', '_')).build();
        try (PostgresStorage plain = PgTestSupport.open(options);
             PostgresStorage keeper = PgTestSupport.open(options)) {
            plain.save(new StateWrite(id("k"), 0, bytes("v1"), 1)); // its first batch finds no history rows
            for (int v = 1; v < 4; v++) {
                keeper.save(new StateWrite(id("k"), v, bytes("v" + (v + 1)), 1, 3));
            }
            assertThat(plain.history(id("k"))).extracting(StoredState::version).containsExactly(3L, 2L, 1L);

            plain.save(new StateWrite(id("k"), 4, bytes("v5"), 1));

            assertThat(historyRows(options)).as("rows the plain store did not delete").isEqualTo(3);
            assertThat(plain.history(id("k"))).isEmpty();
            assertThat(keeper.history(id("k"))).isEmpty();

            keeper.save(new StateWrite(id("k"), 5, bytes("v6"), 1, 3));
            assertThat(keeper.history(id("k"))).extracting(StoredState::version).containsExactly(5L);
            keeper.save(new StateWrite(id("k"), 6, bytes("v7"), 1, 3));
            keeper.save(new StateWrite(id("k"), 7, bytes("v8"), 1, 3));
            assertThat(plain.history(id("k"))).extracting(StoredState::version).containsExactly(7L, 6L, 5L);
            assertThat(historyRows(options)).as("leftovers pruned by later saves with a depth").isEqualTo(3);

            plain.delete(id("k"), 8);
            assertThat(keeper.history(id("k"))).isEmpty();
            keeper.save(new StateWrite(id("k"), 9, bytes("v10"), 1, 0));
            keeper.save(new StateWrite(id("k"), 10, bytes("v11"), 1, 0));
            assertThat(historyRows(options)).as("a store that keeps history deletes it on depth 0").isZero();
        } finally {
            PgTestSupport.execute("DROP TABLE IF EXISTS " + options.qualifiedTable() + ", "
                    + options.qualifiedHistoryTable());
        }
    }

    @Test
    void history_ofTheLongestTableName_goesToADistinctTable() throws Exception {
        String table = "t".repeat(63);
        PostgresOptions options = PgTestSupport.options().table(table).build();
        assertThat(options.historyTable()).hasSize(63).endsWith("_history").isNotEqualTo(table);
        try (PostgresStorage longNamed = PgTestSupport.open(options)) {
            longNamed.save(new StateWrite(id("k"), 0, bytes("v1"), 1, 1));
            longNamed.save(new StateWrite(id("k"), 1, bytes("v2"), 1, 1));

            assertThat(longNamed.history(id("k"))).extracting(StoredState::version).containsExactly(1L);
            assertThat(longNamed.load(id("k")).version()).isEqualTo(2);
        } finally {
            PgTestSupport.execute("DROP TABLE IF EXISTS " + options.qualifiedTable() + ", "
                    + options.qualifiedHistoryTable());
        }
    }

    private static int historyRows(PostgresOptions options) throws Exception {
        try (Connection c = PgTestSupport.plainDataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + options.qualifiedHistoryTable());
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void afterClose_everyMethodThrowsStorageException_andCloseIsIdempotent() {
        save("a", 0, "x");
        store.close();
        store.close();

        assertThatThrownBy(() -> store.load(id("a"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.loadAll(List.of(id("a")))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> save("a", 1, "y")).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.delete(id("a"), 1)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.list(type, null, 1)).isInstanceOf(StorageException.class);
        assertThat(store.toString()).contains("closed");
    }
}
