package io.github.pgs.testkit.tck;

import io.github.pgs.GenServerException;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.CountReport;
import io.github.pgs.admin.ExpireReport;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.ServerPage;
import io.github.pgs.admin.StateText;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;
import io.github.pgs.testkit.ManualTime;
import io.github.pgs.testkit.ServerTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hostile-row kit: rows that another program, a bad migration, a damaged disk or an attacker with write access
 * to the store could leave behind, put under a real runtime, its admin API and its scans. For each kind of row the
 * kit checks that listing, counting, expiry, recovery, the reminder poller and {@code Admin.inspect} end in bounded
 * time, skip or quarantine the bad row without touching it, report it, and keep serving every other server.
 *
 * <h2>Running it against your store</h2>
 * Extend it like {@link StorageContract}, with the same store, and a {@link RawRows} for the rows your store would
 * never write itself:
 * <pre>{@code
 * class MyStoreHostileRowTest extends HostileRowContract {
 *     protected Storage newStorage() { return new MyStorage(...); }
 *     protected RawRows rawRows() { return new MyRawRows(...); }   // or null: those cases are skipped
 * }
 * }</pre>
 * The runtime uses the state codec found on the class path, as {@link ServerRuntime} does ({@code pgs-jackson} as
 * a test dependency), the manual clock, and fresh type names per test, so a shared database needs no cleaning.
 * Every case fails, rather than hangs, after {@value #CASE_TIMEOUT_SECONDS} seconds.
 *
 * <h2>The rows</h2>
 * Keys that are not valid UTF-8 (501 of them), type names no server can have, a version no store writes, reminder
 * blobs that do not decode, due rows that cannot be read, remember-active markers that do not parse, states nested
 * 100,000 deep, numbers with huge exponents
 * and a million digits, NUL and terminal control characters, a state written by a newer schema, a payload larger
 * than any codec limit, and bytes that are not text at all.
 */
public abstract class HostileRowContract extends StoreSuite {

    /** How long one case may take before it fails as a hang. */
    protected static final int CASE_TIMEOUT_SECONDS = 120;
    private static final AtomicLong TYPES = new AtomicLong();
    private static final int BAD_KEYS = 501;

    private final ManualTime time = new ManualTime();
    private final List<ServerRuntime> runtimes = new ArrayList<>();

    /** For subclasses. */
    protected HostileRowContract() {
    }

    @Override
    void beforeClose() {
        for (ServerRuntime r : runtimes) {
            r.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scans over rows that cannot be read

    /**
     * 501 keys that are not valid UTF-8 and one record with an impossible version, beside good servers: the admin's
     * count, listing (page by page) and expiry end, count and list the good servers, report how many rows they
     * skipped, and the good servers keep answering; the corrupt one fails alone with a typed error.
     */
    @Test
    public void adminScans_skipRowsTheyCannotRead_andEveryOtherServerKeepsWorking() throws Exception {
        RawRows raw = requireRawRows();
        inTime(() -> {
            String type = newType();
            ServerRuntime runtime = runtime(kit(type, LifecyclePolicy.TRANSIENT));
            for (String key : List.of("a", "b", "c")) {
                assertThat(runtime.ref(new ServerId(type, key)).call(new KitServer.Add(1))).isEqualTo(1L);
            }
            runtime.petrify(new ServerId(type, "b"));
            settle(runtime);
            plantBadKeys(type);
            raw.corruptVersion(new ServerId(type, "b"));
            Admin admin = Admin.of(runtime);

            try (LogCapture log = LogCapture.start()) {
                CountReport count = admin.countReport(type);
                assertThat(count.servers()).as("keys that can be read (b's key can)").isEqualTo(3);
                assertThat(count.unreadable()).isEqualTo(BAD_KEYS);
                if (log.active()) {
                    assertThat(log.lines()).as("one report for the whole count")
                            .filteredOn(line -> line.contains("unreadable")).singleElement().asString()
                            .contains(BAD_KEYS + " unreadable rows");
                }
            }

            List<String> listed = new ArrayList<>();
            int skipped = 0;
            KeyCursor after = null;
            for (int pages = 1; ; pages++) {
                assertThat(pages).as("pages of 100 (the listing must end)").isLessThanOrEqualTo(10);
                ServerPage page = admin.list(type, after, 100);
                page.entries().forEach(e -> listed.add(e.key()));
                skipped += page.skipped().size();
                after = page.next();
                if (after == null) {
                    break;
                }
            }
            assertThat(listed).as("b's record is corrupt").containsExactly("a", "c");
            assertThat(skipped).isEqualTo(BAD_KEYS + 1);

            ExpireReport expire = admin.expire(type, Duration.ofDays(1), true);
            assertThat(expire.examined()).isEqualTo(2);
            assertThat(expire.unreadable()).isEqualTo(BAD_KEYS + 1);

            assertThat(runtime.ref(new ServerId(type, "a")).call(new KitServer.Add(1))).isEqualTo(2L);
            assertThat(catchThrowable(() -> runtime.ref(new ServerId(type, "b")).call(new KitServer.Get())))
                    .as("the corrupt record fails its own server with a typed error")
                    .isInstanceOf(GenServerException.class);
            assertThat(runtime.ref(new ServerId(type, "c")).call(new KitServer.Get()).count()).isEqualTo(1);
            return null;
        });
    }

    /**
     * Due rows that cannot be read (a type name no server can have, a key that is not valid UTF-8, a type name
     * with a line break) due before a good reminder: the poller skips them and fires the good reminder of a
     * petrified server.
     */
    @Test
    public void reminderPoller_firesGoodReminders_pastDueRowsItCannotRead() throws Exception {
        RawRows raw = requireRawRows();
        assumeTrue(storage().capabilities().contains(StorageCapability.REMINDERS), "the store keeps no reminders");
        inTime(() -> {
            String type = newType();
            ServerRuntime runtime = runtime(kit(type, LifecyclePolicy.TRANSIENT));
            long now = time.currentTimeMillis();
            raw.write(bytes("bad " + type), bytes("k"), bytes("{}"), bytes("r"), now - 3_000);
            raw.write(bytes(type), new byte[] {'k', (byte) 0xFE}, bytes("{}"), bytes("r"), now - 2_000);
            raw.write(bytes(type + "\n"), bytes("k"), bytes("{}"), bytes("r"), now - 1_000);
            ServerId good = new ServerId(type, "good");
            assertThat(runtime.ref(good).call(new KitServer.RemindAt(now + 10_000))).isTrue();
            runtime.petrify(good);
            settle(runtime);
            assertThat(runtime.isActive(good)).isFalse();

            try (LogCapture log = LogCapture.start()) {
                advance(runtime, Duration.ofSeconds(15)); // fifteen poller passes over the bad rows

                assertThat(runtime.ref(good).call(new KitServer.Get()).fired()).as("the good reminder fired").isOne();
                assertThat(runtime.stats().remindersFired()).isOne();
                if (log.active()) {
                    List<String> lines = log.lines();
                    // a shared database may hold other runs' bad rows at the same instants: count this case's (by the
                    // random part of its type name, which even a shortened position shows)
                    String tag = type.substring(4, 10);
                    assertThat(lines).as("each bad row reported once, without its text")
                            .filteredOn(line -> line.contains("skipped row") && line.contains(tag)).hasSize(3)
                            .allSatisfy(line -> assertThat(line).doesNotContain("bad ").doesNotContain("\n"));
                }
            }
            return null;
        });
    }

    /**
     * Start-up recovery of a permanent type whose keys include 501 that are not valid UTF-8: the good servers are
     * revived, the bad rows skipped, and the runtime serves.
     */
    @Test
    public void recovery_revivesGoodServers_pastKeysItCannotRead() throws Exception {
        RawRows raw = requireRawRows();
        inTime(() -> {
            String type = newType();
            ServerType<String, KitServer.State> kit = kit(type, LifecyclePolicy.PERMANENT);
            ServerRuntime first = runtime(kit);
            for (String key : List.of("a", "z")) {
                first.ref(new ServerId(type, key)).call(new KitServer.Add(5));
            }
            first.close();
            plantBadKeys(type);

            ServerRuntime second = runtime(kit);
            assertThat(second.awaitRecovery(Duration.ofSeconds(60))).as("recovery ended").isTrue();
            assertThat(second.isActive(new ServerId(type, "a"))).as("revived").isTrue();
            assertThat(second.isActive(new ServerId(type, "z"))).as("revived").isTrue();
            assertThat(second.ref(new ServerId(type, "z")).call(new KitServer.Add(1))).isEqualTo(6L);
            return null;
        });
    }

    /**
     * Remember-active markers (records under the reserved type {@code pgs.active}, keyed by a server id's text) that
     * do not parse, name a type no server can have, or carry a key that is not valid UTF-8, sorted before and after
     * the good ones: start-up recovery skips them and revives every remembered server.
     */
    @Test
    public void recovery_revivesRememberedServers_pastMarkersThatDoNotParse() throws Exception {
        inTime(() -> {
            String type = newType();
            ServerType<String, KitServer.State> kit = ServerType.builder(KitServer.class).name(type)
                    .options(TypeOptions.builder().rememberActive(true).idleTimeout(Duration.ofMinutes(10)).build())
                    .build();
            ServerRuntime first = runtime(kit);
            for (String key : List.of("m", "z")) {
                first.ref(new ServerId(type, key)).call(new KitServer.Add(2));
            }
            String markers = "pgs.active";
            for (String bad : List.of("", "no colon at all", type + ":%ZZ", type + ":%FF", "bad type:k", ":k",
                    type + ":\u0000\u001b[2J", type + "-unregistered:k")) {
                ServerId marker = new ServerId(markers, bad); // a shared database may hold it from an earlier run
                storage().save(new StateWrite(marker, storage().load(marker).version(), new byte[0], 1));
            }
            RawRows raw = rawRowsOrNull();
            if (raw != null) {
                byte[] notUtf8 = java.util.Arrays.copyOf(bytes(type + ":"), type.length() + 2);
                notUtf8[notUtf8.length - 1] = (byte) 0xFF;
                raw.write(bytes(markers), notUtf8, new byte[0], null, 0);
                raw.write(bytes(markers), (type + ":k").replace(':', '\u00ff').getBytes(StandardCharsets.ISO_8859_1),
                        new byte[0], null, 0);
            }
            first.close();

            ServerRuntime second = runtime(kit);
            assertThat(second.awaitRecovery(Duration.ofSeconds(60))).as("recovery ended").isTrue();
            assertThat(second.isActive(new ServerId(type, "m"))).as("revived").isTrue();
            assertThat(second.isActive(new ServerId(type, "z"))).as("revived after the bad markers").isTrue();
            assertThat(second.ref(new ServerId(type, "z")).call(new KitServer.Add(1))).isEqualTo(3L);
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // States that decode badly, or not at all

    /**
     * States no codec should trust (deep nesting, huge numbers, control characters, a newer schema, an oversize
     * payload, bytes that are not text, reminders that do not decode): {@code Admin.inspect} ends with a bounded
     * rendering (or a typed error), a call to each such server ends with its state or a typed error and leaves the
     * stored bytes as they were, and a good server beside them keeps working.
     */
    @Test
    public void hostileStates_areInspectedBoundedly_quarantinedWithoutChange_andOthersKeepWorking() throws Exception {
        inTime(() -> {
            String type = newType();
            ServerRuntime runtime = runtime(kit(type, LifecyclePolicy.TRANSIENT));
            Map<String, StateWrite> planted = hostileStates(type);
            for (StateWrite w : planted.values()) {
                storage().save(w);
            }
            Admin admin = Admin.of(runtime);
            int maxChars = StateText.DEFAULTS.maxChars();
            for (Map.Entry<String, StateWrite> e : planted.entrySet()) {
                ServerId id = e.getValue().id();
                Throwable inspected = catchThrowable(() -> {
                    ServerInfo info = admin.inspect(id);
                    assertThat(info.state().length()).as("rendering of %s", e.getKey())
                            .isLessThanOrEqualTo(maxChars + 200);
                });
                if (inspected != null) {
                    assertThat(inspected).as("inspect of %s", e.getKey()).isInstanceOf(GenServerException.class);
                }
                Throwable called = catchThrowable(() -> runtime.ref(id).call(new KitServer.Get()));
                if (called != null) {
                    assertThat(called).as("call to %s", e.getKey()).isInstanceOf(GenServerException.class);
                }
                settle(runtime);
                StoredState after = storage().load(id);
                if (called != null) {
                    assertThat(after.payload()).as("bytes of %s, untouched", e.getKey())
                            .isEqualTo(e.getValue().payload());
                }
            }
            ServerId good = new ServerId(type, "good");
            assertThat(runtime.ref(good).call(new KitServer.Add(7))).isEqualTo(7L);
            assertThat(admin.countReport(type).servers()).isEqualTo(planted.size() + 1);
            return null;
        });
    }

    /**
     * A reminder blob that does not decode, due now: the poller wakes its server, which is quarantined once with
     * its bytes untouched, and a good reminder of another server fires.
     */
    @Test
    public void corruptReminderBlob_quarantinesItsServerOnly() throws Exception {
        assumeTrue(storage().capabilities().contains(StorageCapability.REMINDERS), "the store keeps no reminders");
        inTime(() -> {
            String type = newType();
            ServerRuntime runtime = runtime(kit(type, LifecyclePolicy.TRANSIENT));
            long now = time.currentTimeMillis();
            ServerId bad = new ServerId(type, "bad-reminders");
            byte[] garbage = {(byte) 0xFF, 0, 0, 0, 9, 'x'};
            storage().save(new StateWrite(bad, 0, bytes("{\"count\":1,\"fired\":0}"), 1, 0, garbage, now - 1));
            ServerId good = new ServerId(type, "good");
            runtime.ref(good).call(new KitServer.RemindAt(now + 5_000));
            runtime.petrify(good);
            settle(runtime);

            advance(runtime, Duration.ofSeconds(10));

            assertThat(runtime.isQuarantined(bad)).as("woken, then quarantined").isTrue();
            assertThat(storage().load(bad).reminders()).as("untouched").isEqualTo(garbage);
            assertThat(runtime.ref(good).call(new KitServer.Get()).fired()).isOne();
            assertThatThrownBy(() -> runtime.ref(bad).call(new KitServer.Get()))
                    .isInstanceOf(GenServerException.class);
            return null;
        });
    }

    /**
     * Many servers whose reminder blobs do not decode, all due, more than the poller wakes at once: each is woken
     * and quarantined once, the poller then leaves them alone (a quarantined server is not woken again), the runtime
     * settles, and a good reminder behind them fires.
     */
    @Test
    public void manyCorruptReminderBlobs_areQuarantinedOnce_andThePollerGoesQuiet() throws Exception {
        assumeTrue(storage().capabilities().contains(StorageCapability.REMINDERS), "the store keeps no reminders");
        inTime(() -> {
            String type = newType();
            ServerType<String, KitServer.State> kit = kit(type, LifecyclePolicy.TRANSIENT);
            ServerRuntime runtime = ServerRuntime.builder().storage(storage()).timeSource(time).scheduler(time)
                    .shutdownTimeout(Duration.ofSeconds(30)).reminderConcurrency(10).register(kit).build();
            runtimes.add(runtime);
            long now = time.currentTimeMillis();
            int bad = 120;
            for (int i = 0; i < bad; i++) {
                storage().save(new StateWrite(new ServerId(type, "bad-" + i), 0, bytes("{\"count\":1,\"fired\":0}"), 1,
                        0, new byte[] {(byte) 0xFF, (byte) i}, now - 1_000 + i));
            }
            ServerId good = new ServerId(type, "good");
            runtime.ref(good).call(new KitServer.RemindAt(now + 5_000));
            runtime.petrify(good);
            settle(runtime);

            advance(runtime, Duration.ofSeconds(10));

            for (int i = 0; i < bad; i++) {
                assertThat(runtime.isQuarantined(new ServerId(type, "bad-" + i))).as("bad-%d", i).isTrue();
            }
            assertThat(runtime.stats().quarantines()).as("each quarantined once").isEqualTo(bad);
            assertThat(runtime.ref(good).call(new KitServer.Get()).fired()).isOne();
            advance(runtime, Duration.ofSeconds(30)); // thirty more passes over the same rows: still quiet
            assertThat(runtime.stats().quarantines()).isEqualTo(bad);
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private static String newType() {
        return "hrk-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, Long.MAX_VALUE), 36) + "-"
                + TYPES.incrementAndGet();
    }

    private static ServerType<String, KitServer.State> kit(String type, LifecyclePolicy policy) {
        return ServerType.builder(KitServer.class).name(type)
                .options(TypeOptions.builder().lifecycle(policy).idleTimeout(Duration.ofMinutes(10)).build())
                .build();
    }

    private ServerRuntime runtime(ServerType<?, ?> type) {
        ServerRuntime r = ServerRuntime.builder()
                .storage(storage())
                .timeSource(time)
                .scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(30))
                .register(type)
                .build();
        runtimes.add(r);
        return r;
    }

    private void settle(ServerRuntime runtime) {
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(30))).as("the runtime settled").isTrue();
    }

    private void advance(ServerRuntime runtime, Duration by) {
        ServerTestKit.advanceSettled(time, runtime, by, Duration.ofSeconds(30));
    }

    private void plantBadKeys(String type) throws Exception {
        for (int i = 0; i < BAD_KEYS; i++) {
            requireRawRows().write(bytes(type), new byte[] {'m', (byte) 0xFF, (byte) (i >> 8), (byte) i},
                    bytes("{\"count\":1,\"fired\":0}"), null, 0);
        }
    }

    /** One state of each hostile kind, keyed by a label. */
    private static Map<String, StateWrite> hostileStates(String type) {
        Map<String, StateWrite> out = new LinkedHashMap<>();
        int depth = 100_000;
        out.put("nested arrays", write(type, "nested-arrays", "[".repeat(depth) + "]".repeat(depth), 1));
        out.put("nested objects", write(type, "nested-objects",
                "{\"a\":".repeat(depth) + "1" + "}".repeat(depth), 1));
        out.put("huge exponent", write(type, "huge-exponent", "{\"count\":1e99999,\"fired\":0}", 1));
        out.put("a million digits", write(type, "million-digits",
                "{\"count\":" + "9".repeat(1_000_000) + ",\"fired\":0}", 1));
        out.put("control characters", write(type, "control-characters",
                "{\"count\":1,\"fired\":0,\"\u0000\u001b[2J\r\n\":\"\u0000\u001b]0;pwned\u0007\"}", 1));
        out.put("newer schema", write(type, "newer-schema", "{\"count\":1,\"fired\":0}", 99));
        out.put("not text", new StateWrite(new ServerId(type, "not-text"), 0,
                new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, (byte) 0xC0}, 1));
        byte[] big = new byte[17 * 1024 * 1024 + 5];
        System.arraycopy(bytes("{\"n\":\""), 0, big, 0, 6);
        java.util.Arrays.fill(big, 6, big.length - 2, (byte) 'x');
        big[big.length - 2] = '"';
        big[big.length - 1] = '}';
        out.put("oversize payload", new StateWrite(new ServerId(type, "oversize"), 0, big, 1));
        return out;
    }

    private static StateWrite write(String type, String key, String json, int schema) {
        return new StateWrite(new ServerId(type, key), 0, bytes(json), schema);
    }

    private static <T> T inTime(ThrowingSupplier<T> body) {
        return assertTimeoutPreemptively(Duration.ofSeconds(CASE_TIMEOUT_SECONDS), body);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
