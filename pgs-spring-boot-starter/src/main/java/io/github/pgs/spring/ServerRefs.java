package io.github.pgs.spring;

import io.github.pgs.GenServer;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;

import java.util.Objects;

/**
 * Refs of the application's runtime, for injection: {@code refs.of(Player.class, "Vorpal")}. A bean of the
 * starter; thread-safe. Refs are made without starting servers (virtual activation).
 */
public final class ServerRefs {

    private final ServerRuntime runtime;

    public ServerRefs(ServerRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** The ref of the server of {@code behaviour} started with {@code args}. */
    public <A> ServerRef of(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return runtime.ref(behaviour, args);
    }

    /** The ref of the server of type {@code behaviour} whose stored key is {@code key}. */
    public ServerRef byKey(Class<?> behaviour, String key) {
        return runtime.ref(new ServerId(ServerType.defaultName(behaviour), key));
    }

    /** The ref whose text form ({@code TYPE:KEY}, {@link ServerRef#toString()}) is {@code text}. */
    public ServerRef parse(String text) {
        return runtime.ref(text);
    }

    /** The runtime the refs belong to. */
    public ServerRuntime runtime() {
        return runtime;
    }
}
