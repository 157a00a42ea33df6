package io.github.pgs.jackson;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static org.assertj.core.api.Assertions.assertThat;

/** The codec inside a real runtime: states holding refs survive petrify and a new runtime on the same store. */
class RuntimeIntegrationTest {

    public record Room(String name, int capacity) {
    }

    public record Lobby(List<ServerRef> members) {
    }

    public record Join(ServerRef member) {
    }

    public record Members() implements Call<List<ServerRef>> {
    }

    public static final class LobbyServer implements GenServer<Room, Lobby> {

        @Override
        public Init<Lobby> init(Room room) {
            return Init.ok(new Lobby(List.of()));
        }

        @Override
        public CallResult<Lobby> handleCall(Call<?> request, From<?> from, Lobby state) {
            return switch (request) {
                case Members m -> reply(m, state.members(), state);
                default -> throw new IllegalArgumentException("unknown call " + request);
            };
        }

        @Override
        public CastResult<Lobby> handleCast(Object message, Lobby state) {
            List<ServerRef> members = new ArrayList<>(state.members());
            members.add(((Join) message).member());
            return noreply(new Lobby(members));
        }
    }

    @Test
    void stateWithRefs_survivesARestart_andTheRefsWorkInTheNewRuntime() {
        InMemoryStorage storage = new InMemoryStorage();
        Room room = new Room("main hall", 8);
        ServerRef lobbyRef;
        try (ServerRuntime first = ServerRuntime.builder().storage(storage).codec(JsonStateCodec.create()).build()) {
            lobbyRef = first.ref(LobbyServer.class, room);
            ServerRef alice = first.ref(Refs.Counter.class, "alice");
            alice.cast("tick");
            alice.cast("tick");
            lobbyRef.cast(new Join(alice));
            assertThat(lobbyRef.call(new Members())).containsExactly(alice);
        }

        try (ServerRuntime second = ServerRuntime.builder().storage(storage).build()) {
            ServerRef lobby = second.ref(LobbyServer.class, room);

            List<ServerRef> members = lobby.call(new Members());
            // Decoding a ref does not need its type; using it does.
            second.register(ServerType.of(Refs.Counter.class));

            assertThat(lobby).isEqualTo(lobbyRef);
            assertThat(members).hasSize(1);
            assertThat(members.get(0).call(new Refs.Counter.Get())).isEqualTo(2L);
        }
    }

    @Test
    void recordArguments_becomeCompactJsonKeys_withComponentsInDeclarationOrder() {
        try (ServerRuntime runtime = ServerRuntime.builder().storage(new InMemoryStorage())
                .codec(JsonStateCodec.create()).build()) {
            ServerRef ref = runtime.ref(LobbyServer.class, new Room("main hall", 8));

            assertThat(ref.id().key()).isEqualTo("{\"name\":\"main hall\",\"capacity\":8}");
            assertThat(runtime.ref(ref.id().toString())).isEqualTo(ref);
            assertThat(new String(JsonStateCodec.create().encode(new Room("main hall", 8), Room.class),
                    StandardCharsets.UTF_8)).isEqualTo(ref.id().key());
        }
    }
}
