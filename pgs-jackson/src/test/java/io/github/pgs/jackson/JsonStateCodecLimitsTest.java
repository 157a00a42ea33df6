package io.github.pgs.jackson;

import io.github.pgs.CodecException;
import org.junit.jupiter.api.Test;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.github.pgs.jackson.JsonStateCodecRoundTripTest.parameterized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The codec's own read limits: explicit defaults, configurable, enforced on read and, symmetrically, on write. */
class JsonStateCodecLimitsTest {

    public record Big(BigInteger i, BigDecimal d, Number n, List<BigInteger> list, Map<String, BigDecimal> values,
                      Map<BigDecimal, String> keys, Optional<BigInteger> maybe, BigInteger[] array) {
    }

    public record Named(Map<String, Integer> map, String text, byte[] bytes) {
    }

    private final JsonStateCodec codec = JsonStateCodec.create();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private CodecException decodeFailure(JsonStateCodec c, String json, Type type) {
        CodecException e = catchThrowableOfType(CodecException.class, () -> c.decode(utf8(json), type, null));
        assertThat(e).as("decoding %s must fail", json.length() > 200 ? json.substring(0, 200) : json).isNotNull();
        return e;
    }

    @Test
    void defaults_areExplicit_andNamed() {
        assertThat(codec.limits()).isEqualTo(JsonStateCodec.Limits.DEFAULTS)
                .isEqualTo(new JsonStateCodec.Limits(16 * 1024 * 1024, 500, 16 * 1024 * 1024, 50_000, 1_000, 1_000));
        StreamReadConstraints parser = codec.mapper().tokenStreamFactory().streamReadConstraints();
        assertThat(parser.getMaxDocumentLength()).isEqualTo(JsonStateCodec.DEFAULT_MAX_DOCUMENT_BYTES);
        assertThat(parser.getMaxNestingDepth()).isEqualTo(JsonStateCodec.DEFAULT_MAX_NESTING_DEPTH);
        assertThat(parser.getMaxStringLength()).isEqualTo(JsonStateCodec.DEFAULT_MAX_STRING_LENGTH);
        assertThat(parser.getMaxNameLength()).isEqualTo(JsonStateCodec.DEFAULT_MAX_NAME_LENGTH);
        assertThat(parser.getMaxNumberLength()).isEqualTo(JsonStateCodec.DEFAULT_MAX_NUMBER_LENGTH);
        assertThat(codec.mapper().tokenStreamFactory().streamWriteConstraints().getMaxNestingDepth())
                .isEqualTo(JsonStateCodec.DEFAULT_MAX_NESTING_DEPTH);
    }

