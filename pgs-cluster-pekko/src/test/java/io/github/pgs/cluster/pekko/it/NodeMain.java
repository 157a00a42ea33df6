package io.github.pgs.cluster.pekko.it;

import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.cluster.pekko.internal.ClusterMember;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The main class of a node JVM started by {@link NodeProcess}. Arguments {@code --name=}, {@code --port=},
 * {@code --control=} (the test's control port), {@code --seeds=host:port,...} (none: start a new cluster) and
 * cluster timings ({@code --stable-after-ms=}, {@code --heartbeat-pause-ms=}, {@code --shards=}).
 *
 * <p>It joins the cluster, connects to the test, and answers commands one line each until told to exit. It halts
 * as soon as the test JVM is gone (control connection closed, or parent process ended), so it never outlives the
 * test that started it.
 */
public final class NodeMain {

    private final Map<String, Function<String[], String>> commands = new HashMap<>();
    private final ClusterMember member;

    private NodeMain(ClusterMember member) {
        this.member = member;
        commands.put("status", a -> status());
        commands.put("leave", a -> {
            member.close();
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
                .numberOfShards(Integer.parseInt(args.getOrDefault("shards", "50")));
        String seeds = args.getOrDefault("seeds", "");
        if (!seeds.isEmpty()) {
            b.seedNodes(List.of(seeds.split(",")));
        }
        ClusterMember member;
        try {
            member = ClusterMember.start(b.build(), Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
            return;
        }
        new NodeMain(member).serve(Integer.parseInt(args.get("control")), args.get("name"));
    }

    private void serve(int controlPort, String name) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), controlPort);
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String request = line;
            // Commands may take long (leave, load); each runs on its own thread so that status stays answerable.
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
        boolean removed = member.removed().toCompletableFuture().isDone();
        ClusterMember.Membership m = removed ? new ClusterMember.Membership(List.of(), List.of())
                : member.membership();
        return "self=" + member.address() + " up=" + String.join(",", m.up()) + " unreachable="
                + String.join(",", m.unreachable()) + " removed=" + removed;
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
