package io.github.pgs.console;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What the console answers: a status, a content type, a body and the headers to set besides the content type.
 * The headers always include the console's security headers (content security policy, no sniffing, no framing,
 * no caching of API answers).
 *
 * @param status      the HTTP status
 * @param contentType the content type, with its charset for text
 * @param body        the body
 * @param headers     further headers
 */
public record ConsoleResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public ConsoleResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /** The body as UTF-8 text (for tests and logs). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
