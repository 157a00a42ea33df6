package io.github.pgs.bench.jmh;

import io.github.pgs.ServerId;
import io.github.pgs.bench.Counter;
import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.store.InMemoryStorage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One version-checked {@code Storage.save} of a counter state by one thread, so no group commit forms: the
 * in-memory store's compare-and-set, and a SQLite transaction on a temporary file with
 * {@code synchronous=FULL} (one log sync per save) and {@code NORMAL} (no sync on commit). Microseconds per
 * save.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "--enable-native-access=ALL-UNNAMED"})
public class StoreSaveBenchmark {

    /** {@code memory}, {@code sqlite-full} or {@code sqlite-normal}. */
    @Param({"memory", "sqlite-full", "sqlite-normal"})
    public String store;

    private Storage storage;
    private Path dir;
    private final ServerId id = new ServerId(Counter.TYPE, "c");
    private long version;
    private long count;
    private JsonStateCodec codec;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        codec = JsonStateCodec.create();
        if (store.equals("memory")) {
            storage = new InMemoryStorage();
        } else {
            dir = Files.createTempDirectory("pgs-jmh");
            storage = SqliteStorage.builder(dir.resolve("jmh.db"))
                    .synchronous(store.equals("sqlite-full") ? SqliteOptions.Synchronous.FULL
                            : SqliteOptions.Synchronous.NORMAL)
                    .open();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        storage.close();
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Encodes the next count and saves it at the next version. */
    @Benchmark
    public long save() {
        byte[] payload = codec.encode(new Counter.State(++count), Counter.State.class);
        version = storage.save(new StateWrite(id, version, payload, 1));
        return version;
    }
}
