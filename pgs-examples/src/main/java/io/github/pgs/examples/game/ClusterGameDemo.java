package io.github.pgs.examples.game;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The game demo as a cluster ({@code GameDemo --nodes=N}): N node JVMs ({@link GameNode}) on 127.0.0.1 form an
 * Apache Pekko cluster sharing one PostgreSQL database; each runs client sessions, so every node drives players
 * whose servers live on any node. This process hands out players (one session per player at a time) and keeps
 * what each session acknowledged. With {@code --kill-node-after=S} it kills the last node with SIGKILL after S
 * seconds; the survivors take its players over and play on.
 *
 * <p>A session cut off by a failure leaves its player uncertain: some of its moves may have been applied, none of
 * them was acknowledged. Such a player rests for {@link #SETTLE_NANOS} (until whatever the cut-off session sent has
 * arrived or expired); then its next session first reads the stored state, which must lie between what was
 * acknowledged and what the cut-off session could at most have added; that becomes the new expectation. At the
 * end every node leaves, a plain runtime opens the database, and every player must hold exactly what was
 * acknowledged (within those bounds, for a player whose last session was cut off). Exits with status 1 on any
 * mismatch; failed sessions alone (typed errors while a node is being replaced) do not fail the demo.
 */
final class ClusterGameDemo {

    static final String SCHEMA = "pgs_demo";
    /** The most a session can add: 8 actions of at most 6 points (a move) or 1 point (a cast). */
    static final int MAX_SESSION_SCORE = 8 * 6;
    static final int MAX_SESSION_MOVES = 8;
    /**
     * How long a player whose session was cut off stays out of play: a call that timed out may still be in flight
     * (a node holds it while a shard moves) and take effect up to about its timeout (5 s) later; the next session
     * reads the stored state only after that.
     */
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int players;
    private final int seconds;
    private final int clients;
    private final long idleMillis;
    private final int nodes;
    private final int killAfter;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;

    private final long[] score;
    private final long[] moves;
    private final boolean[] uncertain;
    private final long[] uncertainSince;
    private final boolean[] claimed;
    private final boolean[] broken;
    private final int[] claimedBy;
    private final LongAdder calls = new LongAdder();
    private final LongAdder casts = new LongAdder();
    private final LongAdder sessions = new LongAdder();
    private final LongAdder failedSessions = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final Map<String, Long> errorKinds = new TreeMap<>();
    private final LongAdder[] finishedStats = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
    private final List<Process> processes = new ArrayList<>();
    private volatile boolean stopping;

    ClusterGameDemo(int players, int seconds, int clients, long idleMillis, int nodes, int killAfter, String dbUrl,
                    String dbUser, String dbPassword) {
        this.players = players;
        this.seconds = seconds;
        this.clients = clients;
        this.idleMillis = idleMillis;
        this.nodes = nodes;
        this.killAfter = killAfter;
        this.dbUrl = dbUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        score = new long[players];
        moves = new long[players];
        uncertain = new boolean[players];
        uncertainSince = new long[players];
        claimed = new boolean[players];
        broken = new boolean[players];
        claimedBy = new int[players];
    }

    static String name(int p) {
        return "player-" + p;
    }

