package io.github.pgs.jackson.internal;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.jsontype.TypeSerializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.ValueSerializerModifier;
import tools.jackson.databind.ser.std.DelegatingSerializer;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The codec's limits that Jackson's parser and generator constraints do not cover: big-number exponents on read
 * and write, and on write the number length and map key length the parser would refuse, so that nothing is
 * written that could not be read back.
 *
 * <p>Algorithm: the parser already bounds how many digits a number token may have ({@code maxNumberLength}), but
 * not its exponent: {@code 1e99999} is seven characters, and Jackson turns it into a {@code BigInteger} of 100,000
 * digits. So every deserializer whose type is {@code BigInteger}, {@code BigDecimal} or {@code Number} (fields,
 * elements, map values, {@code Optional}s; Jackson's or a module's) is wrapped: for a {@code BigInteger}, a
 * floating-point token is first read as a {@code BigDecimal} (compact: digits and a scale, nothing expanded) and
 * its scale checked against {@code maxNumberScale}, before the wrapped deserializer converts it; a
 * {@code BigDecimal} result, from a number or a string, is checked the same way. Map keys of those types are
 * checked after parsing (a key has no exponent form that Jackson expands). On write, the serializers of the same
 * types are wrapped and refuse a value whose scale exceeds the limit or whose written form has more digits than
 * {@code maxNumberLength} (as {@code toString()}, or {@code toPlainString()} when the generator writes big
 * decimals plainly). String map keys longer than {@code maxNameLength} are refused on write by a wrapper around
 * the key serializers (other key types, such as numbers, enums, UUIDs and refs, are bounded by their own limits).
 *
 * <p>Hazards: the check must come before Jackson's conversion, which is why the token is inspected rather than
 * the result; reading the token as a {@code BigDecimal} makes the parser keep that form, so it is parsed once.
 * Numbers read into {@code Object} or a JSON tree are doubles, with nothing to expand; with Jackson's big-number
 * features enabled they become compact {@code BigDecimal}s, not checked on read but refused on write past the
 * limit. Counting a {@code BigInteger}'s digits exactly costs as much as writing it, so it is done only when its
 * bit length leaves the count in doubt. Failures are {@link SafeFailure}s naming the limit, never the number.
 */
public final class LimitsModule extends SimpleModule {

    private static final double LOG10_2 = Math.log10(2);

    private final int maxNameLength;
    private final int maxLength;
    private final int maxScale;

    public LimitsModule(int maxNameLength, int maxLength, int maxScale) {
        super("pgs-limits");
        this.maxNameLength = maxNameLength;
        this.maxLength = maxLength;
        this.maxScale = maxScale;
        setDeserializerModifier(new Deserializers());
        setSerializerModifier(new Serializers());
    }

    private static boolean bounded(Class<?> type) {
        return type == BigInteger.class || type == BigDecimal.class || type == Number.class;
    }

    private void checkScale(BigDecimal value, String type) {
        int scale = value.scale();
        if (scale > maxScale || scale < -maxScale) {
            throw new SafeFailure("a number has a decimal exponent beyond maxNumberScale (" + maxScale
                    + ") for " + type);
        }
    }

    /** Refuses a value this codec could not read back; see the class comment. */
    private void checkWrite(Object value, JsonGenerator gen) {
        if (value instanceof BigDecimal d) {
            checkScale(d, "BigDecimal");
            String text = gen.isEnabled(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN) ? d.toPlainString()
                    : d.toString();
            if (digits(text) > maxLength) {
                throw new SafeFailure(tooLongToWrite("BigDecimal"));
            }
        } else if (value instanceof BigInteger i && tooManyDigits(i.abs())) {
            throw new SafeFailure(tooLongToWrite("BigInteger"));
        }
    }

