package io.github.pgs.runtime;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.SelfCallException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerRef;
import io.github.pgs.StorageException;
import io.github.pgs.TypeOptions;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.spi.StateWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Contract point 10: every kind of bad input gets a typed error and loses nothing. */
class BadInputTest extends RuntimeFixture {

    @Test
    void undecodableStoredState_quarantinesTheServer_andLeavesTheBytesUntouched() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        memory.save(new StateWrite(id("rotten"), 0, garbage, 1));
        ServerRef ref = runtime.ref(Counter.class, "rotten");

        assertThatThrownBy(() -> ref.call(new Counter.Get()))
                .isInstanceOfSatisfying(QuarantinedException.class,
                        q -> assertThat(q.lastFailure()).contains("cannot be decoded"));
        assertThatThrownBy(() -> ref.call(new Counter.Inc())).isInstanceOf(QuarantinedException.class);

        assertThat(stored("rotten").payload()).isEqualTo(garbage);
        assertThat(stored("rotten").version()).isEqualTo(1);
    }

    @Test
    void incompatibleStateClassChange_quarantinesWithAClearError() {
        byte[] otherShape = "{\"name\":\"x\",\"count\":\"not a number\",\"friends\":[]}".getBytes(StandardCharsets.UTF_8);
        memory.save(new StateWrite(id("shape"), 0, otherShape, 1));

        assertThatThrownBy(() -> runtime.ref(Counter.class, "shape").call(new Counter.Get()))
                .isInstanceOf(QuarantinedException.class)
                .hasMessageContaining("cannot be decoded");
        assertThat(stored("shape").payload()).isEqualTo(otherShape);
    }

    @Test
    void storedSchemaNewerThanTheCode_quarantinesAndIsNeverOverwritten() {
        byte[] future = "{\"name\":\"f\",\"count\":7,\"friends\":[]}".getBytes(StandardCharsets.UTF_8);
        memory.save(new StateWrite(id("future"), 0, future, 9));

        assertThatThrownBy(() -> runtime.ref(Counter.class, "future").call(new Counter.Inc()))
                .isInstanceOf(QuarantinedException.class)
                .hasMessageContaining("schema version 9");
        assertThat(stored("future").version()).isEqualTo(1);
    }

    @Test
    void keyOverTheLimit_isRefusedWithATypedError() {
        assertThatThrownBy(() -> runtime.ref(Counter.class, "k".repeat(2000)))
                .isInstanceOfSatisfying(KeyTooLongException.class, e -> {
                    assertThat(e.size()).isEqualTo(2000);
                    assertThat(e.limit()).isEqualTo(1024);
                });
    }

    @Test
    void hostileKeys_areJustKeys() {
        String[] keys = {"'; DROP TABLE pgs_state; --", "a%b_c\\d", "nul\u0000byte", "😀 non-BMP", "a:b/c?d#e", ""};
        for (String k : keys) {
            ServerRef ref = runtime.ref(Counter.class, k);
            assertThat(ref.call(new Counter.Inc())).isEqualTo(1);
            assertThat(runtime.ref(ref.toString())).isEqualTo(ref);
            assertThat(runtime.ref(ref.toString()).call(new Counter.Get())).isEqualTo(1);
        }
    }

    @Test
    void handlerThatThrows_crashesOnlyItsOwnServer() {
        ServerRef bad = runtime.ref(Counter.class, "bad");
        ServerRef good = runtime.ref(Counter.class, "good");
        good.call(new Counter.Inc());
        bad.call(new Counter.Inc());

        assertThatThrownBy(() -> bad.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        bad.cast(new Counter.CastBoom());

        assertThat(good.call(new Counter.Inc())).isEqualTo(2);
        assertThat(bad.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void handlerThatNeverReturns_makesItsCallersTimeOut_andOthersCarryOn() throws Exception {
        ServerRef stuck = runtime.ref(Counter.class, "stuck");
        ServerRef fine = runtime.ref(Counter.class, "fine");
        CountDownLatch never = new CountDownLatch(1);
        stuck.callAsync(new Counter.Hang(never), Duration.ofHours(1));

        CompletableFuture<Long> waiting = stuck.callAsync(new Counter.Get(), Duration.ofSeconds(5));
        assertThat(fine.call(new Counter.Inc())).isEqualTo(1);
        time.advance(Duration.ofSeconds(5));

        assertThat(waiting).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(CallTimeoutException.class,
                        e -> assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(5)));
        assertThat(callTimingOut(stuck, new Counter.Get(), Duration.ofMillis(20)))
                .isInstanceOf(CallTimeoutException.class);
        never.countDown();
        assertThat(stuck.call(new Counter.Get())).isZero();
    }

    @Test
    void fullMailbox_refusesWithATypedError_andTheServerRecovers() {
        reopen(TypeOptions.builder().mailboxCapacity(3).build());
        ServerRef ref = runtime.ref(Counter.class, "full");
        CountDownLatch release = new CountDownLatch(1);
        ref.callAsync(new Counter.Hang(release), Duration.ofHours(1));
        while (Counter.RUNNING.getOrDefault("full", new java.util.concurrent.atomic.AtomicInteger()).get() == 0) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 3; i++) {
            ref.cast(new Counter.Cast());
        }

        assertThatThrownBy(() -> ref.cast(new Counter.Cast()))
                .isInstanceOfSatisfying(MailboxFullException.class, e -> assertThat(e.capacity()).isEqualTo(3));

        release.countDown();
        settle();
        assertThat(ref.call(new Counter.Get())).isEqualTo(3);
    }

    @Test
    void callToItself_failsFastInsteadOfDeadlocking() {
        ServerRef ref = runtime.ref(Counter.class, "narcissus");
        assertThatThrownBy(() -> ref.call(new Counter.CallSelf(ref)))
                .isInstanceOf(ServerCrashedException.class)
                .hasCauseInstanceOf(SelfCallException.class);
    }

    @Test
    void storageOutageDuringLoad_failsTheCallerWithATypedError_andRecovers() {
        ServerRef ref = runtime.ref(Counter.class, "outage");
        ref.call(new Counter.Inc());
        runtime.petrify(ref.id());
        settle();
        store.down(true);

        assertThatThrownBy(() -> ref.call(new Counter.Get())).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> ref.call(new Counter.Get())).isInstanceOf(StorageException.class);

        store.down(false);
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void storageOutageDuringWrite_acknowledgesNothing_andResumesAfterwards() {
        ServerRef ref = runtime.ref(Counter.class, "outage2");
        ref.call(new Counter.Inc());
        store.down(true);

        assertThatThrownBy(() -> ref.call(new Counter.Inc())).isInstanceOf(PersistenceException.class);
        assertThatThrownBy(() -> ref.call(new Counter.Inc())).isInstanceOf(StorageException.class);

        store.down(false);
        assertThat(ref.call(new Counter.Inc())).isEqualTo(2);
    }

    @Test
    void refToAnUnregisteredType_failsWithATypedError() {
        assertThatThrownBy(() -> runtime.ref("nosuchtype:key")).isInstanceOf(UnknownServerTypeException.class);
    }
}
