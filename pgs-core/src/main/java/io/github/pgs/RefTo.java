package io.github.pgs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the type of server the {@link ServerRef}s of a state field point to, so that a ref of another type read
 * from stored data is refused instead of being used. Put it on a record component (or a field, or a creator
 * parameter) holding a {@code ServerRef}, or a collection, map (keys and values), array or {@code Optional} of
 * them; it applies to every ref that component holds directly, not to refs inside other records it holds (those
 * declare their own).
 *
 * <pre>{@code
 * record Guild(String name, @RefTo(Player.class) List<ServerRef> members, ServerRef anything) {}
 * }</pre>
 *
 * <p>When the state is decoded, each ref in {@code members} must carry the type name the decoding runtime knows
 * {@code Player} by (its registered name, else {@link ServerType#defaultName}); otherwise decoding fails with a
 * {@link RefTypeMismatchException} naming the field, and the server is quarantined with its stored state untouched,
 * as for any state that does not decode. Refs without the annotation ({@code anything}) are accepted whatever
 * their type, and their type is looked up only when they are used. Writing is not checked: a handler that stores
 * a ref of another type in an annotated field writes it, and the next activation refuses it.
 *
 * <p>Codecs implement the check with {@link io.github.pgs.spi.RefResolver#typeName}; the JSON codec does.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface RefTo {
    /** The behaviour whose servers the refs point to. */
    Class<? extends GenServer<?, ?>> value();
}
