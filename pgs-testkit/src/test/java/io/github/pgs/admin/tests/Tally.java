package io.github.pgs.admin.tests;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.TypeName;

import java.util.ArrayList;
import java.util.List;

import static io.github.pgs.Results.reply;

/** A named tally with tags: enough state to show as JSON, and a call that crashes it. */
@TypeName("tally")
public final class Tally implements GenServer<String, Tally.State> {

    public record State(String name, long count, List<String> tags) {
    }

    public record Add(long n) implements Call<Long> {}
    public record Get() implements Call<Long> {}
    public record Tag(String tag) implements Call<Integer> {}
    public record Boom() implements Call<Long> {}

    @Override
    public Init<State> init(String name) {
        return Init.ok(new State(name, 0, List.of()));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Add a -> reply(a, s.count() + a.n(), new State(s.name(), s.count() + a.n(), s.tags()));
            case Get g -> reply(g, s.count(), s);
            case Tag t -> {
                List<String> tags = new ArrayList<>(s.tags());
                tags.add(t.tag());
                yield reply(t, tags.size(), new State(s.name(), s.count(), List.copyOf(tags)));
            }
            case Boom b -> throw new IllegalStateException("boom in " + s.name());
            default -> throw new IllegalArgumentException("unknown call " + request);
        };
    }
}
