package io.github.pgs.console;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.spi.StoredState;
import io.github.pgs.sqlite.SqliteStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone console in a real headless Chromium, over an SQLite store seeded with notes: the counts show, a
 * search finds a server, its state and history display with a diff, a rollback changes the stored version, and a
 * state holding markup renders as text. Each step leaves a screenshot in {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {

    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final String HOSTILE = "<script>window.__pgsPwned = 1</script><img src=x onerror=\"window.__pgsPwned = 2\">";

    @TempDir
    static Path dir;
    static SqliteStorage storage;
    static ConsoleServer server;
    static Browser browser;

    @BeforeAll
    static void seed() {
        storage = SqliteStorage.open(dir.resolve("console.db"));
        try (ServerRuntime runtime = ServerRuntime.builder().storage(storage)
                .register(ServerType.builder(Note.class)
                        .options(TypeOptions.builder().historyDepth(3)
                                .restartIntensity(0, java.time.Duration.ofMinutes(1)).build()).build())
                .build()) {
            runtime.ref(Note.class, "alice").call(new Note.Remind("daily-digest", 24 * 60));
            write(runtime, "alice", "first draft", "second draft", "final text");
            write(runtime, "dave", "dave v1", "dave v2", "dave v3");
            write(runtime, "carol", "hello");
            write(runtime, "caroline", "hi");
            write(runtime, "mallory", HOSTILE);
            write(runtime, "eve", "about to crash");
            try {
                runtime.ref(Note.class, "eve").call(new Note.Boom());
            } catch (io.github.pgs.ServerCrashedException expected) {
                // the first crash quarantines eve (restart intensity 0), and the store records it
            }
            for (int i = 1; i <= 7; i++) {
                write(runtime, "player-" + i, "score " + i * 10);
            }
        }
        server = ConsoleServer.builder(Admin.of(storage, JsonStateCodec.create())).types(List.of("note"))
                .title("Notes").start();
        browser = new Browser(SHOTS);
    }

    private static void write(ServerRuntime runtime, String owner, String... texts) {
        ServerRef ref = runtime.ref(Note.class, owner);
        for (String t : texts) {
            ref.call(new Note.Write(t));
        }
    }

    @AfterAll
    static void close() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
            storage.close();
        }
    }

    /** Opens the console with the access token, as the printed address does, and waits for the overview. */
    private static void openConsole() {
        browser.open("about:blank");
        browser.open(server.loginUrl());
        browser.visible("#types tr[data-type='note']");
    }

    private static void openServer(String key) {
        openConsole();
        browser.find("#search-prefix").sendKeys(key);
        browser.find("#search-go").click();
        browser.visible("#results tr[data-id='note:" + key + "'] button").click();
        browser.await(d -> browser.find("#server-id").getText().equals("note:" + key));
    }

    @Test
    void withoutTheToken_thePageAsksForIt_andTheTokenOpensIt() {
        browser.open(server.url());
        browser.script("sessionStorage.clear()");
        browser.open("about:blank");
        browser.open(server.url());

        browser.visible("#login");
        assertThat(browser.find("#main").isDisplayed()).isFalse();
        browser.screenshot("00-login");
        browser.find("#token").sendKeys(server.accessToken());
        browser.find("#token-go").click();

        browser.visible("#types tr[data-type='note']");
    }

    @Test
    void theCountsShow() {
        openConsole();

        assertThat(browser.text("#types tr[data-type='note'] .stored")).isEqualTo("13");
        assertThat(browser.text("#summary")).contains("store SqliteStorage", "no runtime (bare store)");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("token");
        browser.visible("#activity-note");
        browser.screenshot("01-overview");
    }

    @Test
    void aSearchFindsAServer_byKeyPrefix() {
        openConsole();
        browser.find("#search-prefix").sendKeys("car");
        browser.find("#search-go").click();

        browser.visible("#results tr[data-id='note:caroline']");
        assertThat(browser.findAll("#results tbody tr")).extracting(r -> r.getAttribute("data-id"))
                .containsExactly("note:carol", "note:caroline");
        browser.screenshot("02-search");
    }

    @Test
    void aServersStateHistoryAndReminders_display_withADiffBetweenVersions() {
        openServer("alice");

        assertThat(browser.text("#state")).contains("\"text\": \"final text\"", "\"edits\": 3");
        assertThat(browser.text("#server-meta")).contains("version", "4", "schema version");
        assertThat(browser.findAll("#history tbody tr")).extracting(r -> r.getAttribute("data-version"))
                .containsExactly("4", "3", "2", "1");
        assertThat(browser.text("#reminders")).contains("daily-digest", "24 h", "fire once");
        browser.visible("#diff .add");
        assertThat(browser.findAll("#diff .del")).extracting(WebElement::getText)
                .anySatisfy(t -> assertThat(t).contains("second draft"));
        assertThat(browser.findAll("#diff .add")).extracting(WebElement::getText)
                .anySatisfy(t -> assertThat(t).contains("final text"));
        new Select(browser.find("#diff-from")).selectByValue("2");
        browser.await(d -> browser.findAll("#diff .del").stream().anyMatch(e -> e.getText().contains("first draft")));
        browser.script("document.getElementById('history').scrollIntoView()");
        browser.screenshot("03-history-diff");
    }

    @Test
    void aRollback_afterConfirmation_changesTheStoredVersion() {
        ServerId dave = new ServerId("note", "dave");
        assertThat(storage.load(dave).version()).isEqualTo(3);
        openServer("dave");

        new Select(browser.find("#rollback-steps")).selectByValue("2");
        browser.find("#actions button[data-action='rollback']").click();
        browser.visible("#confirm");
        assertThat(browser.text("#confirm-text")).contains("back 2 versions", "version 1", "version 4");
        browser.screenshot("04-rollback-confirm");
        browser.find("#confirm-ok").click();

        browser.await(d -> browser.find("#notice").getText().contains("now version 4"));
        browser.await(d -> browser.find("#state").getText().contains("dave v1"));
        StoredState stored = storage.load(dave);
        assertThat(stored.version()).isEqualTo(4);
        assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).contains("\"text\":\"dave v1\"");
        browser.screenshot("05-rollback-done");
    }

    @Test
    void aQuarantinedServer_isListedWithItsLastFailure_andReleasedAfterConfirmation() {
        ServerId eve = new ServerId("note", "eve");
        Admin admin = Admin.of(storage, JsonStateCodec.create());
        assertThat(admin.quarantine(eve)).isPresent();
        openConsole();

        browser.visible("#quarantined tr[data-id='note:eve']");
        assertThat(browser.text("#quarantined tr[data-id='note:eve'] .failure")).contains("boom");
        browser.screenshot("07-quarantined");
        browser.find("#quarantined tr[data-id='note:eve'] button").click();
        browser.await(d -> browser.find("#server-id").getText().equals("note:eve"));
        assertThat(browser.visible("#server-quarantine").getText()).contains("Quarantined since", "boom");
        browser.find("#actions button[data-action='release']").click();
        browser.visible("#confirm");
        browser.find("#confirm-ok").click();

        browser.await(d -> browser.find("#notice").getText().contains("released note:eve"));
        browser.await(d -> !browser.find("#quarantine-card").isDisplayed());
        assertThat(admin.quarantine(eve)).isEmpty();
        browser.screenshot("08-released");
    }

    @Test
    void aCancelledAction_changesNothing() {
        openServer("carol");
        browser.find("#actions button[data-action='reset']").click();
        browser.visible("#confirm");
        browser.find("#confirm-cancel").click();

        browser.await(d -> !browser.find("#confirm").isDisplayed());
        assertThat(storage.load(new ServerId("note", "carol")).version()).isEqualTo(1);
    }

    @Test
    void aStateHoldingMarkup_rendersAsText() {
        openServer("mallory");

        assertThat(browser.text("#state")).contains(HOSTILE.replace("\"", "\\\""));
        assertThat(browser.findAll("#state *")).isEmpty();
        assertThat(browser.findAll("img")).isEmpty();
        assertThat(browser.script("return typeof window.__pgsPwned")).isEqualTo("undefined");
        browser.screenshot("06-markup-as-text");
    }
}