    boolean run() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
        System.out.printf(Locale.ROOT, "game demo: %,d players, %d s of sessions by %d clients on each of %d nodes "
                        + "(JVMs on 127.0.0.1), idle timeout %d ms, PostgreSQL %s (schema %s)%s%n", players, seconds,
                clients, nodes, idleMillis, dbUrl, SCHEMA,
                killAfter > 0 ? ", SIGKILL of node " + nodes + " after " + killAfter + " s" : "");
        removeEarlierPlayers();
        Path logs = Path.of("pgs-data", "cluster-demo");
        Files.createDirectories(logs);
        long start = System.nanoTime();
        try (ServerSocket link = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().name("demo-accept").start(() -> accept(link));
            List<String> seeds = new ArrayList<>();
            for (int i = 1; i <= nodes; i++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                processes.add(startNode(i, port, seeds, link.getLocalPort(), logs));
                seeds.add("127.0.0.1:" + port);
                if (i == 1) {
                    awaitReady(1);
                }
            }
            awaitReady(nodes);
            System.out.printf(Locale.ROOT, "%d nodes up after %.1f s (their logs: %s)%n", nodes,
                    (System.nanoTime() - start) / 1e9, logs.toAbsolutePath());
            play();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "every node left the cluster after %.1f s%n", elapsed);
        verify();
        System.out.printf(Locale.ROOT, "summary: %,d sessions, %,d calls and %,d casts in %d s = %,.0f calls/s on %d "
                        + "nodes; activations %,d, petrifications %,d, revivals %,d, writes %,d; %,d sessions cut off "
                        + "by failures%s%n", sessions.sum(), calls.sum(), casts.sum(), seconds,
                calls.sum() / (double) seconds, nodes, finishedStats[0].sum(), finishedStats[1].sum(),
                finishedStats[2].sum(), finishedStats[3].sum(), failedSessions.sum(),
                errorKinds.isEmpty() ? "" : " " + errorKinds);
        System.out.printf(Locale.ROOT, "verified: %d players, %d mismatches%n", players, mismatches.sum());
        return mismatches.sum() == 0;
    }

    private Process startNode(int index, int port, List<String> seeds, int linkPort, Path logs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), GameNode.class.getName(),
                "--index=" + index, "--port=" + port, "--seeds=" + String.join(",", seeds), "--link=" + linkPort,
                "--db-url=" + dbUrl, "--db-user=" + dbUser, "--db-password=" + dbPassword,
                "--idle=" + idleMillis, "--clients=" + clients));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve("node-" + index + ".log").toFile()).start();
    }

    private final AtomicLong ready = new AtomicLong();

    private void awaitReady(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (ready.get() < n) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a node exited while starting (exit " + p.exitValue()
                            + "); see pgs-data/cluster-demo/");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the nodes did not come up within 120 s; see pgs-data/cluster-demo/");
            }
            Thread.sleep(50);
        }
    }

    private void play() throws InterruptedException {
        long lastCalls = 0;
        int alive = nodes;
        for (int second = 1; second <= seconds; second++) {
            Thread.sleep(1000);
            if (killAfter > 0 && second == killAfter) {
                Process victim = processes.get(nodes - 1);
                victim.destroyForcibly();
                victim.waitFor(30, TimeUnit.SECONDS);
                alive--;
                synchronized (this) {
                    for (int p = 0; p < players; p++) {
                        if (claimed[p] && claimedBy[p] == nodes) {
                            claimed[p] = false;
                            uncertain[p] = true;
                            uncertainSince[p] = System.nanoTime();
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "[%3d s] killed node %d (pid %d) with SIGKILL; its players move to the "
                        + "other nodes%n", second, nodes, victim.pid());
            }
            long c = calls.sum();
            System.out.printf(Locale.ROOT, "[%3d s] %,8d calls/s  %d nodes  %,8d sessions  %,5d cut off%n", second,
                    c - lastCalls, alive, sessions.sum(), failedSessions.sum());
            lastCalls = c;
        }
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (Process p : processes) {
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("a node did not finish within 120 s; see pgs-data/cluster-demo/");
            }
        }
    }

    private void accept(ServerSocket link) {
        while (!link.isClosed()) {
            try {
                Socket s = link.accept();
                s.setTcpNoDelay(true);
                Thread.ofPlatform().daemon().name("demo-node-link").start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Answers one node's requests; the node's index is learned from its ready line. */
    private void serve(Socket socket) {
        int node = 0;
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ");
                String answer;
                switch (f[1]) {
                    case "ready" -> {
                        node = Integer.parseInt(f[2]);
                        ready.incrementAndGet();
                        answer = "ok";
                    }
                    case "claim" -> answer = claim(node);
                    case "done" -> answer = done(f);
                    case "adopt" -> answer = adopt(f);
                    case "error" -> answer = failed(f);
                    case "inconsistent" -> answer = inconsistent(line.substring(line.indexOf("inconsistent")));
                    case "finished" -> {
                        for (int i = 0; i < 4; i++) {
                            finishedStats[i].add(Long.parseLong(f[2 + i]));
                        }
                        answer = "ok";
                    }
                    default -> answer = "unknown";
                }
                synchronized (out) {
                    out.write((f[0] + " " + answer + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the node died (SIGKILL) or left
        }
    }

    private synchronized String claim(int node) {
        if (stopping) {
            return "stop";
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100_000; attempt++) {
            int p = rnd.nextInt(players);
            if (!claimed[p] && !broken[p]
                    && !(uncertain[p] && System.nanoTime() - uncertainSince[p] < SETTLE_NANOS)) {
                claimed[p] = true;
                claimedBy[p] = node;
                return "player " + p + " " + score[p] + " " + moves[p] + " " + (uncertain[p] ? 0 : 1);
            }
        }
        return "stop";
    }

    private synchronized String done(String[] f) {
        int p = Integer.parseInt(f[2]);
        score[p] = Long.parseLong(f[3]);
        moves[p] = Long.parseLong(f[4]);
        uncertain[p] = false;
        claimed[p] = false;
        calls.add(Long.parseLong(f[5]));
        casts.add(Long.parseLong(f[6]));
        sessions.increment();
        return "ok";
    }

    private synchronized String adopt(String[] f) {
        int p = Integer.parseInt(f[2]);
        long s = Long.parseLong(f[3]);
        long m = Long.parseLong(f[4]);
        if (!withinCutOffSession(p, s, m)) {
            mismatch(p, "stored score " + s + " moves " + m + " after a cut-off session; acknowledged score "
                    + score[p] + " moves " + moves[p]);
            return "mismatch";
        }
        score[p] = s;
        moves[p] = m;
        uncertain[p] = false;
        return "ok";
    }

    private boolean withinCutOffSession(int p, long s, long m) {
        return s >= score[p] && m >= moves[p] && s <= score[p] + MAX_SESSION_SCORE
                && m <= moves[p] + MAX_SESSION_MOVES;
    }

    private synchronized String failed(String[] f) {
        int p = Integer.parseInt(f[2]);
        calls.add(Long.parseLong(f[3]));
        casts.add(Long.parseLong(f[4]));
        errorKinds.merge(f[5], 1L, Long::sum);
        failedSessions.increment();
        if (!uncertain[p]) {
            uncertain[p] = true;
            uncertainSince[p] = System.nanoTime();
        }
        claimed[p] = false;
        return "ok";
    }

    private synchronized String inconsistent(String text) {
        String[] f = text.split(" ", 3);
        mismatch(Integer.parseInt(f[1]), "inconsistent reply: " + f[2]);
        return "ok";
    }

    private void mismatch(int p, String what) {
        mismatches.increment();
        broken[p] = true;
        claimed[p] = false;
        System.err.println("MISMATCH " + name(p) + ": " + what);
    }

    private void verify() throws InterruptedException {
        System.out.printf(Locale.ROOT, "opened the database in a plain runtime; checking every player...%n");
        try (ServerRuntime verifier = ServerRuntime.builder().name("verify")
                .storage(PostgresStorage.open(dbUrl, dbUser, dbPassword.isEmpty() ? null : dbPassword,
                        PostgresOptions.builder().schema(SCHEMA).build())).closeStorage(true)
                .register(ServerType.of(Player.class)).build()) {
            AtomicLong next = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    for (long q = next.getAndIncrement(); q < players; q = next.getAndIncrement()) {
                        int p = (int) q;
                        if (broken[p]) {
                            continue; // already counted
                        }
                        try {
                            Player.State s = verifier.ref(Player.class, name(p)).call(new Player.Inspect());
                            boolean ok = uncertain[p] ? withinCutOffSession(p, s.score(), s.moves())
                                    : s.score() == score[p] && s.moves() == moves[p];
                            if (!ok) {
                                synchronized (this) {
                                    mismatch(p, "stored score " + s.score() + " moves " + s.moves()
                                            + ", acknowledged score " + score[p] + " moves " + moves[p]
                                            + (uncertain[p] ? " (last session cut off)" : ""));
                                }
                            }
                        } catch (GenServerException e) {
                            synchronized (this) {
                                mismatch(p, e.toString());
                            }
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    /** Deletes the players an earlier run left in the demo's schema, so the expectations start at zero. */
    private void removeEarlierPlayers() throws SQLException {
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, dbPassword.isEmpty() ? null : dbPassword)) {
            try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?)")) {
                exists.setString(1, SCHEMA + ".pgs_state");
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) {
                        return;
                    }
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + SCHEMA + ".pgs_state WHERE type = ?")) {
                delete.setString(1, "player");
                delete.executeUpdate();
            }
        }
    }
}
