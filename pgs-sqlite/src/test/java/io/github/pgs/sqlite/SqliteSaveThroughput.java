package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Measures saves per second of {@link SqliteStorage}: 1 writer thread and 64 virtual threads over a fixed key
 * space (each thread owns its keys and walks them round-robin, each save continuing that key's version chain),
 * with group commit off ({@code maxBatch = 1}) and at the default. Every run uses a fresh file whose keys were
 * saved once beforehand, so runs measure updates. Prints the median of the runs per configuration.
 *
 * <pre>{@code
 * mvn -q -pl pgs-sqlite test-compile exec:exec -Dexec.mainClass=io.github.pgs.sqlite.SqliteSaveThroughput
 * }</pre>
 * Arguments, each {@code name=value}, through {@code -Dexec.appArgs="..."}: {@code seconds} (10), {@code runs} (3),
 * {@code keys} (10000), {@code threads} (1,64), {@code maxBatch} (1,256), {@code synchronous} (FULL),
 * {@code payloadBytes} (200).
 */
public final class SqliteSaveThroughput {

    private static final String TYPE = "bench";

    private SqliteSaveThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> arg = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected name=value: " + a);
            }
            arg.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int seconds = Integer.parseInt(arg.getOrDefault("seconds", "10"));
        int runs = Integer.parseInt(arg.getOrDefault("runs", "3"));
        int keys = Integer.parseInt(arg.getOrDefault("keys", "10000"));
        int payloadBytes = Integer.parseInt(arg.getOrDefault("payloadBytes", "200"));
        int[] threadCounts = ints(arg.getOrDefault("threads", "1,64"));
        int[] batchSizes = ints(arg.getOrDefault("maxBatch", "1," + SqliteOptions.DEFAULT_MAX_BATCH));
        SqliteOptions.Synchronous sync = SqliteOptions.Synchronous.valueOf(arg.getOrDefault("synchronous", "FULL"));
        System.out.printf("SQLite save throughput: %d keys, %d-byte payloads, synchronous %s, %d s per run, "
                + "median of %d runs%n", keys, payloadBytes, sync, seconds, runs);
        System.out.printf("%-10s %-8s %12s   %s%n", "maxBatch", "threads", "saves/s", "runs");
        Path dir = Files.createTempDirectory("pgs-sqlite-bench");
        try {
            for (int maxBatch : batchSizes) {
                for (int threads : threadCounts) {
                    double[] rates = new double[runs];
                    for (int r = 0; r < runs; r++) {
                        Path file = dir.resolve("b" + maxBatch + "-t" + threads + "-r" + r + ".db");
                        SqliteOptions options = SqliteStorage.builder(file).synchronous(sync).maxBatch(maxBatch)
                                .build();
                        rates[r] = run(options, threads, keys, payloadBytes, seconds);
                        deleteDatabase(file);
                    }
                    double[] sorted = rates.clone();
                    Arrays.sort(sorted);
                    System.out.printf("%-10d %-8d %12.0f   %s%n", maxBatch, threads, sorted[runs / 2],
                            Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()));
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Saves per second over {@code seconds}, after saving every key once (not timed). */
    private static double run(SqliteOptions options, int threads, int keys, int payloadBytes, int seconds)
            throws Exception {
        byte[] payload = "x".repeat(payloadBytes).getBytes(StandardCharsets.UTF_8);
        try (SqliteStorage store = SqliteStorage.builder(options.file()).synchronous(options.synchronous()).open();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fill = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int first = t;
                fill.add(pool.submit(() -> {
                    for (int k = first; k < keys; k += 64) {
                        store.save(new StateWrite(new ServerId(TYPE, key(k)), 0, payload, 1));
                    }
                }));
            }
            for (Future<?> f : fill) {
                f.get();
            }
        }
        try (SqliteStorage store = SqliteStorage.open(options);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                counts.add(pool.submit(() -> {
                    int owned = (keys - first + threads - 1) / threads;
                    long[] versions = new long[owned];
                    Arrays.fill(versions, 1);
                    long saves = 0;
                    for (int i = 0; !stop.get(); i = (i + 1) % owned) {
                        ServerId id = new ServerId(TYPE, key(first + i * threads));
                        versions[i] = store.save(new StateWrite(id, versions[i], payload, 1));
                        saves++;
                    }
                    return saves;
                }));
            }
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L); // the measurement window, not synchronization
            stop.set(true);
            long total = 0;
            for (Future<Long> c : counts) {
                total += c.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    }

    private static String key(int k) {
        return "player-" + k;
    }

    private static void deleteDatabase(Path file) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
        }
    }
}
