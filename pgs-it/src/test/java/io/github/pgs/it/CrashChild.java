package io.github.pgs.it;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.spi.Storage;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JVM that {@link CrashTest} kills with SIGKILL. Arguments: the acknowledgement log, {@code sqlite <file>} or
 * {@code postgres <url>}, the type name, the number of servers and the number of concurrent callers.
 *
 * <p>Each caller increments random servers forever and, after each call returned, appends {@code ack <key>
 * <count>} to the log, one {@code write} per line, so a line is in the operating system's hands before the caller
 * makes its next call (the log needs no fsync: the test kills the process, not the machine). {@code ready} is
 * appended once the runtime is up. It never closes anything: it only ever ends by being killed.
 */
final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        String kind = args[1];
        String location = args[2];
        String type = args[3];
        int servers = Integer.parseInt(args[4]);
        int callers = Integer.parseInt(args[5]);
        FileOutputStream out = new FileOutputStream(log.toFile(), true);
        Storage store = switch (kind) {
            case "sqlite" -> Stores.sqlite(Path.of(location));
            case "postgres" -> Stores.postgres(location, Stores.pgOptions().build());
            default -> throw new IllegalArgumentException("unknown store " + kind);
        };
        ServerRuntime runtime = ServerRuntime.builder().name("crash-child").storage(store).codec(Stores.codec())
                .register(ServerType.builder(Tally.class).name(type).build()).build();
        ServerRef[] refs = new ServerRef[servers];
        for (int i = 0; i < servers; i++) {
            refs[i] = runtime.ref(Tally.class, key(i));
        }
        append(out, "ready");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < callers; c++) {
                pool.submit(() -> {
                    while (true) {
                        int i = ThreadLocalRandom.current().nextInt(servers);
                        try {
                            long count = refs[i].call(new Tally.Inc());
                            append(out, "ack " + key(i) + " " + count);
                        } catch (GenServerException e) {
                            append(out, "failed " + key(i) + " " + e.getClass().getSimpleName());
                        }
                    }
                });
            }
        }
    }

    private static void append(FileOutputStream out, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String key(int i) {
        return "s" + i;
    }
}
