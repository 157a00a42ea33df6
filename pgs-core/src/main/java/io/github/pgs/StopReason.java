package io.github.pgs;

import java.util.Objects;

/**
 * Why a server stops. {@link #NORMAL} and {@link #SHUTDOWN} are normal stops; anything else is abnormal
 * (a crash), which matters for the {@link LifecyclePolicy}: under the default {@code TRANSIENT} policy a normal
 * stop wipes the persisted state and an abnormal one keeps it.
 *
 * @param kind   normal, shutdown or error
 * @param detail a short description, for errors; empty otherwise
 * @param cause  the exception that crashed the server, or {@code null}
 */
public record StopReason(Kind kind, String detail, Throwable cause) {

    /** The kinds of stop. */
    public enum Kind { NORMAL, SHUTDOWN, ERROR }

    /** A normal stop (Erlang's {@code :normal}). */
    public static final StopReason NORMAL = new StopReason(Kind.NORMAL, "", null);
    /** A normal stop asked for by whoever shuts the server down (Erlang's {@code :shutdown}). */
    public static final StopReason SHUTDOWN = new StopReason(Kind.SHUTDOWN, "", null);

    public StopReason {
        Objects.requireNonNull(kind, "kind");
        detail = detail == null ? "" : detail;
    }

    /** An abnormal stop with a description, as if the server had crashed, but asked for. */
    public static StopReason error(String detail) {
        return new StopReason(Kind.ERROR, Objects.requireNonNull(detail, "detail"), null);
    }

    /** The stop of a server whose handler threw {@code cause}. */
    public static StopReason crash(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        return new StopReason(Kind.ERROR, cause.getClass().getName() + ": " + cause.getMessage(), cause);
    }

    /** {@code true} for {@link #NORMAL} and {@link #SHUTDOWN}. */
    public boolean isNormal() {
        return kind != Kind.ERROR;
    }

    @Override
    public String toString() {
        return kind == Kind.ERROR ? "error(" + detail + ")" : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
