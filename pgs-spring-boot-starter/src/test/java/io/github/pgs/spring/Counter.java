package io.github.pgs.spring;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.TypeName;

import static io.github.pgs.Results.reply;

/** A counter whose handler uses an injected service: a behaviour bean. */
@PersistentServer
@TypeName("counter")
public class Counter implements GenServer<String, Counter.State> {

    public record State(String name, long count, String label) {}

    public record Add(long n) implements Call<Long> {}
    public record Label() implements Call<String> {}
    public record Boom() implements Call<Long> {}

    private final Labels labels;

    public Counter(Labels labels, InstanceLog log) {
        this.labels = labels;
        log.created(this);
    }

    @Override
    public Init<State> init(String name) {
        return Init.ok(new State(name, 0, labels.label(name, 0)));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Add a -> {
                long n = s.count() + a.n();
                yield reply(a, n, new State(s.name(), n, labels.label(s.name(), n)));
            }
            case Label l -> reply(l, s.label(), s);
            case Boom b -> throw new IllegalStateException("boom");
            default -> throw new IllegalArgumentException("unknown call " + request);
        };
    }
}
