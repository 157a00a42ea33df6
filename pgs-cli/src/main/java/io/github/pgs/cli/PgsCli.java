package io.github.pgs.cli;

import io.github.pgs.GenServerException;
import io.github.pgs.MissedTicks;
import io.github.pgs.Reminder;
import io.github.pgs.ServerId;
import io.github.pgs.VersionConflictException;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.CountReport;
import io.github.pgs.admin.Deletion;
import io.github.pgs.admin.ExpireFailedException;
import io.github.pgs.admin.ExpireReport;
import io.github.pgs.admin.NotStoredException;
import io.github.pgs.admin.ServerEntry;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.ServerPage;
import io.github.pgs.admin.StateText;
import io.github.pgs.console.ConsoleServer;
import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.TimeSource;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The {@code pgs} command-line tool: opens an SQLite file, a PostgreSQL database or a Redis server holding
 * PersistentGenServer state and lists, counts, inspects, deletes or expires the servers of a type, through
 * {@link Admin}. Run {@code pgs help} for the usage.
 *
 * <p>Exit status: {@value #OK} done, {@value #FAILED} not found or failed, {@value #USAGE} usage error. Output
 * goes to standard output, errors to standard error. No message ever shows a password: the tool blanks every
 * secret it was given out of whatever it prints.
 */
public final class PgsCli {

    /** Exit status: done. */
    public static final int OK = 0;
    /** Exit status: not found, refused or failed. */
    public static final int FAILED = 1;
    /** Exit status: the command line is malformed. */
    public static final int USAGE = 2;

    /** Servers per page of {@code list} unless {@code --limit} says otherwise. */
    static final int DEFAULT_LIMIT = 50;

    static final String HELP = """
            Usage: pgs STORE COMMAND [ARGS] [OPTIONS]

            List, inspect and delete the persisted servers of PersistentGenServer.

            STORE
              sqlite:PATH                   an SQLite database file
              postgres:JDBC_URL             e.g. postgres:jdbc:postgresql://127.0.0.1:5432/app
              postgres://HOST[:PORT]/DB     the same, short form
              redis://HOST[:PORT][/DB]      a Redis server (also rediss://, redis-sentinel://, or redis:URI)

            COMMANDS
              list TYPE [--after KEY] [--limit N]   servers of TYPE holding state, in key order
                                                    (N from 1 to 10000, default 50)
              count TYPE                            how many servers of TYPE hold state
              inspect TYPE:KEY [--compact] [--indent-depth D] [--max-chars N]
                                                    one server's version, timestamps and state;
                                                    JSON indented to depth D (default 8, 0 to 64;
                                                    --compact: 0), cut after N characters
                                                    (default 1048576) with a "[... truncated:" line
              delete TYPE:KEY [--version V]         delete one server's state (only if at version V);
                                                    its ref stays valid and starts it fresh
              release TYPE:KEY                      lift a recorded quarantine (a crash loop's); a
                                                    runtime running the server keeps it until restarted
              expire TYPE --older-than AGE [--dry-run]
                                                    delete the state of TYPE not written for AGE
              console [--types T1,T2] [--port N] [--bind ADDR] [--read-only]
                                                    the admin console in a browser: serves it on
                                                    127.0.0.1 (or ADDR) and prints its address with a
                                                    random access token; runs until stopped (Ctrl-C).
                                                    Also written: pgs console --store STORE ...
              help                                  this text

            STORE OPTIONS
              --user USER           PostgreSQL or Redis user
              --password-env VAR    read the password from environment variable VAR
                                    (default: PGPASSWORD for PostgreSQL, REDISCLI_AUTH for Redis)
              --schema NAME         PostgreSQL schema (default public)
              --table NAME          PostgreSQL or SQLite table (default pgs_state)
              --namespace NS        Redis key namespace (default pgs)

            KEYs are written as in server ids, percent-encoded: player:Alice%20Smith.
            AGE is a number with a unit (30d, 12h, 15m, 45s, 1d12h) or ISO-8601 (P30D, PT12H).
            Times are UTC. Exit status: 0 done, 1 not found or failed, 2 usage error.
            """;

    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int HEX_LINE = 64;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Clock clock;
    private final CountDownLatch stopConsole;

    PgsCli(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
        this(out, err, env, clock, new CountDownLatch(1));
    }

    PgsCli(PrintStream out, PrintStream err, Map<String, String> env, Clock clock, CountDownLatch stopConsole) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.clock = clock;
        this.stopConsole = stopConsole;
    }

    /** Runs the tool and exits with its status. */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (!stopping) {
            // after Ctrl-C the JVM is already exiting; exit() would wait for the shutdown hook waiting for us
            System.exit(status);
        }
    }

    /** Set when Ctrl-C (or a kill) has begun the JVM's shutdown. */
    private static volatile boolean stopping;

    /** Runs the tool on the system clock and environment, printing to {@code out} and {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CountDownLatch stop = new CountDownLatch(1);
        // Ctrl-C stops a running console: the hook lets it close its server and the store before the JVM exits
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stopping = true;
            stop.countDown();
            try {
                main.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pgs-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return new PgsCli(out, err, System.getenv(), Clock.systemUTC(), stop).execute(args);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM is exiting after Ctrl-C
            }
        }
    }

    // ---------------------------------------------------------------- commands

    private sealed interface Command permits ListCmd, CountCmd, InspectCmd, DeleteCmd, ExpireCmd, ConsoleCmd,
            ReleaseCmd {
    }

    private record ListCmd(String type, KeyCursor after, int limit) implements Command {}
    private record CountCmd(String type) implements Command {}
    private record InspectCmd(ServerId id, StateText text) implements Command {}
    private record DeleteCmd(ServerId id, Long version) implements Command {}
    private record ReleaseCmd(ServerId id) implements Command {}
    private record ExpireCmd(String type, Duration olderThan, boolean dryRun) implements Command {}
    private record ConsoleCmd(List<String> types, int port, InetAddress bind, boolean readOnly) implements Command {}

    int execute(String[] args) {
        if (CommandLine.isHelp(args)) {
            out.print(HELP);
            return OK;
        }
        StoreSpec spec = null;
        try {
            CommandLine cl = CommandLine.parse(CommandLine.storeFirst(args));
            if (cl.command.equals("help") || cl.flag("help")) {
                out.print(HELP);
                return OK;
            }
            spec = StoreSpec.parse(cl.store);
            Command command = command(cl);
            try (Storage storage = spec.open(cl, env)) {
                Admin admin = Admin.of(storage, JsonStateCodec.create()).withClock(timeSource());
                return switch (command) {
                    case ListCmd c -> list(admin, c);
                    case CountCmd c -> count(admin, c);
                    case InspectCmd c -> inspect(admin, c);
                    case DeleteCmd c -> delete(admin, c);
                    case ExpireCmd c -> expire(admin, c);
                    case ConsoleCmd c -> console(admin, c);
                    case ReleaseCmd c -> release(admin, c);
                };
            }
        } catch (UsageException e) {
            if (!e.getMessage().isEmpty()) {
                err.println("pgs: " + redact(spec, e.getMessage()));
            }
            err.println("Run 'pgs help' for usage.");
            return USAGE;
        } catch (StoreSpec.NotFound | NotStoredException e) {
            err.println("pgs: " + redact(spec, e.getMessage()));
            return FAILED;
        } catch (VersionConflictException e) {
            err.println("pgs: " + redact(spec, e.getMessage()) + "; nothing deleted");
            return FAILED;
        } catch (ExpireFailedException e) {
            err.println("pgs: " + redact(spec, e.getMessage()));
            if (!e.deleted().isEmpty()) {
                err.println("deleted before the failure: "
                        + e.deleted().stream().map(ServerId::toString).collect(Collectors.joining(" ")));
            }
            return FAILED;
        } catch (GenServerException e) {
            err.println("pgs: " + redact(spec, messageWithCause(e)));
            return FAILED;
        } catch (RuntimeException e) {
            err.println("pgs: failed: " + redact(spec, e.getClass().getSimpleName() + ": " + messageWithCause(e)));
            return FAILED;
        }
    }

    private static Command command(CommandLine cl) {
        return switch (cl.command) {
            case "list" -> {
                cl.expect(Set.of("after", "limit"), "TYPE");
                String type = type(cl.args.get(0));
                KeyCursor after = cl.option("after") == null ? null : cursor(cl.option("after"));
                yield new ListCmd(type, after, cl.option("limit") == null ? DEFAULT_LIMIT
                        : (int) number("--limit", cl.option("limit"), 1, Admin.MAX_PAGE_SIZE));
            }
            case "count" -> {
                cl.expect(Set.of(), "TYPE");
                yield new CountCmd(type(cl.args.get(0)));
            }
            case "inspect" -> {
                cl.expect(Set.of("compact", "indent-depth", "max-chars"), "TYPE:KEY");
                if (cl.flag("compact") && cl.option("indent-depth") != null) {
                    throw new UsageException("inspect: --compact and --indent-depth exclude each other");
                }
                StateText text = StateText.DEFAULTS;
                if (cl.flag("compact")) {
                    text = StateText.COMPACT;
                } else if (cl.option("indent-depth") != null) {
                    text = text.withIndentDepth((int) number("--indent-depth", cl.option("indent-depth"), 0,
                            StateText.MAX_INDENT_DEPTH));
                }
                if (cl.option("max-chars") != null) {
                    text = text.withMaxChars((int) number("--max-chars", cl.option("max-chars"), 1,
                            Integer.MAX_VALUE));
                }
                yield new InspectCmd(id(cl.args.get(0)), text);
            }
            case "delete" -> {
                cl.expect(Set.of("version"), "TYPE:KEY");
                yield new DeleteCmd(id(cl.args.get(0)), cl.option("version") == null ? null
                        : number("--version", cl.option("version"), 1, Long.MAX_VALUE));
            }
            case "release" -> {
                cl.expect(Set.of(), "TYPE:KEY");
                yield new ReleaseCmd(id(cl.args.get(0)));
            }
            case "expire" -> {
                cl.expect(Set.of("older-than", "dry-run"), "TYPE");
                if (cl.option("older-than") == null) {
                    throw new UsageException("expire: missing --older-than AGE");
                }
                yield new ExpireCmd(type(cl.args.get(0)), Durations.parse(cl.option("older-than")),
                        cl.flag("dry-run"));
            }
            case "console" -> {
                cl.expect(Set.of("types", "port", "bind", "read-only"));
                List<String> types = cl.option("types") == null ? List.of()
                        : java.util.Arrays.stream(cl.option("types").split(",")).map(String::trim)
                                .filter(t -> !t.isEmpty()).map(PgsCli::type).toList();
                int port = cl.option("port") == null ? 0 : (int) number("--port", cl.option("port"), 0, 65535);
                InetAddress bind;
                try {
                    bind = cl.option("bind") == null ? InetAddress.getLoopbackAddress()
                            : InetAddress.getByName(cl.option("bind"));
                } catch (java.net.UnknownHostException e) {
                    throw new UsageException("--bind: unknown address '" + Terminal.safe(cl.option("bind")) + "'");
                }
                yield new ConsoleCmd(types, port, bind, cl.flag("read-only"));
            }
            default -> throw new UsageException("unknown command '" + Terminal.safe(cl.command) + "'");
        };
    }

    private int list(Admin admin, ListCmd c) {
        ServerPage page = admin.list(c.type(), c.after(), c.limit());
        if (!page.entries().isEmpty()) {
            entryTable(page.entries()).print(out);
        }
        int n = page.entries().size();
        if (page.hasMore()) {
            out.println(servers(n) + " shown; more after this page: --after " + page.next().text());
        } else {
            out.println(servers(n) + (c.after() == null ? "" : " after the given key"));
        }
        for (SkippedRow row : page.skipped()) {
            out.println("skipped an unreadable row (" + Terminal.safe(row.problem()) + ") at --after "
                    + row.position());
        }
        return OK;
    }

    private int count(Admin admin, CountCmd c) {
        CountReport r = admin.countReport(c.type());
        out.println(r.servers());
        if (r.unreadable() > 0) {
            err.println("pgs: skipped " + rows(r.unreadable()) + " of type " + c.type()
                    + " that cannot be read (not counted; 'pgs list' shows where)");
        }
        return OK;
    }

    private int inspect(Admin admin, InspectCmd c) {
        ServerInfo info = admin.withStateText(c.text()).inspect(c.id());
        Instant now = clock.instant();
        Table t = new Table("", "");
        t.row("server", info.id());
        t.row("status", info.status().label());
        admin.quarantine(info.id()).ifPresent(q -> t.row("quarantined", MILLIS.format(q.since()) + ": "
                + Terminal.safe(q.lastFailure())));
        t.row("version", info.version());
        t.row("schema version", info.schemaVersion());
        t.row("updated", MILLIS.format(info.updatedAt()) + " (" + age(info.updatedAt(), now) + " ago)");
        t.row("size", info.payloadBytes() + (info.payloadBytes() == 1 ? " byte" : " bytes"));
        t.row("history", history(info));
        t.row("reminders", info.reminders().isEmpty() ? "none" : Integer.toString(info.reminders().size()));
        for (Reminder r : info.reminders()) {
            t.row("  " + Terminal.safe(r.name()), "due " + MILLIS.format(r.due())
                    + (r.periodic() ? ", every " + Durations.describe(r.period()) : ", once")
                    + (r.missedTicks() == MissedTicks.SKIP ? ", skips missed ticks" : ""));
        }
        t.row("state", info.format().name().toLowerCase(Locale.ROOT)
                + (info.format() == ServerInfo.Format.JSON ? "" : " (" + info.codec() + " codec)")
                + (info.stateTruncated() ? ", cut at " + c.text().maxChars() + " characters (see --max-chars)" : ""));
        t.print(out, false);
        out.println();
        switch (info.format()) {
            case JSON, TEXT -> out.println(Terminal.safeMultiline(info.state()));
            case HEX -> {
                String hex = info.state();
                for (int i = 0; i < hex.length(); i += HEX_LINE) {
                    out.println(hex.substring(i, Math.min(hex.length(), i + HEX_LINE)));
                }
            }
        }
        return OK;
    }

    private int release(Admin admin, ReleaseCmd c) {
        boolean was = admin.release(c.id());
        out.println(was ? "released " + Terminal.safe(c.id().toString()) + ": its next message activates it again"
                : Terminal.safe(c.id().toString()) + " was not quarantined");
        return OK;
    }

    private int delete(Admin admin, DeleteCmd c) {
        Deletion d = c.version() == null ? admin.delete(c.id()) : admin.delete(c.id(), c.version());
        out.println("deleted " + Terminal.safe(d.id().toString()) + " version " + d.deletedVersion()
                + " (tombstone version " + d.tombstoneVersion() + ")");
        return OK;
    }

    private int expire(Admin admin, ExpireCmd c) {
        ExpireReport r = admin.expire(c.type(), c.olderThan(), c.dryRun());
        String what = (r.dryRun() ? "would delete " : "deleted ") + r.expired().size() + " of "
                + servers(r.examined()) + " of type " + c.type() + " not written since "
                + SECONDS.format(r.cutoff()) + " (older than " + Durations.describe(c.olderThan()) + ")";
        out.println(what + (r.expired().isEmpty() ? "" : ":"));
        if (!r.expired().isEmpty()) {
            entryTable(r.expired()).print(out);
        }
        if (r.skippedChanged() > 0) {
            out.println("skipped " + servers(r.skippedChanged()) + " written or deleted meanwhile");
        }
        if (r.unreadable() > 0) {
            out.println("skipped " + rows(r.unreadable()) + " that cannot be read ('pgs list' shows where)");
        }
        if (r.dryRun() && !r.expired().isEmpty()) {
            out.println("dry run: nothing was deleted");
        }
        return OK;
    }

    /**
     * Serves the console until {@link #stopConsole} is released (by the shutdown hook on Ctrl-C, or by a test).
     */
    private int console(Admin admin, ConsoleCmd c) {
        try (ConsoleServer server = ConsoleServer.builder(admin).types(c.types()).bind(c.bind()).port(c.port())
                .readOnly(c.readOnly()).start()) {
            out.println("pgs console on " + server.url() + (c.readOnly() ? " (read-only)" : ""));
            out.println("open: " + server.loginUrl());
            if (!c.bind().isLoopbackAddress()) {
                out.println("warning: listening on " + c.bind().getHostAddress() + " over plain HTTP: the access "
                        + "token and the states travel unencrypted; prefer 127.0.0.1 with an SSH tunnel");
            }
            out.println("stop with Ctrl-C");
            out.flush();
            try {
                stopConsole.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (java.io.UncheckedIOException e) {
            err.println("pgs: " + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
            return FAILED;
        }
        out.println("console stopped");
        return OK;
    }

    // ---------------------------------------------------------------- formatting

    private Table entryTable(List<ServerEntry> entries) {
        Instant now = clock.instant();
        Table t = new Table("KEY", ">VERSION", "UPDATED", ">AGE", ">SIZE");
        for (ServerEntry e : entries) {
            t.row(encodedKey(e.id().type(), e.key()), e.version(), SECONDS.format(e.updatedAt()),
                    age(e.updatedAt(), now), e.payloadBytes());
        }
        return t;
    }

    private static String history(ServerInfo info) {
        if (!info.historySupported()) {
            return "not kept by this store";
        }
        if (info.history().isEmpty()) {
            return "none kept";
        }
        return "versions " + info.history().stream().map(h -> Long.toString(h.version()))
                .collect(Collectors.joining(", ")) + " kept (oldest " + MILLIS.format(
                info.history().getLast().updatedAt()) + ")";
    }

    private static String age(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return Durations.describe(d.isNegative() ? Duration.ZERO : d);
    }

    private static String servers(long n) {
        return n + (n == 1 ? " server" : " servers");
    }

    private static String rows(long n) {
        return n + (n == 1 ? " row" : " rows");
    }

    /** The key as written on the command line: percent-encoded as in the server id's text form. */
    private static String encodedKey(String type, String key) {
        return new ServerId(type, key).toString().substring(type.length() + 1);
    }

    // ---------------------------------------------------------------- parsing

    private static String type(String text) {
        if (!ServerId.isValidTypeName(text)) {
            throw new UsageException("not a type name: '" + Terminal.safe(text) + "' (letters, digits, _ . $ -)");
        }
        return text;
    }

    private static ServerId id(String text) {
        try {
            return ServerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(Terminal.safe(e.getMessage()) + " (write TYPE:KEY, the key percent-encoded)");
        }
    }

    /** A key written as in server ids (percent-encoded), taken as its exact bytes, valid UTF-8 or not. */
    private static KeyCursor cursor(String encoded) {
        try {
            return KeyCursor.parse(encoded);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--after: " + Terminal.safe(e.getMessage()) + " (write the key percent-encoded)");
        }
    }

    private static long number(String option, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, not '" + Terminal.safe(text) + "'");
        }
        if (v < min || v > max) {
            throw new UsageException(option + " must be from " + min + " to " + max + ": " + v);
        }
        return v;
    }

    private TimeSource timeSource() {
        return new TimeSource() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public long currentTimeMillis() {
                return clock.millis();
            }
        };
    }

    private static String messageWithCause(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !m.contains(cause.getMessage())) {
            m += " (" + cause.getMessage() + ")";
        }
        return m;
    }

    private static String redact(StoreSpec spec, String message) {
        String m = spec == null ? message : spec.redact(message);
        return Terminal.safe(m);
    }
}
