package io.github.pgs.jackson;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;

import static io.github.pgs.Results.reply;

/**
 * A server that only hands out its stored state, whatever its state type (set per registration with
 * {@code ServerType.builder(Echo.class).name(...).stateType(...)}): calling it makes the runtime decode a stored
 * state as that type.
 */
public final class Echo implements GenServer<String, Object> {

    /** Replies with the decoded state. */
    public record Get() implements Call<Object> {
    }

    @Override
    public Init<Object> init(String key) {
        throw new IllegalStateException("only stored states are echoed");
    }

    @Override
    public CallResult<Object> handleCall(Call<?> request, From<?> from, Object state) {
        return switch (request) {
            case Get g -> reply(g, state, state);
            default -> throw new IllegalArgumentException("unknown request " + request.getClass().getSimpleName());
        };
    }
}
