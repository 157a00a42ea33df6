package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.placement.WireError;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import io.github.pgs.cluster.pekko.ClusterSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeSerializerTest {

    static ActorSystem<Void> system;
    static Serialization serialization;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "wire",
                PekkoConfig.of(ClusterSettings.builder().systemName("wire").port(0).build()));
        serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    private static Object roundTrip(Object message) throws NotSerializableException {
        Serializer s = serialization.findSerializerFor(message);
        assertThat(s).as("the wire serializer is bound to our messages").isInstanceOf(EnvelopeSerializer.class);
        SerializerWithStringManifest w = (SerializerWithStringManifest) s;
        return w.fromBinary(w.toBinary(message), w.manifest(message));
    }

    @Test
    void deliver_withMessageAndReplyTo_roundTrips() throws Exception {
        ActorRef<Reply> replyTo = system.systemActorOf(Behaviors.<Reply>empty(), "reply-" + System.nanoTime(),
                org.apache.pekko.actor.typed.Props.empty());
        byte[] bytes = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
        WireMessage m = new WireMessage(WireMessage.Kind.CALL, new ServerId("player", "Vorpal 😀/ü"),
                "com.example.Inc", bytes, 4_900_000_000L, Map.of("traceparent", "00-abc-01"), new Object());
        Deliver back = (Deliver) roundTrip(new Deliver(m, replyTo, System.nanoTime()));
        assertThat(back.message().kind()).isEqualTo(WireMessage.Kind.CALL);
        assertThat(back.message().target()).isEqualTo(m.target());
        assertThat(back.message().messageClass()).isEqualTo("com.example.Inc");
        assertThat(back.message().payload()).isEqualTo(bytes);
        assertThat(back.message().headers()).isEqualTo(m.headers());
        assertThat(back.message().timeLeftNanos()).isBetween(4_000_000_000L, 4_900_000_000L);
        assertThat(back.message().local()).as("the local object never crosses").isNull();
        assertThat(back.replyTo()).isEqualTo(replyTo);
    }

    @Test
    void deliver_takesTheTimeItWaitedHere_offTheCallersBudget() throws Exception {
        ActorRef<Reply> replyTo = system.systemActorOf(Behaviors.<Reply>empty(), "reply-" + System.nanoTime(),
                org.apache.pekko.actor.typed.Props.empty());
        WireMessage m = new WireMessage(WireMessage.Kind.CALL, new ServerId("t", "k"), "C", new byte[0],
                2_000_000_000L, Map.of(), null);
        long waitedHere = 1_500_000_000L;
        Deliver back = (Deliver) roundTrip(new Deliver(m, replyTo, System.nanoTime() - waitedHere));
        assertThat(back.message().timeLeftNanos()).isLessThanOrEqualTo(500_000_000L);
        Deliver expired = (Deliver) roundTrip(new Deliver(m, replyTo, System.nanoTime() - 3_000_000_000L));
        assertThat(expired.message().timeLeftNanos()).isZero();
    }

    @Test
    void castWithoutReplyTo_roundTrips() throws Exception {
        WireMessage m = new WireMessage(WireMessage.Kind.CAST, new ServerId("t", ""), "C", new byte[]{7}, 0,
                Map.of(), null);
        Deliver back = (Deliver) roundTrip(new Deliver(m, null, System.nanoTime()));
        assertThat(back.replyTo()).isNull();
        assertThat(back.message().payload()).containsExactly(7);
        assertThat(back.message().kind()).isEqualTo(WireMessage.Kind.CAST);
    }

    @Test
    void replies_roundTrip() throws Exception {
        Reply ok = (Reply) roundTrip(new Reply(WireReply.ok(new byte[]{1, 2, 3}, 123L)));
        assertThat(ok.reply().value()).containsExactly(1, 2, 3);
        assertThat(ok.reply().error()).isNull();
        assertThat(ok.reply().local()).isNull();
        WireError e = new WireError("VersionConflict", "t:k", "stale", Map.of("expected", "3", "actual", "7"));
        Reply failed = (Reply) roundTrip(new Reply(WireReply.failed(e)));
        assertThat(failed.reply().error()).isEqualTo(e);
        assertThat(failed.reply().value()).isNull();
    }

    @Test
    void truncatedOrCorruptFrames_areRefused_neverMisread() {
        EnvelopeSerializer w = new EnvelopeSerializer(
                (org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system));
        byte[] good = w.toBinary(new Reply(WireReply.failed(new WireError("k", "", "m", Map.of("a", "b")))));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] part = Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> w.fromBinary(part, "R")).isInstanceOf(NotSerializableException.class);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> w.fromBinary(longer, "R")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("trailing");
        byte[] newer = good.clone();
        newer[0] = 2;
        assertThatThrownBy(() -> w.fromBinary(newer, "R")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("version 2");
        ActorRef<Reply> replyTo = system.systemActorOf(Behaviors.<Reply>empty(), "reply-" + System.nanoTime(),
                org.apache.pekko.actor.typed.Props.empty());
        byte[] deliver = w.toBinary(new Deliver(new WireMessage(WireMessage.Kind.CALL, new ServerId("t", "k"), "C",
                new byte[0], 1_000_000_000L, Map.of(), null), replyTo, System.nanoTime()));
        byte[] huge = deliver.clone();
        huge[1] = 0x7f; // the reply address length becomes about 2 GB: refused before any allocation
        assertThatThrownBy(() -> w.fromBinary(huge, "D")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("length");
        for (int cut = 1; cut < deliver.length; cut++) {
            byte[] part = Arrays.copyOf(deliver, cut);
            assertThatThrownBy(() -> w.fromBinary(part, "D")).isInstanceOf(NotSerializableException.class);
        }
        assertThatThrownBy(() -> w.fromBinary(good, "Z")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("manifest");
    }

    @Test
    void badReplyAddressesAndBodies_areRefused() {
        EnvelopeSerializer w = new EnvelopeSerializer(
                (org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system));
        byte[] frame = w.toBinary(new Deliver(new WireMessage(WireMessage.Kind.CAST, new ServerId("t", "k"), "C",
                new byte[0], 0, Map.of(), null), null, System.nanoTime()));
        byte[] badUtf8 = Arrays.copyOf(frame, frame.length + 2);
        System.arraycopy(frame, 5, badUtf8, 7, frame.length - 5);
        badUtf8[1] = 0;
        badUtf8[2] = 0;
        badUtf8[3] = 0;
        badUtf8[4] = 2;
        badUtf8[5] = (byte) 0xC3; // a lone UTF-8 lead byte
        badUtf8[6] = (byte) 0x28;
        assertThatThrownBy(() -> w.fromBinary(badUtf8, "D")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("UTF-8");
        byte[] badBody = frame.clone();
        badBody[5] = 'X'; // not a message of the runtime's wire format
        assertThatThrownBy(() -> w.fromBinary(badBody, "D")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void javaSerialization_isOff_andCannotBeSwitchedOn() {
        ClusterSettings s = ClusterSettings.builder().port(0)
                .pekkoConfig("pekko.actor.allow-java-serialization = on").build();
        assertThat(PekkoConfig.of(s).getBoolean("pekko.actor.allow-java-serialization")).isFalse();
        assertThat(PekkoConfig.of(s).getString("pekko.cluster.sharding.passivation.strategy")).isEqualTo("none");
    }
}
