package io.github.pgs.console;

import io.github.pgs.admin.Admin;
import io.github.pgs.console.internal.Assets;
import io.github.pgs.console.internal.ConsoleApi;
import io.github.pgs.console.internal.Guard;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The admin console: one web page (plain HTML, CSS and JavaScript from this jar) and the JSON API it calls, over
 * an {@link Admin}. It shows the server types with their counts, a live chart of the runtime's calls and
 * activations, a search of servers by type and key prefix, one server's state, history (with a diff between
 * versions) and reminders, and lets an operator release, roll back, reset, delete or petrify a server after a
 * confirmation.
 *
 * <p>The console is not a web server: a host hands it each request as a {@link ConsoleRequest} and writes back the
 * {@link ConsoleResponse}. {@link ConsoleServer} is the standalone host on the JDK's HTTP server; the Spring Boot
 * starter hosts it in an application, behind the application's own security.
 *
 * <h2>Safe by construction</h2>
 * <ul>
 *   <li>Stored data (keys, states, failures) reaches the page only as JSON strings and is put into the page as
 *       text, never as markup; the page's content security policy allows scripts from the console only.</li>
 *   <li>Reads are {@code GET}s without effects. Actions are {@code POST}s that must carry the console's CSRF token
 *       in the {@value #CSRF_HEADER} header (which the page reads from itself; another site can neither read it
 *       nor send a custom header without the console's consent), and are refused when the browser says the request
 *       comes from another site ({@code Origin}, {@code Sec-Fetch-Site}).</li>
 *   <li>With an {@linkplain Builder#accessToken access token}, every API request must carry it as
 *       {@code Authorization: Bearer TOKEN} (the standalone console always sets one).</li>
 *   <li>{@linkplain Builder#readOnly Read-only} consoles refuse every action.</li>
 * </ul>
 *
 * <p>Thread-safe: requests may be handled concurrently.
 */
public final class Console {

    /** The header that carries the CSRF token of actions. */
    public static final String CSRF_HEADER = "X-PGS-CSRF";
    /** The most servers counted per type by status before the overview reports a partial count: 100,000. */
    public static final int DEFAULT_COUNT_LIMIT = 100_000;

    private final Admin admin;
    private final boolean readOnly;
    private final String csrfToken;
    private final String accessToken;
    private final Supplier<? extends Collection<String>> types;
    private final String title;
    private final ConsoleApi api;
    private final Assets assets;

    private Console(Builder b) {
        this.admin = b.admin;
        this.readOnly = b.readOnly;
        this.csrfToken = b.csrfToken != null ? b.csrfToken : randomToken();
        this.accessToken = b.accessToken;
        this.types = b.types;
        this.title = b.title;
        this.api = new ConsoleApi(admin, readOnly, this::typeNames, title, b.countLimit);
        this.assets = new Assets();
    }

    /** A builder for a console over {@code admin} (through a runtime, or on a bare store). */
    public static Builder builder(Admin admin) {
        return new Builder(admin);
    }

    /** 32 random bytes from {@link SecureRandom}, URL-safe Base64 without padding. */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether actions are refused. */
    public boolean readOnly() {
        return readOnly;
    }

    /** The admin the console works through. */
    public Admin admin() {
        return admin;
    }

    /** The type names the console lists: those of the admin's runtime, then those given to the builder. */
    public List<String> typeNames() {
        Map<String, Boolean> names = new LinkedHashMap<>();
        if (admin.runtime() != null) {
            admin.runtime().types().forEach(t -> names.put(t.name(), true));
        }
        for (String t : types.get()) {
            names.put(t, true);
        }
        return new ArrayList<>(names.keySet());
    }

    /**
     * Answers {@code request}: the page and its assets, or the JSON API under {@code /api/}. Never throws for bad
     * input: malformed parameters get a 400 answer, a missing server 404, a lost race 409, a refused action 403.
     */
    public ConsoleResponse handle(ConsoleRequest request) {
        Objects.requireNonNull(request, "request");
        String path = request.path();
        if (path.startsWith("/api/")) {
            ConsoleResponse refused = Guard.check(request, accessToken, csrfToken);
            if (refused != null) {
                return refused;
            }
            return api.handle(request);
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Guard.error(405, "the page is read with GET");
        }
        if (path.equals("/") || path.equals("/index.html") || path.isEmpty()) {
            return page(Map.of());
        }
        return assets.asset(path);
    }

    /**
     * The page, telling its script to send {@code writeHeaders} with every action besides the console's own CSRF
     * header (for example the CSRF header of the application's security framework).
     */
    public ConsoleResponse page(Map<String, String> writeHeaders) {
        return assets.page(title, csrfToken, accessToken != null, writeHeaders);
    }

    /** A plain-text answer with the page's security headers (for hosts' own errors). */
    static ConsoleResponse plain(int status, String message) {
        return new ConsoleResponse(status, "text/plain; charset=utf-8",
                message.getBytes(java.nio.charset.StandardCharsets.UTF_8), Guard.Headers.PAGE);
    }

    /** Builds a {@link Console}. Not thread-safe. */
    public static final class Builder {
        private final Admin admin;
        private boolean readOnly;
        private String csrfToken;
        private String accessToken;
        private Supplier<? extends Collection<String>> types = List::of;
        private String title = "PersistentGenServer";
        private int countLimit = DEFAULT_COUNT_LIMIT;

        private Builder(Admin admin) {
            this.admin = Objects.requireNonNull(admin, "admin");
        }

        /** Refuse every action (default {@code false}). */
        public Builder readOnly(boolean v) {
            readOnly = v;
            return this;
        }

        /**
         * Require {@code Authorization: Bearer v} on every API request (default: none; the host's security decides
         * who reaches the console). At least 16 characters.
         */
        public Builder accessToken(String v) {
            if (v != null && v.length() < 16) {
                throw new IllegalArgumentException("an access token needs at least 16 characters");
            }
            accessToken = v;
            return this;
        }

        /** The CSRF token actions must carry (default: {@link #randomToken()}, new for each console). */
        public Builder csrfToken(String v) {
            if (v.length() < 16) {
                throw new IllegalArgumentException("a CSRF token needs at least 16 characters");
            }
            csrfToken = v;
            return this;
        }

        /**
         * Type names to list besides those the admin's runtime has registered (a bare store cannot tell which
         * types it holds). Asked again at every overview.
         */
        public Builder types(Supplier<? extends Collection<String>> v) {
            types = Objects.requireNonNull(v, "types");
            return this;
        }

        /** As {@link #types(Supplier)}, a fixed list. */
        public Builder types(Collection<String> v) {
            List<String> copy = List.copyOf(v);
            types = () -> copy;
            return this;
        }

        /** The page's title (default {@code "PersistentGenServer"}), e.g. the application's name. */
        public Builder title(String v) {
            title = Objects.requireNonNull(v, "title");
            return this;
        }

        /**
         * How many servers of a type the overview reads to count them by status before it settles for the stored
         * count alone (default {@link #DEFAULT_COUNT_LIMIT}).
         */
        public Builder countLimit(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("countLimit must be >= 1: " + v);
            }
            countLimit = v;
            return this;
        }

        public Console build() {
            return new Console(this);
        }
    }
}