    /** Whether {@code magnitude} has more than {@code maxLength} decimal digits. */
    private boolean tooManyDigits(BigInteger magnitude) {
        int bits = magnitude.bitLength();
        // a number of b bits has between floor((b - 1) log10 2) + 1 and floor(b log10 2) + 1 digits
        if (Math.floor(bits * LOG10_2) + 1 <= maxLength) {
            return false;
        }
        if (Math.floor((bits - 1) * LOG10_2) + 1 > maxLength) {
            return true;
        }
        return magnitude.toString().length() > maxLength;
    }

    private String tooLongToWrite(String type) {
        return "a " + type + " has more digits than maxNumberLength (" + maxLength
                + ") and could not be read back";
    }

    private static int digits(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                n++;
            }
        }
        return n;
    }

    private final class Deserializers extends ValueDeserializerModifier {

        @Override
        public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config,
                BeanDescription.Supplier beanDesc, ValueDeserializer<?> deserializer) {
            Class<?> type = beanDesc.getBeanClass();
            return bounded(type) ? new Bounded(deserializer, type == BigInteger.class) : deserializer;
        }

        @Override
        public KeyDeserializer modifyKeyDeserializer(DeserializationConfig config, JavaType type,
                KeyDeserializer deserializer) {
            return type.getRawClass() == BigDecimal.class ? new BoundedKey(deserializer) : deserializer;
        }
    }

    private final class Bounded extends DelegatingDeserializer {

        private final boolean expands;

        Bounded(ValueDeserializer<?> delegatee, boolean expands) {
            super(delegatee);
            this.expands = expands;
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> newDelegatee) {
            return new Bounded(newDelegatee, expands);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) {
            if (expands && p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                checkScale(p.getDecimalValue(), "BigInteger");
            }
            Object value = super.deserialize(p, ctxt);
            if (value instanceof BigDecimal d) {
                checkScale(d, "BigDecimal");
            }
            return value;
        }
    }

    private final class BoundedKey extends KeyDeserializer {

        private final KeyDeserializer delegatee;

        BoundedKey(KeyDeserializer delegatee) {
            this.delegatee = delegatee;
        }

        @Override
        public void resolve(DeserializationContext ctxt) {
            delegatee.resolve(ctxt);
        }

        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) {
            Object value = delegatee.deserializeKey(key, ctxt);
            if (value instanceof BigDecimal d) {
                checkScale(d, "BigDecimal");
            }
            return value;
        }
    }

    private final class Serializers extends ValueSerializerModifier {

        @Override
        public ValueSerializer<?> modifySerializer(SerializationConfig config, BeanDescription.Supplier beanDesc,
                ValueSerializer<?> serializer) {
            return bounded(beanDesc.getBeanClass()) ? new Checked(serializer, false) : serializer;
        }

        @Override
        public ValueSerializer<?> modifyKeySerializer(SerializationConfig config, JavaType valueType,
                BeanDescription.Supplier beanDesc, ValueSerializer<?> serializer) {
            Class<?> type = valueType.getRawClass();
            return bounded(type) || type == String.class ? new Checked(serializer, true) : serializer;
        }
    }

    /** A serializer of big numbers, or a key serializer of big numbers or strings, checking before it writes. */
    private final class Checked extends DelegatingSerializer {

        private final boolean key;

        Checked(ValueSerializer<?> delegatee, boolean key) {
            super(delegatee);
            this.key = key;
        }

        @Override
        protected ValueSerializer<Object> newDelegatingInstance(ValueSerializer<?> newDelegatee) {
            return new Checked(newDelegatee, key);
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializationContext ctxt) {
            check(value, gen);
            _delegatee.serialize(value, gen, ctxt);
        }

        @Override
        public void serializeWithType(Object value, JsonGenerator gen, SerializationContext ctxt,
                TypeSerializer typeSer) {
            check(value, gen);
            _delegatee.serializeWithType(value, gen, ctxt, typeSer);
        }

        private void check(Object value, JsonGenerator gen) {
            if (key && value instanceof String s && s.length() > maxNameLength) {
                // a string key is written as the name itself
                throw new SafeFailure("a map key is longer than maxNameLength (" + maxNameLength
                        + " characters) and could not be read back");
            }
            checkWrite(value, gen);
        }
    }
}
