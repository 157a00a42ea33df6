package io.github.pgs.cluster.pekko.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One node JVM started by a test: a child process running {@link NodeMain} on 127.0.0.1, its control channel, and
 * the ways a test hurts it (SIGKILL, a bounded SIGSTOP). Every process started here is remembered until it is gone,
 * and a shutdown hook of the test JVM kills whatever is left, so a failed or interrupted test never leaves a node
 * behind. The node itself halts when the test JVM goes away (its control connection closes, or its parent process
 * exits), which covers a test JVM that was killed outright.
 */
final class NodeProcess implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                resume(p.pid());
                p.destroyForcibly();
            }
        }, "kill-test-nodes"));
    }

    final String name;
    final int port;
    final Process process;
    final ControlChannel control;
    final Path log;
    private Process pauser;

    private NodeProcess(String name, int port, Process process, ControlChannel control, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.control = control;
        this.log = log;
    }

    /**
     * Starts a node JVM and waits until it has connected its control channel (the node connects once its cluster
     * member is up, or reports why not).
     *
     * @param args arguments for {@link NodeMain} besides {@code --name} and {@code --control}
     */
    static NodeProcess start(String name, int port, List<String> args, Path logDir, Duration startTimeout)
            throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElseThrow());
            cmd.add("-Xmx384m");
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-XX:TieredStopAtLevel=1");
            if (Runtime.version().feature() >= 24) {
                cmd.add("--sun-misc-unsafe-memory-access=allow"); // Pekko 1.x still uses sun.misc.Unsafe
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
            cmd.add(NodeMain.class.getName());
            cmd.add("--name=" + name);
            cmd.add("--port=" + port);
            cmd.add("--control=" + listener.getLocalPort());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            listener.setSoTimeout(250);
            long deadline = System.nanoTime() + startTimeout.toNanos();
            while (true) {
                try {
                    Socket s = listener.accept();
                    s.setTcpNoDelay(true);
                    return new NodeProcess(name, port, p, new ControlChannel(s, name), log);
                } catch (SocketTimeoutException e) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        p.destroyForcibly();
                        throw new IOException("node " + name + " did not come up within " + startTimeout.toMillis()
                                + " ms (exit " + (p.isAlive() ? "none" : p.exitValue()) + "); its log: "
                                + tail(log));
                    }
                }
            }
        }
    }

    /** A free port on 127.0.0.1 right now (a node binds it moments later; a collision makes the start fail). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a control command and waits for the answer. */
    String command(String command, Duration timeout) {
        return control.request(command, timeout);
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + name + " survived SIGKILL for 30 s");
        }
    }

    /**
     * SIGSTOP now and SIGCONT after {@code duration}, by a separate small process, so the node resumes even if the
     * test JVM dies meanwhile.
     */
    void pause(Duration duration) throws IOException {
        if (pauser != null && pauser.isAlive()) {
            throw new IllegalStateException("node " + name + " is already paused");
        }
        double seconds = duration.toMillis() / 1000.0;
        pauser = new ProcessBuilder("sh", "-c", "kill -STOP \"$1\" && sleep \"$2\"; kill -CONT \"$1\"", "pgs-pause",
                Long.toString(pid()), String.format(java.util.Locale.ROOT, "%.3f", seconds))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Waits until a {@link #pause} has ended (the node got SIGCONT). */
    void awaitResumed(Duration timeout) throws InterruptedException {
        if (pauser != null && !pauser.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            resume(pid());
            pauser.destroyForcibly();
            throw new IllegalStateException("the pause of node " + name + " did not end in time");
        }
    }

    /** Tells the node to exit (it halts without answering) and waits until its process has ended. */
    void exit() throws InterruptedException {
        try {
            control.request("exit", Duration.ofSeconds(5));
        } catch (ControlChannel.NodeCommandException expected) {
            // the node halts before it could answer
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + name + " did not exit within 30 s");
        }
    }

    /** Waits for the process to end by itself. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void resume(long pid) {
        try {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to resume with; SIGKILL below ends a stopped process too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of the node's log, for failure messages. */
    String logTail() {
        return tail(log);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the node if it still runs (after resuming it, should it be paused) and closes the channel. */
    @Override
    public void close() {
        if (pauser != null) {
            pauser.destroyForcibly();
        }
        if (process.isAlive()) {
            resume(pid());
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        control.close();
    }
}
