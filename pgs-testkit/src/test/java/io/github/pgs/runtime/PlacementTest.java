package io.github.pgs.runtime;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.MessageNotDeclaredException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ReplyTypeException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.TypeOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The placement seam, on a loopback cluster of two runtimes sharing one store: every message and reply crosses
 * as the bytes of {@code WireFormat}, the owner handles it, errors come back typed, the caller's timeout holds
 * end to end, a hand-off petrifies and the next owner revives, and the duties run where the engine says.
 */
class PlacementTest extends RuntimeFixture {

    private final LoopbackCluster cluster = new LoopbackCluster();
    private int nodes;

    private ServerRuntime node(TypeOptions options) {
        ServerRuntime r = ServerRuntime.builder().name("node" + nodes++).storage(store).timeSource(time)
                .scheduler(time).shutdownTimeout(Duration.ofSeconds(5)).placement(cluster.node())
                .register(ServerType.builder(Counter.class).options(options).build())
                .build();
        runtimes.add(r);
        return r;
    }

    /** A record this test's type does not declare (it is not nested in the behaviour). */
    record Stranger(int n) {
    }

    @Test
    void callsAndCastsFromOneNode_areHandledByTheOwner() {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        ServerRuntime b = node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);
        ServerRef ref = a.ref(Counter.class, "x");

        assertThat(ref.call(new Counter.Inc())).isEqualTo(1);
        ref.cast(new Counter.Cast());
        assertThat(ref.call(new Counter.Get())).isEqualTo(2);

