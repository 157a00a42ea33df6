package io.github.pgs.console;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One HTTP request to the console, as the hosting server (the standalone {@link ConsoleServer}, or a servlet in an
 * application) hands it over.
 *
 * @param method  the HTTP method, upper case
 * @param path    the path below the console's root, starting with {@code /} ({@code /} for the page itself)
 * @param params  query and form parameters, decoded; the first value of each
 * @param headers the request's headers by name (case-insensitive lookup is the host's job); {@code null} if absent
 */
public record ConsoleRequest(String method, String path, Map<String, String> params,
                             Function<String, String> headers) {

    public ConsoleRequest {
        method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
        Objects.requireNonNull(path, "path");
        params = Map.copyOf(params);
        Objects.requireNonNull(headers, "headers");
    }

    /** The parameter {@code name}, or {@code null}. */
    public String param(String name) {
        return params.get(name);
    }

    /** The header {@code name}, or {@code null}. */
    public String header(String name) {
        return headers.apply(name);
    }
}
