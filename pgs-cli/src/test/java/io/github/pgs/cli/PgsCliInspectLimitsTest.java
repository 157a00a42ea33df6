package io.github.pgs.cli;

import io.github.pgs.ServerId;
import io.github.pgs.admin.StateText;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.sqlite.SqliteStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pgs inspect} on states built to blow up a naive rendering: bounded output, layout options. */
class PgsCliInspectLimitsTest {

    @TempDir
    Path dir;
    private String store;
    private final CliRunner cli = new CliRunner(Instant.parse("2025-01-31T12:00:00Z"), Map.of());
    /** 500 levels around 50,000 numbers: about 101 KB. Indented by depth it printed about 50 MB. */
    private final String deep = "[".repeat(500) + "1,".repeat(49_999) + "1" + "]".repeat(500);

    @BeforeEach
    void fill() {
        Path db = dir.resolve("pgs.db");
        store = "sqlite:" + db;
        try (SqliteStorage s = SqliteStorage.open(db)) {
            s.save(new StateWrite(new ServerId("doc", "deep"), 0, deep.getBytes(StandardCharsets.UTF_8), 1));
            s.save(new StateWrite(new ServerId("doc", "small"), 0,
                    "{\"a\":{\"b\":[1,2]}}".getBytes(StandardCharsets.UTF_8), 1));
        }
    }

    @Test
    void inspect_ofADeeplyNestedState_printsAboutItsOwnSize() {
        String out = cli.ok(store, "inspect", "doc:deep").out();

        assertThat(out.length()).isLessThan(deep.length() + 2_000);
        assertThat(out).contains("state           json\n");
    }

    @Test
    void inspect_cutsAtMaxChars_andSaysSo() {
        String out = cli.ok(store, "inspect", "doc:deep", "--max-chars", "1000").out();

        assertThat(out).contains("state           json, cut at 1000 characters (see --max-chars)\n")
                .contains("\n" + StateText.TRUNCATION_MARKER + " the first 1000 characters are shown;")
                .hasSizeLessThan(2_500);
    }

    @Test
    void inspect_layoutOptions() {
        assertThat(cli.ok(store, "inspect", "doc:small", "--compact").out()).endsWith("\n{\"a\":{\"b\":[1,2]}}\n");
        assertThat(cli.ok(store, "inspect", "doc:small", "--indent-depth", "1").out()).endsWith("""

                {
                  "a": {"b":[1,2]}
                }
                """);
        assertThat(cli.run(store, "inspect", "doc:small", "--compact", "--indent-depth", "2").status())
                .isEqualTo(PgsCli.USAGE);
        assertThat(cli.run(store, "inspect", "doc:small", "--max-chars", "0").status()).isEqualTo(PgsCli.USAGE);
        assertThat(cli.run(store, "inspect", "doc:small", "--indent-depth", "65").status())
                .isEqualTo(PgsCli.USAGE);
    }
}
