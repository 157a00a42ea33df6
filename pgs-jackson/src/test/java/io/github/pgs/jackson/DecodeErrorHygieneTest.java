package io.github.pgs.jackson;

import io.github.pgs.CodecException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Decode failures name the field and the problem, never a stored value: not in the message, not in any cause, not in
 * the stack trace a log prints, not in the quarantine log line.
 */
class DecodeErrorHygieneTest {

    private static final String SECRET = "hunter2-SECRET";

    /** A class Jackson cannot construct from a string: its definition message quoted the string. */
    public static final class NoCreator {
        public NoCreator(int a, int b) {
        }
    }

    /** A record whose constructor quotes what it rejects, as validation code often does. */
    public record Email(String address) {
        public Email {
            if (!address.contains("@")) {
                throw new IllegalArgumentException("not an email address: " + address);
            }
        }
    }

    public record Wallet(String owner, long coins) {
    }

    public record Holder(NoCreator noCreator, Email email, Path path, Wallet wallet, Map<String, Wallet> byName,
                         List<LocalDate> dates, UUID id, BigDecimal amount, JsonNode tree) {
    }

    /**
     * Every value position, map keys and property names that are not identifiers: places where stored text could
     * leak. (A property name that looks like an identifier is shown, as in an object read as a class it is a field
     * name: see {@link #failures_stillNameTheFieldAndTheProblem}.)
     */
    private static List<String> hostile() {
        String s = "\"" + SECRET + "\"";
        return List.of(
                "{\"noCreator\":" + s + "}",
                "{\"noCreator\":12345}",
                "{\"email\":{\"address\":" + s + "}}",
                "{\"email\":" + s + "}",
                "{\"path\":\"1:" + SECRET + "\"}",
                "{\"wallet\":{\"owner\":\"a\",\"coins\":" + s + "}}",
                "{\"wallet\":{\"owner\":\"a\",\"coins\":1,\"" + SECRET + " x\":1}}",
                "{\"wallet\":{\"owner\":\"a\",\"coins\":1,\"user@" + SECRET + "\":1}}",
                "{\"byName\":{\"" + SECRET + "\":{\"owner\":1,\"coins\":\"x\"}}}",
                "{\"byName\":{\"" + SECRET + "\":{\"owner\":\"a\",\"coins\":1,\"extra\":1}}}",
                "{\"dates\":[" + s + "]}",
                "{\"id\":" + s + "}",
                "{\"amount\":" + s + "}",
                "{\"tree\":{\"" + SECRET + "\":[1,2," + s + "]},\"wallet\":" + s + "}",
                "{\"wallet\":[" + s + "]}",
                "{\"" + SECRET + " x\":1}",
                SECRET,
                "{\"wallet\":{\"owner\":\"" + SECRET);
    }

    private static String everything(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void noDecodeFailure_carriesAStoredValue_inItsMessageCausesOrStackTrace() {
        JsonStateCodec codec = JsonStateCodec.create();
        for (String json : hostile()) {
            CodecException e = catchThrowableOfType(CodecException.class,
                    () -> codec.decode(json.getBytes(StandardCharsets.UTF_8), Holder.class, null));

            assertThat(e).as(json).isNotNull();
            assertThat(everything(e)).as(json).doesNotContain(SECRET).doesNotContain("hunter2");
        }
    }

    @Test
    void failures_stillNameTheFieldAndTheProblem() {
        JsonStateCodec codec = JsonStateCodec.create();
        record Case(String json, String problem, String field) {
        }
        String s = "\"" + SECRET + "\"";
        for (Case c : List.of(
                new Case("{\"noCreator\":" + s + "}", "cannot be mapped", "$.noCreator"),
                new Case("{\"email\":{\"address\":" + s + "}}", "the creator of Email rejected the data"
                        + " (IllegalArgumentException)", "$.email"),
                new Case("{\"wallet\":{\"owner\":\"a\",\"coins\":" + s + "}}", "wrong format for long",
                        "$.wallet.coins"),
                new Case("{\"wallet\":{\"owner\":\"a\",\"coins\":1,\"" + SECRET + " x\":1}}",
                        "unknown property (a name that is not an identifier) for Wallet", "$.wallet.?"),
                new Case("{\"wallet\":{\"owner\":\"a\",\"coins\":1,\"bonus\":1}}", "unknown property 'bonus'",
                        "$.wallet.bonus"),
                new Case("{\"byName\":{\"" + SECRET + "\":{\"owner\":\"a\",\"coins\":\"x\"}}}", "wrong format",
                        "$.byName[*].coins"),
                new Case("{\"dates\":[" + s + "]}", "wrong format for LocalDate", "$.dates[0]"))) {
            CodecException e = catchThrowableOfType(CodecException.class,
                    () -> codec.decode(c.json().getBytes(StandardCharsets.UTF_8), Holder.class, null));
            assertThat(e).as(c.json()).hasMessageContaining(c.problem()).hasMessageContaining(" at " + c.field());
        }
    }

    @Test
    void theQuarantineLogLine_andTheCallersException_carryNoStoredValue() {
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("io.github.pgs");
        log.addHandler(capture);
        InMemoryStorage store = new InMemoryStorage();
        try (ServerRuntime runtime = ServerRuntime.builder().storage(store).codec(JsonStateCodec.create())
                .register(ServerType.builder(Echo.class).name("holder").stateType(Holder.class).build()).build()) {
            int n = 0;
            for (String json : hostile()) {
                ServerId id = new ServerId("holder", "h" + n++);
                store.save(new StateWrite(id, 0, json.getBytes(StandardCharsets.UTF_8), 1));

                QuarantinedException q = catchThrowableOfType(QuarantinedException.class,
                        () -> runtime.ref(id).call(new Echo.Get()));

                assertThat(q).as(json).isNotNull();
                assertThat(everything(q)).as(json).doesNotContain("hunter2");
            }
        } finally {
            log.removeHandler(capture);
        }
        List<LogRecord> quarantines = logged.stream().filter(r -> r.getLevel() == Level.SEVERE).toList();
        assertThat(quarantines).hasSize(hostile().size());
        for (LogRecord r : logged) {
            assertThat(r.getMessage()).doesNotContain("hunter2");
            if (r.getThrown() != null) {
                assertThat(everything(r.getThrown())).doesNotContain("hunter2");
            }
        }
    }
}
