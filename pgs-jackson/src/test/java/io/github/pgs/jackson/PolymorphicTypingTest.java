package io.github.pgs.jackson;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.github.pgs.CodecException;
import io.github.pgs.jackson.canary.CanaryTrap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.github.pgs.jackson.JsonStateCodecRoundTripTest.parameterized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stored data must never choose a class to load or instantiate. Every test feeds payloads naming
 * {@code io.github.pgs.jackson.canary.Canary}, whose static initialiser and constructor flip
 * {@link CanaryTrap#TRIGGERED}, and checks after each test that the flag stayed down.
 */
class PolymorphicTypingTest {

    private static final String CANARY = CanaryTrap.CANARY;

    public record Holder(Object payload) {
    }

    public record Listing(List<Object> items, Map<String, Object> extras) {
    }

    public record Unsafe(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.MINIMAL_CLASS)
    public interface MinimalBase {
    }

    public record Minimal(int x) implements MinimalBase {
    }

    public record MinimalHolder(MinimalBase value) {
    }

    public interface Pet {
    }

    public record Kennel(Pet pet) {
    }

    public record ClassHolder(Class<?> type) {
    }

    public record ClassKeys(Map<Class<?>, String> byType) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = Cat.class, name = "cat")})
    public interface Animal {
    }

    public record Cat(String name) implements Animal {
    }

    public record Zoo(Animal animal) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
    @JsonSubTypes({@JsonSubTypes.Type(Deduced.Point.class), @JsonSubTypes.Type(Deduced.Label.class)})
    public sealed interface Deduced {
        record Point(int x, int y) implements Deduced {
        }

        record Label(String text) implements Deduced {
        }
    }

    public record DeducedHolder(Deduced value) {
    }

    /** Mix-in putting class-name typing on {@code Object}, as a careless user configuration might. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@class")
    interface ClassTypingMixin {
    }

    /** The validator a reckless configuration would use: every base type and subtype allowed. */
    static final class AllowEverything extends PolymorphicTypeValidator.Base {
        static final AllowEverything INSTANCE = new AllowEverything();

        @Override
        public Validity validateBaseType(DatabindContext ctxt, JavaType baseType) {
            return Validity.ALLOWED;
        }
    }

    private final JsonStateCodec codec = JsonStateCodec.create();

    @BeforeEach
    void armed() {
        CanaryTrap.TRIGGERED.set(false);
    }

    @AfterEach
    void canaryNeverInstantiated() {
        assertThat(CanaryTrap.TRIGGERED).as("the canary class was initialised or instantiated").isFalse();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void control_anUnguardedMapperWithDefaultTyping_doesInstantiateTheNamedClass() {
        JsonMapper unguarded = JsonMapper.builder()
                .activateDefaultTyping(AllowEverything.INSTANCE, DefaultTyping.JAVA_LANG_OBJECT)
                .build();

        Holder h = unguarded.readValue("{\"payload\":[\"" + CanaryTrap.CONTROL_CANARY + "\",{\"note\":\"x\"}]}",
                Holder.class);

        assertThat(h.payload().getClass().getName()).isEqualTo(CanaryTrap.CONTROL_CANARY);
        assertThat(CanaryTrap.CONTROL).isTrue();
    }

    @Test
    void classPropertyInObjectField_decodesAsPlainMap() {
        Holder h = (Holder) codec.decode(utf8("{\"payload\":{\"@class\":\"" + CANARY + "\",\"note\":\"x\"}}"),
                Holder.class, null);

        assertThat(h.payload()).isInstanceOf(Map.class)
                .isEqualTo(Map.of("@class", CANARY, "note", "x"));
    }

    @Test
    void wrapperArrayTypeInfoInObjectField_decodesAsPlainList() {
        Holder h = (Holder) codec.decode(utf8("{\"payload\":[\"" + CANARY + "\",{\"note\":\"x\"}]}"),
                Holder.class, null);

        assertThat(h.payload()).isInstanceOf(List.class)
                .isEqualTo(List.of(CANARY, Map.of("note", "x")));
    }

    @Test
    void typeInfoAtTopLevelAndInsideContainers_decodesAsPlainValues() {
        Object top = codec.decode(utf8("[\"" + CANARY + "\",{\"note\":\"x\"}]"), Object.class, null);
        Object wrapped = codec.decode(utf8("{\"" + CANARY + "\":{\"note\":\"x\"}}"), Object.class, null);
        Listing listing = (Listing) codec.decode(utf8("{\"items\":[[\"" + CANARY + "\",{}],{\"@c\":\".Canary\"}],"
                + "\"extras\":{\"a\":{\"@type\":\"" + CANARY + "\"}}}"), Listing.class, null);
        Type listOfObjects = parameterized(List.class, Object.class);
        Object list = codec.decode(utf8("[[\"" + CANARY + "\",{}]]"), listOfObjects, null);

        assertThat(top).isEqualTo(List.of(CANARY, Map.of("note", "x")));
        assertThat(wrapped).isEqualTo(Map.of(CANARY, Map.of("note", "x")));
        assertThat(listing.items()).containsExactly(List.of(CANARY, Map.of()), Map.of("@c", ".Canary"));
        assertThat(listing.extras()).isEqualTo(Map.of("a", Map.of("@type", CANARY)));
        assertThat(list).isEqualTo(List.of(List.of(CANARY, Map.of())));
    }

    @Test
    void userMapperWithDefaultTypingActivated_isNeutralised() {
        for (DefaultTyping typing : DefaultTyping.values()) {
            JsonMapper.Builder reckless = JsonMapper.builder()
                    .activateDefaultTyping(AllowEverything.INSTANCE, typing);
            JsonStateCodec fromBuilder = JsonStateCodec.builder().mapperBuilder(reckless).build();
            JsonStateCodec fromCustomizer = JsonStateCodec.builder()
                    .customize(b -> b.activateDefaultTypingAsProperty(AllowEverything.INSTANCE,
                            typing, "@class"))
                    .build();

            for (JsonStateCodec c : List.of(fromBuilder, fromCustomizer)) {
                Holder wrapper = (Holder) c.decode(utf8("{\"payload\":[\"" + CANARY + "\",{\"note\":\"x\"}]}"),
                        Holder.class, null);
                Holder property = (Holder) c.decode(utf8("{\"payload\":{\"@class\":\"" + CANARY + "\"}}"),
                        Holder.class, null);

                assertThat(wrapper.payload()).as(typing.name()).isInstanceOf(List.class);
                assertThat(property.payload()).as(typing.name()).isInstanceOf(Map.class);
                assertThat(new String(c.encode(new Holder(Map.of("k", List.of(1L))), Holder.class),
                        StandardCharsets.UTF_8)).as(typing.name()).isEqualTo("{\"payload\":{\"k\":[1]}}");
            }
        }
    }

    @Test
    void classNameTypeIdAnnotation_isRefusedOnDecodeAndOnEncode() {
        assertThatThrownBy(() -> codec.decode(utf8("{\"payload\":{\"@class\":\"" + CANARY + "\"}}"),
                Unsafe.class, null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("@JsonTypeInfo(use = CLASS)");
        assertThatThrownBy(() -> codec.encode(new Unsafe("harmless"), Unsafe.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("@JsonTypeInfo(use = CLASS)");
        assertThatThrownBy(() -> codec.decode(utf8("{\"value\":{\"@c\":\".Canary\"}}"), MinimalHolder.class, null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("MINIMAL_CLASS");
        assertThatThrownBy(() -> codec.encode(new MinimalHolder(new Minimal(1)), MinimalHolder.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("MINIMAL_CLASS");
    }

    @Test
    void classNameTypingAddedThroughAMixin_isRefused() {
        JsonStateCodec mixed = JsonStateCodec.builder()
                .customize(b -> b.addMixIn(Pet.class, ClassTypingMixin.class))
                .build();

        assertThatThrownBy(() -> mixed.decode(utf8("{\"pet\":{\"@class\":\"" + CANARY + "\"}}"), Kennel.class,
                null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("@JsonTypeInfo(use = CLASS)");
    }

    @Test
    void classNameTypingMixedIntoObject_neverInstantiatesAnything() {
        JsonStateCodec mixed = JsonStateCodec.builder()
                .customize(b -> b.addMixIn(Object.class, ClassTypingMixin.class))
                .build();

        for (String payload : List.of("{\"payload\":{\"@class\":\"" + CANARY + "\"}}",
                "{\"payload\":[\"" + CANARY + "\",{}]}")) {
            try {
                Holder h = (Holder) mixed.decode(utf8(payload), Holder.class, null);
                assertThat(h.payload()).isInstanceOfAny(Map.class, List.class);
            } catch (CodecException refused) {
                assertThat(refused.getMessage()).doesNotContain(CANARY);
            }
        }
    }

    @Test
    void classValuesAndKeys_areRefused() {
        assertThatThrownBy(() -> codec.decode(utf8("{\"type\":\"" + CANARY + "\"}"), ClassHolder.class, null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("Class values are not supported");
        assertThatThrownBy(() -> codec.decode(utf8("{\"byType\":{\"" + CANARY + "\":\"x\"}}"), ClassKeys.class,
                null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("Class values are not supported");
        assertThatThrownBy(() -> codec.decode(utf8("\"" + CANARY + "\""), Class.class, null))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec.encode(new ClassHolder(String.class), ClassHolder.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("Class values are not supported");
    }

    @Test
    void typeIdByDeclaredName_acceptsOnlyDeclaredNames() {
        Zoo zoo = new Zoo(new Cat("tom"));

        assertThat(codec.decode(codec.encode(zoo, Zoo.class), Zoo.class, null)).isEqualTo(zoo);
        assertThatThrownBy(() -> codec.decode(utf8("{\"animal\":{\"kind\":\"" + CANARY + "\",\"note\":\"x\"}}"),
                Zoo.class, null))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("type id");
        assertThatThrownBy(() -> codec.decode(utf8("{\"animal\":{\"name\":\"tom\"}}"), Zoo.class, null))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void deduction_choosesAmongDeclaredSubtypesOnly() {
        DeducedHolder point = new DeducedHolder(new Deduced.Point(1, 2));
        DeducedHolder label = new DeducedHolder(new Deduced.Label("l"));

        assertThat(codec.decode(codec.encode(point, DeducedHolder.class), DeducedHolder.class, null)).isEqualTo(point);
        assertThat(codec.decode(codec.encode(label, DeducedHolder.class), DeducedHolder.class, null)).isEqualTo(label);
        assertThatThrownBy(() -> codec.decode(utf8("{\"value\":{\"note\":\"x\"}}"), DeducedHolder.class, null))
                .isInstanceOf(CodecException.class);
    }
}
