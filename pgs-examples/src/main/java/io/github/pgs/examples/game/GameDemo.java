package io.github.pgs.examples.game;

import io.github.pgs.GenServerException;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.micrometer.PgsMeterFilters;
import io.github.pgs.micrometer.PgsMetricsReport;
import io.github.pgs.sqlite.SqliteStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seed's game, end to end on the embedded SQLite store: many players, simulated sessions (players join, move
 * by call, score by cast, leave and go idle, so their servers petrify and later revive), then the runtime is
 * closed, a new one is opened on the same file, and every player's state is checked against what the game was
 * told. Exits with status 1 on any mismatch or error.
 *
 * <pre>
 * --players=N    players (default 10000)
 * --seconds=S    how long sessions run (default 20)
 * --clients=C    concurrent sessions (default 64)
 * --idle=MS      idle timeout in milliseconds before a player's server petrifies (default 1000)
 * --db=PATH      the SQLite file (default pgs-data/demo.db; deleted first unless --keep)
 * --keep         keep an existing file instead of starting fresh
 * --metrics      record metrics (pgs-micrometer on a Micrometer SimpleMeterRegistry) and print a table of them at
 *                the end: calls with p50 / p99, activations, petrifications, store writes, group-commit batch sizes
 * </pre>
 *
 * <p>With {@code --nodes=N} the game runs as a cluster of N JVMs on PostgreSQL instead ({@link ClusterGameDemo}):
 *
 * <pre>
 * --nodes=N             node JVMs on 127.0.0.1 (Apache Pekko Cluster Sharding places the players)
 * --kill-node-after=S   SIGKILL the last node after S seconds (default: no kill)
 * --store=postgres      the shared store (PostgreSQL, the only one offered here)
 * --db-url=URL          default jdbc:postgresql://127.0.0.1:5432/test
 * --db-user=USER        default postgres
 * --db-password=PW      default none
 * </pre>
 * and {@code --players}, {@code --seconds}, {@code --idle} as above, {@code --clients} per node (default 16).
 */
public final class GameDemo {

    private final int players;
    private final int seconds;
    private final int clients;
    private final Duration idle;
    private final Path db;
    private final boolean keep;
    /** The registry the runtime's metrics go to ({@code --metrics}), or {@code null}. */
    private final SimpleMeterRegistry metrics;

    private final long[] expectedScore;
    private final long[] expectedMoves;
    private final AtomicIntegerArray busy;
    private final LongAdder calls = new LongAdder();
    private final LongAdder casts = new LongAdder();
    private final LongAdder sessions = new LongAdder();
    private final LongAdder errors = new LongAdder();

