package io.github.pgs;

/**
 * A behaviour: the logic of a server, written the way an Elixir {@code GenServer} module is. It holds no
 * persistence code; the runtime calls it one message at a time, with the current state, and acts on the result.
 *
 * <pre>{@code
 * public final class Player implements GenServer<String, Player.State> {
 *     public record State(String name, long score) {}
 *     public record ReadScore() implements Call<Long> {}
 *     public record Increment() {}
 *
 *     public Init<State> init(String name) { return Init.ok(new State(name, 0)); }
 *
 *     public CallResult<State> handleCall(Call<?> request, From<?> from, State state) {
 *         return switch (request) {
 *             case ReadScore r -> reply(r, state.score(), state);   // a Long: ReadScore is a Call<Long>
 *             default -> throw new IllegalArgumentException("unknown call " + request);
 *         };
 *     }
 *
 *     public CastResult<State> handleCast(Object message, State state) {
 *         return noreply(new State(state.name(), state.score() + 1));
 *     }
 * }
 * }</pre>
 *
 * <p>Contract: handlers run one at a time per server, never concurrently, always with the state returned by the
 * previous handler (or loaded from storage). A handler that throws crashes only its own server. Instances are
 * created per activation (by the type's factory, by default the public no-argument constructor), so fields are
 * private to one activation and vanish when it petrifies: keep everything that matters in the state.
 *
 * <p>The same behaviour runs ephemeral through {@link #start(Class, Object)} or persistent through
 * {@link PersistentGenServer#start(Class, Object)}.
 *
 * @param <A> the type of the init arguments (the server's identity is derived from them)
 * @param <S> the type of the state; for persistence it must be encodable by the runtime's codec (records of
 *            plain values, collections and {@link ServerRef}s work with the JSON codec)
 */
public interface GenServer<A, S> {

    /** Builds the initial state from the arguments. Runs when a server has no stored state. */
    Init<S> init(A args);

    /**
     * Handles a request that expects a reply. The default crashes the server, as an unexpected call would in
     * Erlang.
     */
    default CallResult<S> handleCall(Call<?> request, From<?> from, S state) {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle calls: " + request);
    }

    /** Handles a cast (a message without reply). The default crashes the server. */
    default CastResult<S> handleCast(Object message, S state) {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle casts: " + message);
    }

    /** Handles any other message ({@link ServerRef#send}). The default ignores it and keeps the state. */
    default CastResult<S> handleInfo(Object message, S state) {
        return Results.noreply(state);
    }

    /**
     * Handles the follow-up asked for by a result's {@code thenContinue}: it runs right after the previous
     * handler's state is persisted and its reply delivered, before any other message. The default crashes.
     */
    default CastResult<S> handleContinue(Object message, S state) {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle continue: " + message);
    }

    /**
     * Called when the server stops (not when it petrifies, which is invisible by design). Exceptions thrown here
     * are logged and otherwise ignored.
     */
    default void terminate(StopReason reason, S state) {
    }

    /**
     * Starts an ephemeral server: a plain in-memory server with no persistence and no petrification, on the
     * JVM-wide ephemeral runtime. Each call starts a new server (as Erlang's {@code GenServer.start} does);
     * once it stops, calls through its ref fail with {@link NoSuchServerException}.
     *
     * @throws InitRejectedException if {@code init} refused to start
     */
    static <A> ServerRef start(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return ServerRuntime.ephemeral().start(behaviour, args);
    }
}
