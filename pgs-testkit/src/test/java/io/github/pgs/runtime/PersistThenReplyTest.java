package io.github.pgs.runtime;

import io.github.pgs.PersistenceException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.StorageException;
import io.github.pgs.TypeOptions;
import io.github.pgs.VersionConflictException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Contract points 1–3: one message at a time, persist-then-reply, the version fence. */
class PersistThenReplyTest extends RuntimeFixture {

    @Test
    void call_onNeverSeenKey_runsInitOnceAndPersistsTheChange() {
        ServerRef ref = runtime.ref(Counter.class, "ann");

        assertThat(ref.call(new Counter.Inc())).isEqualTo(1);
        assertThat(ref.call(new Counter.Inc())).isEqualTo(2);

        assertThat(Counter.INITS.get("ann").get()).isEqualTo(1);
        assertThat(stored("ann").version()).isEqualTo(2);
        assertThat(storedCount("ann")).isEqualTo(2);
    }

    @Test
    void reply_isWithheldUntilTheWriteIsDurable() throws Exception {
        ServerRef ref = runtime.ref(Counter.class, "gate");
        ref.call(new Counter.Inc());
        store.closeGate();

        CompletableFuture<Long> reply = ref.callAsync(new Counter.Inc(), Duration.ofMinutes(1));
        while (store.waitingAtGate() == 0) {
            Thread.onSpinWait();
        }
        assertThat(reply).as("no reply while the write is in flight").isNotDone();
        assertThat(storedCount("gate")).isEqualTo(1);

        store.openGate();
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(storedCount("gate")).isEqualTo(2);
    }

    @Test
    void unchangedState_isNotWrittenAgain() {
        ServerRef ref = runtime.ref(Counter.class, "reader");
        ref.call(new Counter.Inc());
        long saves = store.saves();

        for (int i = 0; i < 10; i++) {
            ref.call(new Counter.Get());
        }

        assertThat(store.saves()).isEqualTo(saves);
    }

    @Test
    void failedWrite_failsTheCaller_discardsTheState_andTheNextMessageReloads() {
        ServerRef ref = runtime.ref(Counter.class, "flaky");
        ref.call(new Counter.Inc());
        store.failNextSaves(1);

        assertThatThrownBy(() -> ref.call(new Counter.Inc()))
                .isInstanceOf(PersistenceException.class)
                .hasCauseInstanceOf(StorageException.class);

        assertThat(ref.call(new Counter.Get())).as("the unpersisted increment is gone").isEqualTo(1);
        assertThat(ref.call(new Counter.Inc())).isEqualTo(2);
        assertThat(storedCount("flaky")).isEqualTo(2);
        assertThat(runtime.stats().writeFailures()).isEqualTo(1);
    }

    @Test
    void writeWithUnknownOutcome_isReconciledByReloading() {
        ServerRef ref = runtime.ref(Counter.class, "unknown");
        ref.call(new Counter.Inc());
        store.unknownOutcomeNextSaves(1);

        assertThatThrownBy(() -> ref.call(new Counter.Inc())).isInstanceOf(PersistenceException.class);

        // the write did happen; the reload sees it and the chain of versions continues without a fork
        assertThat(ref.call(new Counter.Get())).isEqualTo(2);
        assertThat(ref.call(new Counter.Inc())).isEqualTo(3);
        assertThat(stored("unknown").version()).isEqualTo(3);
    }

    @Test
    void staleActivation_isFencedByTheVersionCheck_andNoAcknowledgedWriteIsLost() {
        ServerRuntime other = newRuntime(TypeOptions.DEFAULTS);
        ServerRef mine = runtime.ref(Counter.class, "split");
        ServerRef theirs = other.ref(Counter.class, "split");
        assertThat(mine.call(new Counter.Inc())).isEqualTo(1);
        assertThat(theirs.call(new Counter.Inc())).as("the other runtime loads version 1").isEqualTo(2);

        assertThatThrownBy(() -> mine.call(new Counter.Inc()))
                .isInstanceOf(PersistenceException.class)
                .cause().isInstanceOfSatisfying(VersionConflictException.class, c -> {
                    assertThat(c.expectedVersion()).isEqualTo(1);
                    assertThat(c.actualVersion()).isEqualTo(2);
                });

        assertThat(mine.call(new Counter.Inc())).as("reloaded from version 2").isEqualTo(3);
        assertThat(storedCount("split")).isEqualTo(3);
    }

    @Test
    void oversizeState_isRefusedWithATypedError_andNothingIsWritten() {
        reopen(TypeOptions.builder().maxStateBytes(200).build());
        ServerRef ref = runtime.ref(Counter.class, "big");
        ref.call(new Counter.Inc());
        long version = stored("big").version();

        assertThatThrownBy(() -> ref.call(new Counter.Grow(500)))
                .isInstanceOf(PersistenceException.class)
                .cause().isInstanceOfSatisfying(StateTooLargeException.class, e -> {
                    assertThat(e.limit()).isEqualTo(200);
                    assertThat(e.size()).isGreaterThan(500);
                });
        assertThat(stored("big").version()).isEqualTo(version);
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void noPersistResult_isKeptInMemory_andWrittenWhenThServerPetrifies() {
        ServerRef ref = runtime.ref(Counter.class, "lazy");
        ref.call(new Counter.Inc());

        assertThat(ref.call(new Counter.IncNoPersist())).isEqualTo(2);
        assertThat(storedCount("lazy")).isEqualTo(1);

        runtime.petrify(id("lazy"));
        settle();
        assertThat(storedCount("lazy")).isEqualTo(2);
    }

    @Test
    void continuation_runsAfterTheReply_beforeTheNextMessage() {
        ServerRef ref = runtime.ref(Counter.class, "cont");

        assertThat(ref.call(new Counter.IncThenContinue())).isEqualTo(1);
        assertThat(ref.call(new Counter.Get())).isEqualTo(11);
        assertThat(storedCount("cont")).isEqualTo(11);
    }

    @Test
    void castAndInfo_changeAndPersistTheState() {
        ServerRef ref = runtime.ref(Counter.class, "caster");
        ref.cast(new Counter.Cast());
        ref.send("tick");

        assertThat(ref.call(new Counter.Get())).isEqualTo(101);
        assertThat(storedCount("caster")).isEqualTo(101);
    }
}
