package io.github.pgs.testkit.model;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.PersistenceException;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ServerTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The user-facing test kit: every operation it offers, on a real runtime over manual time. */
class ServerTestKitTest {

    private ServerTestKit<String, Scorer.State> kit;

    @BeforeEach
    void open() {
        Scorer.INITS.set(0);
        kit = ServerTestKit.of(Scorer.class);
    }

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    void callCastAndSend_changeTheState_andStoredStateDecodesIt() {
        assertThat(kit.call("ann", new Scorer.Move("e4", 3))).isEqualTo(3);
        kit.cast("ann", new Scorer.Bonus(2));
        kit.send("ann", "double");

        assertThat(kit.call("ann", new Scorer.Score())).isEqualTo(10);
        assertThat(kit.storedState("ann")).contains(new Scorer.State("ann", 10, List.of("e4")));
        assertThat(kit.storedVersion("ann")).isEqualTo(3);
        assertThat(kit.storedState("nobody")).isEmpty();
    }

    @Test
    void advance_pastTheIdleTimeout_petrifies_andTheNextCallRevivesWithoutInit() {
        kit.call("bob", new Scorer.Move("d4", 1));

        kit.advance(Duration.ofSeconds(59));
        assertThat(kit.isActive("bob")).isTrue();
        kit.advance(Duration.ofSeconds(1));
        assertThat(kit.isActive("bob")).isFalse();

        assertThat(kit.call("bob", new Scorer.Score())).isEqualTo(1);
        assertThat(Scorer.INITS.get()).isEqualTo(1);
        assertThat(kit.runtime().stats().revivals()).isEqualTo(1);
    }

    @Test
    void advance_runsTimersInDueOrder_soAnAsyncCallTimesOutBeforeItsServerPetrifies() {
        CompletableFuture<Long> ignored = kit.ref("cid").callAsync(new Scorer.Ignore());
        kit.settle();

        kit.advance(Duration.ofSeconds(5));
        assertThat(ignored).isCompletedExceptionally();
        assertThat(ignored.exceptionNow()).isInstanceOf(CallTimeoutException.class);
        assertThat(kit.isActive("cid")).isTrue();

        kit.advance(Duration.ofSeconds(55));
        assertThat(kit.isActive("cid")).isFalse();
    }

    @Test
    void petrify_and_revive_onDemand() {
        assertThat(kit.petrify("dee")).as("nothing to petrify yet").isFalse();
        kit.call("dee", new Scorer.Move("c4", 4));

        assertThat(kit.petrify("dee")).isTrue();
        assertThat(kit.isActive("dee")).isFalse();
        kit.revive("dee");

        assertThat(kit.isActive("dee")).isTrue();
        assertThat(kit.runtime().stats().revivals()).isEqualTo(1);
        assertThat(Scorer.INITS.get()).isEqualTo(1);
    }

    @Test
    void restart_bringsUpANewRuntimeOnTheSameStore() {
        kit.call("eve", new Scorer.Move("Nf3", 5));
        var before = kit.runtime();

        kit.restart();

        assertThat(kit.runtime()).isNotSameAs(before);
        assertThat(kit.isActive("eve")).isFalse();
        assertThat(kit.call("eve", new Scorer.Score())).isEqualTo(5);
        assertThat(kit.runtime().stats().revivals()).isEqualTo(1);
    }

    @Test
    void stop_normal_wipesTheStoredState_leavingATombstone() {
        kit.call("fay", new Scorer.Move("g3", 1));

        kit.stop("fay", StopReason.NORMAL);

        assertThat(kit.storedState("fay")).isEmpty();
        assertThat(kit.stored("fay").isTombstone()).isTrue();
    }

