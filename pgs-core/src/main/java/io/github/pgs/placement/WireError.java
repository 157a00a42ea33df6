package io.github.pgs.placement;

import java.util.Map;
import java.util.Objects;

/**
 * A typed failure on its way back to the sender: which exception of the {@code GenServerException} family, about
 * which server, with its domain fields, so that the sender's runtime rethrows the same exception class with the
 * same fields. Messages carry no state contents (the exceptions' own rule).
 *
 * @param kind    the exception's simple class name ({@code CallTimeoutException}, {@code ServerCrashedException},
 *                ...); an unknown kind comes back as a plain {@code GenServerException}
 * @param server  the server id's text form, or empty
 * @param message the message without the server id prefix
 * @param fields  the exception's domain values by name (for example {@code expected} and {@code actual} of a
 *                version conflict)
 */
public record WireError(String kind, String server, String message, Map<String, String> fields) {

    public WireError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(message, "message");
        fields = Map.copyOf(fields);
    }

    @Override
    public String toString() {
        return kind + (server.isEmpty() ? "" : " " + server) + ": " + message;
    }
}
