package io.github.pgs.cluster.pekko.it;

import io.github.pgs.GenServerException;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.TypeOptions;
import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.cluster.pekko.PekkoCluster;
import io.github.pgs.spi.Storage;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The main class of a node JVM started by {@link NodeProcess}. Arguments: {@code --name=}, {@code --port=},
 * {@code --control=} (the test's control port), {@code --seeds=host:port,...} (none: start a new cluster), cluster
 * timings ({@code --stable-after-ms=}, {@code --heartbeat-pause-ms=}, {@code --shards=}), and the store:
 * {@code --store=none} (membership only) or {@code postgres} ({@code --pg-url= --pg-user= --pg-password=
 * --pg-schema=}) or {@code redis} ({@code --redis-uri= --redis-namespace=}), with {@code --type=} (the
 * {@link Tally} type name) and {@code --ack-log=} (where the load's outcomes go).
 *
 * <p>It joins the cluster, builds a runtime whose servers the cluster places, connects to the test, and answers
 * commands (one line each) until told to exit. The load writes one line per outcome to the acknowledgement log as
 * soon as the outcome is known, with a {@code write} per line, so the lines survive a SIGKILL of this JVM:
 * {@code <millis> ack <key> <count>}, {@code <millis> cast <key>}, {@code <millis> fail <key> <exception>
 * <retrySafe>}. It halts as soon as the test JVM is gone (control connection closed, or parent process ended).
 */
public final class NodeMain {

    private final Map<String, Function<String[], String>> commands = new HashMap<>();
    private final PekkoCluster cluster;
    private final ServerRuntime runtime;
    private final FileOutputStream ackLog;
    private final AtomicBoolean loadRunning = new AtomicBoolean();
    private final LongAdder acks = new LongAdder();
    private final LongAdder casts = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final List<Thread> callers = new ArrayList<>();

    private NodeMain(PekkoCluster cluster, ServerRuntime runtime, FileOutputStream ackLog) {
        this.cluster = cluster;
        this.runtime = runtime;
        this.ackLog = ackLog;
        commands.put("status", a -> status());
        commands.put("load", this::load);
        commands.put("stop-load", a -> stopLoad());
        commands.put("read", a -> {
            Tally.State s = runtime.ref(Tally.class, a[0]).call(new Tally.Read());
            return "calls=" + s.calls() + " casts=" + s.casts() + " reminders=" + s.reminders();
        });
        commands.put("sync", a -> {
            // A read of every key from this node: it travels behind this node's casts, so once it returns, every
            // cast this node sent before has been handled.
            int keys = Integer.parseInt(a[0]);
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                List<java.util.concurrent.Future<Tally.State>> reads = new ArrayList<>();
                for (int i = 0; i < keys; i++) {
                    String key = key(i);
                    reads.add(pool.submit(() -> runtime.ref(Tally.class, key).call(new Tally.Read())));
                }
                for (var f : reads) {
                    f.get();
                }
            } catch (Exception e) {
                throw new IllegalStateException("sync failed: " + e, e);
            }
            return "synced " + keys;
        });
        commands.put("remind", a -> {
            // remind <keys> <millis>: a durable reminder on each of k0..k<keys-1>, due in <millis>
            int keys = Integer.parseInt(a[0]);
            long millis = Long.parseLong(a[1]);
            for (int i = 0; i < keys; i++) {
                runtime.ref(Tally.class, key(i)).call(new Tally.RemindIn(millis));
            }
            return "reminders set on " + keys;
        });
        commands.put("leave", a -> {
            stopLoad();
            if (runtime != null) {
                runtime.close();
            }
            cluster.close();
            return "left";
        });
        commands.put("exit", a -> {
            Runtime.getRuntime().halt(0);
            return "";
        });
    }

    public static void main(String[] argv) throws Exception {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        Map<String, String> args = parse(argv);
        ClusterSettings.Builder b = ClusterSettings.builder()
                .port(Integer.parseInt(args.get("port")))
                .stableAfter(Duration.ofMillis(Long.parseLong(args.getOrDefault("stable-after-ms", "2000"))))
                .acceptableHeartbeatPause(Duration.ofMillis(
                        Long.parseLong(args.getOrDefault("heartbeat-pause-ms", "2000"))))
                .numberOfShards(Integer.parseInt(args.getOrDefault("shards", "50")))
                .leaveTimeout(Duration.ofSeconds(20))
                .pekkoConfig("pekko.cluster.sharding.rebalance-interval = "
                        + args.getOrDefault("rebalance-interval-ms", "10000") + "ms");
        String seeds = args.getOrDefault("seeds", "");
        if (!seeds.isEmpty()) {
            b.seedNodes(List.of(seeds.split(",")));
        }
        PekkoCluster cluster;
        ServerRuntime runtime = null;
        FileOutputStream ackLog = null;
        try {
            cluster = PekkoCluster.join(b.build());
            String store = args.getOrDefault("store", "none");
            if (!store.equals("none")) {
                String type = args.get("type");
                runtime = ServerRuntime.builder().name(args.get("name"))
                        .storage(store(store, args, type + "-" + args.get("name"))).closeStorage(true)
                        .codec(ClusterStores.codec())
                        .register(ServerType.builder(Tally.class).name(type)
                                .options(TypeOptions.builder().callTimeout(Duration.ofSeconds(5))
                                        .idleTimeout(Duration.ofMillis(Long.parseLong(
                                                args.getOrDefault("idle-ms", "60000")))).build()).build())
                        .placement(cluster.placement())
                        .build();
                ackLog = new FileOutputStream(args.get("ack-log"), true);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
            return;
        }
        new NodeMain(cluster, runtime, ackLog).serve(Integer.parseInt(args.get("control")), args.get("name"));
    }

    private static Storage store(String kind, Map<String, String> args, String application) {
        return switch (kind) {
            case "postgres" -> {
                String url = args.get("pg-url");
                url += (url.contains("?") ? "&" : "?") + "ApplicationName=" + application;
                yield ClusterStores.postgres(url, args.get("pg-user"), args.getOrDefault("pg-password", ""),
                        args.get("pg-schema"));
            }
            case "redis" -> ClusterStores.redis(args.get("redis-uri"), args.get("redis-namespace"));
            default -> throw new IllegalArgumentException("unknown store " + kind);
        };
    }

    static String key(int i) {
        return "k" + i;
    }

    /** {@code load <callers> <keys> <castPercent>}: starts callers that run until {@code stop-load}. */
    private String load(String[] a) {
        int n = Integer.parseInt(a[0]);
        int keys = Integer.parseInt(a[1]);
        int castPercent = Integer.parseInt(a[2]);
        if (!loadRunning.compareAndSet(false, true)) {
            throw new IllegalStateException("load already running");
        }
        synchronized (callers) {
            for (int c = 0; c < n; c++) {
                callers.add(Thread.ofVirtual().name("caller-" + c).start(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (loadRunning.get()) {
                        String key = key(rnd.nextInt(keys));
                        try {
                            if (rnd.nextInt(100) < castPercent) {
                                runtime.ref(Tally.class, key).cast(new Tally.Add());
                                casts.increment();
                                log(System.currentTimeMillis() + " cast " + key);
                            } else {
                                long count = runtime.ref(Tally.class, key).call(new Tally.Inc());
                                acks.increment();
                                log(System.currentTimeMillis() + " ack " + key + " " + count);
                            }
                        } catch (GenServerException e) {
                            failures.increment();
                            boolean safe = e instanceof ServerUnreachableException u && u.retrySafe();
                            log(System.currentTimeMillis() + " fail " + key + " " + e.getClass().getSimpleName()
                                    + " " + safe);
                            if (e instanceof ServerUnreachableException u && u.retrySafe()) {
                                // this node is out of the cluster: every further call would be refused at once
                                sleep(50);
                            }
                        }
                    }
                }));
            }
        }
        return "started " + n;
    }

    private String stopLoad() {
        loadRunning.set(false);
        synchronized (callers) {
            for (Thread t : callers) {
                try {
                    if (!t.join(Duration.ofSeconds(30))) {
                        throw new IllegalStateException("a caller did not stop within 30 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            callers.clear();
        }
        return "acks=" + acks.sum() + " casts=" + casts.sum() + " failures=" + failures.sum();
    }

    private void log(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (ackLog) {
            try {
                ackLog.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void serve(int controlPort, String name) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), controlPort);
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String request = line;
            // Commands may take long (leave, stop-load); each runs on its own thread so that status stays answerable.
            Thread.ofVirtual().name("command-" + name).start(() -> answer(out, request));
        }
        Runtime.getRuntime().halt(3); // the test JVM is gone
    }

    private void answer(OutputStream out, String request) {
        String[] parts = request.split(" ");
        String id = parts[0];
        String reply;
        try {
            Function<String[], String> command = commands.get(parts.length > 1 ? parts[1] : "");
            if (command == null) {
                reply = id + " err unknown command: " + request;
            } else {
                reply = id + " ok " + command.apply(Arrays.copyOfRange(parts, 2, parts.length));
            }
        } catch (RuntimeException e) {
            reply = id + " err " + e;
        }
        byte[] bytes = (reply.replace("\n", "\\n") + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(3);
            }
        }
    }

    private String status() {
        boolean member = cluster.isMember();
        List<String> up = member ? cluster.members() : List.of();
        List<String> unreachable = member ? cluster.unreachable() : List.of();
        StringBuilder s = new StringBuilder("self=" + cluster.address() + " up=" + String.join(",", up)
                + " unreachable=" + String.join(",", unreachable) + " removed=" + !member
                + " hosted=" + cluster.hostedServers()
                + " regions=" + (member ? cluster.hostingNodes(Duration.ofSeconds(3)) : 0));
        if (runtime != null) {
            RuntimeStats r = runtime.stats();
            s.append(" active=").append(r.active()).append(" writes=").append(r.writes())
                    .append(" writeFailures=").append(r.writeFailures());
        }
        return s.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (String a : argv) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("bad argument: " + a);
            }
            m.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return m;
    }
}