    @Test
    void faults_areArmedOnTheKitsStore() {
        kit.call("gus", new Scorer.Move("a3", 1));
        kit.faults().failNextSaves(kit.id("gus"), 1);

        assertThatThrownBy(() -> kit.call("gus", new Scorer.Move("a4", 1))).isInstanceOf(PersistenceException.class);

        assertThat(kit.storedVersion("gus")).isEqualTo(1);
        assertThat(kit.call("gus", new Scorer.Score())).isEqualTo(1);
    }

    @Test
    void assertRoundTrip_acceptsAStateTheCodecKeeps() {
        Scorer.State s = new Scorer.State("hal", 7, List.of("e4", "e5", "\u00e9\uD83D\uDE00"));

        assertThat(kit.assertRoundTrip(s)).isEqualTo(s);
    }

    public record Loose(Object value) {
    }

    /** A behaviour whose state holds an untyped value: a long comes back as an int. */
    public static final class Untyped implements io.github.pgs.GenServer<String, Loose> {
        @Override
        public io.github.pgs.Init<Loose> init(String args) {
            return io.github.pgs.Init.ok(new Loose(0L));
        }
    }

    @Test
    void assertRoundTrip_rejectsAStateTheCodecChanges() {
        try (ServerTestKit<String, Loose> loose = ServerTestKit.of(Untyped.class)) {
            assertThatThrownBy(() -> loose.assertRoundTrip(new Loose(5L)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("does not survive the codec");
            assertThat(loose.assertRoundTrip(new Loose(Map.of("k", "v")))).isEqualTo(new Loose(Map.of("k", "v")));
        }
    }

    @Test
    void assertRoundTrip_rejectsAStateOverTheSizeLimit() {
        try (ServerTestKit<String, Scorer.State> small = ServerTestKit.of(ServerType.builder(Scorer.class)
                .options(TypeOptions.builder().maxStateBytes(64).build()).build())) {
            assertThatThrownBy(() -> small.assertRoundTrip(new Scorer.State("x".repeat(100), 1, List.of())))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("over maxStateBytes 64");
        }
    }

    @Test
    void storedState_upcastsAnOlderSchemaVersion_asARevivalWould() {
        InMemoryStorage store = new InMemoryStorage();
        ServerType<String, Scorer.State> v2 = ServerType.builder(Scorer.class)
                .options(TypeOptions.builder().schemaVersion(2).build())
                .upcaster(1, doc -> {
                    @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) doc;
                    m.put("score", m.remove("points"));
                    return m;
                })
                .build();
        store.save(new StateWrite(new io.github.pgs.ServerId("scorer", "old"), 0,
                "{\"moves\":[],\"player\":\"old\",\"points\":9}".getBytes(StandardCharsets.UTF_8), 1));

        try (ServerTestKit<String, Scorer.State> upgraded = ServerTestKit.builder(v2).storage(store).build()) {
            assertThat(upgraded.storedState("old")).contains(new Scorer.State("old", 9, List.of()));
            assertThat(upgraded.call("old", new Scorer.Score())).isEqualTo(9);
        }
    }

    @Test
    void settle_failsLoudly_whenAHandlerNeverReturns() {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        try (ServerTestKit<String, Blocking.State> stuck = ServerTestKit.builder(ServerType.of(Blocking.class))
                .settleTimeout(Duration.ofMillis(200)).build()) {
            stuck.ref("s").cast(never);
            assertThatThrownBy(stuck::settle).isInstanceOf(AssertionError.class).hasMessageContaining("did not settle");
            never.countDown();
            stuck.settle();
        }
    }

    /** Blocks on the latch it is cast. */
    public static final class Blocking implements io.github.pgs.GenServer<String, Blocking.State> {
        public record State(int n) {
        }

        @Override
        public io.github.pgs.Init<State> init(String args) {
            return io.github.pgs.Init.ok(new State(0));
        }

        @Override
        public io.github.pgs.CastResult<State> handleCast(Object message, State s) {
            try {
                ((java.util.concurrent.CountDownLatch) message).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return io.github.pgs.Results.noreply(s);
        }
    }
}
