package io.github.pgs.spring;

import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.console.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.TestPropertySource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The console served by the starter, in headless Chromium, through the application's runtime: statuses per type,
 * live activity (all types, then one type), and releasing a quarantined server (its action carrying Spring Security's CSRF token). Screenshots
 * go to {@code target/console-screenshots/}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "pgs.store=memory")
@TestPropertySource(locations = "classpath:counters-app.properties")
class ConsoleInApplicationBrowserTest {

    @CountersApp
    static class App {
        /** Open to everyone (a test), with Spring Security's CSRF protection left on. */
        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
    }

    static Browser browser;

    @BeforeAll
    static void startBrowser() {
        browser = new Browser(Path.of("target", "console-screenshots"));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    ServerRefs refs;
    @Autowired
    ServerRuntime runtime;

    @Test
    void theConsoleShowsStatusesAndActivity_andReleasesAQuarantinedServer() {
        for (String k : new String[] {"alice", "bob", "carol", "dave"}) {
            refs.of(Counter.class, k).call(new Counter.Add(k.length()));
        }
        runtime.petrify(new ServerId("counter", "dave"));
        ServerRef crashy = refs.of(Counter.class, "crashy");
        crashy.call(new Counter.Add(1));
        assertThatThrownBy(() -> crashy.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);

        browser.open("http://127.0.0.1:" + port + "/pgs-console/");
        browser.visible("#types tr[data-type='counter']");
        assertThat(browser.text("#types tr[data-type='counter'] .quarantined")).isEqualTo("1");
        assertThat(browser.text("#summary")).contains("runtime pgs");
        // calls while the page polls: the chart's legend shows a rate above zero
        ServerRef busy = refs.of(Counter.class, "alice");
        browser.await(d -> {
            for (int i = 0; i < 20; i++) {
                busy.call(new Counter.Add(1));
            }
            String legend = browser.find("#legend [data-series='calls']").getText();
            return !legend.endsWith("/s") && !legend.endsWith(" 0.0");
        });
        new org.openqa.selenium.support.ui.Select(browser.find("#chart-type")).selectByValue("counter");
        browser.await(d -> {
            for (int i = 0; i < 20; i++) {
                busy.call(new Counter.Add(1));
            }
            return Integer.parseInt(browser.find("#chart").getDomAttribute("data-samples")) >= 4
                    && !browser.find("#legend [data-series='calls']").getText().endsWith(" 0.0");
        });
        browser.screenshot("starter-01-overview");

        browser.find("#search-prefix").sendKeys("crash");
        browser.find("#search-go").click();
        browser.visible("#results tr[data-id='counter:crashy'] button").click();
        browser.await(d -> browser.find("#server-status").getText().equals("quarantined"));
        browser.find("#actions button[data-action='release']").click();
        browser.visible("#confirm");
        browser.find("#confirm-ok").click();

        browser.await(d -> browser.find("#notice").getText().contains("released counter:crashy"));
        assertThat(runtime.isQuarantined(crashy.id())).isFalse();
        assertThat(crashy.call(new Counter.Add(1))).isEqualTo(2);
        browser.screenshot("starter-02-released");
    }
}