        assertThat(b.isActive(ref.id())).as("active on its owner").isTrue();
        assertThat(a.isActive(ref.id())).as("not on the sender").isFalse();
        assertThat(b.stats("counter").activations()).isEqualTo(1);
        assertThat(a.stats("counter").calls()).isEqualTo(2);
        assertThat(cluster.tells.get()).isEqualTo(1);
        assertThat(storedCount("x")).isEqualTo(2);
    }

    @Test
    void aMessageWhoseClassTheTypeDoesNotDeclare_failsAtTheSender_andNothingIsSent() {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);
        ServerRef ref = a.ref(Counter.class, "x");

        assertThatThrownBy(() -> ref.cast(new Stranger(1)))
                .isInstanceOfSatisfying(MessageNotDeclaredException.class, e -> {
                    assertThat(e.typeName()).isEqualTo("counter");
                    assertThat(e.messageClass()).isEqualTo(Stranger.class.getName());
                });
        assertThat(cluster.tells.get()).isZero();
    }

    @Test
    void failuresOnTheOwner_comeBackAsTheSameTypedErrors() {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);
        ServerRef ref = a.ref(Counter.class, "x");

        assertThatThrownBy(() -> ref.call(new Counter.Boom()))
                .isInstanceOfSatisfying(ServerCrashedException.class,
                        e -> assertThat(e.getMessage()).contains("IllegalStateException", "boom in x"));
        assertThatThrownBy(() -> {
            Long ignored = ref.call(new Counter.WrongReply());
        }).isInstanceOfSatisfying(ReplyTypeException.class, e -> {
            assertThat(e.serverId()).isEqualTo(ref.id());
            assertThat(e.expectedType()).isEqualTo(Long.class.getName());
            assertThat(e.actualType()).isEqualTo(String.class.getName());
        });
        ServerRef friend = a.ref(Counter.class, "friend");
        assertThat(ref.call(new Counter.AddFriend(friend))).as("a ref inside a message crosses nodes").isEqualTo(1);
        friend.call(new Counter.Inc());
        assertThat(ref.call(new Counter.AskFriends())).isEqualTo(1);
    }

    @Test
    void theCallersTimeoutHolds_endToEnd_onTheCallersClock() throws Exception {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);
        cluster.inJvm(); // the latch that makes the owner hang travels as an object
        ServerRef ref = a.ref(Counter.class, "slow");
        CountDownLatch release = new CountDownLatch(1);
        ref.callAsync(new Counter.Hang(release), Duration.ofDays(1));

        assertThat(callTimingOut(ref, new Counter.Get(), Duration.ofHours(1)))
                .isInstanceOfSatisfying(CallTimeoutException.class,
                        e -> assertThat(e.timeout()).isEqualTo(Duration.ofHours(1)));
        release.countDown();
        assertThat(ref.call(new Counter.Get())).isZero();
    }

    @Test
    void anUnreachableOwner_failsTheCallTyped_andSafeToRetry() {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);
        cluster.cutOff(1);

        assertThatThrownBy(() -> a.ref(Counter.class, "x").call(new Counter.Inc()))
                .isInstanceOfSatisfying(ServerUnreachableException.class, e -> assertThat(e.retrySafe()).isTrue());
    }

    @Test
    void handOff_persistsAndLeaves_andTheNextOwnerRevivesFromTheStore() throws Exception {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        ServerRuntime b = node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);
        ServerRef ref = a.ref(Counter.class, "moving");
        ref.call(new Counter.Inc());
        ref.call(new Counter.IncNoPersist()); // only in the owner's memory: the hand-off must write it

        cluster.host(1).handOff(id -> true).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(b.isActive(ref.id())).isFalse();
        assertThat(storedCount("moving")).isEqualTo(2);
        assertThat(cluster.departed).contains(ref.id());
        cluster.ownAllBy(0);
        assertThat(ref.call(new Counter.Get())).isEqualTo(2);
        assertThat(a.isActive(ref.id())).as("revived by its new owner").isTrue();
    }

    /**
     * Each node reads the recorded quarantines when it starts; a server quarantined on one node after another
     * started still fails fast on the other when it moves there, and runs again once released.
     */
    @Test
    void aServerQuarantinedOnOneNode_failsFastOnTheNextOwner_untilReleased() throws Exception {
        TypeOptions twoCrashes = TypeOptions.builder().restartIntensity(2, Duration.ofSeconds(10)).build();
        ServerRuntime a = node(twoCrashes);
        ServerRuntime b = node(twoCrashes);
        cluster.ownAllBy(0);
        ServerRef ref = b.ref(Counter.class, "loop");
        ref.call(new Counter.Inc());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        }
        assertThat(a.isQuarantined(ref.id())).isTrue();
        assertThat(b.isQuarantined(ref.id())).as("node 1 read its records before the crash loop").isFalse();

        cluster.host(0).handOff(id -> true).toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster.ownAllBy(1);
        int inits = Counter.INITS.get("loop").get();

        assertThatThrownBy(() -> ref.call(new Counter.Inc()))
                .isInstanceOfSatisfying(QuarantinedException.class,
                        q -> assertThat(q.lastFailure()).contains("boom in loop"));
        assertThat(Counter.INITS.get("loop").get()).as("no handler ran on the new owner").isEqualTo(inits);
        assertThat(b.stats().crashes()).isZero();

        assertThat(a.release(ref.id())).as("released on its owner").isTrue();
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void startStopAndOperatorActions_reachTheOwner() {
        ServerRuntime a = node(TypeOptions.DEFAULTS);
        ServerRuntime b = node(TypeOptions.DEFAULTS);
        cluster.ownAllBy(1);

        ServerRef ref = a.start(Counter.class, "s");
        assertThat(b.isActive(ref.id())).isTrue();
        ref.call(new Counter.IncNoPersist());
        a.petrifyAndWait(ref.id(), Duration.ofSeconds(10));
        assertThat(b.isActive(ref.id())).isFalse();
        assertThat(storedCount("s")).isEqualTo(1);

        ref.call(new Counter.Inc());
        a.reset(ref.id());
        assertThat(b.isActive(ref.id())).isFalse();
        assertThat(stored("s").isTombstone()).isTrue();

        ref.call(new Counter.Inc());
        ref.stop();
        assertThat(b.isActive(ref.id())).isFalse();
        assertThat(stored("s").isTombstone()).as("a normal stop of a transient server wipes").isTrue();
    }

    @Test
    void dutiesStartOff_andRunWhereTheEngineTurnsThemOn_wakingTheOwner() {
        TypeOptions permanent = TypeOptions.builder().lifecycle(LifecyclePolicy.PERMANENT).build();
        ServerRuntime first = newRuntime(permanent); // a single JVM writes a state, then goes away
        first.ref(Counter.class, "p").call(new Counter.Inc());
        first.close();
        runtimes.remove(first);

        ServerRuntime a = node(permanent);
        ServerRuntime b = node(permanent);
        cluster.ownAllBy(1);
        assertThat(a.awaitRecovery(Duration.ofSeconds(10))).isTrue();
        settle(a, b);
        assertThat(a.isActive(id("p")) || b.isActive(id("p"))).as("no duties before the engine says").isFalse();

        cluster.host(0).duties(true);
        assertThat(a.awaitRecovery(Duration.ofSeconds(10))).isTrue();
        settle(a, b);
        assertThat(b.isActive(id("p"))).as("node 0 recovered it on its owner, node 1").isTrue();
        assertThat(a.isActive(id("p"))).isFalse();
    }

    private static void settle(ServerRuntime... runtimes) {
        for (ServerRuntime r : runtimes) {
            assertThat(r.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        }
    }
}
