package io.github.pgs.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.pgs.admin.Admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The console on the JDK's built-in HTTP server, for a store without an application ({@code pgs console}). Bound to
 * 127.0.0.1 on a free port unless told otherwise; every API request must carry the random access token, which the
 * operator gets from {@link #loginUrl()} (the token travels in the URL's fragment, which browsers never send to a
 * server or put in a {@code Referer}; the page keeps it in the tab's session storage).
 *
 * <pre>{@code
 * try (ConsoleServer server = ConsoleServer.builder(Admin.of(storage, codec)).types(List.of("player")).start()) {
 *     System.out.println("open " + server.loginUrl());
 *     ...
 * }
 * }</pre>
 *
 * <p>Requests run on virtual threads; request bodies above {@value #MAX_BODY_BYTES} bytes are refused. Thread-safe.
 */
public final class ConsoleServer implements AutoCloseable {

    /** The largest request body read: 64 KiB (actions carry a few short parameters). */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpServer http;
    private final ExecutorService executor;
    private final Console console;
    private final String token;

    private ConsoleServer(HttpServer http, ExecutorService executor, Console console, String token) {
        this.http = http;
        this.executor = executor;
        this.console = console;
        this.token = token;
    }

    /** A builder for a console over {@code admin}. */
    public static Builder builder(Admin admin) {
        return new Builder(admin);
    }

    /** {@code http://HOST:PORT/}. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + a.getPort() + "/";
    }

    /** The address to open in a browser: {@link #url()} with the access token in its fragment. */
    public String loginUrl() {
        return url() + "#token=" + token;
    }

    /** The access token every API request must carry. */
    public String accessToken() {
        return token;
    }

    /** The port the server listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The console it serves. */
    public Console console() {
        return console;
    }

    /** Stops listening, waits up to a second for requests in progress, and ends their threads. */
    @Override
    public void close() {
        http.stop((int) STOP_GRACE.toSeconds());
        executor.shutdownNow();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            Map<String, String> params = new LinkedHashMap<>();
            parse(ex.getRequestURI().getRawQuery(), params);
            if (method.equalsIgnoreCase("POST")) {
                byte[] body = readBody(ex.getRequestBody());
                if (body == null) {
                    send(ex, Console.plain(413, "request body too large"), false);
                    return;
                }
                String type = ex.getRequestHeaders().getFirst("Content-Type");
                if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                    parse(new String(body, StandardCharsets.UTF_8), params);
                }
            }
            ConsoleRequest request = new ConsoleRequest(method, ex.getRequestURI().getPath(), params,
                    name -> ex.getRequestHeaders().getFirst(name));
            send(ex, console.handle(request), method.equalsIgnoreCase("HEAD"));
        } catch (RuntimeException e) {
            send(ex, Console.plain(500, "internal error: " + e.getClass().getSimpleName()), false);
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static void send(HttpExchange ex, ConsoleResponse r, boolean head) throws IOException {
        ex.getResponseHeaders().set("Content-Type", r.contentType());
        r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (head) {
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body());
        }
    }

    /** Adds the pairs of an {@code application/x-www-form-urlencoded} string; the first value of a name wins. */
    static void parse(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                into.putIfAbsent(name, value);
            } catch (IllegalArgumentException malformed) {
                // a malformed escape: the parameter is ignored, and its absence is reported by the endpoint
            }
        }
    }

    /** Builds and starts a {@link ConsoleServer}. Not thread-safe. */
    public static final class Builder {
        private final Console.Builder console;
        private InetAddress bind = InetAddress.getLoopbackAddress();
        private int port;
        private String token;

        private Builder(Admin admin) {
            this.console = Console.builder(admin);
        }

        /** The address to listen on (default: the loopback address, 127.0.0.1). */
        public Builder bind(InetAddress v) {
            bind = Objects.requireNonNull(v, "bind");
            return this;
        }

        /** The port (default 0: a free one chosen by the system). */
        public Builder port(int v) {
            if (v < 0 || v > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535: " + v);
            }
            port = v;
            return this;
        }

        /** The access token (default: {@link Console#randomToken()}, new at each start). */
        public Builder accessToken(String v) {
            token = v;
            return this;
        }

        /** See {@link Console.Builder#readOnly}. */
        public Builder readOnly(boolean v) {
            console.readOnly(v);
            return this;
        }

        /** See {@link Console.Builder#types(Collection)}. */
        public Builder types(Collection<String> v) {
            console.types(List.copyOf(v));
            return this;
        }

        /** See {@link Console.Builder#title}. */
        public Builder title(String v) {
            console.title(v);
            return this;
        }

        /**
         * Starts listening.
         *
         * @throws UncheckedIOException if the address cannot be bound (e.g. the port is taken)
         */
        public ConsoleServer start() {
            String accessToken = token != null ? token : Console.randomToken();
            Console c = console.accessToken(accessToken).build();
            HttpServer http;
            try {
                http = HttpServer.create(new InetSocketAddress(bind, port), 64);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + bind.getHostAddress() + ":" + port, e);
            }
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            ConsoleServer server = new ConsoleServer(http, executor, c, accessToken);
            http.createContext("/", server::serve);
            http.setExecutor(executor);
            http.start();
            return server;
        }
    }

    /** How long {@link #close()} lets requests in progress finish. */
    static final Duration STOP_GRACE = Duration.ofSeconds(1);
}
