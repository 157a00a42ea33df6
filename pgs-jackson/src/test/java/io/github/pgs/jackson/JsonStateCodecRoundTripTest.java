package io.github.pgs.jackson;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.github.pgs.ServerRef;
import io.github.pgs.spi.RefResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class JsonStateCodecRoundTripTest {

    public enum Phase { LOBBY, PLAYING, FINISHED }

    public record Position(int x, int y) {
    }

    public record Inventory(List<String> items, Map<String, Integer> counts) {
    }

    public record Player(String name, long score, Phase phase, Position position, Inventory inventory,
                         Optional<String> nickname, byte[] avatar, Instant joined, Duration played,
                         LocalDate birthday, ZonedDateTime lastSeen, OffsetDateTime lastMove, UUID id,
                         BigDecimal balance, BigInteger big, double ratio, boolean active, char initial) {

        // byte[] has identity equality; compare its contents so records compare by value.
        @Override
        public boolean equals(Object o) {
            return o instanceof Player p && name.equals(p.name) && score == p.score && phase == p.phase
                    && position.equals(p.position) && inventory.equals(p.inventory) && nickname.equals(p.nickname)
                    && Arrays.equals(avatar, p.avatar) && joined.equals(p.joined) && played.equals(p.played)
                    && birthday.equals(p.birthday) && lastSeen.equals(p.lastSeen) && lastMove.equals(p.lastMove)
                    && id.equals(p.id) && balance.equals(p.balance) && big.equals(p.big)
                    && Double.compare(ratio, p.ratio) == 0 && active == p.active && initial == p.initial;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, score, id);
        }
    }

    public record Team(String name, ServerRef captain, List<ServerRef> members, Map<String, ServerRef> roles,
                       Map<ServerRef, Integer> scores, Set<ServerRef> invited, Optional<ServerRef> rival) {
    }

    public record Times(Instant at, Duration took, ZonedDateTime zoned, byte[] raw) {
    }

    public record Camel(int firstValue, Map<String, Integer> someMap) {
    }

    public record Kebab(int firstValue) {
    }

    public record Wrapper<T>(T value, List<T> more) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    public sealed interface Shape permits Circle, Square {
    }

    public record Circle(double radius) implements Shape {
    }

    public record Square(double side) implements Shape {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = Idle.class, name = "idle"),
            @JsonSubTypes.Type(value = Busy.class, name = "busy")})
    public interface Activity {
    }

    public record Idle() implements Activity {
    }

    public record Busy(String task) implements Activity {
    }

    public record Drawing(List<Shape> shapes, Activity activity) {
    }

    /** A mutable class with a no-argument constructor and setters, the classic bean. */
    public static final class Account {
        private String owner;
        private int balance;
        private List<String> history = new ArrayList<>();

        public String getOwner() { return owner; }
        public void setOwner(String owner) { this.owner = owner; }
        public int getBalance() { return balance; }
        public void setBalance(int balance) { this.balance = balance; }
        public List<String> getHistory() { return history; }
        public void setHistory(List<String> history) { this.history = history; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Account a && Objects.equals(owner, a.owner) && balance == a.balance
                    && history.equals(a.history);
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, balance, history);
        }
    }

    private final JsonStateCodec codec = JsonStateCodec.create();
    private final Refs refs = new Refs(codec);

    @AfterEach
    void close() {
        refs.close();
    }

    private Object roundTrip(Object value, Type type) {
        return codec.decode(codec.encode(value, type), type, refs.resolver());
    }

    private static Player player() {
        return new Player("alice", 42L, Phase.PLAYING, new Position(3, -4),
                new Inventory(List.of("sword", "shield"), Map.of("gold", 12, "arrows", 30)),
                Optional.of("ali"), new byte[]{0, 1, 2, (byte) 0xFF},
                Instant.parse("2024-05-06T07:08:09.123456789Z"), Duration.ofMinutes(95).plusNanos(7),
                LocalDate.of(1990, 2, 28),
                ZonedDateTime.of(LocalDateTime.of(2024, 3, 31, 2, 30), ZoneId.of("Europe/Paris")),
                OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 6, ZoneOffset.ofHours(-5)),
                UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                new BigDecimal("12345.6700"), new BigInteger("123456789012345678901234567890"),
                0.1, true, 'é');
    }

    @Test
    void record_withNestedRecordsCollectionsTimeAndBytes_roundTripsEqual() {
        Player p = player();

        assertThat(roundTrip(p, Player.class)).isEqualTo(p);
    }

    @Test
    void optional_empty_roundTripsAsEmpty() {
        Player p = player();
        Player withoutNick = new Player(p.name(), p.score(), p.phase(), p.position(), p.inventory(),
                Optional.empty(), p.avatar(), p.joined(), p.played(), p.birthday(), p.lastSeen(), p.lastMove(),
                p.id(), p.balance(), p.big(), p.ratio(), p.active(), p.initial());

        assertThat(roundTrip(withoutNick, Player.class)).isEqualTo(withoutNick);
    }

    @Test
    void encode_writesCompactJsonWithRecordComponentsInDeclarationOrder() {
        String json = new String(codec.encode(new Position(1, 2), Position.class), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"x\":1,\"y\":2}");
    }

    @Test
    void encode_writesJavaTimeAsIsoTextAndBytesAsBase64() {
        Times t = new Times(Instant.parse("2024-01-01T00:00:00Z"), Duration.ofSeconds(90),
                ZonedDateTime.of(LocalDateTime.of(2024, 6, 1, 12, 0), ZoneId.of("Europe/Paris")),
                new byte[]{1, 2, 3});

        String json = new String(codec.encode(t, Times.class), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"at\":\"2024-01-01T00:00:00Z\",\"took\":\"PT1M30S\","
                + "\"zoned\":\"2024-06-01T12:00:00+02:00[Europe/Paris]\",\"raw\":\"AQID\"}");
    }

    @Test
    void enumsAndEnumMaps_roundTripByName() {
        EnumMap<Phase, Integer> byPhase = new EnumMap<>(Phase.class);
        byPhase.put(Phase.FINISHED, 3);
        byPhase.put(Phase.LOBBY, 1);
        Type type = parameterized(EnumMap.class, Phase.class, Integer.class);

        assertThat(roundTrip(byPhase, type)).isEqualTo(byPhase);
        assertThat(new String(codec.encode(Phase.LOBBY, Phase.class), StandardCharsets.UTF_8)).isEqualTo("\"LOBBY\"");
    }

    @Test
    void genericTypes_roundTripThroughParameterizedTypes() {
        Wrapper<Position> w = new Wrapper<>(new Position(1, 1), List.of(new Position(2, 2), new Position(3, 3)));
        Type type = parameterized(Wrapper.class, Position.class);

        assertThat(roundTrip(w, type)).isEqualTo(w);
        Map<String, List<Position>> map = Map.of("a", List.of(new Position(0, 0)), "b", List.of());
        assertThat(roundTrip(map, parameterized(Map.class, String.class,
                parameterized(List.class, Position.class)))).isEqualTo(map);
    }

    @Test
    void plainValuesAndNull_roundTrip() {
        assertThat(roundTrip("text", String.class)).isEqualTo("text");
        assertThat(roundTrip(7L, Long.class)).isEqualTo(7L);
        assertThat(roundTrip(List.of(1, 2, 3), parameterized(List.class, Integer.class))).isEqualTo(List.of(1, 2, 3));
        assertThat(roundTrip(null, Position.class)).isNull();
    }

    @Test
    void bean_withSettersRoundTrips() {
        Account a = new Account();
        a.setOwner("bob");
        a.setBalance(-3);
        a.setHistory(List.of("open", "withdraw"));

        assertThat(roundTrip(a, Account.class)).isEqualTo(a);
        assertThat(new String(codec.encode(a, Account.class), StandardCharsets.UTF_8))
                .isEqualTo("{\"balance\":-3,\"history\":[\"open\",\"withdraw\"],\"owner\":\"bob\"}");
    }

    @Test
    void refs_inFieldsListsSetsMapKeysMapValuesAndOptionals_resolveThroughTheResolver() {
        ServerRef captain = refs.counter("captain");
        ServerRef a = refs.counter("a/b c");
        ServerRef b = refs.counter("ünïcode");
        Team team = new Team("red", captain, List.of(a, b), Map.of("captain", captain, "scout", b),
                Map.of(a, 1, b, 2), Set.of(a, captain), Optional.of(b));
        List<ServerRef> resolved = new ArrayList<>();
        RefResolver recording = id -> {
            ServerRef ref = refs.runtime.ref(id);
            resolved.add(ref);
            return ref;
        };

        Team decoded = (Team) codec.decode(codec.encode(team, Team.class), Team.class, recording);

        assertThat(decoded).isEqualTo(team);
        assertThat(decoded.members().get(0).id()).isEqualTo(a.id());
        assertThat(resolved).hasSize(10).containsOnly(captain, a, b);
    }

    @Test
    void ref_isEncodedAsItsServerIdString() {
        ServerRef ref = refs.counter("k 1");

        String json = new String(codec.encode(ref, ServerRef.class), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("\"" + ref + "\"");
    }

    @Test
    void decodedRef_isTheOneTheResolverReturned() {
        ServerRef ref = refs.counter("same");
        AtomicInteger calls = new AtomicInteger();

        Object decoded = codec.decode(codec.encode(ref, ServerRef.class), ServerRef.class, id -> {
            calls.incrementAndGet();
            assertThat(id).isEqualTo(ref.id());
            return ref;
        });

        assertThat(decoded).isSameAs(ref);
        assertThat(calls).hasValue(1);
    }

    @Test
    void polymorphismByDeclaredNames_roundTrips() {
        Drawing d = new Drawing(List.of(new Circle(1.5), new Square(2)), new Busy("paint"));

        assertThat(roundTrip(d, Drawing.class)).isEqualTo(d);
        assertThat(new String(codec.encode(d, Drawing.class), StandardCharsets.UTF_8))
                .contains("\"kind\":\"JsonStateCodecRoundTripTest$Circle\"").contains("\"kind\":\"busy\"");
        assertThat(roundTrip(new Idle(), Activity.class)).isEqualTo(new Idle());
    }

    @Test
    void customizedMapper_namingStrategyApplies_andGuaranteesStillHold() {
        JsonStateCodec snake = JsonStateCodec.builder()
                .customize(b -> b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE))
                .build();
        Map<String, Integer> map = new LinkedHashMap<>();
        map.put("z", 1);
        map.put("a", 2);
        Camel c = new Camel(1, map);

        String json = new String(snake.encode(c, Camel.class), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"first_value\":1,\"some_map\":{\"a\":2,\"z\":1}}");
        assertThat(snake.decode(json.getBytes(StandardCharsets.UTF_8), Camel.class, null)).isEqualTo(c);
    }

    @Test
    void userMapperBuilder_isCopiedNotModified() {
        JsonMapper.Builder userBuilder = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);
        JsonStateCodec kebab = JsonStateCodec.builder().mapperBuilder(userBuilder).build();

        assertThat(new String(kebab.encode(new Kebab(1), Kebab.class), StandardCharsets.UTF_8))
                .isEqualTo("{\"first-value\":1}");
        assertThat(userBuilder.build().writeValueAsString(Map.of("b", 1)))
                .isEqualTo("{\"b\":1}");
        assertThat(userBuilder.build().isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)).isFalse();
    }

    @Test
    void sortedMap_roundTripsAsTreeMap() {
        TreeMap<String, Integer> tree = new TreeMap<>(Map.of("b", 2, "a", 1));

        Object decoded = roundTrip(tree, parameterized(TreeMap.class, String.class, Integer.class));

        assertThat(decoded).isInstanceOf(TreeMap.class).isEqualTo(tree);
    }

    static ParameterizedType parameterized(Class<?> raw, Type... args) {
        return new ParameterizedType() {
            @Override
            public Type[] getActualTypeArguments() {
                return args.clone();
            }

            @Override
            public Type getRawType() {
                return raw;
            }

            @Override
            public Type getOwnerType() {
                return null;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof ParameterizedType p && p.getRawType().equals(raw) && p.getOwnerType() == null
                        && Arrays.equals(p.getActualTypeArguments(), args);
            }

            @Override
            public int hashCode() {
                return Arrays.hashCode(args) ^ raw.hashCode();
            }

            @Override
            public String getTypeName() {
                StringBuilder s = new StringBuilder(raw.getTypeName()).append('<');
                for (int i = 0; i < args.length; i++) {
                    s.append(i == 0 ? "" : ", ").append(args[i].getTypeName());
                }
                return s.append('>').toString();
            }
        };
    }
}
