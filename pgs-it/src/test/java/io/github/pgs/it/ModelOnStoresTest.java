package io.github.pgs.it;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.model.ModelReport;
import io.github.pgs.testkit.model.RuntimeModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime model ({@link RuntimeModel}) on the real stores: the same sequences of messages, lifecycle
 * operations, restarts, injected faults and concurrent callers as on the in-memory store, with every step's
 * stored state read back from SQLite, PostgreSQL and Redis. Fewer sequences than in memory per build; the counts
 * come from {@code pgs.model.sqlite.sequences}, {@code pgs.model.postgres.sequences} and
 * {@code pgs.model.redis.sequences} for long runs (see RELIABILITY.md), the seed from {@code pgs.model.seed}.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class ModelOnStoresTest {

    static final int CI_SQLITE = 300;
    static final int CI_POSTGRES = 150;
    static final int CI_REDIS = 150;

    /** Kept strongly reachable while it is silenced: the runtime logs every crash the model provokes. */
    private static final Logger RUNTIME_LOG = Logger.getLogger("io.github.pgs");
    private static Level previous;

    @TempDir
    Path dir;

    @BeforeAll
    static void quiet() {
        previous = RUNTIME_LOG.getLevel();
        RUNTIME_LOG.setLevel(Level.OFF);
    }

    @AfterAll
    static void loudAgainAndClean() {
        RUNTIME_LOG.setLevel(previous);
    }


    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    @Test
    void runtime_agreesWithItsModel_onSqlite() {
        try (Storage store = Stores.sqliteFast(dir.resolve("model.db"))) {
            run(RuntimeModel.on("sqlite", () -> store, false), "pgs.model.sqlite.sequences", CI_SQLITE);
        }
    }

    @Test
    void runtime_agreesWithItsModel_onPostgres() throws java.sql.SQLException {
        String prefix = Stores.unique("model");
        try (Storage store = Stores.postgres()) {
            run(RuntimeModel.on("postgres", () -> store, false).withTypePrefix(prefix),
                    "pgs.model.postgres.sequences", CI_POSTGRES);
        } finally {
            removeActiveMarkers(prefix);
        }
    }

    /**
     * Deletes the remember-active markers the model's runtimes left: they live under the reserved type
     * {@code pgs.active}, keyed by the server id's text form, so the clean-up by type name misses them.
     */
    private static void removeActiveMarkers(String typePrefix) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(Stores.pgUrl(), Stores.pgUser(),
                Stores.pgPassword());
             java.sql.PreparedStatement delete = c.prepareStatement("DELETE FROM \"" + Stores.PG_SCHEMA
                     + "\".\"pgs_state\" WHERE type = 'pgs.active' AND substring(key from 1 for ?) = ?")) {
            byte[] start = (typePrefix + "-").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            delete.setInt(1, start.length);
            delete.setBytes(2, start);
            delete.executeUpdate();
        }
    }

    @Test
    void runtime_agreesWithItsModel_onRedis() {
        String namespace = Stores.unique("it-model");
        try (Storage store = Stores.redis(Stores.redisUri(), namespace, java.time.Duration.ofSeconds(5))) {
            run(RuntimeModel.on("redis", () -> store, false), "pgs.model.redis.sequences", CI_REDIS);
        } finally {
            Stores.purgeRedis(namespace);
        }
    }

    private static void run(RuntimeModel model, String property, int ciSequences) {
        ModelReport report = model.runner().withSequencesFrom(property, ciSequences).run();
        assertThat(report.sequences()).isEqualTo(Stores.intProperty(property, ciSequences));
        assertThat(report.steps()).isGreaterThanOrEqualTo(report.sequences());
    }
}
