package io.github.pgs.jackson;

import io.github.pgs.CodecException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.RefTo;
import io.github.pgs.RefTypeMismatchException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeName;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Refs read from stored data: checked as refs made in code, and against the type their field declares. */
class StoredRefCheckTest {

    @TypeName("player")
    public static final class Player extends Refs.Counter {
    }

    @TypeName("guild")
    public static final class Guild extends Refs.Counter {
    }

    public record Roster(String name, @RefTo(Player.class) List<ServerRef> members,
                         @RefTo(Player.class) Optional<ServerRef> captain,
                         @RefTo(Player.class) Map<ServerRef, Integer> scores,
                         @RefTo(Player.class) ServerRef[] bench, ServerRef anything) {
    }

    /** Holds refs of its own; the outer annotation does not reach inside it. */
    public record Nested(@RefTo(Player.class) ServerRef player, Inner inner) {
    }

    public record Inner(ServerRef free, @RefTo(Guild.class) ServerRef guild) {
    }

    public record Holder(ServerRef target) {
    }

    private final InMemoryStorage store = new InMemoryStorage();
    private final JsonStateCodec codec = JsonStateCodec.create();
    private final ServerRuntime runtime = ServerRuntime.builder().storage(store).codec(codec).maxKeyBytes(64)
            .register(ServerType.of(Player.class)).register(ServerType.of(Guild.class)).build();
    private int stored;

    @AfterEach
    void close() {
        runtime.close();
    }

