package io.github.pgs.placement;

import io.github.pgs.CodecException;
import io.github.pgs.ServerId;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire framing: exact round trips without the local objects, and typed, bounded refusals of bad bytes. */
class WireFormatTest {

    private static final ServerId ID = new ServerId("player", "Vorpal \u00e9\uD83D\uDE00 \u0000 %");

    @Test
    void aMessageRoundTrips_withoutItsLocalObject() {
        WireMessage m = new WireMessage(WireMessage.Kind.CALL, ID, "a.b.Get", new byte[] {1, 2, 3}, 42,
                Map.of("traceparent", "00-abc"), new Object());
        WireMessage back = WireFormat.decodeMessage(WireFormat.encode(m));
        assertThat(back.kind()).isEqualTo(WireMessage.Kind.CALL);
        assertThat(back.target()).isEqualTo(ID);
        assertThat(back.messageClass()).isEqualTo("a.b.Get");
        assertThat(back.payload()).containsExactly(1, 2, 3);
        assertThat(back.timeLeftNanos()).isEqualTo(42);
        assertThat(back.headers()).containsExactly(Map.entry("traceparent", "00-abc"));
        assertThat(back.local()).isNull();
    }

    @Test
    void repliesRoundTrip_valuesNoValuesAndErrors() {
        assertThat(WireFormat.decodeReply(WireFormat.encode(WireReply.ok(new byte[] {7}, "x"))).value())
                .containsExactly(7);
        assertThat(WireFormat.decodeReply(WireFormat.encode(WireReply.DONE))).isEqualTo(WireReply.DONE);
        WireError e = new WireError("VersionConflictException", ID.toString(), "version conflict",
                Map.of("expected", "3", "actual", "4"));
        assertThat(WireFormat.decodeReply(WireFormat.encode(WireReply.failed(e))).error()).isEqualTo(e);
    }

    @Test
    void badBytes_areRefusedWithATypedError_thatDoesNotQuoteThem() {
        byte[] good = WireFormat.encode(new WireMessage(WireMessage.Kind.CAST, ID, "a.B", new byte[] {9}, 0,
                Map.of(), null));
        assertThatThrownBy(() -> WireFormat.decodeMessage(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(CodecException.class).hasMessageContaining("truncated");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> WireFormat.decodeMessage(trailing)).isInstanceOf(CodecException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> WireFormat.decodeReply(good)).isInstanceOf(CodecException.class)
                .hasMessageContaining("not a reply");
        byte[] future = good.clone();
        future[1] = 9;
        assertThatThrownBy(() -> WireFormat.decodeMessage(future)).isInstanceOf(CodecException.class)
                .hasMessageContaining("format 9");
        byte[] kind = good.clone();
        kind[2] = 99;
        assertThatThrownBy(() -> WireFormat.decodeMessage(kind)).isInstanceOf(CodecException.class)
                .hasMessageContaining("kind 99");
    }

    @Test
    void lengthsAreCheckedBeforeAnythingIsAllocated() {
        byte[] huge = ByteBuffer.allocate(16).put((byte) 'M').put((byte) WireFormat.FORMAT).put((byte) 0)
                .putInt(Integer.MAX_VALUE).array();
        assertThatThrownBy(() -> WireFormat.decodeMessage(huge)).isInstanceOf(CodecException.class)
                .hasMessageContaining("out of range");
        byte[] badKey = WireFormat.encode(new WireMessage(WireMessage.Kind.CAST, new ServerId("t", "k"), "", new byte[0],
                0, Map.of(), null));
        // the key's one byte 'k' becomes an invalid UTF-8 byte
        int at = indexOf(badKey, (byte) 'k');
        badKey[at] = (byte) 0xFF;
        assertThatThrownBy(() -> WireFormat.decodeMessage(badKey)).isInstanceOf(CodecException.class)
                .hasMessageContaining("not a server id").hasMessageNotContaining("\u00ff");
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
