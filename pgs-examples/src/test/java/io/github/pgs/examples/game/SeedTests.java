package io.github.pgs.examples.game;

import io.github.pgs.GenServer;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed library's own three tests, ported: the same behaviour ephemeral, persistent with a normal stop that
 * resets it, and persistent with a crash-like stop that keeps its state. Run once per store.
 */
abstract class SeedTests {

    private Storage storage;
    private ServerRuntime runtime;

    /** A new, empty store. */
    protected abstract Storage newStorage() throws Exception;

    @BeforeEach
    void open() throws Exception {
        storage = newStorage();
        runtime = ServerRuntime.builder().storage(storage).build();
    }

    @AfterEach
    void close() {
        runtime.close();
        storage.close();
    }

    @Test
    void ephemeral_basicBehaviour() {
        ServerRef ref = GenServer.start(Player.class, "Vorpal");

        assertThat(ref.call(new Player.ReadScore())).isZero();
        ref.cast(new Player.Increment());
        ref.cast(new Player.Increment());
        assertThat(ref.call(new Player.ReadScore())).isEqualTo(2);

        ref.stop(StopReason.NORMAL);
    }

    @Test
    void persistent_basicBehaviour_normalStopResetsTheScore() {
        ServerRef ref = runtime.start(Player.class, "Vorpal");

        assertThat(ref.call(new Player.ReadScore())).isZero();
        ref.cast(new Player.Increment());
        ref.cast(new Player.Increment());
        ref.cast(new Player.Increment());
        assertThat(ref.call(new Player.ReadScore())).isEqualTo(3);

        ref.stop(StopReason.NORMAL);

        assertThat(ref.call(new Player.ReadScore())).as("a normal stop wiped the state").isZero();
    }

    @Test
    void persistent_nonNormalStopKeepsTheScore_thenANormalStopResetsIt() {
        ServerRef ref = runtime.start(Player.class, "Vorpal");
        ref.cast(new Player.Increment());
        ref.cast(new Player.Increment());
        assertThat(ref.call(new Player.ReadScore())).isEqualTo(2);

        ref.stop(StopReason.error("something went wrong"));

        assertThat(ref.call(new Player.ReadScore())).as("kept across a crash-like stop").isEqualTo(2);
        ref.cast(new Player.Increment());
        assertThat(ref.call(new Player.ReadScore())).isEqualTo(3);

        ref.stop(StopReason.NORMAL);

        assertThat(ref.call(new Player.ReadScore())).isZero();
    }

    @Test
    void persistent_stateSurvivesARestartOfTheRuntime() {
        ServerRef ref = runtime.start(Player.class, "Vorpal");
        ref.call(new Player.Move(3, -4));
        runtime.close();

        storage = reopen(storage);
        // a ref parsed from text needs its type registered: the new runtime knows nothing until told
        runtime = ServerRuntime.builder().storage(storage).register(ServerType.of(Player.class)).build();
        Player.State s = runtime.ref(ref.toString()).call(new Player.Inspect());

        assertThat(s).isEqualTo(new Player.State("Vorpal", 7, 3, -4, 1));
    }

    /** The same store again, as a new process would see it (a durable store closes {@code old} and reopens). */
    protected abstract Storage reopen(Storage old);
}
