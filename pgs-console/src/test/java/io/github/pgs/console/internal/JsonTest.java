package io.github.pgs.console.internal;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void writesNestedContainers_withCommasInPlace() {
        String s = new Json().beginObject()
                .field("a", 1)
                .name("b").beginArray().value("x").value(true).nullValue().beginObject().endObject().endArray()
                .field("c", Instant.parse("2026-01-02T03:04:05Z"))
                .name("d").value(1.5)
                .endObject().toString();

        assertThat(s).isEqualTo("{\"a\":1,\"b\":[\"x\",true,null,{}],\"c\":\"2026-01-02T03:04:05Z\",\"d\":1.5}");
    }

    @Test
    void escapesQuotesControlsMarkupAndLoneSurrogates_butKeepsPairs() {
        String s = new Json().value("q\"b\\n\n<t>&\u2028\u0001\ud800x\ud83d\ude00").toString();

        assertThat(s).isEqualTo("\"q\\\"b\\\\n\\n\\u003ct\\u003e\\u0026\\u2028\\u0001\\ud800x\ud83d\ude00\"");
    }

    @Test
    void misuseIsAProgrammingError() {
        assertThatThrownBy(() -> new Json().beginObject().value(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Json().beginArray().name("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Json().beginArray().toString()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Json().value(1).value(2)).isInstanceOf(IllegalStateException.class);
    }
}
