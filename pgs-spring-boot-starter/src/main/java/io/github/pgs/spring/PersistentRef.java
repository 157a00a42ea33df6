package io.github.pgs.spring;

import io.github.pgs.GenServer;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the {@link io.github.pgs.ServerRef} of one server into a field of a Spring bean: the server of behaviour
 * {@link #type()} with key {@link #key()} (the key as stored: for {@code String} arguments, the argument itself).
 * The ref is made without starting the server; its first message activates it.
 *
 * <pre>{@code
 * @PersistentRef(type = Room.class, key = "lobby")
 * private ServerRef lobby;
 * }</pre>
 *
 * <p>For refs chosen at run time, inject {@link ServerRefs} instead.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface PersistentRef {

    /** The behaviour class (its type must be registered: a bean, a {@code ServerType} bean, or named in a start). */
    @SuppressWarnings("rawtypes")
    Class<? extends GenServer> type();

    /** The server's key. */
    String key();
}
