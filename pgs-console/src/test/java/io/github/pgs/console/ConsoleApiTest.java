package io.github.pgs.console;

import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The console's API through {@link Console#handle}, with a runtime on manual time and on a bare store. */
class ConsoleApiTest {

    private static final String CSRF = "csrf-token-for-tests-0123456789";

    private final ManualTime time = new ManualTime();
    private final InMemoryStorage store = new InMemoryStorage();
    private final ServerRuntime runtime = ServerRuntime.builder()
            .storage(store)
            .timeSource(time)
            .scheduler(time)
            .shutdownTimeout(Duration.ofSeconds(10))
            .register(ServerType.builder(Note.class).options(TypeOptions.builder()
                    .restartIntensity(0, Duration.ofMinutes(1)).historyDepth(3).build()).build())
            .build();
    private final Console console = Console.builder(Admin.of(runtime)).csrfToken(CSRF).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private ServerRef note(String owner, String... texts) {
        ServerRef ref = runtime.ref(Note.class, owner);
        for (String t : texts) {
            ref.call(new Note.Write(t));
        }
        return ref;
    }

    private static ConsoleResponse get(Console c, String path, String... params) {
        return c.handle(new ConsoleRequest("GET", path, pairs(params), name -> null));
    }

    private static ConsoleResponse post(Console c, Map<String, String> headers, String... params) {
        return c.handle(new ConsoleRequest("POST", "/api/action", pairs(params), headers::get));
    }

