package io.github.pgs;

import io.github.pgs.internal.Registry;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Type;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything a runtime needs to know about one behaviour: its type name (identity), how to create it, its
 * argument and state types (for the codec), how arguments map to keys, an optional state mapping, and its
 * {@link TypeOptions}.
 *
 * <p>Immutable. {@code ServerType.of(Player.class)} gives the defaults; the builder overrides them:
 *
 * <pre>{@code
 * ServerType<String, Player.State> players = ServerType.builder(Player.class)
 *         .name("player")
 *         .factory(Player::new)
 *         .options(TypeOptions.builder().idleTimeout(Duration.ofMinutes(5)).build())
 *         .build();
 * }</pre>
 *
 * @param <A> init argument type
 * @param <S> state type
 */
public final class ServerType<A, S> {

    private final Class<? extends GenServer<A, S>> behaviour;
    private final String name;
    private final Supplier<? extends GenServer<A, S>> factory;
    private final Type argsType;
    private final Type stateType;
    private final ArgsKey<A> argsKey;
    private final StateMapping<S, ?> stateMapping;
    private final TypeOptions options;
    private final java.util.Map<Integer, StateUpcaster> upcasters;
    private final java.util.Set<Class<?>> messages;

    private ServerType(Builder<A, S> b) {
        this.behaviour = b.behaviour;
        this.name = b.name != null ? b.name : defaultName(b.behaviour);
        if (!ServerId.isValidTypeName(name)) {
            throw new IllegalArgumentException("type name must match [A-Za-z0-9_.$-]{1,200}: '" + name + "'");
        }
        this.factory = b.factory != null ? b.factory : reflectiveFactory(b.behaviour);
        Type[] resolved = Registry.genServerArguments(b.behaviour);
        this.argsType = b.argsType != null ? b.argsType : require(resolved[0], "argsType", b.behaviour);
        this.stateType = b.stateType != null ? b.stateType : require(resolved[1], "stateType", b.behaviour);
        this.argsKey = b.argsKey;
        this.stateMapping = b.stateMapping;
        this.options = b.options;
        this.upcasters = java.util.Map.copyOf(b.upcasters);
        this.messages = java.util.Set.copyOf(b.messages);
    }

    /** The type with all defaults. */
    public static <A, S> ServerType<A, S> of(Class<? extends GenServer<A, S>> behaviour) {
        return builder(behaviour).build();
    }

    /** A builder for {@code behaviour}. */
    public static <A, S> Builder<A, S> builder(Class<? extends GenServer<A, S>> behaviour) {
        return new Builder<>(behaviour);
    }

    /** A builder starting from this type, e.g. to change its options. */
    public Builder<A, S> toBuilder() {
        Builder<A, S> b = new Builder<>(behaviour);
        b.name = name;
        b.factory = factory;
        b.argsType = argsType;
        b.stateType = stateType;
        b.argsKey = argsKey;
        b.stateMapping = stateMapping;
        b.options = options;
        b.upcasters.putAll(upcasters);
        b.messages.addAll(messages);
        return b;
    }

    public Class<? extends GenServer<A, S>> behaviour() { return behaviour; }
    public String name() { return name; }
    public Supplier<? extends GenServer<A, S>> factory() { return factory; }
    public Type argsType() { return argsType; }
    public Type stateType() { return stateType; }
    /** The explicit argument key, or {@code null} for the default. */
    public ArgsKey<A> argsKey() { return argsKey; }
    /** The state mapping, or {@code null} when the live state is persisted as it is. */
    public StateMapping<S, ?> stateMapping() { return stateMapping; }
    public TypeOptions options() { return options; }
    /** The upcaster from schema version {@code fromVersion} to the next, or {@code null}. */
    public StateUpcaster upcaster(int fromVersion) { return upcasters.get(fromVersion); }
    /** The message classes declared with {@link Builder#messages}, besides the defaults. */
    public java.util.Set<Class<?>> messages() { return messages; }

    @Override
    public String toString() {
        return "ServerType[" + name + " = " + behaviour.getName() + "]";
    }

