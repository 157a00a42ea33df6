package io.github.pgs.spring;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.WriteMode;
import io.github.pgs.admin.Admin;
import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.micrometer.PgsInstruments;
import io.github.pgs.spi.Storage;
import io.github.pgs.spring.actuate.PgsMetricsAutoConfiguration;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.store.InMemoryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Contexts without a DataSource, with one, with conflicting properties, and with the application's own beans. */
class PgsAutoConfigurationTest {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PgsAutoConfiguration.class))
                .withUserConfiguration(Services.class, Counter.class)
                .withPropertyValues("pgs.sqlite.path=" + dir.resolve("data/app.db"));
    }

    /** The failure analysis Spring Boot would print for the context's startup failure. */
    private static FailureAnalysis analysis(AssertableApplicationContext context) {
        Throwable t = context.getStartupFailure();
        assertThat(t).as("the context should have failed to start").isNotNull();
        FailureAnalysis a = new PgsFailureAnalyzer().analyze(t);
        assertThat(a).as("a pgs failure analysis of %s", t).isNotNull();
        return a;
    }

    @Test
    void withoutADataSource_theRuntimeRunsOnTheSqliteFile_andBehaviourBeansAreTypes() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(ServerRuntime.class).hasSingleBean(ServerRefs.class)
                    .hasSingleBean(Admin.class);
            assertThat(context.getBean(Storage.class)).isInstanceOf(SqliteStorage.class);
            assertThat(Files.exists(dir.resolve("data/app.db"))).isTrue();
            ServerRuntime runtime = context.getBean(ServerRuntime.class);
            assertThat(runtime.types()).extracting(ServerType::name).containsExactly("counter");
            ServerRef ref = context.getBean(ServerRefs.class).of(Counter.class, "alice");
            assertThat(ref.call(new Counter.Add(2))).isEqualTo(2);
            assertThat(ref.call(new Counter.Label())).isEqualTo("#alice=2");
        });
    }

    @Test
    void eachActivation_getsAFreshBehaviourInstance_fromTheContext() {
        runner().run(context -> {
            ServerRuntime runtime = context.getBean(ServerRuntime.class);
            InstanceLog log = context.getBean(InstanceLog.class);
            ServerRefs refs = context.getBean(ServerRefs.class);
            refs.of(Counter.class, "a").call(new Counter.Add(1));
            refs.of(Counter.class, "b").call(new Counter.Add(1));
            runtime.petrify(new ServerId("counter", "a"));
            assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
            refs.of(Counter.class, "a").call(new Counter.Add(1));

            assertThat(log.instances()).hasSize(3).doesNotHaveDuplicates();
        });
    }

    @Test
    void persistentRefFields_areInjectedByTypeAndKey() {
        runner().run(context -> {
            ServerRef lobby = context.getBean(Services.Lobby.class).counter();
            assertThat(lobby.id()).isEqualTo(new ServerId("counter", "lobby"));
            assertThat(lobby.call(new Counter.Add(5))).isEqualTo(5);
            assertThat(context.getBean(ServerRefs.class).byKey(Counter.class, "lobby").call(new Counter.Add(1)))
                    .isEqualTo(6);
        });
    }

    @Test
    void typeOptions_comeFromDefaultsThenPerTypeProperties() {
        runner().withPropertyValues("pgs.defaults.idle-timeout=2m", "pgs.defaults.history-depth=1",
                "pgs.types.counter.history-depth=4", "pgs.types.counter.write-mode=write-behind",
                "pgs.types.counter.max-restarts=7").run(context -> {
            TypeOptions o = context.getBean(ServerRuntime.class).options("counter");
            assertThat(o.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
            assertThat(o.historyDepth()).isEqualTo(4);
            assertThat(o.writeMode()).isEqualTo(WriteMode.WRITE_BEHIND);
            assertThat(o.maxRestarts()).isEqualTo(7);
            assertThat(o.restartWindow()).isEqualTo(TypeOptions.DEFAULT_RESTART_WINDOW);
        });
    }

    @Test
    void theMemoryStore_andAnApplicationsOwnStorageBean_areUsed() {
        runner().withPropertyValues("pgs.store=memory").run(context ->
                assertThat(context.getBean(Storage.class)).isInstanceOf(InMemoryStorage.class));
        runner().withUserConfiguration(OwnStorage.class).run(context -> {
            assertThat(context).hasSingleBean(Storage.class);
            assertThat(context.getBean(ServerRuntime.class).storage()).isSameAs(context.getBean("myStore"));
        });
    }

    @Test
    void pgsEnabledFalse_configuresNothing() {
        runner().withPropertyValues("pgs.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(ServerRuntime.class).doesNotHaveBean(Storage.class));
    }

    @Test
    void conflictingStoreProperties_failTheStart_withAClearReport() {
        runner().withPropertyValues("pgs.postgres.url=jdbc:postgresql://db.example/app?password=s3cret").run(context -> {
            FailureAnalysis a = analysis(context);
            assertThat(a.getDescription()).contains("pgs.store is sqlite but pgs.postgres.url is set too")
                    .doesNotContain("s3cret");
            assertThat(a.getAction()).contains("Set pgs.store");
        });
    }

    @Test
    void postgres_withNeitherADataSourceNorAUrl_failsTheStart() {
        runner().withPropertyValues("pgs.store=postgres").run(context ->
                assertThat(analysis(context).getDescription())
                        .contains("pgs.store is postgres but there is no DataSource in the application and no "
                                + "pgs.postgres.url"));
    }

    @Test
    void postgres_withADataSourceAndAUrl_failsTheStart_asAmbiguous() {
        runner().withUserConfiguration(AnyDataSource.class)
                .withPropertyValues("pgs.store=postgres", "pgs.postgres.url=jdbc:postgresql://127.0.0.1/x")
                .run(context -> {
                    FailureAnalysis a = analysis(context);
                    assertThat(a.getDescription()).contains("ambiguous");
                    assertThat(a.getAction()).contains("pgs.postgres.use-data-source=false");
                });
    }

    @Test
    void redis_withoutAUri_failsTheStart() {
        runner().withPropertyValues("pgs.store=redis").run(context ->
                assertThat(analysis(context).getDescription()).contains("pgs.redis.uri is not set"));
    }

    @Test
    void invalidTypeOptions_andUnknownTypeNames_failTheStart_namingTheProperty() {
        runner().withPropertyValues("pgs.types.counter.on-quarantine=rollback").run(context ->
                assertThat(analysis(context).getDescription())
                        .contains("pgs.types.counter: onQuarantine ROLLBACK needs historyDepth >= 1"));
        runner().withPropertyValues("pgs.types.countr.history-depth=2").run(context ->
                assertThat(analysis(context).getDescription()).contains("pgs.types names [countr]")
                        .contains("[counter]"));
        runner().withPropertyValues("pgs.defaults.mailbox-capacity=0").run(context ->
                assertThat(analysis(context).getDescription()).contains("pgs.defaults: mailboxCapacity"));
    }

    @Test
    void aSingletonBehaviourBean_failsTheStart() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PgsAutoConfiguration.class))
                .withUserConfiguration(Services.class, SingletonCounter.class)
                .withPropertyValues("pgs.store=memory")
                .run(context -> {
                    FailureAnalysis a = analysis(context);
                    assertThat(a.getDescription()).contains("is a singleton");
                    assertThat(a.getAction()).contains("@PersistentServer");
                });
    }

    @Test
    void withAMeterRegistry_andPgsMicrometer_theRuntimeReportsItsInstruments() {
        runner().withConfiguration(AutoConfigurations.of(PgsMetricsAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class).run(context -> {
                    assertThat(context).hasSingleBean(MicrometerObserver.class);
                    SimpleMeterRegistry meters = context.getBean(SimpleMeterRegistry.class);
                    context.getBean(ServerRefs.class).of(Counter.class, "metered").call(new Counter.Add(1));

                    assertThat(meters.get(PgsInstruments.CALL).tag("type", "counter").timer().count()).isEqualTo(1);
                    assertThat(meters.get(PgsInstruments.ACTIVATIONS).tag("type", "counter").tag("kind", "init").counter().count())
                            .isEqualTo(1);
                    assertThat(meters.getMeters()).allSatisfy(m ->
                            assertThat(m.getId().getTags()).noneMatch(t -> t.getValue().equals("metered")));
                });
        runner().withConfiguration(AutoConfigurations.of(PgsMetricsAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class).withPropertyValues("pgs.metrics.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MicrometerObserver.class));
        runner().withConfiguration(AutoConfigurations.of(PgsMetricsAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(MicrometerObserver.class));
    }

    @Test
    void propertyDefaults_areTheLibrarysNamedDefaults() {
        PgsProperties p = new PgsProperties();
        assertThat(p.getSqlite().getSynchronous()).isEqualTo(SqliteOptions.DEFAULT_SYNCHRONOUS);
        assertThat(p.getSqlite().getBusyTimeout()).isEqualTo(SqliteOptions.DEFAULT_BUSY_TIMEOUT);
        assertThat(p.getSqlite().getTable()).isEqualTo(SqliteOptions.DEFAULT_TABLE_NAME);
        assertThat(p.getRuntime().getShutdownTimeout()).isEqualTo(ServerRuntime.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(p.getRuntime().getRecoveryRate()).isEqualTo(ServerRuntime.DEFAULT_RECOVERY_RATE);
        assertThat(p.getRuntime().getMaxKeyBytes()).isEqualTo(ServerRuntime.DEFAULT_MAX_KEY_BYTES);
        assertThat(p.getRuntime().getReminderPollInterval()).isEqualTo(ServerRuntime.DEFAULT_REMINDER_POLL_INTERVAL);
        assertThat(p.getRuntime().getReminderGrace()).isEqualTo(ServerRuntime.DEFAULT_REMINDER_GRACE);
        assertThat(p.getPostgres().getSchema()).isEqualTo(io.github.pgs.postgres.PostgresOptions.DEFAULT_SCHEMA);
        assertThat(p.getPostgres().getTable()).isEqualTo(io.github.pgs.postgres.PostgresOptions.DEFAULT_TABLE);
        assertThat(p.getPostgres().getWriters()).isEqualTo(io.github.pgs.postgres.PostgresOptions.DEFAULT_WRITERS);
        assertThat(p.getPostgres().getPoolSize()).isEqualTo(io.github.pgs.postgres.PostgresOptions.DEFAULT_POOL_SIZE);
        assertThat(p.getRedis().getNamespace()).isEqualTo(io.github.pgs.redis.RedisOptions.DEFAULT_NAMESPACE);
        assertThat(p.getRedis().getWriters()).isEqualTo(io.github.pgs.redis.RedisOptions.DEFAULT_WRITERS);
        assertThat(new TypeProperties().applyTo(TypeOptions.DEFAULTS)).isEqualTo(TypeOptions.DEFAULTS);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStorage {
        @Bean(destroyMethod = "close")
        Storage myStore() {
            return new InMemoryStorage();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AnyDataSource {
        @Bean
        DataSource dataSource() {
            return new SimpleDriverDataSource();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SingletonCounter {
        @Bean
        Counter counter(Labels labels, InstanceLog log) {
            return new Counter(labels, log);
        }
    }
}
