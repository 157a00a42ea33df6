package io.github.pgs.testkit.model;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.TypeName;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/** A small behaviour for the {@code ServerTestKit} tests: a player's score and the moves that made it. */
@TypeName("scorer")
public final class Scorer implements GenServer<String, Scorer.State> {

    public record State(String player, long score, List<String> moves) {
    }

    public record Score() implements Call<Long> {
    }

    public record Move(String name, int points) implements Call<Long> {
    }

    /** Never answered: the caller waits for its timeout. */
    public record Ignore() implements Call<Long> {
    }

    public record Bonus(int points) {
    }

    static final AtomicInteger INITS = new AtomicInteger();

    @Override
    public Init<State> init(String player) {
        INITS.incrementAndGet();
        return Init.ok(new State(player, 0, List.of()));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Score q -> reply(q, s.score(), s);
            case Move m -> {
                List<String> moves = new java.util.ArrayList<>(s.moves());
                moves.add(m.name());
                yield reply(m, s.score() + m.points(), new State(s.player(), s.score() + m.points(), List.copyOf(moves)));
            }
            case Ignore i -> noreply(s);
            default -> throw new IllegalArgumentException("unknown " + request);
        };
    }

    @Override
    public CastResult<State> handleCast(Object message, State s) {
        Bonus b = (Bonus) message;
        return noreply(new State(s.player(), s.score() + b.points(), s.moves()));
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        return noreply(new State(s.player(), s.score() * 2, s.moves()));
    }
}
