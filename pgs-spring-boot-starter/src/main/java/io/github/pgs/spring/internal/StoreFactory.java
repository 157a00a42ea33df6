package io.github.pgs.spring.internal;

import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.Storage;
import io.github.pgs.spring.PgsConfigurationException;
import io.github.pgs.spring.PgsProperties;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.store.InMemoryStorage;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the store {@code pgs.store} names, after checking that the properties say one thing only.
 *
 * <p>Algorithm: first the contradictions (settings of another store than the chosen one; a PostgreSQL URL beside
 * a DataSource the store would use), then what the chosen store needs (its module on the class path; a DataSource
 * or a URL; a URI), each as a {@link PgsConfigurationException} naming the properties and what to change. Hazards:
 * the PostgreSQL and Redis classes are touched only after the class-path check, so an application without those
 * modules never loads them; messages never contain a URL or URI (they may hold passwords), only property names.
 */
public final class StoreFactory {

    private static final String POSTGRES_CLASS = "io.github.pgs.postgres.PostgresStorage";
    private static final String REDIS_CLASS = "io.github.pgs.redis.RedisStorage";

    private StoreFactory() {
    }

    /**
     * Opens the store.
     *
     * @param dataSource the application's DataSource, or {@code null}
     * @throws PgsConfigurationException if the properties contradict each other or lack something
     */
    public static Storage open(PgsProperties p, DataSource dataSource, ClassLoader loader) {
        checkOnlyChosenStoreIsSet(p);
        return switch (p.getStore()) {
            case SQLITE -> sqlite(p.getSqlite());
            case MEMORY -> new InMemoryStorage();
            case POSTGRES -> {
                require(loader, POSTGRES_CLASS, "postgres", "pgs-postgres");
                yield Postgres.open(p.getPostgres(), dataSource);
            }
            case REDIS -> {
                require(loader, REDIS_CLASS, "redis", "pgs-redis");
                yield Redis.open(p.getRedis());
            }
        };
    }

    private static void checkOnlyChosenStoreIsSet(PgsProperties p) {
        List<String> foreign = new ArrayList<>();
        if (p.getStore() != PgsProperties.Store.POSTGRES && p.getPostgres().getUrl() != null) {
            foreign.add("pgs.postgres.url");
        }
        if (p.getStore() != PgsProperties.Store.REDIS && p.getRedis().getUri() != null) {
            foreign.add("pgs.redis.uri");
        }
        if (!foreign.isEmpty()) {
            String store = p.getStore().name().toLowerCase(java.util.Locale.ROOT);
            throw new PgsConfigurationException("pgs.store is " + store + " but " + String.join(" and ", foreign)
                    + (foreign.size() == 1 ? " is" : " are") + " set too: the runtime uses one store only.",
                    "Set pgs.store to the store you mean (sqlite, postgres, redis or memory) and remove the settings "
                            + "of the others.");
        }
    }

    private static void require(ClassLoader loader, String className, String store, String artifact) {
        try {
            Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PgsConfigurationException("pgs.store is " + store + " but " + artifact
                    + " is not on the class path.", "Add the dependency io.github.pgs:" + artifact + ".");
        }
    }

    private static Storage sqlite(PgsProperties.Sqlite s) {
        Path file = s.getPath().toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of pgs.sqlite.path " + file, e);
        }
        try {
            return SqliteStorage.builder(file).synchronous(s.getSynchronous()).busyTimeout(s.getBusyTimeout())
                    .tableName(s.getTable()).open();
        } catch (IllegalArgumentException e) {
            throw new PgsConfigurationException("pgs.sqlite: " + e.getMessage(), "Fix the pgs.sqlite.* setting named.");
        }
    }

    /** Kept in its own class so that PostgreSQL classes load only when the store is PostgreSQL. */
    private static final class Postgres {
        static Storage open(PgsProperties.Postgres p, DataSource dataSource) {
            PostgresOptions options;
            try {
                options = PostgresOptions.builder().schema(p.getSchema()).table(p.getTable())
                        .createTable(p.isCreateTable()).writers(p.getWriters()).poolSize(p.getPoolSize()).build();
            } catch (IllegalArgumentException e) {
                throw new PgsConfigurationException("pgs.postgres: " + e.getMessage(),
                        "Fix the pgs.postgres.* setting named.");
            }
            boolean useDataSource = p.isUseDataSource() && dataSource != null;
            if (useDataSource && p.getUrl() != null) {
                throw new PgsConfigurationException("pgs.postgres.url is set, and the application has a DataSource "
                        + "that pgs.postgres.use-data-source says to use: which database is meant is ambiguous.",
                        "Remove pgs.postgres.url to keep the state in the application's database, or set "
                                + "pgs.postgres.use-data-source=false to keep it at pgs.postgres.url.");
            }
            if (useDataSource) {
                return PostgresStorage.open(dataSource, options);
            }
            if (p.getUrl() == null) {
                throw new PgsConfigurationException("pgs.store is postgres but there is "
                        + (dataSource == null ? "no DataSource in the application" : "a DataSource that "
                        + "pgs.postgres.use-data-source=false says not to use") + " and no pgs.postgres.url.",
                        "Configure a DataSource (spring.datasource.url with spring-boot-starter-jdbc), or set "
                                + "pgs.postgres.url (with pgs.postgres.username and pgs.postgres.password).");
            }
            try {
                return PostgresStorage.open(p.getUrl(), p.getUsername(), p.getPassword(), options);
            } catch (IllegalArgumentException e) {
                throw new PgsConfigurationException("pgs.postgres.url is not a usable PostgreSQL JDBC URL.",
                        "Write it as jdbc:postgresql://HOST:PORT/DATABASE.");
            }
        }
    }

    /** Kept in its own class so that Redis classes load only when the store is Redis. */
    private static final class Redis {
        static Storage open(PgsProperties.Redis p) {
            if (p.getUri() == null) {
                throw new PgsConfigurationException("pgs.store is redis but pgs.redis.uri is not set.",
                        "Set pgs.redis.uri, e.g. redis://127.0.0.1:6379/0.");
            }
            RedisOptions options;
            try {
                options = RedisOptions.builder().namespace(p.getNamespace()).writers(p.getWriters()).build();
            } catch (IllegalArgumentException e) {
                throw new PgsConfigurationException("pgs.redis: " + e.getMessage(), "Fix the pgs.redis.* setting named.");
            }
            try {
                return RedisStorage.open(p.getUri(), options);
            } catch (IllegalArgumentException e) {
                throw new PgsConfigurationException("pgs.redis.uri is not a usable Redis URI.",
                        "Write it as redis://HOST:PORT/DB (or rediss://, redis-sentinel://).");
            }
        }
    }
}
