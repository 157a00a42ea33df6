/**
 * The PostgreSQL store: {@link io.github.pgs.postgres.PostgresStorage} and its
 * {@link io.github.pgs.postgres.PostgresOptions}.
 */
module io.github.pgs.postgres {
    requires transitive io.github.pgs.core;
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;

    exports io.github.pgs.postgres;
}
