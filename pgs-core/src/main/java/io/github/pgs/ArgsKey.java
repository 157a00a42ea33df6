package io.github.pgs;

import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns init arguments into the key half of a server's identity and back. The key must be a faithful,
 * deterministic encoding: a ref holds only type and key, and a server whose state was wiped is started again
 * from {@code fromKey(key)}.
 *
 * <p>Defaults, chosen from the argument type: {@code String} is its own key; {@code Integer}, {@code Long},
 * {@code UUID}, {@code Boolean} and enums use {@code toString}/parse; any other type uses the runtime's codec
 * (for the JSON codec, the compact JSON text of the arguments, with record components in declaration order).
 *
 * @param <A> the init argument type
 */
public interface ArgsKey<A> {

    /** The key for {@code args}. */
    String toKey(A args);

    /** The arguments that {@code key} stands for. */
    A fromKey(String key);

    /** An {@code ArgsKey} from two functions. */
    static <A> ArgsKey<A> of(Function<? super A, String> toKey, Function<String, ? extends A> fromKey) {
        Objects.requireNonNull(toKey, "toKey");
        Objects.requireNonNull(fromKey, "fromKey");
        return new ArgsKey<>() {
            @Override
            public String toKey(A args) {
                return toKey.apply(args);
            }

            @Override
            public A fromKey(String key) {
                return fromKey.apply(key);
            }
        };
    }

    /**
     * The built-in key for {@code type}, or {@code null} when the type has none (the codec is used then).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <A> ArgsKey<A> builtIn(Class<A> type) {
        if (type == String.class) {
            return (ArgsKey<A>) of(s -> (String) s, k -> k);
        }
        if (type == Long.class) {
            return (ArgsKey<A>) of(String::valueOf, Long::valueOf);
        }
        if (type == Integer.class) {
            return (ArgsKey<A>) of(String::valueOf, Integer::valueOf);
        }
        if (type == UUID.class) {
            return (ArgsKey<A>) of(String::valueOf, UUID::fromString);
        }
        if (type == Boolean.class) {
            return (ArgsKey<A>) of(String::valueOf, Boolean::valueOf);
        }
        if (type.isEnum()) {
            Class<? extends Enum> e = (Class<? extends Enum>) type;
            return (ArgsKey<A>) of(v -> ((Enum<?>) v).name(), k -> Enum.valueOf(e, k));
        }
        return null;
    }
}
