package io.github.pgs.runtime;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.StateMapping;
import io.github.pgs.TypeName;

import java.util.ArrayList;
import java.util.List;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/**
 * Deferred replies and a state mapping: callers of {@link Await} wait until someone casts {@link Signal}; the
 * waiting {@link From}s live only in memory, the persisted form keeps just the count of signals.
 */
@TypeName("waiter")
public final class Waiter implements GenServer<String, Waiter.Live> {

    public record Live(long signals, List<From<Long>> waiting) {}
    public record Saved(long signals) {}

    public record Await() implements Call<Long> {}
    public record Count() implements Call<Long> {}
    public record Waiting() implements Call<Integer> {}
    public record Signal() {}

    public static final StateMapping<Live, Saved> MAPPING = StateMapping.of(Saved.class,
            live -> new Saved(live.signals()), saved -> new Live(saved.signals(), List.of()));

    @Override
    public Init<Live> init(String args) {
        return Init.ok(new Live(0, List.of()));
    }

    @Override
    public CallResult<Live> handleCall(Call<?> request, From<?> from, Live s) {
        return switch (request) {
            case Await a -> {
                List<From<Long>> w = new ArrayList<>(s.waiting());
                w.add(from.typed(a));
                yield noreply(new Live(s.signals(), List.copyOf(w)));
            }
            case Count c -> reply(c, s.signals(), s);
            case Waiting w -> reply(w, s.waiting().size(), s);
            default -> throw new IllegalArgumentException(String.valueOf(request));
        };
    }

    @Override
    public CastResult<Live> handleCast(Object message, Live s) {
        long next = s.signals() + 1;
        for (From<Long> f : s.waiting()) {
            f.reply(next);
        }
        return noreply(new Live(next, List.of()));
    }
}
