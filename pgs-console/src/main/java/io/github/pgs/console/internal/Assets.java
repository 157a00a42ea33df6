package io.github.pgs.console.internal;

import io.github.pgs.console.ConsoleResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The page and its two assets, read once from this jar. Only the names listed here are served, so a request path
 * can never reach another resource. The page is a template with a few {@code {{name}}} slots (title, tokens,
 * headers for actions) filled with HTML-escaped text in {@code <meta>} attributes; the script reads them from
 * there, so no value is ever placed into script code.
 */
public final class Assets {

    private static final String ROOT = "/io/github/pgs/console/static/";
    private static final Map<String, String> TYPES = Map.of(
            "/console.css", "text/css; charset=utf-8",
            "/console.js", "text/javascript; charset=utf-8");

    private final String page;
    private final Map<String, byte[]> files;

    public Assets() {
        page = new String(read("index.html"), StandardCharsets.UTF_8);
        files = Map.of("/console.css", read("console.css"), "/console.js", read("console.js"));
    }

    private static byte[] read(String name) {
        try (InputStream in = Assets.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The asset at {@code path}, or a 404 answer. */
    public ConsoleResponse asset(String path) {
        byte[] body = files.get(path);
        if (body == null) {
            return new ConsoleResponse(404, "text/plain; charset=utf-8",
                    "not found".getBytes(StandardCharsets.UTF_8), Guard.Headers.PAGE);
        }
        return new ConsoleResponse(200, TYPES.get(path), body, Guard.Headers.PAGE);
    }

    /** The page with its slots filled. */
    public ConsoleResponse page(String title, String csrf, boolean needsToken, Map<String, String> writeHeaders) {
        Json headers = new Json().beginObject();
        writeHeaders.forEach(headers::field);
        headers.endObject();
        String html = page
                .replace("{{title}}", escape(title))
                .replace("{{csrf}}", escape(csrf))
                .replace("{{auth}}", needsToken ? "token" : "host")
                .replace("{{writeHeaders}}", escape(headers.toString()));
        return new ConsoleResponse(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8),
                Guard.Headers.PAGE);
    }

    /** Escapes text for an HTML attribute value or element content. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
