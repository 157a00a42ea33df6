package io.github.pgs.cluster.pekko.it;

import io.github.pgs.ServerId;
import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the cluster tests' nodes keep their servers: PostgreSQL ({@code pgs.pg.url}, {@code pgs.pg.user},
 * {@code pgs.pg.password}; schema {@value #PG_SCHEMA}) or Redis ({@code pgs.redis.uri}). Every test uses type
 * names of its own (carrying this run's id), so nothing needs emptying first; {@link #cleanPostgres()} removes
 * this run's rows at the end. Tests fail, never skip, when a server is unreachable.
 */
final class ClusterStores {

    static final String PG_SCHEMA = "pgs_cluster";

    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL, 36);
    private static final AtomicLong NAMES = new AtomicLong();

    private ClusterStores() {
    }

    /** A type name or namespace no other test or run uses. */
    static String unique(String prefix) {
        return prefix + "-" + RUN + "-" + NAMES.incrementAndGet();
    }

    static String pgUrl() {
        return property("pgs.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    static String pgUser() {
        return property("pgs.pg.user", "postgres");
    }

    static String pgPassword() {
        String p = System.getProperty("pgs.pg.password");
        return p == null || p.isBlank() ? "" : p;
    }

    static String redisUri() {
        return property("pgs.redis.uri", "redis://127.0.0.1:6379");
    }

    /** The node arguments that make a node use PostgreSQL. */
    static List<String> postgresArgs(String type) {
        return List.of("--store=postgres", "--pg-url=" + pgUrl(), "--pg-user=" + pgUser(),
                "--pg-password=" + pgPassword(), "--pg-schema=" + PG_SCHEMA, "--type=" + type);
    }

    /** The node arguments that make a node use Redis under {@code namespace}. */
    static List<String> redisArgs(String namespace, String type) {
        return List.of("--store=redis", "--redis-uri=" + redisUri(), "--redis-namespace=" + namespace,
                "--type=" + type);
    }

    static PostgresStorage postgres(String url, String user, String password, String schema) {
        return PostgresStorage.open(url, user, password.isEmpty() ? null : password,
                PostgresOptions.builder().schema(schema).writers(2).poolSize(4).build());
    }

    static RedisStorage redis(String uri, String namespace) {
        return RedisStorage.open(uri, RedisOptions.builder().namespace(namespace).build());
    }

    static StateCodec codec() {
        return JsonStateCodec.create();
    }

    /** The stored {@link Tally.State} of keys {@code k0 .. k<keys-1>} of {@code type}; absent ones count zero. */
    static Map<String, Tally.State> states(Storage store, String type, int keys) {
        List<ServerId> ids = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            ids.add(new ServerId(type, NodeMain.key(i)));
        }
        Map<ServerId, StoredState> stored = store.loadAll(ids);
        StateCodec codec = codec();
        Map<String, Tally.State> out = new HashMap<>();
        for (ServerId id : ids) {
            StoredState s = stored.get(id);
            Tally.State state = s == null || !s.hasPayload() ? new Tally.State(0, 0, 0)
                    : (Tally.State) codec.decode(s.payload(), Tally.State.class, ref -> {
                        throw new IllegalStateException("no refs in a tally");
                    });
            out.put(id.key(), state);
        }
        return out;
    }

    /**
     * Waits until PostgreSQL has no session of {@code application} left: a killed node's last statements still
     * run to their end on the server, and must not land after the test has read the store.
     */
    static void awaitNoPostgresSessions(String application) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = DriverManager.getConnection(pgUrl(), pgUser(), pgPassword().isEmpty() ? null
                : pgPassword());
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, application);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the sessions of " + application + " did not end within 60 s");
                }
                Thread.sleep(20); // the database's view of a dead client, in real time
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the rows of this run's types. */
    static void cleanPostgres() {
        try (Connection c = DriverManager.getConnection(pgUrl(), pgUser(), pgPassword().isEmpty() ? null
                : pgPassword())) {
            for (String table : new String[] {"pgs_state", "pgs_state_history"}) {
                try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?)")) {
                    exists.setString(1, "\"" + PG_SCHEMA + "\".\"" + table + "\"");
                    try (ResultSet rs = exists.executeQuery()) {
                        if (!rs.next() || rs.getString(1) == null) {
                            continue;
                        }
                    }
                }
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM \"" + PG_SCHEMA + "\".\"" + table + "\" WHERE type LIKE ?")) {
                    delete.setString(1, "%-" + RUN + "-%");
                    delete.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cleaning up the cluster tests' rows in PostgreSQL failed", e);
        }
    }

    static String property(String name, String defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v;
    }
}
