package io.github.pgs.bench.jmh;

import io.github.pgs.bench.Counter;
import io.github.pgs.jackson.JsonStateCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The JSON codec on the counter state {@code {"count":n}}: encode and decode, nanoseconds per operation.
 * The write path encodes after every state-changing call (and compares the bytes with the last persisted
 * ones); activation decodes once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class CodecBenchmark {

    private JsonStateCodec codec;
    private Counter.State state;
    private byte[] bytes;

    @Setup
    public void setUp() {
        codec = JsonStateCodec.create();
        state = new Counter.State(123_456_789L);
        bytes = codec.encode(state, Counter.State.class);
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(state, Counter.State.class);
    }

    @Benchmark
    public Object decode() {
        return codec.decode(bytes, Counter.State.class, null);
    }
}
