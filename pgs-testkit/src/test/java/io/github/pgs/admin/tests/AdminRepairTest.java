package io.github.pgs.admin.tests;

import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.VersionConflictException;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.NotStoredException;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.StoredVersionState;
import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import io.github.pgs.testkit.FaultInjectingStorage;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rolling back and rendering kept versions through the admin API, with a runtime and on a bare store. */
class AdminRepairTest {

    private final ManualTime time = new ManualTime();
    private final ClockedStorage store = new ClockedStorage(time);
    private final ServerRuntime runtime = ServerRuntime.builder()
            .storage(store)
            .timeSource(time)
            .scheduler(time)
            .shutdownTimeout(Duration.ofSeconds(10))
            .register(ServerType.builder(Tally.class).options(TypeOptions.builder()
                    .restartIntensity(0, Duration.ofMinutes(1)).historyDepth(3).build()).build())
            .build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void inspectVersion_rendersTheCurrentAndEachKeptVersion_likeInspect() {
        ServerRef ref = runtime.ref(Tally.class, "vorpal");
        ref.call(new Tally.Add(1));
        ref.call(new Tally.Add(2));
        Admin admin = Admin.of(runtime);

        StoredVersionState first = admin.inspectVersion(ref.id(), 1);
        StoredVersionState current = admin.inspectVersion(ref.id(), 2);

        assertThat(first.format()).isEqualTo(ServerInfo.Format.JSON);
        assertThat(first.state()).contains("\"count\": 1");
        assertThat(current.state()).isEqualTo(admin.inspect(ref.id()).state()).contains("\"count\": 3");
        assertThat(current.version()).isEqualTo(2);
        assertThatThrownBy(() -> admin.inspectVersion(ref.id(), 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no kept version 7");
        assertThatThrownBy(() -> admin.inspectVersion(new ServerId("tally", "never"), 1))
                .isInstanceOf(NotStoredException.class);
    }

    @Test
    void rollback_throughTheRuntime_writesTheOlderStateAsANewVersion_andLiftsTheQuarantine() {
        ServerRef ref = runtime.ref(Tally.class, "crashy");
        ref.call(new Tally.Add(5));
        ref.call(new Tally.Add(10));
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThatThrownBy(() -> ref.call(new Tally.Get())).isInstanceOf(QuarantinedException.class);

        long v = Admin.of(runtime).rollback(ref.id(), 1);

        assertThat(v).isEqualTo(3);
        assertThat(runtime.isQuarantined(ref.id())).isFalse();
        assertThat(ref.call(new Tally.Get())).isEqualTo(5);
    }

    @Test
    void rollback_onABareStore_isVersionChecked_andKeepsEveryKeptVersion() {
        ServerRef ref = runtime.ref(Tally.class, "bare");
        ref.call(new Tally.Add(1));
        ref.call(new Tally.Add(1));
        ref.call(new Tally.Add(1));
        runtime.petrify(ref.id());
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        Admin bare = Admin.of(store, JsonStateCodec.create());

        long v = bare.rollback(ref.id(), 2);

        assertThat(v).isEqualTo(4);
        StoredState now = store.load(ref.id());
        assertThat(new String(now.payload(), StandardCharsets.UTF_8)).contains("\"count\":1");
        assertThat(store.history(ref.id())).extracting(StoredState::version).containsExactly(3L, 2L, 1L);
        assertThat(ref.call(new Tally.Get())).isEqualTo(1);
    }

    @Test
    void rollback_refusesOutOfRangeSteps_andNothingStored() {
        ServerRef ref = runtime.ref(Tally.class, "short");
        ref.call(new Tally.Add(1));
        Admin bare = Admin.of(store, JsonStateCodec.create());

        assertThatThrownBy(() -> bare.rollback(ref.id(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bare.rollback(ref.id(), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keeps 0 older versions");
        assertThatThrownBy(() -> bare.rollback(new ServerId("tally", "never"), 1))
                .isInstanceOf(NotStoredException.class);
    }

    @Test
    void rollback_onABareStore_losesToAConcurrentWriter_withoutOverwritingIt() {
        ServerId id = new ServerId("blob", "raced");
        store.save(new StateWrite(id, 0, "{\"n\":1}".getBytes(StandardCharsets.UTF_8), 1, 2));
        store.save(new StateWrite(id, 1, "{\"n\":2}".getBytes(StandardCharsets.UTF_8), 1, 2));
        // another writer gets in between the rollback's read of the current version and its write
        FaultInjectingStorage racing = new FaultInjectingStorage(store).conflictNextSaves(id, 1);
        Admin bare = Admin.of(racing, JsonStateCodec.create());

        assertThatThrownBy(() -> bare.rollback(id, 1)).isInstanceOf(VersionConflictException.class);
        StoredState now = store.load(id);
        assertThat(now.version()).isEqualTo(3);
        assertThat(new String(now.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":2}");
    }
}
