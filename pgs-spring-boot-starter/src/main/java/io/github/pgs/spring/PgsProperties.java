package io.github.pgs.spring;

import io.github.pgs.sqlite.SqliteOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code pgs.*} properties of the starter. Every option has its library default unless set (the literals
 * here equal the library's named defaults, which a test checks); the configuration reference (docs/SPRING.md)
 * lists them all, and IDEs complete them from the generated metadata.
 */
@ConfigurationProperties("pgs")
public class PgsProperties {

    /** Which store the runtime uses. */
    public enum Store {
        /** An SQLite file (pgs.sqlite.path), the embedded default. */
        SQLITE,
        /** PostgreSQL: the application's DataSource when it has one, else pgs.postgres.url. */
        POSTGRES,
        /** Redis at pgs.redis.uri. */
        REDIS,
        /** In memory only: nothing survives the application (for tests and demos). */
        MEMORY
    }

    /** Whether to auto-configure the runtime at all. */
    private boolean enabled = true;
    /** The store: sqlite (default), postgres, redis or memory. */
    private Store store = Store.SQLITE;
    /** The runtime's name, used in thread names and logs. */
    private String name = "pgs";

    @NestedConfigurationProperty
    private final Sqlite sqlite = new Sqlite();
    @NestedConfigurationProperty
    private final Postgres postgres = new Postgres();
    @NestedConfigurationProperty
    private final Redis redis = new Redis();
    @NestedConfigurationProperty
    private final Runtime runtime = new Runtime();
    /** Options of every type (applied over the library defaults). */
    @NestedConfigurationProperty
    private final TypeProperties defaults = new TypeProperties();
    /** Options of one type, by type name (applied over pgs.defaults). */
    private final Map<String, TypeProperties> types = new LinkedHashMap<>();
    @NestedConfigurationProperty
    private final Console console = new Console();
    @NestedConfigurationProperty
    private final Endpoint endpoint = new Endpoint();
    @NestedConfigurationProperty
    private final Metrics metrics = new Metrics();

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean v) { enabled = v; }
    public Store getStore() { return store; }
    public void setStore(Store v) { store = v; }
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public Sqlite getSqlite() { return sqlite; }
    public Postgres getPostgres() { return postgres; }
    public Redis getRedis() { return redis; }
    public Runtime getRuntime() { return runtime; }
    public TypeProperties getDefaults() { return defaults; }
    public Map<String, TypeProperties> getTypes() { return types; }
    public Console getConsole() { return console; }
    public Endpoint getEndpoint() { return endpoint; }
    public Metrics getMetrics() { return metrics; }

    /** {@code pgs.sqlite.*}. */
    public static class Sqlite {
        /** The database file; created with its folder if missing. */
        private Path path = Path.of("pgs-data", "pgs.db");
        /** full (survives power loss, the default) or normal (survives a process crash only, faster). */
        private SqliteOptions.Synchronous synchronous = SqliteOptions.Synchronous.FULL;
        /** How long a connection waits for a lock held by another process. */
        private Duration busyTimeout = Duration.ofSeconds(5);
        /** The table holding the states. */
        private String table = "pgs_state";

        public Path getPath() { return path; }
        public void setPath(Path v) { path = v; }
        public SqliteOptions.Synchronous getSynchronous() { return synchronous; }
        public void setSynchronous(SqliteOptions.Synchronous v) { synchronous = v; }
        public Duration getBusyTimeout() { return busyTimeout; }
        public void setBusyTimeout(Duration v) { busyTimeout = v; }
        public String getTable() { return table; }
        public void setTable(String v) { table = v; }
    }

    /** {@code pgs.postgres.*}. */
    public static class Postgres {
        /**
         * Use the application's DataSource when it has one (default true). Set to false to use pgs.postgres.url
         * beside it.
         */
        private boolean useDataSource = true;
        /** A JDBC URL (jdbc:postgresql://host:port/db) when the application has no DataSource to use. */
        private String url;
        /** The user for pgs.postgres.url. */
        private String username;
        /** The password for pgs.postgres.url. */
        private String password;
        /** The schema holding the tables. */
        private String schema = "public";
        /** The table holding the states. */
        private String table = "pgs_state";
        /** Create the schema, tables and index when missing. */
        private boolean createTable = true;
        /** Group-commit writer threads. */
        private int writers = 2;
        /** Connections of the pool the store opens for pgs.postgres.url (unused with a DataSource). */
        private int poolSize = 10;

        public boolean isUseDataSource() { return useDataSource; }
        public void setUseDataSource(boolean v) { useDataSource = v; }
        public String getUrl() { return url; }
        public void setUrl(String v) { url = v; }
        public String getUsername() { return username; }
        public void setUsername(String v) { username = v; }
        public String getPassword() { return password; }
        public void setPassword(String v) { password = v; }
        public String getSchema() { return schema; }
        public void setSchema(String v) { schema = v; }
        public String getTable() { return table; }
        public void setTable(String v) { table = v; }
        public boolean isCreateTable() { return createTable; }
        public void setCreateTable(boolean v) { createTable = v; }
        public int getWriters() { return writers; }
        public void setWriters(int v) { writers = v; }
        public int getPoolSize() { return poolSize; }
        public void setPoolSize(int v) { poolSize = v; }
    }

    /** {@code pgs.redis.*}. */
    public static class Redis {
        /** The Redis URI (redis://host:port/db, rediss://, redis-sentinel://). */
        private String uri;
        /** The key namespace. */
        private String namespace = "pgs";
        /** Group-commit writer threads. */
        private int writers = 1;

        public String getUri() { return uri; }
        public void setUri(String v) { uri = v; }
        public String getNamespace() { return namespace; }
        public void setNamespace(String v) { namespace = v; }
        public int getWriters() { return writers; }
        public void setWriters(int v) { writers = v; }
    }

    /** {@code pgs.runtime.*}: options of the runtime itself. */
    public static class Runtime {
        /** How long shutdown waits for servers to petrify. */
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        /** The most servers active at once (0: no bound); past it the least recently used idle ones petrify. */
        private int maxActive;
        /** Servers revived per second by the start-up recovery. */
        private int recoveryRate = 1000;
        /** The longest key accepted, in UTF-8 bytes. */
        private int maxKeyBytes = 1024;
        /** How often petrified servers' due reminders are looked for. */
        private Duration reminderPollInterval = Duration.ofSeconds(1);
        /** How late a reminder tick may be before it counts as missed. */
        private Duration reminderGrace = Duration.ofMinutes(1);
        /** How long start-up waits for the recovery of permanent and remembered servers (0: do not wait). */
        private Duration awaitRecovery = Duration.ZERO;

        public Duration getShutdownTimeout() { return shutdownTimeout; }
        public void setShutdownTimeout(Duration v) { shutdownTimeout = v; }
        public int getMaxActive() { return maxActive; }
        public void setMaxActive(int v) { maxActive = v; }
        public int getRecoveryRate() { return recoveryRate; }
        public void setRecoveryRate(int v) { recoveryRate = v; }
        public int getMaxKeyBytes() { return maxKeyBytes; }
        public void setMaxKeyBytes(int v) { maxKeyBytes = v; }
        public Duration getReminderPollInterval() { return reminderPollInterval; }
        public void setReminderPollInterval(Duration v) { reminderPollInterval = v; }
        public Duration getReminderGrace() { return reminderGrace; }
        public void setReminderGrace(Duration v) { reminderGrace = v; }
        public Duration getAwaitRecovery() { return awaitRecovery; }
        public void setAwaitRecovery(Duration v) { awaitRecovery = v; }
    }

    /** {@code pgs.console.*}: the admin console page. */
    public static class Console {
        /** Serve the console (default false). Put it behind the application's security. */
        private boolean enabled;
        /** Where the console is served. */
        private String path = "/pgs-console";
        /** Refuse every action (default true: set false to release, roll back, reset, delete, petrify). */
        private boolean readOnly = true;
        /** The page's title (default: spring.application.name, else PersistentGenServer). */
        private String title;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean v) { enabled = v; }
        public String getPath() { return path; }
        public void setPath(String v) { path = v; }
        public boolean isReadOnly() { return readOnly; }
        public void setReadOnly(boolean v) { readOnly = v; }
        public String getTitle() { return title; }
        public void setTitle(String v) { title = v; }
    }

    /** {@code pgs.endpoint.*}: the actuator endpoint {@code pgs}. */
    public static class Endpoint {
        /** Offer release, rollback, reset and delete as write operations (default false: read only). */
        private boolean writesEnabled;

        public boolean isWritesEnabled() { return writesEnabled; }
        public void setWritesEnabled(boolean v) { writesEnabled = v; }
    }

    /** {@code pgs.metrics.*}: the runtime's metrics and traces through pgs-micrometer. */
    public static class Metrics {
        /** Report to the application's MeterRegistry when pgs-micrometer is on the class path (default true). */
        private boolean enabled = true;
        /**
         * Time calls, turns and store operations as observations of the application's ObservationRegistry, so that
         * they become spans too when tracing is configured (default true; false records timers straight).
         */
        private boolean observations = true;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean v) { enabled = v; }
        public boolean isObservations() { return observations; }
        public void setObservations(boolean v) { observations = v; }
    }
}
