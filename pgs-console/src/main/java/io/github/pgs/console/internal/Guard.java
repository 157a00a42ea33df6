package io.github.pgs.console.internal;

import io.github.pgs.console.Console;
import io.github.pgs.console.ConsoleRequest;
import io.github.pgs.console.ConsoleResponse;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether an API request may be answered: the access token when the console has one, and for actions
 * the CSRF token plus the browser's word on where the request comes from.
 *
 * <p>Algorithm: {@code GET} reads pass once the access token matches; {@code POST} actions must also carry the
 * CSRF token in {@link Console#CSRF_HEADER}, and are refused if {@code Sec-Fetch-Site} says {@code cross-site} or
 * {@code same-site}, or if {@code Origin} names another host than {@code Host}. Hazards: tokens are compared in
 * constant time so that timing does not reveal them; an absent {@code Origin} is allowed (command-line clients do
 * not send one) because the custom header alone already keeps browsers on other sites out; every refusal says what
 * was missing, never the expected value.
 */
public final class Guard {

    private Guard() {
    }

    /** {@code null} if the request may go on, else the refusal. */
    public static ConsoleResponse check(ConsoleRequest request, String accessToken, String csrfToken) {
        if (accessToken != null) {
            String auth = request.header("Authorization");
            String prefix = "Bearer ";
            if (auth == null || !auth.regionMatches(true, 0, prefix, 0, prefix.length())
                    || !same(auth.substring(prefix.length()).trim(), accessToken)) {
                return error(401, "the access token is missing or wrong (it was printed when the console started)");
            }
        }
        return switch (request.method()) {
            case "GET", "HEAD" -> null;
            case "POST" -> checkWrite(request, csrfToken);
            default -> error(405, "use GET to read and POST for actions");
        };
    }

    private static ConsoleResponse checkWrite(ConsoleRequest request, String csrfToken) {
        String csrf = request.header(Console.CSRF_HEADER);
        if (csrf == null || !same(csrf, csrfToken)) {
            return error(403, "an action needs the console's CSRF token in the " + Console.CSRF_HEADER + " header");
        }
        String site = request.header("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
            return error(403, "actions are accepted from the console's own page only");
        }
        String origin = request.header("Origin");
        if (origin != null) {
            String host = request.header("Host");
            if (host == null || !host.toLowerCase(Locale.ROOT).equals(authority(origin))) {
                return error(403, "actions are accepted from the console's own page only");
            }
        }
        return null;
    }

    /** The host[:port] of an origin, lower case, or {@code ""} for {@code null} and malformed origins. */
    private static String authority(String origin) {
        try {
            URI u = new URI(origin);
            if (u.getHost() == null) {
                return "";
            }
            String host = u.getHost().toLowerCase(Locale.ROOT);
            return u.getPort() < 0 ? host : host + ":" + u.getPort();
        } catch (URISyntaxException e) {
            return "";
        }
    }

    private static boolean same(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error answer. */
    public static ConsoleResponse error(int status, String message) {
        return json(status, new Json().beginObject().field("error", message).endObject().toString());
    }

    /** A JSON answer with the API's headers. */
    public static ConsoleResponse json(int status, String body) {
        return new ConsoleResponse(status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8),
                Headers.API);
    }

    /** Headers of every answer. */
    public static final class Headers {
        /** For the page and its assets. */
        public static final Map<String, String> PAGE = Map.of(
                "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options", "nosniff",
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer",
                "Cache-Control", "no-store");
        /** For API answers: never cached, never sniffed, never framed. */
        public static final Map<String, String> API = Map.of(
                "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options", "nosniff",
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer",
                "Cache-Control", "no-store");

        private Headers() {
        }
    }
}
