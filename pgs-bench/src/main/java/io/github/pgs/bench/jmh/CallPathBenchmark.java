package io.github.pgs.bench.jmh;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.bench.BenchObservers;
import io.github.pgs.bench.Counter;
import io.github.pgs.jackson.JsonStateCodec;
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

import java.util.concurrent.TimeUnit;

/**
 * The call path without any I/O: one server on the in-memory store (or an ephemeral server with no store),
 * one caller thread, {@code call} round trip. {@code Increment} changes the state, so on the in-memory store
 * each call also encodes the state and runs the store's compare-and-set; {@code Get} changes nothing and is
 * never written. {@code observe}: no observer, {@code pgs-micrometer}'s metrics on a Prometheus registry as
 * Micrometer configures it ({@code metrics-plain}), or with the module's histogram buckets ({@code metrics}), so
 * that the difference is what the observer costs one call. Average time per call in microseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class CallPathBenchmark {

    /** {@code memory}: persistent runtime on {@link InMemoryStorage}; {@code ephemeral}: no store at all. */
    @Param({"memory", "ephemeral"})
    public String store;

    /** {@code off}, {@code metrics-plain} or {@code metrics} (with histogram buckets). */
    @Param({"off", "metrics-plain", "metrics"})
    public String observe;

    private BenchObservers observers;
    private ServerRuntime runtime;
    private ServerRef ref;

    @Setup(Level.Trial)
    public void setUp() {
        ServerType<String, Counter.State> type = ServerType.builder(Counter.class).factory(Counter::new)
                .options(TypeOptions.builder().idleTimeout(TypeOptions.NEVER).build()).build();
        ServerRuntime.Builder b = ServerRuntime.builder().name("jmh");
        observers = new BenchObservers(BenchObservers.Mode.parse(observe));
        if (observers.observer() != null) {
            b.observer(observers.observer());
        }
        if (store.equals("ephemeral")) {
            runtime = b.ephemeral().build();
            ref = runtime.start(type, "c");
        } else {
            runtime = b.storage(new InMemoryStorage()).codec(JsonStateCodec.create()).register(type).build();
            ref = runtime.ref(Counter.class, "c");
        }
        ref.call(Counter.GET);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
        observers.close();
    }

    /** A state-changing call: handler, (encode and store save), reply. */
    @Benchmark
    public Long increment() {
        return ref.call(Counter.INCREMENT);
    }

    /** A read-only call: handler and reply, nothing written. */
    @Benchmark
    public Long get() {
        return ref.call(Counter.GET);
    }
}
