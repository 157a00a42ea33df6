package io.github.pgs.cluster.pekko.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Several node JVMs on 127.0.0.1 forming one cluster, for one test. Ports are chosen free when each node starts;
 * the first node starts the cluster, every later one (restarts included) joins through the nodes alive at that
 * moment, so a restarted first node never starts a second cluster. {@link #close()} kills every node it started.
 */
final class TestCluster implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Path logDir;
    private final List<String> nodeArgs;
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private int started;

    /**
     * @param logDir   where each node's output goes ({@code <name>.log})
     * @param nodeArgs extra {@link NodeMain} arguments for every node
     */
    TestCluster(Path logDir, List<String> nodeArgs) {
        this.logDir = logDir;
        try {
            java.nio.file.Files.createDirectories(logDir);
            try (var old = java.nio.file.Files.list(logDir)) {
                for (Path p : old.toList()) {
                    java.nio.file.Files.delete(p); // logs of an earlier run of the same test
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        this.nodeArgs = List.copyOf(nodeArgs);
    }

    /** Starts {@code n} nodes: the first alone, the others together, joining it. */
    List<NodeProcess> start(int n) throws Exception {
        List<NodeProcess> result = new ArrayList<>();
        if (live().isEmpty()) {
            result.add(startNode());
            n--;
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<NodeProcess>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> startNode()));
            }
            for (Future<NodeProcess> f : fs) {
                result.add(f.get());
            }
        }
        return result;
    }

    /** Starts one more node, joining through the live ones (or starting the cluster if there are none). */
    NodeProcess startNode(String... extraArgs) throws IOException {
        String name;
        synchronized (this) {
            name = "node" + (++started);
        }
        List<String> seeds = live().stream().map(NodeProcess::address).toList();
        List<String> args = new ArrayList<>(nodeArgs);
        args.addAll(Arrays.asList(extraArgs));
        args.add("--ack-log=" + ackLog(name));
        if (!seeds.isEmpty()) {
            args.add("--seeds=" + String.join(",", seeds));
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port may be taken before the node binds it
            int port = NodeProcess.freePort();
            try {
                NodeProcess node = NodeProcess.start(name, port, args, logDir, START_TIMEOUT);
                nodes.add(node);
                return node;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Where node {@code name} writes its load's outcomes. */
    Path ackLog(String name) {
        return logDir.resolve(name + ".acks");
    }

    /** Every node's acknowledgement log. */
    List<Path> ackLogs() {
        return nodes.stream().map(n -> ackLog(n.name)).toList();
    }

    /** The nodes whose processes still run. */
    List<NodeProcess> live() {
        return nodes.stream().filter(NodeProcess::isAlive).toList();
    }

    /** Every node started, dead or alive. */
    List<NodeProcess> all() {
        return List.copyOf(nodes);
    }

    /**
     * Waits (polling each node's view, bounded) until {@code condition} holds for the status of every node in
     * {@code which}.
     */
    static void awaitStatus(List<NodeProcess> which, Predicate<NodeStatus> condition, Duration timeout,
                            String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<NodeStatus> last = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            last.clear();
            boolean all = true;
            for (NodeProcess n : which) {
                NodeStatus s = NodeStatus.parse(n.command("status", COMMAND_TIMEOUT));
                last.add(s);
                all &= condition.test(s);
            }
            if (all) {
                return;
            }
            Thread.sleep(100); // a real cluster converging in real time
        }
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; last seen: " + last);
    }

    @Override
    public void close() {
        for (NodeProcess n : nodes) {
            n.close();
        }
    }

    /** One node's {@code status} answer. */
    record NodeStatus(String self, List<String> up, List<String> unreachable, boolean removed) {

        /** A numeric field of a status answer ({@code 0} when absent). */
        static long field(String text, String name) {
            for (String part : text.split(" ")) {
                if (part.startsWith(name + "=")) {
                    return Long.parseLong(part.substring(name.length() + 1));
                }
            }
            return 0;
        }

        static long hosted(String text) {
            return field(text, "hosted");
        }

        static NodeStatus parse(String text) {
            String self = "";
            List<String> up = List.of();
            List<String> unreachable = List.of();
            boolean removed = false;
            for (String part : text.split(" ")) {
                int eq = part.indexOf('=');
                String k = part.substring(0, eq);
                String v = part.substring(eq + 1);
                switch (k) {
                    case "self" -> self = v;
                    case "up" -> up = v.isEmpty() ? List.of() : List.of(v.split(","));
                    case "unreachable" -> unreachable = v.isEmpty() ? List.of() : List.of(v.split(","));
                    case "removed" -> removed = Boolean.parseBoolean(v);
                    default -> { }
                }
            }
            return new NodeStatus(self, up, unreachable, removed);
        }
    }
}
