package io.github.pgs.cli;

import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.Storage;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The STORE argument and its options, and how to open it. Collects every secret it sees (passwords from the
 * environment, the user-info part of a URI, a {@code password=} URL parameter) so that the tool can blank them
 * out of any message it prints, whatever produced the message.
 */
final class StoreSpec {

    /** Options that configure the store; accepted with every command. */
    static final Set<String> OPTIONS = Set.of("user", "password-env", "schema", "table", "namespace");

    /** Where PostgreSQL passwords come from unless {@code --password-env} says otherwise (libpq's variable). */
    static final String PG_PASSWORD_ENV = "PGPASSWORD";
    /** Where Redis passwords come from unless {@code --password-env} says otherwise (redis-cli's variable). */
    static final String REDIS_PASSWORD_ENV = "REDISCLI_AUTH";

    private static final Pattern URL_PASSWORD = Pattern.compile("[?&]password=([^&]*)", Pattern.CASE_INSENSITIVE);

    enum Kind { SQLITE, POSTGRES, REDIS }

    final Kind kind;
    private final String target;
    private final List<String> secrets = new ArrayList<>();

    private StoreSpec(Kind kind, String target) {
        this.kind = kind;
        this.target = target;
    }

    /**
     * Parses {@code sqlite:PATH}, {@code postgres:JDBC_URL}, {@code postgres://HOST/DB}, {@code redis:URI} or a
     * bare {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI.
     *
     * @throws UsageException for anything else
     */
    static StoreSpec parse(String arg) {
        StoreSpec spec;
        if (arg.startsWith("sqlite:") && arg.length() > "sqlite:".length()) {
            spec = new StoreSpec(Kind.SQLITE, arg.substring("sqlite:".length()));
        } else if (arg.startsWith("postgres://") || arg.startsWith("postgresql://")) {
            spec = new StoreSpec(Kind.POSTGRES, "jdbc:postgresql:" + arg.substring(arg.indexOf("//")));
        } else if (arg.startsWith("postgres:jdbc:postgresql:")) {
            spec = new StoreSpec(Kind.POSTGRES, arg.substring("postgres:".length()));
        } else if (arg.startsWith("redis:") && !arg.startsWith("redis://")) {
            spec = new StoreSpec(Kind.REDIS, arg.substring("redis:".length()));
        } else if (arg.startsWith("redis://") || arg.startsWith("rediss://") || arg.startsWith("redis-sentinel://")) {
            spec = new StoreSpec(Kind.REDIS, arg);
        } else {
            // not echoed: a mistyped URL may hold a password
            throw new UsageException("unknown STORE (expected sqlite:PATH, postgres:JDBC_URL or redis://HOST:PORT)");
        }
        spec.collectSecrets();
        return spec;
    }

    private void collectSecrets() {
        Matcher m = URL_PASSWORD.matcher(target);
        while (m.find()) {
            addSecret(m.group(1));
        }
        if (kind == Kind.REDIS) {
            int scheme = target.indexOf("://");
            int at = target.lastIndexOf('@');
            if (scheme >= 0 && at > scheme) {
                addSecret(target.substring(scheme + 3, at));
                String userInfo = target.substring(scheme + 3, at);
                int colon = userInfo.indexOf(':');
                if (colon >= 0) {
                    addSecret(userInfo.substring(colon + 1));
                }
            }
        }
    }

    private void addSecret(String s) {
        if (s != null && !s.isEmpty()) {
            secrets.add(s);
            String decoded = java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (!decoded.equals(s)) {
                secrets.add(decoded);
            }
        }
    }

    /** {@code message} with every secret this store was given replaced by {@code ****}. */
    String redact(String message) {
        if (message == null) {
            return null;
        }
        String out = message;
        List<String> longestFirst = new ArrayList<>(secrets);
        longestFirst.sort((a, b) -> Integer.compare(b.length(), a.length()));
        for (String s : longestFirst) {
            out = out.replace(s, "****");
        }
        return out;
    }

    /**
     * Opens the store.
     *
     * @throws UsageException                 if an option does not apply to this kind of store or is malformed
     * @throws io.github.pgs.StorageException if the store cannot be reached or opened
     */
    Storage open(CommandLine cl, Map<String, String> env) {
        return switch (kind) {
            case SQLITE -> openSqlite(cl);
            case POSTGRES -> openPostgres(cl, env);
            case REDIS -> openRedis(cl, env);
        };
    }

    private Storage openSqlite(CommandLine cl) {
        refuse(cl, "user", "password-env", "schema", "namespace");
        Path file = Path.of(target);
        if (!Files.isRegularFile(file)) {
            throw new NotFound("no such SQLite file: " + file);
        }
        SqliteOptions.Builder b = SqliteStorage.builder(file).readers(1);
        if (cl.option("table") != null) {
            b.tableName(cl.option("table"));
        }
        try {
            return b.open();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private Storage openPostgres(CommandLine cl, Map<String, String> env) {
        refuse(cl, "namespace");
        String password = password(cl, env, PG_PASSWORD_ENV);
        PostgresOptions options;
        try {
            PostgresOptions.Builder b = PostgresOptions.builder().createTable(false).writers(1).poolSize(2);
            if (cl.option("schema") != null) {
                b.schema(cl.option("schema"));
            }
            if (cl.option("table") != null) {
                b.table(cl.option("table"));
            }
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            return PostgresStorage.open(target, cl.option("user"), password, options);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private Storage openRedis(CommandLine cl, Map<String, String> env) {
        refuse(cl, "schema", "table");
        String uri = target;
        String password = password(cl, env, REDIS_PASSWORD_ENV);
        String user = cl.option("user");
        if (password != null || user != null) {
            uri = withUserInfo(uri, user, password, cl.option("password-env") != null);
        }
        RedisOptions options;
        try {
            RedisOptions.Builder b = RedisOptions.builder().writers(1);
            if (cl.option("namespace") != null) {
                b.namespace(cl.option("namespace"));
            }
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            return RedisStorage.open(uri, options);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * {@code uri} with {@code user:password@} inserted, percent-encoded (Lettuce decodes the user info). A URI that
     * already names credentials keeps them, unless the operator explicitly pointed at a password variable.
     */
    private String withUserInfo(String uri, String user, String password, boolean explicit) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new UsageException("malformed Redis URI (expected redis://host:port/db)");
        }
        if (parsed.getRawUserInfo() != null) {
            if (explicit || user != null) {
                throw new UsageException("the Redis URI already holds credentials; drop --user / --password-env");
            }
            return uri;
        }
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new UsageException("--user and --password-env work with redis:// and rediss:// URIs only");
        }
        int start = uri.indexOf("://") + 3;
        String info = (user == null ? "" : encode(user)) + (password == null ? "" : ":" + encode(password));
        return uri.substring(0, start) + info + "@" + uri.substring(start);
    }

    private String password(CommandLine cl, Map<String, String> env, String defaultVariable) {
        String variable = cl.option("password-env");
        String value = env.get(variable != null ? variable : defaultVariable);
        if (variable != null && value == null) {
            throw new UsageException("--password-env: environment variable " + variable + " is not set");
        }
        if (value != null) {
            addSecret(value);
            secrets.add(encode(value));
        }
        return value;
    }

    private static void refuse(CommandLine cl, String... options) {
        for (String o : options) {
            if (cl.option(o) != null) {
                throw new UsageException("--" + o + " does not apply to this store");
            }
        }
    }

    private static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** The store (or what was asked of it) does not exist; exit status 1. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }
}
