package io.github.pgs.cluster.pekko.it;

import org.junit.jupiter.api.AfterAll;

/** The cluster tests that write to PostgreSQL: this run's rows are removed when a test class ends. */
abstract class PostgresClusterTest {

    @AfterAll
    static void removeRows() {
        ClusterStores.cleanPostgres();
    }
}
