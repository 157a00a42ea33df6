package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireSerializerTest {

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
        assertThat(s).as("the wire serializer is bound to our messages").isInstanceOf(WireSerializer.class);
        SerializerWithStringManifest w = (SerializerWithStringManifest) s;
        return w.fromBinary(w.toBinary(message), w.manifest(message));
    }

    @Test
    void deliver_withMessageAndReplyTo_roundTrips() throws Exception {
        ActorRef<Outcome> replyTo = system.systemActorOf(Behaviors.<Outcome>empty(), "reply-" + System.nanoTime(),
                org.apache.pekko.actor.typed.Props.empty());
        byte[] bytes = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
        Deliver d = new Deliver(new ServerId("player", "Vorpal 😀/ü"), Op.CALL,
                new Payload("com.example.Inc", bytes, new Object()), null, 4_900, replyTo);
        Deliver back = (Deliver) roundTrip(d);
        assertThat(back.id()).isEqualTo(d.id());
        assertThat(back.op()).isEqualTo(Op.CALL);
        assertThat(back.message().className()).isEqualTo("com.example.Inc");
        assertThat(back.message().bytes()).isEqualTo(bytes);
        assertThat(back.message().local()).as("the local object never crosses").isNull();
        assertThat(back.timeoutMillis()).isEqualTo(4_900);
        assertThat(back.replyTo()).isEqualTo(replyTo);
    }

    @Test
    void deliver_stopWithReason_andCastWithoutReplyTo_roundTrip() throws Exception {
        Deliver stop = new Deliver(new ServerId("t", "k"), Op.STOP, null, StopReason.error("bad move"), 5_000, null);
        Deliver back = (Deliver) roundTrip(stop);
        assertThat(back.reason()).isEqualTo(StopReason.error("bad move"));
        assertThat(back.replyTo()).isNull();
        Deliver start = new Deliver(new ServerId("t", ""), Op.START, null, null, 0, null);
        assertThat(((Deliver) roundTrip(start)).op()).isEqualTo(Op.START);
    }

    @Test
    void outcomes_roundTrip() throws Exception {
        Outcome.Ok ok = new Outcome.Ok(new Payload("", new byte[]{1, 2, 3}, null));
        assertThat(((Outcome.Ok) roundTrip(ok)).reply().bytes()).containsExactly(1, 2, 3);
        assertThat(((Outcome.Ok) roundTrip(new Outcome.Ok(null))).reply()).isNull();
        RemoteError e = new RemoteError("version-conflict", "t:k", "stale", 3, 7, "x\ny");
        assertThat(((Outcome.Failed) roundTrip(new Outcome.Failed(e))).error()).isEqualTo(e);
    }

    @Test
    void truncatedOrCorruptFrames_areRefused_neverMisread() {
        WireSerializer w = new WireSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system));
        byte[] good = w.toBinary(new Outcome.Failed(new RemoteError("k", "", "m", 1, 2, "t")));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] part = Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> w.fromBinary(part, "F")).isInstanceOf(NotSerializableException.class);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> w.fromBinary(longer, "F")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("trailing");
        byte[] newer = good.clone();
        newer[0] = 2;
        assertThatThrownBy(() -> w.fromBinary(newer, "F")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("version 2");
        byte[] huge = good.clone();
        huge[1] = 0x7f; // the first string's length becomes about 2 GB: refused before any allocation
        assertThatThrownBy(() -> w.fromBinary(huge, "F")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("length");
        assertThatThrownBy(() -> w.fromBinary(good, "Z")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("manifest");
    }

    @Test
    void badStringsAndCodes_areRefused() {
        WireSerializer w = new WireSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system));
        byte[] frame = w.toBinary(new Deliver(new ServerId("t", "k"), Op.CAST,
                new Payload("C", new byte[0], null), null, 1, null));
        byte[] badUtf8 = frame.clone();
        badUtf8[5] = (byte) 0xC3; // the type name "t" becomes a lone UTF-8 lead byte
        assertThatThrownBy(() -> w.fromBinary(badUtf8, "D")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("UTF-8");
        byte[] badOp = frame.clone();
        badOp[1 + 4 + 1 + 4 + 1] = 99;
        assertThatThrownBy(() -> w.fromBinary(badOp, "D")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("operation code 99");
        byte[] badType = frame.clone();
        badType[5] = ' ';
        assertThatThrownBy(() -> w.fromBinary(badType, "D")).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("type name");
    }

    @Test
    void javaSerialization_isOff_andCannotBeSwitchedOn() {
        ClusterSettings s = ClusterSettings.builder().port(0)
                .pekkoConfig("pekko.actor.allow-java-serialization = on").build();
        assertThat(PekkoConfig.of(s).getBoolean("pekko.actor.allow-java-serialization")).isFalse();
        assertThat(PekkoConfig.of(s).getString("pekko.cluster.sharding.passivation.strategy")).isEqualTo("none");
    }
}
