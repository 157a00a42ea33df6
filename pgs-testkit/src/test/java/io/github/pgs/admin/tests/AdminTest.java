package io.github.pgs.admin.tests;

import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.VersionConflictException;
import io.github.pgs.WriteMode;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.Deletion;
import io.github.pgs.admin.ExpireFailedException;
import io.github.pgs.admin.ExpireReport;
import io.github.pgs.admin.NotStoredException;
import io.github.pgs.admin.ServerEntry;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.ServerPage;
import io.github.pgs.admin.ServerStatus;
import io.github.pgs.admin.StoredVersion;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The admin API through a runtime on manual time, and on a bare store. */
class AdminTest {

    private static final Duration DAY = Duration.ofDays(1);

    private final ManualTime time = new ManualTime();
    private final ClockedStorage store = new ClockedStorage(time);
    private final List<ServerRuntime> runtimes = new ArrayList<>();
    private ServerRuntime runtime;
    private Admin admin;

    @BeforeEach
    void start() {
        use(TypeOptions.builder().idleTimeout(Duration.ofMinutes(1)).restartIntensity(0, Duration.ofMinutes(1))
                .historyDepth(2).build());
    }

    @AfterEach
    void close() {
        for (ServerRuntime r : runtimes) {
            r.close();
        }
    }

