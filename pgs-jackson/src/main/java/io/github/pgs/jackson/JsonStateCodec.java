package io.github.pgs.jackson;

import io.github.pgs.CodecException;
import io.github.pgs.ServerRef;
import io.github.pgs.jackson.internal.CodecModule;
import io.github.pgs.jackson.internal.Failures;
import io.github.pgs.jackson.internal.TypingGuard;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The JSON {@link StateCodec}, on Jackson 3: states, and init arguments used as keys, encoded as compact UTF-8
 * JSON.
 *
 * <h2>What it encodes</h2>
 * Records (components in declaration order), classes with the usual Jackson conventions (properties in
 * alphabetical order, creator properties first), collections, maps, arrays, {@code byte[]} (Base64),
 * {@code Optional}, enums (by name), {@code java.time} types (ISO-8601 strings; zoned values keep their zone id)
 * and {@link ServerRef}s, written as their {@code type:key} string form wherever they appear (fields,
 * collection elements, map keys and values). On decode a ref is made by the {@link RefResolver} given to
 * {@link #decode}, so the same codec serves any number of runtimes.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Deterministic</b>: equal values encode to equal bytes. Map entries are ordered by key and set
 *       elements by value (naturally for strings, numbers, UUIDs and enums, otherwise by their own encoding),
 *       JSON tree objects by property name; no pretty printing. A user-registered serializer is trusted to be
 *       deterministic itself.</li>
 *   <li><b>Strict</b>: a property in the data that the target class does not have fails the decode (an
 *       incompatible change of a state class is reported instead of silently dropping stored data) unless
 *       {@link Builder#ignoreUnknownProperties(boolean)} relaxes it; null for a primitive fails; duplicate
 *       properties and trailing content fail. A property missing from the data gets its default, so adding
 *       one is a compatible change, unless {@link Builder#requireAllProperties(boolean)} says otherwise.</li>
 *   <li><b>No polymorphic typing from data</b>: default typing is always off, whatever mapper is supplied;
 *       class-name type ids ({@code @JsonTypeInfo(use = CLASS | MINIMAL_CLASS | CUSTOM)}), custom type
 *       resolvers and {@code Class}/{@code JavaType} values are refused on encode and on decode. Data read into
 *       an {@code Object} becomes plain maps, lists, strings, numbers and booleans. Type ids by name
 *       ({@code Id.NAME} with {@code @JsonSubTypes} or a sealed hierarchy) still work, since they only choose
 *       among classes declared in code. Never uses Java serialization.</li>
 *   <li><b>Safe failures</b>: every failure is a {@link CodecException} whose message names the target type,
 *       the kind of problem and where it was found (property path with map keys omitted, input offset), but
 *       never quotes values from the data. Jackson's own exceptions, whose messages do quote the input, are not
 *       kept as causes; an exception thrown by user code (a record's compact constructor, an accessor, the
 *       {@code RefResolver}) is.</li>
 * </ul>
 *
 * <h2>Configuration</h2>
 * {@link #create()} gives the default codec; {@link #builder()} lets users register Jackson modules, a naming
 * strategy and other mapper settings, either by customising the codec's own mapper builder
 * ({@link Builder#customize}) or by starting from their own ({@link Builder#mapperBuilder}). Either way the
 * codec then applies, last, the settings its guarantees rest on: default typing off and class-name type ids
 * refused, its {@link ServerRef} support, map ordering by key, canonical order for sets and incomparable keys,
 * sorted JSON tree properties, no indentation, and the strictness features (unknown and missing properties
 * per the builder options, {@code FAIL_ON_NULL_FOR_PRIMITIVES}, {@code FAIL_ON_TRAILING_TOKENS}). Its other
 * defaults, applied only to its own mapper builder and so open to customisation, are:
 * {@code STRICT_DUPLICATE_DETECTION} on, {@code DateTimeFeature.WRITE_DATES_WITH_ZONE_ID} on and
 * {@code ADJUST_DATES_TO_CONTEXT_TIME_ZONE} off (so that zoned date-times decode equal to what was encoded),
 * alphabetical property order with creator properties first.
 *
 * <h2>Thread safety and cost</h2>
 * Immutable and thread-safe. One Jackson reader and writer is prepared per target {@link Type} on first use and
 * reused; encoding allocates little beyond the output array.
 */
public final class JsonStateCodec implements StateCodec {

    private final JsonMapper mapper;
    private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();
    private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();

    private JsonStateCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The codec with default settings. */
    public static JsonStateCodec create() {
        return builder().build();
    }

    /** A builder starting from the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code "json"}. */
    @Override
    public String name() {
        return "json";
    }

    /** {@code true}: the output is UTF-8 JSON text, usable as a key for init arguments. */
    @Override
    public boolean isText() {
        return true;
    }

    /**
     * Encodes {@code value}, declared as {@code type}, as compact UTF-8 JSON. The declared type chooses how the
     * value is written, as it will choose how it is read.
     *
     * @throws CodecException if the value cannot be encoded (no serializer, a refused type, an accessor threw)
     */
    @Override
    public byte[] encode(Object value, Type type) {
        Objects.requireNonNull(type, "type");
        try {
            return writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.constructType(t)))
                    .writeValueAsBytes(value);
        } catch (RuntimeException e) {
            throw Failures.encode(e, type);
        }
    }

    /**
     * Decodes {@code bytes} as {@code type}. {@link ServerRef}s in the data are made by {@code refs}; when
     * {@code refs} is {@code null}, data that holds a ref fails to decode.
     *
     * @throws CodecException if the bytes are not valid JSON for {@code type}: malformed or truncated, an unknown
     *                        property, a null primitive, a type id that is missing or not declared, a refused
     *                        type, a ref that does not parse or resolve
     */
    @Override
    public Object decode(byte[] bytes, Type type, RefResolver refs) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(type, "type");
        if (bytes.length == 0) {
            throw new CodecException("cannot decode JSON as " + type.getTypeName() + ": empty input", null);
        }
        try {
            ObjectReader reader = readers.computeIfAbsent(type, t -> mapper.readerFor(mapper.constructType(t)));
            if (refs != null) {
                reader = reader.withAttribute(CodecModule.RESOLVER_ATTRIBUTE, refs);
            }
            return reader.readValue(bytes);
        } catch (RuntimeException e) {
            throw Failures.decode(e, type);
        }
    }

    /**
     * The mapper this codec uses, with all of its settings applied. Useful to inspect JSON the codec wrote; do
     * not use it to read stored states directly, since reading refs needs the resolver that {@link #decode}
     * passes.
     */
    public JsonMapper mapper() {
        return mapper;
    }

    @Override
    public String toString() {
        return "JsonStateCodec";
    }

    /**
     * Configures a {@link JsonStateCodec}. Not thread-safe; {@link #build()} may be called more than once, each
     * call giving an independent codec.
     */
    public static final class Builder {

        private JsonMapper.Builder base;
        private final List<Consumer<? super JsonMapper.Builder>> customizers = new ArrayList<>();
        private boolean ignoreUnknownProperties;
        private boolean requireAllProperties;

        private Builder() {
        }

        /**
         * Starts from {@code base} instead of the codec's own mapper builder: its modules, naming strategy and
         * features are kept, the codec's optional defaults (listed on {@link JsonStateCodec}) are not applied,
         * and the settings the codec's guarantees rest on are applied last. {@code base} itself is copied at
         * {@link #build()} time and not modified. Customizers still run, after the copy.
         */
        public Builder mapperBuilder(JsonMapper.Builder base) {
            this.base = Objects.requireNonNull(base, "base");
            return this;
        }

        /**
         * Adds a step that configures the mapper builder (register modules, set a naming strategy, toggle
         * features). Steps run in the order added, after the defaults and before the settings the codec always
         * applies, which therefore win over anything a step does to them.
         */
        public Builder customize(Consumer<? super JsonMapper.Builder> customizer) {
            customizers.add(Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        /**
         * Whether properties in the data that the target class does not have are skipped instead of failing
         * the decode. Default {@code false}: skipping them loses that part of the stored state at its next
         * write, so enable it only where that is intended (for example after removing a field on purpose).
         * {@code @JsonIgnoreProperties(ignoreUnknown = true)} on a class relaxes the check for that class only.
         */
        public Builder ignoreUnknownProperties(boolean ignore) {
            this.ignoreUnknownProperties = ignore;
            return this;
        }

        /**
         * Whether a record component or creator property missing from the data fails the decode. Default
         * {@code false}: it gets its default ({@code null}, {@code 0}, {@code false}, an empty
         * {@code Optional}), so adding a component to a state class is a compatible change. The codec always
         * writes every property, nulls included, so its own output never lacks one.
         */
        public Builder requireAllProperties(boolean require) {
            this.requireAllProperties = require;
            return this;
        }

        /** The codec. */
        public JsonStateCodec build() {
            JsonMapper.Builder b;
            if (base != null) {
                b = base.build().rebuild();
            } else {
                b = JsonMapper.builder();
                applyDefaults(b);
            }
            for (Consumer<? super JsonMapper.Builder> customizer : customizers) {
                customizer.accept(b);
            }
            applyRequired(b);
            return new JsonStateCodec(b.build());
        }

        private static void applyDefaults(JsonMapper.Builder b) {
            b.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
            b.enable(DateTimeFeature.WRITE_DATES_WITH_ZONE_ID);
            b.disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
            b.enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, MapperFeature.SORT_CREATOR_PROPERTIES_FIRST);
        }

        private void applyRequired(JsonMapper.Builder b) {
            TypingGuard.apply(b);
            b.addModule(new CodecModule());
            b.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
            b.disable(SerializationFeature.INDENT_OUTPUT, SerializationFeature.FAIL_ON_ORDER_MAP_BY_INCOMPARABLE_KEY);
            b.enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
            b.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, !ignoreUnknownProperties);
            b.configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, requireAllProperties);
            b.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
            b.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        }
    }
}
