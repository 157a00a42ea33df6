package io.github.pgs.bench.jmh;

import io.github.pgs.ServerId;
import io.github.pgs.bench.BenchObservers;
import io.github.pgs.bench.Counter;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.StoreOp;
import io.github.pgs.spi.RuntimeObserver.StoreOutcome;
import io.github.pgs.spi.RuntimeObserver.TurnOutcome;
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
 * What {@code pgs-micrometer}'s metrics cost one persisted call, without the call: the observer is told what the
 * runtime tells it for one {@code call} that changes the state (the send, the turn with its mailbox depth, the
 * store write), with the same clock readings. Run with {@code -t 2} to see two threads recording into the same
 * meters. Nanoseconds per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class ObserverBenchmark {

    /** {@code metrics-plain}: Micrometer's default configuration; {@code metrics}: with histogram buckets. */
    @Param({"metrics-plain", "metrics"})
    public String observe;

    private static final ServerId ID = new ServerId("Counter", "42");
    private static final Class<?> MESSAGE = Counter.INCREMENT.getClass();

    private BenchObservers observers;
    private RuntimeObserver observer;

    @Setup(Level.Trial)
    public void setUp() {
        observers = new BenchObservers(BenchObservers.Mode.parse(observe));
        observer = observers.observer();
        if (observer == null) {
            throw new IllegalArgumentException("observe: metrics-plain or metrics, not " + observe);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        observers.close();
    }

    /** One persisted call as the observer sees it. */
    @Benchmark
    public void call() {
        long sent = System.nanoTime();
        Object send = observer.sendStarted(ID, Kind.CALL, MESSAGE);
        long turnStarted = System.nanoTime();
        Object turn = observer.turnStarted(ID, Kind.CALL, MESSAGE, send, 0);
        long stored = System.nanoTime();
        Object store = observer.storeStarted(ID, StoreOp.WRITE);
        observer.storeEnded(store, ID, StoreOp.WRITE, "memory", System.nanoTime() - stored, StoreOutcome.OK, 16,
                null);
        observer.turnEnded(turn, ID, Kind.CALL, MESSAGE, System.nanoTime() - turnStarted, TurnOutcome.OK, null);
        observer.sendEnded(send, ID, Kind.CALL, MESSAGE, System.nanoTime() - sent, null);
    }

    /** The clock readings alone, as {@link #call} makes them. */
    @Benchmark
    public long clockOnly() {
        long sent = System.nanoTime();
        long turnStarted = System.nanoTime();
        long stored = System.nanoTime();
        return (System.nanoTime() - stored) + (System.nanoTime() - turnStarted) + (System.nanoTime() - sent);
    }
}
