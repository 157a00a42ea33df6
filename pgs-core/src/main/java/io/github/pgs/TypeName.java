package io.github.pgs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Pins the type name of a behaviour, the first half of every server's identity. Without it the name is the
 * class's binary name, which changes when the class is renamed or moved, orphaning stored state: pin the name of
 * any type whose state must outlive refactoring.
 *
 * <pre>{@code @TypeName("player") public final class Player implements GenServer<String, Player.State> { ... }}</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TypeName {
    /** The type name; must match {@code [A-Za-z0-9_.$-]{1,200}}. */
    String value();
}
