package io.github.pgs.store.support;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.KeyPage;
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
        assertThatThrownBy(() -> StoreChecks.requireUnicode("\uDC00x", "afterKey"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("afterKey");
        assertThatThrownBy(() -> StoreChecks.expectedVersion(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoreChecks.expectedVersion(0)).isZero();
        assertThatThrownBy(() -> StoreChecks.limit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoreChecks.limit(1)).isOne();
        assertThatThrownBy(() -> StoreChecks.id(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StoreChecks.type(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void keyPageBuilder_cursorOnlyWhenAKeyBeyondTheLimitWasSeen() {
        KeyPageBuilder full = new KeyPageBuilder(2);
        assertThat(full.fetchSize()).isEqualTo(3);
        assertThat(full.add("a")).isTrue();
        assertThat(full.add("b")).isTrue();
        KeyPage exactlyFull = full.build();
        assertThat(exactlyFull.keys()).containsExactly("a", "b");
        assertThat(exactlyFull.hasMore()).as("no key beyond the page was offered").isFalse();

        KeyPageBuilder more = new KeyPageBuilder(2);
        more.add("a");
        more.add("b");
        assertThat(more.add("c")).as("the key beyond the page ends the offers").isFalse();
        KeyPage page = more.build();
        assertThat(page.keys()).containsExactly("a", "b");
        assertThat(page.nextAfter()).isEqualTo("b");
        assertThatThrownBy(() -> new KeyPageBuilder(0)).isInstanceOf(IllegalArgumentException.class);
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