    private void use(TypeOptions options) {
        if (runtime != null) {
            runtime.close();
        }
        runtime = ServerRuntime.builder()
                .storage(store)
                .timeSource(time)
                .scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(10))
                .register(ServerType.builder(Tally.class).options(options).build())
                .build();
        runtimes.add(runtime);
        admin = Admin.of(runtime).withClock(time);
    }

    private ServerRef tally(String key, long add) {
        ServerRef ref = runtime.ref(Tally.class, key);
        ref.call(new Tally.Add(add));
        return ref;
    }

    private void petrifyAll() {
        time.advance(Duration.ofMinutes(2));
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        assertThat(runtime.activeCount()).isZero();
    }

    private static ServerId id(String key) {
        return new ServerId("tally", key);
    }

    // ---------------------------------------------------------------- list and count

    @Test
    void list_reportsActivePetrifiedAndQuarantined() {
        Instant t0 = Instant.ofEpochMilli(time.currentTimeMillis());
        tally("a-petrified", 1);
        tally("b-quarantined", 2);
        petrifyAll();
        tally("c-active", 3);
        ServerRef bad = runtime.ref(Tally.class, "b-quarantined");
        assertThatThrownBy(() -> bad.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThatThrownBy(() -> bad.call(new Tally.Get())).isInstanceOf(QuarantinedException.class);

        ServerPage page = admin.list("tally", null, 10);

        assertThat(page.entries()).extracting(ServerEntry::key, ServerEntry::status).containsExactly(
                tuple("a-petrified", ServerStatus.PETRIFIED),
                tuple("b-quarantined", ServerStatus.QUARANTINED),
                tuple("c-active", ServerStatus.ACTIVE));
        assertThat(page.entries()).allSatisfy(e -> {
            assertThat(e.version()).isEqualTo(1);
            assertThat(e.schemaVersion()).isEqualTo(1);
            assertThat(e.payloadBytes()).isEqualTo(store.memory.load(e.id()).payload().length);
        });
        assertThat(page.entries()).extracting(ServerEntry::updatedAt)
                .containsExactly(t0, t0, t0.plus(Duration.ofMinutes(2)));
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void list_pagesInKeyOrder_andSkipsDeletedStates() {
        for (String k : List.of("e", "b", "d", "a", "c", "\uD83D\uDE00", "\u00e9")) {
            tally(k, 1);
        }
        admin.delete(id("c"));

        List<String> keys = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        KeyCursor after = null;
        do {
            ServerPage p = admin.list("tally", after, 2);
            p.entries().forEach(e -> keys.add(e.key()));
            sizes.add(p.entries().size());
            after = p.next();
        } while (after != null);

        assertThat(keys).containsExactly("a", "b", "d", "e", "\u00e9", "\uD83D\uDE00");
        assertThat(sizes).containsExactly(2, 2, 2);
        assertThat(admin.count("tally")).isEqualTo(6);
        assertThat(admin.count("nothing-here")).isZero();
    }

    @Test
    void list_refusesBadArguments() {
        assertThatThrownBy(() -> admin.list("tally", null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.list("tally", null, Admin.MAX_PAGE_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.list("no spaces", null, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- inspect

    @Test
    void inspect_rendersTheStateAsIndentedJson_withVersionsAndKeptHistory() {
        ServerRef ref = tally("vorpal", 5);
        ref.call(new Tally.Tag("red"));
        ref.call(new Tally.Tag("blue \"quoted\""));

        ServerInfo info = admin.inspect(ref.id());

        assertThat(info.status()).isEqualTo(ServerStatus.ACTIVE);
        assertThat(info.version()).isEqualTo(3);
        assertThat(info.schemaVersion()).isEqualTo(1);
        assertThat(info.codec()).isEqualTo("json");
        assertThat(info.format()).isEqualTo(ServerInfo.Format.JSON);
        assertThat(info.payloadBytes()).isEqualTo(store.memory.load(ref.id()).payload().length);
        assertThat(info.state()).isEqualTo("""
                {
                  "name": "vorpal",
                  "count": 5,
                  "tags": [
                    "red",
                    "blue \\"quoted\\""
                  ]
                }""");
        assertThat(info.historySupported()).isTrue();
        assertThat(info.history()).extracting(StoredVersion::version).containsExactly(2L, 1L);
    }

    @Test
    void inspect_ofAStateNeverWrittenOrDeleted_throwsNotStored() {
        tally("gone", 1);
        admin.delete(id("gone"));

        assertThatThrownBy(() -> admin.inspect(id("never")))
                .isInstanceOfSatisfying(NotStoredException.class, e -> {
                    assertThat(e.wasDeleted()).isFalse();
                    assertThat(e.serverId()).isEqualTo(id("never"));
                });
        assertThatThrownBy(() -> admin.inspect(id("gone")))
                .isInstanceOfSatisfying(NotStoredException.class, e -> assertThat(e.tombstoneVersion()).isEqualTo(2));
    }

    @Test
    void inspect_onABareStore_withABinaryCodec_rendersHex_andTextCodecsFallBackToText() {
        ServerId bin = new ServerId("blob", "x");
        store.save(new StateWrite(bin, 0, new byte[] {0, 1, (byte) 0xAB, (byte) 0xFF}, 3));
        ServerId text = new ServerId("blob", "t");
        store.save(new StateWrite(text, 0, "not json {".getBytes(StandardCharsets.UTF_8), 1));
        ServerId badUtf8 = new ServerId("blob", "u");
        store.save(new StateWrite(badUtf8, 0, new byte[] {'{', (byte) 0xC3}, 1));

        ServerInfo hex = Admin.of(store, new BytesCodec(false)).inspect(bin);
        Admin textAdmin = Admin.of(store, new BytesCodec(true));

        assertThat(hex.format()).isEqualTo(ServerInfo.Format.HEX);
        assertThat(hex.state()).isEqualTo("0001abff");
        assertThat(hex.schemaVersion()).isEqualTo(3);
        assertThat(hex.status()).isEqualTo(ServerStatus.STORED);
        assertThat(hex.codec()).isEqualTo("bytes");
        assertThat(textAdmin.inspect(text).format()).isEqualTo(ServerInfo.Format.TEXT);
        assertThat(textAdmin.inspect(text).state()).isEqualTo("not json {");
        assertThat(textAdmin.inspect(badUtf8).format()).isEqualTo(ServerInfo.Format.HEX);
        assertThat(textAdmin.list("blob", null, 10).entries()).extracting(ServerEntry::status)
                .containsOnly(ServerStatus.STORED);
    }

    @Test
    void inspect_reindentsJsonKeepingTokensAsStored_andShowsAnythingButOneJsonValueAsText() {
        Admin text = Admin.of(store, new BytesCodec(true));
        ServerId doc = new ServerId("doc", "x");
        store.save(new StateWrite(doc, 0,
                " {\"a\":[1,-2.5e+3,true,null,{}],\"b\":[],\"c\":\"x\\u0041\\n\"} ".getBytes(StandardCharsets.UTF_8), 1));

        assertThat(text.inspect(doc).state()).isEqualTo("""
                {
                  "a": [
                    1,
                    -2.5e+3,
                    true,
                    null,
                    {}
                  ],
                  "b": [],
                  "c": "x\\u0041\\n"
                }""");
        List<String> notOneValue = List.of("", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"raw\ttab\"", "{} {}", "tru",
                "{1:2}", "\"\\x\"");
        long version = 1;
        for (String bad : notOneValue) {
            store.save(new StateWrite(doc, version++, bad.getBytes(StandardCharsets.UTF_8), 1));
            ServerInfo info = text.inspect(doc);
            assertThat(info.format()).as(bad).isEqualTo(ServerInfo.Format.TEXT);
            assertThat(info.state()).isEqualTo(bad);
        }
        store.save(new StateWrite(doc, version, "42".getBytes(StandardCharsets.UTF_8), 1));
        assertThat(text.inspect(doc).format()).isEqualTo(ServerInfo.Format.JSON);
    }

    // ---------------------------------------------------------------- delete

    @Test
    void delete_ofAnActiveServer_petrifiesItFirst_soItsStateIsNeverServedOrWrittenAgain() {
        use(TypeOptions.builder().writeMode(WriteMode.WRITE_BEHIND).writeBehindDelay(Duration.ofMinutes(5)).build());
        ServerRef ref = tally("live", 7);
        ref.call(new Tally.Add(1)); // held in memory, not yet written
        assertThat(runtime.isActive(ref.id())).isTrue();

        Deletion d = admin.delete(ref.id());

        assertThat(runtime.isActive(ref.id())).isFalse();
        StoredState stored = store.load(ref.id());
        assertThat(stored.isTombstone()).isTrue();
        assertThat(d.tombstoneVersion()).isEqualTo(stored.version());
        assertThat(ref.call(new Tally.Get())).as("starts fresh via init").isZero();
        assertThat(ref.call(new Tally.Add(2))).isEqualTo(2);
        runtime.petrify(ref.id());
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        assertThat(store.load(ref.id()).version()).as("written after the tombstone").isGreaterThan(d.tombstoneVersion());
        assertThat(admin.inspect(ref.id()).state()).contains("\"count\": 2");
    }

    @Test
    void delete_ofAQuarantinedServer_liftsTheQuarantine() {
        ServerRef ref = tally("crashy", 4);
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThat(admin.status(ref.id())).isEqualTo(ServerStatus.QUARANTINED);

        Deletion d = admin.delete(ref.id(), 1);

        assertThat(d.deletedVersion()).isEqualTo(1);
        assertThat(admin.status(ref.id())).isEqualTo(ServerStatus.PETRIFIED);
        assertThat(ref.call(new Tally.Get())).isZero();
    }

    @Test
    void delete_withAStaleVersion_isRefused_andKeepsTheState() {
        ServerRef ref = tally("moving", 1);
        ref.call(new Tally.Add(1));

        assertThatThrownBy(() -> admin.delete(ref.id(), 1))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
        assertThat(admin.inspect(ref.id()).version()).isEqualTo(2);
        assertThat(ref.call(new Tally.Get())).isEqualTo(2);
    }

    @Test
    void delete_withTheCurrentVersion_ofAnActiveServer_petrifiesThenDeletes() {
        ServerRef ref = tally("exact", 3);

        Deletion d = admin.delete(ref.id(), 1);

        assertThat(d.tombstoneVersion()).isEqualTo(2);
        assertThat(ref.call(new Tally.Get())).isZero();
    }

    @Test
    void delete_ofNothingStored_throwsNotStored() {
        tally("twice", 1);
        admin.delete(id("twice"));

        assertThatThrownBy(() -> admin.delete(id("twice"))).isInstanceOf(NotStoredException.class);
        assertThatThrownBy(() -> admin.delete(id("never"))).isInstanceOf(NotStoredException.class);
        assertThatThrownBy(() -> admin.delete(id("twice"), 2)).isInstanceOf(NotStoredException.class);
        assertThat(store.load(id("twice")).version()).as("no tombstone over a tombstone").isEqualTo(2);
    }

    @Test
    void delete_onABareStore_stillFencesOffAStaleWriter() {
        ServerRef ref = tally("fenced", 1);
        Admin bare = Admin.of(store, runtime.codec());

        bare.delete(ref.id());

        assertThat(runtime.isActive(ref.id())).as("a bare store cannot stop it").isTrue();
        assertThatThrownBy(() -> ref.call(new Tally.Add(1))).isInstanceOf(PersistenceException.class);
        assertThat(store.load(ref.id()).isTombstone()).isTrue();
        assertThat(ref.call(new Tally.Get())).as("the next activation starts fresh").isZero();
    }

    // ---------------------------------------------------------------- expire

    @Test
    void expire_dryRun_listsOldStates_andDeletesNothing() {
        tally("old-1", 1);
        tally("old-2", 1);
        petrifyAll();
        time.advance(DAY.multipliedBy(10));
        tally("fresh", 1);

        ExpireReport r = admin.expire("tally", DAY.multipliedBy(5), true);

        assertThat(r.dryRun()).isTrue();
        assertThat(r.ids()).containsExactly(id("old-1"), id("old-2"));
        assertThat(r.examined()).isEqualTo(3);
        assertThat(r.cutoff()).isEqualTo(Instant.ofEpochMilli(time.currentTimeMillis()).minus(DAY.multipliedBy(5)));
        assertThat(admin.count("tally")).isEqualTo(3);
    }

    @Test
    void expire_deletesStatesNotWrittenSinceTheCutoff_andKeepsThoseWrittenAfter() {
        ServerRef old = tally("old", 1);
        tally("touched", 1);
        petrifyAll();
        time.advance(DAY.multipliedBy(4));
        runtime.ref(Tally.class, "touched").call(new Tally.Add(1)); // written 4 days later
        petrifyAll();
        time.advance(DAY.multipliedBy(2));

        ExpireReport r = admin.expire("tally", DAY.multipliedBy(5), false);

        assertThat(r.dryRun()).isFalse();
        assertThat(r.ids()).containsExactly(id("old"));
        assertThat(r.expired().get(0).version()).isEqualTo(1);
        assertThat(store.load(id("old")).isTombstone()).isTrue();
        assertThat(admin.inspect(id("touched")).version()).isEqualTo(2);
        assertThat(old.call(new Tally.Get())).as("an expired server's ref starts it fresh").isZero();
    }

    @Test
    void expire_atExactlyTheCutoff_expires() {
        tally("edge", 1);
        petrifyAll();
        time.advance(DAY.minus(Duration.ofMinutes(2)));

        assertThat(admin.expire("tally", DAY, true).ids()).containsExactly(id("edge"));
        assertThat(admin.expire("tally", DAY.plusMillis(1), true).ids()).isEmpty();
    }

    @Test
    void expire_skipsActiveServers_andDeletesQuarantinedOnes() {
        ServerRef active = runtime.ref(Tally.class, "active");
        tally("active", 1);
        ServerRef crashy = tally("crashy", 1);
        assertThatThrownBy(() -> crashy.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        time.advance(DAY.multipliedBy(3)); // idle timeout passes too: keep "active" busy with a read
        active.call(new Tally.Get());
        assertThat(runtime.isActive(active.id())).isTrue();

        ExpireReport r = admin.expire("tally", DAY, false);

        assertThat(r.ids()).containsExactly(id("crashy"));
        assertThat(r.skippedActive()).isEqualTo(1);
        assertThat(runtime.isQuarantined(crashy.id())).isFalse();
        assertThat(crashy.call(new Tally.Get())).isZero();
        assertThat(active.call(new Tally.Get())).isEqualTo(1);
    }

    @Test
    void expire_skipsAStateWrittenBetweenTheCheckAndTheDeletion() {
        tally("racing", 1);
        tally("quiet", 1);
        petrifyAll();
        time.advance(DAY.multipliedBy(2));
        store.afterNextLoadAll(() -> {
            ServerRef racing = runtime.ref(Tally.class, "racing");
            racing.call(new Tally.Add(1));
            runtime.petrify(racing.id());
            assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        });

        ExpireReport r = admin.expire("tally", DAY, false);

        assertThat(r.ids()).containsExactly(id("quiet"));
        assertThat(r.skippedChanged()).isEqualTo(1);
        assertThat(r.skippedActive()).isZero();
        assertThat(admin.inspect(id("racing")).version()).isEqualTo(2);
        assertThat(runtime.ref(Tally.class, "racing").call(new Tally.Get())).isEqualTo(2);
    }

    @Test
    void expire_stoppedByAStoreFailure_saysWhatItDeletedBefore() {
        for (String k : List.of("a", "b", "c")) {
            tally(k, 1);
        }
        petrifyAll();
        time.advance(DAY.multipliedBy(2));
        store.failDeletesAfter(1);

        assertThatThrownBy(() -> admin.expire("tally", DAY, false))
                .isInstanceOfSatisfying(ExpireFailedException.class, e -> {
                    assertThat(e.deleted()).containsExactly(id("a"));
                    assertThat(e.type()).isEqualTo("tally");
                    assertThat(e.getCause()).hasMessageContaining("injected delete failure");
                });
        store.failDeletesAfter(-1);
        assertThat(admin.expire("tally", DAY, false).ids()).containsExactly(id("b"), id("c"));
    }

    @Test
    void expire_refusesANonPositiveAge() {
        assertThatThrownBy(() -> admin.expire("tally", Duration.ZERO, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.expire("tally", Duration.ofDays(-1), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_anEphemeralRuntime_isRefused() {
        assertThatThrownBy(() -> Admin.of(ServerRuntime.ephemeral())).isInstanceOf(IllegalArgumentException.class);
    }

    /** A codec for byte arrays, text or binary as told: enough for rendering tests. */
    private record BytesCodec(boolean text) implements StateCodec {
        @Override
        public String name() {
            return "bytes";
        }

        @Override
        public byte[] encode(Object value, Type type) {
            return ((byte[]) value).clone();
        }

        @Override
        public Object decode(byte[] bytes, Type type, RefResolver refs) {
            return bytes.clone();
        }

        @Override
        public boolean isText() {
            return text;
        }
    }
}
