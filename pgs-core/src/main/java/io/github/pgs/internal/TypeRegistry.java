package io.github.pgs.internal;

import io.github.pgs.GenServer;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server types one runtime knows, by name (identity) and by behaviour class. Registering a type again with the
 * same name and class replaces its options; another class under a taken name is refused. Types are only ever
 * registered by code, never loaded by a name read from data.
 */
final class TypeRegistry {

    private final ConcurrentHashMap<String, TypeRuntime<?, ?>> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, TypeRuntime<?, ?>> byClass = new ConcurrentHashMap<>();
    private final StateCodec codec;
    private final RefResolver refs;
    private final int maxKeyBytes;
    private final TypeOptions defaultOptions;

    TypeRegistry(StateCodec codec, RefResolver refs, int maxKeyBytes, TypeOptions defaultOptions) {
        this.codec = codec;
        this.refs = refs;
        this.maxKeyBytes = maxKeyBytes;
        this.defaultOptions = defaultOptions;
    }

    /** Registers {@code spec}; registering the same type again (same name and class) replaces its options. */
    @SuppressWarnings("unchecked")
    <A, S> TypeRuntime<A, S> register(ServerType<A, S> spec) {
        TypeRuntime<?, ?> existing = byName.get(spec.name());
        if (existing != null) {
            if (existing.spec().behaviour() != spec.behaviour()) {
                throw new IllegalArgumentException("type name '" + spec.name() + "' is already registered for "
                        + existing.spec().behaviour().getName());
            }
            existing.reconfigure(spec.options());
            return (TypeRuntime<A, S>) existing;
        }
        TypeRuntime<A, S> t = new TypeRuntime<>(spec, codec, refs, maxKeyBytes);
        if (byName.putIfAbsent(spec.name(), t) != null) {
            return register(spec);
        }
        byClass.putIfAbsent(spec.behaviour(), t);
        return t;
    }

    /** The type of {@code behaviour}, registered with the runtime's default options on first use. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <A> TypeRuntime<A, ?> of(Class<? extends GenServer<A, ?>> behaviour) {
        TypeRuntime<?, ?> t = byClass.get(behaviour);
        if (t != null) {
            return (TypeRuntime<A, ?>) t;
        }
        ServerType spec = ServerType.builder((Class) behaviour).options(defaultOptions).build();
        return register(spec);
    }

    /** The type registered under {@code typeName}. */
    TypeRuntime<?, ?> named(String typeName) {
        TypeRuntime<?, ?> t = byName.get(typeName);
        if (t == null) {
            throw new UnknownServerTypeException(typeName);
        }
        return t;
    }

    /** The name {@code behaviour} is registered under, or its default name when it is not registered. */
    String nameOf(Class<? extends GenServer<?, ?>> behaviour) {
        TypeRuntime<?, ?> t = byClass.get(behaviour);
        return t != null ? t.name() : ServerType.defaultName(behaviour);
    }

    /** The type registered under {@code typeName}, or {@code null}. */
    TypeRuntime<?, ?> find(String typeName) {
        return byName.get(typeName);
    }

    /** A snapshot of the registered types. */
    List<TypeRuntime<?, ?>> all() {
        return List.copyOf(byName.values());
    }

    List<ServerType<?, ?>> specs() {
        List<ServerType<?, ?>> out = new ArrayList<>();
        byName.values().forEach(t -> out.add(t.spec()));
        return out;
    }
}
