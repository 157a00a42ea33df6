package io.github.pgs.it;

import io.github.pgs.ServerId;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract point 2 against a real crash: a child JVM ({@link CrashChild}) makes acknowledged increments over
 * {@value #SERVERS} servers, appending each acknowledgement to a log file as soon as its call returned, and is
 * killed with SIGKILL at a random moment (up to 2 s after its first acknowledgement). The store is then read and
 * must hold every acknowledged increment; at most the calls in flight at the kill (one per caller) may be there
 * without an acknowledgement. Then the next child starts on the same store, revives the servers and carries on,
 * and is killed in turn.
 *
 * <p>{@value #CI_RUNS} kills per store per build; {@code -Dpgs.it.crash.runs=100} for a long run (see
 * RELIABILITY.md). Each run prints its figures; the totals are printed at the end.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class CrashTest {

    static final int SERVERS = 1_000;
    static final int CALLERS = 32;
    static final int CI_RUNS = 3;

    @TempDir
    Path dir;

    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    @Test
    void acknowledgedIncrements_surviveSigkill_onSqlite() throws Exception {
        Path file = dir.resolve("crash.db");
        crashRuns("sqlite", file.toString(), "tally", () -> Stores.sqlite(file), () -> { });
    }

    @Test
    void acknowledgedIncrements_surviveSigkill_onPostgres() throws Exception {
        String type = Stores.unique("crash");
        String application = Stores.unique("crash-child");
        String url = Stores.pgUrl() + (Stores.pgUrl().contains("?") ? "&" : "?") + "ApplicationName=" + application;
        // A killed client's last statement still runs to its end on the server: wait until its sessions are gone
        // before reading, or its in-flight writes would land after the check.
        crashRuns("postgres", url, type, Stores::postgres, () -> awaitNoSessions(application));
    }

    private static void awaitNoSessions(String application) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = DriverManager.getConnection(Stores.pgUrl(), Stores.pgUser(), Stores.pgPassword());
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, application);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("the killed child's sessions ended").isLessThan(deadline);
                Thread.sleep(20); // bounded polling of the database's view of a dead client
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void crashRuns(String kind, String location, String type, Supplier<Storage> verifyStore,
                           Runnable afterKill) throws Exception {
        int runs = Stores.intProperty("pgs.it.crash.runs", CI_RUNS);
        Random random = new Random();
        Map<String, Long> maxAcked = new HashMap<>();
        long totalAcked = 0;
        long totalExtra = 0;
        long totalLost = 0;
        long totalFailed = 0;
        for (int run = 1; run <= runs; run++) {
            long killAfterMillis = random.nextInt(2_000);
            Child child = Child.start(kind, location, type, Map.copyOf(maxAcked));
            Run r;
            try {
                assertThat(child.awaitFirstAck(120)).as("run %s: the child acknowledges", run).isTrue();
                Thread.sleep(killAfterMillis); // a real process: waiting for a random moment to kill it
            } finally {
                r = child.kill();
            }
            afterKill.run();
            long lost = 0;
            long extra = 0;
            try (Storage store = verifyStore.get()) {
                List<ServerId> ids = new ArrayList<>();
                for (int i = 0; i < SERVERS; i++) {
                    ids.add(new ServerId(type, CrashChild.key(i)));
                }
                Map<ServerId, StoredState> stored = store.loadAll(ids);
                for (ServerId id : ids) {
                    StoredState s = stored.get(id);
                    long count = s.hasPayload() ? RaceTest.storedCount(s) : 0;
                    long acked = Math.max(maxAcked.getOrDefault(id.key(), 0L), r.maxAcked.getOrDefault(id.key(), 0L));
                    if (count < acked) {
                        lost += acked - count;
                    } else {
                        extra += count - acked;
                    }
                    maxAcked.put(id.key(), Math.max(acked, count));
                }
            }
            totalAcked += r.acks;
            totalLost += lost + r.repeated;
            totalExtra += extra;
            totalFailed += r.failed;
            System.out.printf("crash %s run %d: killed after %d ms, %d acknowledged, %d failed calls, "
                            + "%d lost, %d repeated acks, %d unacknowledged in store (in flight)%n",
                    kind, run, killAfterMillis, r.acks, r.failed, lost, r.repeated, extra);
            assertThat(lost).as("run %s: acknowledged increments missing from the store", run).isZero();
            assertThat(r.repeated).as("run %s: a count acknowledged twice (a lost or forked write)", run).isZero();
            assertThat(extra).as("run %s: unacknowledged increments are at most the calls in flight", run)
                    .isLessThanOrEqualTo(CALLERS);
            assertThat(r.stderr).as("run %s: the child failed on its own", run).doesNotContain("Exception in thread");
        }
        System.out.printf("crash %s total: %d SIGKILL runs, %d acknowledged increments, %d lost, "
                + "%d unacknowledged in store, %d failed calls%n", kind, runs, totalAcked, totalLost, totalExtra,
                totalFailed);
        assertThat(totalAcked).as("the children did acknowledge increments").isPositive();
    }

    /** What one killed child acknowledged. */
    private record Run(long acks, long failed, long repeated, Map<String, Long> maxAcked, String stderr) {
    }

    /** A running child, its acknowledgement log and its standard error. */
    private static final class Child {
        final Process process;
        final Path log;
        final Path stderr;
        final Map<String, Long> floor;

        private Child(Process process, Path log, Path stderr, Map<String, Long> floor) {
            this.process = process;
            this.log = log;
            this.stderr = stderr;
            this.floor = floor;
        }

        /**
         * Starts a child; {@code floor} holds the counts verified in the store before it starts, which every
         * count it acknowledges must exceed.
         */
        static Child start(String kind, String location, String type, Map<String, Long> floor) throws IOException {
            String java = ProcessHandle.current().info().command().orElseThrow();
            String classPath = System.getProperty("surefire.test.class.path",
                    System.getProperty("java.class.path"));
            Path log = Files.createTempFile("crash-child", ".log");
            Path err = Files.createTempFile("crash-child", ".err");
            ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                    "-cp", classPath, CrashChild.class.getName(), log.toString(), kind, location, type,
                    Integer.toString(SERVERS), Integer.toString(CALLERS))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            return new Child(pb.start(), log, err, floor);
        }

        /** Bounded polling of the log until the child has acknowledged something (or died). */
        boolean awaitFirstAck(long timeoutSeconds) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline && process.isAlive()) {
                if (Files.readString(log).contains("\nack ")) {
                    return true;
                }
                Thread.sleep(10);
            }
            return false;
        }

        /** SIGKILL, then read everything the child logged before it died. */
        Run kill() throws Exception {
            process.destroyForcibly();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child died").isTrue();
            long acks = 0;
            long failed = 0;
            long repeated = 0;
            Map<String, Long> maxAcked = new HashMap<>();
            Map<String, java.util.Set<Long>> seen = new HashMap<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("ack ")) {
                    String[] p = line.split(" ");
                    long v = Long.parseLong(p[2]);
                    acks++;
                    maxAcked.merge(p[1], v, Math::max);
                    boolean fresh = seen.computeIfAbsent(p[1], k -> new java.util.HashSet<>()).add(v);
                    if (!fresh || v <= floor.getOrDefault(p[1], 0L)) {
                        repeated++;
                    }
                } else if (line.startsWith("failed ")) {
                    failed++;
                } else {
                    assertThat(line).as("a line of the acknowledgement log").isEqualTo("ready");
                }
            }
            String err = Files.readString(stderr);
            Files.deleteIfExists(stderr);
            Files.deleteIfExists(log);
            return new Run(acks, failed, repeated, maxAcked, err);
        }
    }
}
