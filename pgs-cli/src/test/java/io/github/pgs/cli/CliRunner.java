package io.github.pgs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the tool's entry point in-process with a fixed clock and environment, capturing what it prints. */
final class CliRunner {

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Clock clock;
    private final Map<String, String> env;

    CliRunner(Instant now, Map<String, String> env) {
        this.clock = Clock.fixed(now, ZoneOffset.UTC);
        this.env = env;
    }

    /** Runs the tool, asserting it succeeded without a word on standard error. */
    Result ok(String... args) {
        Result r = run(args);
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = new PgsCli(o, e, env, clock).execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
