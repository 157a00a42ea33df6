package io.github.pgs.jackson;

import io.github.pgs.ServerRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.github.pgs.jackson.JsonStateCodecRoundTripTest.parameterized;
import static org.assertj.core.api.Assertions.assertThat;

class JsonStateCodecDeterminismTest {

    public record Tag(String name, int weight) {
    }

    public record Board(Map<String, Integer> scores, Set<String> names, Set<Tag> tags, Map<Tag, String> byTag,
                        Map<ServerRef, Integer> byRef, Set<ServerRef> watchers, Object loose) {
    }

    private final JsonStateCodec codec = JsonStateCodec.create();
    private final Refs refs = new Refs(codec);

    @AfterEach
    void close() {
        refs.close();
    }

    private String json(Object value, Type type) {
        return new String(codec.encode(value, type), StandardCharsets.UTF_8);
    }

    @Test
    void equalMaps_withDifferentInsertionOrder_encodeToIdenticalBytes() {
        Map<String, Integer> forward = new LinkedHashMap<>();
        Map<String, Integer> backward = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            forward.put("k" + i, i);
            backward.put("k" + (49 - i), 49 - i);
        }
        Type type = parameterized(Map.class, String.class, Integer.class);

        assertThat(forward).isEqualTo(backward);
        assertThat(codec.encode(forward, type)).isEqualTo(codec.encode(backward, type));
        assertThat(json(Map.of("b", 2, "a", 1, "c", 3), type)).isEqualTo("{\"a\":1,\"b\":2,\"c\":3}");
    }

    @Test
    void equalHashSets_withDifferentCapacityAndHistory_encodeToIdenticalBytes() {
        Set<String> small = new HashSet<>();
        Set<String> grown = new HashSet<>(1024);
        for (int i = 0; i < 200; i++) {
            grown.add("filler" + i);
        }
        for (String s : List.of("pear", "apple", "fig", "kiwi", "banana")) {
            small.add(s);
            grown.add(s);
        }
        grown.removeIf(s -> s.startsWith("filler"));
        Set<String> linked = new LinkedHashSet<>(List.of("kiwi", "fig", "banana", "pear", "apple"));
        Type type = parameterized(Set.class, String.class);

        assertThat(small).isEqualTo(grown).isEqualTo(linked);
        assertThat(json(small, type))
                .isEqualTo(json(grown, type))
                .isEqualTo(json(linked, type))
                .isEqualTo(json(Set.of("fig", "kiwi", "apple", "pear", "banana"), type))
                .isEqualTo("[\"apple\",\"banana\",\"fig\",\"kiwi\",\"pear\"]");
    }

    @Test
    void recordsWithUnorderedContainersAndIncomparableKeys_encodeIdenticallyWhateverTheOrder() {
        Random random = new Random(7);
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tags.add(new Tag("t" + i, i % 3));
        }
        List<ServerRef> refList = List.of(refs.counter("x"), refs.counter("y"), refs.counter("z"),
                refs.counter("w"));
        byte[] first = null;
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(tags, random);
            List<ServerRef> shuffledRefs = new ArrayList<>(refList);
            Collections.shuffle(shuffledRefs, random);
            Map<String, Integer> scores = new LinkedHashMap<>();
            Set<String> names = new LinkedHashSet<>();
            Set<Tag> tagSet = new LinkedHashSet<>();
            Map<Tag, String> byTag = new LinkedHashMap<>();
            for (Tag t : tags) {
                scores.put(t.name(), t.weight());
                names.add(t.name());
                tagSet.add(t);
                byTag.put(t, t.name());
            }
            Map<ServerRef, Integer> byRef = new LinkedHashMap<>();
            Set<ServerRef> watchers = new LinkedHashSet<>();
            for (ServerRef r : shuffledRefs) {
                byRef.put(r, r.toString().length());
                watchers.add(r);
            }
            Map<Object, Object> loose = new LinkedHashMap<>();
            loose.put("set", new HashSet<>(names));
            loose.put("nested", new LinkedHashMap<>(scores));
            Board board = new Board(scores, names, tagSet, byTag, byRef, watchers, loose);

            byte[] encoded = codec.encode(board, Board.class);

            if (first == null) {
                first = encoded;
            } else {
                assertThat(new String(encoded, StandardCharsets.UTF_8))
                        .isEqualTo(new String(first, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void mapWithIncomparableKeys_isOrderedByEncodedKey_andRoundTrips() {
        ServerRef b = refs.counter("b");
        ServerRef a = refs.counter("a");
        Map<ServerRef, Integer> map = new LinkedHashMap<>();
        map.put(b, 2);
        map.put(a, 1);
        Type type = parameterized(Map.class, ServerRef.class, Integer.class);

        String json = json(map, type);

        assertThat(json).isEqualTo("{\"" + a + "\":1,\"" + b + "\":2}");
        assertThat(codec.decode(json.getBytes(StandardCharsets.UTF_8), type, refs.resolver())).isEqualTo(map);
    }

    @Test
    void valuesThatCompareEqualButAreNotEqual_stillGetACanonicalOrder() {
        BigDecimal coarse = new BigDecimal("1.0");
        BigDecimal fine = new BigDecimal("1.00");
        Set<BigDecimal> one = new LinkedHashSet<>(List.of(coarse, fine));
        Set<BigDecimal> two = new LinkedHashSet<>(List.of(fine, coarse));
        Map<BigDecimal, String> keyedOne = new LinkedHashMap<>();
        keyedOne.put(coarse, "coarse");
        keyedOne.put(fine, "fine");
        Map<BigDecimal, String> keyedTwo = new LinkedHashMap<>();
        keyedTwo.put(fine, "fine");
        keyedTwo.put(coarse, "coarse");
        Type mapType = parameterized(Map.class, BigDecimal.class, String.class);

        assertThat(json(one, parameterized(Set.class, BigDecimal.class)))
                .isEqualTo(json(two, parameterized(Set.class, BigDecimal.class)))
                .isEqualTo("[1.0,1.00]");
        assertThat(json(keyedOne, mapType)).isEqualTo(json(keyedTwo, mapType))
                .isEqualTo("{\"1.0\":\"coarse\",\"1.00\":\"fine\"}");
    }

    @Test
    void mapWithMixedKeyTypes_isOrderedWithoutFailing() {
        Map<Object, Integer> mixed = new HashMap<>();
        mixed.put("b", 1);
        mixed.put(3, 2);
        mixed.put("a", 3);
        Map<Object, Integer> reversed = new LinkedHashMap<>();
        reversed.put("a", 3);
        reversed.put(3, 2);
        reversed.put("b", 1);

        assertThat(json(mixed, Object.class)).isEqualTo(json(reversed, Object.class));
    }

    @Test
    void jsonTreeObjects_areWrittenWithSortedProperties() {
        ObjectNode one = codec.mapper().createObjectNode().put("b", 1).put("a", 2);
        ObjectNode two = codec.mapper().createObjectNode().put("a", 2).put("b", 1);

        assertThat(one).isEqualTo(two);
        assertThat(json(one, ObjectNode.class)).isEqualTo(json(two, ObjectNode.class)).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    void argumentRecord_encodesToCompactTextEqualAcrossCodecInstances() {
        JsonStateCodecRoundTripTest.Position position = new JsonStateCodecRoundTripTest.Position(5, 6);

        String key = json(position, JsonStateCodecRoundTripTest.Position.class);

        assertThat(key).isEqualTo("{\"x\":5,\"y\":6}").doesNotContain(" ").doesNotContain("\n");
        assertThat(JsonStateCodec.create().encode(position, JsonStateCodecRoundTripTest.Position.class))
                .isEqualTo(key.getBytes(StandardCharsets.UTF_8));
    }
}
