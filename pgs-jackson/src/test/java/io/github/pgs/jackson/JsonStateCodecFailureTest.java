package io.github.pgs.jackson;

import io.github.pgs.CodecException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.ServerRef;
import io.github.pgs.jackson.internal.MessageWithheldException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.github.pgs.jackson.JsonStateCodecRoundTripTest.parameterized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonStateCodecFailureTest {

    public record Wallet(String owner, long coins) {
    }

    public record WalletV2(String owner) {
    }

    public record Holder(Wallet wallet, List<Wallet> history, Map<String, Wallet> byName) {
    }

    public record Positive(int value) {
        public Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive");
            }
        }
    }

    public record Contact(ServerRef ref) {
    }

    public static final class Unserializable {
        private final Object lock = new Object();

        public Object getLock() {
            throw new IllegalStateException("accessor failure");
        }
    }

    private static final String SECRET = "hunter2-s3cr3t";

    private final JsonStateCodec codec = JsonStateCodec.create();
    private final Refs refs = new Refs(codec);

    @AfterEach
    void close() {
        refs.close();
    }

    private CodecException decodeFailure(String json, Type type) {
        return decodeFailure(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private CodecException decodeFailure(byte[] bytes, Type type) {
        CodecException e = catchThrowableOfType(CodecException.class,
                () -> codec.decode(bytes, type, refs.resolver()));
        assertThat(e).as("decoding must fail with a CodecException").isNotNull();
        assertThat(e.getMessage()).contains(type.getTypeName()).doesNotContain(SECRET);
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
        }
        return e;
    }

    @Test
    void unknownProperty_failsByDefault_namingThePropertyButNotTheValue() {
        String stored = "{\"owner\":\"" + SECRET + "\",\"coins\":5}";

        CodecException e = decodeFailure(stored, WalletV2.class);

        assertThat(e.getMessage()).contains("unknown property 'coins'").contains("WalletV2");
    }

    @Test
    void unknownProperty_deepInsideContainers_reportsThePathWithoutMapKeys() {
        String stored = "{\"wallet\":null,\"history\":[],\"byName\":{\"" + SECRET
                + "\":{\"owner\":\"x\",\"coins\":1,\"extra\":true}}}";

        CodecException e = decodeFailure(stored, Holder.class);

        assertThat(e.getMessage()).contains("unknown property 'extra'").contains("$.byName[*]");
    }

    @Test
    void unknownProperty_canBeIgnoredWhenTheBuilderSaysSo() {
        JsonStateCodec lenient = JsonStateCodec.builder().ignoreUnknownProperties(true).build();

        Object decoded = lenient.decode("{\"owner\":\"a\",\"coins\":5}".getBytes(StandardCharsets.UTF_8),
                WalletV2.class, null);

        assertThat(decoded).isEqualTo(new WalletV2("a"));
    }

    @Test
    void nullPrimitive_fails() {
        assertThat(decodeFailure("{\"owner\":\"a\",\"coins\":null}", Wallet.class).getMessage())
                .contains("coins");
    }

    @Test
    void missingProperty_getsItsDefault_unlessAllPropertiesAreRequired() {
        byte[] old = "{\"owner\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        JsonStateCodec strict = JsonStateCodec.builder().requireAllProperties(true).build();

        assertThat(codec.decode(old, Wallet.class, null)).isEqualTo(new Wallet("a", 0));
        assertThatThrownBy(() -> strict.decode(old, Wallet.class, null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("coins");
        assertThat(strict.decode(strict.encode(new Wallet(null, 1), Wallet.class), Wallet.class, null))
                .isEqualTo(new Wallet(null, 1));
    }

    @Test
    void wrongShapeOrFormat_fails() {
        decodeFailure("{\"owner\":\"a\",\"coins\":\"" + SECRET + "\"}", Wallet.class);
        decodeFailure("[\"" + SECRET + "\"]", Wallet.class);
        decodeFailure("{\"owner\":{\"nested\":\"" + SECRET + "\"},\"coins\":1}", Wallet.class);
        decodeFailure("{\"owner\":\"a\",\"coins\":99999999999999999999999}", Wallet.class);
    }

    @Test
    void garbage_truncated_empty_andTrailingContent_fail() {
        assertThat(decodeFailure(SECRET + " not json", Wallet.class).getMessage()).contains("malformed JSON");
        assertThat(decodeFailure("{\"owner\":\"" + SECRET, Wallet.class).getMessage()).contains("truncated");
        assertThat(decodeFailure("{\"owner\":\"a\",\"coins\":1", Wallet.class).getMessage()).contains("truncated");
        assertThat(decodeFailure(new byte[0], Wallet.class).getMessage()).contains("empty input");
        decodeFailure("{\"owner\":\"a\",\"coins\":1} {\"" + SECRET + "\":1}", Wallet.class);
        decodeFailure(new byte[]{(byte) 0xC3, (byte) 0x28, 0x00, (byte) 0xFF}, Wallet.class);
        byte[] valid = codec.encode(new Wallet("bob", 3), Wallet.class);
        for (int cut = 1; cut < valid.length; cut++) {
            decodeFailure(Arrays.copyOf(valid, cut), Wallet.class);
        }
    }

    @Test
    void duplicateProperty_fails() {
        decodeFailure("{\"owner\":\"a\",\"coins\":1,\"coins\":2}", Wallet.class);
    }

    @Test
    void creatorRejection_keepsTheUserExceptionsClassAndStack_butNotItsMessage() {
        CodecException e = decodeFailure("{\"value\":-1}", Positive.class);

        assertThat(e.getMessage()).contains("the creator of Positive rejected the data (IllegalArgumentException)");
        assertThat(e.getCause()).isInstanceOfSatisfying(MessageWithheldException.class, w -> {
            assertThat(w.originalClass()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(w.getMessage()).doesNotContain("positive");
            assertThat(w.getStackTrace()).anySatisfy(frame ->
                    assertThat(frame.getClassName()).isEqualTo(Positive.class.getName()));
        });
    }

    @Test
    void refThatIsNotAServerId_fails() {
        CodecException e = decodeFailure("{\"ref\":\"" + SECRET + "\"}", Contact.class);

        assertThat(e.getMessage()).contains("server id").contains("$.ref");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void refWithoutResolver_failsClearly() {
        ServerRef ref = refs.counter("k");
        byte[] bytes = codec.encode(new Contact(ref), Contact.class);

        assertThatThrownBy(() -> codec.decode(bytes, Contact.class, null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("no RefResolver");
    }

    @Test
    void resolverFailure_keepsTheLibrarysOwnExceptionAsCause_andOthersWithoutTheirMessage() {
        byte[] bytes = codec.encode(new Contact(refs.counter("k")), Contact.class);
        KeyTooLongException refused = new KeyTooLongException("t", 9, 8);

        assertThatThrownBy(() -> codec.decode(bytes, Contact.class, id -> {
            throw refused;
        }))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("failed to resolve")
                .hasMessageContaining("$.ref")
                .cause().isSameAs(refused);
        assertThatThrownBy(() -> codec.decode(bytes, Contact.class, id -> {
            throw new IllegalStateException("resolver refused " + id);
        }))
                .isInstanceOf(CodecException.class)
                .cause().isInstanceOf(MessageWithheldException.class)
                .hasMessageContaining(IllegalStateException.class.getName())
                .hasMessageNotContaining("resolver refused");
    }

    @Test
    void resolverReturningNull_fails() {
        byte[] bytes = codec.encode(new Contact(refs.counter("k")), Contact.class);

        assertThatThrownBy(() -> codec.decode(bytes, Contact.class, id -> null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void encodeFailure_isACodecExceptionNamingTheType() {
        assertThatThrownBy(() -> codec.encode(new Unserializable(), Unserializable.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Unserializable.class.getTypeName())
                .hasRootCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void decodeIntoGenericType_namesTheFullTargetType() {
        Type type = parameterized(List.class, Wallet.class);

        CodecException e = decodeFailure("[{\"owner\":\"a\",\"coins\":1},{\"owner\":\"b\",\"oops\":1}]", type);

        assertThat(e.getMessage()).contains("java.util.List<").contains("$[1]");
    }
}
