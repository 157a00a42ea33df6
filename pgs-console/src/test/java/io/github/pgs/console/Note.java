package io.github.pgs.console;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ServerContext;
import io.github.pgs.TypeName;

import java.time.Duration;
import java.util.List;

import static io.github.pgs.Results.reply;

/** A note with a text and an edit count: the servers the console tests look at. */
@TypeName("note")
public final class Note implements GenServer<String, Note.State> {

    public record State(String owner, String text, int edits, List<String> tags) {}

    public record Write(String text) implements Call<Integer> {}
    public record Read() implements Call<String> {}
    public record Boom() implements Call<Integer> {}
    /** Sets a durable reminder every {@code minutes}. */
    public record Remind(String name, int minutes) implements Call<Integer> {}

    @Override
    public Init<State> init(String owner) {
        return Init.ok(new State(owner, "", 0, List.of("new")));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Write w -> reply(w, s.edits() + 1, new State(s.owner(), w.text(), s.edits() + 1, List.of("edited")));
            case Read r -> reply(r, s.text(), s);
            case Remind r -> {
                ServerContext.current().remindEvery(r.name(), Duration.ofMinutes(r.minutes()));
                yield reply(r, s.edits(), s);
            }
            case Boom b -> throw new IllegalStateException("boom");
            default -> throw new IllegalArgumentException("unknown call " + request);
        };
    }
}
