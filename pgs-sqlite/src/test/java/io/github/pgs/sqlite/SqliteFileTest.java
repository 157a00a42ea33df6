package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The database file as other programs see it: the sqlite3 command-line tool, and a JVM that was killed. */
class SqliteFileTest {

    private static final String SQLITE3 = "/usr/bin/sqlite3";

    @TempDir
    Path dir;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String sqlite3(Path file, String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(SQLITE3, file.toString(), sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("sqlite3 exit value, output: %s", out).isZero();
        return out;
    }

    @Test
    void file_isReadableBySqlite3Cli_whileOpenAndAfterClose() throws Exception {
        Path file = dir.resolve("cli.db");
        String query = "select type, key, version from pgs_state order by type, key";
        String expected = """
                game|it's|1
                game|plain|2
                game|\uD83D\uDE00|1
                other|plain|1
                """;
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(new StateWrite(new ServerId("game", "plain"), 0, bytes("{\"hp\":1}"), 1));
            store.save(new StateWrite(new ServerId("game", "plain"), 1, bytes("{\"hp\":2}"), 1));
            store.save(new StateWrite(new ServerId("game", "it's"), 0, bytes("x"), 1));
            store.save(new StateWrite(new ServerId("game", "\uD83D\uDE00"), 0, bytes("x"), 1));
            store.save(new StateWrite(new ServerId("other", "plain"), 0, bytes("x"), 1));

            assertThat(sqlite3(file, query)).as("while the store has the file open").isEqualTo(expected);
        }

        assertThat(sqlite3(file, query)).as("after close").isEqualTo(expected);
        assertThat(sqlite3(file, "select cast(payload as text), schema_version from pgs_state"
                + " where type = 'game' and key = 'plain'")).isEqualTo("{\"hp\":2}|1\n");
        assertThat(sqlite3(file, "pragma journal_mode")).isEqualTo("wal\n");
    }

    @Test
    void keyWithNul_isStoredAsTextWithEveryByte() throws Exception {
        Path file = dir.resolve("nul.db");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(new StateWrite(new ServerId("t", "a\0b"), 0, bytes("x"), 1));
            store.delete(new ServerId("t", "a\0b"), 1);
        }

        assertThat(sqlite3(file, "select typeof(key), hex(key), version, payload is null from pgs_state"))
                .isEqualTo("text|610062|2|1\n");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void acknowledgedWrites_surviveSigkillOfTheWritingJvm_andLeaveNoNativeLibraryInItsTempDir() throws Exception {
        Path file = dir.resolve("crash.db");
        Path childTmp = Files.createDirectories(dir.resolve("child-tmp"));
        int keys = 8;
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + childTmp, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), file.toString(), Integer.toString(keys))
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        Map<String, Long> acknowledged = new HashMap<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            int acks = 0;
            String line;
            while (acks < 400 && (line = out.readLine()) != null) {
                String[] parts = line.split(" ");
                acknowledged.merge(parts[1], Long.parseLong(parts[2]), Math::max);
                acks++;
            }
            assertThat(acks).as("acks before the child ended; its stderr: %s",
                    Files.readString(dir.resolve("child-stderr.txt"))).isEqualTo(400);
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, no checkpoint
            assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly();
        }

        try (SqliteStorage store = SqliteStorage.open(file)) {
            assertThat(acknowledged).hasSize(keys);
            acknowledged.forEach((key, version) -> {
                StoredState s = store.load(new ServerId(CrashChild.TYPE, key));
                // Later saves (acknowledged after the last line read here, or committed just before the kill)
                // may be there too; an acknowledged one must never be missing.
                assertThat(s.version()).as("key %s", key).isGreaterThanOrEqualTo(version);
                assertThat(s.payload()).isEqualTo(bytes("v" + s.version()));
            });
        }
        try (Stream<Path> left = Files.list(childTmp)) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertThat(names).as("files the killed JVM left in its temp dir").noneMatch(n -> n.startsWith("sqlite"));
        }
    }
}
