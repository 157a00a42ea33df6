package io.github.pgs.cli;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.sqlite.SqliteStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pgs console} on a temporary SQLite file, reached over real HTTP on loopback. */
class PgsCliConsoleTest {

    @TempDir
    Path dir;
    private Path db;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void fill() {
        db = dir.resolve("notes.db");
        try (SqliteStorage s = SqliteStorage.open(db)) {
            ServerId alice = new ServerId("note", "alice");
            s.save(new StateWrite(alice, 0, json("{\"text\":\"one\"}"), 1, 2));
            s.save(new StateWrite(alice, 1, json("{\"text\":\"two\"}"), 1, 2));
            s.save(new StateWrite(new ServerId("note", "bob"), 0, json("{\"text\":\"<b>bob</b>\"}"), 1));
        }
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Captures what the tool prints and tells when the line holding the address has come. */
    private static final class Output extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CountDownLatch opened = new CountDownLatch(1);

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            if (b == '\n' && text().contains("open: ")) {
                opened.countDown();
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private record Running(CompletableFuture<Integer> status, Output out, CountDownLatch stop) {}

    private static Running start(String... args) throws InterruptedException {
        Output out = new Output();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        PgsCli cli = new PgsCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), Clock.systemUTC(), stop);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> cli.execute(args));
        boolean opened = out.opened.await(20, TimeUnit.SECONDS);
        assertThat(opened).as("console started; stderr: %s", err).isTrue();
        return new Running(status, out, stop);
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void console_servesThePageAndTheTokenGuardedApi_onLoopback_untilStopped() throws Exception {
        Running run = start("console", "--store", "sqlite:" + db, "--types", "note");
        Matcher m = Pattern.compile("open: (http://127\\.0\\.0\\.1:\\d+/)#token=([A-Za-z0-9_-]+)").matcher(run.out().text());
        assertThat(m.find()).as(run.out().text()).isTrue();
        String base = m.group(1);
        String token = m.group(2);

        HttpResponse<String> page = get(base, null);
        HttpResponse<String> anonymous = get(base + "api/overview", null);
        HttpResponse<String> overview = get(base + "api/overview", token);
        String csrf = page.body().replaceAll("(?s).*<meta name=\"pgs-csrf\" content=\"([^\"]+)\">.*", "$1");
        HttpResponse<String> rollback = http.send(HttpRequest.newBuilder(URI.create(base + "api/action"))
                .header("Authorization", "Bearer " + token)
                .header(io.github.pgs.console.Console.CSRF_HEADER, csrf)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=rollback&id=note%3Aalice&steps=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        run.stop().countDown();

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                v -> assertThat(v).contains("script-src 'self'"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("{\"name\":\"note\",\"stored\":2,\"partial\":false}");
        assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
        assertThat(run.status().get(10, TimeUnit.SECONDS)).isEqualTo(PgsCli.OK);
        assertThat(run.out().text()).contains("console stopped");
        try (SqliteStorage s = SqliteStorage.open(db)) {
            assertThat(new String(s.load(new ServerId("note", "alice")).payload(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"text\":\"one\"}");
        }
    }

    @Test
    void console_readOnly_refusesActions_andTheStoreFirstFormWorksToo() throws Exception {
        Running run = start("sqlite:" + db, "console", "--read-only", "--port", "0");
        String text = run.out().text();
        String token = text.replaceAll("(?s).*#token=([A-Za-z0-9_-]+).*", "$1");
        String base = text.replaceAll("(?s).*open: (http://[^#]+)#.*", "$1");

        HttpResponse<String> overview = get(base + "api/overview", token);
        run.stop().countDown();

        assertThat(text).contains("(read-only)");
        assertThat(overview.body()).contains("\"readOnly\":true", "\"actions\":[]", "\"types\":[]");
        assertThat(run.status().get(10, TimeUnit.SECONDS)).isEqualTo(PgsCli.OK);
    }

    @Test
    void console_withoutAStore_orWithABadPort_isAUsageError() {
        CliRunner cli = new CliRunner(java.time.Instant.now(), Map.of());

        assertThat(cli.run("console").status()).isEqualTo(PgsCli.USAGE);
        assertThat(cli.run("console").err()).contains("missing --store");
        assertThat(cli.run("console", "--store", "sqlite:" + db, "--port", "70000").status()).isEqualTo(PgsCli.USAGE);
        assertThat(cli.run("console", "--store", "sqlite:" + db, "--types", "bad type").status())
                .isEqualTo(PgsCli.USAGE);
        assertThat(cli.run("console", "--store", "sqlite:" + dir.resolve("missing.db")).status())
                .isEqualTo(PgsCli.FAILED);
    }
}