    @Test
    void hugeExponents_areRefusedBeforeExpansion_forEveryBigNumberPlace() {
        String[] places = {
            "{\"i\":1e99999}", "{\"d\":1e99999}", "{\"d\":\"1E-99999\"}", "{\"n\":1e99999}",
            "{\"list\":[1,1e99999]}", "{\"values\":{\"k\":1e99999}}", "{\"keys\":{\"1e99999\":\"x\"}}",
            "{\"maybe\":1e99999}", "{\"array\":[1e99999]}", "{\"i\":1.5e1002}", "{\"d\":-2e-1001}"};
        String[] paths = {"$.i", "$.d", "$.d", "$.n", "$.list[1]", "$.values[*]", "$.keys", "$.maybe",
            "$.array[0]", "$.i", "$.d"};
        JsonStateCodec bigNumbers = JsonStateCodec.builder()
                .customize(b -> b.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)).build();
        for (int i = 0; i < places.length; i++) {
            CodecException e = decodeFailure(bigNumbers, places[i], Big.class);
            assertThat(e.getMessage()).as(places[i]).contains("maxNumberScale (1000)").contains(paths[i])
                    .doesNotContain("99999");
        }
        // "1e99999" as a BigInteger string is not a number Jackson reads at all
        assertThat(decodeFailure(codec, "{\"i\":\"1e99999\"}", Big.class)).hasMessageContaining("$.i");
    }

    @Test
    void anEightKilobyteRowOfHugeExponents_isRefusedAtOnce_insteadOfGrowingToTensOfMegabytes() {
        // ~1,100 numbers of 100,000 digits each once expanded: about 41 MB from an 8 KB row
        String row = "{\"list\":[" + "1e99999,".repeat(1_100) + "1]}";
        assertThat(row.length()).isLessThan(9_000);

        CodecException e = decodeFailure(codec, row, Big.class);

        // refused at the first number, before Jackson turned it into digits
        assertThat(e).hasMessageContaining("maxNumberScale").hasMessageContaining("$.list[0]");
    }

    @Test
    void bigNumbersWithinTheLimits_roundTrip() {
        Big big = new Big(new BigInteger("9".repeat(1_000)), new BigDecimal("1E+1000"), new BigDecimal("1.5E-999"),
                List.of(BigInteger.TEN.pow(999)), Map.of("k", new BigDecimal("-123.456")),
                Map.of(new BigDecimal("2E+3"), "x"), Optional.of(BigInteger.ONE), new BigInteger[] {BigInteger.TWO});

        Big back = (Big) codec.decode(codec.encode(big, Big.class), Big.class, null);

        assertThat(back.i()).isEqualTo(big.i());
        assertThat(back.d()).isEqualTo(big.d());
        assertThat(back.list()).isEqualTo(big.list());
        assertThat(back.keys()).isEqualTo(big.keys());
        assertThat(((BigInteger) codec.decode(utf8("1e999"), BigInteger.class, null)).toString()).hasSize(1_000);
    }

    @Test
    void writing_refusesNumbersTheCodecCouldNotReadBack() {
        Big tooLong = new Big(BigInteger.TEN.pow(1_000), null, null, List.of(), Map.of(), Map.of(), Optional.empty(),
                new BigInteger[0]);
        Big tooFar = new Big(null, new BigDecimal("1E+1001"), null, List.of(), Map.of(), Map.of(), Optional.empty(),
                new BigInteger[0]);
        Big tooFarKey = new Big(null, null, null, List.of(), Map.of(), Map.of(new BigDecimal("1E-1001"), "x"),
                Optional.empty(), new BigInteger[0]);
        Big tooFarNumber = new Big(null, null, new BigDecimal("1E+5000"), List.of(), Map.of(), Map.of(),
                Optional.empty(), new BigInteger[0]);

        assertThatThrownBy(() -> codec.encode(tooLong, Big.class)).isInstanceOf(CodecException.class)
                .hasMessageContaining("maxNumberLength (1000)").hasMessageContaining("$.i");
        assertThatThrownBy(() -> codec.encode(tooFar, Big.class)).hasMessageContaining("maxNumberScale (1000)");
        assertThatThrownBy(() -> codec.encode(tooFarKey, Big.class)).hasMessageContaining("maxNumberScale");
        assertThatThrownBy(() -> codec.encode(tooFarNumber, Big.class)).hasMessageContaining("maxNumberScale");
        assertThatThrownBy(() -> codec.encode(List.<Object>of(new BigDecimal("1E+1001")), Object.class))
                .hasMessageContaining("maxNumberScale");
        BigInteger negative = new BigInteger("-" + "9".repeat(1_000));
        assertThat(codec.decode(codec.encode(negative, BigInteger.class), BigInteger.class, null)).isEqualTo(negative);
        assertThatThrownBy(() -> codec.encode(negative.subtract(BigInteger.ONE), BigInteger.class))
                .hasMessageContaining("maxNumberLength (1000)");
        // written plainly, a big decimal within the scale limit can still have too many digits
        JsonStateCodec plain = JsonStateCodec.builder()
                .customize(b -> b.enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)).build();
        assertThat(new String(plain.encode(new BigDecimal("1E+900"), BigDecimal.class), StandardCharsets.UTF_8))
                .hasSize(901);
        assertThatThrownBy(() -> plain.encode(new BigDecimal("12345E+996"), BigDecimal.class))
                .hasMessageContaining("maxNumberLength");
    }

    @Test
    void nesting_strings_names_numbersAndDocumentSize_areBoundedOnRead() {
        JsonStateCodec strict = JsonStateCodec.builder().maxNestingDepth(10).maxStringLength(100).maxNameLength(20)
                .maxNumberLength(40).maxDocumentBytes(2_000).build();
        Type listOfObjects = parameterized(List.class, Object.class);

        assertThat(decodeFailure(strict, "[".repeat(11) + "]".repeat(11), listOfObjects))
                .hasMessageContaining("maxNestingDepth (10)");
        assertThat(decodeFailure(strict, "{\"map\":{},\"text\":\"" + "x".repeat(101) + "\",\"bytes\":null}",
                Named.class)).hasMessageContaining("maxStringLength (100 characters)").hasMessageContaining("$.text");
        assertThat(decodeFailure(strict, "{\"map\":{\"" + "k".repeat(21) + "\":1},\"text\":null,\"bytes\":null}",
                Named.class)).hasMessageContaining("maxNameLength (20 characters)");
        assertThat(decodeFailure(strict, "[" + "7".repeat(41) + "]", listOfObjects))
                .hasMessageContaining("maxNumberLength (40)");
        assertThat(decodeFailure(strict, "[" + "1,".repeat(1_000) + "1]", listOfObjects))
                .hasMessageContaining("over maxDocumentBytes (2000)");
        // the default depth holds with no configuration at all
        assertThat(decodeFailure(codec, "[".repeat(501) + "]".repeat(501), listOfObjects))
                .hasMessageContaining("maxNestingDepth (500)");
        assertThat(codec.decode(utf8("[".repeat(500) + "]".repeat(500)), listOfObjects, null)).isNotNull();
    }

    @Test
    void writing_refusesWhatTheSameLimitsCouldNotReadBack() {
        JsonStateCodec strict = JsonStateCodec.builder().maxNestingDepth(10).maxStringLength(100).maxNameLength(20)
                .maxDocumentBytes(2_000).build();
        Object deep = List.of();
        for (int i = 0; i < 10; i++) {
            deep = List.of(deep);
        }
        Object nested = deep;

        assertThatThrownBy(() -> strict.encode(nested, Object.class)).isInstanceOf(CodecException.class)
                .hasMessageContaining("maxNestingDepth (10)");
        assertThatThrownBy(() -> strict.encode(new Named(Map.of(), "x".repeat(101), null), Named.class))
                .hasMessageContaining("maxStringLength (100 characters)").hasMessageContaining("read back");
        assertThatThrownBy(() -> strict.encode(new Named(Map.of(), null, new byte[76]), Named.class))
                .hasMessageContaining("maxStringLength"); // 76 bytes are 104 characters of Base64
        assertThatThrownBy(() -> strict.encode(new Named(Map.of("k".repeat(21), 1), null, null), Named.class))
                .hasMessageContaining("maxNameLength (20 characters)");
        assertThatThrownBy(() -> strict.encode(java.util.Collections.nCopies(40, "x".repeat(50)), Object.class))
                .hasMessageContaining("over maxDocumentBytes (2000)");
        Named fits = new Named(Map.of("k".repeat(20), 1), "x".repeat(100), new byte[75]);
        assertThat(strict.decode(strict.encode(fits, Named.class), Named.class, null))
                .usingRecursiveComparison().isEqualTo(fits);
    }

    @Test
    void limits_areValidated_andApplyOverAUsersOwnMapperBuilder() {
        assertThatThrownBy(() -> JsonStateCodec.builder().maxNestingDepth(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonStateCodec.builder().maxNumberLength(31).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonStateCodec.builder().maxNumberScale(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonStateCodec.builder().maxDocumentBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class);

        JsonFactory generous = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(100_000).build()).build();
        JsonStateCodec own = JsonStateCodec.builder().mapperBuilder(JsonMapper.builder(generous))
                .maxNestingDepth(20).maxNumberScale(10).build();
        assertThat(own.mapper().tokenStreamFactory().streamReadConstraints().getMaxNestingDepth()).isEqualTo(20);
        assertThat(decodeFailure(own, "{\"i\":1e11}", Big.class)).hasMessageContaining("maxNumberScale (10)");

        // a codec built on another codec's mapper takes its own limits, not the other's
        JsonStateCodec rebuilt = JsonStateCodec.builder().mapperBuilder(own.mapper().rebuild()).build();
        assertThat(rebuilt.decode(utf8("{\"i\":1e11}"), Big.class, null)).isNotNull();
    }
}
