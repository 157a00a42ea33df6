package io.github.pgs.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** On the PostgreSQL the build's tests use ({@code --db-url} default: 127.0.0.1:5432/test, user postgres). */
class WarmupAnalyzeTest {

    private static final String TABLE = "pgs_bench_analyze_test";

    private static Options options(String... argv) {
        return new Options(argv);
    }

    @BeforeEach
    void freshTable() throws SQLException {
        try (Connection c = Endpoints.postgres(options()); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
            // autovacuum off: it would analyze the table on its own schedule, in the middle of a test
            st.execute("CREATE TABLE " + TABLE + " (k INT PRIMARY KEY) WITH (autovacuum_enabled = false)");
            st.execute("INSERT INTO " + TABLE + " SELECT generate_series(1, 1000)");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        try (Connection c = Endpoints.postgres(options()); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    /** The planner's row count of the table: -1 until it is first analyzed. */
    private static double reltuples() throws SQLException {
        try (Connection c = Endpoints.postgres(options()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reltuples FROM pg_class WHERE relname = '" + TABLE + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getDouble(1);
        }
    }

    @Test
    void analyzesTheTables_andRecordsWhenAndHowLong() throws Exception {
        assertThat(reltuples()).as("a fresh table is not analyzed").isEqualTo(-1);
        WarmupAnalyze analyze = WarmupAnalyze.start(options("--analyze-at=0"), "postgres", 10, TABLE);
        String line = analyze.finish(new JsonLine()).toString();
        assertThat(line).contains("\"analyze_at_s\":", "\"analyze_ms\":").doesNotContain("analyze_error");
        assertThat(reltuples()).isEqualTo(1000);
    }

    @Test
    void aLoadThatEndsFirst_isRecorded_andNothingIsAnalyzedAfterIt() throws Exception {
        WarmupAnalyze analyze = WarmupAnalyze.start(options(), "postgres", 3600, TABLE);
        String line = analyze.finish(new JsonLine()).toString();
        assertThat(line).contains("\"analyze_error\":\"the load ended before the analyze\"")
                .doesNotContain("analyze_at_s");
        assertThat(reltuples()).isEqualTo(-1);
    }

    @Test
    void aFailingAnalyze_isRecorded_notThrown() throws Exception {
        WarmupAnalyze analyze = WarmupAnalyze.start(options("--analyze-at=0"), "postgres", 10, TABLE + "_missing");
        String line = analyze.finish(new JsonLine()).toString();
        assertThat(line).contains("\"analyze_at_s\":", "\"analyze_error\":", "does not exist");
    }

    @Test
    void otherStores_andOff_analyzeNothing() throws Exception {
        for (WarmupAnalyze none : new WarmupAnalyze[] {
                WarmupAnalyze.start(options("--analyze-at=0"), "sqlite", 10, TABLE),
                WarmupAnalyze.start(options("--analyze-at=off"), "postgres", 10, TABLE)}) {
            assertThat(none.finish(new JsonLine()).toString()).doesNotContain("analyze");
        }
        assertThat(reltuples()).isEqualTo(-1);
    }

    @Test
    void aFractionOutsideTheWarmup_isRefused() {
        for (String bad : new String[] {"1.5", "-0.1", "NaN", "half"}) {
            assertThatThrownBy(() -> WarmupAnalyze.start(options("--analyze-at=" + bad), "postgres", 10, TABLE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--analyze-at");
        }
    }
}
