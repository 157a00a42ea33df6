package io.github.pgs.micrometer.runtime;

import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.sqlite.SqliteStorage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.github.pgs.micrometer.PgsInstruments.*;
import static org.assertj.core.api.Assertions.assertThat;

/** On SQLite the store's group commit reports its batches: every write of the runtime is in exactly one batch. */
class RuntimeSqliteMetricsTest {

    @Test
    void everyWrite_isInOneGroupCommitBatch(@TempDir Path dir) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (ServerRuntime runtime = ServerRuntime.builder().storage(SqliteStorage.open(dir.resolve("m.db")))
                .closeStorage(true).register(ServerType.builder(Tally.class).options(TypeOptions.DEFAULTS).build())
                .observer(MicrometerObserver.of(meters)).build()) {
            Tally.runtime = runtime;
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int caller = c;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        runtime.ref(Tally.class, caller + "-" + (i % 5)).call(new Tally.Inc());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
        Timer writes = meters.get(STORE).tags(STORE_TAG, "sqlite", OPERATION, "write", OUTCOME, "ok").timer();
        assertThat(writes.count()).isEqualTo(200);
        DistributionSummary batches = meters.get(STORE_BATCH_SIZE).tags(STORE_TAG, "sqlite").summary();
        assertThat(batches.count()).isPositive();
        assertThat((long) batches.totalAmount()).isEqualTo(writes.count());
        assertThat(meters.get(STORE_BATCH).tags(STORE_TAG, "sqlite", OUTCOME, "ok").timer().count())
                .isEqualTo(batches.count());
    }
}
