package io.github.pgs.internal;

import io.github.pgs.MissedTicks;
import io.github.pgs.spi.RuntimeObserver;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a durable reminder was set travels with it (as the observer's headers) and is checked when read back. */
class ReminderOriginTest {

    private static final Map<String, String> ORIGIN = Map.of("traceparent", "00-abc-def-01", "b3", "abc-def");

    @Test
    void withoutOrigins_theStoredFormIsTheFirstFormat_soUnobservedRuntimesStoreWhatTheyAlwaysDid() {
        ReminderSet set = new ReminderSet();
        set.put("r", 1_000, 0, MissedTicks.FIRE_ONCE);
        assertThat(set.encode()[0]).isEqualTo((byte) 1);
    }

    @Test
    void origins_roundTrip_andFollowAPeriodicReminderToItsNextTick() {
        ReminderSet set = new ReminderSet();
        set.put("every", 1_000, 500, MissedTicks.FIRE_ONCE, ORIGIN);
        set.put("plain", 5_000, 0, MissedTicks.SKIP, null);
        byte[] stored = set.encode();
        assertThat(stored[0]).isEqualTo((byte) 2);

        ReminderSet back = ReminderSet.decode(stored);
        assertThat(back.encode()).as("stable bytes").isEqualTo(stored);
        ReminderSet.Tick first = back.takeNextDue(1_000, 60_000);
        assertThat(first.origin()).isEqualTo(ORIGIN);
        ReminderSet.Tick second = back.takeNextDue(1_500, 60_000);
        assertThat(second.name()).isEqualTo("every");
        assertThat(second.origin()).as("the next tick keeps it").isEqualTo(ORIGIN);
        assertThat(back.takeNextDue(5_000, 60_000).name()).isEqualTo("every"); // due at 2,000: moves past 5,000
        ReminderSet.Tick plain = back.takeNextDue(5_000, 60_000);
        assertThat(plain.name()).isEqualTo("plain");
        assertThat(plain.origin()).isNull();
    }

    @Test
    void injectedHeaders_areBounded() {
        RuntimeObserver chatty = new RuntimeObserver() {
            @Override
            public void inject(Object context, java.util.function.BiConsumer<String, String> headers) {
                for (int i = 0; i < 20; i++) {
                    headers.accept("h" + i, "v");
                }
                headers.accept("", "empty name");
                headers.accept("long", "x".repeat(RuntimeObserver.MAX_HEADER_CHARS));
            }
        };
        Map<String, String> h = TraceHeaders.inject(chatty, new Object());
        assertThat(h).hasSize(RuntimeObserver.MAX_HEADERS).doesNotContainKeys("", "long");
        assertThat(TraceHeaders.inject(new RuntimeObserver() { }, new Object())).as("no headers: nothing kept").isNull();
        assertThat(TraceHeaders.inject(chatty, null)).isNull();
    }

    @Test
    void hostileOrigins_areRefusedAsCorrupt() throws IOException {
        assertThatThrownBy(() -> ReminderSet.decode(withOrigin(9, "a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("origin headers");
        assertThatThrownBy(() -> ReminderSet.decode(withOrigin(1, "", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad origin header");
        assertThatThrownBy(() -> ReminderSet.decode(withOrigin(1, "a", "x".repeat(RuntimeObserver.MAX_HEADER_CHARS))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad origin header");
        assertThatThrownBy(() -> ReminderSet.decode(withOrigin(2, "a", "b"))) // the same name twice
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad origin header");
        byte[] truncated = withOrigin(1, "a", "b");
        assertThatThrownBy(() -> ReminderSet.decode(java.util.Arrays.copyOf(truncated, truncated.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** One reminder in the second format with {@code count} headers, each {@code name: value}. */
    private static byte[] withOrigin(int count, String name, String value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(2);
            out.writeInt(1);
            out.writeShort(1);
            out.write('r');
            out.writeLong(1_000);
            out.writeLong(0);
            out.writeByte(0);
            out.writeByte(count);
            for (int i = 0; i < count; i++) {
                byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] v = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeShort(n.length);
                out.write(n);
                out.writeShort(v.length);
                out.write(v);
            }
        }
        return bytes.toByteArray();
    }
}
