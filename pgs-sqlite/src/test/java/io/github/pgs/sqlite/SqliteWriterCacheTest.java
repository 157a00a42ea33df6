package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * States larger than a page, rewritten with one byte changed (the update SQLite does in place, page by page),
 * with a writer cache far smaller than the states and with the default one: every state reads back as last
 * written, in this store and after reopening the file.
 */
class SqliteWriterCacheTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {SqliteOptions.MIN_WRITER_CACHE_BYTES, SqliteOptions.DEFAULT_WRITER_CACHE_BYTES})
    void bigStates_rewrittenInPlace_readBackAsLastWritten(long cacheBytes) {
        Path file = dir.resolve("cache-" + cacheBytes + ".db");
        Random rnd = new Random(cacheBytes);
        int n = 200;
        List<ServerId> ids = new ArrayList<>();
        byte[][] states = new byte[n][];
        long[] versions = new long[n];
        try (SqliteStorage store = SqliteStorage.builder(file).writerCacheBytes(cacheBytes).open()) {
            assertThat(store.options().writerCacheBytes()).isEqualTo(cacheBytes);
            for (int i = 0; i < n; i++) {
                ids.add(new ServerId("ledger", "k" + i));
                states[i] = new byte[8192 + i];
                rnd.nextBytes(states[i]);
                versions[i] = store.save(new StateWrite(ids.get(i), 0, states[i].clone(), 1));
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < n; i++) {
                    states[i][rnd.nextInt(states[i].length)]++;
                    versions[i] = store.save(new StateWrite(ids.get(i), versions[i], states[i].clone(), 1));
                }
            }
            assertReadBack(store, ids, states, versions);
        }
        try (SqliteStorage reopened = SqliteStorage.open(file)) {
            assertReadBack(reopened, ids, states, versions);
        }
    }

    private static void assertReadBack(SqliteStorage store, List<ServerId> ids, byte[][] states, long[] versions) {
        Map<ServerId, StoredState> loaded = store.loadAll(ids);
        for (int i = 0; i < ids.size(); i++) {
            StoredState s = loaded.get(ids.get(i));
            assertThat(s.version()).as("version of %s", ids.get(i)).isEqualTo(versions[i]).isEqualTo(4);
            assertThat(s.payload()).as("payload of %s", ids.get(i)).isEqualTo(states[i]);
        }
    }
}
