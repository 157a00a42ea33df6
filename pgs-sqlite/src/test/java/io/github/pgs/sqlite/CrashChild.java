package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JVM that {@link SqliteFileTest} kills: saves version chains on a few keys forever and prints
 * {@code ack <key> <version>} after each save returned. It never closes the store.
 */
final class CrashChild {

    static final String TYPE = "crash";

    private CrashChild() {
    }

    public static void main(String[] args) {
        Storage store = SqliteStorage.open(Path.of(args[0]));
        int keys = Integer.parseInt(args[1]);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k = 0; k < keys; k++) {
                String key = "k" + k;
                pool.submit(() -> {
                    long version = 0;
                    while (true) {
                        byte[] payload = ("v" + (version + 1)).getBytes(StandardCharsets.UTF_8);
                        version = store.save(new StateWrite(new ServerId(TYPE, key), version, payload, 1));
                        synchronized (System.out) {
                            System.out.println("ack " + key + " " + version);
                            System.out.flush();
                        }
                    }
                });
            }
        }
    }
}
