package io.github.pgs.runtime;

import io.github.pgs.ReplyTypeException;
import io.github.pgs.ServerRef;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replies are typed by their request: {@code reply(request, value, state)} and {@code From.typed(request)} are
 * checked by the compiler (the behaviours of these tests are the proof), and what slips past it through an
 * unchecked escape hatch reaches the caller as a typed error naming the request and both types, never as a
 * {@link ClassCastException}.
 */
class TypedReplyTest extends RuntimeFixture {

    @Test
    void aHandBuiltReplyOfTheWrongType_failsTheCallerWithATypedError_andTheStateIsStillCommitted() {
        ServerRef ref = runtime.ref(Counter.class, "wrong");
        assertThatThrownBy(() -> {
            Long ignored = ref.call(new Counter.WrongReply());
        }).isInstanceOfSatisfying(ReplyTypeException.class, e -> {
            assertThat(e.serverId()).isEqualTo(ref.id());
            assertThat(e.requestType()).isEqualTo(Counter.WrongReply.class.getName());
            assertThat(e.expectedType()).isEqualTo(Long.class.getName());
            assertThat(e.actualType()).isEqualTo(String.class.getName());
            assertThat(e.getMessage()).contains("WrongReply", "java.lang.Long", "java.lang.String");
        });
        assertThat(ref.call(new Counter.Get())).as("the handler's state was committed").isEqualTo(1);
        assertThat(storedCount("wrong")).isEqualTo(1);
    }

    @Test
    void aWrongValueThroughARawFrom_failsTheCallerWithATypedError() {
        ServerRef ref = runtime.ref(Counter.class, "raw");
        assertThatThrownBy(() -> ref.call(new Counter.WrongDeferredReply()))
                .isInstanceOfSatisfying(ReplyTypeException.class,
                        e -> assertThat(e.actualType()).isEqualTo(String.class.getName()));
        assertThat(ref.call(new Counter.Get())).isZero();
    }

    @Test
    void aFromCanBeTypedOnlyByItsOwnRequest() {
        ServerRef ref = runtime.ref(Counter.class, "typed");
        assertThat(ref.call(new Counter.TypedByOther())).isFalse();
    }
}
