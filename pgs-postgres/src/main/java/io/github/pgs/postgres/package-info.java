/**
 * The PostgreSQL store: {@link io.github.pgs.postgres.PostgresStorage}, a {@link io.github.pgs.spi.Storage} in one
 * table with group commit, configured by {@link io.github.pgs.postgres.PostgresOptions}.
 */
package io.github.pgs.postgres;
