package io.github.pgs.admin.tests;

import io.github.pgs.ServerId;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.StateText;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounded text form of stored states: layout to a depth, a size cap with a marker, any nesting. */
class StateTextTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code depth} nested arrays around {@code elements} ones: about 2 bytes per element. */
    private static String nested(int depth, int elements) {
        return "[".repeat(depth) + "1,".repeat(elements - 1) + "1" + "]".repeat(depth);
    }

    @Test
    void inspect_ofADeeplyNestedState_staysWithinTheCap_insteadOfMultiplyingIt() {
        // 500 levels around 50,000 elements: ~101 KB stored. Indenting by depth made this about 50 MB.
        String stored = nested(500, 50_000);
        InMemoryStorage store = new InMemoryStorage();
        ServerId id = new ServerId("doc", "deep");
        store.save(new StateWrite(id, 0, utf8(stored), 1));
        Admin admin = Admin.of(store, new TextCodec());

        ServerInfo info = admin.inspect(id);

        assertThat(info.format()).isEqualTo(ServerInfo.Format.JSON);
        assertThat(info.stateTruncated()).isFalse();
        // deeper than the indent depth everything is compact: at most 2 x depth spaces per line, and few lines
        assertThat(info.state().length()).isLessThan(stored.length() + 200);
        assertThat(info.state().lines()).allSatisfy(line ->
                assertThat(line).doesNotStartWith(" ".repeat(2 * StateText.DEFAULT_INDENT_DEPTH + 1)));

        ServerInfo capped = admin.withStateText(StateText.DEFAULTS.withMaxChars(10_000)).inspect(id);
        assertThat(capped.stateTruncated()).isTrue();
        assertThat(capped.format()).isEqualTo(ServerInfo.Format.JSON);
        assertThat(capped.state()).startsWith(info.state().substring(0, 10_000))
                .hasSizeLessThan(10_000 + 100)
                .endsWith("\n" + StateText.TRUNCATION_MARKER + " the first 10000 characters are shown;"
                        + " the stored state has " + stored.length() + " bytes]");
    }

    @Test
    void manyElementsAtTheIndentDepth_costAtMostTheirIndentation_andTheCapBoundsTheTotal() {
        // every element sits at the deepest indented level: the worst case for the laid-out size
        int depth = StateText.DEFAULT_INDENT_DEPTH;
        String stored = nested(depth, 200_000);

        StateText.Rendered uncapped = StateText.DEFAULTS.withMaxChars(Integer.MAX_VALUE).render(utf8(stored), true);
        StateText.Rendered capped = StateText.DEFAULTS.render(utf8(stored), true);

        assertThat(uncapped.truncated()).isFalse();
        assertThat((long) uncapped.text().length()).isLessThanOrEqualTo((long) stored.length() * (depth + 2));
        assertThat(capped.truncated()).isTrue();
        assertThat(capped.text()).hasSizeLessThan(StateText.DEFAULT_MAX_CHARS + 100)
                .startsWith(uncapped.text().substring(0, StateText.DEFAULT_MAX_CHARS));
    }

    @Test
    void layout_indentsToTheDepth_thenWritesContainersCompactly_keepingEveryToken() {
        String stored = " {\"a\":[1,-2.5e+3,true,null,{}],\"b\":{\"c\":{\"d\":[1, 2]}},\"e\":\"x\\u0041\\n\"} ";

        assertThat(new StateText(2, 1000).render(utf8(stored), true).text()).isEqualTo("""
                {
                  "a": [
                    1,
                    -2.5e+3,
                    true,
                    null,
                    {}
                  ],
                  "b": {
                    "c": {"d":[1,2]}
                  },
                  "e": "x\\u0041\\n"
                }""");
        assertThat(StateText.COMPACT.render(utf8(stored), true).text())
                .isEqualTo("{\"a\":[1,-2.5e+3,true,null,{}],\"b\":{\"c\":{\"d\":[1,2]}},\"e\":\"x\\u0041\\n\"}");
        assertThat(StateText.DEFAULTS.render(utf8("42"), true))
                .isEqualTo(new StateText.Rendered(ServerInfo.Format.JSON, "42", false));
    }

    @Test
    void nestingFarBeyondAnyStack_isStillJson_laidOutInLinearSpace() {
        String stored = nested(200_000, 1);

        StateText.Rendered r = StateText.DEFAULTS.withMaxChars(Integer.MAX_VALUE).render(utf8(stored), true);

        assertThat(r.format()).isEqualTo(ServerInfo.Format.JSON);
        assertThat(r.text().length()).isLessThan(stored.length() + 200);
        assertThat(StateText.COMPACT.withMaxChars(Integer.MAX_VALUE).render(utf8(stored), true).text())
                .isEqualTo(stored);
    }

    @Test
    void anythingButExactlyOneJsonValue_isShownAsText_alsoWhenCut() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"raw\ttab\"", "{} {}", "tru",
                "{1:2}", "\"\\x\"", "[".repeat(600) + "]".repeat(599), "[1}", "{\"a\":1]"}) {
            StateText.Rendered r = StateText.DEFAULTS.render(utf8(bad), true);
            assertThat(r.format()).as(bad).isEqualTo(ServerInfo.Format.TEXT);
            assertThat(r.text()).isEqualTo(bad);
        }
        // a cap does not change the verdict: the whole payload is still checked
        String longValid = "[" + "\"abcdefgh\",".repeat(1000) + "0]";
        assertThat(StateText.DEFAULTS.withMaxChars(50).render(utf8(longValid), true).format())
                .isEqualTo(ServerInfo.Format.JSON);
        assertThat(StateText.DEFAULTS.withMaxChars(50).render(utf8(longValid + "x"), true))
                .satisfies(r -> {
                    assertThat(r.format()).isEqualTo(ServerInfo.Format.TEXT);
                    assertThat(r.truncated()).isTrue();
                    assertThat(r.text()).startsWith(longValid.substring(0, 50) + "\n" + StateText.TRUNCATION_MARKER);
                });
    }

    @Test
    void hexAndText_areCutAtTheCap_neverSplittingABytePairOrASurrogatePair() {
        byte[] binary = new byte[1000];
        StateText.Rendered hex = StateText.DEFAULTS.withMaxChars(7).render(binary, false);
        assertThat(hex.format()).isEqualTo(ServerInfo.Format.HEX);
        assertThat(hex.truncated()).isTrue();
        assertThat(hex.text()).isEqualTo("000000\n" + StateText.TRUNCATION_MARKER
                + " the first 6 characters are shown; the stored state has 1000 bytes]");
        assertThat(StateText.DEFAULTS.withMaxChars(8).render(new byte[] {1, 2, 3, (byte) 0xFF}, false))
                .isEqualTo(new StateText.Rendered(ServerInfo.Format.HEX, "010203ff", false));

        String emoji = "ab\uD83D\uDE00cd"; // not JSON, so shown as text
        StateText.Rendered text = StateText.DEFAULTS.withMaxChars(3).render(utf8(emoji), true);
        assertThat(text.format()).isEqualTo(ServerInfo.Format.TEXT);
        assertThat(text.text()).startsWith("ab\n" + StateText.TRUNCATION_MARKER);
        StateText.Rendered inJson = StateText.COMPACT.withMaxChars(4).render(utf8("\"" + emoji + "\""), true);
        assertThat(inJson.text()).startsWith("\"ab\n" + StateText.TRUNCATION_MARKER);
        assertThat(inJson.format()).isEqualTo(ServerInfo.Format.JSON);
    }

    @Test
    void payloadsThatAreNotUtf8_orFromBinaryCodecs_areHex() {
        assertThat(StateText.DEFAULTS.render(new byte[] {'{', (byte) 0xC3}, true).format())
                .isEqualTo(ServerInfo.Format.HEX);
        assertThat(StateText.DEFAULTS.render(utf8("{}"), false))
                .isEqualTo(new StateText.Rendered(ServerInfo.Format.HEX, "7b7d", false));
    }

    @Test
    void settings_areValidated() {
        assertThatThrownBy(() -> new StateText(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StateText(StateText.MAX_INDENT_DEPTH + 1, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StateText.DEFAULTS.withMaxChars(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StateText.COMPACT).isEqualTo(new StateText(0, StateText.DEFAULT_MAX_CHARS));
        assertThatThrownBy(() -> Admin.of(new InMemoryStorage(), new TextCodec()).withStateText(null))
                .isInstanceOf(NullPointerException.class);
    }

    /** A codec that writes text; inspecting never decodes, so only {@link #isText()} matters. */
    private static final class TextCodec implements StateCodec {
        @Override
        public String name() {
            return "text";
        }

        @Override
        public byte[] encode(Object value, Type type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object decode(byte[] bytes, Type type, RefResolver refs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isText() {
            return true;
        }
    }
}
