package io.github.pgs.internal;

import io.github.pgs.ArgsKey;
import io.github.pgs.CodecException;
import io.github.pgs.GenServer;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerType;
import io.github.pgs.StateMapping;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * A {@link ServerType} as one runtime uses it: the resolved argument key, the persisted type, the current
 * options and the type's counters. Options are volatile so that a type can be reconfigured while servers run;
 * identity (name, key derivation) never changes.
 */
final class TypeRuntime<A, S> {

    private final ServerType<A, S> spec;
    private final ArgsKey<A> argsKey;
    private final Type persistedType;
    private final int maxKeyBytes;
    private volatile TypeOptions options;
    /** This type's counters in this runtime. */
    final TypeStats stats = new TypeStats();
    private volatile java.util.Map<String, Class<?>> messageClasses; // made on first use (placement only)

    @SuppressWarnings("unchecked")
    TypeRuntime(ServerType<A, S> spec, StateCodec codec, RefResolver refs, int maxKeyBytes) {
        this.spec = spec;
        this.options = spec.options();
        this.maxKeyBytes = maxKeyBytes;
        StateMapping<S, ?> mapping = spec.stateMapping();
        this.persistedType = mapping != null ? mapping.persistedType() : spec.stateType();
        ArgsKey<A> key = spec.argsKey();
        if (key == null && spec.argsType() instanceof Class<?> c) {
            key = ArgsKey.builtIn((Class<A>) c);
        }
        if (key == null && codec != null) {
            key = codecKey(codec, refs, spec.argsType());
        }
        this.argsKey = key;
    }

    private static <A> ArgsKey<A> codecKey(StateCodec codec, RefResolver refs, Type argsType) {
        if (!codec.isText()) {
            return null;
        }
        return new ArgsKey<>() {
            @Override
            public String toKey(A args) {
                return new String(codec.encode(args, argsType), StandardCharsets.UTF_8);
            }

            @Override
            @SuppressWarnings("unchecked")
            public A fromKey(String key) {
                return (A) codec.decode(key.getBytes(StandardCharsets.UTF_8), argsType, refs);
            }
        };
    }

    ServerType<A, S> spec() {
        return spec;
    }

    String name() {
        return spec.name();
    }

    TypeOptions options() {
        return options;
    }

    void reconfigure(TypeOptions next) {
        this.options = next;
    }

    Type persistedType() {
        return persistedType;
    }

    /** The declared message class named {@code binaryName}, or {@code null}: see {@link MessageTypes}. */
    Class<?> messageClass(String binaryName) {
        java.util.Map<String, Class<?>> m = messageClasses;
        if (m == null) {
            m = MessageTypes.of(spec);
            messageClasses = m;
        }
        return m.get(binaryName);
    }

    GenServer<A, S> newBehaviour() {
        return spec.factory().get();
    }

    /** The identity of the server started with {@code args}. */
    ServerId idFor(A args) {
        if (argsKey == null) {
            throw new IllegalArgumentException("type " + name() + " has arguments of type " + spec.argsType()
                    + " that the codec cannot turn into keys; give its ServerType an ArgsKey");
        }
        String key;
        try {
            key = argsKey.toKey(args);
        } catch (CodecException e) {
            throw new IllegalArgumentException("cannot derive a key for type " + name() + ": " + e.getMessage(), e);
        }
        return checkedId(key);
    }

    ServerId checkedId(String key) {
        return checkKeyLength(new ServerId(name(), key), maxKeyBytes);
    }

    /** {@code id}, if its key fits in {@code maxKeyBytes}: the one check every ref goes through, made or read. */
    static ServerId checkKeyLength(ServerId id, int maxKeyBytes) {
        int bytes = id.keyBytes();
        if (bytes > maxKeyBytes) {
            throw new KeyTooLongException(id.type(), bytes, maxKeyBytes);
        }
        return id;
    }

    /** The init arguments a key stands for (used when a server without stored state starts from a bare ref). */
    A argsFor(String key) {
        if (argsKey == null) {
            throw new IllegalStateException("type " + name() + " cannot rebuild its arguments from a key");
        }
        return argsKey.fromKey(key);
    }
}
