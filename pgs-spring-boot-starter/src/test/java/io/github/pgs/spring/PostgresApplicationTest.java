package io.github.pgs.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.spring.actuate.PgsEndpoint;
import io.github.pgs.spring.actuate.PgsWritableEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The starter on the real PostgreSQL (127.0.0.1:5432, database test, user postgres; -Dpgs.pg.url, -Dpgs.pg.user)
 * through the application's own DataSource, in a schema of its own that is dropped afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "pgs.store=postgres",
        "pgs.types.counter.history-depth=2",
        "pgs.types.counter.max-restarts=0",
        "pgs.endpoint.writes-enabled=true",
        "spring.jmx.enabled=true",
        "management.endpoints.jmx.exposure.include=pgs"})
class PostgresApplicationTest {

    static final String URL = System.getProperty("pgs.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getProperty("pgs.pg.user", "postgres");
    static final String SCHEMA = "pgs_spring_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Services.class, Counter.class})
    static class App {
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> URL);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("pgs.postgres.schema", () -> SCHEMA);
    }

    @AfterAll
    static void dropSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(URL, USER, System.getenv("PGPASSWORD"));
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    @Autowired
    Storage storage;
    @Autowired
    DataSource dataSource;
    @Autowired
    ServerRefs refs;
    @Autowired
    ServerRuntime runtime;
    @Autowired
    PgsEndpoint endpoint;

    @Test
    void theStore_isPostgres_onTheApplicationsDataSource() {
        HikariDataSource pool = (HikariDataSource) dataSource;
        int before = pool.getHikariPoolMXBean().getTotalConnections();

        assertThat(storage).isInstanceOf(PostgresStorage.class);
        assertThat(refs.of(Counter.class, "pg").call(new Counter.Add(2))).isEqualTo(2);
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isGreaterThanOrEqualTo(Math.max(1, before));
        StoredState s = storage.load(new ServerId("counter", "pg"));
        assertThat(new String(s.payload(), StandardCharsets.UTF_8)).contains("\"count\":2");
    }

    @Test
    void theWritableEndpoint_rollsBackAndReleases_whenEnabled() {
        ServerRef ref = refs.of(Counter.class, "repair");
        ref.call(new Counter.Add(1));
        ref.call(new Counter.Add(10));
        assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);

        assertThat(endpoint).isInstanceOf(PgsWritableEndpoint.class);
        PgsEndpoint.Server before = endpoint.server("counter", "repair");
        PgsEndpoint.Overview overview = endpoint.overview();
        PgsWritableEndpoint.Result r = ((PgsWritableEndpoint) endpoint).repair("counter", "repair", "rollback", 1, null);

        assertThat(before.status()).isEqualTo("quarantined");
        assertThat(before.quarantine().lastFailure()).contains("boom");
        assertThat(overview.quarantined()).extracting(q -> q.id().toString()).contains("counter:repair");
        assertThat(before.state()).contains("\"count\": 11");
        assertThat(r.version()).isEqualTo(3);
        assertThat(runtime.isQuarantined(ref.id())).isFalse();
        assertThat(ref.call(new Counter.Add(0))).isEqualTo(1);
        assertThat(endpoint.overview().types()).anySatisfy(t -> {
            assertThat(t.name()).isEqualTo("counter");
            assertThat(t.stats().calls()).isPositive();
        });
        assertThat(endpoint.overview().quarantined()).extracting(q -> q.id().toString())
                .doesNotContain("counter:repair");
    }

    /**
     * Shutdown order: a write-behind change still in memory is written when the context closes, which needs the
     * runtime to close while the DataSource is still open; the DataSource is closed afterwards.
     */
    @Test
    void atShutdown_theRuntimeWritesWhatItHolds_beforeTheDataSourceCloses() {
        HikariDataSource pool;
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("spring.datasource.url=" + URL, "spring.datasource.username=" + USER,
                        "pgs.store=postgres", "pgs.postgres.schema=" + SCHEMA,
                        "pgs.types.counter.write-mode=write-behind", "pgs.types.counter.write-behind-delay=1h")
                .run()) {
            pool = app.getBean(HikariDataSource.class);
            ServerRef ref = app.getBean(ServerRefs.class).of(Counter.class, "behind");
            assertThat(ref.call(new Counter.Add(42))).isEqualTo(42);
            assertThat(app.getBean(Storage.class).load(ref.id()).hasPayload()).isFalse();
        }

        assertThat(pool.isClosed()).isTrue();
        try (PostgresStorage fresh = PostgresStorage.open(URL, USER, System.getenv("PGPASSWORD"),
                PostgresOptions.builder().schema(SCHEMA).build())) {
            StoredState s = fresh.load(new ServerId("counter", "behind"));
            assertThat(new String(s.payload(), StandardCharsets.UTF_8)).contains("\"count\":42");
        }
    }
}
