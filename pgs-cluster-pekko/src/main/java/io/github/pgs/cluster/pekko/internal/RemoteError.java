package io.github.pgs.cluster.pekko.internal;

import java.util.Objects;

/**
 * A typed failure as it crosses nodes: a kind naming the exception class, the server, the message without the
 * server prefix, and the kind's domain fields (two numbers and a text; what they mean depends on the kind, see
 * {@link Errors}). Never a serialized exception.
 *
 * @param kind     which exception (one of {@link Errors}' kinds)
 * @param serverId the server's id text, or {@code ""}
 * @param message  the message without the {@code "<id>: "} prefix
 * @param first    the first numeric field (0 if unused)
 * @param second   the second numeric field (0 if unused)
 * @param text     the text field ({@code ""} if unused)
 */
public record RemoteError(String kind, String serverId, String message, long first, long second, String text) {

    public RemoteError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(text, "text");
    }
}