    /** The type name of {@code behaviour}: its {@link TypeName} if present, else its binary class name. */
    public static String defaultName(Class<?> behaviour) {
        TypeName pinned = behaviour.getAnnotation(TypeName.class);
        return pinned != null ? pinned.value() : behaviour.getName();
    }

    private static Type require(Type t, String what, Class<?> behaviour) {
        if (t == null) {
            throw new IllegalArgumentException("cannot resolve the " + what + " of " + behaviour.getName()
                    + " from its GenServer<A, S> declaration; set it on the ServerType builder");
        }
        return t;
    }

    private static <A, S> Supplier<GenServer<A, S>> reflectiveFactory(Class<? extends GenServer<A, S>> behaviour) {
        final Constructor<? extends GenServer<A, S>> ctor;
        try {
            ctor = behaviour.getDeclaredConstructor();
            ctor.setAccessible(true);
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new IllegalArgumentException(behaviour.getName()
                    + " has no accessible no-argument constructor; give the ServerType a factory", e);
        }
        return () -> {
            try {
                return ctor.newInstance();
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException("constructor of " + behaviour.getName() + " failed", cause);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot instantiate " + behaviour.getName(), e);
            }
        };
    }

    /** Builds a {@link ServerType}. Not thread-safe. */
    public static final class Builder<A, S> {
        private final Class<? extends GenServer<A, S>> behaviour;
        private String name;
        private Supplier<? extends GenServer<A, S>> factory;
        private Type argsType;
        private Type stateType;
        private ArgsKey<A> argsKey;
        private StateMapping<S, ?> stateMapping;
        private TypeOptions options = TypeOptions.DEFAULTS;
        private final java.util.Map<Integer, StateUpcaster> upcasters = new java.util.HashMap<>();
        private final java.util.Set<Class<?>> messages = new java.util.LinkedHashSet<>();

        private Builder(Class<? extends GenServer<A, S>> behaviour) {
            this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
        }

        /** The type name (default: {@link TypeName} or the binary class name). */
        public Builder<A, S> name(String v) { name = v; return this; }
        /** Creates one behaviour instance per activation (default: the no-argument constructor). */
        public Builder<A, S> factory(Supplier<? extends GenServer<A, S>> v) { factory = v; return this; }
        /** The init argument type, when it cannot be read from the class declaration. */
        public Builder<A, S> argsType(Type v) { argsType = v; return this; }
        /** The state type, when it cannot be read from the class declaration. */
        public Builder<A, S> stateType(Type v) { stateType = v; return this; }
        /** How init arguments become keys (default: see {@link ArgsKey}). */
        public Builder<A, S> argsKey(ArgsKey<A> v) { argsKey = v; return this; }
        /** Persist a mapped form of the state (default: the state itself). */
        public Builder<A, S> stateMapping(StateMapping<S, ?> v) { stateMapping = v; return this; }
        /** The type's options (default {@link TypeOptions#DEFAULTS}). */
        public Builder<A, S> options(TypeOptions v) { options = Objects.requireNonNull(v, "options"); return this; }

        /** Reads states persisted with schema version {@code fromVersion} as version {@code fromVersion + 1}. */
        public Builder<A, S> upcaster(int fromVersion, StateUpcaster v) {
            if (fromVersion < 1) {
                throw new IllegalArgumentException("fromVersion must be >= 1: " + fromVersion);
            }
            upcasters.put(fromVersion, Objects.requireNonNull(v, "upcaster"));
            return this;
        }

        /**
         * Declares more classes whose instances may be sent to servers of this type from another node (with a
         * placement engine; a single JVM needs no declaration). By default a type accepts the records and enums
         * declared inside its behaviour class (and the permitted subclasses of sealed interfaces declared there),
         * {@code String} and the boxed primitives. A sealed type given here adds its permitted subclasses,
         * recursively. The owner decodes a message from the wire only into a declared class.
         */
        public Builder<A, S> messages(Class<?>... classes) {
            for (Class<?> c : classes) {
                messages.add(Objects.requireNonNull(c, "message class"));
            }
            return this;
        }

        public ServerType<A, S> build() {
            return new ServerType<>(this);
        }
    }
}