    /**
     * Stores {@code json} as the state of a fresh server whose state type is {@code type} and has the runtime
     * decode it: the state, or the decode failure that quarantined the server.
     */
    private Object decode(String json, Class<?> type) {
        String name = "echo-" + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
        runtime.register(ServerType.builder(Echo.class).name(name).stateType(type).build());
        ServerId id = new ServerId(name, "s" + stored++);
        store.save(new StateWrite(id, 0, json.getBytes(StandardCharsets.UTF_8), 1));
        try {
            return runtime.ref(id).call(new Echo.Get());
        } catch (QuarantinedException e) {
            assertThat(store.load(id).payload()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
            throw (RuntimeException) e.getCause();
        }
    }

    @Test
    void storedRefWithAKeyOverTheLimit_isRefusedLikeARefMadeInCode() {
        String key = "k".repeat(5_000);
        KeyTooLongException inCode = catchThrowableOfType(KeyTooLongException.class,
                () -> runtime.ref(Player.class, key));
        assertThat(inCode).isNotNull();

        CodecException stored = catchThrowableOfType(CodecException.class,
                () -> decode("{\"target\":\"player:" + key + "\"}", Holder.class));

        assertThat(stored).hasMessageContaining("$.target").hasMessageNotContaining(key);
        assertThat(stored.getCause()).isInstanceOfSatisfying(KeyTooLongException.class, e -> {
            assertThat(e.size()).isEqualTo(inCode.size());
            assertThat(e.limit()).isEqualTo(inCode.limit()).isEqualTo(64);
            assertThat(e).hasMessage(inCode.getMessage());
        });
        // the same holds for a type the runtime does not know yet, and for refs as map keys
        assertThatThrownBy(() -> decode("{\"target\":\"unknown.type:" + key + "\"}", Holder.class))
                .isInstanceOf(CodecException.class).hasCauseInstanceOf(KeyTooLongException.class);
        assertThatThrownBy(() -> decode("{\"name\":\"r\",\"members\":[],\"captain\":null,\"scores\":{\"player:" + key
                + "\":1},\"bench\":[],\"anything\":null}", Roster.class))
                .isInstanceOf(CodecException.class).hasCauseInstanceOf(KeyTooLongException.class);
    }

    @Test
    void storedStateHoldingAnOverlongRef_quarantinesItsServer_andNothingIsWrittenThroughIt() {
        String key = "k".repeat(5_000);

        assertThatThrownBy(() -> decode("{\"target\":\"player:" + key + "\"}", Holder.class))
                .isInstanceOf(CodecException.class).hasCauseInstanceOf(KeyTooLongException.class);
        assertThat(store.load(new ServerId("player", key)).hasPayload()).isFalse();
    }

    @Test
    void refOfTheDeclaredType_decodes_inEveryContainer() {
        Roster r = (Roster) decode("""
                {"name":"r","members":["player:a","player:b"],"captain":"player:a","scores":{"player:b":3},
                 "bench":["player:c"],"anything":"guild:g"}""", Roster.class);

        assertThat(r.members()).containsExactly(runtime.ref(Player.class, "a"), runtime.ref(Player.class, "b"));
        assertThat(r.captain()).contains(runtime.ref(Player.class, "a"));
        assertThat(r.scores()).containsEntry(runtime.ref(Player.class, "b"), 3);
        assertThat(r.bench()).containsExactly(runtime.ref(Player.class, "c"));
        assertThat(r.anything()).isEqualTo(runtime.ref(Guild.class, "g"));
    }

    @Test
    void refOfAnotherType_inADeclaredField_failsWithATypedErrorNamingTheField() {
        String[] wrong = {
            "{\"name\":\"r\",\"members\":[\"player:a\",\"guild:g\"],\"captain\":null,\"scores\":{},\"bench\":[],"
                    + "\"anything\":null}",
            "{\"name\":\"r\",\"members\":[],\"captain\":\"guild:g\",\"scores\":{},\"bench\":[],\"anything\":null}",
            "{\"name\":\"r\",\"members\":[],\"captain\":null,\"scores\":{\"guild:g\":1},\"bench\":[],"
                    + "\"anything\":null}",
            "{\"name\":\"r\",\"members\":[],\"captain\":null,\"scores\":{},\"bench\":[\"guild:g\"],"
                    + "\"anything\":null}",
        };
        String[] fields = {"$.members[1]", "$.captain", "$.scores", "$.bench[0]"};
        for (int i = 0; i < wrong.length; i++) {
            int n = i;
            assertThatThrownBy(() -> decode(wrong[n], Roster.class))
                    .as(fields[i])
                    .isInstanceOfSatisfying(RefTypeMismatchException.class, e -> {
                        assertThat(e.field()).startsWith(fields[n]);
                        assertThat(e.declaredType()).isEqualTo("player");
                        assertThat(e.actualType()).isEqualTo("guild");
                        assertThat(e).hasMessageContaining(fields[n]).hasMessageContaining(Roster.class.getTypeName())
                                .hasMessageNotContaining("guild:g");
                    });
        }
    }

    @Test
    void theDeclarationAppliesToItsOwnField_notToRefsInsideNestedRecords() {
        Nested ok = (Nested) decode("{\"player\":\"player:p\",\"inner\":{\"free\":\"guild:x\",\"guild\":\"guild:g\"}}",
                Nested.class);
        assertThat(ok.inner().free()).isEqualTo(runtime.ref(Guild.class, "x"));

        assertThatThrownBy(() -> decode("{\"player\":\"player:p\",\"inner\":{\"free\":null,\"guild\":\"player:q\"}}",
                Nested.class))
                .isInstanceOfSatisfying(RefTypeMismatchException.class, e -> {
                    assertThat(e.field()).isEqualTo("$.inner.guild");
                    assertThat(e.declaredType()).isEqualTo("guild");
                });
    }

    @Test
    void theDeclaredTypeIsTheNameTheRuntimeRegisteredTheBehaviourUnder() {
        try (ServerRuntime renamed = ServerRuntime.builder().storage(new InMemoryStorage()).codec(codec)
                .register(ServerType.builder(Player.class).name("hero").build())
                .register(ServerType.builder(Echo.class).name("nested").stateType(Nested.class).build()).build()) {
            renamed.storage().save(new StateWrite(new ServerId("nested", "ok"), 0,
                    "{\"player\":\"hero:p\",\"inner\":null}".getBytes(StandardCharsets.UTF_8), 1));
            renamed.storage().save(new StateWrite(new ServerId("nested", "bad"), 0,
                    "{\"player\":\"player:p\",\"inner\":null}".getBytes(StandardCharsets.UTF_8), 1));

            Nested n = (Nested) renamed.ref(new ServerId("nested", "ok")).call(new Echo.Get());

            assertThat(n.player()).isEqualTo(renamed.ref(Player.class, "p"));
            assertThatThrownBy(() -> renamed.ref(new ServerId("nested", "bad")).call(new Echo.Get()))
                    .isInstanceOf(QuarantinedException.class).hasCauseInstanceOf(RefTypeMismatchException.class);
        }
        // a resolver that knows no registrations compares with the behaviour's own name (@TypeName here)
        assertThat(codec.decode("{\"player\":\"player:p\",\"inner\":null}".getBytes(StandardCharsets.UTF_8),
                Nested.class, runtime::ref)).isEqualTo(new Nested(runtime.ref(Player.class, "p"), null));
        assertThatThrownBy(() -> codec.decode("{\"player\":\"guild:g\",\"inner\":null}"
                .getBytes(StandardCharsets.UTF_8), Nested.class, runtime::ref))
                .isInstanceOf(RefTypeMismatchException.class);
    }
}
