package io.github.pgs.jackson;

import io.github.pgs.CodecException;
import io.github.pgs.ServerRef;
import io.github.pgs.jackson.internal.CodecModule;
import io.github.pgs.jackson.internal.Failures;
import io.github.pgs.jackson.internal.LimitsModule;
import io.github.pgs.jackson.internal.TypingGuard;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
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
 *       the kind of problem (or the limit that was hit) and where it was found (property path with map keys
 *       shown as {@code [*]}, input offset), but never quotes values from the data; property names from the data
 *       are shown only when they look like identifiers. Jackson's own exceptions, whose messages do quote the
 *       input, are not kept as causes. An exception thrown by other code while decoding (a record's compact
 *       constructor, a JDK parser, a user's deserializer) is kept with its class and stack trace but without its
 *       message, which often quotes the rejected value; the library's own exceptions (from the
 *       {@link RefResolver}) are kept as they are. On encode, an exception from user code (an accessor) is kept
 *       as it is.</li>
 *   <li><b>Refs checked</b>: a ref read from data is made by the {@link RefResolver}, which checks it as a ref
 *       made in code (the runtime's key length limit); where its field carries {@link io.github.pgs.RefTo}, its
 *       type must be the declared one, or the decode fails with a
 *       {@link io.github.pgs.RefTypeMismatchException} naming the field.</li>
 * </ul>
 *
 * <h2>Limits</h2>
 * Every decode is bounded, whatever the stored bytes hold, by limits the codec sets itself (Jackson's own defaults
 * are not relied on), each configurable on the {@link Builder}:
 * <table>
 *   <caption>Read limits</caption>
 *   <tr><th>limit</th><th>default</th><th>bounds</th></tr>
 *   <tr><td>{@link Builder#maxDocumentBytes(int) maxDocumentBytes}</td>
 *       <td>{@value #DEFAULT_MAX_DOCUMENT_BYTES} (16 MiB)</td><td>the encoded document</td></tr>
 *   <tr><td>{@link Builder#maxNestingDepth(int) maxNestingDepth}</td><td>{@value #DEFAULT_MAX_NESTING_DEPTH}</td>
 *       <td>arrays and objects inside each other</td></tr>
 *   <tr><td>{@link Builder#maxStringLength(int) maxStringLength}</td>
 *       <td>{@value #DEFAULT_MAX_STRING_LENGTH} characters</td><td>one string value (Base64 {@code byte[]}
 *       included)</td></tr>
 *   <tr><td>{@link Builder#maxNameLength(int) maxNameLength}</td><td>{@value #DEFAULT_MAX_NAME_LENGTH}
 *       characters</td><td>one property name or map key</td></tr>
 *   <tr><td>{@link Builder#maxNumberLength(int) maxNumberLength}</td><td>{@value #DEFAULT_MAX_NUMBER_LENGTH}
 *       digits</td><td>one number, as written or in a string read as a number</td></tr>
 *   <tr><td>{@link Builder#maxNumberScale(int) maxNumberScale}</td><td>{@value #DEFAULT_MAX_NUMBER_SCALE}</td>
 *       <td>the decimal exponent of a {@code BigInteger}, {@code BigDecimal} or {@code Number}, checked before
 *       anything is expanded: {@code 1e99999} is refused, never turned into 100,000 digits</td></tr>
 * </table>
 * Past a limit the decode fails with a {@link CodecException} naming the limit and the path. The same limits hold
 * on encode, so the codec does not write what it could not read back: nesting and document size, big numbers by
 * their digits and scale, string map keys by their length, and strings, when {@code maxStringLength} is set below
 * {@code maxDocumentBytes}, by a streaming check of documents longer than it. (Property names of JSON trees and
 * names that other key types produce are not checked on write.)
 *
 * <h2>Configuration</h2>
 * {@link #create()} gives the default codec; {@link #builder()} lets users register Jackson modules, a naming
 * strategy and other mapper settings, either by customising the codec's own mapper builder
 * ({@link Builder#customize}) or by starting from their own ({@link Builder#mapperBuilder}). Either way the
 * codec then applies, last, the settings its guarantees rest on: default typing off and class-name type ids
 * refused, its {@link ServerRef} support, map ordering by key, canonical order for sets and incomparable keys,
 * sorted JSON tree properties, no indentation, the limits above, and the strictness features (unknown and
 * missing properties per the builder options, {@code FAIL_ON_NULL_FOR_PRIMITIVES},
 * {@code FAIL_ON_TRAILING_TOKENS}). Its other
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

    /** The largest document read or written by default: 16 MiB. */
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
    /** The deepest nesting of arrays and objects by default: 500. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 500;
    /** The longest string value by default, in characters: 16,777,216 (as long as the document limit). */
    public static final int DEFAULT_MAX_STRING_LENGTH = 16 * 1024 * 1024;
    /** The longest property name or map key by default, in characters: 50,000. */
    public static final int DEFAULT_MAX_NAME_LENGTH = 50_000;
    /** The most digits of one number by default: 1,000. */
    public static final int DEFAULT_MAX_NUMBER_LENGTH = 1_000;
    /** The largest decimal exponent (scale) of a big number by default, either sign: 1,000. */
    public static final int DEFAULT_MAX_NUMBER_SCALE = 1_000;
    /** The smallest {@link Builder#maxNumberLength(int)}: 32, so that every {@code long} and {@code double} fits. */
    public static final int MIN_NUMBER_LENGTH = 32;

    /**
     * The limits a codec reads and writes within; see the class comment.
     *
     * @param maxDocumentBytes the largest encoded document, in bytes
     * @param maxNestingDepth  the deepest nesting of arrays and objects
     * @param maxStringLength  the longest string value, in characters
     * @param maxNameLength    the longest property name or map key, in characters
     * @param maxNumberLength  the most digits of one number
     * @param maxNumberScale   the largest decimal exponent of a big number, either sign
     */
    public record Limits(int maxDocumentBytes, int maxNestingDepth, int maxStringLength, int maxNameLength,
                         int maxNumberLength, int maxNumberScale) {

        /** The defaults, as named by the {@code DEFAULT_} constants. */
        public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_NESTING_DEPTH,
                DEFAULT_MAX_STRING_LENGTH, DEFAULT_MAX_NAME_LENGTH, DEFAULT_MAX_NUMBER_LENGTH,
                DEFAULT_MAX_NUMBER_SCALE);

        /**
         * @throws IllegalArgumentException if a limit is below 1, {@code maxNumberScale} below 0, or
         *                                  {@code maxNumberLength} below {@value #MIN_NUMBER_LENGTH}
         */
        public Limits {
            positive("maxDocumentBytes", maxDocumentBytes);
            positive("maxNestingDepth", maxNestingDepth);
            positive("maxStringLength", maxStringLength);
            positive("maxNameLength", maxNameLength);
            if (maxNumberLength < MIN_NUMBER_LENGTH) {
                throw new IllegalArgumentException("maxNumberLength must be at least " + MIN_NUMBER_LENGTH + ": "
                        + maxNumberLength);
            }
            if (maxNumberScale < 0) {
                throw new IllegalArgumentException("maxNumberScale must be at least 0: " + maxNumberScale);
            }
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + value);
            }
        }
    }

    private final JsonMapper mapper;
    private final Limits limits;
    /**
     * Encoded documents longer than this may hold a string over {@code maxStringLength}, which the generator does
     * not check: they are scanned. Unreachable unless that limit is set below the document limit.
     */
    private final int checkStringsAbove;
    private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();
    private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();

    private JsonStateCodec(JsonMapper mapper, Limits limits) {
        this.mapper = mapper;
        this.limits = limits;
        this.checkStringsAbove = limits.maxStringLength() < limits.maxDocumentBytes() ? limits.maxStringLength()
                : Integer.MAX_VALUE;
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
     * @throws CodecException if the value cannot be encoded (no serializer, a refused type, an accessor threw) or
     *                        the result would break one of the codec's {@link #limits()}, so could not be read
     *                        back
     */
    @Override
    public byte[] encode(Object value, Type type) {
        Objects.requireNonNull(type, "type");
        byte[] bytes;
        try {
            bytes = writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.constructType(t)))
                    .writeValueAsBytes(value);
        } catch (RuntimeException e) {
            throw Failures.encode(e, type, limits);
        }
        if (bytes.length > limits.maxDocumentBytes()) {
            throw new CodecException("cannot encode " + type.getTypeName() + " as JSON: the document has "
                    + bytes.length + " bytes, over maxDocumentBytes (" + limits.maxDocumentBytes()
                    + "), and could not be read back", null);
        }
        if (bytes.length > checkStringsAbove) {
            checkStrings(bytes, type);
        }
        return bytes;
    }

    /**
     * Scans an encoded document with the codec's parser, which refuses a string over {@code maxStringLength}. Only
     * a document longer than that limit can hold one, and only when the limit is below the document limit, so only
     * such documents pay for the scan.
     */
    private void checkStrings(byte[] bytes, Type type) {
        try (JsonParser p = mapper.createParser(bytes)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.VALUE_STRING) {
                    p.getString(); // a string is parsed, and its length checked, only when read
                }
            }
        } catch (RuntimeException e) {
            throw Failures.unreadable(e, type, limits);
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
        if (bytes.length > limits.maxDocumentBytes()) {
            throw new CodecException("cannot decode JSON as " + type.getTypeName() + ": the input has "
                    + bytes.length + " bytes, over maxDocumentBytes (" + limits.maxDocumentBytes() + ")", null);
        }
        try {
            ObjectReader reader = readers.computeIfAbsent(type, t -> mapper.readerFor(mapper.constructType(t)));
            if (refs != null) {
                reader = reader.withAttribute(CodecModule.RESOLVER_ATTRIBUTE, refs);
            }
            return reader.readValue(bytes);
        } catch (RuntimeException e) {
            throw Failures.decode(e, type, limits);
        }
    }

    /** The limits this codec reads and writes within. */
    public Limits limits() {
        return limits;
    }

    /**
     * The mapper this codec uses, with all of its settings applied (its parsers and generators enforce the
     * codec's nesting, string, name, number and document limits; the big-number checks are in its modules).
     * Useful to inspect JSON the codec wrote; do not use it to read stored states directly, since reading refs
     * needs the resolver that {@link #decode} passes.
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
        private int maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES;
        private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
        private int maxStringLength = DEFAULT_MAX_STRING_LENGTH;
        private int maxNameLength = DEFAULT_MAX_NAME_LENGTH;
        private int maxNumberLength = DEFAULT_MAX_NUMBER_LENGTH;
        private int maxNumberScale = DEFAULT_MAX_NUMBER_SCALE;

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

        /**
         * The largest document, in bytes, decoded or encoded (default {@value #DEFAULT_MAX_DOCUMENT_BYTES}, 16 MiB).
         * Keep it at least as large as the largest {@code maxStateBytes} of the types using this codec.
         */
        public Builder maxDocumentBytes(int bytes) {
            this.maxDocumentBytes = bytes;
            return this;
        }

        /** The deepest nesting of arrays and objects read or written (default {@value #DEFAULT_MAX_NESTING_DEPTH}). */
        public Builder maxNestingDepth(int depth) {
            this.maxNestingDepth = depth;
            return this;
        }

        /**
         * The longest string value, in characters, read or written (default {@value #DEFAULT_MAX_STRING_LENGTH}, as
         * long as the default document limit). A {@code byte[]} is a Base64 string of 4 characters per 3 bytes.
         */
        public Builder maxStringLength(int chars) {
            this.maxStringLength = chars;
            return this;
        }

        /** The longest property name or map key, in characters (default {@value #DEFAULT_MAX_NAME_LENGTH}). */
        public Builder maxNameLength(int chars) {
            this.maxNameLength = chars;
            return this;
        }

        /**
         * The most digits of one number, as written in the JSON or in a string read as a number (default
         * {@value #DEFAULT_MAX_NUMBER_LENGTH}; at least {@value #MIN_NUMBER_LENGTH}).
         */
        public Builder maxNumberLength(int digits) {
            this.maxNumberLength = digits;
            return this;
        }

        /**
         * The largest decimal exponent, either sign, of a number read as or written from a {@code BigInteger},
         * {@code BigDecimal} or {@code Number} (its {@code BigDecimal} scale; default
         * {@value #DEFAULT_MAX_NUMBER_SCALE}). Checked before a {@code BigInteger} is expanded, so a read
         * {@code BigInteger} has at most {@code maxNumberLength + maxNumberScale} digits.
         */
        public Builder maxNumberScale(int scale) {
            this.maxNumberScale = scale;
            return this;
        }

        /**
         * The codec.
         *
         * @throws IllegalArgumentException if a limit is out of range (see {@link Limits})
         */
        public JsonStateCodec build() {
            Limits limits = new Limits(maxDocumentBytes, maxNestingDepth, maxStringLength, maxNameLength,
                    maxNumberLength, maxNumberScale);
            JsonMapper.Builder b;
            if (base != null) {
                b = new Rebased(base, limited(base.streamFactory(), limits));
            } else {
                b = JsonMapper.builder(limited(JsonFactory.builder().build(), limits));
                applyDefaults(b);
            }
            for (Consumer<? super JsonMapper.Builder> customizer : customizers) {
                customizer.accept(b);
            }
            applyRequired(b, limits);
            return new JsonStateCodec(b.build(), limits);
        }

        /** {@code factory} with the codec's limits in place of its own. */
        private static JsonFactory limited(Object factory, Limits limits) {
            if (!(factory instanceof JsonFactory json)) {
                throw new IllegalArgumentException("the mapper builder must make JSON: its stream factory is a "
                        + factory.getClass().getName());
            }
            return json.rebuild()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxDocumentLength(limits.maxDocumentBytes())
                            .maxNestingDepth(limits.maxNestingDepth())
                            .maxStringLength(limits.maxStringLength())
                            .maxNameLength(limits.maxNameLength())
                            .maxNumberLength(limits.maxNumberLength())
                            .build())
                    .streamWriteConstraints(StreamWriteConstraints.builder()
                            .maxNestingDepth(limits.maxNestingDepth())
                            .build())
                    .build();
        }

        private static void applyDefaults(JsonMapper.Builder b) {
            b.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
            b.enable(DateTimeFeature.WRITE_DATES_WITH_ZONE_ID);
            b.disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
            b.enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, MapperFeature.SORT_CREATOR_PROPERTIES_FIRST);
        }

        private void applyRequired(JsonMapper.Builder b, Limits limits) {
            TypingGuard.apply(b);
            b.addModule(new CodecModule());
            b.addModule(new LimitsModule(limits.maxNameLength(), limits.maxNumberLength(), limits.maxNumberScale()));
            b.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
            b.disable(SerializationFeature.INDENT_OUTPUT, SerializationFeature.FAIL_ON_ORDER_MAP_BY_INCOMPARABLE_KEY);
            b.enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
            b.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, !ignoreUnknownProperties);
            b.configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, requireAllProperties);
            b.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
            b.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        }

        /**
         * A copy of a user's mapper builder on another stream factory: the builder's saved state (modules,
         * features, settings) with the factory replaced, which Jackson offers no public setter for. The user's
         * builder is not modified.
         */
        private static final class Rebased extends JsonMapper.Builder {
            Rebased(JsonMapper.Builder source, JsonFactory factory) {
                super(new JsonMapper.Builder.StateImpl(source));
                _streamFactory = factory;
            }
        }
    }
}
