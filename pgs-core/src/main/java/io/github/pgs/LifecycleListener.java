package io.github.pgs;

/**
 * Told when servers of a runtime stop or crash: the Java answer to links and monitors for servers that come
 * and go. Petrify and revive are invisible by design and never reported.
 *
 * <p>Called on the stopping server's thread after it has stopped; must be quick and must not call that server
 * (it is gone; a call would start it again). Exceptions are logged and ignored.
 */
public interface LifecycleListener {

    /** {@code id} stopped normally ({@link StopReason#NORMAL} or {@link StopReason#SHUTDOWN}). */
    default void stopped(ServerId id, StopReason reason) {
    }

    /** {@code id} crashed or was stopped with an error reason. */
    default void crashed(ServerId id, StopReason reason) {
    }

    /** {@code id} was quarantined (crash loop, or stored state it cannot read); {@code lastFailure} says why. */
    default void quarantined(ServerId id, String lastFailure) {
    }

    /** {@code id} left quarantine (released, rolled back or reset, by an operator or by the type's policy). */
    default void released(ServerId id) {
    }
}
