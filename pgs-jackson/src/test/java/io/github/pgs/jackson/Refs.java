package io.github.pgs.jackson;

import io.github.pgs.Call;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.CallResult;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.store.InMemoryStorage;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/**
 * A runtime to make real {@link ServerRef}s with (they have no public constructor), and a resolver backed by it.
 */
final class Refs implements AutoCloseable {

    /** A counter whose state is a plain number (extended by tests that need more types of server). */
    public static class Counter implements GenServer<String, Long> {

        public record Get() implements Call<Long> {
        }

        @Override
        public Init<Long> init(String key) {
            return Init.ok(0L);
        }

        @Override
        public CallResult<Long> handleCall(Call<?> request, From<?> from, Long state) {
            return switch (request) {
                case Get g -> reply(g, state, state);
                default -> throw new IllegalArgumentException("unknown call " + request);
            };
        }

        @Override
        public CastResult<Long> handleCast(Object message, Long state) {
            return noreply(state + 1);
        }
    }

    final ServerRuntime runtime;

    Refs(StateCodec codec) {
        runtime = ServerRuntime.builder().storage(new InMemoryStorage()).codec(codec).build();
    }

    ServerRef counter(String key) {
        return runtime.ref(Counter.class, key);
    }

    /** Resolves through the runtime, as the runtime itself does when it decodes state. */
    RefResolver resolver() {
        return runtime::ref;
    }

    @Override
    public void close() {
        runtime.close();
    }
}
