package io.github.pgs.examples.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The game service driven over HTTP, as a client would. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GameApplicationTest {

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws java.io.IOException {
        Path dir = Files.createTempDirectory("pgs-game-");
        registry.add("pgs.sqlite.path", () -> dir.resolve("game.db").toString());
    }

    @LocalServerPort
    int port;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> move(int port, String player, int dx, int dy) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/players/" + player + "/moves"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dx\":" + dx + ",\"dy\":" + dy + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void movesScoresAndTheTopPlayers_overHttp() throws Exception {
        assertThat(move(port, "alice", 1, 2).body()).isEqualTo("{\"player\":\"alice\",\"score\":3}");
        assertThat(move(port, "alice", -4, 0).body()).isEqualTo("{\"player\":\"alice\",\"score\":7}");
        move(port, "bob", 1, 1);
        move(port, "carol", 5, 5);
        move(port, "dave", 0, 1);

        assertThat(get(port, "/players/alice/score").body()).isEqualTo("{\"player\":\"alice\",\"score\":7}");
        assertThat(get(port, "/players/nobody/score").body()).isEqualTo("{\"player\":\"nobody\",\"score\":0}");
        assertThat(get(port, "/players/top?limit=3").body()).isEqualTo(
                "[{\"player\":\"carol\",\"score\":10},{\"player\":\"alice\",\"score\":7},{\"player\":\"bob\",\"score\":2}]");
        assertThat(get(port, "/players/top?limit=0").statusCode()).isEqualTo(400);
        HttpResponse<String> health = get(port, "/actuator/health/pgs");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"", "SqliteStorage");
        assertThat(get(port, "/actuator/metrics/pgs.call").body()).contains("\"name\":\"pgs.call\"");
        assertThat(get(port, "/pgs-console/").statusCode()).isEqualTo(200);
        assertThat(get(port, "/pgs-console/api/overview").body()).contains("\"name\":\"player\"", "\"readOnly\":true");
    }

    @Test
    void scoresSurviveARestartOfTheApplication(@TempDir Path dir) throws Exception {
        String[] args = {"--server.port=0", "--pgs.sqlite.path=" + dir.resolve("restart.db")};
        try (ConfigurableApplicationContext first = SpringApplication.run(GameApplication.class, args)) {
            int p = ((WebServerApplicationContext) first).getWebServer().getPort();
            assertThat(move(p, "vorpal", 3, 4).body()).contains("\"score\":7");
        }
        try (ConfigurableApplicationContext second = SpringApplication.run(GameApplication.class, args)) {
            int p = ((WebServerApplicationContext) second).getWebServer().getPort();
            assertThat(get(p, "/players/vorpal/score").body()).isEqualTo("{\"player\":\"vorpal\",\"score\":7}");
        }
    }
}
