package io.github.pgs.it;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CodecException;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.Init;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.RefTo;
import io.github.pgs.RefTypeMismatchException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.StateText;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.github.pgs.Results.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The JSON codec's read limits, error hygiene and stored-ref checks on real stores: rows written to the store as
 * bytes, read back through a runtime, refused with a typed error that names the limit or field and never a stored
 * value, while the bytes stay untouched and every other server keeps serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CodecHardeningTest {

    private static final String SECRET = "hunter2-SECRET";

    enum Store { SQLITE, POSTGRES, REDIS }

    public record Email(String address) {
        public Email {
            if (address != null && !address.contains("@")) {
                throw new IllegalArgumentException("not an email address: " + address);
            }
        }
    }

    public record Account(String owner, Email email, BigInteger balance, BigDecimal rate, List<Object> notes,
                          @RefTo(Tally.class) ServerRef player) {
    }

    public record Get() implements Call<Account> {
    }

    public record SetBalance(BigInteger balance) implements Call<Account> {
    }

    public static final class AccountServer implements GenServer<String, Account> {
        @Override
        public Init<Account> init(String key) {
            return Init.ok(new Account(key, null, BigInteger.ZERO, BigDecimal.ONE, List.of(), null));
        }

        @Override
        public CallResult<Account> handleCall(Call<?> request, From<?> from, Account s) {
            return switch (request) {
                case SetBalance b -> {
                    Account next = new Account(s.owner(), s.email(), b.balance(), s.rate(), s.notes(), s.player());
                    yield reply(b, next, next);
                }
                case Get g -> reply(g, s, s);
                default -> throw new IllegalArgumentException("unknown request " + request.getClass().getSimpleName());
            };
        }
    }

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public synchronized void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private String accountType;
    private String playerType;
    private String namespace;

    @BeforeEach
    void names() {
        accountType = Stores.unique("account");
        playerType = Stores.unique("player");
        Logger.getLogger("io.github.pgs").addHandler(capture);
    }

    @AfterEach
    void closeAll() throws Exception {
        Logger.getLogger("io.github.pgs").removeHandler(capture);
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (namespace != null) {
            Stores.purgeRedis(namespace);
        }
    }

    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    private Storage open(Store kind) {
        Storage s = switch (kind) {
            case SQLITE -> Stores.sqliteFast(dir.resolve("pgs.db"));
            case POSTGRES -> Stores.postgres();
            case REDIS -> {
                namespace = Stores.unique("codec");
                yield Stores.redis(Stores.redisUri(), namespace, Duration.ofSeconds(5));
            }
        };
        toClose.add(s);
        return s;
    }

    private ServerRuntime runtime(Storage store) {
        ServerRuntime r = ServerRuntime.builder().storage(store).codec(Stores.codec())
                .shutdownTimeout(Duration.ofSeconds(10))
                .register(ServerType.builder(Tally.class).name(playerType).build())
                .register(ServerType.builder(AccountServer.class).name(accountType).build())
                .build();
        toClose.add(r);
        return r;
    }

    private static String everything(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** A stored account as JSON, each argument the raw JSON of its component. */
    private static String account(String email, String balance, String rate, String notes, String player) {
        return "{\"owner\":\"o\",\"email\":" + email + ",\"balance\":" + balance + ",\"rate\":" + rate
                + ",\"notes\":" + notes + ",\"player\":" + player + "}";
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void hostileRows_quarantineOnlyTheirServer_withATypedErrorThatNamesTheProblem_andNoStoredValue(Store kind) {
        Storage store = open(kind);
        ServerRuntime runtime = runtime(store);
        record Row(String key, String json, Class<? extends Throwable> cause, String says) {
        }
        String longKey = "k".repeat(5_000);
        List<Row> rows = List.of(
                // ~1,100 numbers of 100,000 digits each, if expanded: tens of MB from an 8 KB row
                new Row("exponents", account("null", "1e99999", "1", "[" + "1e99999,".repeat(1_100) + "1]", "null"),
                        null, "maxNumberScale (1000) for BigInteger at $.balance"),
                new Row("secret", account("{\"address\":\"" + SECRET + "\"}", "0", "1", "[]", "null"), null,
                        "the creator of Email rejected the data (IllegalArgumentException) at $.email"),
                new Row("secretFormat", account("null", "0", "\"" + SECRET + "\"", "[]", "null"), null,
                        "wrong format for BigDecimal at $.rate"),
                new Row("deep", account("null", "0", "1", "[".repeat(100_000) + "]".repeat(100_000), "null"), null,
                        "maxNestingDepth (500)"),
                new Row("longRef", account("null", "0", "1", "[]", "\"" + playerType + ":" + longKey + "\""),
                        KeyTooLongException.class, "$.player"),
                new Row("wrongRef", account("null", "0", "1", "[]", "\"" + accountType + ":x\""), null,
                        "the ref at $.player points to a server of type '" + accountType + "'"));
        for (Row row : rows) {
            store.save(new StateWrite(new ServerId(accountType, row.key()), 0,
                    row.json().getBytes(StandardCharsets.UTF_8), 1));
        }
        ServerRef good = runtime.ref(AccountServer.class, "good");
        good.call(new SetBalance(BigInteger.TEN.pow(999)));

        for (Row row : rows) {
            ServerId id = new ServerId(accountType, row.key());
            QuarantinedException q = catchThrowableOfType(QuarantinedException.class,
                    () -> runtime.ref(id).call(new Get()));

            assertThat(q).as(row.key()).isNotNull();
            assertThat(q.getCause()).as(row.key()).isInstanceOf(CodecException.class);
            assertThat(q).as(row.key()).hasMessageContaining(row.says());
            if (row.cause() != null) {
                assertThat(q.getCause()).hasCauseInstanceOf(row.cause());
            }
            assertThat(everything(q)).as(row.key()).doesNotContain("hunter2").doesNotContain(longKey);
            assertThat(store.load(id).payload()).as(row.key())
                    .isEqualTo(row.json().getBytes(StandardCharsets.UTF_8));
        }
        assertThat(catchThrowableOfType(QuarantinedException.class,
                () -> runtime.ref(new ServerId(accountType, "wrongRef")).call(new Get())).getCause())
                .isInstanceOfSatisfying(RefTypeMismatchException.class, e -> {
                    assertThat(e.field()).isEqualTo("$.player");
                    assertThat(e.declaredType()).isEqualTo(playerType);
                });
        assertThat(store.load(new ServerId(playerType, longKey)).hasPayload()).isFalse();
        assertThat(good.call(new Get()).balance()).isEqualTo(BigInteger.TEN.pow(999));
        synchronized (capture) {
            assertThat(logged).isNotEmpty().allSatisfy(r -> {
                assertThat(String.valueOf(r.getMessage())).doesNotContain("hunter2");
                if (r.getThrown() != null) {
                    assertThat(everything(r.getThrown())).doesNotContain("hunter2");
                }
            });
        }

        ServerInfo deep = Admin.of(runtime).inspect(new ServerId(accountType, "deep"));
        assertThat(deep.format()).isEqualTo(ServerInfo.Format.JSON);
        assertThat(deep.state().length()).isLessThan(deep.payloadBytes() + 2 * 1024);
        assertThat(Admin.of(runtime).withStateText(StateText.COMPACT.withMaxChars(1000))
                .inspect(new ServerId(accountType, "exponents")).stateTruncated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void statesWithinTheLimits_surviveARestart_andOnesBeyond_areNeverWritten(Store kind) {
        Storage store = open(kind);
        ServerRuntime first = runtime(store);
        ServerRef ref = first.ref(AccountServer.class, "big");
        BigInteger largest = BigInteger.TEN.pow(1_000).subtract(BigInteger.ONE); // 1,000 nines
        ref.call(new SetBalance(largest));
        long version = store.load(ref.id()).version();

        GenServerException refused = catchThrowableOfType(GenServerException.class,
                () -> ref.call(new SetBalance(BigInteger.TEN.pow(1_000))));

        assertThat(refused).isNotNull();
        assertThat(everything(refused)).contains("maxNumberLength (1000)").contains("could not be read back");
        assertThat(store.load(ref.id()).version()).isEqualTo(version);
        first.close();

        ServerRuntime second = runtime(store);
        assertThat(second.ref(AccountServer.class, "big").call(new Get()).balance()).isEqualTo(largest);
    }
}
