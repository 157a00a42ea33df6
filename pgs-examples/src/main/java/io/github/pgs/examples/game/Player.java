package io.github.pgs.examples.game;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.TypeName;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/**
 * A player of a long-running game, the seed's example: one server per player handles the player's inputs as a
 * state machine. Pure logic: nothing here knows about persistence.
 */
@TypeName("player")
public final class Player implements GenServer<String, Player.State> {

    /** The player's state: what is persisted after every move. */
    public record State(String name, long score, int x, int y, long moves) {}

    /** Moves the player; replies the new score. Each step of the move is worth a point. */
    public record Move(int dx, int dy) implements Call<Long> {}

    /** Replies the current score. */
    public record ReadScore() implements Call<Long> {}

    /** Replies the whole state. */
    public record Inspect() implements Call<State> {}

    /** One point, no reply. */
    public record Increment() {}

    @Override
    public Init<State> init(String name) {
        return Init.ok(new State(name, 0, 0, 0, 0));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Move m -> {
                State next = new State(s.name(), s.score() + Math.abs(m.dx()) + Math.abs(m.dy()),
                        s.x() + m.dx(), s.y() + m.dy(), s.moves() + 1);
                yield reply(m, next.score(), next);
            }
            case ReadScore r -> reply(r, s.score(), s);
            case Inspect i -> reply(i, s, s);
            default -> throw new IllegalArgumentException("unknown request " + request);
        };
    }

    @Override
    public CastResult<State> handleCast(Object message, State s) {
        if (message instanceof Increment) {
            return noreply(new State(s.name(), s.score() + 1, s.x(), s.y(), s.moves()));
        }
        throw new IllegalArgumentException("unknown message " + message);
    }
}
