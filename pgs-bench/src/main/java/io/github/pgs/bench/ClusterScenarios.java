package io.github.pgs.bench;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cluster scenarios: the same S1 load on node JVMs that Apache Pekko Cluster Sharding joins into one cluster
 * on 127.0.0.1, sharing one PostgreSQL store. This process only coordinates: it empties the store, starts the nodes
 * ({@link BenchNode}, from this jar, with this JVM's options), drives them and merges what they measured; it is no
 * member of the cluster itself.
 *
 * <ul>
 *   <li>C1: S1 (Increment on random counters, closed loop) on {@code --nodes} nodes (default 3) with {@code --C}
 *       callers in all, spread evenly; calls/s, latency, and the share of calls whose counter lives on another node
 *       than its caller. With {@code --nodes=1}, the one-node cluster to set beside the plain runtime's S1.</li>
 *   <li>C2: the remote-call overhead: two nodes; one caller on one node alternates non-persisting Gets on counters
 *       hosted on its own node and on the other; p50/p99 of each, and of the same Get on a plain runtime.</li>
 *   <li>C3: calls/s per second through failures: three nodes under load; after {@code --kill-after} s (default 10)
 *       the third node gets SIGKILL, a new node joins 20 s later, then the first two nodes are restarted one at a
 *       time (graceful leave, a new node in their place); the series (space-separated numbers, one per second)
 *       and its events.</li>
 * </ul>
 *
 * Options besides S1's: {@code --nodes}, {@code --stable-after-ms} (default 7,000) and
 * {@code --heartbeat-pause-ms} (3,000) for the nodes' failure handling, {@code --local-shortcut} (true: calls to a
 * server on the caller's node skip Pekko; false: every call goes through Pekko), {@code --shards} (100),
 * {@code --N} (C2 Gets per side, default 20,000), {@code --kill-after} (C3).
 */
final class ClusterScenarios {

    private final Options o;
    private final PgsScenarios pgs;
    private final String[] argv;

    ClusterScenarios(Options o, PgsScenarios pgs, String[] argv) {
        this.o = o;
        this.pgs = pgs;
        this.argv = argv;
    }

    // ---------------------------------------------------------------- C1

    JsonLine c1() throws Exception {
        int nodes = o.integer("nodes", 3);
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        JsonLine json = pgs.base("C1-cluster-s1", "postgres");
        emptyStore(json);
        try (Nodes cluster = new Nodes()) {
            for (int i = 0; i < nodes; i++) {
                cluster.start();
            }
            cluster.awaitHosting();
            int[] callers = new int[nodes];
            WarmupAnalyze analyze = WarmupAnalyze.start(o, "postgres", warm, Stores.PG_TABLE);
            for (int i = 0; i < nodes; i++) {
                callers[i] = c / nodes + (i < c % nodes ? 1 : 0);
                cluster.send(i, "load " + callers[i] + " " + warm + " " + dur);
            }
            Histogram h = new Histogram(3);
            long ok = 0;
            long errors = 0;
            long totalOk = 0;
            long totalErrors = 0;
            double seconds = 0;
            long[] hosted = new long[nodes];
            for (int i = 0; i < nodes; i++) {
                String[] r = cluster.expect(i, "@result", warm + dur + 120).split(" ");
                ok += Long.parseLong(r[1]);
                errors += Long.parseLong(r[2]);
                seconds = Math.max(seconds, Double.parseDouble(r[3]));
                totalOk += Long.parseLong(r[4]);
                totalErrors += Long.parseLong(r[5]);
                hosted[i] = Long.parseLong(r[6]);
                h.add(BenchNode.decode(r[7]));
            }
            analyze.finish(json);
            cluster.leaveAll();
            long[] sums = sums();
            return json.put("cluster_nodes", nodes).put("local_shortcut", o.bool("local-shortcut", true))
                    .put("K", k).put("C", c).put("warmup_s", warm)
                    .put("duration_s", dur).put("calls", ok).put("calls_per_s", Math.round(ok / seconds))
                    .latency("", h).put("errors", errors)
                    .put("remote_share", Math.round(remoteShare(hosted, callers, c) * 1000) / 1000.0)
                    .put("acked_total", totalOk).put("db_rows", sums[0]).put("db_sum_count", sums[1])
                    .put("verify", sums[1] == totalOk && totalErrors == 0 ? "ok" : "mismatch");
        }
    }

    /**
     * The share of calls whose counter lives on another node than its caller: with keys drawn uniformly, a call from
     * node i is local with probability hosted[i] / (all counters hosted), so the share is the callers' average of
     * the rest.
     */
    static double remoteShare(long[] hosted, int[] callers, int c) {
        long all = java.util.Arrays.stream(hosted).sum();
        if (all == 0) {
            return 0;
        }
        double share = 0;
        for (int i = 0; i < hosted.length; i++) {
            share += callers[i] / (double) c * (1 - hosted[i] / (double) all);
        }
        return share;
    }

    // ---------------------------------------------------------------- C2

    JsonLine c2() throws Exception {
        int k = o.integer("K", 1_000);
        int n = o.integer("N", 20_000);
        JsonLine json = pgs.base("C2-remote-overhead", "postgres");
        emptyStore(json);
        Histogram local;
        Histogram remote;
        try (Nodes cluster = new Nodes()) {
            cluster.start();
            cluster.start();
            cluster.awaitHosting();
            cluster.send(0, "overhead " + n);
            String[] r = cluster.expect(0, "@overhead", 600).split(" ");
            local = BenchNode.decode(r[1]);
            remote = BenchNode.decode(r[2]);
            cluster.leaveAll();
        }
        Histogram plain = plainGets(k, n);
        return json.put("K", k).put("N", n)
                .latency("plain_", plain).latency("local_", local).latency("remote_", remote)
                .put("remote_overhead_p50_us", Math.round((remote.getValueAtPercentile(50)
                        - local.getValueAtPercentile(50)) / 100.0) / 10.0);
    }

    /** The same Gets on a plain runtime (no placement) over the counters C2 stored. */
    private Histogram plainGets(int k, int n) throws Exception {
        try (Storage storage = Stores.open("postgres", o, new JsonLine(), null, false)) {
            ServerRuntime runtime = ServerRuntime.builder().name("bench").storage(storage)
                    .codec(PgsScenarios.codec()).register(pgs.counterType(pgs.idleTimeout(60))).build();
            try {
                ServerRef[] refs = PgsScenarios.refs(runtime, "", k);
                for (ServerRef r : refs) {
                    r.call(Counter.GET);
                }
                Recorder rec = new Recorder(3);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    refs[rnd.nextInt(k)].call(Counter.GET);
                    rec.recordValue(System.nanoTime() - t0);
                }
                return rec.getIntervalHistogram();
            } finally {
                runtime.close();
            }
        }
    }

    // ---------------------------------------------------------------- C3

    JsonLine c3() throws Exception {
        int c = o.integer("C", 64);
        int killAfter = o.integer("kill-after", 10);
        JsonLine json = pgs.base("C3-cluster-timeline", "postgres");
        emptyStore(json);
        List<String> events = new ArrayList<>();
        try (Nodes cluster = new Nodes()) {
            for (int i = 0; i < 3; i++) {
                cluster.start();
            }
            cluster.awaitHosting();
            long start = System.currentTimeMillis() / 1000;
            for (int i = 0; i < 3; i++) {
                cluster.send(i, "run " + c / 3);
            }
            cluster.sleepUntil(start + killAfter);
            cluster.kill(2);
            events.add(event(start, "SIGKILL node 3"));
            cluster.sleepUntil(start + killAfter + 20);
            cluster.send(cluster.start(), "run " + c / 3);
            events.add(event(start, "node 4 joined"));
            for (int old = 0; old < 2; old++) {
                cluster.sleepUntil(System.currentTimeMillis() / 1000 + 15);
                events.add(event(start, "node " + (old + 1) + " leaves"));
                cluster.leave(old);
                cluster.send(cluster.start(), "run " + c / 3);
                events.add(event(start, "node " + (cluster.size()) + " joined in its place"));
            }
            cluster.sleepUntil(System.currentTimeMillis() / 1000 + 15);
            cluster.stopAll();
            long end = System.currentTimeMillis() / 1000;
            StringBuilder calls = new StringBuilder();
            StringBuilder errors = new StringBuilder();
            synchronized (cluster.ticks) {
                for (long s = start; s < end; s++) {
                    long[] t = cluster.ticks.getOrDefault(s, new long[2]);
                    calls.append(s == start ? "" : " ").append(t[0]);
                    errors.append(s == start ? "" : " ").append(t[1]);
                }
            }
            cluster.leaveAll();
            return json.put("C", c).put("kill_after_s", killAfter)
                    .put("calls_per_second", calls.toString()).put("errors_per_second", errors.toString())
                    .put("events", String.join("; ", events));
        }
    }

    private static String event(long start, String what) {
        return "+" + (System.currentTimeMillis() / 1000 - start) + " s " + what;
    }

    // ---------------------------------------------------------------- shared

    private void emptyStore(JsonLine json) throws Exception {
        Stores.openEmpty("postgres", o, json).close();
    }

    private long[] sums() throws Exception {
        StateCodec codec = PgsScenarios.codec();
        try (Storage storage = Stores.open("postgres", o, new JsonLine(), null, false)) {
            return Stores.sumCounts(storage, codec);
        }
    }

    /**
     * The node JVMs of one scenario: each is this jar's {@link BenchNode} with this JVM's options and the run's
     * options, on a free port of 127.0.0.1, joining through the first node. Killed by pid when closed.
     */
    private final class Nodes implements AutoCloseable {
        private final List<Process> processes = new ArrayList<>();
        private final List<OutputStream> inputs = new ArrayList<>();
        private final List<BlockingQueue<String>> answers = new ArrayList<>();
        private final List<String> addresses = new ArrayList<>();
        /** Calls and errors per epoch second, summed over the nodes. */
        final Map<Long, long[]> ticks = new TreeMap<>();

        int size() {
            return processes.size();
        }

        /** Starts one more node and waits until it is up; its index. */
        int start() throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(BenchNode.class.getName());
            for (String a : argv) {
                if (!a.startsWith("--scenario=") && !a.startsWith("--nodes=")) {
                    cmd.add(a);
                }
            }
            cmd.add("--port=" + port);
            List<String> live = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                if (processes.get(i).isAlive()) {
                    live.add(addresses.get(i));
                }
            }
            if (!live.isEmpty()) {
                cmd.add("--seeds=" + String.join(",", live));
            }
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int index = processes.size();
            processes.add(p);
            inputs.add(p.getOutputStream());
            BlockingQueue<String> q = new LinkedBlockingQueue<>();
            answers.add(q);
            addresses.add("127.0.0.1:" + port);
            Thread.ofPlatform().daemon().start(() -> read(p, q));
            expect(index, "@ready", 120);
            return index;
        }

        private void read(Process p, BlockingQueue<String> q) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("@tick ")) {
                        String[] f = line.split(" ");
                        synchronized (ticks) {
                            long[] t = ticks.computeIfAbsent(Long.parseLong(f[1]), s -> new long[2]);
                            t[0] += Long.parseLong(f[2]);
                            t[1] += Long.parseLong(f[3]);
                        }
                    } else if (line.startsWith("@")) {
                        q.add(line);
                    }
                }
            } catch (IOException e) {
                // the node is gone
            }
        }

        void send(int node, String command) throws IOException {
            OutputStream in = inputs.get(node);
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        String expect(int node, String prefix, double timeoutS) throws InterruptedException {
            long deadline = System.nanoTime() + (long) (timeoutS * 1e9);
            while (true) {
                String line = answers.get(node).poll(1, TimeUnit.SECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (!processes.get(node).isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + (node + 1) + " gave no " + prefix + " (alive: "
                            + processes.get(node).isAlive() + ")");
                }
            }
        }

        void awaitHosting() throws Exception {
            int live = (int) processes.stream().filter(Process::isAlive).count();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                send(0, "hosting");
                if (Integer.parseInt(expect(0, "@hosting", 30).split(" ")[1]) == live) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("the nodes' shard regions did not all register within 120 s");
        }

        void sleepUntil(long epochSecond) throws InterruptedException {
            long ms = epochSecond * 1000 - System.currentTimeMillis();
            if (ms > 0) {
                Thread.sleep(ms);
            }
        }

        void kill(int node) throws InterruptedException {
            processes.get(node).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        void leave(int node) throws Exception {
            send(node, "leave");
            expect(node, "@left", 120);
            processes.get(node).waitFor(30, TimeUnit.SECONDS);
        }

        void stopAll() throws Exception {
            for (int i = 0; i < processes.size(); i++) {
                if (processes.get(i).isAlive()) {
                    send(i, "stop");
                    expect(i, "@stopped", 60);
                }
            }
        }

        void leaveAll() throws Exception {
            for (int i = 0; i < processes.size(); i++) {
                if (processes.get(i).isAlive()) {
                    leave(i);
                }
            }
        }

        @Override
        public void close() {
            for (Process p : processes) {
                p.destroyForcibly();
            }
        }
    }
}