    private GameDemo(String[] args) {
        int p = 10_000;
        int s = 20;
        int c = 64;
        long idleMs = 1_000;
        Path file = Path.of("pgs-data", "demo.db");
        boolean k = false;
        boolean m = false;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "--players" -> p = Integer.parseInt(kv[1]);
                case "--seconds" -> s = Integer.parseInt(kv[1]);
                case "--clients" -> c = Integer.parseInt(kv[1]);
                case "--idle" -> idleMs = Long.parseLong(kv[1]);
                case "--db" -> file = Path.of(kv[1]);
                case "--keep" -> k = true;
                case "--metrics" -> m = true;
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (options: --players= --seconds= --clients= --idle= --db= --keep --metrics)");
            }
        }
        if (p < 1 || s < 1 || c < 1 || idleMs < 1) {
            throw new IllegalArgumentException("players, seconds, clients and idle must be positive");
        }
        players = p;
        seconds = s;
        clients = c;
        idle = Duration.ofMillis(idleMs);
        db = file;
        keep = k;
        if (m) {
            metrics = new SimpleMeterRegistry();
            metrics.config().meterFilter(PgsMeterFilters.percentiles(0.5, 0.99));
        } else {
            metrics = null;
        }
        expectedScore = new long[p];
        expectedMoves = new long[p];
        busy = new AtomicIntegerArray(p);
    }

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.stream(args).anyMatch(a -> a.startsWith("--nodes="))) {
            ClusterGameDemo cluster;
            try {
                cluster = clusterDemo(args);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(2);
                return;
            }
            System.exit(cluster.run() ? 0 : 1);
            return;
        }
        GameDemo demo;
        try {
            demo = new GameDemo(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(demo.run() ? 0 : 1);
    }

    private static ClusterGameDemo clusterDemo(String[] args) {
        int players = 10_000;
        int seconds = 20;
        int clients = 16;
        long idleMs = 1_000;
        int nodes = 0;
        int killAfter = 0;
        String url = "jdbc:postgresql://127.0.0.1:5432/test";
        String user = "postgres";
        String password = "";
        for (String a : args) {
            String[] kv = a.split("=", 2);
            String v = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "--players" -> players = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--clients" -> clients = Integer.parseInt(v);
                case "--idle" -> idleMs = Long.parseLong(v);
                case "--nodes" -> nodes = Integer.parseInt(v);
                case "--kill-node-after" -> killAfter = Integer.parseInt(v);
                case "--store" -> {
                    if (!v.equals("postgres")) {
                        throw new IllegalArgumentException("--store: the cluster demo runs on postgres");
                    }
                }
                case "--db-url" -> url = v;
                case "--db-user" -> user = v;
                case "--db-password" -> password = v;
                default -> throw new IllegalArgumentException("unknown option " + a + " (cluster options: --nodes= "
                        + "--kill-node-after= --store=postgres --db-url= --db-user= --db-password= --players= "
                        + "--seconds= --clients= --idle=)");
            }
        }
        if (players < 1 || seconds < 1 || clients < 1 || idleMs < 1 || nodes < 1) {
            throw new IllegalArgumentException("players, seconds, clients, idle and nodes must be positive");
        }
        if (killAfter < 0 || killAfter >= seconds || (killAfter > 0 && nodes < 3)) {
            throw new IllegalArgumentException("--kill-node-after must be below --seconds, and needs at least 3 "
                    + "nodes (the survivors must keep a majority)");
        }
        return new ClusterGameDemo(players, seconds, clients, idleMs, nodes, killAfter, url, user, password);
    }

    private ServerType<String, Player.State> playerType() {
        return ServerType.builder(Player.class)
                .options(TypeOptions.builder().idleTimeout(idle).build())
                .build();
    }

    private boolean run() throws Exception {
        if (!keep) {
            for (String suffix : new String[]{"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(db + suffix));
            }
        }
        System.out.printf(Locale.ROOT, "game demo: %,d players, %d s of sessions by %d clients, idle timeout %d ms, "
                + "SQLite file %s%n", players, seconds, clients, idle.toMillis(), db.toAbsolutePath());

        long start = System.nanoTime();
        ServerRuntime.Builder builder = ServerRuntime.builder().name("game")
                .storage(SqliteStorage.open(db)).closeStorage(true)
                .register(playerType());
        if (metrics != null) {
            builder.observer(MicrometerObserver.of(metrics));
        }
        ServerRuntime runtime = builder.build();
        try {
            play(runtime);
        } finally {
            runtime.close();
        }
        RuntimeStats played = runtime.stats();
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "closed the runtime (every server petrified) after %.1f s%n", elapsed);

        long mismatches;
        try (ServerRuntime verifier = ServerRuntime.builder().name("verify")
                .storage(SqliteStorage.open(db)).closeStorage(true)
                .register(playerType()).build()) {
            mismatches = verify(verifier);
        }

        System.out.printf(Locale.ROOT, "summary: %,d sessions, %,d calls and %,d casts in %d s = %,.0f calls/s; "
                        + "activations %,d, petrifications %,d, revivals %,d, writes %,d, errors %,d%n",
                sessions.sum(), calls.sum(), casts.sum(), seconds, calls.sum() / (double) seconds,
                played.activations(), played.petrifications(), played.revivals(), played.writes(), errors.sum());
        if (metrics != null) {
            System.out.print(PgsMetricsReport.table(metrics));
        }
        System.out.printf(Locale.ROOT, "verified: %d players, %d mismatches%n", players, mismatches);
        return mismatches == 0 && errors.sum() == 0;
    }

    private void play(ServerRuntime runtime) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().name("client-" + i).start(() -> {
                while (System.nanoTime() < deadline) {
                    session(runtime);
                }
            }));
        }
        long lastCalls = 0;
        for (int second = 1; second <= seconds + 60; second++) {
            Thread.sleep(1000);
            boolean done = threads.stream().noneMatch(Thread::isAlive);
            long c = calls.sum();
            RuntimeStats s = runtime.stats();
            System.out.printf(Locale.ROOT, "[%3d s] %,8d calls/s  %,7d active  %,8d petrified  %,8d revived  "
                            + "%,8d sessions%n", second, c - lastCalls, s.active(), s.petrifications(),
                    s.revivals(), sessions.sum());
            lastCalls = c;
            if (done) {
                break;
            }
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** One player joins, makes a few moves and casts, reads the score back and leaves. */
    private void session(ServerRuntime runtime) {
        int p = claimPlayer();
        try {
            ServerRef ref = runtime.ref(Player.class, name(p));
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            int actions = 1 + rnd.nextInt(8);
            long score = expectedScore[p];
            long moves = expectedMoves[p];
            for (int i = 0; i < actions; i++) {
                if (rnd.nextInt(10) < 7) {
                    int dx = rnd.nextInt(7) - 3;
                    int dy = rnd.nextInt(7) - 3;
                    long reply = ref.call(new Player.Move(dx, dy));
                    calls.increment();
                    score += Math.abs(dx) + Math.abs(dy);
                    moves++;
                    check(reply == score, p, "move replied " + reply + ", expected " + score);
                } else {
                    ref.cast(new Player.Increment());
                    casts.increment();
                    score++;
                }
            }
            // the read comes after the casts in the mailbox, so its reply acknowledges them too
            long read = ref.call(new Player.ReadScore());
            calls.increment();
            check(read == score, p, "score read " + read + ", expected " + score);
            expectedScore[p] = score;
            expectedMoves[p] = moves;
            sessions.increment();
        } catch (GenServerException e) {
            errors.increment();
            System.err.println("error in a session of " + name(p) + ": " + e);
        } finally {
            busy.set(p, 0);
        }
    }

    /**
     * A random player that nobody else is playing right now. Players come back at random intervals, so some stay
     * away longer than the idle timeout (their servers petrify) and return later (their servers revive).
     */
    private int claimPlayer() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (true) {
            int p = rnd.nextInt(players);
            if (busy.compareAndSet(p, 0, 1)) {
                return p;
            }
        }
    }

    private long verify(ServerRuntime runtime) throws InterruptedException {
        System.out.printf(Locale.ROOT, "reopened %s in a new runtime; checking every player...%n", db);
        LongAdder mismatches = new LongAdder();
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (long p = next.getAndIncrement(); p < players; p = next.getAndIncrement()) {
                    int i2 = (int) p;
                    try {
                        Player.State s = runtime.ref(Player.class, name(i2)).call(new Player.Inspect());
                        if (s.score() != expectedScore[i2] || s.moves() != expectedMoves[i2]) {
                            mismatches.increment();
                            System.err.printf(Locale.ROOT, "MISMATCH %s: stored score %d moves %d, acknowledged "
                                    + "score %d moves %d%n", name(i2), s.score(), s.moves(), expectedScore[i2],
                                    expectedMoves[i2]);
                        }
                    } catch (GenServerException e) {
                        mismatches.increment();
                        System.err.println("MISMATCH " + name(i2) + ": " + e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return mismatches.sum();
    }

    private void check(boolean ok, int p, String what) {
        if (!ok) {
            errors.increment();
            System.err.println("inconsistent reply for " + name(p) + ": " + what);
        }
    }

    private static String name(int p) {
        return "player-" + p;
    }
}
