package io.github.pgs.jackson.internal;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.jsontype.TypeSerializer;
import tools.jackson.databind.ser.ValueSerializerModifier;
import tools.jackson.databind.ser.std.DelegatingSerializer;
import tools.jackson.databind.type.CollectionType;
import tools.jackson.databind.type.MapType;

import java.io.StringWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Makes the encoding of unordered containers a function of their value, so that equal values give equal bytes.
 *
 * <p>Jackson writes a {@code Set} in iteration order, which for equal sets depends on insertion history and
 * capacity ({@code HashSet}, {@code LinkedHashSet}, {@code Set.of}); and {@code ORDER_MAP_ENTRIES_BY_KEYS}
 * sorts a map only when its keys are mutually comparable, leaving maps keyed by records, refs or mixed types in
 * iteration order. This modifier wraps Jackson's own serializers for such containers and hands them the same
 * elements in a canonical order:
 * <ul>
 *   <li>elements (or keys) that are all non-null and of one class with a total natural order consistent with
 *       {@code equals} (strings, boxed primitives, {@code BigInteger}, {@code UUID}, enums) are sorted
 *       naturally, which is cheap;</li>
 *   <li>any others are ordered by their own encoding: each is first encoded alone, with the same configuration,
 *       and the container is ordered by that text. The encoding is itself canonical, so equal elements give
 *       equal text and the order depends only on the value.</li>
 * </ul>
 *
 * <p>Maps whose declared key type is one of those classes are left to Jackson's own ordering and not wrapped at
 * all. Sorted containers and {@code EnumSet}s are already deterministic and pass through. Serializers
 * registered by other modules are left alone, since they may expect their own container class.
 */
final class CanonicalOrder extends ValueSerializerModifier {

    private static final String JACKSON_SERIALIZERS = "tools.jackson.databind.ser.";

    /**
     * Final classes whose natural order is total and consistent with {@code equals} (unlike, say,
     * {@code BigDecimal}, where {@code 1.0} and {@code 1.00} compare equal but are not), plus enums.
     */
    private static final Set<Class<?>> NATURAL = Set.of(String.class, Character.class, Boolean.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class, UUID.class);

    @Override
    public ValueSerializer<?> modifyCollectionSerializer(SerializationConfig config, CollectionType valueType,
            BeanDescription.Supplier beanDesc, ValueSerializer<?> serializer) {
        Class<?> raw = valueType.getRawClass();
        boolean unordered = Set.class.isAssignableFrom(raw) && !SortedSet.class.isAssignableFrom(raw)
                && !EnumSet.class.isAssignableFrom(raw);
        return unordered && isJacksons(serializer) ? new SetSerializer(serializer) : serializer;
    }

    @Override
    public ValueSerializer<?> modifyMapSerializer(SerializationConfig config, MapType valueType,
            BeanDescription.Supplier beanDesc, ValueSerializer<?> serializer) {
        boolean unordered = !SortedMap.class.isAssignableFrom(valueType.getRawClass());
        return unordered && !sortableKeyType(valueType.getKeyType().getRawClass()) && isJacksons(serializer)
                ? new MapSerializer(serializer) : serializer;
    }

    private static boolean isJacksons(ValueSerializer<?> serializer) {
        return serializer.getClass().getName().startsWith(JACKSON_SERIALIZERS);
    }

    /** Whether every key of this declared type is naturally ordered, so Jackson's own sorting is canonical. */
    private static boolean sortableKeyType(Class<?> keyType) {
        return keyType.isEnum() || NATURAL.contains(keyType);
    }

    /** Whether all {@code items} are non-null and of one naturally ordered class. */
    private static boolean naturallyOrdered(Iterable<?> items) {
        Class<?> first = null;
        for (Object item : items) {
            Class<?> c = item instanceof Enum<?> e ? e.getDeclaringClass() : item == null ? null : item.getClass();
            if (c == null || !(c.isEnum() || NATURAL.contains(c))) {
                return false;
            }
            if (first == null) {
                first = c;
            } else if (c != first) {
                return false;
            }
        }
        return true;
    }

