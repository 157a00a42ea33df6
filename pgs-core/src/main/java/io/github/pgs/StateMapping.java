package io.github.pgs;

import java.lang.reflect.Type;
import java.util.Objects;
import java.util.function.Function;

/**
 * Maps a server's live state to the form that is persisted and back, so that ephemeral parts (caches, pending
 * {@link From}s, open resources) are never written. The seed calls this the transformation function.
 *
 * <p>Change detection and size limits apply to the persisted form: a change of ephemeral parts alone writes
 * nothing.
 *
 * @param <S> the live state type
 * @param <P> the persisted state type
 */
public interface StateMapping<S, P> {

    /** The persisted form's type, for the codec. */
    Type persistedType();

    /** The part of {@code live} to persist. */
    P toPersisted(S live);

    /** Rebuilds the live state from what was persisted. */
    S fromPersisted(P persisted);

    /** A mapping from two functions. */
    static <S, P> StateMapping<S, P> of(Class<P> persistedType, Function<? super S, ? extends P> toPersisted,
                                        Function<? super P, ? extends S> fromPersisted) {
        Objects.requireNonNull(persistedType, "persistedType");
        Objects.requireNonNull(toPersisted, "toPersisted");
        Objects.requireNonNull(fromPersisted, "fromPersisted");
        return new StateMapping<>() {
            @Override
            public Type persistedType() {
                return persistedType;
            }

            @Override
            public P toPersisted(S live) {
                return toPersisted.apply(live);
            }

            @Override
            public S fromPersisted(P persisted) {
                return fromPersisted.apply(persisted);
            }
        };
    }
}