    private static ConsoleResponse post(Console c, String... params) {
        return post(c, Map.of(Console.CSRF_HEADER, CSRF), params);
    }

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void overview_countsEachTypesServersByStatus() {
        note("alice", "a");
        note("bob", "b");
        ServerRef carol = note("carol", "c");
        assertThatThrownBy(() -> carol.call(new Note.Boom())).isInstanceOf(ServerCrashedException.class);
        runtime.petrify(new ServerId("note", "bob"));
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(5))).isTrue();

        ConsoleResponse r = get(console, "/api/overview");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.headers()).containsEntry("X-Content-Type-Options", "nosniff");
        assertThat(r.text()).contains("\"types\":[{\"name\":\"note\",\"stored\":3,\"partial\":false,\"active\":1,"
                + "\"petrified\":1,\"quarantined\":1}]")
                .contains("\"actions\":[\"release\",\"petrify\",\"rollback\",\"reset\",\"delete\"]")
                .contains("\"readOnly\":false");
    }

    @Test
    void stats_giveTheRuntimesCounters_inTotalAndPerType() {
        note("alice", "a", "b");

        String stats = get(console, "/api/stats").text();

        assertThat(stats).containsPattern("^\\{\"at\":\\d+,\"active\":1,\"calls\":2,")
                .contains("\"types\":{\"note\":{\"active\":1,\"calls\":2,\"casts\":0,\"activations\":1,");
    }

    @Test
    void overview_pastTheCountLimit_reportsTheStoredCountAsPartial() {
        for (int i = 0; i < 5; i++) {
            note("n" + i, "x");
        }
        Console limited = Console.builder(Admin.of(runtime)).countLimit(2).build();

        assertThat(get(limited, "/api/overview").text()).contains("\"stored\":5,\"partial\":true");
    }

    @Test
    void servers_findsKeysByPrefix_inKeyOrder_includingTheExactKey_andPages() {
        for (String k : new String[] {"al", "alice", "alina", "bob", "alb"}) {
            note(k, "x");
        }

        String all = get(console, "/api/servers", "type", "note", "prefix", "al").text();
        String paged = get(console, "/api/servers", "type", "note", "prefix", "al", "limit", "2").text();
        String rest = get(console, "/api/servers", "type", "note", "prefix", "al", "limit", "2", "after", "alb").text();

        assertThat(keys(all)).isEqualTo("al,alb,alice,alina");
        assertThat(all).contains("\"nextAfter\":null", "\"skipped\":0");
        assertThat(keys(paged)).isEqualTo("al,alb");
        assertThat(paged).contains("\"nextAfter\":\"alb\"");
        assertThat(keys(rest)).isEqualTo("alice,alina");
        assertThat(keys(get(console, "/api/servers", "type", "note", "prefix", "zed").text())).isEmpty();
    }

    private static String keys(String json) {
        StringBuilder out = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"key\":\"([^\"]*)\"").matcher(json);
        while (m.find()) {
            out.append(out.isEmpty() ? "" : ",").append(m.group(1));
        }
        return out.toString();
    }

    @Test
    void server_showsStateHistoryAndStatus_andVersionRendersAKeptOne() {
        ServerRef ref = note("alice", "first", "second");

        String info = get(console, "/api/server", "id", ref.id().toString()).text();
        String v1 = get(console, "/api/version", "id", "note:alice", "version", "1").text();

        assertThat(info).contains("\"status\":\"active\"", "\"version\":2", "\"format\":\"json\"",
                "\"stateTruncated\":false",
                "\\\"text\\\": \\\"second\\\"", "\"history\":[{\"version\":1,");
        assertThat(v1).contains("\"version\":1", "\\\"text\\\": \\\"first\\\"");
    }

    @Test
    void aStateLargerThanTheTextForm_isShownCut_andSaysSo() {
        note("big", "x".repeat(5_000));
        Console small = Console.builder(Admin.of(runtime).withStateText(
                io.github.pgs.admin.StateText.DEFAULTS.withMaxChars(1_000))).build();

        String info = get(small, "/api/server", "id", "note:big").text();
        String v1 = get(small, "/api/version", "id", "note:big", "version", "1").text();

        assertThat(info).contains("\"stateTruncated\":true", "[... truncated:");
        assertThat(info.length()).isLessThan(3_000);
        assertThat(v1).contains("\"stateTruncated\":true");
    }

    @Test
    void server_listsItsDurableReminders() {
        ServerRef ref = note("alice", "one");
        ref.call(new Note.Remind("tidy-up", 90));

        String info = get(console, "/api/server", "id", "note:alice").text();

        assertThat(info).contains("\"reminders\":[{\"name\":\"tidy-up\",\"due\":\"", "\"period\":\"PT1H30M\"",
                "\"missedTicks\":");
    }

    @Test
    void storedMarkup_travelsAsEscapedJsonText_never_asMarkup() {
        note("mallory", "<script>alert(1)</script></pre><img src=x onerror=alert(2)>");

        String info = get(console, "/api/server", "id", "note:mallory").text();

        assertThat(info).doesNotContain("<script>", "</pre>", "<img")
                .contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");
    }

    @Test
    void badParameters_get400_andMissingServers404_withoutEchoingInput() {
        assertThat(get(console, "/api/servers", "type", "no spaces <b>").status()).isEqualTo(400);
        assertThat(get(console, "/api/servers", "type", "note", "limit", "100000").status()).isEqualTo(400);
        assertThat(get(console, "/api/server", "id", "not-an-id").status()).isEqualTo(400);
        ConsoleResponse missing = get(console, "/api/server", "id", "note:nobody");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(get(console, "/api/version", "id", "note:nobody", "version", "x").status()).isEqualTo(400);
        assertThat(get(console, "/api/nothing").status()).isEqualTo(404);
        assertThat(get(console, "/../../etc/passwd").status()).isEqualTo(404);
        assertThat(get(console, "/api/servers", "type", "no spaces <b>").text()).doesNotContain("<b>");
    }

    @Test
    void rollback_writesTheOlderStateAsANewVersion_andLiftsTheQuarantine() {
        ServerRef ref = note("alice", "one", "two");
        assertThatThrownBy(() -> ref.call(new Note.Boom())).isInstanceOf(ServerCrashedException.class);

        ConsoleResponse r = post(console, "action", "rollback", "id", "note:alice", "steps", "1");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("\"ok\":true", "\"version\":3");
        assertThat(runtime.isQuarantined(ref.id())).isFalse();
        assertThat(ref.call(new Note.Read())).isEqualTo("one");
    }

    @Test
    void delete_ofAStaleVersion_is409_andKeepsTheState() {
        ServerRef ref = note("alice", "one", "two");

        ConsoleResponse stale = post(console, "action", "delete", "id", "note:alice", "version", "1");
        ConsoleResponse fresh = post(console, "action", "delete", "id", "note:alice", "version", "2");

        assertThat(stale.status()).isEqualTo(409);
        assertThat(fresh.status()).isEqualTo(200);
        assertThat(ref.call(new Note.Read())).isEqualTo("");
    }

    @Test
    void releasePetrifyAndReset_workThroughTheRuntime() {
        ServerRef ref = note("alice", "one");
        assertThatThrownBy(() -> ref.call(new Note.Boom())).isInstanceOf(ServerCrashedException.class);

        assertThat(post(console, "action", "release", "id", "note:alice").text()).contains("released note:alice");
        assertThat(ref.call(new Note.Read())).isEqualTo("one");
        assertThat(post(console, "action", "petrify", "id", "note:alice").text()).contains("petrifying");
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(5))).isTrue();
        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(post(console, "action", "reset", "id", "note:alice").status()).isEqualTo(200);
        assertThat(ref.call(new Note.Read())).isEqualTo("");
    }

    @Test
    void quarantinedServers_areListedWithTheirLastFailure_andReleasedFromABareStoreToo() {
        note("bob", "fine");
        ServerRef alice = note("alice", "one");
        assertThatThrownBy(() -> alice.call(new Note.Boom())).isInstanceOf(ServerCrashedException.class);
        Console bare = Console.builder(Admin.of(store, JsonStateCodec.create())).csrfToken(CSRF)
                .types(java.util.List.of("note")).build();

        String listed = get(console, "/api/quarantined").text();
        String info = get(console, "/api/server", "id", "note:alice").text();
        String listedBare = get(bare, "/api/quarantined").text();
        ConsoleResponse released = post(bare, "action", "release", "id", "note:alice");

        assertThat(listed).startsWith("{\"entries\":[{\"id\":\"note:alice\",\"type\":\"note\",\"key\":\"alice\","
                + "\"lastFailure\":\"").contains("\"since\":\"", "\"more\":false").doesNotContain("note:bob");
        assertThat(info).contains("\"status\":\"quarantined\"", "\"quarantine\":{\"lastFailure\":\"");
        assertThat(listedBare).contains("note:alice");
        assertThat(released.text()).contains("released note:alice");
        assertThat(get(bare, "/api/quarantined").text()).isEqualTo("{\"entries\":[],\"more\":false}");
        assertThat(get(bare, "/api/server", "id", "note:bob").text()).contains("\"quarantine\":null");
    }

    @Test
    void actions_needTheCsrfHeader_andAreRefusedFromOtherSites() {
        note("alice", "one", "two");
        String[] rollback = {"action", "rollback", "id", "note:alice", "steps", "1"};

        assertThat(post(console, Map.of(), rollback).status()).isEqualTo(403);
        assertThat(post(console, Map.of(Console.CSRF_HEADER, "wrong-token-wrong-token"), rollback).status())
                .isEqualTo(403);
        assertThat(post(console, Map.of(Console.CSRF_HEADER, CSRF, "Sec-Fetch-Site", "cross-site"), rollback)
                .status()).isEqualTo(403);
        assertThat(post(console, Map.of(Console.CSRF_HEADER, CSRF, "Origin", "http://evil.example",
                "Host", "127.0.0.1:8080"), rollback).status()).isEqualTo(403);
        assertThat(runtime.ref(Note.class, "alice").call(new Note.Read())).isEqualTo("two");
        assertThat(post(console, Map.of(Console.CSRF_HEADER, CSRF, "Origin", "http://127.0.0.1:8080",
                "Host", "127.0.0.1:8080", "Sec-Fetch-Site", "same-origin"), rollback).status()).isEqualTo(200);
        assertThat(console.handle(new ConsoleRequest("GET", "/api/action", Map.of(), n -> null)).status())
                .isEqualTo(404);
        assertThat(console.handle(new ConsoleRequest("DELETE", "/api/server", Map.of(), n -> null)).status())
                .isEqualTo(405);
    }

    @Test
    void aReadOnlyConsole_refusesEveryAction_andOffersNone() {
        note("alice", "one", "two");
        Console readOnly = Console.builder(Admin.of(runtime)).csrfToken(CSRF).readOnly(true).build();

        assertThat(post(readOnly, "action", "rollback", "id", "note:alice", "steps", "1").status()).isEqualTo(403);
        assertThat(get(readOnly, "/api/overview").text()).contains("\"actions\":[]", "\"readOnly\":true");
        assertThat(runtime.ref(Note.class, "alice").call(new Note.Read())).isEqualTo("two");
    }

    @Test
    void withAnAccessToken_everyApiRequestNeedsIt_butThePageDoesNot() {
        Console guarded = Console.builder(Admin.of(runtime)).accessToken("access-token-0123456789").build();

        assertThat(get(guarded, "/api/overview").status()).isEqualTo(401);
        ConsoleResponse wrong = guarded.handle(new ConsoleRequest("GET", "/api/overview", Map.of(),
                Map.of("Authorization", "Bearer access-token-0123456780")::get));
        ConsoleResponse right = guarded.handle(new ConsoleRequest("GET", "/api/overview", Map.of(),
                Map.of("Authorization", "Bearer access-token-0123456789")::get));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.text()).doesNotContain("access-token-0123456789");
        assertThat(right.status()).isEqualTo(200);
        ConsoleResponse page = get(guarded, "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("<meta name=\"pgs-auth\" content=\"token\">")
                .doesNotContain("access-token-0123456789");
    }

    @Test
    void thePage_carriesTheCsrfTokenAndWriteHeaders_asEscapedAttributes_underAStrictPolicy() {
        ConsoleResponse page = console.page(Map.of("X-XSRF", "a\"b<c"));

        assertThat(page.headers().get("Content-Security-Policy")).contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(page.text()).contains("content=\"" + CSRF + "\"")
                .contains("content=\"{&quot;X-XSRF&quot;:&quot;a\\&quot;b\\u003cc&quot;}\"");
        assertThat(get(console, "/console.js").contentType()).startsWith("text/javascript");
        assertThat(get(console, "/console.css").status()).isEqualTo(200);
    }

    @Test
    void onABareStore_theConsoleListsGivenTypes_andOffersNoPetrify() {
        note("alice", "one", "two");
        Console bare = Console.builder(Admin.of(store, JsonStateCodec.create())).csrfToken(CSRF)
                .types(java.util.List.of("note", "other")).build();

        String overview = get(bare, "/api/overview").text();

        assertThat(overview).contains("{\"name\":\"note\",\"stored\":1,\"partial\":false}",
                "{\"name\":\"other\",\"stored\":0,\"partial\":false}",
                "\"actions\":[\"release\",\"rollback\",\"reset\",\"delete\"]",
                "\"runtime\":null");
        assertThat(get(bare, "/api/stats").status()).isEqualTo(404);
        assertThat(post(bare, "action", "petrify", "id", "note:alice").status()).isEqualTo(400);
        assertThat(get(bare, "/api/server", "id", "note:alice").text()).contains("\"status\":\"stored\"");
    }
}