    /** {@code items} in canonical order; see the class comment. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Object> canonicalOrder(Collection<?> items, boolean asKeys, SerializationContext ctxt) {
        List<Object> ordered = new ArrayList<>(items);
        if (naturallyOrdered(items)) {
            ordered.sort((a, b) -> ((Comparable) a).compareTo(b));
            return ordered;
        }
        Map<Object, String> text = new HashMap<>(Math.max(16, (int) (ordered.size() / 0.75f) + 1));
        for (Object item : ordered) {
            text.put(item, asKeys ? keyText(item, ctxt) : valueText(item, ctxt));
        }
        ordered.sort(Comparator.comparing(text::get));
        return ordered;
    }

    private static String valueText(Object value, SerializationContext ctxt) {
        StringWriter out = new StringWriter(32);
        try (JsonGenerator gen = ctxt.tokenStreamFactory().createGenerator(ctxt, out)) {
            ctxt.writeValue(gen, value);
        }
        return out.toString();
    }

    /** The key as Jackson writes it as a property name (null first: Jackson rejects it later unless configured). */
    private static String keyText(Object key, SerializationContext ctxt) {
        if (key == null) {
            return "";
        }
        StringWriter out = new StringWriter(32);
        try (JsonGenerator gen = ctxt.tokenStreamFactory().createGenerator(ctxt, out)) {
            gen.writeStartObject();
            ctxt.findKeySerializer(key.getClass(), null).serialize(key, gen, ctxt);
            gen.writeNull();
            gen.writeEndObject();
        }
        return out.toString();
    }

    private static final class SetSerializer extends DelegatingSerializer {

        SetSerializer(ValueSerializer<?> delegatee) {
            super(delegatee);
        }

        @Override
        protected ValueSerializer<Object> newDelegatingInstance(ValueSerializer<?> newDelegatee) {
            return new SetSerializer(newDelegatee);
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializationContext ctxt) {
            _delegatee.serialize(canonical(value, ctxt), gen, ctxt);
        }

        @Override
        public void serializeWithType(Object value, JsonGenerator gen, SerializationContext ctxt,
                TypeSerializer typeSer) {
            _delegatee.serializeWithType(canonical(value, ctxt), gen, ctxt, typeSer);
        }

        /** A set with the same elements, iterating in canonical order. */
        private static Object canonical(Object value, SerializationContext ctxt) {
            if (!(value instanceof Set<?> set) || set.size() < 2 || set instanceof SortedSet<?>
                    || set instanceof EnumSet<?>) {
                return value;
            }
            return new LinkedHashSet<>(canonicalOrder(set, false, ctxt));
        }
    }

    private static final class MapSerializer extends DelegatingSerializer {

        MapSerializer(ValueSerializer<?> delegatee) {
            super(delegatee);
        }

        @Override
        protected ValueSerializer<Object> newDelegatingInstance(ValueSerializer<?> newDelegatee) {
            return new MapSerializer(newDelegatee);
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializationContext ctxt) {
            _delegatee.serialize(canonical(value, ctxt), gen, ctxt);
        }

        @Override
        public void serializeWithType(Object value, JsonGenerator gen, SerializationContext ctxt,
                TypeSerializer typeSer) {
            _delegatee.serializeWithType(canonical(value, ctxt), gen, ctxt, typeSer);
        }

        /**
         * The map itself when Jackson's {@code ORDER_MAP_ENTRIES_BY_KEYS} can sort it; otherwise a view in
         * canonical key order. The view is a {@link SortedMap}, which Jackson writes in its own order without
         * trying to compare the keys.
         */
        private static Object canonical(Object value, SerializationContext ctxt) {
            if (!(value instanceof Map<?, ?> map) || map.size() < 2 || map instanceof SortedMap<?, ?>
                    || naturallyOrdered(map.keySet())) {
                return value;
            }
            List<Object> keys = canonicalOrder(map.keySet(), true, ctxt);
            Map<Object, Integer> rank = new HashMap<>(Math.max(16, (int) (keys.size() / 0.75f) + 1));
            for (Object key : keys) {
                rank.put(key, rank.size());
            }
            SortedMap<Object, Object> ordered = new TreeMap<>(Comparator.comparingInt(rank::get));
            ordered.putAll(map);
            return ordered;
        }
    }
}
