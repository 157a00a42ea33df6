package io.github.pgs.store.support;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreSupportTest {

    private static final ServerId ID = new ServerId("t", "k");

    @Test
    void storeChecks_refuseWhatTheContractRefuses_withoutQuotingTheValue() {
        assertThat(StoreChecks.keyBytes("a\uD83D\uDE00")).isEqualTo("a\uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> StoreChecks.keyBytes("secret\uD800"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 6")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> StoreChecks.expectedVersion(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoreChecks.expectedVersion(0)).isZero();
        assertThatThrownBy(() -> StoreChecks.limit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoreChecks.limit(1)).isOne();
        assertThatThrownBy(() -> StoreChecks.id(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StoreChecks.type(null)).isInstanceOf(NullPointerException.class);
        assertThat(StoreChecks.type("player.v2")).isTrue();
        assertThat(StoreChecks.type("bad type")).as("no server can have it: list nothing").isFalse();
    }

    @Test
    void keyPageBuilder_cursorOnlyWhenARowBeyondTheLimitWasSeen() {
        KeyPageBuilder full = new KeyPageBuilder(2);
        assertThat(full.fetchSize()).isEqualTo(3);
        assertThat(full.add(utf8("a"))).isTrue();
        assertThat(full.add(utf8("b"))).isTrue();
        KeyPage exactlyFull = full.build();
        assertThat(exactlyFull.keys()).containsExactly("a", "b");
        assertThat(exactlyFull.hasMore()).as("no row beyond the page was offered").isFalse();

        KeyPageBuilder more = new KeyPageBuilder(2);
        more.add(utf8("a"));
        more.add(utf8("b"));
        assertThat(more.add(utf8("c"))).as("the row beyond the page ends the offers").isFalse();
        KeyPage page = more.build();
        assertThat(page.keys()).containsExactly("a", "b");
        assertThat(page.next()).isEqualTo(KeyCursor.after("b"));
        assertThatThrownBy(() -> new KeyPageBuilder(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyPageBuilder_skipsAndReportsKeysThatAreNotUtf8_andTheCursorMovesPastThem() {
        byte[] bad = {'k', (byte) 0xFF, 'x'};
        KeyPageBuilder builder = new KeyPageBuilder(2);
        builder.add(utf8("a"));
        builder.add(bad);
        builder.add(utf8("z"));
        KeyPage page = builder.build();
        assertThat(page.keys()).as("never a lossy decode").containsExactly("a");
        assertThat(page.skipped()).singleElement().satisfies(row -> {
            assertThat(row.problem()).isEqualTo("key of 3 bytes is not valid UTF-8");
            assertThat(row.position()).isEqualTo("k%FFx");
        });
        assertThat(page.next()).as("the last row read, exactly").isEqualTo(KeyCursor.ofStoredBytes(bad));
        assertThat(page.next().bytes()).isEqualTo(bad);
        assertThat(KeyCursor.parse(page.next().text())).isEqualTo(page.next());
    }

    @Test
    void duePageBuilder_isolatesEachRow_andTheCursorIsTheLastRowRead() {
        DuePageBuilder builder = new DuePageBuilder(4);
        assertThat(builder.fetchSize()).isEqualTo(5);
        builder.add(10, utf8("good"), utf8("k"), DuePageBuilder.rowCursor(10, utf8("good"), utf8("k")));
        builder.add(11, utf8("bad type"), utf8("k"), DuePageBuilder.rowCursor(11, utf8("bad type"), utf8("k")));
        builder.add(12, utf8("good"), new byte[] {(byte) 0xC0}, DuePageBuilder.rowCursor(12, utf8("good"),
                new byte[] {(byte) 0xC0}));
        DueCursor fourth = DuePageBuilder.rowCursor(0, utf8("good"), utf8("z"));
        assertThat(builder.add(0, utf8("good"), utf8("z"), fourth)).isTrue();
        assertThat(builder.addUnusable("whatever", DueCursor.startingAt(99))).as("beyond the page").isFalse();
        DuePage page = builder.build();
        assertThat(page.servers()).containsExactly(new DueServer(new ServerId("good", "k"), 10));
        assertThat(page.skipped()).extracting(SkippedRow::problem).containsExactly(
                "type name of 8 bytes is not a valid type name", "key of 1 bytes is not valid UTF-8",
                "due time is not positive");
        assertThat(page.skipped()).allSatisfy(row -> assertThat(row.toString()).doesNotContain("bad type"));
        assertThat(page.next()).isEqualTo(fourth);

        DuePageBuilder.Position p = DuePageBuilder.position(page.next());
        assertThat(p.remindAtMillis()).isZero();
        assertThat(p.type()).isEqualTo(utf8("good"));
        assertThat(p.key()).isEqualTo(utf8("z"));
        DuePageBuilder.Position start = DuePageBuilder.position(DueCursor.startingAt(1234));
        assertThat(start.beforeAll()).isTrue();
        assertThat(start.remindAtMillis()).isEqualTo(1234);
        assertThatThrownBy(() -> DuePageBuilder.position(DueCursor.of(new byte[9])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DuePageBuilder.position(DueCursor.of(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9})))
                .isInstanceOf(IllegalArgumentException.class);
        DuePageBuilder last = new DuePageBuilder(4);
        last.add(10, utf8("good"), utf8("k"), DuePageBuilder.rowCursor(10, utf8("good"), utf8("k")));
        assertThat(last.build().next()).as("nothing beyond: no cursor").isNull();
    }

    @Test
    void serverIdKeyEncodings_areExact_andRefuseWhatHasNoExactForm() {
        assertThat(ServerId.encodeKey("a\uD83D\uDE00")).isEqualTo(utf8("a\uD83D\uDE00"));
        assertThatThrownBy(() -> ServerId.encodeKey("\uD800")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerId.decodeKey(utf8("é"))).isEqualTo("é");
        for (byte[] bad : new byte[][] {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0,
                (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}}) {
            assertThatThrownBy(() -> ServerId.decodeKey(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.length + " bytes");
        }
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        String encoded = ServerId.percentEncode(all);
        assertThat(encoded).matches("[A-Za-z0-9%._~-]+");
        assertThat(ServerId.percentDecode(encoded)).isEqualTo(all);
        assertThatThrownBy(() -> ServerId.parse("t:%FF")).as("a key that is not UTF-8 is refused, not replaced")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerId.parse("t:%C3%A9")).isEqualTo(new ServerId("t", "é"));
    }

    @Test
    void contiguousHistory_stopsAtTheFirstGap_forGood() {
        ContiguousHistory walk = new ContiguousHistory();
        assertThat(walk.accept(9, 10)).isTrue();
        assertThat(walk.accept(8, 10)).isTrue();
        assertThat(walk.accept(6, 10)).as("7 is missing").isFalse();
        assertThat(walk.accept(5, 10)).as("nothing after a gap").isFalse();
        assertThat(new ContiguousHistory().accept(3, 10)).as("leftover below the current version").isFalse();
        ContiguousHistory toTheBottom = new ContiguousHistory();
        assertThat(toTheBottom.accept(1, 2)).isTrue();
        assertThat(toTheBottom.accept(0, 2)).as("no version 0 in a history").isFalse();
    }

    @Test
    void storedRows_normaliseWhatStoresHold_andReportImpossibleValuesForThatServer() {
        StoredState tombstone = StoredRows.state(ID, 4, 7, null, 100, new byte[] {1}, 50);
        assertThat(tombstone.isTombstone()).isTrue();
        assertThat(tombstone.schemaVersion()).isZero();
        assertThat(tombstone.reminders()).isNull();
        assertThat(StoredRows.state(ID, 0, 0, null, 0, null, 0)).isSameAs(StoredState.ABSENT);
        StoredState noDueTime = StoredRows.state(ID, 2, 1, new byte[] {5}, 100, new byte[] {1}, 0);
        assertThat(noDueTime.reminders()).isNull();
        StoredState withReminders = StoredRows.state(ID, 2, 1, new byte[] {5}, 100, new byte[] {1}, 50);
        assertThat(withReminders.remindAtMillis()).isEqualTo(50);

        assertThatThrownBy(() -> StoredRows.state(ID, -1, 0, new byte[0], 0, null, 0))
                .isInstanceOfSatisfying(CorruptRecordException.class, e -> {
                    assertThat(e.serverId()).isEqualTo(ID);
                    assertThat(e.field()).isEqualTo("version");
                });
        assertThatThrownBy(() -> StoredRows.state(ID, 0, 0, new byte[0], 0, null, 0))
                .isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> StoredRows.historyEntry(ID, 0, 0, new byte[0], 0))
                .isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> StoredRows.historyEntry(ID, 1, 0, null, 0))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void storedRows_decimal_acceptsExactlyTheNumbersAStoreWrites() {
        assertThat(StoredRows.decimal(ID, "v", ascii("0"))).isZero();
        assertThat(StoredRows.decimal(ID, "v", ascii("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
        assertThat(StoredRows.decimal(ID, "v", ascii("-9223372036854775808"))).isEqualTo(Long.MIN_VALUE);
        assertThat(StoredRows.decimalInt(ID, "v", ascii("-12"))).isEqualTo(-12);
        for (String bad : new String[] {"", "-", "1e3", " 1", "9223372036854775808", "abc", "1.0", "+1"}) {
            assertThatThrownBy(() -> StoredRows.decimal(ID, "version", ascii(bad))).as(bad)
                    .isInstanceOf(CorruptRecordException.class).hasMessageContaining("version");
        }
        assertThatThrownBy(() -> StoredRows.decimalInt(ID, "schema", ascii("2147483648")))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void closeGate_waitsForTheCallInProgress_thenRefusesEveryCall() throws Exception {
        CloseGate gate = new CloseGate("test store");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread call = Thread.ofPlatform().start(() -> gate.call(() -> {
            inside.countDown();
            awaitQuietly(release);
            return null;
        }));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(gate::close);
        while (closer.getState() != Thread.State.WAITING) {
            assertThat(closer.isAlive()).as("close returned while a call was inside").isTrue();
            Thread.onSpinWait();
        }
        assertThat(gate.isClosed()).as("closed under a call in progress").isFalse();
        release.countDown();
        closer.join(5_000);
        call.join(5_000);
        assertThat(gate.isClosed()).isTrue();
        assertThatThrownBy(gate::enter).isInstanceOf(StorageException.class).hasMessage("test store is closed");
        assertThatThrownBy(() -> gate.call(() -> 1)).isInstanceOf(StorageException.class);
        assertThatThrownBy(gate::checkOpen).isInstanceOf(StorageException.class);
        assertThat(gate.close()).as("a second close closes nothing").isFalse();
    }

    @Test
    void closeGate_isReentrant_forAGatedMethodCallingAnother() {
        CloseGate gate = new CloseGate("test store");
        assertThat(gate.call(() -> gate.call(() -> 42))).isEqualTo(42);
        assertThat(gate.close()).isTrue();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
