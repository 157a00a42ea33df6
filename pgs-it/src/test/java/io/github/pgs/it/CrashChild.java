package io.github.pgs.it;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.spi.Storage;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JVM that {@link CrashTest} kills with SIGKILL. Arguments: {@code sqlite <file>} or {@code postgres <url>},
 * then the type name, the number of servers and the number of concurrent callers. Each caller increments random
 * servers forever and, after each call returned, prints {@code ack <key> <count>} on standard output and flushes,
 * so that the parent knows every acknowledged increment. Prints {@code ready} once the runtime is up. It never
 * closes anything: it only ever ends by being killed.
 */
final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String location = args[1];
        String type = args[2];
        int servers = Integer.parseInt(args[3]);
        int callers = Integer.parseInt(args[4]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
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
        synchronized (out) {
            out.println("ready");
            out.flush();
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < callers; c++) {
                pool.submit(() -> {
                    while (true) {
                        int i = ThreadLocalRandom.current().nextInt(servers);
                        long count;
                        try {
                            count = refs[i].call(new Tally.Inc());
                        } catch (GenServerException e) {
                            synchronized (out) {
                                out.println("failed " + key(i) + " " + e.getClass().getSimpleName());
                                out.flush();
                            }
                            continue;
                        }
                        synchronized (out) {
                            out.println("ack " + key(i) + " " + count);
                            out.flush();
                        }
                    }
                });
            }
        }
    }

    static String key(int i) {
        return "s" + i;
    }
}
