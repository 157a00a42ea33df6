/**
 * PersistentGenServer testkit: manual time for deterministic tests and the storage conformance kit
 * ({@link io.github.pgs.testkit.tck.StorageContract}) that every store must pass.
 *
 * <p>JUnit Jupiter's API is required transitively: the conformance suite is a JUnit class that store tests
 * extend.
 */
module io.github.pgs.testkit {
    requires transitive io.github.pgs.core;
    requires transitive org.junit.jupiter.api;
    requires org.assertj.core;
    requires transitive java.sql; // JdbcRawRows: the hostile-row kit for stores on JDBC
    requires java.logging; // the hostile-row kit counts reports

    exports io.github.pgs.testkit;
    exports io.github.pgs.testkit.tck;
    exports io.github.pgs.testkit.model;
}
