package io.github.pgs.redis;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisStorageTest {

    private static final String NAMESPACE = RedisTestSupport.newNamespace("store");
    private static final AtomicInteger TYPES = new AtomicInteger();

    private RedisStorage store;

    @BeforeEach
    void open() {
        store = RedisStorage.open(RedisTestSupport.uri(), RedisOptions.builder().namespace(NAMESPACE).build());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @AfterAll
    static void purge() {
        RedisTestSupport.purge(NAMESPACE);
    }

    private static String newType() {
        return "type" + TYPES.incrementAndGet();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void save_thenLoad_roundTripsPayloadSchemaVersionAndTime() {
        ServerId id = new ServerId(newType(), "k");
        long before = System.currentTimeMillis();

        assertThat(store.save(new StateWrite(id, 0, bytes("one"), 3))).isEqualTo(1);
        assertThat(store.save(new StateWrite(id, 1, new byte[] {0, -1, 7}, 4))).isEqualTo(2);

        StoredState s = store.load(id);
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.payload()).containsExactly(0, -1, 7);
        assertThat(s.schemaVersion()).isEqualTo(4);
        // The time is the Redis server's clock, on the same machine here.
        assertThat(s.updatedAtMillis()).isBetween(before - 5_000, System.currentTimeMillis() + 5_000);
        assertThat(store.load(new ServerId(id.type(), "never"))).isEqualTo(StoredState.ABSENT);
    }

    @Test
    void save_emptyPayload_isALiveState() {
        ServerId id = new ServerId(newType(), "empty");
        store.save(new StateWrite(id, 0, new byte[0], 1));

        StoredState s = store.load(id);
        assertThat(s.hasPayload()).isTrue();
        assertThat(s.payload()).isEmpty();
        assertThat(store.list(id.type(), null, 10).keys()).containsExactly("empty");
    }

    @Test
    void save_withStaleVersion_throwsConflictWithActualVersion_andChangesNothing() {
        ServerId id = new ServerId(newType(), "k");
        store.save(new StateWrite(id, 0, bytes("v1"), 1));
        store.save(new StateWrite(id, 1, bytes("v2"), 1));

        assertThatThrownBy(() -> store.save(new StateWrite(id, 1, bytes("stale"), 1)))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
        assertThatThrownBy(() -> store.save(new StateWrite(new ServerId(id.type(), "new"), 5, bytes("x"), 1)))
                .isInstanceOfSatisfying(VersionConflictException.class,
                        e -> assertThat(e.actualVersion()).isZero());
        assertThat(store.load(id).payload()).isEqualTo(bytes("v2"));
        assertThat(store.list(id.type(), null, 10).keys()).containsExactly("k");
    }

    @Test
    void delete_writesTombstoneThatKeepsItsVersion_andNoStaleWriterCanResurrect() {
        ServerId id = new ServerId(newType(), "k");
        store.save(new StateWrite(id, 0, bytes("v1"), 2));

        assertThat(store.delete(id, 1)).isEqualTo(2);

        StoredState s = store.load(id);
        assertThat(s.isTombstone()).isTrue();
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.schemaVersion()).isZero();
        assertThat(store.list(id.type(), null, 10).keys()).isEmpty();
        assertThatThrownBy(() -> store.save(new StateWrite(id, 1, bytes("stale"), 1)))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.save(new StateWrite(id, 0, bytes("fresh?"), 1)))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.delete(id, 1)).isInstanceOf(VersionConflictException.class);

        assertThat(store.save(new StateWrite(id, 2, bytes("again"), 1))).isEqualTo(3);
        assertThat(store.list(id.type(), null, 10).keys()).containsExactly("k");
    }

    @Test
    void delete_ofNeverSavedServer_writesTombstoneAtVersionOne() {
        ServerId id = new ServerId(newType(), "ghost");

        assertThat(store.delete(id, 0)).isEqualTo(1);

        assertThat(store.load(id).isTombstone()).isTrue();
        assertThat(store.list(id.type(), null, 10).keys()).isEmpty();
    }

    /** Runs {@code action} on a raw connection that reads keys and values as bytes. */
    private static <T> T withBytes(java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<byte[], byte[]>,
            T> action) {
        RedisClient client = RedisClient.create(RedisTestSupport.uri());
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            return action.apply(c.sync());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void reminders_liveInTheHashAndInOneSetPerNamespace_andLeaveNothingBehind() {
        String type = newType();
        ServerId id = new ServerId(type, "k:\u0000");
        byte[] hash = bytes(NAMESPACE + ":s:" + type + ":k:\u0000");
        byte[] set = bytes(NAMESPACE + ":r");
        long at = 0x0102_0304_0506L;
        byte[] member = new byte[8 + type.length() + 1 + 3];
        for (int i = 0; i < 8; i++) {
            member[i] = (byte) (at >>> (56 - 8 * i));
        }
        System.arraycopy(bytes(type + ":k:\u0000"), 0, member, 8, member.length - 8);

        store.save(new StateWrite(id, 0, bytes("x"), 1, 0, bytes("r1"), at));

        withBytes(redis -> {
            assertThat(redis.zscore(set, member)).as("the member of %s", id).isEqualTo(0.0);
            assertThat(redis.hget(hash, bytes("reminders"))).isEqualTo(bytes("r1"));
            assertThat(redis.hget(hash, bytes("remindAt"))).isEqualTo(Arrays.copyOf(member, 8));
            return null;
        });

        store.save(new StateWrite(id, 1, bytes("y"), 1, 0, bytes("r2"), at));
        assertThat(store.load(id).reminders()).isEqualTo(bytes("r2"));
        store.save(new StateWrite(id, 2, bytes("z"), 1));

        withBytes(redis -> {
            assertThat(redis.zscore(set, member)).as("removed by a save without reminders").isNull();
            assertThat(redis.hexists(hash, bytes("reminders"))).isFalse();
            assertThat(redis.hexists(hash, bytes("remindAt"))).isFalse();
            return null;
        });
        assertThat(store.due(at, DueCursor.startingAt(at - 1), 10).servers()).isEmpty();
    }

    @Test
    void remindAt_beyondTwoToThe53_isKeptExactly_andDueByLongMaxValue() {
        ServerId id = new ServerId(newType(), "far");
        long far = Long.MAX_VALUE - 1;

        store.save(new StateWrite(id, 0, bytes("x"), 1, 0, bytes("r"), far));

        assertThat(store.load(id).remindAtMillis()).isEqualTo(far);
        assertThat(store.due(Long.MAX_VALUE, DueCursor.startingAt(far - 1), 10).servers())
                .containsExactly(new DueServer(id, far));
        assertThat(store.due(far - 1, DueCursor.startingAt(far - 2), 10).servers()).isEmpty();
        store.delete(id, 1);
        assertThat(store.due(Long.MAX_VALUE, DueCursor.startingAt(far - 1), 10).servers()).isEmpty();
    }

    @Test
    void reminderSetOfTheWrongType_failsTheWriteBeforeItChangesAnything() {
        String namespace = RedisTestSupport.newNamespace("wrongtype");
        try (RedisStorage other = RedisStorage.open(RedisTestSupport.uri(),
                RedisOptions.builder().namespace(namespace).build())) {
            RedisTestSupport.withRaw(redis -> redis.set(namespace + ":r", "not a sorted set"));
            ServerId id = new ServerId(newType(), "k");

            assertThatThrownBy(() -> other.save(new StateWrite(id, 0, bytes("x"), 1, 0, bytes("r"), 5)))
                    .isInstanceOf(StorageException.class)
                    .isNotInstanceOf(VersionConflictException.class);

            assertThat(other.load(id)).isEqualTo(StoredState.ABSENT);
            assertThat(other.list(id.type(), null, 10).keys()).as("the type index is untouched").isEmpty();
            assertThat(other.save(new StateWrite(id, 0, bytes("x"), 1))).as("a save without reminders works")
                    .isEqualTo(1);
            assertThatThrownBy(() -> other.due(5, null, 10)).isInstanceOf(StorageException.class);
        } finally {
            RedisTestSupport.purge(namespace);
        }
    }

    @Test
    void list_ordersByUtf8Bytes_skipsTombstones_andPagesWithExclusiveCursor() {
        String type = newType();
        List<String> keys = List.of("b", "a", "ab", "\u00e9", "\uD83D\uDE00", "\uFFFD", "Z", "a\u0000", "");
        for (String k : keys) {
            store.save(new StateWrite(new ServerId(type, k), 0, bytes(k), 1));
        }
        store.delete(new ServerId(type, "ab"), 1);
        List<String> expected = keys.stream().filter(k -> !k.equals("ab"))
                .sorted(Comparator.comparing(RedisStorageTest::bytes, Arrays::compareUnsigned)).toList();

        List<String> seen = new ArrayList<>();
        KeyCursor after = null;
        int pages = 0;
        do {
            KeyPage page = store.list(type, after, 3);
            assertThat(page.keys()).hasSizeLessThanOrEqualTo(3);
            seen.addAll(page.keys());
            after = page.next();
            pages++;
        } while (after != null);

        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3); // 8 keys: 3 + 3 + 2, the last page says it is the last
        assertThat(store.list(type, KeyCursor.after("\uD83D\uDE00"), 10).keys()).isEmpty();
        assertThat(store.list("no-such-type", null, 10)).isEqualTo(new KeyPage(List.of(), null));
        assertThat(store.list("not a type: name", null, 10).keys()).isEmpty();
        assertThatThrownBy(() -> store.list(type, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loadAll_answersEveryRequestedId_absentTombstonedAndLive() {
        String type = newType();
        ServerId live = new ServerId(type, "live");
        ServerId dead = new ServerId(type, "dead");
        ServerId absent = new ServerId(type, "absent");
        store.save(new StateWrite(live, 0, bytes("x"), 1));
        store.save(new StateWrite(dead, 0, bytes("y"), 1));
        store.delete(dead, 1);

        Map<ServerId, StoredState> all = store.loadAll(List.of(absent, live, dead, live));

        assertThat(all.keySet()).containsExactly(absent, live, dead);
        assertThat(all.get(absent)).isEqualTo(StoredState.ABSENT);
        assertThat(all.get(live).payload()).isEqualTo(bytes("x"));
        assertThat(all.get(dead).isTombstone()).isTrue();
        assertThat(store.loadAll(List.of())).isEmpty();
    }

    @Test
    void hostileKeysAndTypes_neverCollide_andRoundTripExactly() {
        String t = newType();
        List<ServerId> ids = new ArrayList<>();
        for (String type : List.of(t, t + ".b", t + "-s", t + "$x")) {
            for (String key : List.of("", "\u0000", "a\u0000b", "b:c", ":", "s:" + t + ":b", "*", "?", "[a-z]",
                    "{", "{tag}x", "}", "'; redis.call('FLUSHALL') --", "]] .. redis.call('DEL', KEYS[1]) .. [[",
                    "\\", "\"", "%41", "A", "\r\n*1\r\n$8\r\nFLUSHALL\r\n", "\uD83D\uDE00", "\uD800\uDC00",
                    "\uFEFF", "\u00e9", "e\u0301")) {
                ids.add(new ServerId(type, key));
            }
        }
        // "type" + ":" + "b:c" and "type.b" + ":" + "c" and the like must all be different records.
        for (ServerId id : ids) {
            store.save(new StateWrite(id, 0, bytes(id.type() + "|" + id.key()), 1));
        }

        Map<ServerId, StoredState> loaded = store.loadAll(ids);
        for (ServerId id : ids) {
            StoredState s = loaded.get(id);
            assertThat(s.version()).as("version of %s", id).isEqualTo(1);
            assertThat(new String(s.payload(), StandardCharsets.UTF_8)).isEqualTo(id.type() + "|" + id.key());
        }
        Map<String, List<String>> listed = new HashMap<>();
        for (ServerId id : ids) {
            listed.computeIfAbsent(id.type(), type -> store.list(type, null, 1000).keys());
        }
        for (Map.Entry<String, List<String>> e : listed.entrySet()) {
            List<String> expected = ids.stream().filter(id -> id.type().equals(e.getKey())).map(ServerId::key)
                    .sorted(Comparator.comparing(RedisStorageTest::bytes, Arrays::compareUnsigned)).toList();
            assertThat(e.getValue()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void keyWithUnpairedSurrogate_isRefusedRatherThanMergedWithAnotherKey() {
        String type = newType();

        assertThatThrownBy(() -> store.save(new StateWrite(new ServerId(type, "a\uD800"), 0, bytes("x"), 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.load(new ServerId(type, "\uDC00"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list(type, null, 10).keys()).isEmpty();
    }

    @Test
    void batchWithOneConflictingEntry_failsOnlyThatEntry() throws Exception {
        String type = newType();
        int writers = 24;
        for (int i = 0; i < writers; i++) {
            store.save(new StateWrite(new ServerId(type, "k" + i), 0, bytes("v1"), 1));
        }
        // One writer and a lingering batch: the concurrent writes below travel in one pipeline.
        try (RedisStorage batching = RedisStorage.open(RedisTestSupport.uri(), RedisOptions.builder()
                .namespace(NAMESPACE).writers(1).maxBatch(writers).maxWait(Duration.ofMillis(300)).build());
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> outcomes = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                ServerId id = new ServerId(type, "k" + i);
                long expected = i == 7 ? 0 : 1; // k7 is stale
                outcomes.add(threads.submit(() -> {
                    start.await();
                    return batching.save(new StateWrite(id, expected, bytes("v2"), 1));
                }));
            }
            start.countDown();

            for (int i = 0; i < writers; i++) {
                if (i == 7) {
                    Future<Long> stale = outcomes.get(i);
                    assertThatThrownBy(stale::get).cause().isInstanceOfSatisfying(VersionConflictException.class,
                            e -> {
                                assertThat(e.expectedVersion()).isZero();
                                assertThat(e.actualVersion()).isEqualTo(1);
                            });
                } else {
                    assertThat(outcomes.get(i).get()).isEqualTo(2);
                }
            }
        }
        for (int i = 0; i < writers; i++) {
            StoredState s = store.load(new ServerId(type, "k" + i));
            assertThat(s.version()).as("k%d", i).isEqualTo(i == 7 ? 1 : 2);
            assertThat(s.payload()).isEqualTo(bytes(i == 7 ? "v1" : "v2"));
        }
    }

    @Test
    void concurrentCompareAndSetLoops_onSharedKeys_loseNoIncrement() throws Exception {
        String type = newType();
        int threads = 16;
        int incrementsPerThread = 40;
        List<ServerId> ids = List.of(new ServerId(type, "x"), new ServerId(type, "y"));
        AtomicInteger conflicts = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ServerId id = ids.get(t % ids.size());
                done.add(pool.submit(() -> {
                    for (int n = 0; n < incrementsPerThread; ) {
                        StoredState s = store.load(id);
                        long count = s.hasPayload()
                                ? Long.parseLong(new String(s.payload(), StandardCharsets.UTF_8)) : 0;
                        try {
                            store.save(new StateWrite(id, s.version(), bytes(Long.toString(count + 1)), 1));
                            n++;
                        } catch (VersionConflictException e) {
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        for (ServerId id : ids) {
            StoredState s = store.load(id);
            long perKey = (long) threads / ids.size() * incrementsPerThread;
            assertThat(s.version()).isEqualTo(perKey);
            assertThat(new String(s.payload(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(perKey));
        }
    }

    @Test
    void saveAfterScriptFlush_fallsBackToEval_andKeepsWorking() {
        ServerId id = new ServerId(newType(), "k");
        store.save(new StateWrite(id, 0, bytes("v1"), 1));

        RedisTestSupport.withRaw(redis -> redis.scriptFlush());

        assertThat(store.save(new StateWrite(id, 1, bytes("v2"), 1))).isEqualTo(2);
        assertThatThrownBy(() -> store.save(new StateWrite(id, 1, bytes("stale"), 1)))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.save(new StateWrite(id, 2, bytes("v3"), 1))).isEqualTo(3);
        assertThat(store.load(id).payload()).isEqualTo(bytes("v3"));
    }

    @Test
    void open_onClosedPort_failsFastWithStorageException_withoutCredentials() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String uri = "redis://user:s3cr3t-pa55@127.0.0.1:" + port + "/0";
        long start = System.nanoTime();

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> RedisStorage.open(uri,
                RedisOptions.builder().namespace(NAMESPACE).commandTimeout(Duration.ofSeconds(30)).build()));

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(thrown).isInstanceOf(StorageException.class).hasMessageContaining("127.0.0.1:" + port);
        assertThat(took).as("refused, not timed out").isLessThan(Duration.ofSeconds(10));
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("s3cr3t");
            assertThat(t.toString()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void open_withMalformedUri_doesNotEchoIt() {
        // Lettuce's own message for this one repeats the whole URI, password included.
        assertThatThrownBy(() -> RedisStorage.open("redis://:s3cr3t@ho st:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
    }

    @Test
    void serverPausingWrites_timesTheWriteOutWithStorageException_outcomeUnknown() {
        ServerId id = new ServerId(newType(), "k");
        try (RedisStorage impatient = RedisStorage.open(RedisTestSupport.uri(), RedisOptions.builder()
                .namespace(NAMESPACE).commandTimeout(Duration.ofMillis(200)).build())) {
            // WRITE mode holds scripts back but lets reads and CLIENT UNPAUSE through.
            RedisTestSupport.withRaw(redis -> redis.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(2_000).add("WRITE")));
            try {
                assertThatThrownBy(() -> impatient.save(new StateWrite(id, 0, bytes("x"), 1)))
                        .isExactlyInstanceOf(StorageException.class)
                        .hasMessageContaining("did not answer within PT0.2S (outcome unknown)");
                assertThat(impatient.load(id).version()).isZero();
            } finally {
                RedisTestSupport.withRaw(redis -> redis.dispatch(CommandType.CLIENT,
                        new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("UNPAUSE")));
            }
        }
    }

    @Test
    void killedConnections_reconnect_andWritesMeanwhileFailAsStorageExceptions() throws InterruptedException {
        ServerId id = new ServerId(newType(), "k");
        store.save(new StateWrite(id, 0, bytes("v1"), 1));

        int killed = RedisTestSupport.withRaw(redis -> {
            int n = 0;
            for (String line : redis.clientList().split("\n")) {
                if (line.contains(" name=pgs-" + NAMESPACE + " ")) {
                    String clientId = line.substring(3, line.indexOf(' '));
                    n += redis.clientKill(KillArgs.Builder.id(Long.parseLong(clientId))).intValue();
                }
            }
            return n;
        });
        assertThat(killed).as("the reader and the writer").isEqualTo(2);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Long saved = null;
        while (saved == null && System.nanoTime() < deadline) {
            try {
                saved = store.save(new StateWrite(id, store.load(id).version(), bytes("v2"), 1));
            } catch (VersionConflictException e) {
                throw e; // the reload above makes a conflict a bug
            } catch (StorageException e) {
                Thread.sleep(20); // rejected while reconnecting
            }
        }
        assertThat(saved).isEqualTo(2);
        assertThat(store.load(id).payload()).isEqualTo(bytes("v2"));
    }

    @Test
    void minReplicas_withoutReplicas_failsTheWriteAsOutcomeUnknown() {
        ServerId id = new ServerId(newType(), "k");
        try (RedisStorage replicated = RedisStorage.open(RedisTestSupport.uri(), RedisOptions.builder()
                .namespace(NAMESPACE).replicaAcknowledgements(1, Duration.ofMillis(50)).build())) {

            assertThatThrownBy(() -> replicated.save(new StateWrite(id, 0, bytes("x"), 1)))
                    .isExactlyInstanceOf(StorageException.class)
                    .hasMessageContaining("acknowledged by 0 of 1 replicas");

            assertThat(replicated.load(id).version()).as("the primary has it").isEqualTo(1);
        }
    }

    @Test
    void closedStore_throwsStorageExceptionEverywhere_andCloseIsIdempotent() {
        ServerId id = new ServerId(newType(), "k");
        store.close();
        store.close();

        assertThatThrownBy(() -> store.load(id)).isInstanceOf(StorageException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.loadAll(List.of(id))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.save(new StateWrite(id, 0, bytes("x"), 1)))
                .isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.delete(id, 0)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.list(id.type(), null, 1)).isInstanceOf(StorageException.class);
    }

    @Test
    void userSuppliedClient_staysUsableAfterTheStoreCloses() {
        RedisURI uri = RedisURI.create(RedisTestSupport.uri());
        RedisClient client = RedisClient.create();
        try {
            ServerId id = new ServerId(newType(), "k");
            RedisOptions options = RedisOptions.builder().namespace(NAMESPACE).build();
            try (RedisStorage mine = RedisStorage.open(client, uri, options)) {
                mine.save(new StateWrite(id, 0, bytes("x"), 1));
            }
            try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
                assertThat(c.sync().ping()).isEqualTo("PONG");
            }
            assertThat(store.load(id).version()).isEqualTo(1);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void options_refuseNamespacesThatCouldShareKeys_andUnboundedWaits() {
        assertThatThrownBy(() -> RedisOptions.builder().namespace("a:b").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisOptions.builder().namespace("").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisOptions.builder().maxBatch(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisOptions.builder().commandTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisOptions.builder()
                .replicaAcknowledgements(1, RedisOptions.DEFAULT_COMMAND_TIMEOUT).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> RedisOptions.defaults().toBuilder().build()).doesNotThrowAnyException();
        assertThat(RedisOptions.defaults().toBuilder().build()).isEqualTo(RedisOptions.defaults());
    }
}
