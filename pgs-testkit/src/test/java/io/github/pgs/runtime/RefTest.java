package io.github.pgs.runtime;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.TypeOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Refs as values: identity, text form, refs stored inside states, virtual activation. */
class RefTest extends RuntimeFixture {

    @Test
    void ref_textForm_parsesBackToAnEqualRef() {
        ServerRef ref = runtime.ref(Counter.class, "Vorpal Blade/1");
        assertThat(ref.toString()).isEqualTo("counter:Vorpal%20Blade%2F1");
        assertThat(ServerId.parse(ref.toString())).isEqualTo(ref.id());
        assertThat(runtime.ref(ref.toString())).isEqualTo(ref).hasSameHashCodeAs(ref);
    }

    @Test
    void refsOfTwoRuntimes_forTheSameServer_areEqual() {
        ServerRuntime other = newRuntime(TypeOptions.DEFAULTS);
        assertThat(other.ref(Counter.class, "same")).isEqualTo(runtime.ref(Counter.class, "same"));
    }

    @Test
    void malformedRefText_isRejected() {
        assertThatThrownBy(() -> ServerId.parse("no-colon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerId.parse("bad type:key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerId.parse("t:%zz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refsInsideAState_surviveARuntimeRestart_andStillWork() {
        ServerRef hub = runtime.ref(Counter.class, "hub");
        ServerRef a = runtime.ref(Counter.class, "a");
        ServerRef b = runtime.ref(Counter.class, "b");
        a.call(new Counter.Inc());
        b.call(new Counter.Inc());
        b.call(new Counter.Inc());
        hub.call(new Counter.AddFriend(a));
        hub.call(new Counter.AddFriend(b));
        runtime.close();

        ServerRuntime next = newRuntime(TypeOptions.DEFAULTS);
        assertThat(next.ref(hub.id()).call(new Counter.AskFriends())).isEqualTo(3);
    }

    @Test
    void virtualActivation_needsNoStart() {
        assertThat(runtime.ref(Counter.class, "virtual").call(new Counter.Inc())).isEqualTo(1);
        assertThat(runtime.stats().activations()).isEqualTo(1);
    }

    @Test
    void firstCallsFrom64Threads_toOneKey_makeExactlyOneActivation() throws Exception {
        ServerRef ref = runtime.ref(Counter.class, "crowd");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            replies.add(f);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    f.complete(ref.call(new Counter.Inc()));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            }));
        }
        go.countDown();
        List<Long> got = new ArrayList<>();
        for (CompletableFuture<Long> f : replies) {
            got.add(f.get(30, TimeUnit.SECONDS));
        }

        assertThat(got).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 64).boxed().toList());
        assertThat(Counter.INITS.get("crowd").get()).isEqualTo(1);
        assertThat(runtime.stats().activations()).isEqualTo(1);
        assertThat(Counter.overlapSeen).isFalse();
    }
}
