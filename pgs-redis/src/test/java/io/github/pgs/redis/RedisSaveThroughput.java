package io.github.pgs.redis;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Save throughput of {@link RedisStorage} against the Redis of the tests: {@code keys} servers, each caller
 * thread owning its share of them and saving each one's next version in turn (sequential version chains, never
 * a conflict), for {@code seconds}; {@code runs} runs per configuration after one discarded warm-up run, median
 * reported. Every run uses a fresh namespace and removes it afterwards.
 *
 * <p>Run: {@code mvn -q -pl pgs-redis test-compile exec:exec -Dexec.classpathScope=test
 * -Dexec.executable=java -Dexec.args="-cp %classpath io.github.pgs.redis.RedisSaveThroughput"}; settings as
 * system properties (inside {@code exec.args}): {@code pgs.bench.seconds} (10), {@code pgs.bench.runs} (3),
 * {@code pgs.bench.keys} (10000), {@code pgs.bench.threads} (1,64), {@code pgs.bench.maxBatch} (1 and the
 * default), {@code pgs.bench.writers} (the default), {@code pgs.bench.payload} (100 bytes).
 */
public final class RedisSaveThroughput {

    private RedisSaveThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("pgs.bench.seconds", 10);
        int runs = Integer.getInteger("pgs.bench.runs", 3);
        int keys = Integer.getInteger("pgs.bench.keys", 10_000);
        int payloadBytes = Integer.getInteger("pgs.bench.payload", 100);
        int[] threadCounts = ints(System.getProperty("pgs.bench.threads", "1,64"));
        int[] batches = ints(System.getProperty("pgs.bench.maxBatch", "1," + RedisOptions.DEFAULT_MAX_BATCH));
        int[] writerCounts = ints(System.getProperty("pgs.bench.writers",
                String.valueOf(RedisOptions.DEFAULT_WRITERS)));

        System.out.printf(Locale.ROOT, "Redis %s, %d keys, %d-byte payloads, %d s per run, median of %d%n",
                RedisTestSupport.uri(), keys, payloadBytes, seconds, runs);
        for (int threads : threadCounts) {
            for (int writers : writerCounts) {
                for (int maxBatch : batches) {
                    RedisOptions.Builder options = RedisOptions.builder().maxBatch(maxBatch).writers(writers);
                    run(options, threads, keys, payloadBytes, Math.min(seconds, 3)); // warm-up, discarded
                    double[] rates = new double[runs];
                    for (int r = 0; r < runs; r++) {
                        rates[r] = run(options, threads, keys, payloadBytes, seconds);
                    }
                    double[] sorted = rates.clone();
                    Arrays.sort(sorted);
                    System.out.printf(Locale.ROOT,
                            "threads=%-3d writers=%d maxBatch=%-4d median=%,10.0f saves/s  runs=%s%n",
                            threads, writers, maxBatch, sorted[runs / 2], format(rates));
                }
            }
        }
    }

    /** One run: saves per second over {@code seconds}. */
    private static double run(RedisOptions.Builder options, int threads, int keys, int payloadBytes, int seconds)
            throws Exception {
        String namespace = RedisTestSupport.newNamespace("bench");
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) 'x');
        AtomicBoolean stop = new AtomicBoolean();
        try (RedisStorage store = RedisStorage.open(RedisTestSupport.uri(), options.namespace(namespace).build());
             ExecutorService pool = threads == 1 ? Executors.newSingleThreadExecutor()
                     : Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> counts = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int owner = t;
                counts.add(pool.submit(() -> {
                    List<ServerId> mine = new ArrayList<>();
                    for (int k = owner; k < keys; k += threads) {
                        mine.add(new ServerId("bench", "player-" + k));
                    }
                    long[] versions = new long[mine.size()];
                    long saves = 0;
                    for (int i = 0; !stop.get(); i = (i + 1) % mine.size()) {
                        versions[i] = store.save(new StateWrite(mine.get(i), versions[i], payload, 1));
                        saves++;
                    }
                    return saves;
                }));
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            RedisTestSupport.purge(namespace);
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static String format(double[] rates) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < rates.length; i++) {
            out.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", rates[i]));
        }
        return out.append(']').toString();
    }
}
