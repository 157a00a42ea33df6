package io.github.pgs.spring;

import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A whole application on the SQLite store over HTTP: health, the actuator endpoint (read only), and the console
 * behind the application's Spring Security (basic auth for the console and actuator, CSRF on).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,pgs,metrics",
        "management.endpoint.health.show-details=always"})
@TestPropertySource(locations = "classpath:counters-app.properties")
class SqliteApplicationTest {

    @CountersApp
    static class App {
        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a
                            .requestMatchers("/pgs-console/**", "/actuator/pgs/**", "/actuator/pgs").hasRole("OPS")
                            .anyRequest().permitAll())
                    .httpBasic(b -> { })
                    // actuator calls come from scripts with basic auth, not from a browser session
                    .csrf(c -> c.ignoringRequestMatchers("/actuator/**"))
                    .build();
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(User.withUsername("ops").password("{noop}ops-secret").roles("OPS")
                    .build());
        }
    }

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pgs-spring-sqlite-");
        registry.add("pgs.sqlite.path", () -> dir.resolve("app.db").toString());
    }

    @LocalServerPort
    int port;
    @Autowired
    ServerRefs refs;
    @Autowired
    ServerRuntime runtime;

    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    private static final String OPS = "Basic " + Base64.getEncoder().encodeToString(
            "ops:ops-secret".getBytes(StandardCharsets.UTF_8));

    private HttpResponse<String> get(String path, boolean ops) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (ops) {
            b.header("Authorization", OPS);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String contentType, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", OPS).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void health_reportsTheStoreUp_withTheRuntimesFigures() throws Exception {
        HttpResponse<String> r = get("/actuator/health/pgs", false);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"UP\"", "\"store\":\"SqliteStorage\"", "\"active\":");
    }

    @Test
    void theRuntimesMetrics_reachTheApplicationsMeterRegistry() throws Exception {
        refs.of(Counter.class, "metrics").call(new Counter.Add(1));

        HttpResponse<String> calls = get("/actuator/metrics/pgs.call?tag=type:counter", false);

        assertThat(calls.statusCode()).isEqualTo(200);
        assertThat(calls.body()).contains("\"name\":\"pgs.call\"", "\"statistic\":\"COUNT\"");
    }

    @Test
    void theEndpoint_showsTypesAndOneServer_andOffersNoWrites() throws Exception {
        ServerRef ref = refs.of(Counter.class, "endpoint");
        ref.call(new Counter.Add(3));
        ref.call(new Counter.Add(4));

        HttpResponse<String> overview = get("/actuator/pgs", true);
        HttpResponse<String> server = get("/actuator/pgs/counter/endpoint", true);
        HttpResponse<String> anonymous = get("/actuator/pgs", false);
        HttpResponse<String> write = post("/actuator/pgs/counter/endpoint", "application/json",
                "{\"action\":\"reset\"}");

        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("\"type\":\"counter\"", "\"store\":\"SqliteStorage\"");
        assertThat(server.body()).contains("\"id\":\"counter:endpoint\"", "\"status\":\"active\"", "\"version\":2",
                "\\\"count\\\": 7", "\"history\":[{\"version\":1");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(write.statusCode()).isEqualTo(405);
        assertThat(ref.call(new Counter.Add(0))).isEqualTo(7);
    }

    @Test
    void theConsole_isBehindTheApplicationsSecurity_andItsActionsNeedBothCsrfTokens() throws Exception {
        ServerRef ref = refs.of(Counter.class, "console");
        ref.call(new Counter.Add(1));
        ref.call(new Counter.Add(1));
        assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThat(runtime.isQuarantined(ref.id())).isTrue();

        HttpResponse<String> health = get("/actuator/health/pgs", false);
        HttpResponse<String> anonymous = get("/pgs-console/", false);
        HttpResponse<String> redirect = get("/pgs-console", true);
        HttpResponse<String> page = get("/pgs-console/", true);
        HttpResponse<String> overview = get("/pgs-console/api/overview", true);
        String consoleCsrf = meta(page.body(), "pgs-csrf");
        String springHeaders = meta(page.body(), "pgs-write-headers").replace("&quot;", "\"");
        Matcher m = Pattern.compile("\\{\"([^\"]+)\":\"([^\"]+)\"}").matcher(springHeaders);
        assertThat(m.matches()).as(springHeaders).isTrue();
        String form = "action=rollback&id=counter%3Aconsole&steps=1";
        HttpResponse<String> withoutSpringCsrf = post("/pgs-console/api/action",
                "application/x-www-form-urlencoded", form, "X-PGS-CSRF", consoleCsrf);
        HttpResponse<String> withoutConsoleCsrf = post("/pgs-console/api/action",
                "application/x-www-form-urlencoded", form, m.group(1), m.group(2));
        HttpResponse<String> withBoth = post("/pgs-console/api/action", "application/x-www-form-urlencoded", form,
                "X-PGS-CSRF", consoleCsrf, m.group(1), m.group(2));

        assertThat(health.body()).contains("\"status\":\"UP\"", "\"quarantinedServers\":[\"counter:console\"]");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Counters console</title>");
        assertThat(overview.body()).contains("\"runtime\":\"pgs\"", "\"name\":\"counter\"", "\"quarantined\":1");
        assertThat(withoutSpringCsrf.statusCode()).isEqualTo(403);
        assertThat(withoutConsoleCsrf.statusCode()).isEqualTo(403);
        assertThat(withBoth.statusCode()).as(withBoth.body()).isEqualTo(200);
        assertThat(withBoth.body()).contains("now version 3");
        assertThat(runtime.isQuarantined(ref.id())).isFalse();
        assertThat(ref.call(new Counter.Add(0))).isEqualTo(1);
    }

    private static String meta(String html, String name) {
        Matcher m = Pattern.compile("<meta name=\"" + name + "\" content=\"([^\"]*)\">").matcher(html);
        assertThat(m.find()).as("meta %s in the page", name).isTrue();
        return m.group(1);
    }
}
