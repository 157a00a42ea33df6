package io.github.pgs.examples.game;

import io.github.pgs.GenServerException;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.cluster.pekko.PekkoCluster;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node of the clustered game demo ({@link ClusterGameDemo} starts it as a JVM of its own): it joins the cluster,
 * builds a runtime on PostgreSQL whose players the cluster places, and runs client sessions for the players the
 * demo hands out, reporting each session's outcome back. It stops when the demo says so, leaves the cluster
 * gracefully and exits; it halts at once if the demo process goes away.
 */
public final class GameNode {

    private final ServerRuntime runtime;
    private final Link link;

    private GameNode(ServerRuntime runtime, Link link) {
        this.runtime = runtime;
        this.link = link;
    }

    public static void main(String[] argv) throws Exception {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0].substring(2), kv.length > 1 ? kv[1] : "");
        }
        ClusterSettings.Builder settings = ClusterSettings.builder().port(Integer.parseInt(a.get("port")))
                .stableAfter(Duration.ofSeconds(3)).numberOfShards(100);
        if (!a.getOrDefault("seeds", "").isEmpty()) {
            settings.seedNodes(List.of(a.get("seeds").split(",")));
        }
        Link link = new Link(Integer.parseInt(a.get("link")));
        PekkoCluster cluster = PekkoCluster.join(settings.build());
        String password = a.getOrDefault("db-password", "");
        ServerRuntime runtime = ServerRuntime.builder().name("game-node-" + a.get("index"))
                .storage(PostgresStorage.open(a.get("db-url"), a.get("db-user"), password.isEmpty() ? null : password,
                        PostgresOptions.builder().schema(ClusterGameDemo.SCHEMA).build()))
                .closeStorage(true)
                .register(ServerType.builder(Player.class).options(TypeOptions.builder()
                        .idleTimeout(Duration.ofMillis(Long.parseLong(a.get("idle")))).build()).build())
                .placement(cluster.placement())
                .build();
        link.request("ready " + a.get("index") + " " + cluster.address());
        new GameNode(runtime, link).play(Integer.parseInt(a.get("clients")));
        RuntimeStats s = runtime.stats();
        runtime.close(); // leaves the cluster first: this node's players are handed off, then it stops
        link.request("finished " + s.activations() + " " + s.petrifications() + " " + s.revivals() + " "
                + s.writes());
        System.exit(0);
    }

    private void play(int clients) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().name("client-" + i).start(() -> {
                while (true) {
                    String[] claim = link.request("claim").split(" ");
                    if (claim[0].equals("stop")) {
                        return;
                    }
                    session(Integer.parseInt(claim[1]), Long.parseLong(claim[2]), Long.parseLong(claim[3]),
                            claim[4].equals("1"));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * One session of player {@code p}, whose last acknowledged state is {@code score} and {@code moves}. When that is
     * not certain (an earlier session of the player was cut off by a failure, so some of its moves may have been
     * applied), the session first reads the stored state and has the demo check it against what can have happened.
     */
    private void session(int p, long score, long moves, boolean certain) {
        ServerRef ref = runtime.ref(Player.class, ClusterGameDemo.name(p));
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int calls = 0;
        int casts = 0;
        try {
            if (!certain) {
                Player.State s = ref.call(new Player.Inspect());
                calls++;
                if (!link.request("adopt " + p + " " + s.score() + " " + s.moves()).equals("ok")) {
                    return; // the demo counted a mismatch and keeps the player out of play
                }
                score = s.score();
                moves = s.moves();
            }
            int actions = 1 + rnd.nextInt(8);
            for (int i = 0; i < actions; i++) {
                if (rnd.nextInt(10) < 7) {
                    int dx = rnd.nextInt(7) - 3;
                    int dy = rnd.nextInt(7) - 3;
                    long reply = ref.call(new Player.Move(dx, dy));
                    calls++;
                    score += Math.abs(dx) + Math.abs(dy);
                    moves++;
                    if (reply != score) {
                        link.request("inconsistent " + p + " move replied " + reply + ", expected " + score);
                        return;
                    }
                } else {
                    ref.cast(new Player.Increment());
                    casts++;
                    score++;
                }
            }
            long read = ref.call(new Player.ReadScore()); // behind the casts: acknowledges them too
            calls++;
            if (read != score) {
                link.request("inconsistent " + p + " score read " + read + ", expected " + score);
                return;
            }
            link.request("done " + p + " " + score + " " + moves + " " + calls + " " + casts);
        } catch (GenServerException e) {
            link.request("error " + p + " " + calls + " " + casts + " " + e.getClass().getSimpleName());
        }
    }

    /**
     * The connection to the demo process: numbered requests from many client threads over one socket, each waiting
     * for its own answer.
     */
    static final class Link {
        private final OutputStream out;
        private final AtomicLong ids = new AtomicLong();
        private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();

        Link(int port) throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            Thread.ofPlatform().daemon().name("demo-link").start(() -> {
                try {
                    String line;
                    while ((line = in.readLine()) != null) {
                        int sp = line.indexOf(' ');
                        CompletableFuture<String> f = pending.remove(Long.parseLong(line.substring(0, sp)));
                        if (f != null) {
                            f.complete(line.substring(sp + 1));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the demo process is gone
                }
                Runtime.getRuntime().halt(3);
            });
        }

        String request(String text) {
            long id = ids.incrementAndGet();
            CompletableFuture<String> f = new CompletableFuture<>();
            pending.put(id, f);
            byte[] bytes = (id + " " + text + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (out) {
                try {
                    out.write(bytes);
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return f.join();
        }
    }
}
