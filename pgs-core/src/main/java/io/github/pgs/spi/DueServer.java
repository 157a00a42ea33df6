package io.github.pgs.spi;

import io.github.pgs.ServerId;

import java.util.Objects;

/**
 * A server whose earliest reminder is due, as {@link Storage#due} returns it in a {@link DuePage}.
 *
 * @param id             the server
 * @param remindAtMillis when its earliest reminder is due (epoch millis), as last written
 */
public record DueServer(ServerId id, long remindAtMillis) {

    public DueServer {
        Objects.requireNonNull(id, "id");
        if (remindAtMillis <= 0) {
            throw new IllegalArgumentException("remindAtMillis must be > 0: " + remindAtMillis);
        }
    }
}
