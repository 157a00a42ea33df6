package io.github.pgs.cluster.pekko.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The test's end of the line-based control connection to one node JVM. A request is {@code <id> <command>
 * <args...>}; the node answers {@code <id> ok <text>} or {@code <id> err <text>}. Requests may overlap; answers are
 * matched by id. When the node dies, every pending and later request fails at once instead of waiting.
 */
final class ControlChannel implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    ControlChannel(Socket socket, String name) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().name("control-" + name).start(() -> read(in));
    }

    private void read(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                int sp1 = line.indexOf(' ');
                int sp2 = line.indexOf(' ', sp1 + 1);
                if (sp1 < 0) {
                    continue;
                }
                long id = Long.parseLong(line.substring(0, sp1));
                String status = sp2 < 0 ? line.substring(sp1 + 1) : line.substring(sp1 + 1, sp2);
                String text = sp2 < 0 ? "" : line.substring(sp2 + 1).replace("\\n", "\n");
                CompletableFuture<String> f = pending.remove(id);
                if (f == null) {
                    continue;
                }
                if (status.equals("ok")) {
                    f.complete(text);
                } else {
                    f.completeExceptionally(new NodeCommandException(text));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the node went away; fall through to fail what is pending
        }
        closed.complete(null);
        NodeCommandException gone = new NodeCommandException("the node's control connection closed");
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
    }

    /** Sends {@code command} and waits for its answer. */
    String request(String command, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<String> f = new CompletableFuture<>();
        pending.put(id, f);
        if (closed.isDone()) {
            pending.remove(id);
            throw new NodeCommandException("the node's control connection is closed (command: " + command + ")");
        }
        try {
            synchronized (out) {
                out.write((id + " " + command + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            pending.remove(id);
            throw new NodeCommandException("cannot send '" + command + "': " + e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof NodeCommandException n ? n : new NodeCommandException(e.getCause().toString());
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new NodeCommandException("no answer to '" + command + "' within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeCommandException("interrupted while waiting for '" + command + "'");
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A node answered with an error, or could not be asked. */
    static final class NodeCommandException extends RuntimeException {
        NodeCommandException(String message) {
            super(message);
        }
    }
}
